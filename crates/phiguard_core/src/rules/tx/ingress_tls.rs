//! TX001 ingress-without-tls.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "TX001",
    name: "ingress-without-tls",
    family: Family::TX,
    severity: Severity::High,
    title: "Ingress serves hosts without TLS",
    hipaa: &["164.312(e)(1)", "164.312(e)(2)(ii)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0263"],
        trivy: &[],
        kube_linter: &[],
        polaris: &["tlsSettingsMissing"],
    },
    docs: Docs {
        what_it_does: "Flags Ingresses (`networking.k8s.io`, and the legacy `extensions` group) without \
`spec.tls` (absent or empty), at `spec`. When `spec.tls` lists hosts, also flags each `spec.rules[].host` that no \
`tls[].hosts` entry covers (exact match, or a `*.example.com` wildcard covering one label), at the host. A `tls` \
entry without `hosts` is taken to cover every host (the controller's default certificate).",
        why_it_matters: "An Ingress without TLS serves its hosts over plain HTTP: patient portals, FHIR APIs and \
login forms then carry PHI and session cookies in clear text across the internet. A host missing from the TLS list \
is a common copy-and-paste mistake that leaves one name unencrypted. Transmission security (164.312(e)(1)) and \
encryption (164.312(e)(2)(ii)) apply to every path by which ePHI leaves the cluster.",
        example: "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: portal\nspec:\n  rules:\n    \
- host: portal.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            \
backend:\n              service: {name: portal, port: {number: 80}}",
        remediation: "Add a `tls` section covering every host, with a certificate from cert-manager or your CA, \
and redirect HTTP to HTTPS (see TX005):\n\nspec:\n  tls:\n    - hosts: [portal.example.com]\n      secretName: \
portal-tls",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/ingress/#tls",
            "45 CFR 164.312(e)(1), 164.312(e)(2)(ii)",
        ],
    },
    check,
};

fn covers(pattern: &str, host: &str) -> bool {
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest.eq_ignore_ascii_case(suffix)),
        None => false,
    }
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for group in ["networking.k8s.io", "extensions"] {
        for (id, ing) in cx.objects_of_kind(group, "Ingress") {
            let Some(spec) = ing.root.get("spec").filter(|n| n.is_map()) else {
                continue;
            };
            let tls = spec.get("tls").map(Node::as_seq).unwrap_or(&[]);
            if tls.is_empty() {
                out.at(
                    id,
                    spec,
                    "spec",
                    format!("Ingress \"{}\" has no tls section", ing.name()),
                );
                continue;
            }
            let mut hosts: Vec<&str> = Vec::new();
            let mut covers_all = false;
            for t in tls {
                let listed: Vec<&str> = t
                    .get("hosts")
                    .map(Node::as_seq)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(Node::as_str)
                    .collect();
                if listed.is_empty() {
                    covers_all = true;
                }
                hosts.extend(listed);
            }
            if covers_all {
                continue;
            }
            let rules = spec.get("rules").map(Node::as_seq).unwrap_or(&[]);
            for (i, r) in rules.iter().enumerate() {
                let Some(node) = r.get("host") else { continue };
                let Some(host) = node.as_str() else { continue };
                if !hosts.iter().any(|p| covers(p, host)) {
                    out.at(
                        id,
                        node,
                        format!("spec.rules[{i}].host"),
                        format!(
                            "Ingress \"{}\" serves host {host} without TLS (not in tls[].hosts)",
                            ing.name()
                        ),
                    );
                }
            }
        }
    }
}
