//! NW003 phi-namespace-no-default-deny-egress.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::{namespace_anchor, only_dns, policies};

pub const RULE: Rule = Rule {
    code: "NW003",
    name: "phi-namespace-no-default-deny-egress",
    family: Family::NW,
    severity: Severity::Medium,
    title: "PHI namespace has no default-deny egress NetworkPolicy",
    hipaa: &["164.312(a)(1)", "164.312(e)(1)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0030"],
        trivy: &[],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "For each namespace in PHI scope, checks that a `networking.k8s.io` NetworkPolicy of the \
namespace has an empty `podSelector` (`{}`), enforces egress (`policyTypes` lists `Egress`) and has either no \
egress rules or only rules that allow DNS (every listed port is 53): default deny with a DNS exception. One finding \
per namespace, at the Namespace object's `metadata.name` when it is among the scanned objects, else at the pod spec \
of the first PHI workload of the namespace, else at the first object of the namespace.",
        why_it_matters: "Without an egress default deny, any process in a PHI namespace can open connections to \
anywhere: an attacker who gets code execution ships the database out over HTTPS, and a misconfigured client sends \
PHI to the wrong endpoint without anyone noticing. Restricting outbound flows supports access control \
(164.312(a)(1)) and transmission security (164.312(e)(1)) by making every destination of ePHI explicit.",
        example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: records\n  labels:\n    phiguard.io/phi: \
\"true\"\n# and no NetworkPolicy with podSelector: {} and policyTypes: [Egress] in records",
        remediation: "Add a default-deny egress policy that still allows DNS, then allow each destination \
explicitly:\n\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny-egress\n  \
namespace: records\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - ports:\n        - {port: \
53, protocol: UDP}\n        - {port: 53, protocol: TCP}",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic",
            "45 CFR 164.312(a)(1), 164.312(e)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    let nps = policies(cx);
    for ns in cx.scope.namespaces.keys() {
        let denied = nps.iter().any(|p| {
            p.namespace() == ns
                && p.selects_all()
                && p.egress
                && p.rules("egress").iter().all(only_dns)
        });
        if denied {
            continue;
        }
        if let Some((id, node, path)) = namespace_anchor(cx, ns) {
            out.at(
                id,
                node,
                path,
                format!("PHI namespace \"{ns}\" has no default-deny egress NetworkPolicy"),
            );
        }
    }
}
