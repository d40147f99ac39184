//! ID013 phi-secret-exec-access.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::report_phi_powers;

pub const RULE: Rule = Rule {
    code: "ID013",
    name: "phi-secret-exec-access",
    family: Family::ID,
    severity: Severity::High,
    title: "Subject can read Secrets or exec into pods in a PHI namespace",
    hipaa: &["164.308(a)(4)", "164.312(a)(1)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0015", "C-0002"],
        trivy: &["KSV-0041", "KSV-0053"],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Computes effective permissions (aggregated ClusterRoles and the Kubernetes bootstrap roles \
such as `edit` and `admin` included) and flags each subject of a RoleBinding in a PHI namespace, or of a \
ClusterRoleBinding when PHI namespaces exist, that can read Secrets (`get`, `list` or `watch`) or exec, attach or \
port-forward into pods (`create` or `get` on the subresource, since a WebSocket upgrade needs only `get`). \
Control-plane subjects (`system:*`, kube-system service accounts) are skipped, and so are the catch-all groups \
(ID016 reports those). Grants limited by `resourceNames` are not reported. One finding per binding subject, at \
its `name`, citing the rule.",
        why_it_matters: "Reading a PHI namespace's Secrets yields the credentials of its databases; exec gives a \
shell beside the PHI itself. Information access management (164.308(a)(4)) requires that access to PHI be \
authorised per role, and access control (164.312(a)(1)) that only those who need it can reach it. Bindings \
are where that access is granted, including through roles such as `edit` whose rules the manifests never show.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: devs\n  \
namespace: clinic   # labelled phiguard.io/phi=true\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: \
ClusterRole\n  name: edit\nsubjects:\n  - kind: Group\n    name: developers",
        remediation: "Bind `view` (which has no Secrets and no exec) instead of `edit` or `admin` in PHI \
namespaces, or a Role without `secrets` and `pods/exec`; grant break-glass access through a time-limited \
binding that is reviewed and logged. Run `phiguard rbac subject KIND NAME` to see every path a subject has.",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets",
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles",
            "45 CFR 164.308(a)(4), 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    report_phi_powers(
        cx,
        out,
        |h| matches!(h.power.id, "read-secrets" | "exec") && h.only_names.is_empty(),
        |s| s.is_system() || s.is_everyone(),
    );
}
