//! PS018 unmasked-proc-mount.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PS018",
    name: "unmasked-proc-mount",
    family: Family::PS,
    severity: Severity::High,
    title: "Container mounts /proc unmasked",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &[],
        trivy: &["KSV-0027"],
        kube_linter: &["unsafe-proc-mount"],
        polaris: &["procMount"],
    },
    docs: Docs {
        what_it_does: "Flags a container, init container or ephemeral container with \
`securityContext.procMount: Unmasked`, at that field. `Default` (the masked, partly read-only /proc) is the only \
other value.",
        why_it_matters: "The container runtime normally masks sensitive parts of `/proc` (`/proc/kcore`, \
`/proc/keys`, `/proc/timer_list`, `/proc/sys` writes...). An unmasked /proc exposes kernel memory and node \
information and, combined with other privileges, lets a process change kernel settings for the whole node. That \
weakens the isolation between a PHI workload and everything else on the node (164.312(a)(1)). Outside of nested \
container builds with user namespaces it has no legitimate use.",
        example: "containers:\n  - name: builder\n    image: registry.example.com/builder:1.0.0\n    securityContext:\n      procMount: Unmasked",
        remediation: "Remove `procMount` (it defaults to `Default`), or set `procMount: Default`. Nested \
container builds should use a rootless, daemonless builder instead.",
        references: &[
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        for c in w.containers() {
            if let Some(n) = c
                .sc("procMount")
                .filter(|n| n.as_str().map(str::trim) == Some("Unmasked"))
            {
                out.at(
                    w.id,
                    n,
                    w.cpath(&c, "securityContext.procMount"),
                    format!(
                        "{} mounts /proc unmasked (procMount: Unmasked)",
                        c.describe()
                    ),
                );
            }
        }
    }
}
