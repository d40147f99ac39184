//! PG001 waiver-expired.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PG001",
    name: "waiver-expired",
    family: Family::PG,
    severity: Severity::Medium,
    title: "A waiver in phiguard.toml has expired",
    hipaa: &["164.308(a)(1)(ii)(B)", "164.308(a)(8)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Reports every `[[waiver]]` in phiguard.toml whose `expires` date is in the past. An expired \
waiver no longer suppresses anything: the findings it covered are reported again, and the waiver itself is reported \
at its line in the configuration file.",
        why_it_matters: "A waiver is an accepted risk, and HIPAA's risk management (164.308(a)(1)(ii)(B)) and periodic \
evaluation (164.308(a)(8)) require accepted risks to be reviewed. A waiver that outlives its review date is an \
exception nobody owns any more; reporting it keeps the exception list honest for the auditor.",
        example: "[[waiver]]\nrule = \"PS015\"\nname = \"legacy-hl7-bridge\"\nreason = \"vendor image writes to /opt\"\nowner = \"platform@example.com\"\nexpires = \"2025-01-31\"",
        remediation: "Fix the findings the waiver covered, or review the risk again and set a new `expires` date \
with the current owner and reason.",
        references: &["45 CFR 164.308(a)(1)(ii)(B), 164.308(a)(8)"],
    },
    check,
};

/// The engine reports expired waivers itself (they live in the configuration, not in the inventory).
fn check(_cx: &Ctx<'_>, _out: &mut Out) {}
