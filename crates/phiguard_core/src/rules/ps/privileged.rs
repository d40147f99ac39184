//! PS001 privileged-container.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PS001",
    name: "privileged-container",
    family: Family::PS,
    severity: Severity::Critical,
    title: "Container runs privileged",
    hipaa: &["164.312(a)(1)", "164.312(c)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_16"],
        kubescape: &["C-0057"],
        trivy: &["KSV-0017"],
        kube_linter: &["privileged-container"],
        polaris: &["runAsPrivileged"],
    },
    docs: Docs {
        what_it_does: "Flags containers, init containers and ephemeral containers with `securityContext.privileged: true`.",
        why_it_matters: "A privileged container has every capability and access to the host's devices: it can read the \
memory and disks of every other pod on the node, including the databases and services that hold PHI. Access control \
(164.312(a)(1)) and integrity (164.312(c)(1)) of ePHI cannot be shown for anything on that node.",
        example: "containers:\n  - name: api\n    securityContext:\n      privileged: true",
        remediation: "Remove `privileged: true` (or set it to false). Grant only the specific capability the \
workload needs, and move node-level agents out of PHI namespaces.",
        references: &[
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
            "45 CFR 164.312(a)(1), 164.312(c)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        for c in w.containers() {
            if let Some(n) = c.sc("privileged") {
                if n.is_true() {
                    out.at(
                        w.id,
                        n,
                        w.cpath(&c, "securityContext.privileged"),
                        format!("{} runs privileged", c.describe()),
                    );
                }
            }
        }
    }
}
