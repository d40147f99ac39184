//! AV001 phi-workload-single-replica.

use crate::finding::Out;
use crate::inventory::ObjectId;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::source::Object;
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "AV001",
    name: "phi-workload-single-replica",
    family: Family::AV,
    severity: Severity::Medium,
    title: "PHI workload runs a single replica",
    hipaa: &["164.308(a)(7)(ii)(B)", "164.308(a)(7)(ii)(C)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &[],
        trivy: &[],
        kube_linter: &["minimum-three-replicas"],
        polaris: &["deploymentMissingReplicas"],
    },
    docs: Docs {
        what_it_does: "In PHI scope only: flags a Deployment, StatefulSet, ReplicaSet, ReplicationController or \
Argo Rollout whose `spec.replicas` is below 2, or absent (Kubernetes then runs 1). The finding points at \
`spec.replicas`, or at `spec` when the field is absent. It stays silent when a HorizontalPodAutoscaler \
(`autoscaling`) or KEDA ScaledObject in the same namespace targets the workload by kind and name with \
`minReplicas` (`minReplicaCount`) of 2 or more. ReplicaSets owned by a Deployment or Rollout are left to their \
owner. DaemonSets, Jobs and bare Pods are not checked.",
        why_it_matters: "With one replica every node drain, eviction, image pull failure or crash makes the \
service unavailable: clinicians lose access to the records and the systems that depend on them stop. The \
contingency plan requires the ability to restore (164.308(a)(7)(ii)(B)) and to keep critical business processes \
running in emergency mode (164.308(a)(7)(ii)(C)); a single pod is a single point of failure for the ePHI it \
serves.",
        example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: records-api\n  namespace: phi\nspec:\n  replicas: 1",
        remediation: "Run at least two replicas, spread over nodes and zones:\n\n```yaml\nspec:\n  replicas: 3\n  template:\n    spec:\n      topologySpreadConstraints:\n        - maxSkew: 1\n          topologyKey: topology.kubernetes.io/zone\n          whenUnsatisfiable: ScheduleAnyway\n          labelSelector:\n            matchLabels:\n              app: records-api\n```\n\n\
Or let an autoscaler own the count with `minReplicas: 2` or more. For a database that cannot run more than one \
instance, document the recovery procedure and waive the finding.",
        references: &[
            "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/",
            "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/",
            "45 CFR 164.308(a)(7)(ii)(B), 164.308(a)(7)(ii)(C)",
        ],
    },
    check,
};

/// An autoscaler that targets the object: (its id, its minimum, the node to point at, its description).
fn autoscaler<'a>(cx: &Ctx<'a>, o: &Object) -> Option<(ObjectId, i64, &'a Node, String)> {
    let ns = o.namespace_or_default();
    let hpa = cx
        .objects_of_kind("autoscaling", "HorizontalPodAutoscaler")
        .map(|x| (x, "minReplicas", 1));
    let keda = cx
        .objects_of_kind("keda.sh", "ScaledObject")
        .map(|x| (x, "minReplicaCount", 0));
    for ((id, a), min_field, default_min) in hpa.chain(keda) {
        if a.namespace_or_default() != ns {
            continue;
        }
        let Some(target) = a.root.at(&["spec", "scaleTargetRef"]) else {
            continue;
        };
        let kind = target
            .get("kind")
            .and_then(Node::as_str)
            .unwrap_or("Deployment");
        if kind != o.kind() || target.get("name").and_then(Node::as_str) != Some(o.name()) {
            continue;
        }
        let min_node = a
            .root
            .at(&["spec", min_field])
            .filter(|n| n.as_i64().is_some());
        let min = min_node.and_then(Node::as_i64).unwrap_or(default_min);
        return Some((id, min, min_node.unwrap_or(target), a.reference.to_string()));
    }
    None
}

fn owned_by_controller(o: &Object) -> bool {
    o.root
        .at(&["metadata", "ownerReferences"])
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .any(|r| {
            matches!(
                r.get("kind").and_then(Node::as_str),
                Some("Deployment" | "Rollout")
            )
        })
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        if !w.phi {
            continue;
        }
        let o = w.object;
        let replicated = matches!(
            (o.group(), o.kind()),
            (
                "apps" | "extensions",
                "Deployment" | "StatefulSet" | "ReplicaSet"
            ) | ("", "ReplicationController")
                | ("argoproj.io", "Rollout")
        );
        if !replicated || (o.kind() == "ReplicaSet" && owned_by_controller(o)) {
            continue;
        }
        let replicas_node = o.root.at(&["spec", "replicas"]).filter(|n| !n.is_null());
        let replicas = replicas_node.and_then(Node::as_i64);
        if replicas.is_some_and(|r| r >= 2) {
            continue;
        }
        let scaler = autoscaler(cx, o);
        if scaler.as_ref().is_some_and(|(_, min, _, _)| *min >= 2) {
            continue;
        }
        let count = replicas.unwrap_or(1);
        let plural = if count == 1 { "replica" } else { "replicas" };
        let mut message = match replicas {
            Some(r) => format!("{} runs {r} {plural} (spec.replicas: {r})", w.describe()),
            None => format!(
                "{} sets no spec.replicas, so it runs 1 replica",
                w.describe()
            ),
        };
        if let Some((_, min, _, name)) = &scaler {
            message.push_str(&format!(" and {name} lets it scale down to {min}"));
        }
        match replicas_node {
            Some(n) => out.at(w.id, n, "spec.replicas", message),
            None => out.at(w.id, o.root.get("spec").unwrap_or(&o.root), "spec", message),
        }
        if let Some((id, min, node, _)) = scaler {
            out.related(id, node, format!("autoscaler minimum is {min}"));
        }
    }
}
