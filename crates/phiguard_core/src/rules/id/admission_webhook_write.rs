//! ID012 rbac-admission-webhook-write.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util::rbac_rules;

pub const RULE: Rule = Rule {
    code: "ID012",
    name: "rbac-admission-webhook-write",
    family: Family::ID,
    severity: Severity::High,
    title: "RBAC rule allows changing admission webhook configurations",
    hipaa: &["164.312(c)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_155"],
        kubescape: &["C-0281"],
        trivy: &["KSV-0114"],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags rules of Roles and ClusterRoles that grant `create`, `update`, `patch`, `delete`, \
`deletecollection` (or `*`) on `validatingwebhookconfigurations` or `mutatingwebhookconfigurations` in the \
`admissionregistration.k8s.io` API group (or `*`), including through `*` resources. A rule restricted with `resourceNames` \
is reported only when it grants `create` or `*` (creation cannot be restricted by name). One finding per rule, at \
its `verbs`. Roles named `system:*` are skipped.",
        why_it_matters: "Admission webhooks see, and mutating webhooks rewrite, every object sent to the API \
server, Secrets included. Whoever can register a webhook can copy credentials out of the cluster or inject \
containers into pods that process PHI; whoever can delete one can switch off the policy engine (and this \
scanner's admission mode) that enforces the other safeguards. Integrity (164.312(c)(1)) of the workloads handling \
ePHI depends on this configuration.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: installer\n\
rules:\n  - apiGroups: [\"admissionregistration.k8s.io\"]\n    resources: [\"mutatingwebhookconfigurations\"]\n    \
verbs: [\"create\", \"patch\"]",
        remediation: "Keep webhook configuration changes in the cluster-administration pipeline. Operators that \
patch their own webhook's CA bundle need `update`/`patch` restricted with `resourceNames` to that one \
configuration.",
        references: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/",
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
            "45 CFR 164.312(c)(1)",
        ],
    },
    check,
};

const GROUP: &str = "admissionregistration.k8s.io";

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for r in rbac_rules(cx) {
        let covered = r.covered(&[
            (GROUP, "validatingwebhookconfigurations"),
            (GROUP, "mutatingwebhookconfigurations"),
        ]);
        if covered.is_empty() {
            continue;
        }
        let verbs = r.granting_verbs(&["create", "update", "patch", "delete", "deletecollection"]);
        let named_only = r.has_resource_names()
            && !verbs
                .iter()
                .any(|v| *v == "*" || v.eq_ignore_ascii_case("create"));
        if verbs.is_empty() || named_only {
            continue;
        }
        out.at(
            r.id,
            r.field("verbs"),
            r.path("verbs"),
            format!(
                "{} grants {} on {}",
                r.describe(),
                verbs.join(", "),
                covered.join(", ")
            ),
        );
    }
}
