//! ID007 rbac-escalate-bind-impersonate.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util::rbac_rules;

pub const RULE: Rule = Rule {
    code: "ID007",
    name: "rbac-escalate-bind-impersonate",
    family: Family::ID,
    severity: Severity::Critical,
    title: "RBAC rule allows privilege escalation (escalate, bind or impersonate)",
    hipaa: &["164.308(a)(4)", "164.312(d)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_157", "CKV_K8S_158", "CKV2_K8S_3"],
        kubescape: &["C-0065", "C-0191"],
        trivy: &["KSV-0043"],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags rules of Roles and ClusterRoles that grant `escalate` or `bind` (or `*`) on `roles` \
or `clusterroles` (API group `rbac.authorization.k8s.io` or `*`), or `impersonate` (or `*`) on `users`, `groups`, \
`serviceaccounts` (core group) or `userextras`/`uids` (`authentication.k8s.io`); `*` resources count. One finding \
per rule, at its `verbs`. Roles named `system:*` are skipped.",
        why_it_matters: "RBAC normally prevents a user from granting permissions they do not hold. `escalate` \
lifts that check when editing roles, `bind` lifts it when creating bindings, and `impersonate` lets the holder act \
as any other user, group or ServiceAccount, including one bound to `cluster-admin`. Each is a path to every Secret \
and every PHI workload, and impersonated requests are attributed to someone else in the audit log, which defeats \
person or entity authentication (164.312(d)) and information access management (164.308(a)(4)).",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: \
rbac-manager\nrules:\n  - apiGroups: [\"rbac.authorization.k8s.io\"]\n    resources: [\"clusterroles\"]\n    \
verbs: [\"get\", \"bind\", \"escalate\"]",
        remediation: "Remove `escalate`, `bind` and `impersonate` from roles held by workloads and day-to-day \
users. Where a controller must bind roles (an operator that creates RoleBindings), restrict `bind` with \
`resourceNames` to the specific roles it hands out, restrict `impersonate` to named identities the same way, and \
record a waiver with the justification: the finding stays, because even a named role can be more than the \
controller should be able to give away.",
        references: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping",
            "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation",
            "45 CFR 164.308(a)(4), 164.312(d)",
        ],
    },
    check,
};

const RBAC: &str = "rbac.authorization.k8s.io";
const AUTHN: &str = "authentication.k8s.io";

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for r in rbac_rules(cx) {
        let mut grants: Vec<String> = Vec::new();
        let roles = r.covered(&[(RBAC, "roles"), (RBAC, "clusterroles")]);
        let escalation = r.granting_verbs(&["escalate", "bind"]);
        if !roles.is_empty() && !escalation.is_empty() {
            grants.push(format!("{} on {}", escalation.join(", "), roles.join(", ")));
        }
        let mut identities = r.covered(&[
            ("", "users"),
            ("", "groups"),
            ("", "serviceaccounts"),
            (AUTHN, "userextras"),
            (AUTHN, "uids"),
        ]);
        if r.in_group(AUTHN) && !identities.contains(&"userextras") {
            if let Some(extra) = r.resources.iter().find(|x| x.starts_with("userextras/")) {
                identities.push(*extra);
            }
        }
        let impersonate = r.granting_verbs(&["impersonate"]);
        if !identities.is_empty() && !impersonate.is_empty() {
            grants.push(format!(
                "{} on {}",
                impersonate.join(", "),
                identities.join(", ")
            ));
        }
        if grants.is_empty() {
            continue;
        }
        out.at(
            r.id,
            r.field("verbs"),
            r.path("verbs"),
            format!("{} grants {}", r.describe(), grants.join("; ")),
        );
    }
}
