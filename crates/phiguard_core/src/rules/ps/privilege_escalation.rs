//! PS002 privilege-escalation-allowed.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;

pub const RULE: Rule = Rule {
    code: "PS002",
    name: "privilege-escalation-allowed",
    family: Family::PS,
    severity: Severity::High,
    title: "Container allows privilege escalation",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_20"],
        kubescape: &["C-0016"],
        trivy: &["KSV-0001"],
        kube_linter: &["privilege-escalation-container"],
        polaris: &["privilegeEscalationAllowed"],
    },
    docs: Docs {
        what_it_does: "Flags every container, init container and ephemeral container whose \
`securityContext.allowPrivilegeEscalation` is not `false`. The field exists only on the container security \
context and Kubernetes defaults it to true, so an absent field is reported too (at the container's \
`securityContext`, or at its name when it has none). Windows pods (`spec.os.name: windows`) are skipped, because \
the field does not apply to them.",
        why_it_matters: "With escalation allowed, a process in the container can gain more privileges than its \
parent through setuid binaries or file capabilities (the kernel's `no_new_privs` flag is not set). An attacker who \
gets code execution in a service that handles PHI can then become root in the container and work towards the node \
and the other workloads on it. Setting the flag to false is a basic technical access control under \
164.312(a)(1): a process keeps no more rights to ePHI than it was started with.",
        example: "containers:\n  - name: api\n    image: registry.example.com/api:1.4.2\n    securityContext:\n      allowPrivilegeEscalation: true",
        remediation: "Set `allowPrivilegeEscalation: false` in every container's securityContext (it cannot be \
set at pod level):\n\n```yaml\ncontainers:\n  - name: api\n    securityContext:\n      allowPrivilegeEscalation: false\n```\n\n\
Enforce it namespace-wide with `kubectl label namespace NS pod-security.kubernetes.io/enforce=restricted`.",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
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
            match c.sc("allowPrivilegeEscalation") {
                Some(n) if n.as_bool() == Some(false) => {}
                Some(n) if n.is_true() => out.at(
                    w.id,
                    n,
                    w.cpath(&c, "securityContext.allowPrivilegeEscalation"),
                    format!("{} sets allowPrivilegeEscalation: true", c.describe()),
                ),
                _ => {
                    let (node, rel) = util::sc_anchor(&c);
                    out.at(
                        w.id,
                        node,
                        w.cpath(&c, rel),
                        format!(
                            "{} does not set allowPrivilegeEscalation: false (it defaults to true)",
                            c.describe()
                        ),
                    );
                }
            }
        }
    }
}
