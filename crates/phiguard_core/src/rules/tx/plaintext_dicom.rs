//! TX004 plaintext-dicom-port.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::plaintext_ports;

pub const RULE: Rule = Rule {
    code: "TX004",
    name: "plaintext-dicom-port",
    family: Family::TX,
    severity: Severity::High,
    title: "DICOM listener on an unencrypted port",
    hipaa: &["164.312(e)(1)", "164.312(e)(2)(ii)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Flags containers of any workload that declare `containerPort` 104 or 11112 (the DICOM \
upper-layer ports, unencrypted by convention; DICOM over TLS uses 2762) and Services whose `port` or numeric \
`targetPort` is 104 or 11112, unless the workload, its pod template or the Service is annotated `phiguard.io/tls: \
\"true\"`. Applies inside and outside PHI scope.",
        why_it_matters: "DICOM associations carry images together with patient name, ID, birth date, accession \
number and study description in every header. On ports 104 and 11112 they travel in clear text, readable and \
alterable by anyone on the path. Transmission security (164.312(e)(1)) and its encryption specification \
(164.312(e)(2)(ii)) require encryption of imaging traffic between modalities, PACS and viewers.",
        example: "containers:\n  - name: arc\n    image: dcm4che/dcm4chee-arc-psql:5.31.0\n    ports:\n      \
- containerPort: 8080\n      - containerPort: 11112",
        remediation: "Enable DICOM TLS (port 2762) on the PACS (Orthanc `DicomTlsEnabled`, dcm4chee TLS \
connections) and on the peers, or wrap the association in a mesh with STRICT mTLS; then remove the plaintext port \
or record the protection with `phiguard.io/tls: \"true\"` on the workload or Service.",
        references: &[
            "https://dicom.nema.org/medical/dicom/current/output/chtml/part15/sect_B.html",
            "https://kubernetes.io/docs/concepts/services-networking/service/",
            "45 CFR 164.312(e)(1), 164.312(e)(2)(ii)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    plaintext_ports(cx, out, &[104, 11112], "DICOM");
}
