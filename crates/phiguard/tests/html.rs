//! `phiguard scan -o html`, `--save-history` and `--history` through the real binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn phiguard(args: &[&str], epoch: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phiguard"))
        .args(args)
        .current_dir(root())
        .env_remove("PHIGUARD_LOG")
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .expect("phiguard runs")
}

/// The JSON data embedded in a page.
fn embedded(page: &str) -> serde_json::Value {
    let open = "<script type=\"application/json\" id=\"phiguard-data\">";
    let start = page.find(open).expect("data element") + open.len();
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).expect("embedded JSON")
}

#[test]
fn html_output_embeds_the_same_numbers_as_json() {
    let html = phiguard(&["scan", "examples/insecure/", "-o", "html"], "1767323045");
    assert_eq!(html.status.code(), Some(1));
    let page = String::from_utf8(html.stdout).unwrap();
    let data = embedded(&page);
    let json = phiguard(&["scan", "examples/insecure/", "-o", "json"], "1767323045");
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let stats = &report["report"]["stats"];
    for key in [
        "inputs",
        "objects",
        "namespaces",
        "phi_workloads",
        "workloads",
    ] {
        assert_eq!(data["summary"][key], stats[key], "{key}");
    }
    assert_eq!(
        data["findings"].as_array().unwrap().len(),
        report["report"]["findings"].as_array().unwrap().len()
    );
    assert_eq!(data["provenance"]["generated_at"], "2026-01-02T03:04:05Z");
    assert!(data["trend"].is_null());
}

#[test]
fn history_builds_a_trend_and_bad_history_files_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("history");
    let hist_s = hist.to_str().unwrap();
    // Two earlier scans saved with their times.
    let o = phiguard(
        &[
            "scan",
            "examples/insecure/",
            "-o",
            "json",
            "--save-history",
            hist_s,
        ],
        "1767225600",
    );
    assert_eq!(o.status.code(), Some(1));
    let o = phiguard(
        &["scan", "examples/hardened/", "--save-history", hist_s],
        "1767312000",
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let saved: Vec<_> = std::fs::read_dir(&hist)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(saved.len(), 2, "{saved:?}");
    assert!(hist.join("phiguard-20260101T000000Z.json").is_file());

    let o = phiguard(
        &[
            "scan",
            "examples/insecure/",
            "-o",
            "html",
            "--history",
            hist_s,
        ],
        "1767398400",
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let data = embedded(&String::from_utf8(o.stdout).unwrap());
    let points = data["trend"]["points"].as_array().unwrap();
    let times: Vec<&str> = points.iter().map(|p| p["time"].as_str().unwrap()).collect();
    assert_eq!(
        times,
        [
            "2026-01-01T00:00:00Z",
            "2026-01-02T00:00:00Z",
            "2026-01-03T00:00:00Z"
        ]
    );
    let high: Vec<u64> = points
        .iter()
        .map(|p| p["by_severity"]["high"].as_u64().unwrap())
        .collect();
    assert!(
        high[0] > 0 && high[1] == 0 && high[2] == high[0],
        "{high:?}"
    );
    assert!(data["trend"]["severity_svg"]
        .as_str()
        .unwrap()
        .contains("<polyline"));

    // A file in the history that is not a report is named, the page is still written, and the run exits 2.
    std::fs::write(hist.join("notes.json"), "{ not json").unwrap();
    let o = phiguard(
        &[
            "scan",
            "examples/insecure/",
            "-o",
            "html",
            "--history",
            hist_s,
        ],
        "1767398400",
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("notes.json:1:"), "{err}");
    let data = embedded(&String::from_utf8(o.stdout).unwrap());
    assert_eq!(data["trend"]["points"].as_array().unwrap().len(), 3);

    // A missing history directory is a usage error.
    let o = phiguard(
        &[
            "scan",
            "examples/insecure/",
            "-o",
            "html",
            "--history",
            "no/such/dir",
        ],
        "1767398400",
    );
    assert_eq!(o.status.code(), Some(2));
}
