//! AV004 missing-liveness-probe.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;

pub const RULE: Rule = Rule {
    code: "AV004",
    name: "missing-liveness-probe",
    family: Family::AV,
    severity: Severity::Low,
    title: "Container has no liveness probe",
    hipaa: &["164.308(a)(7)(ii)(C)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_8"],
        kubescape: &["C-0056"],
        trivy: &[],
        kube_linter: &["no-liveness-probe"],
        polaris: &["livenessProbeMissing"],
    },
    docs: Docs {
        what_it_does: "Flags each regular container (not init or ephemeral containers, which cannot have probes) of a long-running workload that has no `livenessProbe`. Jobs, CronJobs, pods owned by a Job and pods with `restartPolicy` `Never` or `OnFailure` run to completion and are skipped. The finding points at the container's name. The severity is low everywhere; in PHI scope treat it as part of the availability evidence.",
        why_it_matters: "A process that deadlocks or hangs without exiting is never restarted when there is no liveness probe: the pod stays Running while the service it provides is down, until someone notices. For systems that give access to PHI that means an outage nobody is alerted to. Automatic restart of hung containers is part of keeping critical processes running in emergency mode (164.308(a)(7)(ii)(C)).",
        example: "containers:\n  - name: api\n    image: registry.example.com/api:1.4.2\n    # no livenessProbe",
        remediation: "Add a cheap probe that fails only when the process itself is stuck (not when a dependency is down, which is the readiness probe's job):\n\n```yaml\nlivenessProbe:\n  httpGet:\n    path: /healthz\n    port: 8080\n  periodSeconds: 10\n  failureThreshold: 3\n```\n\nFor slow starters add a `startupProbe` rather than a long `initialDelaySeconds`.",
        references: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
            "45 CFR 164.308(a)(7)(ii)(C)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    util::missing_probe(cx, out, "livenessProbe");
}
