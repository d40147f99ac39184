//! PS011 host-port.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "PS011",
    name: "host-port",
    family: Family::PS,
    severity: Severity::Medium,
    title: "Container binds a port on the node",
    hipaa: &["164.312(e)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_26"],
        kubescape: &["C-0044"],
        trivy: &["KSV-0024"],
        kube_linter: &[],
        polaris: &["hostPortSet"],
    },
    docs: Docs {
        what_it_does: "Flags each `ports[].hostPort` set to a non-zero number on a container, init container or \
ephemeral container, at the `hostPort` field. `hostPort: 0` means \"no host port\" and is not reported. \
`hostNetwork: true` is reported by PS010.",
        why_it_matters: "A host port publishes the container on every address of the node, outside the Service \
and Ingress layer where TLS termination, authentication and NetworkPolicy are applied. PHI served on it can be \
reached by anything that can reach the node, usually in clear text, which undermines the transmission security \
controls of 164.312(e)(1). Host ports also pin pods to nodes and hinder scheduling.",
        example: "containers:\n  - name: api\n    image: registry.example.com/api:1.4.2\n    ports:\n      - containerPort: 8443\n        hostPort: 8443",
        remediation: "Remove `hostPort` and expose the port through a Service:\n\n```yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector:\n    app: api\n  ports:\n    - port: 443\n      targetPort: 8443\n```",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/overview/#services",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "45 CFR 164.312(e)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        for c in w.containers() {
            let ports = c.node.get("ports").map(Node::as_seq).unwrap_or(&[]);
            for (i, p) in ports.iter().enumerate() {
                let Some(n) = p.get("hostPort") else { continue };
                let Some(host) = n.as_i64().filter(|&v| v != 0) else {
                    continue;
                };
                let target = p
                    .get("containerPort")
                    .and_then(Node::as_i64)
                    .map(|cp| format!(" (containerPort {cp})"))
                    .unwrap_or_default();
                out.at(
                    w.id,
                    n,
                    w.cpath(&c, &format!("ports[{i}].hostPort")),
                    format!("{} binds host port {host}{target}", c.describe()),
                );
            }
        }
    }
}
