//! The HTML report's data model, its masking, its self-containment and the trend, on the bundled examples.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use phiguard_core::settings::{Date, Settings};
use phiguard_core::{ScanReport, Source};
use phiguard_report::html::{self, ModelInput, Status};

const TIME: &str = "2026-01-02T03:04:05Z";

/// Scans an example directory with default settings; inputs are named by their path from the repository root so
/// the model does not depend on where the repository is checked out.
fn scan_example(name: &str) -> ScanReport {
    scan_example_with_analyses(name).0
}

type Sections = (Option<html::AnalysisSection>, Option<html::AnalysisSection>);

/// Scans an example like [`scan_example`] and builds the segmentation and RBAC sections from the scan's context.
fn scan_example_with_analyses(name: &str) -> (ScanReport, Sections) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("examples").join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let sources = files
        .iter()
        .map(|p| {
            let rel = format!(
                "examples/{name}/{}",
                p.file_name().unwrap().to_string_lossy()
            );
            Source::new(rel, std::fs::read_to_string(p).unwrap())
        })
        .collect();
    phiguard_core::engine::scan_with(
        sources,
        &Settings::default(),
        Date::parse("2026-01-02").unwrap(),
        Vec::new(),
        html::analyses::sections,
    )
}

fn input() -> ModelInput {
    ModelInput {
        generated_at: TIME.to_string(),
        ..Default::default()
    }
}

#[test]
fn model_of_the_insecure_example() {
    let (report, (segmentation, rbac)) = scan_example_with_analyses("insecure");
    let model = html::html_model(
        &report,
        ModelInput {
            segmentation,
            rbac,
            ..input()
        },
    );
    insta::assert_json_snapshot!("insecure_model", model);
}

#[test]
fn model_counts_agree_with_the_scan() {
    let report = scan_example("insecure");
    let model = html::html_model(&report, input());
    assert_eq!(model.summary.findings, report.findings.len());
    assert_eq!(
        model.findings.len(),
        report.findings.len() + report.waived.len()
    );
    let sev_total: usize = model.summary.by_severity.iter().map(|c| c.count).sum();
    assert_eq!(sev_total, report.findings.len());
    // Every finding's citations reach the matrix: the sum over specifications and standards of open findings is
    // the number of (finding, citation) pairs.
    let pairs: usize = report.findings.iter().map(|f| f.hipaa.len()).sum();
    let in_matrix: usize = model
        .matrix
        .iter()
        .map(|s| s.findings + s.specs.iter().map(|p| p.findings).sum::<usize>())
        .sum();
    let elsewhere: usize = model.other_citations.iter().map(|o| o.findings).sum();
    assert_eq!(pairs, in_matrix + elsewhere);
    // Physical safeguards a manifest cannot show are stated as such, not as passing.
    let workstation = model
        .matrix
        .iter()
        .find(|s| s.citation == "164.310(b)")
        .unwrap();
    assert_eq!(workstation.status, Status::NotCheckable);
    assert!(workstation.rules.is_empty());
    assert!(!workstation.limits.is_empty());
    // Transmission security has findings in the insecure example.
    let tx = model
        .matrix
        .iter()
        .find(|s| s.citation == "164.312(e)(1)")
        .unwrap();
    assert_eq!(tx.status, Status::Findings);
    assert!(model.segmentation.is_none() && model.rbac.is_none() && model.trend.is_none());
}

#[test]
fn the_hardened_example_reports_no_findings_but_not_full_coverage() {
    let report = scan_example("hardened");
    let model = html::html_model(&report, input());
    assert_eq!(model.summary.findings, 0);
    for row in &model.matrix {
        assert!(
            row.status != Status::Findings,
            "{} {:?}",
            row.citation,
            row.status
        );
    }
    let admin = &model.safeguards[0];
    assert!(
        admin
            .specs_by_status
            .get(&Status::NotCheckable)
            .copied()
            .unwrap_or(0)
            > 0
    );
}

#[test]
fn credentials_in_the_insecure_example_never_reach_the_page() {
    let report = scan_example("insecure");
    let page = html::html(&report, input());
    for value in [
        "Winter2026!",
        "change-me-please",
        "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.Zm9v",
    ] {
        assert!(
            !page.contains(value),
            "the page shows the credential {value}"
        );
    }
    // The lines that held them are still located, with the value masked.
    let model = html::html_model(&report, input());
    let masked: Vec<_> = model
        .findings
        .iter()
        .filter_map(|f| f.snippet.as_ref().filter(|s| s.masked).map(|s| (f.code, s)))
        .collect();
    assert!(masked.len() >= 3, "{masked:?}");
    for (code, s) in masked {
        assert!(html::snippet_is_sensitive(code));
        assert!(s.text.contains("(value masked)"), "{}", s.text);
    }
}

#[test]
fn the_page_is_self_contained() {
    let report = scan_example("insecure");
    let page = html::html(&report, input());
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("Content-Security-Policy"));
    assert!(page.contains("default-src 'none'"));
    for banned in [
        "<link",
        " src=",
        "@import",
        "url(",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(!page.contains(banned), "page contains {banned}");
    }
    // The embedded data closes only where the page closes it.
    let data_start = page.find("id=\"phiguard-data\">").unwrap();
    let data_end = data_start + page[data_start..].find("</script>").unwrap();
    let data = &page[data_start + "id=\"phiguard-data\">".len()..data_end];
    let value: serde_json::Value = serde_json::from_str(data).unwrap();
    assert_eq!(value["format"], html::MODEL_FORMAT);
    assert_eq!(
        value["findings"].as_array().unwrap().len(),
        report.findings.len()
    );
}

#[test]
fn markup_in_inputs_is_data_not_markup() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  namespace: \"</script><script>alert(1)</script>\"\nspec:\n  containers:\n    - name: c\n      image: \"nginx</script>\"\n      securityContext:\n        privileged: true\n";
    let report = phiguard_core::scan(
        vec![Source::new("pod.yaml", text.to_string())],
        &Settings::default(),
        Date::parse("2026-01-02").unwrap(),
        Vec::new(),
    );
    assert!(!report.findings.is_empty());
    let page = html::html(&report, input());
    assert_eq!(
        page.matches("</script>").count(),
        2,
        "only the two script elements close"
    );
    assert!(!page.contains("<script>alert"));
}

#[test]
fn trend_from_json_reports_orders_points_and_counts_per_standard() {
    let insecure = scan_example("insecure");
    let hardened = scan_example("hardened");
    let old = phiguard_report::json_with_time(&insecure, "2026-01-01T00:00:00Z");
    // A plain `-o json` report has no time of its own: the fallback (the file's time) is used.
    let plain = phiguard_report::json(&hardened);
    let p_old = html::point_from_json("old.json", &old, "2030-01-01T00:00:00Z").unwrap();
    assert_eq!(p_old.time, "2026-01-01T00:00:00Z");
    let p_plain = html::point_from_json("plain.json", &plain, "2026-01-03T00:00:00Z").unwrap();
    assert_eq!(p_plain.time, "2026-01-03T00:00:00Z");
    let now = html::point_from_report(&insecure, "2026-01-02T00:00:00Z");
    assert_eq!(p_old.by_severity, now.by_severity);
    assert_eq!(p_old.by_standard, now.by_standard);
    let high = insecure
        .findings
        .iter()
        .filter(|f| f.severity == phiguard_core::Severity::High)
        .count();
    assert_eq!(p_old.by_severity[&phiguard_core::Severity::High], high);
    assert!(p_plain.by_severity.values().all(|n| *n == 0));
    // Each finding counts once per standard, even when it cites two specifications of it.
    let tx = insecure
        .findings
        .iter()
        .filter(|f| f.hipaa.iter().any(|c| c.starts_with("164.312(e)")))
        .count();
    assert_eq!(p_old.by_standard["164.312(e)(1)"], tx);

    let trend = html::build_trend(vec![p_plain.clone(), now.clone(), p_old.clone()]);
    let times: Vec<&str> = trend.points.iter().map(|p| p.time.as_str()).collect();
    assert_eq!(
        times,
        [
            "2026-01-01T00:00:00Z",
            "2026-01-02T00:00:00Z",
            "2026-01-03T00:00:00Z"
        ]
    );
    for sev in ["critical", "high", "medium", "low"] {
        assert!(
            trend
                .severity_svg
                .contains(&format!("data-series=\"{sev}\"")),
            "{sev}"
        );
    }
    // One line per standard that had findings at some point.
    let lines = trend.standard_svg.matches("<polyline").count();
    assert_eq!(lines, p_old.by_standard.len());
    assert!(trend
        .standard_svg
        .contains("164.312(e)(1) Transmission security"));
    // The last severity point of `high` is at zero findings: the bottom of the plot.
    assert!(trend.severity_svg.starts_with("<svg"));
    assert!(trend.severity_svg.ends_with("</svg>"));
    insta::assert_snapshot!("trend_severity_svg", trend.severity_svg);
}

#[test]
fn history_files_that_are_not_reports_are_errors_naming_the_file() {
    let e = html::point_from_json("h/a.json", "{\n  \"format\": ", "t").unwrap_err();
    assert!(e.to_string().starts_with("h/a.json:2:"), "{e}");
    let e = html::point_from_json("h/b.json", "{\"format\": \"sarif\"}", "t").unwrap_err();
    assert!(e.to_string().contains("h/b.json"), "{e}");
    let e = html::point_from_json(
        "h/c.json",
        "{\"format\": \"phiguard-report/v1\", \"report\": {\"findings\": [{\"severity\": \"bad\"}]}}",
        "t",
    )
    .unwrap_err();
    assert!(e.to_string().contains("finding 0"), "{e}");
}

#[test]
fn waivers_show_reason_owner_and_expiry_and_count_in_the_matrix() {
    let toml = "[[waiver]]\nrule = \"PS001\"\nreason = \"vendor debug image, replacement tracked\"\nowner = \"platform@example.com\"\nexpires = \"2026-06-30\"\n";
    let settings =
        Settings::from_toml("phiguard.toml", toml, &phiguard_core::rules::CATALOG).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("examples/insecure/debug-pod.yaml")).unwrap();
    let report = phiguard_core::scan(
        vec![Source::new("debug-pod.yaml", text)],
        &settings,
        Date::parse("2026-01-02").unwrap(),
        Vec::new(),
    );
    assert!(
        !report.waived.is_empty(),
        "the example has a privileged pod"
    );
    let model = html::html_model(&report, input());
    let waived: Vec<_> = model
        .findings
        .iter()
        .filter(|f| f.waiver.is_some())
        .collect();
    assert_eq!(waived.len(), report.waived.len());
    assert_eq!(model.summary.waived, report.waived.len());
    for f in &waived {
        let w = f.waiver.as_ref().unwrap();
        assert_eq!(f.code, "PS001");
        assert_eq!(w.owner, "platform@example.com");
        assert_eq!(w.expires.as_deref(), Some("2026-06-30"));
        assert_eq!(w.reason, "vendor debug image, replacement tracked");
    }
    let spec_waived: usize = model
        .matrix
        .iter()
        .map(|s| s.waived + s.specs.iter().map(|p| p.waived).sum::<usize>())
        .sum();
    let pairs: usize = report.waived.iter().map(|f| f.hipaa.len()).sum();
    assert_eq!(spec_waived, pairs);
    assert_eq!(
        model.provenance.config_file.as_deref(),
        Some("phiguard.toml")
    );
    assert_eq!(model.provenance.config_sha256.len(), 64);
}

#[test]
fn nothing_scanned_or_unparsed_input_is_never_shown_as_no_findings() {
    let report = phiguard_core::scan(
        vec![Source::new("notk8s.yaml", "foo: bar\n".to_string())],
        &Settings::default(),
        Date::parse("2026-01-02").unwrap(),
        Vec::new(),
    );
    assert_eq!(report.stats.objects, 0);
    let model = html::html_model(&report, input());
    let statuses: Vec<Status> = model
        .matrix
        .iter()
        .flat_map(|s| std::iter::once(s.status).chain(s.specs.iter().map(|p| p.status)))
        .collect();
    assert!(!statuses.contains(&Status::NoFindings), "{statuses:?}");
    assert!(statuses.contains(&Status::Incomplete));

    // One good file and one that does not parse: the good file's findings stay, nothing reads as clean.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let good = std::fs::read_to_string(root.join("examples/hardened/api.yaml")).unwrap();
    let report = phiguard_core::scan(
        vec![
            Source::new("api.yaml", good),
            Source::new("broken.yaml", "kind: Pod\nmetadata: [\n".to_string()),
        ],
        &Settings::default(),
        Date::parse("2026-01-02").unwrap(),
        Vec::new(),
    );
    assert!(!report.errors.is_empty());
    let model = html::html_model(&report, input());
    assert_eq!(model.errors.len(), report.errors.len());
    assert!(model.errors[0].contains("broken.yaml"));
    assert!(model.matrix.iter().all(|s| s.status != Status::NoFindings
        && s.specs.iter().all(|p| p.status != Status::NoFindings)));
}
