//! End-to-end tests of `phiguard audit` and `phiguard evidence` (and `scan --evidence`) on real files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phiguard"))
        .args(args)
        .current_dir(dir)
        .env_remove("PHIGUARD_LOG")
        .env_remove("PHIGUARD_EVIDENCE_KEY")
        .stdin(Stdio::null())
        .output()
        .expect("phiguard runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

const CONFIG: &str = r#"
[phi]
namespaces = ["ehr", "pacs-*"]

[audit]
secret-readers = ["system:serviceaccount:kube-system:*", "system:serviceaccount:ehr:ehr-api"]
business-hours = "07:00-19:00"
"#;

fn workspace() -> (tempfile::TempDir, usize) {
    let d = tempfile::tempdir().unwrap();
    let stream = phiguard_audit::generate::generate(7, 144);
    std::fs::write(d.path().join("audit.log"), stream.text()).unwrap();
    std::fs::write(d.path().join("phiguard.toml"), CONFIG).unwrap();
    (d, stream.expected.len())
}

#[test]
fn audit_reports_alerts_as_text_and_json_lines() {
    let (d, expected) = workspace();
    let out = run(d.path(), &["audit", "audit.log"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), expected, "{stdout}");
    assert!(stdout.contains("AL007 cluster-admin-grant"), "{stdout}");
    assert!(text(&out.stderr).contains(&format!("{expected} alert(s) from")));

    let out = run(d.path(), &["audit", "-o", "json", "audit.log"]);
    assert_eq!(out.status.code(), Some(1));
    let alerts: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(alerts.len(), expected);
    assert!(alerts
        .iter()
        .all(|a| a["at"]["file"] == "audit.log" && a["at"]["line"].as_u64().unwrap() > 0));

    let out = run(d.path(), &["audit", "--report", "access", "audit.log"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("bob@clinic.example:"), "{stdout}");
    assert!(stdout.contains("pods/exec"));
}

#[test]
fn audit_input_errors_exit_2_and_name_the_line() {
    let (d, _) = workspace();
    std::fs::write(d.path().join("bad.log"), "{\"verb\":\"get\"}\nnot json\n").unwrap();
    let out = run(d.path(), &["audit", "bad.log", "audit.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("error: bad.log:2: not a JSON object, skipped"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(d.path().join("empty.log"), "").unwrap();
    let out = run(d.path(), &["audit", "empty.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no audit events"));
    let out = run(d.path(), &["audit", "--explain", "AL004"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("Why it matters for PHI"));
    std::fs::write(
        d.path().join("typo.toml"),
        "[audit]\nbussiness-hours = \"x\"\n",
    )
    .unwrap();
    let out = run(d.path(), &["audit", "--config", "typo.toml", "audit.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("typo.toml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn scan_and_audit_append_evidence_that_verifies_and_tampering_is_found() {
    let (d, _) = workspace();
    let out = run(d.path(), &["evidence", "keygen", "--out", "ev"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let examples = root().join("examples/insecure");
    let out = run(
        d.path(),
        &[
            "scan",
            examples.to_str().unwrap(),
            "--config",
            "phiguard.toml",
            "--evidence",
            "trail",
            "--evidence-key",
            "ev.key",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("evidence: scan recorded as seq 0"),
        "{}",
        text(&out.stderr)
    );
    let out = run(
        d.path(),
        &[
            "audit",
            "audit.log",
            "--evidence",
            "trail",
            "--evidence-key",
            "ev.key",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("evidence: alerts recorded as seq 1"));

    let out = run(
        d.path(),
        &["evidence", "verify", "trail", "--key", "ev.pub"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("verified: no tampering found"));
    let out = run(
        d.path(),
        &["evidence", "show", "trail", "1", "--key", "ev.pub"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("proof verified"));
    let out = run(d.path(), &["evidence", "list", "trail"]);
    assert!(text(&out.stdout).contains("genesis"));

    // Change one alert's code inside the stored record.
    let seg = d.path().join("trail/segments/seg-00000001.jsonl");
    let body = std::fs::read_to_string(&seg).unwrap();
    let (n, _) = body
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("AL007"))
        .unwrap();
    std::fs::write(&seg, body.replacen("AL007", "AL006", 1)).unwrap();
    let out = run(
        d.path(),
        &["evidence", "verify", "trail", "--key", "ev.pub"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("error: segments/seg-00000001.jsonl:{}: record seq 1: content does not match its hash (modified)", n + 1)),
        "{stdout}"
    );
    assert!(stdout.contains("NOT VERIFIED"));
}
