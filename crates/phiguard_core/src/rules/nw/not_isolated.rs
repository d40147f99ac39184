//! NW001 phi-pod-not-isolated.

use std::collections::BTreeMap;

use crate::finding::Out;
use crate::inventory::label_selector_matches;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

use super::policies;

pub const RULE: Rule = Rule {
    code: "NW001",
    name: "phi-pod-not-isolated",
    family: Family::NW,
    severity: Severity::High,
    title: "PHI workload is not selected by any ingress NetworkPolicy",
    hipaa: &["164.312(a)(1)", "164.312(e)(1)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents {
        checkov: &["CKV2_K8S_6"],
        kubescape: &["C-0260"],
        trivy: &[],
        kube_linter: &["non-isolated-pod"],
        polaris: &["missingNetworkPolicy"],
    },
    docs: Docs {
        what_it_does: "In PHI scope, flags workloads whose pods no NetworkPolicy of their namespace selects for \
ingress. A `networking.k8s.io` NetworkPolicy selects a pod when its `podSelector` matches the pod template's \
labels; an empty `podSelector: {}` selects every pod of the namespace (a common false positive of other tools). It \
applies to ingress when `policyTypes` lists `Ingress` or is not given (Kubernetes then always enforces ingress). A \
`cilium.io` CiliumNetworkPolicy of the namespace (or a CiliumClusterwideNetworkPolicy) whose `endpointSelector` \
matches the pod labels and that has an `ingress` or `ingressDeny` section counts as well. Points at the pod spec.",
        why_it_matters: "Pods that no policy selects accept connections from every pod in the cluster, so one \
compromised workload anywhere (a CI runner, a vulnerable web app in another namespace) can reach the PHI service \
directly. Access control (164.312(a)(1)) and transmission security (164.312(e)(1)) call for limiting which systems \
can connect to those that hold ePHI; a NetworkPolicy is how Kubernetes expresses that.",
        example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ehr-api\n  namespace: records\n\
spec:\n  template:\n    metadata:\n      labels: {app: ehr-api}\n    spec:\n      containers:\n        - name: api\n          \
image: registry.example.com/ehr-api:4.1\n# no NetworkPolicy in namespace records selects app=ehr-api",
        remediation: "Add a default-deny ingress policy for the namespace (see NW002) and a policy per workload \
that allows only its clients:\n\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: \
ehr-api\n  namespace: records\nspec:\n  podSelector:\n    matchLabels: {app: ehr-api}\n  policyTypes: [Ingress]\n  \
ingress:\n    - from:\n        - podSelector:\n            matchLabels: {app: portal}\n      ports:\n        - port: \
8080",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/#isolated-and-non-isolated-pods",
            "https://docs.cilium.io/en/stable/security/policy/intro/",
            "45 CFR 164.312(a)(1), 164.312(e)(1)",
        ],
    },
    check,
};

/// Whether a Cilium rule (`spec` or an item of `specs`) selects the labels and enforces ingress.
fn cilium_rule_isolates(rule: &Node, labels: &BTreeMap<String, String>) -> bool {
    let enforces = ["ingress", "ingressDeny"]
        .iter()
        .any(|k| rule.get(k).is_some_and(|n| !n.is_null()));
    enforces
        && rule
            .get("endpointSelector")
            .is_some_and(|sel| label_selector_matches(sel, labels))
}

/// Labels as Cilium sees them: each pod label also under the `k8s:` and `any:` sources, plus the namespace.
fn cilium_labels(labels: &BTreeMap<String, String>, ns: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, v) in labels {
        out.insert(k.clone(), v.clone());
        out.insert(format!("k8s:{k}"), v.clone());
        out.insert(format!("any:{k}"), v.clone());
    }
    for k in [
        "io.kubernetes.pod.namespace",
        "k8s:io.kubernetes.pod.namespace",
    ] {
        out.insert(k.to_string(), ns.to_string());
    }
    out
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    let nps = policies(cx);
    for w in cx.workloads() {
        if !w.phi {
            continue;
        }
        let ns = w.object.namespace_or_default();
        let labels = &w.workload.pod_labels;
        if nps
            .iter()
            .any(|p| p.ingress && p.namespace() == ns && p.selects(labels))
        {
            continue;
        }
        let cl = cilium_labels(labels, ns);
        let cilium = ["CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"]
            .into_iter()
            .flat_map(|k| cx.objects_of_kind("cilium.io", k))
            .filter(|(_, o)| {
                o.kind() == "CiliumClusterwideNetworkPolicy" || o.namespace_or_default() == ns
            })
            .any(|(_, o)| {
                o.root
                    .get("spec")
                    .is_some_and(|r| cilium_rule_isolates(r, &cl))
                    || o.root
                        .get("specs")
                        .map(Node::as_seq)
                        .unwrap_or(&[])
                        .iter()
                        .any(|r| cilium_rule_isolates(r, &cl))
            });
        if cilium {
            continue;
        }
        out.at(
            w.id,
            w.anchor(),
            w.path(""),
            format!(
                "pods of {} are not selected by any NetworkPolicy enforcing ingress in namespace \"{ns}\"",
                w.describe()
            ),
        );
    }
}
