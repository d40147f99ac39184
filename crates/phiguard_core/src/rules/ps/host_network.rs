//! PS010 host-network.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;

pub const RULE: Rule = Rule {
    code: "PS010",
    name: "host-network",
    family: Family::PS,
    severity: Severity::High,
    title: "Pod uses the host's network namespace",
    hipaa: &["164.312(a)(1)", "164.312(e)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_19"],
        kubescape: &["C-0041"],
        trivy: &["KSV-0009"],
        kube_linter: &["host-network"],
        polaris: &["hostNetworkSet"],
    },
    docs: Docs {
        what_it_does: "Flags a pod template or Pod with `spec.hostNetwork: true` (an unquoted boolean). Every workload kind with a pod template is checked: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate and Argo Rollout.",
        why_it_matters: "A pod on the host network binds its ports directly on the node's interfaces, bypasses NetworkPolicy for its own traffic and can reach services listening on the node's loopback (the kubelet, local proxies, metadata endpoints). It can also observe the node's network traffic, including other pods' unencrypted PHI flows when it holds NET_RAW. That undermines both the access control (164.312(a)(1)) and the transmission security (164.312(e)(1)) of ePHI.",
        example: "spec:\n  hostNetwork: true\n  containers:\n    - name: api\n      image: registry.example.com/api:1.4.2",
        remediation: "Remove `hostNetwork: true` and expose the pod through a Service (ClusterIP, or LoadBalancer/Ingress for external clients). Only CNI and node-level networking agents need the host network, and they belong outside PHI namespaces.",
        references: &[
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "45 CFR 164.312(a)(1), 164.312(e)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    util::pod_flag_true(cx, out, "hostNetwork", "uses the host's network namespace");
}
