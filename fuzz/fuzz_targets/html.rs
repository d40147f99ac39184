//! Fuzzes the HTML report: arbitrary manifests are scanned and rendered, and the same bytes are read as a history
//! report. The embedded data must stay one JSON value that no input can close early.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phiguard_core::settings::{Date, Settings};
use phiguard_core::{scan, Source};
use phiguard_report::html::{html, point_from_json, ModelInput};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = point_from_json("fuzz.json", text, "2026-11-24T00:00:00Z");
        let today = Date { year: 2026, month: 11, day: 24 };
        let report = scan(vec![Source::new("fuzz.yaml", text.to_string())], &Settings::default(), today, Vec::new());
        let page = html(&report, ModelInput { generated_at: "2026-11-24T00:00:00Z".into(), ..Default::default() });
        let open = "<script type=\"application/json\" id=\"phiguard-data\">";
        let start = page.find(open).map(|i| i + open.len()).unwrap_or(0);
        let end = start + page[start..].find("</script>").unwrap_or(0);
        let value: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(
            value["findings"].as_array().map(Vec::len),
            Some(report.findings.len() + report.waived.len())
        );
    }
});
