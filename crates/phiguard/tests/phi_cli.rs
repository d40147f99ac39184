#![allow(clippy::unwrap_used, clippy::expect_used, clippy::vec_init_then_push)]
//! `phiguard phi`: the real binary on real files and stdin.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const SSN: &str = "536-22-1234";
const NAME: &str = "Maria Garcia";
const EMAIL: &str = "maria.garcia@example.org";
const DOB: &str = "1961-03-04";

fn phiguard(args: &[&str], stdin: Option<&str>, dir: &std::path::Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_phiguard"))
        .args(args)
        .current_dir(dir)
        .env_remove("PHIGUARD_PHI_KEY")
        .env_remove("PHIGUARD_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            // The process may exit before reading (argument errors).
            let _ = input.write_all(s.as_bytes());
        }
    }
    child.wait_with_output().unwrap()
}

fn record() -> String {
    format!("ts=2026-11-24T07:00:00Z level=info patient_name=\"{NAME}\" ssn={SSN} email={EMAIL} dob={DOB}\n")
}

#[test]
fn scan_masks_values_by_default() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.log"), record()).unwrap();
    let out = phiguard(&["phi", "scan", "app.log"], None, dir.path());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    for v in [SSN, NAME, EMAIL, DOB, "Garcia", "536-22"] {
        assert!(!stdout.contains(v), "{v} leaked: {stdout}");
    }
    assert!(stdout.contains("app.log:1:"), "{stdout}");
    assert!(
        stdout.contains("SSN") && stdout.contains("***-**-**34"),
        "{stdout}"
    );
    let shown = phiguard(
        &["phi", "scan", "--show-values", "app.log"],
        None,
        dir.path(),
    );
    let stdout = String::from_utf8(shown.stdout).unwrap();
    for v in [SSN, NAME, EMAIL, DOB] {
        assert!(stdout.contains(v), "{v} missing: {stdout}");
    }
}

#[test]
fn scan_json_sarif_and_selection() {
    let dir = tempfile::tempdir().unwrap();
    let out = phiguard(
        &["phi", "scan", "-o", "json", "--entities", "SSN,EMAIL", "-"],
        Some(&record()),
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let types: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["entity"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["SSN", "EMAIL"]);
    assert_eq!(v["findings"][0]["line"], 1);
    let out = phiguard(
        &["phi", "scan", "-o", "sarif", "-"],
        Some(&record()),
        dir.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["runs"][0]["results"].as_array().unwrap().len() >= 4);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SSN));
    // High threshold: only the checksummed and keyed values remain.
    let out = phiguard(
        &["phi", "scan", "--min-confidence", "0.99", "-"],
        Some("617-253-1000\n"),
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn clean_and_empty_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = phiguard(
        &["phi", "scan", "-"],
        Some("GET /healthz 200 3ms\n"),
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = phiguard(&["phi", "scan", "-"], Some(""), dir.path());
    assert_eq!(out.status.code(), Some(2), "an empty input is not a pass");
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));
}

#[test]
fn redact_modes() {
    let dir = tempfile::tempdir().unwrap();
    let out = phiguard(&["phi", "redact", "-"], Some(&record()), dir.path());
    assert_eq!(out.status.code(), Some(0));
    let red = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        red,
        "ts=2026-11-24T07:00:00Z level=info patient_name=\"[NAME]\" ssn=[SSN] email=[EMAIL] dob=[DATE]\n"
    );
    let out = phiguard(
        &["phi", "redact", "--mode", "partial", "-"],
        Some(&record()),
        dir.path(),
    );
    let red = String::from_utf8(out.stdout).unwrap();
    assert!(
        red.contains("ssn=***-**-1234") && red.contains("\"M**** G*****\""),
        "{red}"
    );
    std::fs::write(dir.path().join("key"), "0123456789abcdef-site-key\n").unwrap();
    let two = format!("{}{}", record(), record());
    let out = phiguard(
        &["phi", "redact", "--mode", "hmac", "--key-file", "key", "-"],
        Some(&two),
        dir.path(),
    );
    let red = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = red.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], lines[1], "same patient, same pseudonyms");
    assert!(lines[0].contains("[SSN:") && !red.contains(SSN), "{red}");
}

#[test]
fn config_section() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("phiguard.toml"),
        "[phi-detect]\nallow = [\"Maria Garcia\"]\n[[phi-detect.pattern]]\nname = \"chart\"\nregex = 'CHART-\\d{6}'\nentity = \"MRN\"\n",
    )
    .unwrap();
    let out = phiguard(
        &["phi", "scan", "-o", "json", "-"],
        Some(&format!("{} CHART-123456\n", record())),
        dir.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let types: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["entity"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"MRN"), "{types:?}");
    assert!(!types.contains(&"NAME"), "allow list: {types:?}");
}

/// PHI goes through every error path; none of it may appear on stderr (logs and errors).
#[test]
fn no_phi_in_errors_or_logs() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = [SSN, NAME, EMAIL, DOB, "Garcia", "536221234"];
    let body = format!(
        "{}MSH|^~\\&|A|B|C|D|2024||ADT^A01|1|P|2.5\rPID|1||88123456^^^H^MR||GARCIA^MARIA||19610304|F|||1 Elm St^^Boston^MA^02115||||||A1|536221234\r\n{{\"resourceType\":\"Patient\",\"name\":[{{\"family\":\"Garcia\",\"given\":[\"Maria\"]}}],\"birthDate\":\"{DOB}\"\n\u{0}\u{ff}\u{fe} broken",
        record()
    );
    std::fs::write(dir.path().join("mixed.log"), &body).unwrap();
    std::fs::write(
        dir.path().join("patients.csv"),
        format!("name,ssn,dob\n\"{NAME}\",{SSN},{DOB}\n\"unterminated,{SSN}\n"),
    )
    .unwrap();
    let mut runs: Vec<Output> = Vec::new();
    // Debug logging, a missing file next to real ones, a CSV with a broken row.
    runs.push(phiguard(
        &[
            "-vv",
            "phi",
            "scan",
            "mixed.log",
            "missing.log",
            "patients.csv",
        ],
        None,
        dir.path(),
    ));
    runs.push(phiguard(
        &["-vv", "phi", "scan", "-o", "json", "-"],
        Some(&body),
        dir.path(),
    ));
    runs.push(phiguard(
        &["-vv", "phi", "redact", "mixed.log", "missing.log"],
        None,
        dir.path(),
    ));
    // Redaction with a missing key, an unknown entity, a bad threshold.
    runs.push(phiguard(
        &["phi", "redact", "--mode", "hmac", "-"],
        Some(&body),
        dir.path(),
    ));
    runs.push(phiguard(
        &["phi", "scan", "--entities", SSN, "-"],
        Some(&body),
        dir.path(),
    ));
    runs.push(phiguard(
        &["phi", "scan", "--min-confidence", "7", "-"],
        Some(&body),
        dir.path(),
    ));
    // A configuration whose deny list holds PHI and whose pattern is broken.
    std::fs::write(
        dir.path().join("bad.toml"),
        format!("[phi-detect]\n[[phi-detect.deny]]\nvalue = \"{NAME}\"\nentity = \"NAME\"\n[[phi-detect.pattern]]\nname = \"p\"\nregex = \"(\"\nentity = \"SSN\"\n"),
    )
    .unwrap();
    runs.push(phiguard(
        &["phi", "scan", "--config", "bad.toml", "-"],
        Some(&body),
        dir.path(),
    ));
    // Eval on a corpus file that is PHI, not JSON.
    runs.push(phiguard(
        &["phi", "eval", "--corpus", "presidio", "mixed.log"],
        None,
        dir.path(),
    ));
    for (k, out) in runs.iter().enumerate() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        for s in secrets {
            assert!(!stderr.contains(s), "run {k}: {s} on stderr:\n{stderr}");
        }
    }
    // The error runs fail with 2 and say what is wrong.
    assert_eq!(runs[0].status.code(), Some(2));
    assert!(String::from_utf8_lossy(&runs[0].stderr).contains("missing.log"));
    for (k, run) in runs.iter().enumerate().take(8).skip(3) {
        assert_eq!(run.status.code(), Some(2), "run {k}: {run:?}");
    }
    // The redacted output holds none of the values either.
    let red = String::from_utf8_lossy(&runs[2].stdout);
    for s in [SSN, EMAIL, DOB, "536221234", "GARCIA^MARIA"] {
        assert!(!red.contains(s), "{s} not redacted:\n{red}");
    }
}

#[test]
fn gen_and_eval_on_the_shared_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let out = phiguard(
        &[
            "phi",
            "gen",
            "--bytes",
            "20000",
            "--phi-per-mille",
            "500",
            "--gold",
            "gold.jsonl",
        ],
        None,
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.len() >= 20000);
    let gold = std::fs::read_to_string(dir.path().join("gold.jsonl")).unwrap();
    assert!(gold.lines().count() > 0);
    let corpus = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/phi/presidio-research-synth/synth_dataset_v2.json"
    ));
    if !corpus.exists() {
        eprintln!("SKIP: {} is absent", corpus.display());
        return;
    }
    let out = phiguard(
        &[
            "phi",
            "eval",
            "--corpus",
            "presidio",
            corpus.to_str().unwrap(),
            "-o",
            "json",
        ],
        None,
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["documents"], 1500);
    assert!(v["overlap"]["overall"]["tp"].as_u64().unwrap() > 1000);
}
