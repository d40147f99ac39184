//! PS007 net-raw-not-dropped.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;

pub const RULE: Rule = Rule {
    code: "PS007",
    name: "net-raw-not-dropped",
    family: Family::PS,
    severity: Severity::Medium,
    title: "Container keeps the NET_RAW capability",
    hipaa: &["164.312(e)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_28"],
        kubescape: &["C-0211"],
        trivy: &["KSV-0119"],
        kube_linter: &["drop-net-raw-capability"],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags a container, init container or ephemeral container that keeps `NET_RAW`: either \
`capabilities.add` lists `NET_RAW` (reported at the list item), or `capabilities.drop` contains neither `NET_RAW` \
nor `ALL` (reported at the `drop` list, `capabilities`, securityContext or container name, whichever exists). \
Adding `ALL` is reported by PS005 and not again here. Windows pods are skipped.",
        why_it_matters: "NET_RAW is in the container runtime's default capability set. It lets a process craft \
raw packets: ARP and DNS spoofing, forged source addresses and sniffing on the pod network, the classic way to \
intercept or redirect traffic between services that exchange PHI. Removing it protects the integrity and \
confidentiality of ePHI in transit (164.312(e)(1)).",
        example: "containers:\n  - name: api\n    image: registry.example.com/api:1.4.2\n    securityContext:\n      capabilities:\n        drop: [\"SYS_ADMIN\"]",
        remediation: "Drop ALL capabilities (or at least NET_RAW) and do not add NET_RAW back:\n\n```yaml\nsecurityContext:\n  capabilities:\n    drop: [\"ALL\"]\n```\n\n\
`ping` works without NET_RAW on current kernels through the `net.ipv4.ping_group_range` sysctl.",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
            "https://man7.org/linux/man-pages/man7/capabilities.7.html",
            "45 CFR 164.312(e)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        if util::is_windows(&w) {
            continue;
        }
        for c in w.containers() {
            let added: Vec<_> = util::capability_items(&c, "add")
                .into_iter()
                .filter(|(_, cap, _)| cap == "NET_RAW")
                .collect();
            for (i, _, node) in &added {
                out.at(
                    w.id,
                    node,
                    w.cpath(&c, &format!("securityContext.capabilities.add[{i}]")),
                    format!("{} adds capability NET_RAW", c.describe()),
                );
            }
            if !added.is_empty() {
                continue;
            }
            let dropped = util::capabilities(&c, "drop")
                .iter()
                .any(|(cap, _)| cap == "ALL" || cap == "NET_RAW");
            if !dropped {
                let (node, rel) = util::drop_anchor(&c);
                out.at(
                    w.id,
                    node,
                    w.cpath(&c, rel),
                    format!("{} does not drop NET_RAW (or ALL)", c.describe()),
                );
            }
        }
    }
}
