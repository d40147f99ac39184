//! AV002 phi-workload-no-pdb.

use crate::finding::Out;
use crate::inventory::label_selector_matches;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::source::Object;
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "AV002",
    name: "phi-workload-no-pdb",
    family: Family::AV,
    severity: Severity::Medium,
    title: "PHI workload has no PodDisruptionBudget",
    hipaa: &["164.308(a)(7)(ii)(C)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &[],
        trivy: &[],
        kube_linter: &[],
        polaris: &["missingPodDisruptionBudget"],
    },
    docs: Docs {
        what_it_does: "In PHI scope only: flags a Deployment or StatefulSet with more than one replica (or no \
`spec.replicas`, which an autoscaler usually owns) when no PodDisruptionBudget (`policy`) in the same namespace \
selects its pod template labels. The PDB's `spec.selector` is evaluated as the API does: `matchLabels` and \
`matchExpressions`; an absent (null) selector selects no pods; an empty selector `{}` selects every pod of the \
namespace in `policy/v1` and none in `policy/v1beta1`. The finding points at the workload's `metadata.name`. \
Workloads with `replicas: 0` or `1` are left to AV001.",
        why_it_matters: "Node upgrades, drains and cluster autoscaling evict pods. Without a PDB, nothing stops \
all replicas of a service being evicted at once, and a routine maintenance window becomes an outage of the \
systems that give access to PHI. A PDB is how the cluster is told to keep the service running through planned \
disruption, part of operating in emergency mode and keeping critical processes available \
(164.308(a)(7)(ii)(C)).",
        example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: records-api\n  namespace: phi\nspec:\n  replicas: 3\n  # no PodDisruptionBudget selects app=records-api",
        remediation: "Add a PodDisruptionBudget that selects the pods and leaves room for evictions:\n\n```yaml\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: records-api\n  namespace: phi\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: records-api\n```\n\n\
Avoid `maxUnavailable: 0` or `minAvailable` equal to the replica count: such a PDB blocks node drains entirely.",
        references: &[
            "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
            "https://kubernetes.io/docs/concepts/workloads/pods/disruptions/",
            "45 CFR 164.308(a)(7)(ii)(C)",
        ],
    },
    check,
};

/// Whether a PodDisruptionBudget selects pods with these labels.
fn selects(pdb: &Object, labels: &std::collections::BTreeMap<String, String>) -> bool {
    let Some(sel) = pdb.root.at(&["spec", "selector"]).filter(|n| n.is_map()) else {
        return false; // a null selector selects no pods
    };
    let empty = sel
        .get("matchLabels")
        .map(Node::as_map)
        .unwrap_or(&[])
        .is_empty()
        && sel
            .get("matchExpressions")
            .map(Node::as_seq)
            .unwrap_or(&[])
            .is_empty();
    if empty && pdb.reference.api_version != "policy/v1" {
        return false; // policy/v1beta1: an empty selector selects no pods
    }
    label_selector_matches(sel, labels)
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        if !w.phi {
            continue;
        }
        let o = w.object;
        if !matches!(
            (o.group(), o.kind()),
            ("apps" | "extensions", "Deployment") | ("apps", "StatefulSet")
        ) {
            continue;
        }
        let replicas = o.root.at(&["spec", "replicas"]).and_then(Node::as_i64);
        if replicas.is_some_and(|r| r < 2) {
            continue;
        }
        let ns = o.namespace_or_default();
        let covered = cx
            .objects_of_kind("policy", "PodDisruptionBudget")
            .any(|(_, pdb)| {
                pdb.namespace_or_default() == ns && selects(pdb, &w.workload.pod_labels)
            });
        if covered {
            continue;
        }
        let count = match replicas {
            Some(r) => format!("{r} replicas"),
            None => "replicas not set".to_string(),
        };
        let (node, path) = match o.root.at(&["metadata", "name"]) {
            Some(n) => (n, "metadata.name"),
            None => (&o.root, ""),
        };
        out.at(
            w.id,
            node,
            path,
            format!(
                "{} ({count}) is selected by no PodDisruptionBudget in namespace {ns}",
                w.describe()
            ),
        );
    }
}
