//! PH001 phi-in-configmap.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

use super::phi_summary;

pub const RULE: Rule = Rule {
    code: "PH001",
    name: "phi-in-configmap",
    family: Family::PH,
    severity: Severity::High,
    title: "ConfigMap data holds protected health information",
    hipaa: &["164.312(a)(1)", "164.514(b)(2)", "164.502(b)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Runs phiguard's PHI detector over every string value of a ConfigMap's `data` and flags \
keys whose value holds a HIPAA Safe Harbor identifier with confidence 0.8 or more: validated SSNs, card numbers, \
NPI/DEA numbers, VINs, MBIs and IBANs, dates of birth, e-mail addresses, phone numbers, names with a key or \
title that says so (`patient_name`, `Mr.`), HL7 PID segments and FHIR resources pasted as test data. Service URLs \
and IP addresses are not reported (they name machines). The finding names the identifier types only; the \
values are never repeated.",
        why_it_matters: "ConfigMaps are readable by every role with `view`, appear in `kubectl describe`, in Helm \
release history and in GitOps repositories, and are not encrypted at rest. A sample patient record used as a \
fixture or a debug payload left in configuration discloses PHI to all of them, outside the access controls \
(164.312(a)(1)) and minimum-necessary rule (164.502(b)) that protect the real records.",
        example: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: intake-fixtures\ndata:\n  sample.json: \
'{\"patient_name\": \"Maria Garcia\", \"ssn\": \"536-22-1234\"}'",
        remediation: "Remove the identifiers: use synthetic data that cannot be mistaken for a person (reserved \
test ranges such as 555-01XX phones, `example.org` e-mail), or `phiguard phi redact` the fixture. If the value \
must exist, keep it in a Secret or a database with access control, never in configuration; then rotate or purge \
the repository history that already holds it.",
        references: &[
            "https://www.hhs.gov/hipaa/for-professionals/special-topics/de-identification/index.html",
            "45 CFR 164.514(b)(2)",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (id, cm) in cx.objects_of_kind("", "ConfigMap") {
        let entries = cm.root.get("data").map(Node::as_map).unwrap_or(&[]);
        for (key, node) in entries {
            let Some(value) = node.as_str() else {
                continue;
            };
            if let Some(what) = phi_summary(value) {
                out.at(
                    id,
                    node,
                    crate::rules::se::key_path("data", key),
                    format!("ConfigMap \"{}\" key {key} holds {what}", cm.name()),
                );
            }
        }
    }
}
