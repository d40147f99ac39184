#![no_main]
//! The audit event reader and every detection on arbitrary bytes: never a panic, every line accounted for.

use libfuzzer_sys::fuzz_target;
use phiguard_audit::{generate, reader, Alert, Detector, Issue, Pipeline};

fuzz_target!(|data: &[u8]| {
    let mut det = Detector::new(generate::config());
    let mut access = phiguard_audit::AccessReport::default();
    let mut alerts = 0usize;
    let mut issues = 0usize;
    let mut on_alert = |_: Alert| alerts += 1;
    let mut on_issue = |_: Issue| issues += 1;
    let mut p = Pipeline::new(&mut det, Some(&mut access), &mut on_alert, &mut on_issue);
    if let Ok(st) = reader::read("fuzz", data, &mut p) {
        assert_eq!(st.issues as usize, issues);
    }
    let _ = access.render_text();
});
