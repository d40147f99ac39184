//! PS004 run-as-user-root.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "PS004",
    name: "run-as-user-root",
    family: Family::PS,
    severity: Severity::High,
    title: "Container runs as UID 0 or with the root group",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0211"],
        trivy: &["KSV-0105", "KSV-0116"],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags an explicit root identity in a security context:\n\
- `runAsUser: 0` or `runAsGroup: 0` on a container, init container or ephemeral container;\n\
- `runAsUser: 0` or `runAsGroup: 0` on the pod, when at least one container inherits it (reported once, at the \
pod field, naming the containers);\n\
- pod `fsGroup: 0`;\n\
- `0` in the pod's `supplementalGroups` (reported at the list item).\n\
Windows pods are skipped.",
        why_it_matters: "UID 0 is root: the process owns every file in the container, including mounted \
Secrets and PHI volumes, and holds the container's full capability set. GID 0 (primary, fsGroup or supplementary) \
gives group access to every root-group file on shared volumes and host mounts. Either defeats the least-privilege \
access control that 164.312(a)(1) expects around ePHI, and turns any container escape into root on the node.",
        example: "spec:\n  securityContext:\n    runAsUser: 0\n    fsGroup: 0\n  containers:\n    - name: api\n      image: registry.example.com/api:1.4.2",
        remediation: "Run as a dedicated non-zero UID and GID and require it:\n\n```yaml\nspec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n    runAsGroup: 10001\n    fsGroup: 10001\n```\n\n\
If the image needs root to start (to bind a low port or chown files), fix the image: use a port above 1024 and set \
file ownership at build time.",
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
        for (field, what, label) in [
            ("runAsUser", "runs as root", "the root user"),
            ("runAsGroup", "runs with the root group", "the root group"),
        ] {
            let pod = w.pod_sc(field).filter(|n| n.as_i64().is_some());
            let mut inheriting = Vec::new();
            for c in w.containers() {
                match c.sc(field).filter(|n| n.as_i64().is_some()) {
                    Some(n) if n.as_i64() == Some(0) => out.at(
                        w.id,
                        n,
                        w.cpath(&c, &format!("securityContext.{field}")),
                        format!("{} {what} ({field}: 0)", c.describe()),
                    ),
                    Some(_) => {}
                    None => inheriting.push(c.describe()),
                }
            }
            if let Some(n) = pod.filter(|n| n.as_i64() == Some(0)) {
                if !inheriting.is_empty() {
                    out.at(
                        w.id,
                        n,
                        w.path(&format!("securityContext.{field}")),
                        format!(
                            "pod sets {field}: 0 ({label}), inherited by {}",
                            inheriting.join(", ")
                        ),
                    );
                }
            }
        }
        if let Some(n) = w.pod_sc("fsGroup").filter(|n| n.as_i64() == Some(0)) {
            out.at(
                w.id,
                n,
                w.path("securityContext.fsGroup"),
                "pod sets fsGroup: 0, so its volumes are owned by the root group",
            );
        }
        let groups = w
            .pod_sc("supplementalGroups")
            .map(Node::as_seq)
            .unwrap_or(&[]);
        for (i, g) in groups.iter().enumerate() {
            if g.as_i64() == Some(0) {
                out.at(
                    w.id,
                    g,
                    w.path(&format!("securityContext.supplementalGroups[{i}]")),
                    "pod adds the root group (0) to supplementalGroups",
                );
            }
        }
    }
}
