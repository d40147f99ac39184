//! Fuzzes a whole scan (loader, inventory, PHI scope, every rule) on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phiguard_core::settings::{Date, Settings};
use phiguard_core::{scan, Source};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let today = Date { year: 2026, month: 11, day: 24 };
        let report = scan(vec![Source::new("fuzz.yaml", text.to_string())], &Settings::default(), today, Vec::new());
        for f in &report.findings {
            assert!(f.location.line >= 1, "finding without a line: {f:?}");
        }
    }
});
