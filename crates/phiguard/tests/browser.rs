//! The HTML report of `examples/insecure/` in real headless Chromium, driven by playwright-core: the summary numbers
//! match the JSON report, a filter and a search show the right rows, no network request is made, and the page
//! prints to PDF. Skips with a message when Chromium, node or playwright-core are missing, unless
//! `PHIGUARD_REQUIRE_BROWSER=1` (set by `.ci/run` once it has installed them).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Browser {
    chromium: PathBuf,
    playwright: PathBuf,
}

/// Finds the browser tooling, or says what is missing.
fn browser() -> Result<Browser, String> {
    let chromium = PathBuf::from(
        std::env::var("PHIGUARD_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
    );
    let playwright = std::env::var("PHIGUARD_PLAYWRIGHT_CORE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            let home = std::env::var("HOME").unwrap_or_default();
            Path::new(&home).join(".cache/phiguard/browser/node_modules/playwright-core")
        });
    if !chromium.is_file() {
        return Err(format!("no Chromium at {}", chromium.display()));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Err("node is not installed".into());
    }
    if !playwright.join("package.json").is_file() {
        return Err(format!("no playwright-core at {}", playwright.display()));
    }
    Ok(Browser {
        chromium,
        playwright,
    })
}

fn skip_or_fail(why: &str) {
    if std::env::var("PHIGUARD_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("browser test required but cannot run: {why}");
    }
    eprintln!("SKIPPED: browser test of the HTML report: {why} (run .ci/run to install Chromium and playwright-core)");
}

#[test]
fn insecure_report_in_headless_chromium() {
    let b = match browser() {
        Ok(b) => b,
        Err(why) => return skip_or_fail(&why),
    };
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-insecure");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let scan = |fmt: &str| {
        Command::new(env!("CARGO_BIN_EXE_phiguard"))
            .args(["scan", "examples/insecure/", "-o", fmt])
            .current_dir(root())
            .output()
            .unwrap()
    };
    let html = scan("html");
    assert_eq!(html.status.code(), Some(1));
    let page = out.join("report.html");
    std::fs::write(&page, &html.stdout).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&scan("json").stdout).unwrap();
    let report = &json["report"];
    let findings = report["findings"].as_array().unwrap();
    let search = findings[0]["code"].as_str().unwrap().to_string();

    let driver = root().join("crates/phiguard/tests/browser/drive.cjs");
    let run = Command::new("node")
        .arg(&driver)
        .arg(&page)
        .arg(&out)
        .args([
            "--severity",
            "high",
            "--search",
            &search,
            "--hipaa",
            "164.312(e)(1)",
        ])
        .env("PHIGUARD_CHROMIUM", &b.chromium)
        .env("PHIGUARD_PLAYWRIGHT_CORE", &b.playwright)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "driver failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    eprintln!(
        "browser observations: loads {} filter {} search {}",
        seen["loads"], seen["filter_ms"], seen["search_ms"]
    );

    assert_eq!(
        seen["network_requests"],
        serde_json::json!([]),
        "the report fetched something"
    );
    assert_eq!(seen["page_errors"], serde_json::json!([]));
    assert_eq!(seen["console_errors"], serde_json::json!([]));

    // The summary shows the JSON report's numbers.
    let stats = &report["stats"];
    let shown = &seen["summary"]["stats"];
    for key in [
        "inputs",
        "objects",
        "workloads",
        "namespaces",
        "phi_namespaces",
        "phi_workloads",
        "rules_run",
    ] {
        assert_eq!(shown[key], stats[key], "summary {key}");
    }
    assert_eq!(shown["findings"].as_u64().unwrap() as usize, findings.len());
    assert_eq!(
        shown["waived"].as_u64().unwrap() as usize,
        report["waived"].as_array().unwrap().len()
    );
    let count = |sev: &str| findings.iter().filter(|f| f["severity"] == sev).count();
    for sev in ["critical", "high", "medium", "low"] {
        assert_eq!(
            seen["summary"]["severity"][sev].as_u64().unwrap() as usize,
            count(sev),
            "severity {sev}"
        );
    }
    // Every standard of 164.308/310/312 has a status; transmission security has findings here.
    let standards = seen["summary"]["standards"].as_object().unwrap();
    assert_eq!(standards.len(), 18);
    assert_eq!(standards["164.312(e)(1)"], "findings");
    assert_eq!(standards["164.310(b)"], "not-checkable");
    let sections: Vec<&str> = seen["summary"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    for s in ["summary", "matrix", "scope", "findings", "provenance"] {
        assert!(sections.contains(&s), "{sections:?}");
    }
    assert!(!sections.contains(&"trend"), "{sections:?}");

    // Segmentation: with the default settings (no zones) the PHI invariants are violated, each counterexample
    // naming the policy line that allows it, and the zone invariant does not apply.
    assert!(sections.contains(&"segmentation"), "{sections:?}");
    let seg = &seen["summary"]["analyses"]["segmentation"];
    let statuses = analysis_statuses(seg, 1, 2);
    for code in ["NW009", "NW010", "NW011"] {
        assert_eq!(statuses[code], ["violated"], "{code}: {statuses:?}");
    }
    assert_eq!(statuses["NW012"], ["not applicable"]);
    let rows = seg["rows"].as_array().unwrap();
    let nw010 = rows
        .iter()
        .find(|r| r["cells"][1] == "NW010")
        .expect("an NW010 row");
    let cell = |r: &serde_json::Value, i: usize| r["cells"][i].as_str().unwrap().to_string();
    assert!(
        cell(nw010, 3).starts_with("clinical/postgres[StatefulSet]"),
        "{nw010}"
    );
    assert!(
        cell(nw010, 5).contains("NetworkPolicy clinical/allow-all egress[0] (examples/insecure/networkpolicies.yaml:13)"),
        "{nw010}"
    );
    assert_eq!(
        seg["summary"]["Invariants"],
        "0 proved, 3 violated, 1 not applicable"
    );
    assert_eq!(seg["summary"]["PHI data stores"], "1");

    // RBAC: the risky subjects, those reaching the PHI namespace first, each power cited to its binding.
    assert!(sections.contains(&"rbac"), "{sections:?}");
    let rbac = &seen["summary"]["analyses"]["rbac"];
    assert_eq!(rbac["summary"]["Subjects with risky powers"], "3");
    let rows = rbac["rows"].as_array().unwrap();
    let subjects: std::collections::BTreeSet<String> = rows.iter().map(|r| cell(r, 0)).collect();
    for s in [
        "User \"contractor@example.com\"",
        "ServiceAccount \"clinical/clinic-api\"",
        "Group \"system:authenticated\"",
    ] {
        assert!(subjects.contains(s), "{subjects:?}");
    }
    assert!(rows.iter().all(|r| cell(r, 1) == "clinical"));
    let secrets = rows
        .iter()
        .find(|r| {
            cell(r, 0) == "ServiceAccount \"clinical/clinic-api\"" && cell(r, 2) == "read Secrets"
        })
        .expect("clinic-api reads Secrets");
    assert!(
        cell(secrets, 5)
            .contains("ClusterRoleBinding \"clinic-api\" (examples/insecure/rbac.yaml:26)")
            && cell(secrets, 5)
                .contains("ClusterRole \"clinic-api\" rule 0 (examples/insecure/rbac.yaml:12)"),
        "{secrets}"
    );

    // Before filtering: all open findings match, the first ones are rendered.
    assert_eq!(
        seen["initial"]["count"].as_u64().unwrap() as usize,
        findings.len()
    );
    // Filtered on high: exactly the high findings, and every rendered row is high.
    let filtered = &seen["filtered"];
    assert_eq!(filtered["count"].as_u64().unwrap() as usize, count("high"));
    assert_eq!(filtered["rendered"], filtered["count"]);
    assert!(filtered["severities"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s == "high"));
    // The matrix's count for transmission security shows the findings citing that standard or its specifications.
    let by_hipaa = &seen["by_hipaa"];
    assert_eq!(by_hipaa["filter"], "164.312(e)(1)");
    let tx = findings
        .iter()
        .filter(|f| {
            f["hipaa"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c.as_str().unwrap().starts_with("164.312(e)"))
        })
        .count();
    assert!(tx > 0);
    assert_eq!(by_hipaa["count"].as_u64().unwrap() as usize, tx);
    // Searched for a rule code: exactly that rule's findings.
    let searched = &seen["searched"];
    let with_code = findings
        .iter()
        .filter(|f| f["code"] == search.as_str())
        .count();
    assert_eq!(searched["count"].as_u64().unwrap() as usize, with_code);
    assert!(searched["codes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c == search.as_str()));

    // Credentials in the example never show in the rendered text, nor in the analyses.
    let text = serde_json::to_string(&seen["initial"]["text"]).unwrap();
    assert!(!text.contains("Winter2026!"));
    let analyses = serde_json::to_string(&seen["summary"]["analyses"]).unwrap();
    assert!(!analyses.contains("Winter2026!"));

    // Printing renders every row the filters select, not only the first screenful.
    assert!(
        findings.len() > 100,
        "the example should exceed the first rendered chunk"
    );
    assert_eq!(
        seen["printed"]["rendered"].as_u64().unwrap() as usize,
        findings.len()
    );

    let png = std::fs::read(out.join("report.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
    let pdf = std::fs::read(out.join("report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let pages = pdf
        .windows(b"/Type /Page\n".len())
        .filter(|w| w.starts_with(b"/Type /Page") && !w.starts_with(b"/Type /Pages"))
        .count();
    assert!(pages >= 5, "{pages} PDF pages");
    eprintln!(
        "screenshot {} ; PDF {} ({pages} pages)",
        out.join("report.png").display(),
        out.join("report.pdf").display()
    );
}

/// Statuses shown per rule code in an analysis table (`code` and `status` are column indices).
fn analysis_statuses(
    section: &serde_json::Value,
    code: usize,
    status: usize,
) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in section["rows"].as_array().unwrap() {
        let c = r["cells"][code].as_str().unwrap().to_string();
        let s = r["cells"][status].as_str().unwrap().to_string();
        assert_eq!(
            r["status"].as_str(),
            Some(s.as_str()),
            "row marked by its status"
        );
        let list = out.entry(c).or_default();
        if !list.contains(&s) {
            list.push(s);
        }
    }
    out
}

/// The hardened example with its zones: every invariant is proved, and no subject holds a risky power.
#[test]
fn hardened_report_proves_the_invariants_in_headless_chromium() {
    let b = match browser() {
        Ok(b) => b,
        Err(why) => return skip_or_fail(&why),
    };
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-hardened");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let html = Command::new(env!("CARGO_BIN_EXE_phiguard"))
        .args([
            "scan",
            "examples/hardened/",
            "--config",
            "examples/hardened/phiguard.toml",
            "-o",
            "html",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(
        html.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&html.stderr)
    );
    let page = out.join("report.html");
    std::fs::write(&page, &html.stdout).unwrap();
    let run = Command::new("node")
        .arg(root().join("crates/phiguard/tests/browser/drive.cjs"))
        .arg(&page)
        .arg(&out)
        .args(["--severity", "critical", "--no-pdf"])
        .env("PHIGUARD_CHROMIUM", &b.chromium)
        .env("PHIGUARD_PLAYWRIGHT_CORE", &b.playwright)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "driver failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(seen["page_errors"], serde_json::json!([]));
    assert_eq!(seen["network_requests"], serde_json::json!([]));
    let seg = &seen["summary"]["analyses"]["segmentation"];
    let statuses = analysis_statuses(seg, 1, 2);
    assert_eq!(statuses.len(), 4, "{statuses:?}");
    for code in ["NW009", "NW010", "NW011", "NW012"] {
        assert_eq!(statuses[code], ["proved"], "{code}: {statuses:?}");
    }
    assert_eq!(
        seg["summary"]["Invariants"],
        "4 proved, 0 violated, 0 not applicable"
    );
    let rbac = &seen["summary"]["analyses"]["rbac"];
    assert_eq!(rbac["summary"]["Subjects with risky powers"], "0");
    assert_eq!(rbac["rows"], serde_json::json!([]));
}

/// The sections that appear only when their data exists: segmentation, RBAC and the trend.
#[test]
fn optional_sections_and_trend_in_headless_chromium() {
    use phiguard_core::settings::{Date, Settings};
    use phiguard_report::html::{build_trend, point_from_json, point_from_report, AnalysisSection};

    let b = match browser() {
        Ok(b) => b,
        Err(why) => return skip_or_fail(&why),
    };
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-optional");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let dir = root().join("examples/insecure");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let sources = files
        .iter()
        .map(|p| {
            phiguard_core::Source::new(p.display().to_string(), std::fs::read_to_string(p).unwrap())
        })
        .collect();
    let report = phiguard_core::scan(
        sources,
        &Settings::default(),
        Date::parse("2026-01-02").unwrap(),
        Vec::new(),
    );
    let earlier = point_from_json(
        "earlier.json",
        &phiguard_report::json_with_time(&report, "2026-01-01T00:00:00Z"),
        "",
    )
    .unwrap();
    let trend = build_trend(vec![
        earlier,
        point_from_report(&report, "2026-01-02T00:00:00Z"),
    ]);
    let standards_with_findings = trend.points[0].by_standard.len();
    let section = |title: &str, rows: usize| AnalysisSection {
        title: title.to_string(),
        summary: vec![("namespaces".into(), "2".into())],
        notes: vec!["what the analysis covers".into()],
        columns: vec!["from".into(), "to".into(), "verdict".into()],
        status_column: Some(2),
        rows: (0..rows)
            .map(|i| vec![format!("a{i}"), format!("b{i}"), "open".into()])
            .collect(),
    };
    let mut model = phiguard_report::html_model(
        &report,
        phiguard_report::ModelInput {
            generated_at: "2026-01-02T00:00:00Z".into(),
            trend: Some(trend),
            segmentation: Some(section("Network segmentation", 3)),
            rbac: Some(section("RBAC: who can read PHI", 2)),
        },
    );
    // A citation outside the safeguards, as a rule about PHI handling would make.
    let other_citations = model.other_citations.len() + 1;
    model
        .other_citations
        .push(phiguard_report::html::OtherCitation {
            citation: "164.502(b)",
            title: "Minimum necessary",
            rules: vec!["PS001"],
            rules_not_run: Vec::new(),
            findings: 1,
            waived: 0,
        });
    let page = phiguard_report::html::render(&model);
    let path = out.join("report.html");
    std::fs::write(&path, page).unwrap();
    let run = Command::new("node")
        .arg(root().join("crates/phiguard/tests/browser/drive.cjs"))
        .arg(&path)
        .arg(&out)
        .args(["--severity", "critical", "--no-pdf"])
        .env("PHIGUARD_CHROMIUM", &b.chromium)
        .env("PHIGUARD_PLAYWRIGHT_CORE", &b.playwright)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "driver failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(seen["page_errors"], serde_json::json!([]));
    assert_eq!(seen["network_requests"], serde_json::json!([]));
    let content = &seen["summary"]["content"];
    assert_eq!(content["segmentation"]["rows"], 3);
    assert_eq!(content["rbac"]["rows"], 2);
    // One line per severity, one per standard with findings; a table row per scan.
    assert_eq!(
        content["trend"]["lines"].as_u64().unwrap() as usize,
        4 + standards_with_findings
    );
    assert_eq!(content["trend"]["rows"], 2);
    assert_eq!(
        seen["summary"]["other_citations"].as_u64().unwrap() as usize,
        other_citations
    );
}
