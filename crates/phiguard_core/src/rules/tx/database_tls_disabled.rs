//! TX006 database-tls-disabled.

use crate::finding::Out;
use crate::rule::{Applies, Ctx, Docs, Equivalents, Family, Rule, Severity};

use super::{command_args, env_values};

pub const RULE: Rule = Rule {
    code: "TX006",
    name: "database-tls-disabled",
    family: Family::TX,
    severity: Severity::High,
    title: "Database connection explicitly disables TLS",
    hipaa: &["164.312(e)(2)(ii)"],
    applies: Applies::Everywhere,
    equivalents: Equivalents::NONE,
    docs: Docs {
        what_it_does: "Flags literal `env` values and `command`/`args` items of containers, init containers and \
ephemeral containers that turn TLS off for a database connection:\n- `sslmode=disable` in a PostgreSQL URL or \
key/value DSN, or an environment variable whose name contains SSLMODE (such as `PGSSLMODE`) set to `disable`;\n\
- `sslMode=DISABLED` or `useSSL=false` (MySQL Connector/J), `tls=false` or `tls=skip-verify` (Go MySQL driver, \
MongoDB), `ssl=false` (JDBC, MongoDB), `encrypt=false` (SQL Server);\n- `--insecure` for CockroachDB (in a \
container whose image or command is `cockroach`).\nParameters are read between `?`, `&`, `;` and spaces. The \
message shows only the offending parameter, never the rest of the DSN (which may hold credentials).",
        why_it_matters: "A client that sets `sslmode=disable` sends queries, results and often the database \
password in clear text, whatever the server supports; `skip-verify` encrypts but accepts any certificate, so a \
machine in the middle reads everything. These settings are often copied from local development and survive into \
production. Transmission encryption (164.312(e)(2)(ii)) of PHI between applications and databases is lost.",
        example: "env:\n  - name: DATABASE_URL\n    value: \
\"postgres://ehr@db.records:5432/ehr?sslmode=disable\"",
        remediation: "Require TLS and verify the server: `sslmode=verify-full` (PostgreSQL) with the CA mounted \
from a Secret or ConfigMap, `sslMode=VERIFY_IDENTITY` (MySQL), `tls=true` (Go MySQL, MongoDB), \
`encrypt=true;trustServerCertificate=false` (SQL Server); run CockroachDB with certificates instead of \
`--insecure`.",
        references: &[
            "https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-PROTECTION",
            "https://dev.mysql.com/doc/connector-j/en/connector-j-connp-props-security.html",
            "45 CFR 164.312(e)(2)(ii)",
        ],
    },
    check,
};

/// The first parameter in a text that disables TLS, as written.
fn disabling_param(text: &str) -> Option<&str> {
    text.split(['?', '&', ';', ' ', '\t', '\n', '\r', '"', '\''])
        .find(|tok| {
            let Some((k, v)) = tok.split_once('=') else {
                return false;
            };
            let k = k.trim().to_ascii_lowercase();
            let v = v.trim().to_ascii_lowercase();
            match k.as_str() {
                "sslmode" => v.starts_with("disable"),
                "usessl" | "ssl" | "encrypt" => v == "false",
                "tls" => v == "false" || v == "skip-verify",
                _ => false,
            }
        })
        .map(str::trim)
}

fn check(cx: &Ctx<'_>, out: &mut Out) {
    for w in cx.workloads() {
        for c in w.containers() {
            for (i, name, value, node) in env_values(&c) {
                let upper = name.to_ascii_uppercase();
                let param = if upper.contains("SSLMODE")
                    && value.trim().to_ascii_lowercase().starts_with("disable")
                {
                    Some(format!("{name}={}", value.trim()))
                } else {
                    disabling_param(value).map(str::to_string)
                };
                if let Some(param) = param {
                    out.at(
                        w.id,
                        node,
                        w.cpath(&c, &format!("env[{i}].value")),
                        format!(
                            "{} env {name} disables TLS to the database ({param})",
                            c.describe()
                        ),
                    );
                }
            }
            let args = command_args(&c);
            let cockroach = c.image().to_ascii_lowercase().contains("cockroach")
                || args.iter().any(|(_, s, _)| s.contains("cockroach"));
            for (path, s, node) in args {
                let param = if cockroach && s.split_whitespace().any(|t| t == "--insecure") {
                    Some("--insecure")
                } else {
                    disabling_param(s)
                };
                if let Some(param) = param {
                    out.at(
                        w.id,
                        node,
                        w.cpath(&c, &path),
                        format!(
                            "{} has {} that disables TLS to the database ({param})",
                            c.describe(),
                            if path.starts_with("command") {
                                "a command item"
                            } else {
                                "an argument"
                            }
                        ),
                    );
                }
            }
        }
    }
}
