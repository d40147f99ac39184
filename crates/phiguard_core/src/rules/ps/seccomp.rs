//! PS016 seccomp-not-enforced.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "PS016",
    name: "seccomp-not-enforced",
    family: Family::PS,
    severity: Severity::Medium,
    title: "Container runs without a seccomp profile",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_31"],
        kubescape: &["C-0210"],
        trivy: &["KSV-0030", "KSV-0104"],
        kube_linter: &[],
        polaris: &["linuxHardening"],
    },
    docs: Docs {
        what_it_does: "Works out the seccomp profile each container, init container and ephemeral container \
gets, in the order Kubernetes applies it: the container's `securityContext.seccompProfile.type`, then the legacy \
annotation `container.seccomp.security.alpha.kubernetes.io/NAME` on the pod template, then the pod's \
`securityContext.seccompProfile.type`, then the legacy pod annotation `seccomp.security.alpha.kubernetes.io/pod`. \
It flags the container unless that profile is `RuntimeDefault` or `Localhost` (annotations: `runtime/default`, \
`docker/default` or `localhost/...`). An explicit `Unconfined` (or `unconfined` annotation) is reported at the \
field or annotation that sets it, once per pod for a pod-level setting; a container with no profile at all is \
reported at its securityContext or name. Windows pods are skipped.",
        why_it_matters: "Kubernetes runs containers `Unconfined` unless a profile is requested (the kubelet's \
`--seccomp-default` is off by default). Without seccomp every system call of the kernel is reachable from the \
container, including the rarely used ones behind most container-escape vulnerabilities. The runtime's default \
profile blocks them at no cost for ordinary services, and is part of the technical access control that keeps a \
compromised workload away from the ePHI of others (164.312(a)(1)).",
        example: "spec:\n  containers:\n    - name: api\n      image: registry.example.com/api:1.4.2\n      # no seccompProfile on the container or the pod",
        remediation: "Set the runtime default profile once at pod level:\n\n```yaml\nspec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n```\n\n\
Use `type: Localhost` with `localhostProfile` for a custom, stricter profile. Replace the deprecated seccomp \
annotations (ignored since Kubernetes 1.27) with the field.",
        references: &[
            "https://kubernetes.io/docs/tutorials/security/seccomp/",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// Whether a `seccompProfile` field value (its `type`) enforces a profile.
fn field_enforced(t: &str) -> bool {
    matches!(t.trim(), "RuntimeDefault" | "Localhost")
}

/// Whether a legacy annotation value enforces a profile.
fn annotation_enforced(v: &str) -> bool {
    let v = v.trim();
    v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
}

/// The `type` node of a `seccompProfile` node, when it is a string.
fn profile_type(profile: Option<&Node>) -> Option<&Node> {
    profile
        .and_then(|p| p.get("type"))
        .filter(|t| t.as_str().is_some())
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        if util::is_windows(&w) {
            continue;
        }
        let pod_field = profile_type(w.pod_sc("seccompProfile"));
        let pod_annotation =
            util::pod_annotation(cx, &w, POD_ANNOTATION).filter(|(n, _)| n.as_str().is_some());
        let mut inheriting = Vec::new();
        for c in w.containers() {
            if let Some(t) = profile_type(c.sc("seccompProfile")) {
                let value = t.as_str().unwrap_or("");
                if !field_enforced(value) {
                    out.at(
                        w.id,
                        t,
                        w.cpath(&c, "securityContext.seccompProfile.type"),
                        format!("{} sets seccompProfile.type: {value}", c.describe()),
                    );
                }
                continue;
            }
            let key = format!("{CONTAINER_ANNOTATION}{}", c.name());
            if let Some((n, path)) = util::pod_annotation(cx, &w, &key) {
                if let Some(value) = n.as_str() {
                    if !annotation_enforced(value) {
                        out.at(
                            w.id,
                            n,
                            path,
                            format!(
                                "{} runs without seccomp (annotation {key}: {value})",
                                c.describe()
                            ),
                        );
                    }
                    continue;
                }
            }
            if pod_field.is_some() || pod_annotation.is_some() {
                inheriting.push(c.describe());
                continue;
            }
            let (node, rel) = util::sc_anchor(&c);
            out.at(
                w.id,
                node,
                w.cpath(&c, rel),
                format!(
                    "{} runs without a seccomp profile (no seccompProfile.type RuntimeDefault or Localhost on it or the pod)",
                    c.describe()
                ),
            );
        }
        if inheriting.is_empty() {
            continue;
        }
        let who = inheriting.join(", ");
        if let Some(t) = pod_field {
            let value = t.as_str().unwrap_or("");
            if !field_enforced(value) {
                out.at(
                    w.id,
                    t,
                    w.path("securityContext.seccompProfile.type"),
                    format!("pod sets seccompProfile.type: {value}, inherited by {who}"),
                );
            }
        } else if let Some((n, path)) = pod_annotation {
            let value = n.as_str().unwrap_or("");
            if !annotation_enforced(value) {
                out.at(
                    w.id,
                    n,
                    path,
                    format!(
                        "pod annotation {POD_ANNOTATION}: {value} leaves {who} without seccomp"
                    ),
                );
            }
        }
    }
}
