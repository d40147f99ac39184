//! ID002 default-service-account.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "ID002",
    name: "default-service-account",
    family: Family::ID,
    severity: Severity::Low,
    title: "Workload runs as the namespace's default service account",
    hipaa: &["164.312(a)(2)(i)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_41", "CKV_K8S_42"],
        kubescape: &["C-0189"],
        trivy: &[],
        kube_linter: &["default-service-account"],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags workloads whose pod spec has no `serviceAccountName` (nor the deprecated \
`serviceAccount`), or names `default`. Points at the field when it names `default`, else at the pod spec.",
        why_it_matters: "The `default` ServiceAccount is shared by every pod of the namespace that does not choose \
another one, so API requests and audit-log entries cannot be told apart by workload, and any permission granted to \
`default` for one application is silently granted to all of them. Unique user identification (164.312(a)(2)(i)) \
applies to software identities as much as to people: each workload that handles PHI needs its own identity.",
        example: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: report\nspec:\n  serviceAccountName: default\n  \
containers:\n    - name: report\n      image: registry.example.com/report:2.0",
        remediation: "Create one ServiceAccount per workload (with `automountServiceAccountToken: false` unless it \
calls the API) and reference it:\n\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: report\n\
automountServiceAccountToken: false\n---\nspec:\n  serviceAccountName: report",
        references: &[
            "https://kubernetes.io/docs/concepts/security/service-accounts/",
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
            "45 CFR 164.312(a)(2)(i)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        let named = ["serviceAccountName", "serviceAccount"]
            .into_iter()
            .find_map(|k| {
                w.spec
                    .get(k)
                    .and_then(|n| n.as_str().filter(|s| !s.is_empty()).map(|s| (k, n, s)))
            });
        match named {
            Some((key, node, "default")) => out.at(
                w.id,
                node,
                w.path(key),
                format!("{} runs as ServiceAccount \"default\"", w.describe()),
            ),
            Some(_) => {}
            None => out.at(
                w.id,
                w.anchor(),
                w.path(""),
                format!(
                    "{} sets no serviceAccountName and runs as ServiceAccount \"default\"",
                    w.describe()
                ),
            ),
        }
    }
}
