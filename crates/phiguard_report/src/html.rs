//! The HTML report: one self-contained file for auditors. The data model ([`ReportModel`]) is embedded as JSON and
//! rendered by inline JavaScript; styles are inline and a Content-Security-Policy forbids every network request.

pub mod analyses;
mod model;
mod trend;

pub use model::{
    snippet_is_sensitive, AnalysisSection, FindingRow, ModelInput, OtherCitation, ReportModel,
    Status, MODEL_FORMAT,
};
pub use trend::{
    build as build_trend, point_from_json, point_from_report, HistoryError, Trend, TrendPoint,
};

use phiguard_core::ScanReport;

const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");

/// Builds the data model the page embeds.
pub fn html_model(report: &ScanReport, input: ModelInput) -> ReportModel {
    ReportModel::build(report, input)
}

/// Renders the report as one HTML document.
pub fn html(report: &ScanReport, input: ModelInput) -> String {
    render(&html_model(report, input))
}

/// Renders a model as one HTML document.
pub fn render(model: &ReportModel) -> String {
    let data = serde_json::to_string(model).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    // `<` only occurs inside JSON strings, where `\u003c` means the same; this keeps `</script>` out of the data.
    let data = data.replace('<', "\\u003c");
    let mut out = String::with_capacity(data.len() + CSS.len() + JS.len() + 2048);
    out.push_str(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ",
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n",
        "<meta name=\"generator\" content=\"phiguard\">\n",
    ));
    out.push_str("<title>phiguard HIPAA Security Rule report</title>\n<style>\n");
    out.push_str(CSS);
    out.push_str(
        "</style>\n</head>\n<body>\n<header class=\"top\"><div><h1>HIPAA Security Rule report</h1>",
    );
    out.push_str("<p class=\"sub\" id=\"subtitle\"></p></div><nav class=\"toc\" id=\"nav\"></nav></header>\n");
    out.push_str("<main id=\"app\"><noscript><p>This report is drawn by JavaScript from the data embedded in the ");
    out.push_str("page. Enable JavaScript for this file, or use <code>phiguard scan -o json</code>.</p></noscript></main>\n");
    out.push_str("<script type=\"application/json\" id=\"phiguard-data\">");
    out.push_str(&data);
    out.push_str("</script>\n<script>\n");
    out.push_str(JS);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// An RFC 3339 UTC timestamp (seconds precision) for a time.
pub fn utc_timestamp(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let day = phiguard_core::settings::Date::from_days_since_epoch(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{day}T{:02}:{:02}:{:02}Z",
        s / 3600,
        (s % 3600) / 60,
        s % 60
    )
}

/// The JSON report with the time of the scan, as `--save-history` writes it.
pub fn json_with_time(report: &ScanReport, generated_at: &str) -> String {
    let value = serde_json::json!({
        "format": "phiguard-report/v1",
        "generated_at": generated_at,
        "report": report,
    });
    serde_json::to_string_pretty(&value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        assert_eq!(utc_timestamp(t), "2023-11-14T22:13:20Z");
        assert_eq!(utc_timestamp(std::time::UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }
}
