//! ID009 binding-to-anonymous.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::{bindings, role_ref, subjects};

pub const RULE: Rule = Rule {
    code: "ID009",
    name: "binding-to-anonymous",
    family: Family::ID,
    severity: Severity::Critical,
    title: "Binding grants a role to anonymous or all authenticated users",
    hipaa: &["164.312(d)", "164.312(a)(2)(i)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0262", "C-0265"],
        trivy: &["KSV-0122", "KSV-0123"],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags subjects of RoleBindings and ClusterRoleBindings that are the user \
`system:anonymous` or the group `system:unauthenticated` (whatever the role), or the group `system:authenticated` \
bound to anything other than the discovery roles Kubernetes itself grants to it (`system:basic-user`, \
`system:discovery`, `system:public-info-viewer`). Points at the subject's `name`.",
        why_it_matters: "`system:anonymous` and `system:unauthenticated` are whoever can reach the API server \
without credentials; `system:authenticated` is every identity the cluster accepts, which on managed clusters can \
include any account of the cloud provider (the GKE `system:authenticated` incident). Permissions granted to them \
belong to nobody in particular, so no access can be traced to a person: person or entity authentication \
(164.312(d)) and unique user identification (164.312(a)(2)(i)) both fail.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: \
public-view\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n  \
- apiGroup: rbac.authorization.k8s.io\n    kind: Group\n    name: system:unauthenticated",
        remediation: "Delete the subject and bind the role to the named users, groups or ServiceAccounts that need \
it. Run the API server with `--anonymous-auth=false` (or restrict anonymous access to health endpoints with an \
AuthenticationConfiguration) so such bindings cannot take effect.",
        references: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles",
            "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests",
            "45 CFR 164.312(d), 164.312(a)(2)(i)",
        ],
    },
    check,
};

/// ClusterRoles that Kubernetes binds to `system:authenticated` by default.
const DISCOVERY_ROLES: &[&str] = &[
    "system:basic-user",
    "system:discovery",
    "system:public-info-viewer",
];

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (id, b) in bindings(cx) {
        let (role_kind, role_name) = role_ref(b);
        for s in subjects(b) {
            let anonymous = matches!(
                (s.kind, s.name),
                ("User", "system:anonymous") | ("Group", "system:unauthenticated")
            );
            let everyone = s.kind == "Group"
                && s.name == "system:authenticated"
                && !(role_kind == "ClusterRole" && DISCOVERY_ROLES.contains(&role_name));
            if anonymous || everyone {
                out.at(
                    id,
                    s.node,
                    format!("subjects[{}].name", s.index),
                    format!(
                        "{} \"{}\" binds {} \"{}\" to {}",
                        b.kind(),
                        b.name(),
                        role_kind,
                        role_name,
                        s.describe()
                    ),
                );
            }
        }
    }
}
