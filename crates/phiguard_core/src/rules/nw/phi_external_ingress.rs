//! NW011 phi-ingress-from-outside-cluster.

use crate::finding::Out;
use crate::netpol::zones::Invariant;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "NW011",
    name: "phi-ingress-from-outside-cluster",
    family: Family::NW,
    severity: Severity::High,
    title: "PHI workload accepts connections from outside the cluster without a declared flow",
    hipaa: &["164.312(a)(1)", "164.312(e)(1)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Computes the exact connectivity of the manifests and proves that no PHI workload accepts \
a connection from an address outside the cluster, unless a flow from a zone holding that address (`internet`, or a \
zone with `cidrs`) to the workload's zone is declared in phiguard.toml. Traffic through an ingress controller \
arrives from its pods, not from outside, and is checked by NW009/NW012. Points at the ingress rule that allows \
it, or at the pod spec when no policy isolates the workload's ingress.",
        why_it_matters: "PHI services should be reached from outside only through the declared entry point \
(ingress controller, API gateway) where TLS, authentication and audit happen. A direct path from external \
addresses bypasses them. Closing it supports access control (164.312(a)(1)) and transmission security \
(164.312(e)(1)).",
        example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\n  namespace: \
records\nspec:\n  podSelector:\n    matchLabels: {app: ehr-api}\n  ingress:\n    - from:\n        - ipBlock: {cidr: \
0.0.0.0/0}",
        remediation: "Allow ingress only from the ingress controller's namespace:\n\ningress:\n  - from:\n      \
- namespaceSelector:\n          matchLabels: {kubernetes.io/metadata.name: ingress-nginx}\n\nor declare the flow \
when direct access is intended ([[netpol.flow]] from = \"partners\").",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
            "45 CFR 164.312(a)(1), 164.312(e)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    super::report_invariant(cx, out, Invariant::PhiExternalIngress);
}
