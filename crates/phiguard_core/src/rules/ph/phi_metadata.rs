//! PH003 phi-in-metadata.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

use super::phi_summary;

pub const RULE: Rule = Rule {
    code: "PH003",
    name: "phi-in-metadata",
    family: Family::PH,
    severity: Severity::High,
    title: "Label or annotation holds protected health information",
    hipaa: &["164.312(a)(1)", "164.514(b)(2)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Runs phiguard's PHI detector over the values of `metadata.labels` and \
`metadata.annotations` of every object, with the key as context (`patient-mrn: \"12345678\"`), and flags \
values holding a HIPAA Safe Harbor identifier with confidence 0.8 or more. The finding names the identifier \
types, never the value.",
        why_it_matters: "Labels and annotations are the least protected part of an object: every controller, \
operator, audit log, monitoring system (as metric labels) and `kubectl get -o wide` sees them, and label values \
are indexed by the API server. Tagging a job or pod with a patient's MRN or name, a common shortcut in \
per-patient batch processing, copies PHI into all of those systems.",
        example: "metadata:\n  name: reprocess-7f3c\n  labels:\n    patient-mrn: \"MR8812345\"",
        remediation: "Label with an opaque, non-derivable identifier (a random job ID) and keep the mapping to \
the patient in the application's access-controlled store.",
        references: &[
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/",
            "45 CFR 164.514(b)(2)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (id, obj) in cx.inv.objects.iter().enumerate() {
        for field in ["labels", "annotations"] {
            let entries = obj
                .root
                .at(&["metadata", field])
                .map(Node::as_map)
                .unwrap_or(&[]);
            for (key, node) in entries {
                let Some(value) = node.as_str() else {
                    continue;
                };
                // kubectl's last-applied-configuration repeats the object, which other rules already see.
                if key == "kubectl.kubernetes.io/last-applied-configuration" {
                    continue;
                }
                let short = key.rsplit('/').next().unwrap_or(key);
                if let Some(what) = phi_summary(&format!("{short}={value}")) {
                    out.at(
                        id,
                        node,
                        crate::rules::se::key_path(&format!("metadata.{field}"), key),
                        format!("{} {field} {key} holds {what}", obj.reference),
                    );
                }
            }
        }
    }
}
