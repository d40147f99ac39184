//! Admission and scan agree: every object of every rule fixture, judged alone by `admission::evaluate_object`
//! (with its namespace's labels when the fixture declares the namespace), gets the findings the scan of the whole
//! fixture reports for that object, except for rules that by design need other objects. Namespaces the scan puts
//! in PHI scope (also by heuristics over other workloads) are passed as labelled, as `[phi] namespaces` would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use phiguard_core::admission::{evaluate_object, CLUSTER_CONTEXT_RULES};
use phiguard_core::rules::CATALOG;
use phiguard_core::settings::{Date, Settings};
use phiguard_core::source::{parse_source, Source};
use phiguard_core::{scan, scope};

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 24,
};

/// Rules whose verdict on an object also depends on other objects, so a single object can be judged differently
/// from the whole fixture; admission sees only the object (and the configuration).
const NEEDS_OTHER_OBJECTS: &[(&str, &str)] = &[
    (
        "ID001",
        "a ServiceAccount elsewhere may disable token automounting",
    ),
    // In a cluster the LimitRanger admission plugin fills these defaults in before validating webhooks run.
    ("AV005", "a LimitRange may provide default limits"),
    ("AV006", "a LimitRange may provide default requests"),
    ("SE005", "needs the StorageClass a claim names"),
    ("NW004", "needs the workloads the Service selects"),
    ("NW005", "needs the workloads the Service selects"),
    (
        "AU002",
        "needs the PHI namespaces, which other objects' labels declare",
    ),
];

#[test]
fn admission_agrees_with_scan_on_every_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for rule in CATALOG.iter() {
        for file in ["fires.yaml", "passes.yaml"] {
            let dir = root.join(rule.code);
            let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
                continue;
            };
            let config = [
                dir.join(file.replace(".yaml", ".toml")),
                dir.join("phiguard.toml"),
            ]
            .into_iter()
            .find(|p| p.exists());
            let settings = match config {
                Some(p) => Settings::from_toml(
                    "phiguard.toml",
                    &std::fs::read_to_string(p).unwrap(),
                    &CATALOG,
                )
                .unwrap(),
                None => Settings::default(),
            };
            let report = scan(
                vec![Source::new(file, text.clone())],
                &settings,
                TODAY,
                Vec::new(),
            );
            let source = Source::new(file, text);
            let parsed = parse_source(0, &source);
            let mut ns_labels: BTreeMap<String, BTreeMap<String, String>> = parsed
                .objects
                .iter()
                .filter(|o| o.kind() == "Namespace")
                .map(|o| (o.name().to_string(), o.labels.clone()))
                .collect();
            for ns in report.phi_namespaces.keys() {
                ns_labels
                    .entry(ns.clone())
                    .or_default()
                    .insert(scope::PHI_KEY.to_string(), "true".to_string());
            }
            for obj in &parsed.objects {
                if obj.kind() == "Namespace" || obj.kind().ends_with("List") {
                    continue;
                }
                let ns =
                    (!scope::is_cluster_scoped(obj.kind())).then(|| obj.namespace_or_default());
                let json = obj.root.to_json().to_string();
                let eval = evaluate_object(
                    &json,
                    ns,
                    ns.and_then(|n| ns_labels.get(n)),
                    &settings,
                    TODAY,
                )
                .unwrap();
                let skip = |c: &str| {
                    CLUSTER_CONTEXT_RULES.contains(&c)
                        || NEEDS_OTHER_OBJECTS.iter().any(|(r, _)| *r == c)
                };
                let mut want: BTreeSet<(&str, String)> = report
                    .findings
                    .iter()
                    .filter(|f| {
                        f.object.as_ref().is_some_and(|o| {
                            o.kind == obj.reference.kind
                                && o.name == obj.reference.name
                                && o.namespace.as_deref().unwrap_or("default")
                                    == obj.namespace_or_default()
                        })
                    })
                    .filter(|f| !skip(f.code))
                    .map(|f| (f.code, f.path.clone()))
                    .collect();
                let got: BTreeSet<(&str, String)> = eval
                    .findings
                    .iter()
                    .filter(|f| !skip(f.code))
                    .map(|f| (f.code, f.path.clone()))
                    .collect();
                // Scan paths carry a `items[i].` prefix for List items; admission sees the item alone.
                if !obj.path_prefix.is_empty() {
                    let prefix = format!("{}.", obj.path_prefix);
                    want = want
                        .into_iter()
                        .map(|(c, p)| (c, p.strip_prefix(&prefix).unwrap_or(&p).to_string()))
                        .collect();
                }
                compared += 1;
                if want != got {
                    mismatches.push(format!(
                        "{}/{file} {}: scan {:?} admission {:?}",
                        rule.code, obj.reference, want, got
                    ));
                }
            }
        }
    }
    assert!(compared > 100, "only {compared} objects compared");
    assert!(
        mismatches.is_empty(),
        "{} of {compared} objects differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
