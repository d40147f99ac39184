//! NW008 egress-to-internet.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::{open_rules, EGRESS};

pub const RULE: Rule = Rule {
    code: "NW008",
    name: "egress-to-internet",
    family: Family::NW,
    severity: Severity::Medium,
    title: "NetworkPolicy in a PHI namespace allows egress to any destination",
    hipaa: &["164.312(a)(1)", "164.312(e)(1)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "In namespaces in PHI scope, flags egress rules of `networking.k8s.io` NetworkPolicies that \
enforce egress when the rule has no `to` (or an empty `to: []`), at the rule, and `to` peers whose `ipBlock.cidr` is \
`0.0.0.0/0` or `::/0` (with or without `except`), at the CIDR. Rules that only allow port 53 (DNS) are not \
reported.",
        why_it_matters: "An egress rule to everywhere lets any process in the selected pods send data to any host on \
the internet: the usual exfiltration path after a compromise, and the way a misconfigured integration sends PHI to \
the wrong endpoint. Restricting destinations supports access control (164.312(a)(1)) and transmission security \
(164.312(e)(1)) for ePHI leaving the namespace.",
        example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api-egress\n  \
namespace: records\nspec:\n  podSelector:\n    matchLabels: {app: ehr-api}\n  policyTypes: [Egress]\n  egress:\n    \
- to:\n        - ipBlock:\n            cidr: 0.0.0.0/0",
        remediation: "List the destinations: in-cluster peers by `podSelector`/`namespaceSelector`, external \
partners by their CIDR, and route other outbound traffic through an egress gateway or proxy with an allow-list \
of hostnames:\n\negress:\n  - to:\n      - ipBlock:\n          cidr: 198.51.100.0/24\n    ports:\n      - port: 443",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource",
            "45 CFR 164.312(a)(1), 164.312(e)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    open_rules(cx, out, &EGRESS);
}
