//! The HIPAA Security Rule's standards and implementation specifications (45 CFR 164.308, 164.310, 164.312), as
//! data: which specification a rule citation names, whether it is required or addressable, and what a scan of
//! Kubernetes manifests can and cannot show about it.

/// The three groups of safeguards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safeguard {
    Administrative,
    Physical,
    Technical,
}

impl Safeguard {
    pub const ALL: [Safeguard; 3] = [
        Safeguard::Administrative,
        Safeguard::Physical,
        Safeguard::Technical,
    ];
    /// The CFR section, e.g. `164.308`.
    pub fn section(self) -> &'static str {
        match self {
            Safeguard::Administrative => "164.308",
            Safeguard::Physical => "164.310",
            Safeguard::Technical => "164.312",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Safeguard::Administrative => "Administrative safeguards",
            Safeguard::Physical => "Physical safeguards",
            Safeguard::Technical => "Technical safeguards",
        }
    }
}

/// Required (R) or addressable (A), as in the rule's Appendix A.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Requirement {
    Required,
    Addressable,
}

/// An implementation specification.
#[derive(Debug)]
pub struct Spec {
    pub citation: &'static str,
    pub title: &'static str,
    pub requirement: Requirement,
    /// What a manifest scan cannot establish about this specification.
    pub limits: &'static str,
}

/// A standard. A standard without separate implementation specifications is itself the specification, with
/// `requirement` set.
#[derive(Debug)]
pub struct Standard {
    pub citation: &'static str,
    pub safeguard: Safeguard,
    pub title: &'static str,
    pub requirement: Option<Requirement>,
    pub specs: &'static [Spec],
    /// What a manifest scan cannot establish about the standard as a whole.
    pub limits: &'static str,
}

/// Where a citation points.
#[derive(Clone, Copy, Debug)]
pub struct Resolved {
    pub standard: &'static Standard,
    /// None when the citation names the standard itself.
    pub spec: Option<&'static Spec>,
}

use Requirement::{Addressable as A, Required as R};

const NOT_CONFIG: &str =
    "A policy, procedure or document: Kubernetes configuration holds no evidence of it.";

const fn spec(
    citation: &'static str,
    title: &'static str,
    requirement: Requirement,
    limits: &'static str,
) -> Spec {
    Spec {
        citation,
        title,
        requirement,
        limits,
    }
}

/// Every standard of 164.308, 164.310 and 164.312, in the order of the regulation.
pub static STANDARDS: &[Standard] = &[
    Standard {
        citation: "164.308(a)(1)",
        safeguard: Safeguard::Administrative,
        title: "Security management process",
        requirement: None,
        specs: &[
            spec("164.308(a)(1)(ii)(A)", "Risk analysis", R, "The written risk analysis is a document; phiguard's findings can feed it but are not it."),
            spec("164.308(a)(1)(ii)(B)", "Risk management", R, "Configuration shows some security measures in place; the risk management plan and its decisions are documents."),
            spec("164.308(a)(1)(ii)(C)", "Sanction policy", R, NOT_CONFIG),
            spec("164.308(a)(1)(ii)(D)", "Information system activity review", R, "Whether anyone reviews the audit records is a practice, not a configuration."),
        ],
        limits: "The risk analysis, risk management plan and sanction policy are documents outside the cluster.",
    },
    Standard {
        citation: "164.308(a)(2)",
        safeguard: Safeguard::Administrative,
        title: "Assigned security responsibility",
        requirement: Some(R),
        specs: &[],
        limits: "Naming a security official is an organisational act; the cluster does not record it.",
    },
    Standard {
        citation: "164.308(a)(3)",
        safeguard: Safeguard::Administrative,
        title: "Workforce security",
        requirement: None,
        specs: &[
            spec("164.308(a)(3)(ii)(A)", "Authorization and/or supervision", A, "RBAC shows what identities may do, not who in the workforce holds them or who supervises them."),
            spec("164.308(a)(3)(ii)(B)", "Workforce clearance procedure", A, NOT_CONFIG),
            spec("164.308(a)(3)(ii)(C)", "Termination procedures", A, "Whether access ends when employment ends lives in the identity provider and HR processes."),
        ],
        limits: "Workforce clearance and termination are personnel processes outside the cluster.",
    },
    Standard {
        citation: "164.308(a)(4)",
        safeguard: Safeguard::Administrative,
        title: "Information access management",
        requirement: None,
        specs: &[
            spec("164.308(a)(4)(ii)(A)", "Isolating health care clearinghouse functions", R, "Applies only to clearinghouses; whether the organisation is one is not in the manifests."),
            spec("164.308(a)(4)(ii)(B)", "Access authorization", A, "The policy that decides who is granted access is a document; RBAC shows only the grants that result."),
            spec("164.308(a)(4)(ii)(C)", "Access establishment and modification", A, "How grants are requested, approved and reviewed is a process outside the manifests."),
        ],
        limits: "RBAC and network policy show the access granted; the authorisation policy behind them is a document.",
    },
    Standard {
        citation: "164.308(a)(5)",
        safeguard: Safeguard::Administrative,
        title: "Security awareness and training",
        requirement: None,
        specs: &[
            spec("164.308(a)(5)(ii)(A)", "Security reminders", A, "Workforce training and reminders are outside the cluster."),
            spec("164.308(a)(5)(ii)(B)", "Protection from malicious software", A, "Image provenance and pinning are visible; whether images are scanned for malware and how often is not."),
            spec("164.308(a)(5)(ii)(C)", "Log-in monitoring", A, "Monitoring of log-in attempts happens in the identity provider and the audit pipeline, not in manifests."),
            spec("164.308(a)(5)(ii)(D)", "Password management", A, "Password rules live in the identity provider."),
        ],
        limits: "Workforce security awareness and training cannot be seen in configuration.",
    },
    Standard {
        citation: "164.308(a)(6)",
        safeguard: Safeguard::Administrative,
        title: "Security incident procedures",
        requirement: None,
        specs: &[spec("164.308(a)(6)(ii)", "Response and reporting", R, "Incident response is a procedure carried out by people.")],
        limits: "Incident procedures are documents and practices.",
    },
    Standard {
        citation: "164.308(a)(7)",
        safeguard: Safeguard::Administrative,
        title: "Contingency plan",
        requirement: None,
        specs: &[
            spec("164.308(a)(7)(ii)(A)", "Data backup plan", R, "Whether backups of PHI stores exist, succeed and are kept is outside the manifests."),
            spec("164.308(a)(7)(ii)(B)", "Disaster recovery plan", R, "Manifests show redundancy that helps recovery; the plan and its restore times are documents."),
            spec("164.308(a)(7)(ii)(C)", "Emergency mode operation plan", R, "Replicas, disruption budgets and probes keep services running; the plan for operating in an emergency is a document."),
            spec("164.308(a)(7)(ii)(D)", "Testing and revision procedures", A, "Whether the contingency plan is tested is a practice."),
            spec("164.308(a)(7)(ii)(E)", "Applications and data criticality analysis", A, "The criticality analysis is a document; PHI scope is an input to it."),
        ],
        limits: "The contingency plan, its tests and backups are outside the manifests.",
    },
    Standard {
        citation: "164.308(a)(8)",
        safeguard: Safeguard::Administrative,
        title: "Evaluation",
        requirement: Some(R),
        specs: &[],
        limits: "A scan is one input to the periodic evaluation; the evaluation itself is a documented review.",
    },
    Standard {
        citation: "164.308(b)(1)",
        safeguard: Safeguard::Administrative,
        title: "Business associate contracts and other arrangements",
        requirement: None,
        specs: &[spec("164.308(b)(3)", "Written contract or other arrangement", R, "Contracts are legal documents outside the cluster.")],
        limits: "Business associate agreements are legal documents.",
    },
    Standard {
        citation: "164.310(a)(1)",
        safeguard: Safeguard::Physical,
        title: "Facility access controls",
        requirement: None,
        specs: &[
            spec("164.310(a)(2)(i)", "Contingency operations", A, "Physical access to facilities during an emergency is outside the cluster."),
            spec("164.310(a)(2)(ii)", "Facility security plan", A, "Physical facility security is outside the cluster."),
            spec("164.310(a)(2)(iii)", "Access control and validation procedures", A, "Physical access control is outside the cluster."),
            spec("164.310(a)(2)(iv)", "Maintenance records", A, "Records of facility repairs are outside the cluster."),
        ],
        limits: "Physical facility controls (data centre, offices) cannot be seen in configuration; for a cloud provider they are covered by its attestations.",
    },
    Standard {
        citation: "164.310(b)",
        safeguard: Safeguard::Physical,
        title: "Workstation use",
        requirement: Some(R),
        specs: &[],
        limits: "Workstations are outside the cluster.",
    },
    Standard {
        citation: "164.310(c)",
        safeguard: Safeguard::Physical,
        title: "Workstation security",
        requirement: Some(R),
        specs: &[],
        limits: "Workstations are outside the cluster.",
    },
    Standard {
        citation: "164.310(d)(1)",
        safeguard: Safeguard::Physical,
        title: "Device and media controls",
        requirement: None,
        specs: &[
            spec("164.310(d)(2)(i)", "Disposal", R, "Disposal of disks and media is a physical process outside the cluster."),
            spec("164.310(d)(2)(ii)", "Media re-use", R, "Wiping media before re-use is a physical process outside the cluster."),
            spec("164.310(d)(2)(iii)", "Accountability", A, "Records of hardware movements are outside the cluster."),
            spec("164.310(d)(2)(iv)", "Data backup and storage", A, "Whether a backup copy exists before equipment is moved is outside the manifests."),
        ],
        limits: "Manifests show where PHI is stored (volumes, storage classes, host paths); the physical media are outside the cluster.",
    },
    Standard {
        citation: "164.312(a)(1)",
        safeguard: Safeguard::Technical,
        title: "Access control",
        requirement: None,
        specs: &[
            spec("164.312(a)(2)(i)", "Unique user identification", R, "Human identities live in the identity provider; manifests show only service accounts and bindings."),
            spec("164.312(a)(2)(ii)", "Emergency access procedure", R, "Break-glass procedures are documents and identity-provider settings."),
            spec("164.312(a)(2)(iii)", "Automatic logoff", A, "Session timeouts live in applications and the identity provider."),
            spec("164.312(a)(2)(iv)", "Encryption and decryption", A, "Manifests show storage classes and secret handling; encryption of etcd and disks at rest is set outside them."),
        ],
        limits: "Application-level access control and the identity provider are outside the manifests.",
    },
    Standard {
        citation: "164.312(b)",
        safeguard: Safeguard::Technical,
        title: "Audit controls",
        requirement: Some(R),
        specs: &[],
        limits: "The API server's audit policy and log retention are set outside workload manifests; applications' own audit trails are not visible.",
    },
    Standard {
        citation: "164.312(c)(1)",
        safeguard: Safeguard::Technical,
        title: "Integrity",
        requirement: None,
        specs: &[spec("164.312(c)(2)", "Mechanism to authenticate electronic protected health information", A, "Checksums or signatures on PHI records are application behaviour.")],
        limits: "Manifests show what can alter containers and images; integrity of the PHI records themselves is application behaviour.",
    },
    Standard {
        citation: "164.312(d)",
        safeguard: Safeguard::Technical,
        title: "Person or entity authentication",
        requirement: Some(R),
        specs: &[],
        limits: "How people authenticate (passwords, MFA) lives in the identity provider.",
    },
    Standard {
        citation: "164.312(e)(1)",
        safeguard: Safeguard::Technical,
        title: "Transmission security",
        requirement: None,
        specs: &[
            spec("164.312(e)(2)(i)", "Integrity controls", A, "Manifests show TLS settings; traffic that leaves the cluster by other paths is not visible."),
            spec("164.312(e)(2)(ii)", "Encryption", A, "Manifests show TLS settings and plaintext ports; a service mesh or application may encrypt in ways the manifests do not state."),
        ],
        limits: "Transmission outside the cluster (VPNs, partners' links) is not visible.",
    },
];

/// Sections outside the three safeguard groups that rules may cite: the documentation standard and the Privacy and
/// Breach Notification Rule sections that bear on PHI handling.
pub static OTHER_SECTIONS: &[(&str, &str)] = &[
    ("164.316(a)", "Policies and procedures"),
    ("164.316(b)(1)", "Documentation"),
    ("164.316(b)(2)(i)", "Documentation: time limit"),
    ("164.316(b)(2)(ii)", "Documentation: availability"),
    ("164.316(b)(2)(iii)", "Documentation: updates"),
    ("164.502(b)", "Minimum necessary"),
    (
        "164.514(b)(2)",
        "De-identification: safe harbor identifiers",
    ),
    ("164.514(d)", "Minimum necessary requirements"),
    ("164.528", "Accounting of disclosures"),
    ("164.404", "Breach notification to individuals"),
    ("164.406", "Breach notification to the media"),
    ("164.408", "Breach notification to the Secretary"),
];

/// Whether a citation names a standard, a specification, or one of [`OTHER_SECTIONS`].
pub fn is_known(citation: &str) -> bool {
    resolve(citation).is_some() || OTHER_SECTIONS.iter().any(|(c, _)| *c == citation)
}

/// The title of a citation outside the safeguards.
pub fn other_title(citation: &str) -> Option<&'static str> {
    OTHER_SECTIONS
        .iter()
        .find(|(c, _)| *c == citation)
        .map(|(_, t)| *t)
}

/// The standard or specification a citation names (exact match), if any.
pub fn resolve(citation: &str) -> Option<Resolved> {
    for standard in STANDARDS {
        if standard.citation == citation {
            return Some(Resolved {
                standard,
                spec: None,
            });
        }
        if let Some(spec) = standard.specs.iter().find(|s| s.citation == citation) {
            return Some(Resolved {
                standard,
                spec: Some(spec),
            });
        }
    }
    None
}

/// The standard a citation belongs to.
pub fn standard_of(citation: &str) -> Option<&'static Standard> {
    resolve(citation).map(|r| r.standard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use phiguard_core::rules::CATALOG;

    #[test]
    fn every_rule_citation_names_a_known_standard_or_specification() {
        let mut unknown = Vec::new();
        for rule in CATALOG.iter() {
            assert!(!rule.hipaa.is_empty(), "{} cites nothing", rule.code);
            for c in rule.hipaa {
                if !is_known(c) {
                    unknown.push(format!("{}: {c}", rule.code));
                }
            }
        }
        assert!(unknown.is_empty(), "unknown citations: {unknown:?}");
    }

    #[test]
    fn citations_are_unique_and_under_their_safeguard() {
        let mut seen = std::collections::HashSet::new();
        for s in STANDARDS {
            assert!(
                s.citation.starts_with(s.safeguard.section()),
                "{}",
                s.citation
            );
            assert!(seen.insert(s.citation), "duplicate {}", s.citation);
            assert_eq!(
                s.requirement.is_some(),
                s.specs.is_empty(),
                "{}",
                s.citation
            );
            for sp in s.specs {
                assert!(seen.insert(sp.citation), "duplicate {}", sp.citation);
                assert!(
                    sp.citation.starts_with(s.safeguard.section()),
                    "{}",
                    sp.citation
                );
            }
        }
        // 18 standards in 164.308-164.312 as counted by the rule's Appendix A.
        assert_eq!(STANDARDS.len(), 18);
    }

    #[test]
    fn resolves_standards_and_specifications() {
        let r = resolve("164.312(e)(2)(ii)").unwrap();
        assert_eq!(r.standard.citation, "164.312(e)(1)");
        assert_eq!(r.spec.unwrap().requirement, Requirement::Addressable);
        let r = resolve("164.312(b)").unwrap();
        assert!(r.spec.is_none());
        assert_eq!(r.standard.requirement, Some(Requirement::Required));
        assert!(resolve("164.312(z)").is_none());
        assert!(resolve("164.312(e)").is_none());
        assert!(resolve("164.502(b)").is_none() && is_known("164.502(b)"));
        assert!(!is_known("164.999"));
    }
}
