//! PH002 phi-in-env.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

use super::phi_summary;

pub const RULE: Rule = Rule {
    code: "PH002",
    name: "phi-in-env",
    family: Family::PH,
    severity: Severity::High,
    title: "Container environment variable holds protected health information",
    hipaa: &["164.312(a)(1)", "164.514(b)(2)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Runs phiguard's PHI detector over the literal `value` of every environment variable of \
every container (regular, init and ephemeral) of every workload, together with the variable's name as context \
(`PATIENT_SSN=...`), and flags values holding a HIPAA Safe Harbor identifier with confidence 0.8 or more. \
Values from `valueFrom` are not read. The finding names the identifier types, never the value.",
        why_it_matters: "Environment variables are visible to anyone who can read the pod spec, are printed by \
`kubectl describe`, copied into crash dumps and often logged at start-up. An identifier placed there (a test \
patient, an on-call clinician's phone number) is disclosed far outside the systems that are supposed to hold \
PHI (164.312(a)(1)).",
        example: "env:\n- name: TEST_PATIENT_SSN\n  value: \"536-22-1234\"",
        remediation: "Remove the value; load test data from a Secret or a fixture service with access control, \
or use synthetic values from reserved ranges.",
        references: &[
            "https://www.hhs.gov/hipaa/for-professionals/special-topics/de-identification/index.html",
            "45 CFR 164.514(b)(2)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        for c in w.containers() {
            let env = c.node.get("env").map(Node::as_seq).unwrap_or(&[]);
            for (i, e) in env.iter().enumerate() {
                let name = e.get("name").and_then(Node::as_str).unwrap_or("");
                let Some(node) = e.get("value") else {
                    continue;
                };
                let Some(value) = node.as_str() else {
                    continue;
                };
                // The name gives the value its context, as a `key=value` line would.
                if let Some(what) = phi_summary(&format!("{name}={value}")) {
                    out.at(
                        w.id,
                        node,
                        w.cpath(&c, &format!("env[{i}].value")),
                        format!("{} env {name} holds {what}", c.describe()),
                    );
                }
            }
        }
    }
}
