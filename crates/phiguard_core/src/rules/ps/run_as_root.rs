//! PS003 run-as-root-allowed.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "PS003",
    name: "run-as-root-allowed",
    family: Family::PS,
    severity: Severity::High,
    title: "Container may run as root",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_23"],
        kubescape: &["C-0013"],
        trivy: &["KSV-0012"],
        kube_linter: &["run-as-non-root"],
        polaris: &["runAsRootAllowed"],
    },
    docs: Docs {
        what_it_does: "Flags every container, init container and ephemeral container for which Kubernetes does \
not guarantee a non-root user: the effective `runAsNonRoot` (the container's value, else the pod's) is not true, \
and the effective `runAsUser` is not a UID above 0. A container that explicitly runs as UID 0 is left to PS004 so \
the same problem is not reported twice. When the pod sets `runAsNonRoot: false` the finding points at that field \
once for all the containers that inherit it; otherwise it points at the container's securityContext (or its name). \
Windows pods are skipped.",
        why_it_matters: "Without `runAsNonRoot: true` the kubelet starts the container as whatever user the \
image declares, which for most images is root. Root in a container owns every file in it (mounted Secrets and \
PHI volumes included) and is one kernel bug or misconfiguration away from root on the node. Requiring a non-root \
user is a technical access control under 164.312(a)(1) and limits what a compromised service can reach.",
        example: "spec:\n  containers:\n    - name: api\n      image: registry.example.com/api:1.4.2\n      # no runAsNonRoot, no runAsUser",
        remediation: "Set `runAsNonRoot: true` at pod level (it is inherited by every container) and give the \
image a numeric non-root USER, or set a UID explicitly:\n\n```yaml\nspec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n    runAsGroup: 10001\n```",
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
        let pod_nonroot = w.pod_sc("runAsNonRoot").filter(|n| n.as_bool().is_some());
        let pod_user = w.pod_sc("runAsUser").and_then(Node::as_i64);
        let mut inheriting = Vec::new();
        for c in w.containers() {
            let own_nonroot = c.sc("runAsNonRoot").filter(|n| n.as_bool().is_some());
            let user = c.sc("runAsUser").and_then(Node::as_i64).or(pod_user);
            if user == Some(0) {
                continue; // PS004
            }
            let nonroot = own_nonroot.or(pod_nonroot).and_then(Node::as_bool);
            if nonroot == Some(true) || user.is_some_and(|u| u > 0) {
                continue;
            }
            match own_nonroot {
                Some(n) => out.at(
                    w.id,
                    n,
                    w.cpath(&c, "securityContext.runAsNonRoot"),
                    format!(
                        "{} sets runAsNonRoot: false and no non-zero runAsUser, so it may run as root",
                        c.describe()
                    ),
                ),
                None if pod_nonroot.is_some() => inheriting.push(c.describe()),
                None => {
                    let (node, rel) = util::sc_anchor(&c);
                    out.at(
                        w.id,
                        node,
                        w.cpath(&c, rel),
                        format!(
                            "{} may run as root: runAsNonRoot is not true and runAsUser is not a non-zero UID",
                            c.describe()
                        ),
                    );
                }
            }
        }
        if let (Some(n), false) = (pod_nonroot, inheriting.is_empty()) {
            out.at(
                w.id,
                n,
                w.path("securityContext.runAsNonRoot"),
                format!(
                    "pod sets runAsNonRoot: false and no non-zero runAsUser, so {} may run as root",
                    inheriting.join(", ")
                ),
            );
        }
    }
}
