//! PS005 dangerous-capability-added.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;

pub const RULE: Rule = Rule {
    code: "PS005",
    name: "dangerous-capability-added",
    family: Family::PS,
    severity: Severity::Critical,
    title: "Container adds a dangerous Linux capability",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_39", "CKV_K8S_25"],
        kubescape: &["C-0046"],
        trivy: &["KSV-0005", "KSV-0120", "KSV-0022"],
        kube_linter: &[],
        polaris: &["dangerousCapabilities"],
    },
    docs: Docs {
        what_it_does: "Flags each dangerous capability in `securityContext.capabilities.add` of a container, init \
container or ephemeral container, one finding per capability at its list item. Names are compared \
case-insensitively, with or without the `CAP_` prefix. The capabilities reported are:\n\
- `ALL`: every capability;\n\
- `SYS_ADMIN`: mounts, namespaces, devices; close to full root;\n\
- `NET_ADMIN`: interfaces, routes and iptables; can sniff or redirect traffic;\n\
- `SYS_PTRACE`: trace and read the memory of other processes;\n\
- `SYS_MODULE`: load kernel modules, i.e. run code in the node's kernel;\n\
- `SYS_RAWIO`: raw access to devices and I/O ports;\n\
- `SYS_BOOT`: reboot the node or load a new kernel;\n\
- `SYS_TIME`: set the node's clock, which falsifies every log timestamp;\n\
- `DAC_READ_SEARCH` and `DAC_OVERRIDE`: bypass file permission checks (`DAC_READ_SEARCH` also enables the \
`open_by_handle_at` container escape);\n\
- `BPF` and `PERFMON`: load eBPF programs and read kernel memory;\n\
- `MAC_ADMIN` and `MAC_OVERRIDE`: change or bypass AppArmor/SELinux policy.\n\
`SETUID`, `SETGID`, `CHOWN` and the other members of the runtime's default set are not reported here: the baseline \
Pod Security Standard allows them, and PS006 asks for them to be dropped. `NET_RAW` is PS007's. Windows pods are \
skipped.",
        why_it_matters: "Each of these capabilities lets a process step outside the container's isolation: read \
other processes' memory or files, reconfigure the network, load kernel code or switch off mandatory access control. \
On a node that runs PHI workloads that means access to ePHI that no role or policy granted, which defeats the \
technical access controls required by 164.312(a)(1).",
        example: "containers:\n  - name: agent\n    image: registry.example.com/agent:2.0.1\n    securityContext:\n      capabilities:\n        add: [\"SYS_ADMIN\", \"NET_ADMIN\"]",
        remediation: "Remove the capability from `add`. Start from nothing and add back only what the process \
needs, usually just `NET_BIND_SERVICE`:\n\n```yaml\nsecurityContext:\n  capabilities:\n    drop: [\"ALL\"]\n    add: [\"NET_BIND_SERVICE\"]\n```\n\n\
Node agents that truly need such a capability (CNI, CSI, monitoring) belong in a dedicated namespace outside PHI \
scope, with a documented waiver.",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
            "https://man7.org/linux/man-pages/man7/capabilities.7.html",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

/// Capabilities reported, with a short reason for the message.
const DANGEROUS: &[(&str, &str)] = &[
    ("ALL", "every capability"),
    ("SYS_ADMIN", "mounts, namespaces and devices; close to root"),
    (
        "NET_ADMIN",
        "can reconfigure the network and intercept traffic",
    ),
    (
        "SYS_PTRACE",
        "can trace other processes and read their memory",
    ),
    ("SYS_MODULE", "can load kernel modules"),
    ("SYS_RAWIO", "raw device and I/O port access"),
    ("SYS_BOOT", "can reboot the node or load a new kernel"),
    ("SYS_TIME", "can set the node's clock"),
    ("DAC_READ_SEARCH", "bypasses file read permissions"),
    ("DAC_OVERRIDE", "bypasses file permissions"),
    ("BPF", "can load eBPF programs"),
    ("PERFMON", "can read kernel memory through perf"),
    ("MAC_ADMIN", "can change AppArmor/SELinux policy"),
    ("MAC_OVERRIDE", "can bypass AppArmor/SELinux policy"),
];

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        if util::is_windows(&w) {
            continue;
        }
        for c in w.containers() {
            for (i, cap, node) in util::capability_items(&c, "add") {
                if let Some((_, why)) = DANGEROUS.iter().find(|(d, _)| *d == cap) {
                    out.at(
                        w.id,
                        node,
                        w.cpath(&c, &format!("securityContext.capabilities.add[{i}]")),
                        format!("{} adds capability {cap} ({why})", c.describe()),
                    );
                }
            }
        }
    }
}
