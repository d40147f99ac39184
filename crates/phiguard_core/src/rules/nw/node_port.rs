//! NW004 phi-service-nodeport.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::phi_services;

pub const RULE: Rule = Rule {
    code: "NW004",
    name: "phi-service-nodeport",
    family: Family::NW,
    severity: Severity::High,
    title: "NodePort Service exposes a PHI workload on every node",
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
        what_it_does: "Flags Services of `type: NodePort` that are in PHI scope or whose `selector` matches the pod \
labels of a PHI workload in the same namespace. Points at `spec.type`.",
        why_it_matters: "A NodePort opens the service on a port of every node's address, outside the cluster \
network and usually outside the NetworkPolicies that protect pod-to-pod traffic (traffic arrives from the node, \
after SNAT). Anyone who can reach a node, including from the VPC, a peered network or the internet when nodes have \
public addresses, can reach the PHI service. Transmission security (164.312(e)(1)) requires controlling the paths \
to ePHI.",
        example: "apiVersion: v1\nkind: Service\nmetadata:\n  name: fhir\n  namespace: records\nspec:\n  type: \
NodePort\n  selector: {app: fhir}\n  ports:\n    - port: 8080\n      nodePort: 30080",
        remediation: "Use `type: ClusterIP` and publish the service through an Ingress or Gateway with TLS and \
authentication, or through an internal load balancer restricted to known source ranges.",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport",
            "45 CFR 164.312(e)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (id, svc, node, what) in phi_services(cx, "NodePort") {
        out.at(
            id,
            node,
            "spec.type",
            format!(
                "Service \"{}\" of type NodePort exposes {what} on every node",
                svc.name()
            ),
        );
    }
}
