//! TX003 plaintext-hl7-port.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::plaintext_ports;

pub const RULE: Rule = Rule {
    code: "TX003",
    name: "plaintext-hl7-port",
    family: Family::TX,
    severity: Severity::High,
    title: "HL7 MLLP listener without TLS",
    hipaa: &["164.312(e)(1)", "164.312(e)(2)(ii)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Flags containers of any workload that declare `containerPort: 2575` (the registered HL7 \
MLLP port) and Services whose `port` or numeric `targetPort` is 2575, unless the workload, its pod template or the \
Service is annotated `phiguard.io/tls: \"true\"` (the listener is wrapped in TLS by the engine, a sidecar such as \
stunnel, or a mesh with strict mTLS). Applies inside and outside PHI scope: an HL7 feed is PHI wherever it runs.",
        why_it_matters: "MLLP is a bare TCP framing of HL7 v2 messages: ADT, ORU and ORM messages carry names, \
dates of birth, MRNs, diagnoses and results in clear text. Anyone who can capture traffic on the node, the overlay \
network or a mirrored port reads them. Transmission security (164.312(e)(1)) and its encryption specification \
(164.312(e)(2)(ii)) apply to every hop of an interface engine.",
        example: "containers:\n  - name: mirth\n    image: nextgenhealthcare/connect:4.5\n    ports:\n      \
- containerPort: 2575",
        remediation: "Enable TLS on the MLLP listener (Mirth Connect and most engines support MLLP over TLS), or \
terminate TLS in a sidecar or a service mesh with STRICT mTLS, then record it with the annotation:\n\nmetadata:\n  \
annotations:\n    phiguard.io/tls: \"true\"",
        references: &[
            "https://www.hl7.org/implement/standards/product_brief.cfm?product_id=55",
            "https://kubernetes.io/docs/concepts/services-networking/service/",
            "45 CFR 164.312(e)(1), 164.312(e)(2)(ii)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    plaintext_ports(cx, out, &[2575], "HL7 MLLP");
}
