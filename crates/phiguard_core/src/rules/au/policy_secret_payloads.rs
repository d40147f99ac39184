//! AU001 audit-policy-secret-payloads.

use super::{evaluate, level_of, policies, Level, Req};
use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "AU001",
    name: "audit-policy-secret-payloads",
    family: Family::AU,
    severity: Severity::Critical,
    title: "Audit policy copies Secret contents into the audit log",
    hipaa: &["164.312(a)(2)(iv)", "164.312(c)(1)", "164.312(b)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Evaluates the audit Policy's rules in order, as the API server does, for requests on `secrets` \
and flags every rule at level `Request` or `RequestResponse` that can match them before a rule that settles the \
level for everyone.",
        why_it_matters: "At `Request` the Secret's data is written into the audit log with the request body; at \
`RequestResponse` every get and list writes it too. The database passwords and keys that protect PHI then sit in \
plain text in log storage, readable by everyone who can read logs, and copied to every log sink.",
        example: "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: RequestResponse\n    resources:\n      \
- group: \"\"\n        resources: [\"secrets\"]",
        remediation: "Log secrets at `Metadata` in a rule placed before any broader rule:\n\n  - level: Metadata\n    \
resources:\n      - group: \"\"\n        resources: [\"secrets\", \"configmaps\", \"serviceaccounts/token\"]",
        references: &[
            "https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy",
            "45 CFR 164.312(b), 164.312(c)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (id, p) in policies(cx) {
        let mut seen = Vec::new();
        for verb in ["get", "list", "watch", "create", "update", "patch"] {
            let req = Req {
                group: "",
                resource: "secrets",
                verb,
                namespace: None,
            };
            let (maybe, decided) = evaluate(&p.root, &req);
            for rule in maybe.into_iter().chain(decided) {
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
                                "audit Policy \"{}\" logs Secret requests at {}, which writes Secret data into the audit log",
                                p.name(),
                                level.as_str()
                            ),
                        );
                    }
                }
            }
        }
    }
}
