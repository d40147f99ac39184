//! PS013 writable-host-path.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "PS013",
    name: "writable-host-path",
    family: Family::PS,
    severity: Severity::High,
    title: "Container mounts a hostPath volume writable",
    hipaa: &["164.312(c)(1)", "164.310(d)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0045"],
        trivy: &[],
        kube_linter: &["writable-host-mount"],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags each `volumeMounts` entry of a container, init container or ephemeral container that \
mounts a `hostPath` volume of the same pod without `readOnly: true`. The finding points at `readOnly` when it is \
set to something other than true, else at the mount.",
        why_it_matters: "A writable host mount lets the container change files on the node: plant binaries or \
cron jobs, rewrite kubelet or runtime configuration, tamper with other pods' data and logs, or leave PHI on a \
node disk outside managed, encrypted storage. That defeats the integrity controls of 164.312(c)(1) and the device \
and media controls of 164.310(d)(1).",
        example: "containers:\n  - name: shipper\n    volumeMounts:\n      - name: logs\n        mountPath: /host/var/log\nvolumes:\n  - name: logs\n    hostPath:\n      path: /var/log",
        remediation: "Mount host paths read-only, or better replace them (see PS012):\n\n```yaml\nvolumeMounts:\n  - name: logs\n    mountPath: /host/var/log\n    readOnly: true\n```",
        references: &[
            "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
            "45 CFR 164.312(c)(1), 164.310(d)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        let host_volumes: Vec<(&str, &str)> = w
            .spec
            .get("volumes")
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(|v| {
                let hp = v.get("hostPath").filter(|n| n.is_map())?;
                let name = v.get("name").and_then(Node::as_str)?;
                Some((name, hp.get("path").and_then(Node::as_str).unwrap_or("")))
            })
            .collect();
        if host_volumes.is_empty() {
            continue;
        }
        for c in w.containers() {
            let mounts = c.node.get("volumeMounts").map(Node::as_seq).unwrap_or(&[]);
            for (i, m) in mounts.iter().enumerate() {
                let Some(name) = m.get("name").and_then(Node::as_str) else {
                    continue;
                };
                let Some((_, host)) = host_volumes.iter().find(|(v, _)| *v == name) else {
                    continue;
                };
                let ro = m.get("readOnly").filter(|n| !n.is_null());
                if ro.is_some_and(Node::is_true) {
                    continue;
                }
                let mount_path = m.get("mountPath").and_then(Node::as_str).unwrap_or("");
                let message = format!(
                    "{} mounts host path {host} (volume \"{name}\") writable at {mount_path}",
                    c.describe()
                );
                match ro {
                    Some(n) => out.at(
                        w.id,
                        n,
                        w.cpath(&c, &format!("volumeMounts[{i}].readOnly")),
                        message,
                    ),
                    None => out.at(
                        w.id,
                        m.get("name").unwrap_or(m),
                        w.cpath(&c, &format!("volumeMounts[{i}]")),
                        message,
                    ),
                }
            }
        }
    }
}
