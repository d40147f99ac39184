//! NW012 undeclared-zone-flow.

use crate::finding::Out;
use crate::netpol::zones::Invariant;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "NW012",
    name: "undeclared-zone-flow",
    family: Family::NW,
    severity: Severity::Medium,
    title: "Traffic between zones is allowed beyond the declared flows",
    hipaa: &["164.312(a)(1)", "164.308(a)(4)(ii)(C)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "When zones are declared (`[[netpol.zone]]` in phiguard.toml), computes the exact \
connectivity of the manifests and proves that traffic from one zone to another stays within the declared flows \
(`[[netpol.flow]]`, with ports). Traffic inside a zone is not restricted. The built-in zone `internet` holds the \
public addresses. Points at the policy rule that allows the extra traffic, or at the pod spec when no policy \
isolates the workload. Does nothing without zones.",
        why_it_matters: "A segmentation design (web may call the API, only the API may call the database) is only \
as good as the policies that enforce it, and a single broad rule silently opens a path the design forbids. \
Proving the design against the manifests, for existing and future pods, supports access control (164.312(a)(1)) \
and access establishment (164.308(a)(4)(ii)(C)), and is the network map auditors ask for.",
        example: "[[netpol.flow]]\nfrom = \"web\"\nto = \"api\"\nports = [\"TCP/8443\"]\n# but the API's policy \
allows every port from the web namespace",
        remediation: "Narrow the rule to the declared peers and ports, or declare the flow if it is intended. \
`phiguard netpol verify` prints each counterexample with the policy lines that allow it.",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
            "45 CFR 164.312(a)(1), 164.308(a)(4)(ii)(C)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    super::report_invariant(cx, out, Invariant::ZoneFlows);
}
