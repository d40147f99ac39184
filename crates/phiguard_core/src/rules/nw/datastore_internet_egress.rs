//! NW010 phi-datastore-internet-egress.

use crate::finding::Out;
use crate::netpol::zones::Invariant;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "NW010",
    name: "phi-datastore-internet-egress",
    family: Family::NW,
    severity: Severity::High,
    title: "PHI data store can open connections to the internet",
    hipaa: &["164.312(e)(1)", "164.312(a)(1)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Computes the exact connectivity of the manifests and proves that no PHI data store (a \
PHI-scope workload running a database or object store image) can open a connection to a public address (outside \
the private, shared, loopback and link-local ranges). Egress that no policy restricts counts. Points at the \
egress rule that allows it, or at the pod spec when no policy isolates the data store's egress.",
        why_it_matters: "A database that can reach the internet can be made to send its tables anywhere: the \
shortest exfiltration path after a compromise, and one that Kubernetes NetworkPolicy can only close by omission. \
Blocking it supports transmission security (164.312(e)(1)) and access control (164.312(a)(1)).",
        example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: db\n  namespace: \
records\nspec:\n  podSelector:\n    matchLabels: {app: postgres}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        \
- ipBlock: {cidr: 0.0.0.0/0}",
        remediation: "Isolate the data store's egress (`policyTypes: [Egress]`) and allow only in-cluster peers \
(replicas, DNS):\n\negress:\n  - to:\n      - podSelector:\n          matchLabels: {app: postgres}\n    ports:\n      \
- port: 5432",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic",
            "45 CFR 164.312(e)(1), 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    super::report_invariant(cx, out, Invariant::DataStoreInternetEgress);
}
