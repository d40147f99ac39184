//! The rule catalog as text, JSON and Markdown, and one rule's documentation.

use std::fmt::Write;

use phiguard_core::rules::CATALOG;
use phiguard_core::Rule;

pub fn catalog_text() -> String {
    let mut out = String::new();
    let mut family = None;
    for r in CATALOG.iter() {
        if family != Some(r.family) {
            family = Some(r.family);
            let _ = writeln!(out, "\n{} {}", r.family.prefix(), r.family.title());
        }
        let _ = writeln!(
            out,
            "  {}  {:<40} {:<8}  {}{}",
            r.code,
            r.name,
            r.severity,
            r.hipaa.join(", "),
            if r.applies == phiguard_core::rule::Applies::PhiScope {
                "  [PHI scope]"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(
        out,
        "\n{} rules. `phiguard rule CODE` shows one rule's documentation.",
        CATALOG.len()
    );
    out
}

pub fn catalog_json() -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "format": "phiguard-rules/v1",
        "rules": CATALOG.iter().collect::<Vec<_>>(),
    }))
    .unwrap_or_default()
}

pub fn catalog_markdown() -> String {
    let mut out = String::from("# phiguard rules\n\n| code | name | severity | HIPAA (45 CFR) | scope | title |\n|---|---|---|---|---|---|\n");
    for r in CATALOG.iter() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            r.code,
            r.name,
            r.severity,
            r.hipaa.join(", "),
            if r.applies == phiguard_core::rule::Applies::PhiScope {
                "PHI"
            } else {
                "all"
            },
            r.title
        );
    }
    out
}

/// One rule's documentation in Markdown (also SARIF help).
pub fn rule_markdown(r: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} {}\n\n{}\n", r.code, r.name, r.title);
    let _ = writeln!(
        out,
        "Severity: **{}** · Family: {} · HIPAA: {} · Applies: {}\n",
        r.severity,
        r.family.title(),
        r.hipaa.join(", "),
        match r.applies {
            phiguard_core::rule::Applies::Everywhere => "every object",
            phiguard_core::rule::Applies::PhiScope => "PHI-scope objects only",
        }
    );
    let _ = writeln!(out, "## What it does\n\n{}\n", r.docs.what_it_does);
    let _ = writeln!(
        out,
        "## Why it matters for PHI\n\n{}\n",
        r.docs.why_it_matters
    );
    let _ = writeln!(out, "## Example\n\n```yaml\n{}\n```\n", r.docs.example);
    let _ = writeln!(out, "## Remediation\n\n{}\n", r.docs.remediation);
    let eq = r.equivalents.entries();
    if !eq.is_empty() {
        let _ = writeln!(out, "## Equivalent checks\n");
        for (tool, ids) in eq {
            let _ = writeln!(out, "- {tool}: {}", ids.join(", "));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## References\n");
    for reference in r.docs.references {
        let _ = writeln!(out, "- {reference}");
    }
    out
}

/// One rule's documentation for the terminal.
pub fn rule_doc(r: &Rule) -> String {
    rule_markdown(r)
}
