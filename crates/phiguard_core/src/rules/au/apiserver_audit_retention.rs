//! AU006 apiserver-audit-retention.

use super::apiservers;
use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

/// Six years, the HIPAA documentation time limit (45 CFR 164.316(b)(2)(i)), in days.
const SIX_YEARS_DAYS: i64 = 6 * 365 + 2;

pub const RULE: Rule = Rule {
    code: "AU006",
    name: "apiserver-audit-retention",
    family: Family::AU,
    severity: Severity::Medium,
    title: "Audit logs are deleted from the node before six years and not shipped elsewhere",
    hipaa: &["164.316(b)(2)(i)", "164.312(b)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_92", "CKV_K8S_93", "CKV_K8S_94"],
        kubescape: &["C-0131", "C-0132", "C-0133"],
        trivy: &["KCV-0020", "KCV-0021", "KCV-0022"],
        kube_linter: &[],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "For kube-apiserver manifests that log to a file, flags `--audit-log-maxage` below six years \
and `--audit-log-maxbackup` (which deletes old files by count) when no webhook backend ships the events elsewhere. \
`--audit-log-path=-` (stdout, collected by the node's log agent) is left to the log pipeline.",
        why_it_matters: "Audit records are part of the documentation HIPAA requires to be kept for six years \
(164.316(b)(2)(i)). Rotation on the control-plane node alone silently destroys them, and with them the proof of who \
accessed PHI.",
        example: "command:\n  - kube-apiserver\n  - --audit-policy-file=/etc/kubernetes/audit-policy.yaml\n  \
- --audit-log-path=/var/log/kubernetes/audit.log\n  - --audit-log-maxage=30",
        remediation: "Ship audit events off the node (`--audit-webhook-config-file`, or a log agent into storage \
with six-year retention and object lock), and keep node-local rotation only as a buffer.",
        references: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#log-backend", "45 CFR 164.316(b)(2)(i)"],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for a in apiservers(cx) {
        let Some((path, _)) = a.flags.get("audit-log-path") else {
            continue;
        };
        if path == "-" || a.flags.contains_key("audit-webhook-config-file") {
            continue;
        }
        if let Some((v, node)) = a.flags.get("audit-log-maxage") {
            if let Ok(days) = v.parse::<i64>() {
                if days > 0 && days < SIX_YEARS_DAYS {
                    out.at(
                        a.id,
                        node,
                        a.path.clone(),
                        format!("audit logs are deleted after {days} days and not shipped elsewhere; six years are required"),
                    );
                    continue;
                }
            }
        }
        if let Some((v, node)) = a.flags.get("audit-log-maxbackup") {
            if v.parse::<i64>().is_ok_and(|n| n > 0) {
                out.at(
                    a.id,
                    node,
                    a.path.clone(),
                    format!("only {v} rotated audit log files are kept and nothing ships them elsewhere"),
                );
            }
        }
    }
}
