//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "phiguard",
    version,
    about = "Verify, enforce, detect and prove the HIPAA Security Rule's technical safeguards in Kubernetes"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// More log output on stderr (-v info, -vv debug); PHIGUARD_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan manifests (files, directories, `-` for stdin; Helm/kustomize output; kubectl dumps).
    Scan(ScanArgs),
    /// List the rule catalog.
    Rules {
        #[arg(short, long, value_enum, default_value_t = CatalogFormat::Text)]
        output: CatalogFormat,
    },
    /// Show one rule's documentation.
    Rule {
        /// Rule code (e.g. PS001) or name (e.g. privileged-container).
        code: String,
    },
    /// Write a commented phiguard.toml template.
    Init {
        /// Where to write it.
        #[arg(default_value = "phiguard.toml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Serve the admission webhook (HTTPS): /validate, /metrics, /healthz, /readyz.
    Serve(crate::commands::serve::ServeArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Markdown,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CatalogFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Files or directories to scan (recursive: .yaml, .yml, .json); `-` reads stdin.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Configuration file (default: ./phiguard.toml if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Only run these rule codes or families (comma-separated), replacing the configuration's `select`.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rule codes or families (comma-separated), added to the configuration's `ignore`.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_parser = ["low", "medium", "high", "critical"])]
    pub fail_on: Option<String>,
    /// A previous JSON report: its findings (by fingerprint) are not reported again.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Colours in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Text output without source snippets.
    #[arg(long)]
    pub concise: bool,
}
