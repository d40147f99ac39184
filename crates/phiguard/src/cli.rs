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
    /// Effective RBAC permissions from manifests: who-can, a subject's powers, the risk report.
    Rbac(crate::commands::rbac::RbacArgs),
    /// Network segmentation: connectivity matrix, explanations, zone verification.
    #[command(subcommand)]
    Netpol(crate::commands::netpol::NetpolCommand),
    /// Detect suspicious activity in Kubernetes audit logs (JSON lines or EventList bodies).
    Audit(crate::commands::audit::AuditArgs),
    /// Tamper-evident evidence trail: keygen, verify, list, show, seal, checkpoint.
    Evidence(crate::commands::evidence::EvidenceArgs),
    /// Find, redact and score PHI (HIPAA Safe Harbor identifiers) in text, logs, JSON, HL7 v2, FHIR and CSV.
    #[command(subcommand)]
    Phi(crate::commands::phi::PhiCommand),
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
    Html,
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
    /// Earlier JSON reports (a directory of `-o json` or `--save-history` files): adds posture over time to HTML.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// Also write this scan's JSON report, with its time, into DIR (for `--history`).
    #[arg(long, value_name = "DIR")]
    pub save_history: Option<PathBuf>,
    /// Append the scan result to an evidence trail (directory or postgres:// URL).
    #[arg(long)]
    pub evidence: Option<String>,
    /// Private key for --evidence (default: $PHIGUARD_EVIDENCE_KEY).
    #[arg(long)]
    pub evidence_key: Option<PathBuf>,
}
