//! ID005 rbac-read-secrets.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util::{report_grants, NamedOnlyIsExempt};

pub const RULE: Rule = Rule {
    code: "ID005",
    name: "rbac-read-secrets",
    family: Family::ID,
    severity: Severity::High,
    title: "RBAC rule allows reading Secrets",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV2_K8S_5"],
        kubescape: &["C-0015", "C-0186"],
        trivy: &["KSV-0041", "KSV-0113"],
        kube_linter: &["access-to-secrets"],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags rules of Roles and ClusterRoles that grant `get`, `list` or `watch` (or `*`) on \
`secrets` (or `*` resources) in the core API group (`\"\"` or `*`). Rules restricted by `resourceNames` are \
not reported: reading one named Secret is the least-privilege form. One finding per rule, at its `verbs`. Roles \
named `system:*` are skipped.",
        why_it_matters: "Secrets hold the database passwords, TLS keys and cloud credentials that protect PHI. \
`list` and `watch` return the content of every Secret in scope, not just names, so a namespaced Role is already \
enough to take over every data store of the namespace, and a ClusterRole all of them. Access control \
(164.312(a)(1)) requires that only the software that needs a credential can read it.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: config-reader\n\
rules:\n  - apiGroups: [\"\"]\n    resources: [\"configmaps\", \"secrets\"]\n    verbs: [\"get\", \"list\"]",
        remediation: "Mount the Secrets a workload needs as volumes instead of reading them through the API. If \
API access is unavoidable, use a namespaced Role limited with `resourceNames` and only the `get` verb:\n\n\
rules:\n  - apiGroups: [\"\"]\n    resources: [\"secrets\"]\n    resourceNames: [\"app-tls\"]\n    verbs: [\"get\"]",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets",
            "https://kubernetes.io/docs/concepts/configuration/secret/#information-security-for-secrets",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    report_grants(
        cx,
        out,
        &[("", "secrets")],
        &["get", "list", "watch"],
        NamedOnlyIsExempt::Yes,
    );
}
