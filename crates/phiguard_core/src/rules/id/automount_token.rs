//! ID001 service-account-token-automounted.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "ID001",
    name: "service-account-token-automounted",
    family: Family::ID,
    severity: Severity::Medium,
    title: "Pod mounts a service account API token it may not need",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_38"],
        kubescape: &["C-0034", "C-0190", "C-0261"],
        trivy: &["KSV-0036"],
        kube_linter: &[],
        polaris: &["automountServiceAccountToken"],
    },
    docs: Docs {
        what_it_does: "Flags workloads whose pod spec does not set `automountServiceAccountToken: false` when the \
ServiceAccount the pod runs as (from `serviceAccountName`, else `default`, looked up in the same namespace among the \
scanned objects) does not set it to false either. The pod-level setting wins: `false` on the pod silences the rule \
whatever the ServiceAccount says, and `true` on the pod fires (at that field) even when the ServiceAccount opts out. \
When the ServiceAccount is not among the scanned objects, the Kubernetes default (mount the token) is assumed.",
        why_it_matters: "Every mounted token is a credential for the Kubernetes API, readable by anyone who gets \
code execution in the container. If that pod's ServiceAccount can read Secrets or ConfigMaps, an attacker who \
exploits the application also gets the database passwords and keys that protect PHI. Access control \
(164.312(a)(1)) requires that software be granted only the access it needs; most application pods never call the \
Kubernetes API and should not carry a token.",
        example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      \
serviceAccountName: api\n      containers:\n        - name: api\n          image: registry.example.com/api:1.4",
        remediation: "Set `automountServiceAccountToken: false` on the pod spec (or on the ServiceAccount, for \
every pod that uses it). Pods that do call the API should use a dedicated ServiceAccount with a minimal Role and a \
projected token with a short `expirationSeconds`.\n\nspec:\n  template:\n    spec:\n      \
automountServiceAccountToken: false",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
            "https://kubernetes.io/docs/concepts/security/service-accounts/",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        let pod = w
            .spec
            .get("automountServiceAccountToken")
            .filter(|n| !n.is_null());
        match pod.and_then(Node::as_bool) {
            Some(false) => continue,
            Some(true) => {
                if let Some(n) = pod {
                    out.at(
                        w.id,
                        n,
                        w.path("automountServiceAccountToken"),
                        format!(
                            "{} sets automountServiceAccountToken: true, mounting an API token in every container",
                            w.describe()
                        ),
                    );
                }
                continue;
            }
            None => {}
        }
        let sa_name = ["serviceAccountName", "serviceAccount"]
            .iter()
            .find_map(|k| w.spec.get(k).and_then(Node::as_str))
            .filter(|s| !s.is_empty())
            .unwrap_or("default");
        let ns = w.object.namespace_or_default();
        let sa = cx
            .objects_of_kind("", "ServiceAccount")
            .find(|(_, o)| o.name() == sa_name && o.namespace_or_default() == ns);
        let sa_setting = sa.and_then(|(_, o)| o.root.get("automountServiceAccountToken"));
        if sa_setting.and_then(Node::as_bool) == Some(false) {
            continue;
        }
        let why = match sa {
            Some(_) => format!("and ServiceAccount \"{sa_name}\" does not disable it"),
            None => format!("and ServiceAccount \"{sa_name}\" is not among the scanned objects"),
        };
        out.at(
            w.id,
            w.anchor(),
            w.path(""),
            format!(
                "{} mounts a service account token: the pod spec does not set automountServiceAccountToken: false {why}",
                w.describe()
            ),
        );
        if let Some((sa_id, sa_obj)) = sa {
            out.related(
                sa_id,
                sa_setting
                    .or_else(|| sa_obj.root.at(&["metadata", "name"]))
                    .unwrap_or(&sa_obj.root),
                format!("ServiceAccount \"{sa_name}\" used by the pod"),
            );
        }
    }
}
