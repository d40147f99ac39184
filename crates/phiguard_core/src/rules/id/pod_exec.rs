//! ID006 rbac-pod-exec.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util::{report_grants, NamedOnlyIsExempt};

pub const RULE: Rule = Rule {
    code: "ID006",
    name: "rbac-pod-exec",
    family: Family::ID,
    severity: Severity::High,
    title: "RBAC rule allows exec, attach or port-forward into pods",
    hipaa: &["164.312(a)(1)", "164.312(b)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV2_K8S_2"],
        kubescape: &["C-0002", "C-0063"],
        trivy: &["KSV-0053", "KSV-0054"],
        kube_linter: &[],
        polaris: &["clusterrolePodExecAttach", "rolePodExecAttach"],
    },
    docs: Docs {
        what_it_does: "Flags rules of Roles and ClusterRoles that grant `create` or `get` (or `*`) on \
`pods/exec`, `pods/attach` or `pods/portforward` in the core API group, including through `pods/*`, `*/exec` or \
`*` resources. `get` counts because the API server authorizes WebSocket upgrades of these subresources as `get`. \
One finding per rule, at its `verbs`. Roles named `system:*` are skipped.",
        why_it_matters: "`kubectl exec` and `attach` give an interactive shell inside a running container: the \
holder sees the application's decrypted data, its mounted Secrets and its in-memory PHI, and port-forward reaches \
databases that NetworkPolicies otherwise isolate. What is typed in the shell is not recorded by the API server's \
audit log, so audit controls (164.312(b)) lose sight of it; access control (164.312(a)(1)) requires such access to \
be exceptional and granted to named people, not to standing roles.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: debug\n  namespace: \
records\nrules:\n  - apiGroups: [\"\"]\n    resources: [\"pods/exec\"]\n    verbs: [\"create\"]",
        remediation: "Remove the subresources from standing roles. Grant exec just in time to named people \
through a break-glass process (a short-lived RoleBinding created by an access-request tool), and prefer ephemeral \
debug containers without PHI access, or logs and metrics, for troubleshooting.",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#exec-and-attach",
            "https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb",
            "45 CFR 164.312(a)(1), 164.312(b)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    report_grants(
        cx,
        out,
        &[
            ("", "pods/exec"),
            ("", "pods/attach"),
            ("", "pods/portforward"),
        ],
        &["create", "get"],
        NamedOnlyIsExempt::No,
    );
}
