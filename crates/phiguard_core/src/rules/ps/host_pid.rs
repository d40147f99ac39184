//! PS008 host-pid.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;

pub const RULE: Rule = Rule {
    code: "PS008",
    name: "host-pid",
    family: Family::PS,
    severity: Severity::High,
    title: "Pod shares the host's PID namespace",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_17"],
        kubescape: &["C-0038", "C-0275"],
        trivy: &["KSV-0010"],
        kube_linter: &["host-pid"],
        polaris: &["hostPIDSet"],
    },
    docs: Docs {
        what_it_does: "Flags a pod template or Pod with `spec.hostPID: true` (an unquoted boolean; the string \"true\" is not a boolean to Kubernetes either). Every workload kind with a pod template is checked: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate and Argo Rollout.",
        why_it_matters: "With the host's PID namespace the containers see every process on the node, with its command line and environment, and (as root or with SYS_PTRACE) can signal, trace or read the memory of processes of other pods, such as the databases and APIs that hold PHI. That breaks the isolation between workloads on which the access controls of 164.312(a)(1) rely.",
        example: "spec:\n  hostPID: true\n  containers:\n    - name: debug\n      image: registry.example.com/debug:1.0.0",
        remediation: "Remove `hostPID: true` (it defaults to false). Process-level node monitoring belongs in a dedicated, non-PHI namespace with a documented waiver; to see the processes of the pod's own containers use `shareProcessNamespace: true` instead.",
        references: &[
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    util::pod_flag_true(cx, out, "hostPID", "shares the host's process namespace");
}
