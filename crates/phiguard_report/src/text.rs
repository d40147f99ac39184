//! Human output: grouped by file, with the source line and a caret under the offending field.

use std::fmt::Write;

use phiguard_core::{ScanReport, Severity};

#[derive(Clone, Copy, Debug, Default)]
pub struct TextOptions {
    /// ANSI colours (on a terminal).
    pub color: bool,
    /// Hide the source snippet and remediation lines.
    pub concise: bool,
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn severity(&self, sev: Severity) -> String {
        let code = match sev {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "33",
            Severity::Low => "36",
        };
        self.paint(code, sev.as_str())
    }
}

/// Width of the token at a column: a key up to `:`, or a scalar up to whitespace.
fn token_width(line: &str, col: u32) -> usize {
    let start = (col as usize).saturating_sub(1);
    let rest: String = line.chars().skip(start).collect();
    let mut w = 0;
    for ch in rest.chars() {
        if ch == ':' || ch == ',' || ch == '}' || ch.is_whitespace() {
            break;
        }
        w += 1;
    }
    w.max(1)
}

pub fn text(report: &ScanReport, opts: TextOptions) -> String {
    let st = Style { on: opts.color };
    let mut out = String::new();
    for e in &report.errors {
        let _ = writeln!(out, "{}: {e}", st.paint("1;31", "error"));
    }
    if !report.errors.is_empty() {
        out.push('\n');
    }
    let mut current_file: Option<&str> = None;
    for f in &report.findings {
        if current_file != Some(f.location.file.as_str()) {
            current_file = Some(&f.location.file);
            let _ = writeln!(out, "{}", st.paint("1;4", &f.location.file));
        }
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {} {}",
            st.bold(&f.location.file),
            f.location.line,
            f.location.column,
            st.bold(f.code),
            st.severity(f.severity),
            f.message
        );
        let mut facts = Vec::new();
        if let Some(o) = &f.object {
            facts.push(o.to_string());
        }
        if let Some(h) = &f.helm_source {
            facts.push(format!("template {h}"));
        }
        if f.phi_scope {
            facts.push("PHI scope".to_string());
        }
        facts.push(format!("HIPAA {}", f.hipaa.join(", ")));
        let _ = writeln!(out, "  {}", st.dim(&facts.join(" · ")));
        if opts.concise {
            continue;
        }
        let line_text = f
            .source
            .and_then(|id| report.sources.get(id))
            .and_then(|s| s.line(f.location.line));
        if let Some(line_text) = line_text {
            let num = f.location.line.to_string();
            let pad = " ".repeat(num.len());
            let shown: String = if phiguard_core::finding::SENSITIVE_SNIPPET_RULES.contains(&f.code)
            {
                phiguard_core::finding::mask_value(line_text)
            } else {
                line_text.chars().take(160).collect()
            };
            let _ = writeln!(out, "  {pad} {}", st.dim("|"));
            let _ = writeln!(out, "  {} {} {}", st.dim(&num), st.dim("|"), shown);
            let caret_pad = " ".repeat((f.location.column as usize).saturating_sub(1));
            let carets = "^".repeat(token_width(line_text, f.location.column));
            let _ = writeln!(
                out,
                "  {pad} {} {caret_pad}{}",
                st.dim("|"),
                st.paint("1;31", &carets)
            );
        }
        for r in &f.related {
            let _ = writeln!(
                out,
                "  {} {}:{}:{}: {}",
                st.dim("note:"),
                r.location.file,
                r.location.line,
                r.location.column,
                r.message
            );
        }
        let first_sentence = f
            .remediation
            .split(". ")
            .next()
            .unwrap_or(f.remediation)
            .trim_end_matches('.');
        let _ = writeln!(out, "  {} {first_sentence}.", st.paint("32", "fix:"));
        out.push('\n');
    }
    summary(report, &st, &mut out);
    out
}

fn summary(report: &ScanReport, st: &Style, out: &mut String) {
    let s = &report.stats;
    let _ = writeln!(
        out,
        "Scanned {} objects ({} workloads, {} in PHI scope; {} namespaces, {} in PHI scope) from {} with {} rules.",
        s.objects,
        s.workloads,
        s.phi_workloads,
        s.namespaces,
        s.phi_namespaces,
        if s.inputs == 1 { "1 input".to_string() } else { format!("{} inputs", s.inputs) },
        s.rules_run
    );
    if !report.phi_namespaces.is_empty() {
        let names: Vec<&str> = report.phi_namespaces.keys().map(String::as_str).collect();
        let _ = writeln!(out, "PHI namespaces: {}", names.join(", "));
    }
    let counts: Vec<String> = report
        .by_severity()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(sev, n)| format!("{n} {}", st.severity(sev)))
        .collect();
    let total = report.findings.len();
    let mut line = if total == 0 {
        "No findings".to_string()
    } else {
        format!(
            "{} {}: {}",
            total,
            if total == 1 { "finding" } else { "findings" },
            counts.join(", ")
        )
    };
    if !report.waived.is_empty() {
        let _ = write!(line, " ({} waived)", report.waived.len());
    }
    let _ = writeln!(out, "{}", st.bold(&line));
    let by_hipaa = report.by_hipaa();
    if !by_hipaa.is_empty() {
        let parts: Vec<String> = by_hipaa.iter().map(|(h, n)| format!("{h} {n}")).collect();
        let _ = writeln!(out, "By HIPAA section: {}", parts.join(" · "));
    }
    if s.annotation_waivers_ignored > 0 {
        let _ = writeln!(
            out,
            "note: {} object(s) carry a phiguard.io/waive annotation, which is ignored unless phiguard.toml sets allow-annotation-waivers = true",
            s.annotation_waivers_ignored
        );
    }
    if !report.errors.is_empty() {
        let _ = writeln!(
            out,
            "{}: {} input error(s) in {} input(s); the results above are incomplete",
            st.paint("1;31", "error"),
            report.errors.len(),
            s.inputs_failed
        );
    } else if s.objects == 0 {
        let _ = writeln!(
            out,
            "{}: no Kubernetes objects were found in the inputs; nothing was checked",
            st.paint("1;31", "error")
        );
    }
}
