//! The scan history behind the HTML report's trend: `--save-history` writes JSON reports with their time,
//! `--history` reads them back.

use std::path::Path;

use anyhow::Context;
use phiguard_core::ScanReport;

/// The time of the scan: now, or `SOURCE_DATE_EPOCH` (seconds) for reproducible output.
pub fn scan_time() -> String {
    let at = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|secs| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .unwrap_or_else(std::time::SystemTime::now);
    phiguard_report::utc_timestamp(at)
}

/// Reads the `.json` files of a history directory. A file that is not a phiguard JSON report is reported on
/// stderr and skipped; the second value says whether that happened.
pub fn read(dir: &Path) -> anyhow::Result<(Vec<phiguard_report::html::TrendPoint>, bool)> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("reading history {}", dir.display()))?;
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        eprintln!(
            "note: {} holds no JSON reports; the trend shows this scan only",
            dir.display()
        );
    }
    let mut points = Vec::new();
    let mut failed = false;
    for f in files {
        let name = f.display().to_string();
        let text = match std::fs::read_to_string(&f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {name}: cannot read history report: {e}");
                failed = true;
                continue;
            }
        };
        let modified = std::fs::metadata(&f)
            .and_then(|m| m.modified())
            .unwrap_or(std::time::UNIX_EPOCH);
        match phiguard_report::html::point_from_json(
            &name,
            &text,
            &phiguard_report::utc_timestamp(modified),
        ) {
            Ok(p) => points.push(p),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    Ok((points, failed))
}

/// Writes the JSON report with its time into a history directory, as `phiguard-<time>.json`.
pub fn save(dir: &Path, report: &ScanReport, generated_at: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let stem = format!("phiguard-{}", generated_at.replace([':', '-'], ""));
    let mut path = dir.join(format!("{stem}.json"));
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.json"));
        n += 1;
    }
    std::fs::write(&path, phiguard_report::json_with_time(report, generated_at))
        .with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "history report written");
    Ok(())
}
