//! Renderers for scan reports and the rule catalog. Pure functions from data to text.

mod catalog;
pub mod hipaa;
pub mod html;
mod junit;
mod markdown;
mod sarif;
mod text;

pub use catalog::{catalog_json, catalog_markdown, catalog_text, rule_doc};
pub use html::{html, html_model, json_with_time, utc_timestamp, ModelInput};
pub use junit::junit;
pub use markdown::markdown;
pub use sarif::{sarif, uri as sarif_uri};
pub use text::{text, TextOptions};

use phiguard_core::ScanReport;

/// The JSON report: the scan report with a format version.
pub fn json(report: &ScanReport) -> String {
    let value = serde_json::json!({
        "format": "phiguard-report/v1",
        "report": report,
    });
    serde_json::to_string_pretty(&value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Escapes text for XML and HTML.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
