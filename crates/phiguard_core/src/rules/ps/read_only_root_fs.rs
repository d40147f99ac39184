//! PS015 writable-root-filesystem.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;

pub const RULE: Rule = Rule {
    code: "PS015",
    name: "writable-root-filesystem",
    family: Family::PS,
    severity: Severity::Medium,
    title: "Container root file system is writable",
    hipaa: &["164.312(c)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_22"],
        kubescape: &["C-0017"],
        trivy: &["KSV-0014"],
        kube_linter: &["no-read-only-root-fs"],
        polaris: &["notReadOnlyRootFilesystem"],
    },
    docs: Docs {
        what_it_does: "Flags every container, init container and ephemeral container whose \
`securityContext.readOnlyRootFilesystem` is not `true`. The field exists only on the container security context \
(a pod-level value is ignored by Kubernetes and is not accepted here either). The finding points at the field when \
it is set to something else, else at the securityContext or the container name. Windows pods are skipped.",
        why_it_matters: "A writable root file system lets an attacker who gets code execution replace the \
application's binaries, libraries or configuration and persist until the pod is rescheduled, and lets the \
application itself spill PHI into files in the container layer, where it is neither encrypted nor cleaned up in a \
controlled way. A read-only image is a simple integrity control (164.312(c)(1)): what runs is exactly what was \
built and scanned.",
        example: "containers:\n  - name: api\n    image: registry.example.com/api:1.4.2\n    securityContext:\n      readOnlyRootFilesystem: false",
        remediation: "Set `readOnlyRootFilesystem: true` and give the process explicit writable scratch space \
where it needs it:\n\n```yaml\ncontainers:\n  - name: api\n    securityContext:\n      readOnlyRootFilesystem: true\n    volumeMounts:\n      - name: tmp\n        mountPath: /tmp\nvolumes:\n  - name: tmp\n    emptyDir: {}\n```",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
            "45 CFR 164.312(c)(1)",
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
            match c.sc("readOnlyRootFilesystem") {
                Some(n) if n.is_true() => {}
                Some(n) => out.at(
                    w.id,
                    n,
                    w.cpath(&c, "securityContext.readOnlyRootFilesystem"),
                    format!(
                        "{} has a writable root file system (readOnlyRootFilesystem is not true)",
                        c.describe()
                    ),
                ),
                None => {
                    let (node, rel) = util::sc_anchor(&c);
                    out.at(
                        w.id,
                        node,
                        w.cpath(&c, rel),
                        format!(
                            "{} has a writable root file system (readOnlyRootFilesystem is not set)",
                            c.describe()
                        ),
                    );
                }
            }
        }
    }
}
