//! `phiguard scan`: read inputs, run the catalog, render, exit 0/1/2.

use std::collections::HashSet;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use anyhow::{bail, Context};
use phiguard_core::rules::CATALOG;
use phiguard_core::settings::{Date, Selector, Settings};
use phiguard_core::source::{walk, LoadError};
use phiguard_core::{ScanReport, Severity, Source};

use super::history;
use crate::cli::{ColorChoice, Format, ScanArgs};

/// Files above this count get a progress bar on a terminal.
const PROGRESS_THRESHOLD: usize = 200;

pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let settings = load_settings(&args)?;
    let (sources, errors) = read_inputs(&args.paths)?;
    tracing::info!(inputs = sources.len(), "inputs read");
    // The HTML report adds the segmentation and RBAC analyses, computed from the scan's own context (the netpol
    // verification the rules already ran is reused).
    let (mut report, (segmentation, rbac)) = if args.output == Format::Html {
        phiguard_core::engine::scan_with(
            sources,
            &settings,
            Date::today(),
            errors,
            phiguard_report::html::analyses::sections,
        )
    } else {
        (
            phiguard_core::scan(sources, &settings, Date::today(), errors),
            (None, None),
        )
    };
    if let Some(path) = &args.baseline {
        apply_baseline(&mut report, path)?;
    }
    let generated_at = history::scan_time();
    let mut history_failed = false;
    let trend = match &args.history {
        Some(dir) => {
            if args.output != Format::Html {
                tracing::warn!("--history is shown only in HTML output (-o html)");
            }
            let (mut points, failed) = history::read(dir)?;
            history_failed = failed;
            points.push(phiguard_report::html::point_from_report(
                &report,
                &generated_at,
            ));
            Some(phiguard_report::html::build_trend(points))
        }
        None => None,
    };
    if let Some(dir) = &args.save_history {
        history::save(dir, &report, &generated_at)?;
    }
    let rendered = match args.output {
        Format::Text => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            phiguard_report::text(
                &report,
                phiguard_report::TextOptions {
                    color,
                    concise: args.concise,
                },
            )
        }
        Format::Json => phiguard_report::json(&report),
        Format::Sarif => phiguard_report::sarif(&report),
        Format::Junit => phiguard_report::junit(&report),
        Format::Markdown => phiguard_report::markdown(&report),
        Format::Html => phiguard_report::html(
            &report,
            phiguard_report::ModelInput {
                generated_at: generated_at.clone(),
                trend,
                segmentation,
                rbac,
            },
        ),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(rendered.as_bytes())?;
    if !rendered.ends_with('\n') {
        stdout.write_all(b"\n")?;
    }
    stdout.flush()?;
    if let Some(loc) = &args.evidence {
        super::evidence::append(
            loc,
            args.evidence_key.as_deref(),
            "scan",
            &phiguard_report::json(&report),
        )?;
    }
    if args.output != Format::Text {
        // Machine formats keep stdout clean; say what went wrong on stderr.
        for e in &report.errors {
            eprintln!("error: {e}");
        }
        if report.stats.objects == 0 {
            eprintln!("error: no Kubernetes objects were found in the inputs; nothing was checked");
        }
    }
    if history_failed {
        return Ok(super::EXIT_ERROR);
    }
    Ok(exit_code(&report))
}

fn exit_code(report: &ScanReport) -> u8 {
    if report.has_errors() {
        super::EXIT_ERROR
    } else if report.failing() > 0 {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_CLEAN
    }
}

fn load_settings(args: &ScanArgs) -> anyhow::Result<Settings> {
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => Some(Path::new("phiguard.toml").to_path_buf()).filter(|p| p.is_file()),
    };
    let mut settings = match path {
        Some(p) => {
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            Settings::from_toml(&p.display().to_string(), &text, &CATALOG)?
        }
        None => Settings::default(),
    };
    if !args.select.is_empty() {
        settings.select = parse_selectors(&args.select, "--select")?;
    }
    settings
        .ignore
        .extend(parse_selectors(&args.ignore, "--ignore")?);
    if let Some(level) = &args.fail_on {
        settings.fail_on = Severity::parse(level).unwrap_or(Severity::Low);
    }
    if !CATALOG.iter().any(|r| settings.enabled(r)) {
        bail!("the rule selection leaves no rule to run");
    }
    Ok(settings)
}

fn parse_selectors(items: &[String], flag: &str) -> anyhow::Result<Vec<Selector>> {
    items
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| Selector::parse(s, &CATALOG).map_err(|m| anyhow::anyhow!("{flag}: {m}")))
        .collect()
}

/// Reads every input. Missing paths are usage errors; unreadable or non-UTF-8 files are input errors that do not
/// stop the others.
pub(crate) fn read_inputs(paths: &[String]) -> anyhow::Result<(Vec<Source>, Vec<LoadError>)> {
    let mut files = Vec::new();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    let mut stdin_read = false;
    for p in paths {
        if p == "-" {
            if stdin_read {
                continue;
            }
            stdin_read = true;
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("reading stdin")?;
            push_bytes(&mut sources, &mut errors, "<stdin>".to_string(), buf);
            continue;
        }
        let path = Path::new(p);
        if !path.exists() {
            bail!("{p}: no such file or directory");
        }
        let found = walk(path).with_context(|| format!("reading {p}"))?;
        if found.is_empty() {
            tracing::warn!("{p}: no .yaml, .yml or .json files");
        }
        files.extend(found);
    }
    let mut seen = HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    let bar = (files.len() > PROGRESS_THRESHOLD && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} reading {pos}/{len} files {wide_bar} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    for f in files {
        let name = f.display().to_string();
        match std::fs::read(&f) {
            Ok(bytes) => push_bytes(&mut sources, &mut errors, name, bytes),
            Err(e) => errors.push(LoadError {
                source_name: name,
                pos: None,
                message: format!("cannot read: {e}"),
            }),
        }
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok((sources, errors))
}

fn push_bytes(
    sources: &mut Vec<Source>,
    errors: &mut Vec<LoadError>,
    name: String,
    bytes: Vec<u8>,
) {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.remove(0);
            }
            sources.push(Source::new(name, text));
        }
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
            let col = valid.iter().rev().take_while(|&&b| b != b'\n').count() as u32 + 1;
            errors.push(LoadError {
                source_name: name,
                pos: Some(phiguard_core::yaml::Pos { line, col }),
                message: "not valid UTF-8; manifests must be UTF-8 text".into(),
            });
        }
    }
}

fn apply_baseline(report: &mut ScanReport, path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading baseline {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: baseline is not JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    let Some(findings) = value.pointer("/report/findings").and_then(|f| f.as_array()) else {
        bail!(
            "{}: not a phiguard JSON report (no report.findings)",
            path.display()
        );
    };
    let known: HashSet<&str> = findings
        .iter()
        .filter_map(|f| f.get("fingerprint").and_then(|v| v.as_str()))
        .collect();
    let before = report.findings.len();
    report
        .findings
        .retain(|f| !known.contains(f.fingerprint.as_str()));
    let removed = before - report.findings.len();
    if removed > 0 {
        eprintln!(
            "{removed} finding(s) already in the baseline {} are not reported",
            path.display()
        );
    }
    Ok(())
}
