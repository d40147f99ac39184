//! The analyses a scan shares between its rules and its callers: the netpol verification and the RBAC model are
//! computed once per scan, by the first rule that needs them, and handed to `scan_with`'s caller unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use phiguard_core::engine::scan_with;
use phiguard_core::netpol::zones;
use phiguard_core::rbac;
use phiguard_core::rules::CATALOG;
use phiguard_core::settings::{Date, Settings};
use phiguard_core::source::Source;

fn example(name: &str) -> (Vec<Source>, Settings) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let sources = files
        .iter()
        .map(|p| Source::new(p.display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect();
    let toml = dir.join("phiguard.toml");
    let settings = Settings::from_toml(
        &toml.display().to_string(),
        &std::fs::read_to_string(&toml).unwrap(),
        &CATALOG,
    )
    .unwrap();
    (sources, settings)
}

fn today() -> Date {
    Date::parse("2026-01-02").unwrap()
}

#[test]
fn the_rules_verification_is_the_one_the_caller_gets() {
    let (sources, settings) = example("insecure");
    let (report, seen) = scan_with(sources, &settings, today(), Vec::new(), |cx| {
        // Computed by NW009-NW012 during the scan, not by this call.
        let during = cx.netpol_verification_if_computed().is_some();
        let v = cx.netpol_verification();
        let again = cx.netpol_verification();
        let fresh = zones::verify(cx.inv, cx.scope, &cx.settings.netpol);
        let violations = |v: &zones::Verification| -> Vec<(String, usize)> {
            v.proofs
                .iter()
                .map(|p| (p.invariant.code().to_string(), p.violations.len()))
                .collect()
        };
        let same_model = std::ptr::eq(cx.rbac_model(), cx.rbac_model());
        let fresh_rbac = rbac::Model::build(cx.inv);
        (
            during,
            std::ptr::eq(v, again),
            violations(v) == violations(&fresh),
            violations(v),
            same_model,
            cx.rbac_model().bindings.len() == fresh_rbac.bindings.len(),
        )
    });
    let (during, shared, same_result, violations, same_model, same_rbac) = seen;
    assert!(during, "the scan rules computed the verification");
    assert!(shared && same_model);
    assert!(same_result && same_rbac);
    // Every invariant is violated in the insecure example, and each violation is a finding.
    assert!(violations.iter().all(|(_, n)| *n > 0), "{violations:?}");
    for (code, _) in &violations {
        assert!(
            report.findings.iter().any(|f| f.code == code),
            "{code} reported"
        );
    }
}

#[test]
fn without_network_rules_nothing_is_verified_until_asked() {
    let (sources, mut settings) = example("hardened");
    settings.select = vec![phiguard_core::settings::Selector::parse("PS", &CATALOG).unwrap()];
    let (_, (before, holds)) = scan_with(sources, &settings, today(), Vec::new(), |cx| {
        let before = cx.netpol_verification_if_computed().is_some();
        (before, cx.netpol_verification().holds())
    });
    assert!(!before, "no NW rule ran, so nothing was verified");
    assert!(holds, "the hardened example proves every invariant");
}
