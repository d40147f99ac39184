//! One module per subcommand.

pub mod audit;
pub mod evidence;
mod history;
mod init;
pub mod netpol;
pub mod phi;
pub mod phi_pcap;
pub mod rbac;
mod rules;
mod scan;
pub mod serve;

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
        Command::Audit(args) => audit::run(args),
        Command::Evidence(args) => evidence::run(args),
        Command::Phi(cmd) => phi::run(cmd),
        Command::Serve(args) => serve::run(args),
    }
}
