//! NW005 phi-service-loadbalancer.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

use super::{open_cidr, phi_services};

pub const RULE: Rule = Rule {
    code: "NW005",
    name: "phi-service-loadbalancer",
    family: Family::NW,
    severity: Severity::High,
    title: "Public LoadBalancer Service exposes a PHI workload",
    hipaa: &["164.312(e)(1)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0256"],
        trivy: &[],
        kube_linter: &["exposed-services"],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags Services of `type: LoadBalancer` that are in PHI scope or whose `selector` matches the \
pod labels of a PHI workload in the same namespace, unless they restrict clients with \
`spec.loadBalancerSourceRanges` (ranges other than `0.0.0.0/0` and `::/0`) or request an internal load balancer \
with one of: `service.beta.kubernetes.io/aws-load-balancer-internal` (not \"false\"), \
`service.beta.kubernetes.io/aws-load-balancer-scheme: internal`, `networking.gke.io/load-balancer-type: Internal`, \
`cloud.google.com/load-balancer-type: Internal`, `service.beta.kubernetes.io/azure-load-balancer-internal: \
\"true\"`, `service.beta.kubernetes.io/oci-load-balancer-internal: \"true\"`. Points at `spec.type`.",
        why_it_matters: "A LoadBalancer Service gets a public address by default on every major cloud, reachable \
from the whole internet and bypassing the Ingress layer where TLS, authentication and WAF rules usually live. A PHI \
service exposed that way is one vulnerability away from a breach. Transmission security (164.312(e)(1)) requires \
controlling who can open a connection to systems holding ePHI.",
        example: "apiVersion: v1\nkind: Service\nmetadata:\n  name: fhir\n  namespace: records\nspec:\n  type: \
LoadBalancer\n  selector: {app: fhir}\n  ports:\n    - port: 443\n      targetPort: 8443",
        remediation: "Request an internal load balancer and restrict its clients, or publish the service through \
an Ingress/Gateway with TLS and authentication:\n\nmetadata:\n  annotations:\n    \
service.beta.kubernetes.io/aws-load-balancer-scheme: internal\nspec:\n  type: LoadBalancer\n  \
loadBalancerSourceRanges: [10.20.0.0/16]",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer",
            "https://kubernetes.io/docs/concepts/services-networking/service/#internal-load-balancer",
            "45 CFR 164.312(e)(1)",
        ],
    },
    check,
};

/// (annotation, values that request an internal load balancer; empty = any value other than "false").
const INTERNAL: &[(&str, &[&str])] = &[
    ("service.beta.kubernetes.io/aws-load-balancer-internal", &[]),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        &["internal"],
    ),
    ("networking.gke.io/load-balancer-type", &["internal"]),
    ("cloud.google.com/load-balancer-type", &["internal"]),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        &["true"],
    ),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        &["true"],
    ),
];

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (id, svc, node, what) in phi_services(cx, "LoadBalancer") {
        let internal = INTERNAL.iter().any(|(key, values)| {
            svc.annotation(key).is_some_and(|v| {
                let v = v.trim().to_ascii_lowercase();
                if values.is_empty() {
                    !v.is_empty() && v != "false"
                } else {
                    values.contains(&v.as_str())
                }
            })
        });
        let restricted = svc
            .root
            .at(&["spec", "loadBalancerSourceRanges"])
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .any(|r| !open_cidr(r));
        if internal || restricted {
            continue;
        }
        out.at(
            id,
            node,
            "spec.type",
            format!(
                "Service \"{}\" of type LoadBalancer exposes {what} without source ranges or an internal load balancer",
                svc.name()
            ),
        );
    }
}
