//! SE002 credential-in-configmap.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};
use crate::yaml::Node;

use super::{credential_name, has_private_key, key_path, literal_secret_value, url_with_password};

pub const RULE: Rule = Rule {
    code: "SE002",
    name: "credential-in-configmap",
    family: Family::SE,
    severity: Severity::High,
    title: "ConfigMap holds a credential",
    hipaa: &["164.312(a)(2)(iv)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents {
        checkov: &[],
        kubescape: &["C-0012"],
        trivy: &["KSV-0109", "KSV-01010"],
        kube_linter: &[],
        polaris: &["sensitiveConfigmapContent"],
    },
    docs: Docs {
        what_it_does: "Flags keys of a ConfigMap's `data` (and, by name only, `binaryData`) that hold a \
credential:\n- the value contains a PEM private key (`-----BEGIN ... PRIVATE KEY-----`);\n- the value contains a \
URL with an embedded password (`scheme://user:password@host`);\n- the key is a configuration file (`.properties`, \
`.env`, `.ini`, `.conf`, `.cfg`, `.cnf`, `.yaml`, `.yml`, `.toml`, `.json`) and one of its `name = value` or \
`name: value` lines sets a credential-looking name to a literal;\n- the key is not a file name and looks like a \
credential (same name matcher as SE001: `DB_PASSWORD`, `apiKey`, `spring.datasource.password`) with a literal \
value.\nScripts and other files (`entrypoint.sh`, `init.sql`, `app.py`) are only checked for private keys and \
URLs with passwords: a script that merely mentions \"password\" does not fire. The message never repeats the value.",
        why_it_matters: "ConfigMaps are not meant for confidential data: RBAC roles such as `view` grant read \
access to them, they are printed by `kubectl describe`, and they are not covered by Secret encryption at rest in \
etcd. A database password or private key in a ConfigMap is readable by far more people and tools than the same \
value in a Secret. Encryption and decryption (164.312(a)(2)(iv)) of the credentials that protect PHI is lost.",
        example: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ehr-config\ndata:\n  DB_HOST: db.records\n  \
DB_PASSWORD: s3cr3t\n  application.properties: |\n    spring.datasource.password=s3cr3t",
        remediation: "Move the credential into a Secret (ideally synced from a secret manager) and reference it \
from the configuration, e.g. `spring.datasource.password=${DB_PASSWORD}` with `DB_PASSWORD` mounted from the \
Secret; rotate the credential, which is already in the repository history.",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/configmap/",
            "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
            "45 CFR 164.312(a)(2)(iv)",
        ],
    },
    check,
};

/// Extensions of keys that are files.
const FILE_EXTENSIONS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "py",
    "rb",
    "pl",
    "js",
    "mjs",
    "ts",
    "lua",
    "sql",
    "ps1",
    "bat",
    "cmd",
    "go",
    "java",
    "groovy",
    "tpl",
    "tmpl",
    "j2",
    "txt",
    "md",
    "html",
    "xml",
    "json",
    "yaml",
    "yml",
    "toml",
    "ini",
    "conf",
    "cfg",
    "cnf",
    "properties",
    "env",
    "config",
    "pem",
    "crt",
    "cert",
    "key",
    "csv",
    "rules",
];

/// Extensions of configuration files whose `name = value` lines are read.
const CONFIG_EXTENSIONS: &[&str] = &[
    "properties",
    "env",
    "ini",
    "conf",
    "cfg",
    "cnf",
    "yaml",
    "yml",
    "toml",
    "json",
];

fn extension(key: &str) -> Option<String> {
    let (stem, ext) = key.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    (!stem.is_empty() && FILE_EXTENSIONS.contains(&ext.as_str())).then_some(ext)
}

/// The first `name = value` / `name: value` line of a configuration file that sets a credential to a literal;
/// returns the name.
fn credential_line(text: &str) -> Option<String> {
    for raw in text.lines() {
        let line = raw.trim();
        let line = line.strip_prefix("- ").unwrap_or(line);
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.is_empty() || line.starts_with(['#', ';', '/', '[', '{', '}']) {
            continue;
        }
        let split = match (line.find('='), line.find(':')) {
            (Some(e), Some(c)) => e.min(c),
            (Some(e), None) => e,
            (None, Some(c)) => c,
            (None, None) => continue,
        };
        let name = line[..split].trim().trim_matches(['"', '\'']);
        if name.is_empty() || name.contains(char::is_whitespace) {
            continue;
        }
        let value = line[split + 1..]
            .trim()
            .trim_end_matches(',')
            .trim()
            .trim_matches(['"', '\'']);
        if credential_name(name) && literal_secret_value(value) {
            return Some(name.to_string());
        }
    }
    None
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for (id, cm) in cx.objects_of_kind("", "ConfigMap") {
        let describe = format!("ConfigMap \"{}\"", cm.name());
        for field in ["data", "binaryData"] {
            let entries = cm.root.get(field).map(Node::as_map).unwrap_or(&[]);
            for (key, node) in entries {
                let value = node.as_str().unwrap_or("");
                if value.trim().is_empty() {
                    continue;
                }
                let ext = extension(key);
                let what = if field == "binaryData" {
                    if ext.is_none() && credential_name(key) {
                        "holds binary data under a credential name".to_string()
                    } else {
                        continue;
                    }
                } else if has_private_key(value) {
                    "holds a PEM private key".to_string()
                } else if let Some(scheme) = url_with_password(value) {
                    format!("holds a {scheme}:// URL with an embedded password")
                } else if let Some(ext) = ext {
                    if !CONFIG_EXTENSIONS.contains(&ext.as_str()) {
                        continue;
                    }
                    match credential_line(value) {
                        Some(name) => format!("sets {name} to a literal value"),
                        None => continue,
                    }
                } else if credential_name(key) && literal_secret_value(value) {
                    "holds a literal value".to_string()
                } else {
                    continue;
                };
                out.at(
                    id,
                    node,
                    key_path(field, key),
                    format!("{describe} key {key} {what}"),
                );
            }
        }
    }
}
