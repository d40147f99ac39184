//! ID008 rbac-nodes-proxy.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util::{report_grants, NamedOnlyIsExempt};

pub const RULE: Rule = Rule {
    code: "ID008",
    name: "rbac-nodes-proxy",
    family: Family::ID,
    severity: Severity::High,
    title: "RBAC rule allows access to the kubelet API through nodes/proxy",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV2_K8S_2"],
        kubescape: &["C-0279"],
        trivy: &["KSV-0047"],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags rules of Roles and ClusterRoles that grant `get`, `create` (or `*`) on `nodes/proxy` \
in the core API group, including through `nodes/*`, `*/proxy` or `*` resources. One finding per rule, at its \
`verbs`. Roles named `system:*` are skipped.",
        why_it_matters: "`nodes/proxy` forwards requests to the kubelet API of any node. The kubelet's `/exec`, \
`/run` and `/attach` endpoints run commands in every pod on that node, and because the API server authorizes the \
proxy request and not what the kubelet then does, the commands bypass `pods/exec` RBAC and admission control. \
Monitoring agents often receive `get nodes/proxy` for metrics; that is already enough (over WebSocket) to run \
commands next to PHI. Access control (164.312(a)(1)) is lost for every workload on the node.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: metrics\n\
rules:\n  - apiGroups: [\"\"]\n    resources: [\"nodes/proxy\"]\n    verbs: [\"get\"]",
        remediation: "Grant `nodes/metrics` and `nodes/stats` (read-only kubelet endpoints) instead of \
`nodes/proxy` to monitoring agents, or scrape the metrics through the API server's resource metrics pipeline. \
Never grant `nodes/proxy` to workloads in PHI namespaces.",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes",
            "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    report_grants(
        cx,
        out,
        &[("", "nodes/proxy")],
        &["get", "create"],
        NamedOnlyIsExempt::No,
    );
}
