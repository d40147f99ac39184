//! One module per subcommand.

mod history;
mod init;
pub mod netpol;
pub mod rbac;
mod rules;
mod scan;

use crate::cli::{Cli, Command};

pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Rules { output } => rules::list(output),
        Command::Rule { code } => rules::show(&code),
        Command::Init { path, force } => init::run(&path, force),
        Command::Rbac(args) => rbac::run(args),
        Command::Netpol(cmd) => netpol::run(cmd),
    }
}
