//! AU003 audit-policy-missing-events.

use super::{evaluate, level_of, policies, Level, Req};
use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "AU003",
    name: "audit-policy-missing-events",
    family: Family::AU,
    severity: Severity::High,
    title: "Audit policy does not record what PHI access reviews need",
    hipaa: &["164.312(b)", "164.308(a)(1)(ii)(D)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0160", "C-0161"],
        trivy: &[],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Evaluates the Policy for every user and namespace and reports requests it leaves below the \
level `phiguard audit` needs: pods/exec, pods/attach and pods/portforward (Metadata), secret get/list/watch \
(Metadata), and writes to Roles, ClusterRoles and their bindings (Request, so new cluster-admin grants and \
aggregation labels can be seen). Rules limited to some users, groups or namespaces do not count as recording.",
        why_it_matters: "Audit controls (164.312(b)) are only as good as what is recorded: a policy that drops exec \
sessions or RBAC changes makes the activity review of 164.308(a)(1)(ii)(D) blind exactly where PHI is reached.",
        example: "rules:\n  - level: None\n    resources:\n      - group: \"\"\n        resources: [\"pods/exec\"]\n  - level: Metadata",
        remediation: "Add, before any `None` rule that would swallow them:\n\n  - level: Metadata\n    resources:\n      \
- group: \"\"\n        resources: [\"pods/exec\", \"pods/attach\", \"pods/portforward\", \"secrets\"]\n  - level: Request\n    \
verbs: [create, update, patch, delete]\n    resources:\n      - group: rbac.authorization.k8s.io",
        references: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
    },
    check,
};

const NEEDS: &[(&str, &str, &[&str], Level, &str)] = &[
    (
        "",
        "pods/exec",
        &["create", "get"],
        Level::Metadata,
        "exec into pods",
    ),
    (
        "",
        "pods/attach",
        &["create", "get"],
        Level::Metadata,
        "attach to pods",
    ),
    (
        "",
        "pods/portforward",
        &["create", "get"],
        Level::Metadata,
        "port-forward to pods",
    ),
    (
        "",
        "secrets",
        &["get", "list", "watch"],
        Level::Metadata,
        "secret reads",
    ),
    (
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        &["create", "update", "patch", "delete"],
        Level::Request,
        "ClusterRoleBinding writes",
    ),
    (
        "rbac.authorization.k8s.io",
        "rolebindings",
        &["create", "update", "patch", "delete"],
        Level::Request,
        "RoleBinding writes",
    ),
    (
        "rbac.authorization.k8s.io",
        "clusterroles",
        &["create", "update", "patch", "delete"],
        Level::Request,
        "ClusterRole writes",
    ),
    (
        "rbac.authorization.k8s.io",
        "roles",
        &["create", "update", "patch", "delete"],
        Level::Request,
        "Role writes",
    ),
];

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (id, p) in policies(cx) {
        let rules = p.root.get("rules").map(Node::as_seq).unwrap_or(&[]);
        // Gaps grouped by the rule that decides them (None: no rule records the request).
        let mut gaps: Vec<(Option<usize>, Level, Vec<String>)> = Vec::new();
        for (group, resource, verbs, need, what) in NEEDS {
            for verb in *verbs {
                let req = Req {
                    group,
                    resource,
                    verb,
                    namespace: None,
                };
                let (_, decided) = evaluate(&p.root, &req);
                let level = decided
                    .and_then(level_of)
                    .map(|(l, _)| l)
                    .unwrap_or(Level::None);
                if level < *need {
                    let idx = decided.and_then(|d| rules.iter().position(|r| std::ptr::eq(r, d)));
                    let text = format!("{what} ({verb}, needs {})", need.as_str());
                    match gaps.iter_mut().find(|(i, _, _)| *i == idx) {
                        Some((_, _, list)) => list.push(text),
                        None => gaps.push((idx, level, vec![text])),
                    }
                    break;
                }
            }
        }
        for (idx, level, list) in gaps {
            let (node, path) = match idx {
                Some(i) => (
                    rules[i].get("level").unwrap_or(&rules[i]),
                    format!("rules[{i}].level"),
                ),
                None => (p.root.get("rules").unwrap_or(&p.root), "rules".to_string()),
            };
            let how = match idx {
                Some(_) => format!("records these only at {}", level.as_str()),
                None => {
                    "does not record these at all (no rule matches them for every user)".to_string()
                }
            };
            out.at(
                id,
                node,
                path,
                format!("audit Policy \"{}\" {how}: {}", p.name(), list.join("; ")),
            );
        }
    }
}
