//! ID017 phi-segmentation-rewrite.

use crate::finding::Out;
use crate::rbac::powers::binding_powers;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::{model, phi_list, phi_reach, relate_rule, report_at};

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
    if cx.scope.namespaces.is_empty() {
        return;
    }
    let m = model(cx);
    for (bi, b) in m.bindings.iter().enumerate() {
        let Some(object) = b.object else { continue };
        let reach = phi_reach(cx, b);
        if reach.is_empty() {
            continue;
        }
        let held: Vec<_> = binding_powers(m, bi)
            .into_iter()
            .filter(|h| h.power.segmentation)
            .collect();
        if held.is_empty() {
            continue;
        }
        for s in &b.subjects {
            if s.subject.is_system() {
                continue;
            }
            let what: Vec<String> = held
                .iter()
                .map(|h| {
                    let e = &h.evidence[0];
                    format!("{} ({}, {})", h.power.title, e.what, m.rules[e.rule].cite())
                })
                .collect();
            report_at(
                out,
                object,
                &s.loc,
                format!("subjects[{}].name", s.index),
                format!(
                    "{} can {} in {} through {}",
                    s.subject.describe(),
                    what.join(" and "),
                    phi_list(&reach),
                    b.describe()
                ),
            );
            for h in &held {
                let e = &h.evidence[0];
                relate_rule(out, &m.rules[e.rule], &e.what);
            }
        }
    }
}
