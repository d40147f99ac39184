//! AU002 audit-policy-configmap-payloads.

use super::{evaluate, level_of, policies, Level, Req};
use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "AU002",
    name: "audit-policy-configmap-payloads",
    family: Family::AU,
    severity: Severity::High,
    title: "Audit policy copies ConfigMap contents in PHI namespaces into the audit log",
    hipaa: &["164.312(a)(1)", "164.312(b)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Flags audit Policy rules at `Request` or `RequestResponse` that can match `configmaps` in a \
PHI namespace (a rule restricted to namespaces outside PHI scope does not fire).",
        why_it_matters: "ConfigMaps of PHI workloads hold connection strings, patient-facing templates and sometimes \
data that should have been a Secret. Request bodies in the audit log copy them to wherever logs go, outside the \
access control of the PHI namespace.",
        example: "rules:\n  - level: RequestResponse\n    resources:\n      - group: \"\"\n        resources: [\"configmaps\"]",
        remediation: "Log configmaps at `Metadata` (before broader rules), or restrict body logging to namespaces \
that hold no PHI.",
        references: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (id, p) in policies(cx) {
        let mut seen = Vec::new();
        for verb in ["create", "update", "patch", "get", "list"] {
            let req = Req {
                group: "",
                resource: "configmaps",
                verb,
                namespace: None,
            };
            let (maybe, decided) = evaluate(&p.root, &req);
            for rule in maybe.into_iter().chain(decided) {
                let namespaces: Vec<&str> = rule
                    .get("namespaces")
                    .map(crate::yaml::Node::as_seq)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(crate::yaml::Node::as_str)
                    .collect();
                let touches_phi = namespaces.is_empty()
                    || namespaces.iter().any(|ns| cx.scope.namespace_in_scope(ns));
                if !touches_phi {
                    continue;
                }
                if let Some((level, node)) = level_of(rule) {
                    if level >= Level::Request && !seen.contains(&node.loc()) {
                        seen.push(node.loc());
                        let idx = p
                            .root
                            .get("rules")
                            .map(crate::yaml::Node::as_seq)
                            .unwrap_or(&[])
                            .iter()
                            .position(|r| std::ptr::eq(r, rule))
                            .unwrap_or(0);
                        out.at(
                            id,
                            node,
                            format!("rules[{idx}].level"),
                            format!(
                                "audit Policy \"{}\" logs ConfigMap requests{} at {}, copying their data into the audit log",
                                p.name(),
                                if namespaces.is_empty() { " in every namespace".to_string() } else { format!(" in {}", namespaces.join(", ")) },
                                level.as_str()
                            ),
                        );
                    }
                }
            }
        }
    }
}
