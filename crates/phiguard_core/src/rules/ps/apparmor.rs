//! PS017 apparmor-unconfined.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "PS017",
    name: "apparmor-unconfined",
    family: Family::PS,
    severity: Severity::High,
    title: "Container runs without AppArmor confinement",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0055"],
        trivy: &["KSV-0002"],
        kube_linter: &[],
        polaris: &["linuxHardening"],
    },
    docs: Docs {
        what_it_does: "Works out the AppArmor profile of each container, init container and ephemeral container \
in the order Kubernetes applies it: the container's `securityContext.appArmorProfile.type`, then the annotation \
`container.apparmor.security.beta.kubernetes.io/NAME` on the pod template, then the pod's \
`securityContext.appArmorProfile.type`. It flags the container when that profile is `Unconfined` (annotation value \
`unconfined`), at the field or annotation that sets it; a pod-level `Unconfined` is reported once, naming the \
containers that inherit it. Containers without any setting get the runtime's default profile and are not \
reported. Windows pods are skipped.",
        why_it_matters: "On nodes with AppArmor the runtime's default profile denies writes to `/proc` and \
`/sys`, mounts and other operations used to break out of a container. Opting out removes that layer for a \
workload that may handle PHI, which weakens the technical access controls of 164.312(a)(1) and the node isolation \
they rely on.",
        example: "spec:\n  template:\n    metadata:\n      annotations:\n        container.apparmor.security.beta.kubernetes.io/api: unconfined",
        remediation: "Remove the `Unconfined` setting (the runtime default then applies), or request it \
explicitly:\n\n```yaml\nspec:\n  securityContext:\n    appArmorProfile:\n      type: RuntimeDefault\n```\n\n\
Replace the beta annotations with the `appArmorProfile` field (Kubernetes 1.30+).",
        references: &[
            "https://kubernetes.io/docs/tutorials/security/apparmor/",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

const CONTAINER_ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

/// The `type` node of an `appArmorProfile` node, when it is a string.
fn profile_type(profile: Option<&Node>) -> Option<&Node> {
    profile
        .and_then(|p| p.get("type"))
        .filter(|t| t.as_str().is_some())
}

fn unconfined(n: &Node) -> bool {
    n.as_str()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("unconfined"))
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        if util::is_windows(&w) {
            continue;
        }
        let pod_field = profile_type(w.pod_sc("appArmorProfile"));
        let mut inheriting = Vec::new();
        for c in w.containers() {
            if let Some(t) = profile_type(c.sc("appArmorProfile")) {
                if unconfined(t) {
                    out.at(
                        w.id,
                        t,
                        w.cpath(&c, "securityContext.appArmorProfile.type"),
                        format!("{} sets appArmorProfile.type: Unconfined", c.describe()),
                    );
                }
                continue;
            }
            let key = format!("{CONTAINER_ANNOTATION}{}", c.name());
            if let Some((n, path)) = util::pod_annotation(cx, &w, &key) {
                if n.as_str().is_some() {
                    if unconfined(n) {
                        out.at(
                            w.id,
                            n,
                            path,
                            format!(
                                "{} runs without AppArmor (annotation {key}: unconfined)",
                                c.describe()
                            ),
                        );
                    }
                    continue;
                }
            }
            inheriting.push(c.describe());
        }
        if let Some(t) = pod_field.filter(|t| unconfined(t)) {
            if !inheriting.is_empty() {
                out.at(
                    w.id,
                    t,
                    w.path("securityContext.appArmorProfile.type"),
                    format!(
                        "pod sets appArmorProfile.type: Unconfined, inherited by {}",
                        inheriting.join(", ")
                    ),
                );
            }
        }
    }
}
