//! AU005 apiserver-audit-disabled.

use super::apiservers;
use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "AU005",
    name: "apiserver-audit-disabled",
    family: Family::AU,
    severity: Severity::Critical,
    title: "kube-apiserver runs without audit logging",
    hipaa: &["164.312(b)", "164.308(a)(1)(ii)(D)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_91"],
        kubescape: &["C-0067", "C-0130", "C-0254"],
        trivy: &["KCV-0019"],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "In kube-apiserver static pod manifests, flags a missing `--audit-policy-file`, and a policy \
without a backend (`--audit-log-path` or `--audit-webhook-config-file`).",
        why_it_matters: "Without an audit policy the API server records nothing: no exec into PHI workloads, no \
secret reads, no RBAC change can be reviewed or proven afterwards.",
        example: "spec:\n  containers:\n    - name: kube-apiserver\n      command:\n        - kube-apiserver\n        \
- --authorization-mode=Node,RBAC",
        remediation: "Add `--audit-policy-file=/etc/kubernetes/audit-policy.yaml` and \
`--audit-log-path=/var/log/kubernetes/audit/audit.log` (or a webhook backend feeding `phiguard audit`).",
        references: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/"],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for a in apiservers(cx) {
        if !a.flags.contains_key("audit-policy-file") {
            out.at(
                a.id,
                a.anchor,
                a.path.clone(),
                "kube-apiserver has no --audit-policy-file: nothing is audited",
            );
        } else if !a.flags.contains_key("audit-log-path")
            && !a.flags.contains_key("audit-webhook-config-file")
        {
            out.at(
                a.id,
                a.anchor,
                a.path.clone(),
                "kube-apiserver has an audit policy but no backend (--audit-log-path or --audit-webhook-config-file)",
            );
        }
    }
}
