//! SE001 plaintext-credential-env.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

use super::{credential_name, literal_secret_value, url_with_password};

pub const RULE: Rule = Rule {
    code: "SE001",
    name: "plaintext-credential-env",
    family: Family::SE,
    severity: Severity::High,
    title: "Credential written in plain text in a container environment variable",
    hipaa: &["164.312(a)(2)(iv)", "164.312(a)(1)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0012", "C-0259"],
        trivy: &[],
        kube_linter: &["env-var-secret"],
        polaris: &["sensitiveContainerEnvVar"],
    },
    docs: Docs {
        what_it_does: "Flags `env[].value` entries of containers, init containers and ephemeral containers that \
hold a literal credential: either the variable's name looks like a credential and the value is a literal, or the \
value contains a connection URL with an embedded password (`scheme://user:password@host`).\n\nA name looks like a \
credential when one of its words (split on `_`, `.`, `-` and camelCase) is PASSWORD, PASSWD, PASS, PASSPHRASE, \
SECRET, TOKEN, APIKEY or CREDENTIAL (or a plural) or ends with PASSWORD, PASSWD, SECRET, TOKEN or APIKEY \
(`PGPASSWORD`), when two consecutive words are API KEY, PRIVATE KEY or ACCESS \
KEY, or when the last word is AUTH; names ending in a qualifier such as TTL, SECONDS, LENGTH, MIN, MAX, FILE, PATH, \
NAME, URL, TYPE or USER are settings about a credential, not credentials (`TOKEN_TTL_SECONDS`, `PASSWORD_FILE`, \
`SECRET_NAME`). Values that are empty, numbers, booleans, `$(VAR)` references, `${VAR}`/`{{ }}`/`<...>` \
placeholders or absolute file paths are not literals. The message never repeats the value.",
        why_it_matters: "A value written in the manifest is stored in Git, in CI logs, in Helm release Secrets, in \
etcd as part of the pod spec (which `get pods` returns to anyone allowed to list pods, unlike Secrets), and in every \
`kubectl describe` output. A database password leaked this way opens the database that holds PHI. Encryption and \
decryption (164.312(a)(2)(iv)) and access control (164.312(a)(1)) require credentials to be kept in a store with \
access control and encryption at rest, and rotated, which a literal in a manifest defeats.",
        example: "containers:\n  - name: api\n    env:\n      - name: DB_PASSWORD\n        value: \
\"s3cr3t-from-2019\"\n      - name: DATABASE_URL\n        value: \"postgres://ehr:s3cr3t@db:5432/ehr\"",
        remediation: "Move the value to a Secret (managed by External Secrets, Sealed Secrets, SOPS or the CSI \
Secrets Store driver) and mount it as a file, or at least reference it; rotate the leaked credential, since it is \
already in the repository history:\n\nenv:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        \
name: ehr-db\n        key: password",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/secret/",
            "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
            "45 CFR 164.312(a)(2)(iv), 164.312(a)(1)",
        ],
    },
    check,
};

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        for c in w.containers() {
            let env = c.node.get("env").map(Node::as_seq).unwrap_or(&[]);
            for (i, e) in env.iter().enumerate() {
                let name = e.get("name").and_then(Node::as_str).unwrap_or("");
                let Some(node) = e.get("value") else {
                    continue;
                };
                let Some(value) = node.as_str() else {
                    continue;
                };
                let what = if let Some(scheme) = url_with_password(value) {
                    format!("holds a {scheme}:// URL with an embedded password")
                } else if credential_name(name) && literal_secret_value(value) {
                    "holds a literal value".to_string()
                } else {
                    continue;
                };
                out.at(
                    w.id,
                    node,
                    w.cpath(&c, &format!("env[{i}].value")),
                    format!("{} env {name} {what}", c.describe()),
                );
            }
        }
    }
}
