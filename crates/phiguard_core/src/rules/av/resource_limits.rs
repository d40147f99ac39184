//! AV005 missing-resource-limits.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;

pub const RULE: Rule = Rule {
    code: "AV005",
    name: "missing-resource-limits",
    family: Family::AV,
    severity: Severity::Medium,
    title: "Container has no CPU or memory limit",
    hipaa: &["164.308(a)(7)(ii)(C)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_11", "CKV_K8S_13"],
        kubescape: &["C-0270", "C-0271", "C-0009", "C-0004", "C-0050"],
        trivy: &["KSV-0011", "KSV-0018"],
        kube_linter: &["unset-cpu-requirements", "unset-memory-requirements"],
        polaris: &["cpuLimitsMissing", "memoryLimitsMissing"],
    },
    docs: Docs {
        what_it_does: "Flags each regular container and init container without `resources.limits.memory` or \
without `resources.limits.cpu`, one finding per container naming what is missing. A limit counts as set when the \
container sets it, when the pod sets it in pod-level `spec.resources.limits`, or when a LimitRange \
(`type: Container`) in the same namespace injects it as `default` (or `max`). The finding points at \
`resources.limits`, else `resources`, else the container's name. Ephemeral containers cannot have resources and \
are skipped.",
        why_it_matters: "A container without a memory limit can take all the memory of its node and get other \
pods, including the ones that serve PHI, killed by the kernel's OOM killer; one without a CPU limit can starve \
them. A bug, a leak or a denial-of-service against one service then becomes an outage of everything on the node. \
Bounding each workload is a basic part of keeping critical services available in emergency mode \
(164.308(a)(7)(ii)(C)).",
        example: "containers:\n  - name: api\n    image: registry.example.com/api:1.4.2\n    resources:\n      requests:\n        cpu: 250m\n        memory: 256Mi",
        remediation: "Set both limits on every container:\n\n```yaml\nresources:\n  requests:\n    cpu: 250m\n    memory: 256Mi\n  limits:\n    cpu: \"1\"\n    memory: 512Mi\n```\n\n\
Or give the namespace a LimitRange with `default` limits so that containers without them get one at admission.",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
            "https://kubernetes.io/docs/concepts/policy/limit-range/",
            "45 CFR 164.308(a)(7)(ii)(C)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    util::missing_resources(cx, out, util::ResourceField::Limits);
}
