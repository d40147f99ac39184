//! Markdown for pull-request comments.

use std::fmt::Write;

use phiguard_core::ScanReport;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(report: &ScanReport) -> String {
    let mut out = String::new();
    let s = &report.stats;
    let _ = writeln!(out, "## phiguard: HIPAA scan\n");
    let status = if report.has_errors() {
        "**Error**: some inputs could not be read; results are incomplete."
    } else if report.failing() > 0 {
        "**Failed**: findings at or above the fail level."
    } else {
        "**Passed**."
    };
    let _ = writeln!(out, "{status}\n");
    let _ = writeln!(
        out,
        "Scanned {} objects ({} workloads, {} in PHI scope) from {} inputs with {} rules.\n",
        s.objects, s.workloads, s.phi_workloads, s.inputs, s.rules_run
    );
    let _ = writeln!(out, "| severity | findings |\n|---|---:|");
    for (sev, n) in report.by_severity() {
        let _ = writeln!(out, "| {sev} | {n} |");
    }
    if !report.waived.is_empty() {
        let _ = writeln!(out, "| waived | {} |", report.waived.len());
    }
    out.push('\n');
    let by_hipaa = report.by_hipaa();
    if !by_hipaa.is_empty() {
        let _ = writeln!(out, "| HIPAA section (45 CFR) | findings |\n|---|---:|");
        for (h, n) in by_hipaa {
            let _ = writeln!(out, "| {h} | {n} |");
        }
        out.push('\n');
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "### Input errors\n");
        for e in &report.errors {
            let _ = writeln!(out, "- `{}`", cell(&e.to_string()));
        }
        out.push('\n');
    }
    if !report.findings.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} findings</summary>\n",
            report.findings.len()
        );
        let _ = writeln!(
            out,
            "| location | rule | severity | object | message | HIPAA |\n|---|---|---|---|---|---|"
        );
        for f in &report.findings {
            let _ = writeln!(
                out,
                "| `{}:{}:{}` | {} {} | {}{} | {} | {} | {} |",
                f.location.file,
                f.location.line,
                f.location.column,
                f.code,
                f.name,
                f.severity,
                if f.phi_scope { " (PHI)" } else { "" },
                cell(&f.object.as_ref().map(|o| o.to_string()).unwrap_or_default()),
                cell(&f.message),
                f.hipaa.join(", ")
            );
        }
        let _ = writeln!(out, "\n</details>");
    }
    out
}
