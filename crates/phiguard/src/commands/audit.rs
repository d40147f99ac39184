//! `phiguard audit`: run the AL detections over Kubernetes audit logs (JSON lines or EventList bodies).

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use phiguard_audit::forward::{ForwardConfig, Forwarder};
use phiguard_audit::{
    detections, reader, AccessReport, Alert, AuditConfig, Detector, Issue, Pipeline,
};

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Output {
    /// One line per alert.
    Text,
    /// One JSON object per alert (JSON lines).
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Report {
    /// Who read or changed what in PHI namespaces, and when (instead of the alert list).
    Access,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum WebhookFormat {
    Alertmanager,
    Json,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Audit log files (JSON lines or EventList bodies); `-` reads stdin.
    pub paths: Vec<String>,
    #[arg(short, long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Print a report instead of the alerts.
    #[arg(long, value_enum)]
    pub report: Option<Report>,
    /// Configuration file (default: ./phiguard.toml if present): `[phi] namespaces` and `[audit]`.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// List the detections and exit.
    #[arg(long)]
    pub list: bool,
    /// Show one detection's documentation and exit.
    #[arg(long, value_name = "CODE")]
    pub explain: Option<String>,
    /// Also POST alerts to this webhook (http://).
    #[arg(long)]
    pub webhook: Option<String>,
    #[arg(long, value_enum, default_value_t = WebhookFormat::Alertmanager)]
    pub webhook_format: WebhookFormat,
    /// Append the alerts to an evidence trail (directory or postgres:// URL).
    #[arg(long)]
    pub evidence: Option<String>,
    /// Private key for --evidence (default: $PHIGUARD_EVIDENCE_KEY).
    #[arg(long)]
    pub evidence_key: Option<PathBuf>,
}

pub fn run(args: AuditArgs) -> anyhow::Result<u8> {
    if args.list {
        for d in detections::DETECTIONS {
            println!(
                "{}  {:<9} {:<28} {}  [{}]",
                d.code,
                d.severity,
                d.name,
                d.title,
                d.hipaa.join(", ")
            );
        }
        return Ok(super::EXIT_CLEAN);
    }
    if let Some(code) = &args.explain {
        let Some(d) = detections::find(code) else {
            bail!("unknown detection `{code}` (see `phiguard audit --list`)");
        };
        println!(
            "{} {} ({})\n{}\n\nHIPAA: {}\n",
            d.code,
            d.name,
            d.severity,
            d.title,
            d.hipaa.join(", ")
        );
        println!(
            "What it does\n  {}\n\nWhy it matters for PHI\n  {}\n",
            d.docs.what_it_does, d.docs.why_it_matters
        );
        println!(
            "Example\n  {}\n\nRemediation\n  {}\n\nReferences",
            d.docs.example, d.docs.remediation
        );
        for r in d.docs.references {
            println!("  {r}");
        }
        return Ok(super::EXIT_CLEAN);
    }
    if args.paths.is_empty() {
        bail!("no input: give audit log files, or `-` for stdin");
    }
    let cfg = load_config(args.config.as_deref())?;
    let mut detector = Detector::new(cfg);
    for (code, why) in detector.inactive() {
        eprintln!("note: {code} is inactive: {why}");
    }
    let forwarder = match &args.webhook {
        Some(url) => {
            let format = match args.webhook_format {
                WebhookFormat::Alertmanager => phiguard_audit::forward::Format::Alertmanager,
                WebhookFormat::Json => phiguard_audit::forward::Format::Json,
            };
            Some(Forwarder::start(ForwardConfig::new(url, format))?)
        }
        None => None,
    };
    let mut access = AccessReport::default();
    let want_access = args.report == Some(Report::Access);
    let mut alerts_n = 0u64;
    let mut issues_n = 0u64;
    let mut events = 0u64;
    let mut kept: Vec<Alert> = Vec::new();
    let keep = args.evidence.is_some();
    let mut stdout = std::io::stdout().lock();
    let mut write_err: Option<std::io::Error> = None;
    {
        let output = args.output;
        let mut on_alert = |a: Alert| {
            alerts_n += 1;
            if !want_access {
                let line = match output {
                    Output::Text => phiguard_audit::alert_text(&a),
                    Output::Json => serde_json::to_string(&a).unwrap_or_default(),
                };
                if let Err(e) = writeln!(stdout, "{line}") {
                    write_err.get_or_insert(e);
                }
            }
            if let Some(f) = &forwarder {
                f.send(a.clone());
            }
            if keep {
                kept.push(a);
            }
        };
        let mut on_issue = |i: Issue| {
            issues_n += 1;
            eprintln!("error: {i}");
        };
        let mut p = Pipeline::new(
            &mut detector,
            want_access.then_some(&mut access),
            &mut on_alert,
            &mut on_issue,
        );
        let mut stdin_done = false;
        for path in &args.paths {
            let stats = if path == "-" {
                if stdin_done {
                    continue;
                }
                stdin_done = true;
                reader::read("<stdin>", std::io::stdin().lock(), &mut p).context("reading stdin")?
            } else {
                let f =
                    std::fs::File::open(path).with_context(|| format!("{path}: cannot open"))?;
                reader::read(path, BufReader::with_capacity(1 << 20, f), &mut p)
                    .with_context(|| format!("reading {path}"))?
            };
            events += stats.events;
        }
    }
    if let Some(e) = write_err {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e.into());
        }
    }
    if want_access {
        match args.output {
            Output::Text => write!(stdout, "{}", access.render_text())?,
            Output::Json => writeln!(stdout, "{}", serde_json::to_string(&access.subjects())?)?,
        }
    }
    stdout.flush()?;
    drop(stdout);
    eprintln!(
        "{alerts_n} alert(s) from {events} event(s) in {} input(s){}",
        args.paths.len(),
        if issues_n > 0 {
            format!("; {issues_n} malformed line(s) skipped")
        } else {
            String::new()
        }
    );
    if let Some(f) = forwarder {
        let st = f.finish();
        eprintln!(
            "webhook: {} sent, {} failed after retries, {} dropped (queue full){}",
            st.sent,
            st.failed,
            st.dropped,
            st.last_error
                .map(|e| format!("; last error: {e}"))
                .unwrap_or_default()
        );
        if st.failed > 0 || st.dropped > 0 {
            issues_n += 1;
        }
    }
    if let Some(loc) = &args.evidence {
        let body = serde_json::json!({
            "inputs": args.paths,
            "events": events,
            "malformed": issues_n,
            "alerts": kept,
        });
        super::evidence::append(
            loc,
            args.evidence_key.as_deref(),
            "alerts",
            &body.to_string(),
        )?;
    }
    if events == 0 && issues_n == 0 {
        eprintln!("error: no audit events in the input; nothing was checked");
        return Ok(super::EXIT_ERROR);
    }
    Ok(if issues_n > 0 {
        super::EXIT_ERROR
    } else if alerts_n > 0 {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_CLEAN
    })
}

fn load_config(path: Option<&Path>) -> anyhow::Result<AuditConfig> {
    let path = match path {
        Some(p) => Some(p.to_path_buf()),
        None => Some(PathBuf::from("phiguard.toml")).filter(|p| p.is_file()),
    };
    match path {
        None => Ok(AuditConfig::default()),
        Some(p) => {
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            Ok(AuditConfig::from_toml(&p.display().to_string(), &text)?)
        }
    }
}
