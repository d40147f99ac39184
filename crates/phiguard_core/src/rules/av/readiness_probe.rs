//! AV003 missing-readiness-probe.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;

pub const RULE: Rule = Rule {
    code: "AV003",
    name: "missing-readiness-probe",
    family: Family::AV,
    severity: Severity::Low,
    title: "Container has no readiness probe",
    hipaa: &["164.308(a)(7)(ii)(C)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_9"],
        kubescape: &["C-0018"],
        trivy: &[],
        kube_linter: &["no-readiness-probe"],
        polaris: &["readinessProbeMissing"],
    },
    docs: Docs {
        what_it_does: "Flags each regular container (not init or ephemeral containers, which cannot have probes) of a long-running workload that has no `readinessProbe`. Jobs, CronJobs, pods owned by a Job and pods with `restartPolicy` `Never` or `OnFailure` run to completion and are skipped. The finding points at the container's name. The severity is low everywhere; in PHI scope treat it as part of the availability evidence.",
        why_it_matters: "Without a readiness probe a pod receives traffic as soon as its process starts, before it has connected to its database or loaded its keys, and keeps receiving it while it is overloaded or cut off from its dependencies. Users of a PHI system see errors during every rollout and partial outage. Readiness gating is how Kubernetes routes around failed replicas, a basic mechanism for keeping critical services available in emergency mode (164.308(a)(7)(ii)(C)).",
        example: "containers:\n  - name: api\n    image: registry.example.com/api:1.4.2\n    # no readinessProbe",
        remediation: "Add a probe that checks the service can actually serve requests (its own dependencies included):\n\n```yaml\nreadinessProbe:\n  httpGet:\n    path: /ready\n    port: 8080\n  periodSeconds: 5\n  failureThreshold: 3\n```",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
            "45 CFR 164.308(a)(7)(ii)(C)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    util::missing_probe(cx, out, "readinessProbe");
}
