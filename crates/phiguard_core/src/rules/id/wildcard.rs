//! ID003 rbac-wildcard.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util::rbac_rules;
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "ID003",
    name: "rbac-wildcard",
    family: Family::ID,
    severity: Severity::High,
    title: "RBAC rule uses a wildcard",
    hipaa: &["164.308(a)(4)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_49"],
        kubescape: &["C-0187"],
        trivy: &["KSV-0044", "KSV-0045", "KSV-0046", "KSV-0112"],
        kube_linter: &["wildcard-in-rules"],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags every `\"*\"` item in the `verbs`, `resources` or `apiGroups` of a rule of a Role or \
ClusterRole (`rbac.authorization.k8s.io`), one finding per item. Roles whose name starts with `system:` (the control \
plane's own) are skipped, and so are aggregated ClusterRoles that have no `rules` of their own.",
        why_it_matters: "A wildcard grants today's resources and verbs and every one added later, including Secrets, \
`pods/exec` and resources of CRDs installed next year (backup snapshots, database operators' credentials). Information \
access management (164.308(a)(4)) requires access to ePHI to be authorized for a purpose; a wildcard cannot be \
reviewed because nobody can list what it grants.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ops\nrules:\n  \
- apiGroups: [\"*\"]\n    resources: [\"*\"]\n    verbs: [\"*\"]",
        remediation: "List the API groups, resources and verbs the subject needs. `kubectl auth can-i --list \
--as=system:serviceaccount:NS:NAME` and the audit log show what is actually used; the built-in `view` and `edit` \
ClusterRoles are reasonable starting points.\n\nrules:\n  - apiGroups: [\"apps\"]\n    resources: [\"deployments\"]\n    \
verbs: [\"get\", \"list\", \"watch\"]",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege",
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/",
            "45 CFR 164.308(a)(4)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for r in rbac_rules(cx) {
        for field in ["apiGroups", "resources", "verbs"] {
            let items = r.node.get(field).map(Node::as_seq).unwrap_or(&[]);
            for (i, item) in items.iter().enumerate() {
                if item.as_str() == Some("*") {
                    out.at(
                        r.id,
                        item,
                        r.path(&format!("{field}[{i}]")),
                        format!("{} grants \"*\" in {field}", r.describe()),
                    );
                }
            }
        }
    }
}
