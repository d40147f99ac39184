//! End-to-end tests of the `phiguard` binary on real files: exit codes, error reporting, formats, configuration.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn phiguard(args: &[&str]) -> Output {
    phiguard_in(&root(), args, None)
}

fn phiguard_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_phiguard"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("PHIGUARD_LOG")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("phiguard runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("phiguard finishes")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn hardened_example_scans_clean() {
    let o = phiguard(&["scan", "examples/hardened/"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("No findings"), "{}", stdout(&o));
}

#[test]
fn insecure_example_fails_with_most_families() {
    let o = phiguard(&["scan", "examples/insecure/", "-o", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json output");
    let findings = v["report"]["findings"].as_array().expect("findings");
    let families: std::collections::BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| f["code"].as_str())
        .map(|c| &c[..2])
        .collect();
    for fam in ["PS", "ID", "SE", "TX", "NW", "AV", "SC"] {
        assert!(
            families.contains(fam),
            "family {fam} missing from {families:?}"
        );
    }
    assert!(findings.iter().any(|f| f["phi_scope"] == true));
    // Never print secret values.
    assert!(
        !stdout(&o).contains("Winter2026!"),
        "a credential value leaked into the report"
    );
}

#[test]
fn insecure_example_text_report() {
    let o = phiguard(&["scan", "examples/insecure/", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        !text.contains("Winter2026!"),
        "a credential value leaked into the report"
    );
    insta::assert_snapshot!("insecure_text", text);
}

#[test]
fn malformed_document_is_an_error_with_position_and_others_are_still_scanned() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("a.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  hostPID: true\n  containers: []\n---\nkind: Pod\nmetadata: [unclosed\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: later}\nspec:\n  hostIPC: true\n  containers: []\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("b.json"),
        "{\"apiVersion\": \"v1\", \"kind\": ",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("c.yml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: c\nspec:\n  hostNetwork: true\n  containers: []\n",
    )
    .expect("write");
    let o = phiguard_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--select",
            "PS008,PS009,PS010",
            "--color",
            "never",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let text = stdout(&o);
    assert!(text.contains("./a.yaml:9:"), "{text}");
    assert!(text.contains("./b.json:1:"), "{text}");
    // The good documents of the bad file and the good file are still scanned.
    assert!(text.contains("./a.yaml:5:3: PS008"), "{text}");
    assert!(text.contains("./a.yaml:15:3: PS009"), "{text}");
    assert!(text.contains("./c.yml:6:3: PS010"), "{text}");
}

#[test]
fn workload_without_pod_spec_is_reported_at_the_object() {
    // Found by the `scan` fuzz target: rules pointed at the absent pod spec (line 0).
    let input = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bare\n";
    let o = phiguard_in(&root(), &["scan", "-", "-o", "json"], Some(input));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    for f in v["report"]["findings"].as_array().expect("findings") {
        assert!(f["location"]["line"].as_u64().unwrap_or(0) >= 1, "{f}");
    }
}

#[test]
fn nothing_scanned_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = phiguard_in(dir.path(), &["scan", "."], None);
    assert_eq!(o.status.code(), Some(2));
    std::fs::write(dir.path().join("values.yaml"), "replicas: 3\n").expect("write");
    let o = phiguard_in(dir.path(), &["scan", ".", "-o", "json"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no Kubernetes objects"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unknown_rule_codes_are_errors() {
    let o = phiguard(&["scan", "examples/hardened/", "--select", "PS999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("PS999"));
    let o = phiguard(&["rule", "XX123"]);
    assert_eq!(o.status.code(), Some(2));
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("phiguard.toml"),
        "fail-on = \"high\"\nignore = [\"PS001\", \"NOPE\"]\n",
    )
    .expect("write");
    let o = phiguard_in(
        dir.path(),
        &[
            "scan",
            &root().join("examples/hardened").display().to_string(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("phiguard.toml:2:"), "{}", stderr(&o));
}

#[test]
fn config_errors_point_into_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("phiguard.toml"),
        "fail-on = \"low\"\n\n[phi]\nnamespace = [\"x\"]\n",
    )
    .expect("write");
    let o = phiguard_in(
        dir.path(),
        &[
            "scan",
            &root().join("examples/hardened").display().to_string(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("phiguard.toml:4:1"), "{}", stderr(&o));
}

#[test]
fn stdin_and_helm_sources() {
    let input = "---\n# Source: clinic/templates/api.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  hostPID: true\n  containers: []\n";
    let o = phiguard_in(
        &root(),
        &["scan", "-", "--select", "PS008", "-o", "json"],
        Some(input),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let f = &v["report"]["findings"][0];
    assert_eq!(f["location"]["file"], "<stdin>");
    assert_eq!(f["location"]["line"], 8);
    assert_eq!(f["helm_source"], "clinic/templates/api.yaml");
}

#[test]
fn waivers_suppress_and_expired_waivers_are_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("pods.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: ops}\nspec:\n  hostPID: true\n  containers: []\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: ops}\nspec:\n  hostPID: true\n  containers: []\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("phiguard.toml"),
        "select = [\"PS008\", \"PG\"]\n\n[[waiver]]\nrule = \"PS008\"\nname = \"a\"\nreason = \"node agent\"\nowner = \"ops@example.com\"\nexpires = \"2999-01-01\"\n\n[[waiver]]\nrule = \"PS008\"\nname = \"b\"\nreason = \"old\"\nowner = \"ops@example.com\"\nexpires = \"2020-01-01\"\n",
    )
    .expect("write");
    let o = phiguard_in(dir.path(), &["scan", "pods.yaml", "-o", "json"], None);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let codes: Vec<(&str, &str)> = v["report"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or(""),
                f["object"]["name"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(codes, vec![("PS008", "b"), ("PG001", "")]);
    assert_eq!(
        v["report"]["waived"][0]["waiver"]["owner"],
        "ops@example.com"
    );
}

#[test]
fn annotation_waivers_only_when_allowed() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  annotations:\n    phiguard.io/waive: PS008\n    phiguard.io/waive-reason: node agent\nspec:\n  hostPID: true\n  containers: []\n",
    )
    .expect("write");
    let o = phiguard_in(dir.path(), &["scan", "pod.yaml", "--select", "PS008"], None);
    assert_eq!(
        o.status.code(),
        Some(1),
        "self-service waivers are off by default"
    );
    std::fs::write(
        dir.path().join("phiguard.toml"),
        "allow-annotation-waivers = true\n",
    )
    .expect("write");
    let o = phiguard_in(dir.path(), &["scan", "pod.yaml", "--select", "PS008"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn baseline_hides_known_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = phiguard(&["scan", "examples/insecure/", "-o", "json"]);
    let base = dir.path().join("baseline.json");
    std::fs::write(&base, &o.stdout).expect("write");
    let o = phiguard(&[
        "scan",
        "examples/insecure/",
        "--baseline",
        &base.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn machine_formats_are_well_formed() {
    let o = phiguard(&["scan", "examples/insecure/", "-o", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("sarif is json");
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap_or(0) >= 1);
    }
    validate_sarif_if_available(&o.stdout);

    let o = phiguard(&["scan", "examples/insecure/", "-o", "junit"]);
    let xml = stdout(&o);
    assert!(xml.starts_with("<?xml"));
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count()
    );
    assert!(xml.contains("<failure"));

    let o = phiguard(&["scan", "examples/insecure/", "-o", "markdown"]);
    assert!(stdout(&o).contains("| severity | findings |"));
}

/// Validates SARIF with the SARIF Multitool when `PHIGUARD_SARIF_MULTITOOL` names it (`.ci/run` installs it).
fn validate_sarif_if_available(sarif: &[u8]) {
    let Some(tool) = std::env::var_os("PHIGUARD_SARIF_MULTITOOL") else {
        eprintln!("skipping SARIF schema validation: PHIGUARD_SARIF_MULTITOOL is not set (.ci/run sets it)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.sarif");
    let output = dir.path().join("out.sarif");
    std::fs::write(&input, sarif).expect("write");
    let o = Command::new(tool)
        .arg("validate")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("multitool runs");
    let log = std::fs::read_to_string(&output).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&log).expect("validation log is SARIF");
    let errors: Vec<&serde_json::Value> = v["runs"][0]["results"]
        .as_array()
        .map(|r| r.iter().filter(|x| x["level"] == "error").collect())
        .unwrap_or_default();
    assert!(
        o.status.success() && errors.is_empty(),
        "SARIF validation failed: {errors:#?}\n{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn rules_and_rule_docs() {
    let o = phiguard(&["rules", "-o", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(v["rules"].as_array().map(Vec::len).unwrap_or(0) >= 50);
    let o = phiguard(&["rule", "PS001"]);
    let doc = stdout(&o);
    for section in [
        "## What it does",
        "## Why it matters for PHI",
        "## Example",
        "## Remediation",
        "## References",
    ] {
        assert!(doc.contains(section), "missing {section}");
    }
}

#[test]
fn init_writes_a_valid_template() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = phiguard_in(dir.path(), &["init"], None);
    assert_eq!(o.status.code(), Some(0));
    let o = phiguard_in(dir.path(), &["init"], None);
    assert_eq!(o.status.code(), Some(2), "does not overwrite");
    let o = phiguard_in(
        dir.path(),
        &[
            "scan",
            &root().join("examples/hardened").display().to_string(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}
