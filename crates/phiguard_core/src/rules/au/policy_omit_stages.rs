//! AU004 audit-policy-omit-stages.

use super::policies;
use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "AU004",
    name: "audit-policy-omit-stages",
    family: Family::AU,
    severity: Severity::Medium,
    title: "Audit policy omits stages that carry the outcome of requests",
    hipaa: &["164.312(b)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Flags `omitStages` (of the Policy or of a rule) that lists `ResponseComplete`, \
`ResponseStarted` or `Panic`. Omitting `RequestReceived` is fine and common.",
        why_it_matters: "`ResponseComplete` carries the response code, without which a denied request cannot be \
told from an allowed one; `ResponseStarted` is the only stage of exec and watch sessions while they run; `Panic` \
records requests that crashed the handler. Dropping them leaves gaps in the record of who reached PHI.",
        example: "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [\"RequestReceived\", \"ResponseStarted\"]",
        remediation: "Keep only `RequestReceived` in omitStages.",
        references: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
    },
    check,
};

fn flag(cx_out: &mut Out, id: crate::inventory::ObjectId, list: &Node, path: &str, name: &str) {
    for s in list.as_seq() {
        if let Some(stage) = s.as_str() {
            if matches!(stage, "ResponseComplete" | "ResponseStarted" | "Panic") {
                cx_out.at(
                    id,
                    s,
                    path.to_string(),
                    format!("audit Policy \"{name}\" omits stage {stage}"),
                );
            }
        }
    }
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (id, p) in policies(cx) {
        if let Some(list) = p.root.get("omitStages") {
            flag(out, id, list, "omitStages", p.name());
        }
        for (i, rule) in p
            .root
            .get("rules")
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            if let Some(list) = rule.get("omitStages") {
                flag(out, id, list, &format!("rules[{i}].omitStages"), p.name());
            }
        }
    }
}
