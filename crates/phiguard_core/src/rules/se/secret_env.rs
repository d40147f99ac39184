//! SE004 secret-in-env-var.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

pub const RULE: Rule = Rule {
    code: "SE004",
    name: "secret-in-env-var",
    family: Family::SE,
    severity: Severity::Low,
    title: "Secret is exposed as an environment variable",
    hipaa: &["164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &["CKV_K8S_35"],
        kubescape: &["C-0207"],
        trivy: &[],
        kube_linter: &["read-secret-from-env-var"],
        polaris: &[],
    },
    docs: Docs {
        what_it_does: "Flags `env[].valueFrom.secretKeyRef` and `envFrom[].secretRef` in containers, init \
containers and ephemeral containers.",
        why_it_matters: "Environment variables leak more easily than files: they are inherited by every child \
process, printed by crash handlers, debug endpoints and `env` in support sessions, visible in `/proc/<pid>/environ` \
to other processes of the same user, and cannot be updated when the Secret is rotated. Mounted files can be \
restricted by mode, are refreshed on rotation and do not leak into logs. Access control (164.312(a)(1)) of the \
credentials that reach PHI is easier to maintain with files.",
        example: "containers:\n  - name: api\n    env:\n      - name: DB_PASSWORD\n        valueFrom:\n          \
secretKeyRef:\n            name: ehr-db\n            key: password",
        remediation: "Mount the Secret as a read-only volume and have the application read the file (many \
images support `*_FILE` variables such as `POSTGRES_PASSWORD_FILE`):\n\nvolumes:\n  - name: db\n    secret:\n      \
secretName: ehr-db\n      defaultMode: 0400\ncontainers:\n  - name: api\n    volumeMounts:\n      - name: db\n        \
mountPath: /run/secrets/db\n        readOnly: true",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod",
            "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
            "45 CFR 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        for c in w.containers() {
            let env = c.node.get("env").map(Node::as_seq).unwrap_or(&[]);
            for (i, e) in env.iter().enumerate() {
                let Some(r) = e
                    .at(&["valueFrom", "secretKeyRef"])
                    .filter(|n| !n.is_null())
                else {
                    continue;
                };
                let var = e.get("name").and_then(Node::as_str).unwrap_or("");
                let secret = r.get("name").and_then(Node::as_str).unwrap_or("");
                let key = r.get("key").and_then(Node::as_str).unwrap_or("");
                out.at(
                    w.id,
                    r,
                    w.cpath(&c, &format!("env[{i}].valueFrom.secretKeyRef")),
                    format!(
                        "{} reads key \"{key}\" of Secret \"{secret}\" into env {var}",
                        c.describe()
                    ),
                );
            }
            let env_from = c.node.get("envFrom").map(Node::as_seq).unwrap_or(&[]);
            for (i, e) in env_from.iter().enumerate() {
                let Some(r) = e.get("secretRef").filter(|n| !n.is_null()) else {
                    continue;
                };
                let secret = r.get("name").and_then(Node::as_str).unwrap_or("");
                out.at(
                    w.id,
                    r,
                    w.cpath(&c, &format!("envFrom[{i}].secretRef")),
                    format!(
                        "{} imports every key of Secret \"{secret}\" as environment variables",
                        c.describe()
                    ),
                );
            }
        }
    }
}
