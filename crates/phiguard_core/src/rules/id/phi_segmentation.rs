//! ID017 phi-segmentation-rewrite.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::report_phi_powers;

pub const RULE: Rule = Rule {
    code: "ID017",
    name: "phi-segmentation-rewrite",
    family: Family::ID,
    severity: Severity::High,
    title: "Subject can rewrite network segmentation of a PHI namespace",
    hipaa: &["164.312(a)(1)", "164.308(a)(4)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &[],
        trivy: &["KSV-0056"],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Computes effective permissions (aggregated and bootstrap roles included) and flags each \
non-system subject whose binding reaches a PHI namespace and lets it create, change or delete NetworkPolicies \
(also Calico, Cilium and admin network policies), or update or patch pod or namespace labels. One finding per \
binding subject, at its `name`, citing the rule.",
        why_it_matters: "Segmentation of PHI workloads rests on NetworkPolicies and on the labels their \
selectors match: whoever can edit a policy, relabel a pod into an allowed set, or relabel a namespace into a \
`namespaceSelector` can open a path to PHI without touching the PHI workload. Access control (164.312(a)(1)) \
and information access management (164.308(a)(4)) need those controls to be changeable only by the people \
accountable for them.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: netops\n  namespace: \
clinic\nrules:\n  - apiGroups: [\"networking.k8s.io\"]\n    resources: [\"networkpolicies\"]\n    verbs: \
[\"patch\", \"delete\"]",
        remediation: "Leave NetworkPolicies of PHI namespaces to the GitOps controller or platform team, and \
remove `update`/`patch` on `pods` and `namespaces` from application roles (the bootstrap `edit` role includes \
`patch` on pods). Enforce label immutability for segmentation labels with an admission policy.",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#namespace-modification",
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
            "45 CFR 164.312(a)(1), 164.308(a)(4)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    report_phi_powers(cx, out, |h| h.power.segmentation, |s| s.is_system());
}
