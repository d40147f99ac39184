//! ID010 rbac-create-workloads.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::rules::util::{report_grants, NamedOnlyIsExempt};

pub const RULE: Rule = Rule {
    code: "ID010",
    name: "rbac-create-workloads",
    family: Family::ID,
    severity: Severity::Medium,
    title: "RBAC rule allows creating pods or workload controllers",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0188"],
        trivy: &["KSV-0048"],
        kube_linter: &["access-to-create-pods"],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags rules of Roles and ClusterRoles that grant `create` (or `*`) on `pods` (core \
group), `deployments`, `statefulsets`, `daemonsets`, `replicasets` (`apps`, `extensions`), `jobs` or `cronjobs` \
(`batch`), including through `*` resources or API groups. One finding per rule, at its `verbs`. Roles named \
`system:*` are skipped.",
        why_it_matters: "Whoever can create a pod in a namespace can run it as any ServiceAccount of that \
namespace and mount any Secret, ConfigMap or PersistentVolumeClaim there, so the permission is equivalent to \
reading every credential and every PHI volume of the namespace (the RBAC good-practices guide calls this out as an \
escalation path). Access control (164.312(a)(1)) needs this limited to deployment pipelines and reviewed.",
        example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: runner\n  \
namespace: records\nrules:\n  - apiGroups: [\"batch\"]\n    resources: [\"jobs\"]\n    verbs: [\"create\", \
\"get\"]",
        remediation: "Grant workload creation only to the deployment pipeline's ServiceAccount, per namespace, and \
enforce Pod Security Admission (`restricted`) plus an admission policy that restricts which ServiceAccounts and \
volumes new pods may use. Applications that launch jobs should use a dedicated namespace without PHI Secrets.",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    report_grants(
        cx,
        out,
        &[
            ("", "pods"),
            ("apps", "deployments"),
            ("extensions", "deployments"),
            ("apps", "statefulsets"),
            ("apps", "daemonsets"),
            ("extensions", "daemonsets"),
            ("apps", "replicasets"),
            ("extensions", "replicasets"),
            ("batch", "jobs"),
            ("batch", "cronjobs"),
        ],
        &["create"],
        NamedOnlyIsExempt::No,
    );
}
