//! PS009 host-ipc.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;

pub const RULE: Rule = Rule {
    code: "PS009",
    name: "host-ipc",
    family: Family::PS,
    severity: Severity::High,
    title: "Pod shares the host's IPC namespace",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_18"],
        kubescape: &["C-0038", "C-0276"],
        trivy: &["KSV-0008"],
        kube_linter: &["host-ipc"],
        polaris: &["hostIPCSet"],
    },
    docs: Docs {
        what_it_does: "Flags a pod template or Pod with `spec.hostIPC: true` (an unquoted boolean). Every workload kind with a pod template is checked: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate and Argo Rollout.",
        why_it_matters: "The host IPC namespace gives the containers the node's System V shared memory, semaphores and message queues, and the node's `/dev/shm`. Processes of other pods that use shared memory (databases among them) can have their data read or altered. That breaks workload isolation and with it the access control (164.312(a)(1)) around ePHI handled on the node.",
        example: "spec:\n  hostIPC: true\n  containers:\n    - name: cache\n      image: registry.example.com/cache:3.2.0",
        remediation: "Remove `hostIPC: true` (it defaults to false). Containers of the same pod already share an IPC namespace; use an `emptyDir` with `medium: Memory` for shared memory between them.",
        references: &[
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    util::pod_flag_true(cx, out, "hostIPC", "shares the host's IPC namespace");
}
