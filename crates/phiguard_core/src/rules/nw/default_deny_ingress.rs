//! NW002 phi-namespace-no-default-deny-ingress.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::{namespace_anchor, policies};

pub const RULE: Rule = Rule {
    code: "NW002",
    name: "phi-namespace-no-default-deny-ingress",
    family: Family::NW,
    severity: Severity::High,
    title: "PHI namespace has no default-deny ingress NetworkPolicy",
    hipaa: &["164.312(a)(1)", "164.312(e)(1)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0054", "C-0206"],
        trivy: &["KSV-0038"],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "For each namespace in PHI scope, checks that a `networking.k8s.io` NetworkPolicy of the \
namespace has an empty `podSelector` (`{}`), enforces ingress (`policyTypes` lists `Ingress`, or is not given) and \
has no ingress rules (`ingress` absent or `[]`): the default-deny pattern. One finding per namespace, at the \
Namespace object's `metadata.name` when it is among the scanned objects, else at the pod spec of the first PHI \
workload of the namespace, else at the first object of the namespace. Only Kubernetes NetworkPolicies are \
considered.",
        why_it_matters: "Per-workload policies protect the pods someone remembered to write a policy for. A \
namespace-wide default deny makes every new pod, debug pod or forgotten sidecar in a PHI namespace unreachable \
until a policy allows its clients, so mistakes fail closed. This is the baseline auditors look for as evidence of \
access control (164.312(a)(1)) and transmission security (164.312(e)(1)) at the network layer.",
        example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: records\n  labels:\n    phiguard.io/phi: \
\"true\"\n# and no NetworkPolicy with podSelector: {} and no ingress rules in records",
        remediation: "Add a default-deny ingress policy, then allow each flow explicitly:\n\napiVersion: \
networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny-ingress\n  namespace: records\nspec:\n  \
podSelector: {}\n  policyTypes: [Ingress]",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic",
            "45 CFR 164.312(a)(1), 164.312(e)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    let nps = policies(cx);
    for ns in cx.scope.namespaces.keys() {
        let denied = nps.iter().any(|p| {
            p.namespace() == ns && p.selects_all() && p.ingress && p.rules("ingress").is_empty()
        });
        if denied {
            continue;
        }
        if let Some((id, node, path)) = namespace_anchor(cx, ns) {
            out.at(
                id,
                node,
                path,
                format!("PHI namespace \"{ns}\" has no default-deny ingress NetworkPolicy"),
            );
        }
    }
}
