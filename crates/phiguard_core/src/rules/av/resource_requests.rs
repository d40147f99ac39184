//! AV006 missing-resource-requests.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util;

pub const RULE: Rule = Rule {
    code: "AV006",
    name: "missing-resource-requests",
    family: Family::AV,
    severity: Severity::Low,
    title: "Container has no CPU or memory request",
    hipaa: &["164.308(a)(7)(ii)(C)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_10", "CKV_K8S_12"],
        kubescape: &["C-0268", "C-0269", "C-0004", "C-0050"],
        trivy: &["KSV-0015", "KSV-0016"],
        kube_linter: &["unset-cpu-requirements", "unset-memory-requirements"],
        polaris: &["cpuRequestsMissing", "memoryRequestsMissing"],
    },
    docs: Docs {
        what_it_does: "Flags each regular container and init container without a CPU request or without a \
memory request, one finding per container naming what is missing. A request counts as set when the container sets \
`resources.requests.X`, or sets `resources.limits.X` (Kubernetes then copies the limit into the request), when \
the pod sets it in pod-level `spec.resources`, or when a LimitRange (`type: Container`) in the same namespace \
injects it (`defaultRequest`, `default`, `max` or `min`). The finding points at `resources.requests`, else \
`resources`, else the container's name. Ephemeral containers are skipped.",
        why_it_matters: "Requests are what the scheduler reserves. A pod without them is placed on nodes that \
have no room for it, is first in line for eviction under memory pressure (BestEffort class), and gets no \
guaranteed CPU share when the node is busy. Services that handle PHI then fail under load or during node pressure \
in ways that are hard to predict. Predictable capacity supports the availability of critical processes \
(164.308(a)(7)(ii)(C)).",
        example: "containers:\n  - name: api\n    image: registry.example.com/api:1.4.2\n    # no resources at all",
        remediation: "Set requests from observed usage (for example the 90th percentile from metrics):\n\n```yaml\nresources:\n  requests:\n    cpu: 250m\n    memory: 256Mi\n  limits:\n    memory: 512Mi\n```\n\n\
Or give the namespace a LimitRange with `defaultRequest` values.",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
            "https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/",
            "45 CFR 164.308(a)(7)(ii)(C)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    util::missing_resources(cx, out, util::ResourceField::Requests);
}
