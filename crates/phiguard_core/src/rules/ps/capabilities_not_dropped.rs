//! PS006 capabilities-not-dropped.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;

pub const RULE: Rule = Rule {
    code: "PS006",
    name: "capabilities-not-dropped",
    family: Family::PS,
    severity: Severity::Medium,
    title: "Container does not drop all capabilities",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_37"],
        kubescape: &["C-0211"],
        trivy: &["KSV-0003", "KSV-0106"],
        kube_linter: &[],
        polaris: &["insecureCapabilities"],
    },
    docs: Docs {
        what_it_does: "Flags every container, init container and ephemeral container whose \
`securityContext.capabilities.drop` does not contain `ALL` (case-insensitive, `CAP_ALL` accepted). The finding \
points at the `drop` list when there is one, else at `capabilities`, else at the securityContext or the container \
name. Capabilities are a container-level field only. Windows pods are skipped.",
        why_it_matters: "Container runtimes grant a default set of capabilities (CHOWN, DAC_OVERRIDE, FOWNER, \
SETUID, SETGID, NET_RAW, KILL and more) unless they are dropped. Few services need any of them, and each is an \
extra privilege an attacker inherits after compromising a service that handles PHI. Dropping ALL and adding back \
only what is needed is the least-privilege form of the access control required by 164.312(a)(1), and is required \
by the restricted Pod Security Standard.",
        example: "containers:\n  - name: api\n    image: registry.example.com/api:1.4.2\n    securityContext:\n      capabilities:\n        drop: [\"NET_RAW\"]",
        remediation: "Drop everything and add back only what is needed:\n\n```yaml\nsecurityContext:\n  capabilities:\n    drop: [\"ALL\"]\n    add: [\"NET_BIND_SERVICE\"]   # only if the process binds a port below 1024\n```",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
            "45 CFR 164.312(a)(1)",
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
            let dropped = util::capabilities(&c, "drop");
            if dropped.iter().any(|(cap, _)| cap == "ALL") {
                continue;
            }
            let (node, rel) = util::drop_anchor(&c);
            let message = if dropped.is_empty() {
                format!("{} does not drop ALL capabilities", c.describe())
            } else {
                let names: Vec<&str> = dropped.iter().map(|(cap, _)| cap.as_str()).collect();
                format!(
                    "{} drops only {} and keeps the rest of the default capabilities (drop ALL)",
                    c.describe(),
                    names.join(", ")
                )
            };
            out.at(w.id, node, w.cpath(&c, rel), message);
        }
    }
}
