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

/// rbac-tool's `policy-rules` fixture: the rules a ServiceAccount holds through two RoleBindings, expanded to
/// one row per verb, resource and name, with the role they come from.
#[test]
fn rbac_tool_policy_rules_fixture_agrees() {
    let file = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/rbac/rbac-tool/testdata/policyrules/multiple-role-bindings.yaml"
    ));
    if !file.is_file() {
        eprintln!(
            "SKIPPED: {} is absent; the rbac-tool policy-rules fixture was not checked",
            file.display()
        );
        return;
    }
    let text = std::fs::read_to_string(file).unwrap();
    let mut expected = BTreeSet::new();
    let mut in_expect = false;
    for line in text
        .lines()
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
    {
        let body = line.trim_start_matches('#').trim();
        if body == "Expect:" {
            in_expect = true;
            continue;
        }
        if in_expect && body.contains('|') {
            let c: Vec<&str> = body.split('|').map(str::trim).collect();
            // kind | name | verb | namespace | group | resource | names | urls | origin
            expected.insert(
                format!(
                    "{} {} {} {} {} {} {}",
                    c[0], c[1], c[2], c[3], c[4], c[5], c[6]
                )
                .trim()
                .to_string()
                    + " "
                    + c[8],
            );
        }
    }
    assert_eq!(expected.len(), 6, "{expected:?}");
    let sources = vec![Source::new("multiple-role-bindings.yaml", text)];
    let (objects, errors, _) = load(&sources);
    assert!(errors.is_empty(), "{errors:?}");
    let model = Model::build(&Inventory::new(sources, objects));
    let subject = phiguard_core::rbac::SubjectRef {
        kind: SubjectKind::ServiceAccount,
        name: "the-test-user".into(),
        namespace: Some("policyrules".into()),
    };
    let mut got = BTreeSet::new();
    for (bi, _) in model.bindings_of(&phiguard_core::rbac::Identity::of(&subject)) {
        let b = &model.bindings[bi];
        if b.bootstrap {
            continue;
        }
        let role = &model.roles[b.role.unwrap()];
        let ns = b.namespace.clone().unwrap_or_default();
        for &r in model.binding_rules(b) {
            let spec = &model.rules[r].spec;
            let names: Vec<&str> = if spec.resource_names.is_empty() {
                vec![""]
            } else {
                spec.resource_names.iter().map(String::as_str).collect()
            };
            for verb in &spec.verbs {
                for group in &spec.api_groups {
                    let group = if group.is_empty() { "core" } else { group };
                    for res in &spec.resources {
                        for name in &names {
                            got.insert(
                                format!(
                                    "ServiceAccount the-test-user {verb} {ns} {group} {res} {name}"
                                )
                                .trim()
                                .to_string()
                                    + &format!(" Roles>>{}/{}", ns, role.name),
                            );
                        }
                    }
                }
            }
        }
    }
    assert_eq!(got, expected);
}
