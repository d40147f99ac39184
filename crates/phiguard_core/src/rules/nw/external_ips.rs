//! NW006 service-external-ips.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "NW006",
    name: "service-external-ips",
    family: Family::NW,
    severity: Severity::High,
    title: "Service sets externalIPs",
    hipaa: &["164.312(e)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0283"],
        trivy: &["KSV-0108"],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags Services with a non-empty `spec.externalIPs`, at the field, in every namespace.",
        why_it_matters: "kube-proxy routes traffic for any address listed in `externalIPs` to the Service on every \
node, and Kubernetes does not check that the address belongs to the Service's owner. Whoever can create a Service \
can therefore intercept traffic meant for another IP address, such as an external database or identity provider \
(CVE-2020-8554), and read or alter PHI in transit. Transmission security (164.312(e)(1)) cannot be shown while any \
namespace can claim addresses; the `DenyServiceExternalIPs` admission plugin exists to block it.",
        example: "apiVersion: v1\nkind: Service\nmetadata:\n  name: legacy-db\nspec:\n  selector: {app: proxy}\n  \
externalIPs: [203.0.113.10]\n  ports:\n    - port: 5432",
        remediation: "Remove `externalIPs`; use a LoadBalancer Service (with an internal load balancer and source \
ranges) or an Ingress/Gateway instead, and enable the `DenyServiceExternalIPs` admission plugin on the API server.",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/service/#external-ips",
            "https://github.com/kubernetes/kubernetes/issues/97076",
            "45 CFR 164.312(e)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (id, svc) in cx.objects_of_kind("", "Service") {
        let Some(node) = svc.root.at(&["spec", "externalIPs"]) else {
            continue;
        };
        let ips: Vec<&str> = node.as_seq().iter().filter_map(Node::as_str).collect();
        if node.as_seq().is_empty() {
            continue;
        }
        out.at(
            id,
            node,
            "spec.externalIPs",
            format!(
                "Service \"{}\" claims external IPs {}",
                svc.name(),
                ips.join(", ")
            ),
        );
    }
}
