//! ID011 rbac-serviceaccount-token.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util::{report_grants, NamedOnlyIsExempt};

pub const RULE: Rule = Rule {
    code: "ID011",
    name: "rbac-serviceaccount-token",
    family: Family::ID,
    severity: Severity::High,
    title: "RBAC rule allows minting ServiceAccount tokens",
    hipaa: &["164.312(d)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0282"],
        trivy: &[],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags rules of Roles and ClusterRoles that grant `create` (or `*`) on \
`serviceaccounts/token` in the core API group, including through `serviceaccounts/*`, `*/token` or `*` resources. \
Rules restricted with `resourceNames` (tokens for named ServiceAccounts only) are not reported. One finding per \
rule, at its `verbs`. Roles named `system:*` are skipped.",
        why_it_matters: "The TokenRequest API issues a fresh, valid token for any ServiceAccount the rule covers. \
The holder can then authenticate as that ServiceAccount, with all of its permissions, for as long as the token \
lives, and the API calls are recorded under the ServiceAccount's name rather than the real actor's. Person or \
entity authentication (164.312(d)) requires that an identity's credentials be usable only by that identity.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: token-issuer\n  \
namespace: records\nrules:\n  - apiGroups: [\"\"]\n    resources: [\"serviceaccounts/token\"]\n    verbs: \
[\"create\"]",
        remediation: "Remove the permission, or restrict it with `resourceNames` to the one ServiceAccount whose \
tokens the component must issue. Pods get their own tokens through projected volumes and never need this \
permission.",
        references: &[
            "https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/",
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
            "45 CFR 164.312(d)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    report_grants(
        cx,
        out,
        &[("", "serviceaccounts/token")],
        &["create"],
        NamedOnlyIsExempt::Yes,
    );
}
