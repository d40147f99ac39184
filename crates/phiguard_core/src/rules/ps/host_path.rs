//! PS012 host-path-volume.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "PS012",
    name: "host-path-volume",
    family: Family::PS,
    severity: Severity::High,
    title: "Pod mounts a directory or file of the node (hostPath)",
    hipaa: &["164.312(a)(1)", "164.310(d)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0048"],
        trivy: &["KSV-0023", "KSV-0121"],
        kube_linter: &["sensitive-host-mounts"],
        polaris: &["hostPathSet"],
    },
    docs: Docs {
        what_it_does: "Flags each entry of a pod's `volumes` that has a `hostPath` source, at the `hostPath` key, \
whatever the path and whether or not a container mounts it. PS013 adds a finding for each writable mount of such \
a volume and PS014 for container runtime sockets.",
        why_it_matters: "A hostPath volume exposes the node's file system to the pod: other pods' volumes and \
logs under `/var/lib/kubelet` and `/var/log`, credentials under `/etc`, and any PHI a workload ever wrote to the \
node's disk. Access to that data is no longer governed by Kubernetes RBAC, and data placed on node disks escapes \
the device and media controls (164.310(d)(1)) that apply to managed, encrypted volumes. It also breaks the access \
control boundary between workloads (164.312(a)(1)).",
        example: "volumes:\n  - name: logs\n    hostPath:\n      path: /var/log\n      type: Directory",
        remediation: "Use a PersistentVolumeClaim (encrypted StorageClass) for data, `emptyDir` for scratch space, \
and ConfigMap, Secret or projected volumes for configuration. Log shipping and node agents that must read the host \
belong in a separate, non-PHI namespace with a documented waiver, and must mount read-only.",
        references: &[
            "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "45 CFR 164.312(a)(1), 164.310(d)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        let volumes = w.spec.get("volumes").map(Node::as_seq).unwrap_or(&[]);
        for (i, v) in volumes.iter().enumerate() {
            let Some(hp) = v.get("hostPath").filter(|n| n.is_map()) else {
                continue;
            };
            let name = v.get("name").and_then(Node::as_str).unwrap_or("");
            let path = hp.get("path").and_then(Node::as_str).unwrap_or("(no path)");
            out.at(
                w.id,
                hp,
                w.path(&format!("volumes[{i}].hostPath")),
                format!(
                    "{}: volume \"{name}\" mounts host path {path}",
                    w.describe()
                ),
            );
        }
    }
}
