//! The `who-can` fixtures of rbac-tool (copied in the shared corpus): each file states the command it was run
//! with and the rows rbac-tool printed against a live cluster (`# Run:` and `# Expect:` header blocks). The
//! engine must give the same rows statically, aggregated ClusterRoles included. Skips with a message when the
//! corpus is absent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;

use phiguard_core::engine::load;
use phiguard_core::inventory::Inventory;
use phiguard_core::rbac::matching::parse_target;
use phiguard_core::rbac::{Model, QueryScope, SubjectKind};
use phiguard_core::Source;

/// Subresources rbac-tool's `resource/x` syntax can mean; anything else after `/` is an object name.
const SUBRESOURCES: &[&str] = &[
    "exec",
    "attach",
    "portforward",
    "proxy",
    "log",
    "status",
    "scale",
    "token",
    "approval",
    "eviction",
    "ephemeralcontainers",
    "binding",
];

/// Runs whose printed expectation contradicts the Kubernetes authorizer, with the reason. For these, the engine
/// must give the authorizer's answer (nobody), and the expected rows must come back for `instead`.
const DISAGREEMENTS: &[(&str, &str, &str, &str)] = &[(
    "gatewat-api-operator.yaml",
    "get",
    "create",
    "the only rule grants create, update, delete and patch on gateway.networking.k8s.io/*; no rule has get, \
     so the authorizer denies get gateways",
)];

struct Case {
    verb: String,
    resource: String,
    name: Option<String>,
    grep: Option<String>,
}

fn header(text: &str) -> (Vec<Case>, BTreeSet<String>) {
    let mut runs = Vec::new();
    let mut rows = BTreeSet::new();
    let mut section = "";
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let Some(body) = line.strip_prefix('#') else {
            break;
        };
        let body = body.trim();
        match body {
            "Install:" | "Run:" | "Expect:" => {
                section = body;
                continue;
            }
            _ => {}
        }
        if section == "Run:" {
            if let Some(cmd) = body.strip_prefix("bin/rbac-tool who-can ") {
                let (query, grep) = match cmd.split_once('|') {
                    Some((q, g)) => (
                        q.trim(),
                        g.trim().strip_prefix("grep ").map(|g| g.trim().to_string()),
                    ),
                    None => (cmd.trim(), None),
                };
                let mut parts = query.split_whitespace();
                let verb = parts.next().unwrap().to_string();
                let arg = parts.next().unwrap();
                let (resource, name) = match arg.split_once('/') {
                    Some((r, x)) if !r.is_empty() && !SUBRESOURCES.contains(&x) => {
                        (r.to_string(), Some(x.to_string()))
                    }
                    _ => (arg.to_string(), None),
                };
                runs.push(Case {
                    verb,
                    resource,
                    name,
                    grep,
                });
            }
        } else if section == "Expect:" && body.contains('|') {
            let cells: Vec<&str> = body.split('|').map(str::trim).collect();
            if cells[0] == "TYPE" || cells[0].starts_with('+') {
                continue;
            }
            rows.insert(
                format!(
                    "{} {} {}",
                    cells[0],
                    cells[1],
                    cells.get(2).copied().unwrap_or("")
                )
                .trim()
                .to_string(),
            );
        }
    }
    (runs, rows)
}

#[test]
fn rbac_tool_who_can_fixtures_agree() {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/rbac/rbac-tool/testdata/whocan"
    ));
    if !dir.is_dir() {
        eprintln!(
            "SKIPPED: {} is absent; the rbac-tool who-can fixtures were not checked",
            dir.display()
        );
        return;
    }
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "yaml"))
    {
        let text = std::fs::read_to_string(f).unwrap();
        let (runs, expected) = header(&text);
        assert!(
            !runs.is_empty() && !expected.is_empty(),
            "{}: no Run/Expect header",
            f.display()
        );
        let sources = vec![Source::new(f.display().to_string(), text)];
        let (objects, errors, _) = load(&sources);
        assert!(errors.is_empty(), "{errors:?}");
        let model = Model::build(&Inventory::new(sources, objects));
        for run in runs {
            let target = parse_target(&run.resource, run.name.as_deref()).unwrap();
            let got: BTreeSet<String> = model
                .who_can(&run.verb, &target, &QueryScope::AnyNamespace)
                .iter()
                .map(|g| {
                    let s = &model.bindings[g.binding].subjects[g.subject].subject;
                    let ns = match s.kind {
                        SubjectKind::ServiceAccount => s.namespace.clone().unwrap_or_default(),
                        _ => String::new(),
                    };
                    format!("{} {} {ns}", s.kind.as_str(), s.name)
                        .trim()
                        .to_string()
                })
                .filter(|row| run.grep.as_deref().is_none_or(|g| row.contains(g)))
                .collect();
            checked += 1;
            let file = f.file_name().unwrap().to_string_lossy().to_string();
            if let Some((_, _, instead, why)) = DISAGREEMENTS
                .iter()
                .find(|(d, verb, _, _)| *d == file && *verb == run.verb)
            {
                assert!(got.is_empty(), "{file}: {why}; got {got:?}");
                let again: BTreeSet<String> = model
                    .who_can(instead, &target, &QueryScope::AnyNamespace)
                    .iter()
                    .map(|g| {
                        let s = &model.bindings[g.binding].subjects[g.subject].subject;
                        format!(
                            "{} {} {}",
                            s.kind.as_str(),
                            s.name,
                            s.namespace.clone().unwrap_or_default()
                        )
                        .trim()
                        .to_string()
                    })
                    .filter(|row| run.grep.as_deref().is_none_or(|g| row.contains(g)))
                    .collect();
                assert_eq!(again, expected, "{file}: who-can {instead}");
                continue;
            }
            if got != expected {
                failures.push(format!(
                    "{}: who-can {} {}{}: expected {expected:?}, got {got:?}",
                    f.file_name().unwrap().to_string_lossy(),
                    run.verb,
                    run.resource,
                    run.name.map(|n| format!(" (name {n})")).unwrap_or_default()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(checked >= 8, "only {checked} who-can runs were checked");
    eprintln!("rbac-tool who-can fixtures: {checked} runs agree");
}
