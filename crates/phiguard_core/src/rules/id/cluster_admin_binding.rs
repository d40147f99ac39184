//! ID004 cluster-admin-binding.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::{bindings, role_ref, subjects};

pub const RULE: Rule = Rule {
    code: "ID004",
    name: "cluster-admin-binding",
    family: Family::ID,
    severity: Severity::Critical,
    title: "Binding grants the cluster-admin ClusterRole",
    hipaa: &["164.308(a)(4)", "164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0035", "C-0185"],
        trivy: &["KSV-0111"],
        kube_linter: &["cluster-admin-role-binding"],
        polaris: &[
            "clusterrolebindingClusterAdmin",
            "rolebindingClusterAdminClusterRole",
        ],
    },
    docs: Docs {
        what_it_does: "Flags ClusterRoleBindings and RoleBindings whose `roleRef` is the ClusterRole \
`cluster-admin` and that have at least one subject outside the control plane, that is a subject whose name does \
not start with `system:` (so the built-in binding of the `system:masters` group is not reported). Points at \
`roleRef.name`.",
        why_it_matters: "`cluster-admin` can do anything: read every Secret, exec into every pod, change RBAC and \
admission webhooks, and delete audit evidence. Through a ClusterRoleBinding it covers every namespace holding PHI; \
through a RoleBinding it is still full control of that namespace. Information access management (164.308(a)(4)) and \
access control (164.312(a)(1)) require access to be limited to what a role needs, which `cluster-admin` never is \
for a workload or a day-to-day user.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: ci\n\
roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  \
- kind: ServiceAccount\n    name: deployer\n    namespace: ci",
        remediation: "Bind a dedicated ClusterRole or namespaced Role that lists what the subject needs, and keep \
break-glass `cluster-admin` access out of manifests (grant it just in time, with audit). For CI deployers, bind \
`edit` (or a narrower Role) per target namespace with RoleBindings.",
        references: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles",
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
            "45 CFR 164.308(a)(4), 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (id, b) in bindings(cx) {
        let (kind, name) = role_ref(b);
        if kind != "ClusterRole" || name != "cluster-admin" {
            continue;
        }
        let outside: Vec<String> = subjects(b)
            .iter()
            .filter(|s| !s.name.starts_with("system:"))
            .map(|s| s.describe())
            .collect();
        if outside.is_empty() {
            continue;
        }
        let Some(node) = b.root.at(&["roleRef", "name"]) else {
            continue;
        };
        out.at(
            id,
            node,
            "roleRef.name",
            format!(
                "{} \"{}\" grants cluster-admin to {}",
                b.kind(),
                b.name(),
                outside.join(", ")
            ),
        );
    }
}
