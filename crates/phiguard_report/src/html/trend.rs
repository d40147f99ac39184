//! Posture over time: counts per severity and per HIPAA standard from earlier JSON reports, drawn as inline SVG.

use std::collections::BTreeMap;
use std::fmt::Write;

use phiguard_core::{ScanReport, Severity};
use serde::Serialize;

use super::model::standards_of;
use crate::hipaa;
use crate::xml_escape;

/// One scan in the history.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TrendPoint {
    /// RFC 3339 UTC time of the scan.
    pub time: String,
    /// Where the point came from (a file name, or `this scan`).
    pub source: String,
    /// Unwaived findings per severity (every severity present, zero included).
    pub by_severity: BTreeMap<Severity, usize>,
    /// Unwaived findings per HIPAA standard citation; a finding counts once per standard.
    pub by_standard: BTreeMap<String, usize>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Trend {
    /// Oldest first.
    pub points: Vec<TrendPoint>,
    /// The severity chart, as SVG markup.
    pub severity_svg: String,
    /// The per-standard chart, as SVG markup.
    pub standard_svg: String,
}

/// Why a history file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{name}:{line}:{column}: not JSON: {message}")]
    NotJson {
        name: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{name}: not a phiguard JSON report ({what})")]
    NotReport { name: String, what: String },
}

fn empty_severities() -> BTreeMap<Severity, usize> {
    Severity::ALL.iter().map(|&s| (s, 0)).collect()
}

/// The point for the current scan.
pub fn point_from_report(report: &ScanReport, time: &str) -> TrendPoint {
    let mut by_severity = empty_severities();
    let mut by_standard = BTreeMap::new();
    for f in &report.findings {
        *by_severity.entry(f.severity).or_insert(0) += 1;
        for s in standards_of(f.hipaa) {
            *by_standard.entry(s.to_string()).or_insert(0) += 1;
        }
    }
    TrendPoint {
        time: time.to_string(),
        source: "this scan".to_string(),
        by_severity,
        by_standard,
    }
}

/// A point from a JSON report (`-o json`, or a file written by `--save-history`). `fallback_time` is used when the
/// report does not carry its own `generated_at` (e.g. the file's modification time).
pub fn point_from_json(
    name: &str,
    text: &str,
    fallback_time: &str,
) -> Result<TrendPoint, HistoryError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| HistoryError::NotJson {
            name: name.to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
    let not_report = |what: &str| HistoryError::NotReport {
        name: name.to_string(),
        what: what.to_string(),
    };
    if value.get("format").and_then(|f| f.as_str()) != Some("phiguard-report/v1") {
        return Err(not_report("format is not phiguard-report/v1"));
    }
    let findings = value
        .pointer("/report/findings")
        .and_then(|f| f.as_array())
        .ok_or_else(|| not_report("no report.findings"))?;
    let mut by_severity = empty_severities();
    let mut by_standard = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        let severity = f
            .get("severity")
            .and_then(|s| s.as_str())
            .and_then(Severity::parse)
            .ok_or_else(|| not_report(&format!("finding {i} has no valid severity")))?;
        *by_severity.entry(severity).or_insert(0) += 1;
        let mut seen: Vec<&str> = Vec::new();
        for c in f
            .get("hipaa")
            .and_then(|h| h.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(st) = c.as_str().and_then(hipaa::standard_of) {
                if !seen.contains(&st.citation) {
                    seen.push(st.citation);
                    *by_standard.entry(st.citation.to_string()).or_insert(0) += 1;
                }
            }
        }
    }
    let time = value
        .get("generated_at")
        .and_then(|t| t.as_str())
        .unwrap_or(fallback_time)
        .to_string();
    Ok(TrendPoint {
        time,
        source: name.to_string(),
        by_severity,
        by_standard,
    })
}

/// Builds the trend from earlier points and the current one; points are sorted by time (RFC 3339 UTC strings sort
/// chronologically).
pub fn build(mut points: Vec<TrendPoint>) -> Trend {
    points.sort_by(|a, b| a.time.cmp(&b.time).then(a.source.cmp(&b.source)));
    let sev_series: Vec<Series> = Severity::ALL
        .iter()
        .map(|&s| Series {
            label: s.as_str().to_string(),
            class: format!("sev-{}", s.as_str()),
            values: points
                .iter()
                .map(|p| p.by_severity.get(&s).copied().unwrap_or(0))
                .collect(),
        })
        .collect();
    let standards: Vec<&str> = hipaa::STANDARDS
        .iter()
        .map(|s| s.citation)
        .filter(|c| {
            points
                .iter()
                .any(|p| p.by_standard.get(*c).is_some_and(|n| *n > 0))
        })
        .collect();
    let std_series: Vec<Series> = standards
        .iter()
        .enumerate()
        .map(|(i, c)| Series {
            label: format!(
                "{c} {}",
                hipaa::standard_of(c).map(|s| s.title).unwrap_or("")
            ),
            // Eight colours; later standards repeat them with a dashed line.
            class: format!("std-{}{}", i % 8, if i >= 8 { " dashed" } else { "" }),
            values: points
                .iter()
                .map(|p| p.by_standard.get(*c).copied().unwrap_or(0))
                .collect(),
        })
        .collect();
    let labels: Vec<String> = points.iter().map(|p| p.time.clone()).collect();
    Trend {
        severity_svg: line_chart("Findings by severity", &labels, &sev_series, 4),
        standard_svg: line_chart("Findings by HIPAA standard", &labels, &std_series, 2),
        points,
    }
}

struct Series {
    label: String,
    class: String,
    values: Vec<usize>,
}

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 40.0;

/// A line chart with one polyline per series, a y axis from zero, and a legend below.
fn line_chart(title: &str, labels: &[String], series: &[Series], columns: usize) -> String {
    let n = labels.len();
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let legend_rows = series.len().div_ceil(columns);
    let height = H + legend_rows as f64 * 18.0;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let x = |i: usize| {
        if n <= 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: usize| TOP + plot_h - plot_h * v as f64 / max as f64;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {W} {height}" role="img" aria-label="{t}"><title>{t}</title><text class="chart-title" x="{LEFT}" y="16">{t}</text>"#,
        t = xml_escape(title)
    );
    // Horizontal grid: zero, half and max.
    for v in [0, max / 2, max] {
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" x2="{x2}" y1="{yy:.1}" y2="{yy:.1}"/><text class="tick" x="{tx}" y="{ty:.1}" text-anchor="end">{v}</text>"#,
            x2 = W - RIGHT,
            yy = y(v),
            tx = LEFT - 6.0,
            ty = y(v) + 4.0
        );
    }
    // Time labels: first and last, plus the middle when there are many points.
    let mut shown: Vec<usize> = vec![0, n.saturating_sub(1)];
    if n > 4 {
        shown.push(n / 2);
    }
    shown.dedup();
    for i in shown {
        if let Some(l) = labels.get(i) {
            let day = l.get(..16).unwrap_or(l).replace('T', " ");
            let anchor = if n <= 1 {
                "middle"
            } else if i == 0 {
                "start"
            } else if i + 1 == n {
                "end"
            } else {
                "middle"
            };
            let _ = write!(
                out,
                r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
                x(i),
                TOP + plot_h + 18.0,
                xml_escape(&day)
            );
        }
    }
    for s in series {
        let pts: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        let _ = write!(
            out,
            r#"<g class="series {c}" data-series="{l}"><polyline fill="none" points="{p}"/>"#,
            c = s.class,
            l = xml_escape(&s.label),
            p = pts.join(" ")
        );
        for (i, v) in s.values.iter().enumerate() {
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3"><title>{}: {v}</title></circle>"#,
                x(i),
                y(*v),
                xml_escape(&s.label)
            );
        }
        out.push_str("</g>");
    }
    for (i, s) in series.iter().enumerate() {
        let lx = LEFT + (i % columns) as f64 * (plot_w / columns as f64);
        let ly = H + (i / columns) as f64 * 18.0;
        let last = s.values.last().copied().unwrap_or(0);
        // About 6 px per character at the legend's size.
        let room = (plot_w / columns as f64 / 6.0) as usize;
        let full = format!("{} ({last})", s.label);
        let shown = if full.chars().count() > room {
            let keep = room.saturating_sub(format!(" ({last})").len() + 1);
            format!(
                "{}\u{2026} ({last})",
                s.label.chars().take(keep).collect::<String>().trim_end()
            )
        } else {
            full.clone()
        };
        let _ = write!(
            out,
            r#"<g class="legend {c}"><title>{f}</title><line x1="{lx:.1}" x2="{lx2:.1}" y1="{ry:.1}" y2="{ry:.1}"/><text x="{tx:.1}" y="{ly:.1}">{l}</text></g>"#,
            c = s.class,
            ry = ly - 4.0,
            lx2 = lx + 14.0,
            tx = lx + 18.0,
            f = xml_escape(&full),
            l = xml_escape(&shown)
        );
    }
    out.push_str("</svg>");
    out
}
