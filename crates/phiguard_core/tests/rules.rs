//! Every rule has a fixture where it fires (`fires.yaml`, with `# expect: CODE` on each line a finding must point
//! at) and one where it must stay silent (`passes.yaml`). A fixture directory may hold a `phiguard.toml`.
//! The findings of each `fires.yaml` are snapshotted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use phiguard_core::rules::CATALOG;
use phiguard_core::settings::{Date, Selector, Settings};
use phiguard_core::{scan, ScanReport, Source};

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 24,
};

fn fixture_dir(code: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(code)
}

fn settings_for(code: &str, file: &str) -> Settings {
    let dir = fixture_dir(code);
    let own = dir.join(file.replace(".yaml", ".toml"));
    let config = if own.exists() {
        own
    } else {
        dir.join("phiguard.toml")
    };
    let mut settings = match std::fs::read_to_string(config) {
        Ok(text) => {
            Settings::from_toml("phiguard.toml", &text, &CATALOG).expect("fixture config is valid")
        }
        Err(_) => Settings::default(),
    };
    let rule = phiguard_core::rules::find(code).expect("rule exists");
    settings.select = vec![Selector::Code(rule.code)];
    settings
}

fn run(code: &str, file: &str) -> (String, ScanReport) {
    let path = fixture_dir(code).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let report = scan(
        vec![Source::new(file, text.clone())],
        &settings_for(code, file),
        TODAY,
        Vec::new(),
    );
    assert!(
        report.errors.is_empty(),
        "{code}/{file} must parse: {:?}",
        report.errors
    );
    assert!(report.stats.objects > 0, "{code}/{file} has no objects");
    (text, report)
}

fn expected_lines(text: &str, code: &str) -> BTreeSet<u32> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            l.split_once("# expect:")
                .is_some_and(|(_, codes)| codes.split([',', ' ']).any(|c| c.trim() == code))
        })
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

#[test]
fn every_rule_fires_on_its_fixture_at_the_expected_lines() {
    let mut failures = Vec::new();
    for rule in CATALOG.iter() {
        let (text, report) = run(rule.code, "fires.yaml");
        let expected = expected_lines(&text, rule.code);
        let got: BTreeSet<u32> = report
            .findings
            .iter()
            .filter(|f| f.code == rule.code && f.source.is_some())
            .map(|f| f.location.line)
            .collect();
        if expected.is_empty() && rule.code != "PG001" {
            failures.push(format!(
                "{}: fires.yaml marks no `# expect: {}` line",
                rule.code, rule.code
            ));
        } else if got != expected {
            failures.push(format!(
                "{}: expected findings at lines {expected:?}, got {got:?}",
                rule.code
            ));
        }
        if report.findings.iter().all(|f| f.code != rule.code) {
            failures.push(format!("{}: does not fire on fires.yaml", rule.code));
        }
        let lines: Vec<String> = report
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{} {}:{}:{} [{}] {} ({}) phi={}",
                    f.code,
                    f.location.file,
                    f.location.line,
                    f.location.column,
                    f.severity,
                    f.message,
                    f.path,
                    f.phi_scope
                )
            })
            .collect();
        insta::assert_snapshot!(format!("{}_fires", rule.code), lines.join("\n"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_stays_silent_on_its_passing_fixture() {
    let mut failures = Vec::new();
    for rule in CATALOG.iter() {
        let (_, report) = run(rule.code, "passes.yaml");
        for f in report.findings.iter().filter(|f| f.code == rule.code) {
            failures.push(format!(
                "{}: fired on passes.yaml:{}: {}",
                rule.code, f.location.line, f.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn catalog_codes_are_stable() {
    let list: Vec<String> = CATALOG
        .iter()
        .map(|r| format!("{} {} {} {}", r.code, r.name, r.severity, r.hipaa.join(" ")))
        .collect();
    insta::assert_snapshot!("catalog", list.join("\n"));
}

#[test]
fn catalog_is_well_formed() {
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for r in CATALOG.iter() {
        assert!(codes.insert(r.code), "duplicate code {}", r.code);
        assert!(names.insert(r.name), "duplicate name {}", r.name);
        assert!(
            r.code.starts_with(r.family.prefix()),
            "{} is not in family {:?}",
            r.code,
            r.family
        );
        assert!(
            r.code.len() == 5 && r.code[2..].bytes().all(|b| b.is_ascii_digit()),
            "bad code {}",
            r.code
        );
        assert!(
            r.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "name {} is not kebab-case",
            r.name
        );
        assert!(!r.hipaa.is_empty(), "{} cites no HIPAA section", r.code);
        for h in r.hipaa {
            assert!(
                h.starts_with("164."),
                "{}: citation {h} is not a 45 CFR 164 section",
                r.code
            );
        }
        for (name, text) in [
            ("what it does", r.docs.what_it_does),
            ("why it matters", r.docs.why_it_matters),
            ("example", r.docs.example),
            ("remediation", r.docs.remediation),
        ] {
            assert!(
                text.trim().len() > 10,
                "{}: docs section `{name}` is empty",
                r.code
            );
        }
        assert!(!r.docs.references.is_empty(), "{}: no references", r.code);
        assert!(
            fixture_dir(r.code).join("fires.yaml").exists(),
            "{}: no fires.yaml",
            r.code
        );
        assert!(
            fixture_dir(r.code).join("passes.yaml").exists(),
            "{}: no passes.yaml",
            r.code
        );
    }
    let ps = CATALOG.iter().filter(|r| r.family.prefix() != "PG").count();
    assert!(
        ps >= 50,
        "the catalog has {ps} rules; at least 50 are required"
    );
}
