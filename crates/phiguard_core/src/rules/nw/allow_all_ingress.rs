//! NW007 networkpolicy-allows-all-ingress.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::{open_rules, INGRESS};

pub const RULE: Rule = Rule {
    code: "NW007",
    name: "networkpolicy-allows-all-ingress",
    family: Family::NW,
    severity: Severity::High,
    title: "NetworkPolicy in a PHI namespace allows ingress from any source",
    hipaa: &["164.312(a)(1)", "164.312(e)(1)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "In namespaces in PHI scope, flags ingress rules of `networking.k8s.io` NetworkPolicies that \
enforce ingress when the rule has no `from` (or an empty `from: []`), which allows every source, pods and external \
clients alike, at the rule; and `from` peers whose `ipBlock.cidr` is `0.0.0.0/0` or `::/0`, at the CIDR.",
        why_it_matters: "A policy that selects a PHI pod and then allows all sources looks like isolation in a \
review but isolates nothing: the pod is as reachable as with no policy, and the allow rule also overrides any \
default deny for the pods it selects. Access control (164.312(a)(1)) and transmission security (164.312(e)(1)) \
need the allowed clients of PHI services to be named.",
        example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: fhir\n  namespace: \
records\nspec:\n  podSelector:\n    matchLabels: {app: fhir}\n  ingress:\n    - ports:\n        - port: 8080",
        remediation: "Name the clients: `from` with a `podSelector` (same namespace), a `namespaceSelector` plus \
`podSelector` (the ingress controller's pods), or an `ipBlock` limited to the load balancer's or partner's \
ranges:\n\ningress:\n  - from:\n      - namespaceSelector:\n          matchLabels: {kubernetes.io/metadata.name: \
ingress-nginx}\n        podSelector:\n          matchLabels: {app.kubernetes.io/name: ingress-nginx}\n    ports:\n      \
- port: 8080",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/#allow-all-ingress-traffic",
            "45 CFR 164.312(a)(1), 164.312(e)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    open_rules(cx, out, &INGRESS);
}
