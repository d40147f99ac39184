//! TX002 plaintext-database-port.

use crate::finding::Out;
use crate::inventory::Container;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::{command_args, container_ports, env_values, workload_tls};

pub const RULE: Rule = Rule {
    code: "TX002",
    name: "plaintext-database-port",
    family: Family::TX,
    severity: Severity::High,
    title: "Database in PHI scope listens without evidence of TLS",
    hipaa: &["164.312(e)(1)", "164.312(e)(2)(ii)"],
    applies: Applies::PhiScope,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "In PHI scope, flags each `containerPort` of a container that is a well-known database port \
(5432 PostgreSQL, 3306 MySQL/MariaDB, 1433 SQL Server, 27017 MongoDB, 6379 Redis, 9042 Cassandra, 9200 \
Elasticsearch/OpenSearch, 26257 CockroachDB) when nothing shows that the listener uses TLS. Evidence of TLS is any \
of:\n- the annotation `phiguard.io/tls: \"true\"` on the workload or its pod template;\n- a `command`/`args` item \
(or a word of one) that is `ssl=on`/`ssl=true`, `require_secure_transport=ON`, or a flag starting with `--tls` or \
`--ssl` (`--tls-port`, `--tlsMode requireTLS`, `--ssl-cert`) that is not set to false/off/disabled;\n- an \
environment variable whose name contains SSL or TLS and whose value is on, true, yes, 1, enabled, require, \
required, verify-ca or verify-full (`POSTGRESQL_ENABLE_TLS=yes`, `xpack.security.http.ssl.enabled=true`).",
        why_it_matters: "Queries and results between the application and its database carry PHI in bulk. Inside a \
cluster that traffic crosses nodes over the pod network, where a compromised node, a privileged pod or a mirrored \
port can read it; most database images ship with TLS off. Transmission security (164.312(e)(1)) and its encryption \
specification (164.312(e)(2)(ii)) apply to internal hops as much as to the internet edge.",
        example: "containers:\n  - name: postgres\n    image: postgres:16\n    ports:\n      - containerPort: \
5432",
        remediation: "Enable TLS on the server and require it from clients (PostgreSQL: `-c ssl=on` with \
`ssl_cert_file`/`ssl_key_file` and `hostssl` rules; MySQL: `--require-secure-transport=ON`; Redis: `--tls-port` \
with `--port 0`; MongoDB: `--tlsMode requireTLS`), or put the database in a mesh with STRICT mTLS. When TLS is \
configured where this rule cannot see it (a mounted config file, an operator's CRD), record it:\n\nmetadata:\n  \
annotations:\n    phiguard.io/tls: \"true\"",
        references: &[
            "https://www.postgresql.org/docs/current/ssl-tcp.html",
            "https://kubernetes.io/docs/tasks/tls/managing-tls-in-a-cluster/",
            "45 CFR 164.312(e)(1), 164.312(e)(2)(ii)",
        ],
    },
    check,
};

const DATABASES: &[(i64, &str)] = &[
    (5432, "PostgreSQL"),
    (3306, "MySQL"),
    (1433, "SQL Server"),
    (27017, "MongoDB"),
    (6379, "Redis"),
    (9042, "Cassandra"),
    (9200, "Elasticsearch"),
    (26257, "CockroachDB"),
];

const OFF: &[&str] = &["false", "off", "disabled", "disable", "0", "no", "none"];
const ON: &[&str] = &[
    "on",
    "true",
    "yes",
    "1",
    "enabled",
    "require",
    "required",
    "verify-ca",
    "verify-full",
    "requiretls",
];

/// Whether a list of words (from command, args or an env value) shows a TLS listener.
fn words_show_tls(words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        if matches!(
            w.as_str(),
            "ssl=on" | "ssl=true" | "require_secure_transport=on" | "require_secure_transport=1"
        ) {
            return true;
        }
        let flag = w.trim_start_matches('-');
        if !(w.starts_with('-') && (flag.starts_with("tls") || flag.starts_with("ssl"))) {
            return false;
        }
        let value = match flag.split_once('=') {
            Some((_, v)) => Some(v.to_string()),
            None => words.get(i + 1).filter(|n| !n.starts_with('-')).cloned(),
        };
        !value.is_some_and(|v| OFF.contains(&v.as_str()))
    })
}

fn container_shows_tls(c: &Container<'_>) -> bool {
    let mut words: Vec<String> = Vec::new();
    for (_, s, _) in command_args(c) {
        words.extend(s.split_whitespace().map(str::to_ascii_lowercase));
    }
    for (_, name, value, _) in env_values(c) {
        let upper = name.to_ascii_uppercase();
        let v = value.trim().to_ascii_lowercase();
        if (upper.contains("SSL") || upper.contains("TLS")) && ON.contains(&v.as_str()) {
            return true;
        }
        words.extend(value.split_whitespace().map(str::to_ascii_lowercase));
    }
    words_show_tls(&words)
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        if !w.phi || workload_tls(&w) {
            continue;
        }
        for c in w.containers() {
            let hits: Vec<_> = container_ports(&c)
                .into_iter()
                .filter_map(|(i, port, node)| {
                    DATABASES
                        .iter()
                        .find(|(p, _)| *p == port)
                        .map(|(_, db)| (i, port, *db, node))
                })
                .collect();
            if hits.is_empty() || container_shows_tls(&c) {
                continue;
            }
            for (i, port, db, node) in hits {
                out.at(
                    w.id,
                    node,
                    w.cpath(&c, &format!("ports[{i}].containerPort")),
                    format!(
                        "{} exposes {db} port {port} with no evidence of TLS",
                        c.describe()
                    ),
                );
            }
        }
    }
}
