//! PS019 unsafe-sysctls.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "PS019",
    name: "unsafe-sysctls",
    family: Family::PS,
    severity: Severity::High,
    title: "Pod sets an unsafe sysctl",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &[],
        trivy: &["KSV-0026"],
        kube_linter: &["unsafe-sysctls"],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags each entry of the pod's `securityContext.sysctls` whose name is outside the set the \
baseline Pod Security Standard allows, at the entry's `name`. Allowed: `kernel.shm_rmid_forced`, \
`net.ipv4.ip_local_port_range`, `net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`, \
`net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports`, `net.ipv4.tcp_keepalive_time`, \
`net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`, and (since Kubernetes \
1.32) `net.ipv4.tcp_rmem` and `net.ipv4.tcp_wmem`. Names written with slashes (`net/ipv4/tcp_syncookies`) are read \
as Kubernetes reads them.",
        why_it_matters: "Only the safe sysctls are isolated per pod. Others either change the kernel for every \
pod on the node, or lift limits that keep one pod from starving or attacking the others (message queues, shared \
memory, network stack tuning). A workload that can reconfigure the node's kernel breaks the isolation that access \
control to ePHI on shared nodes depends on (164.312(a)(1)). The kubelet rejects unsafe sysctls unless an \
administrator allowed them with `--allowed-unsafe-sysctls`, so this also catches pods that rely on a weakened \
node configuration.",
        example: "spec:\n  securityContext:\n    sysctls:\n      - name: kernel.msgmax\n        value: \"65536\"",
        remediation: "Remove the sysctl, or set it on dedicated, tainted nodes (node tuning operator, DaemonSet \
outside PHI scope) rather than from the workload. Keep `--allowed-unsafe-sysctls` off the kubelets that run PHI \
workloads.",
        references: &[
            "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];

/// Kubernetes accepts `/` as separator: when the first separator is `/`, slashes and dots swap roles.
fn canonical(name: &str) -> String {
    let name = name.trim();
    match name.find(['.', '/']) {
        Some(i) if name.as_bytes()[i] == b'/' => name
            .chars()
            .map(|ch| match ch {
                '/' => '.',
                '.' => '/',
                other => other,
            })
            .collect(),
        _ => name.to_string(),
    }
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        let sysctls = w.pod_sc("sysctls").map(Node::as_seq).unwrap_or(&[]);
        for (i, s) in sysctls.iter().enumerate() {
            let Some(name_node) = s.get("name") else {
                continue;
            };
            let Some(name) = name_node.as_str() else {
                continue;
            };
            if SAFE.contains(&canonical(name).as_str()) {
                continue;
            }
            let value = s
                .get("value")
                .and_then(Node::as_str)
                .map(|v| format!("={v}"))
                .unwrap_or_default();
            out.at(
                w.id,
                name_node,
                w.path(&format!("securityContext.sysctls[{i}].name")),
                format!("{} sets unsafe sysctl {name}{value}", w.describe()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn slash_separated_names() {
        assert_eq!(
            canonical("net/ipv4/tcp_syncookies"),
            "net.ipv4.tcp_syncookies"
        );
        assert_eq!(
            canonical("net/ipv4/conf/eno2.100/rp_filter"),
            "net.ipv4.conf.eno2/100.rp_filter"
        );
        assert_eq!(
            canonical("kernel.shm_rmid_forced"),
            "kernel.shm_rmid_forced"
        );
    }
}
