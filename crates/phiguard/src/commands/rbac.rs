//! `phiguard rbac`: effective RBAC permissions from manifests: who-can, one subject's powers, the risk report.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Subcommand, ValueEnum};
use phiguard_core::engine::load;
use phiguard_core::inventory::Inventory;
use phiguard_core::rbac::matching::parse_target;
use phiguard_core::rbac::powers::{
    powers_of, risky_subjects, service_accounts_reachable, touches_phi, Held,
};
use phiguard_core::rbac::{
    Grant, Identity, Model, Options, QueryScope, RuleDef, SubjectKind, SubjectRef,
};
use phiguard_core::rules::CATALOG;
use phiguard_core::scope::{self, Scope};
use phiguard_core::source::LoadError;
use phiguard_core::Settings;
use serde_json::{json, Value};

#[derive(clap::Args, Debug)]
pub struct RbacArgs {
    #[command(subcommand)]
    pub command: RbacCommand,
}

#[derive(Subcommand, Debug)]
pub enum RbacCommand {
    /// Which subjects may perform VERB on RESOURCE (`secrets`, `pods/exec`, `deployments.apps`, `/metrics`).
    WhoCan {
        verb: String,
        resource: String,
        #[command(flatten)]
        input: InputArgs,
        /// The request's namespace (default: any namespace for namespaced resources).
        #[arg(short = 'n', long)]
        namespace: Option<String>,
        /// The object's name (rules limited by resourceNames match only their names).
        #[arg(long)]
        name: Option<String>,
    },
    /// Everything one subject can do, grouped by derived power. KIND is User, Group or ServiceAccount; a
    /// ServiceAccount NAME is `namespace/name` (or use -n).
    Subject {
        kind: String,
        name: String,
        #[command(flatten)]
        input: InputArgs,
        /// Namespace of a ServiceAccount.
        #[arg(short = 'n', long)]
        namespace: Option<String>,
    },
    /// The subjects holding risky powers, those reaching PHI namespaces first.
    Report {
        #[command(flatten)]
        input: InputArgs,
        /// Also list control-plane subjects (`system:*`, kube-system service accounts, bootstrap bindings).
        #[arg(long)]
        include_system: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct InputArgs {
    /// Manifests: files or directories (recursive: .yaml, .yml, .json); `-` reads stdin.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = RbacFormat::Text)]
    pub output: RbacFormat,
    /// Namespace of namespaced objects that name none, as `kubectl apply -n` would set it.
    #[arg(long, default_value = "default")]
    pub default_namespace: String,
    /// Do not add the Kubernetes bootstrap roles and bindings (cluster-admin, admin, edit, view, ...).
    #[arg(long)]
    pub no_bootstrap: bool,
    /// Configuration file for the PHI scope (default: ./phiguard.toml if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum RbacFormat {
    Text,
    Json,
    Markdown,
}

struct Loaded {
    model: Model,
    scope: Scope,
    errors: Vec<LoadError>,
    objects: usize,
}

fn load_inputs(input: &InputArgs) -> anyhow::Result<Loaded> {
    let (sources, mut errors) = super::scan::read_inputs(&input.paths)?;
    let (objects, parse_errors, _) = load(&sources);
    errors.extend(parse_errors);
    let inv = Inventory::new(sources, objects);
    let settings = load_settings(input.config.as_deref())?;
    let scope = scope::compute(&inv, &settings);
    let model = Model::build_with(
        &inv,
        &Options {
            bootstrap: !input.no_bootstrap,
            default_namespace: Some(input.default_namespace.clone()),
        },
    );
    Ok(Loaded {
        objects: inv.objects.len(),
        model,
        scope,
        errors,
    })
}

fn load_settings(config: Option<&Path>) -> anyhow::Result<Settings> {
    let path = match config {
        Some(p) => Some(p.to_path_buf()),
        None => Some(Path::new("phiguard.toml").to_path_buf()).filter(|p| p.is_file()),
    };
    match path {
        Some(p) => {
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            Ok(Settings::from_toml(
                &p.display().to_string(),
                &text,
                &CATALOG,
            )?)
        }
        None => Ok(Settings::default()),
    }
}

pub fn run(args: RbacArgs) -> anyhow::Result<u8> {
    match args.command {
        RbacCommand::WhoCan {
            verb,
            resource,
            input,
            namespace,
            name,
        } => who_can(&verb, &resource, namespace, name, &input),
        RbacCommand::Subject {
            kind,
            name,
            input,
            namespace,
        } => subject(&kind, &name, namespace, &input),
        RbacCommand::Report {
            input,
            include_system,
        } => report(&input, include_system),
    }
}

/// Prints the output, then input errors on stderr; exit 2 when an input failed or held no object.
fn finish(loaded: &Loaded, rendered: &str, risky: bool) -> anyhow::Result<u8> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(rendered.as_bytes())?;
    if !rendered.ends_with('\n') {
        stdout.write_all(b"\n")?;
    }
    stdout.flush()?;
    for e in &loaded.errors {
        eprintln!("error: {e}");
    }
    if loaded.objects == 0 {
        eprintln!("error: no Kubernetes objects were found in the inputs; the answer covers the bootstrap roles only");
    }
    Ok(if !loaded.errors.is_empty() || loaded.objects == 0 {
        super::EXIT_ERROR
    } else if risky {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_CLEAN
    })
}

fn subject_json(s: &SubjectRef) -> Value {
    json!({
        "kind": s.kind.as_str(),
        "name": s.name,
        "namespace": s.namespace,
        "system": s.is_system(),
        "everyone": s.is_everyone(),
    })
}

fn rule_json(r: &RuleDef) -> Value {
    json!({
        "role": r.role,
        "index": r.index,
        "file": r.loc.file,
        "line": r.loc.line,
        "verbs": r.spec.verbs,
        "apiGroups": r.spec.api_groups,
        "resources": r.spec.resources,
        "resourceNames": r.spec.resource_names,
        "nonResourceURLs": r.spec.non_resource_urls,
    })
}

fn grant_json(m: &Model, g: &Grant) -> Value {
    let b = &m.bindings[g.binding];
    let s = &b.subjects[g.subject];
    json!({
        "subject": subject_json(&s.subject),
        "binding": {
            "kind": b.kind_str(),
            "namespace": b.namespace,
            "name": b.name,
            "file": s.loc.file,
            "line": s.loc.line,
            "bootstrap": b.bootstrap,
        },
        "rule": rule_json(&m.rules[g.rule]),
    })
}

fn problems_json(m: &Model) -> Value {
    Value::Array(
        m.problems
            .iter()
            .map(|p| json!({"file": p.loc.file, "line": p.loc.line, "message": p.message}))
            .collect(),
    )
}

fn scope_text(scope: &QueryScope) -> String {
    match scope {
        QueryScope::Namespace(ns) => format!("in namespace \"{ns}\""),
        QueryScope::Cluster => "cluster-wide".to_string(),
        QueryScope::AnyNamespace => "in any namespace".to_string(),
    }
}

fn who_can(
    verb: &str,
    resource: &str,
    namespace: Option<String>,
    name: Option<String>,
    input: &InputArgs,
) -> anyhow::Result<u8> {
    let target = match parse_target(resource, name.as_deref()) {
        Ok(t) => t,
        Err(e) => bail!("{e}"),
    };
    let loaded = load_inputs(input)?;
    let m = &loaded.model;
    let scope = Model::scope_for(&target, namespace.as_deref());
    let grants = m.who_can(verb, &target, &scope);
    let subjects: BTreeSet<&SubjectRef> = grants
        .iter()
        .map(|g| &m.bindings[g.binding].subjects[g.subject].subject)
        .collect();
    let question = format!("who can {verb} {target} {}", scope_text(&scope));
    let rendered = match input.output {
        RbacFormat::Json => {
            let v = json!({
                "query": {"verb": verb, "target": target, "scope": scope},
                "subjects": subjects.len(),
                "grants": grants.iter().map(|g| grant_json(m, g)).collect::<Vec<_>>(),
                "problems": problems_json(m),
            });
            serde_json::to_string_pretty(&v)?
        }
        RbacFormat::Text | RbacFormat::Markdown => {
            let md = input.output == RbacFormat::Markdown;
            let mut out = String::new();
            if md {
                let _ = writeln!(out, "# {question}\n");
                let _ = writeln!(
                    out,
                    "{} subject(s), {} grant(s)\n",
                    subjects.len(),
                    grants.len()
                );
                if !grants.is_empty() {
                    let _ = writeln!(out, "| subject | binding | rule |\n|---|---|---|");
                }
            } else {
                let _ = writeln!(
                    out,
                    "{question}: {} subject(s), {} grant(s)\n",
                    subjects.len(),
                    grants.len()
                );
            }
            for g in &grants {
                let b = &m.bindings[g.binding];
                let s = &b.subjects[g.subject];
                let r = &m.rules[g.rule];
                if md {
                    let _ = writeln!(
                        out,
                        "| {} | {} (`{}`) | {} rule {} (`{}`) |",
                        s.subject.describe(),
                        b.describe(),
                        s.loc,
                        r.role,
                        r.index,
                        r.loc
                    );
                } else {
                    let _ = writeln!(out, "  {}", s.subject.describe());
                    let _ = writeln!(out, "    binding  {} at {}", b.describe(), s.loc);
                    let _ = writeln!(out, "    rule     {}", r.cite());
                }
            }
            render_problems(&mut out, m, md);
            out
        }
    };
    finish(&loaded, &rendered, false)
}

fn render_problems(out: &mut String, m: &Model, md: bool) {
    if m.problems.is_empty() {
        return;
    }
    if md {
        let _ = writeln!(out, "\n## Not resolved\n");
    } else {
        let _ = writeln!(out, "\nnot resolved:");
    }
    for p in &m.problems {
        if md {
            let _ = writeln!(out, "- `{}`: {}", p.loc, p.message);
        } else {
            let _ = writeln!(out, "  {}: {}", p.loc, p.message);
        }
    }
}

fn parse_subject(kind: &str, name: &str, namespace: Option<String>) -> anyhow::Result<SubjectRef> {
    let Some(kind) = SubjectKind::parse(kind) else {
        bail!("unknown subject kind `{kind}`: use User, Group or ServiceAccount");
    };
    if name.is_empty() {
        bail!("empty subject name");
    }
    if kind != SubjectKind::ServiceAccount {
        return Ok(SubjectRef {
            kind,
            name: name.to_string(),
            namespace: None,
        });
    }
    let (ns, sa) = if let Some(rest) = name.strip_prefix("system:serviceaccount:") {
        match rest.split_once(':') {
            Some((ns, sa)) => (Some(ns.to_string()), sa.to_string()),
            None => (None, rest.to_string()),
        }
    } else if let Some((ns, sa)) = name.split_once('/') {
        (Some(ns.to_string()), sa.to_string())
    } else {
        (namespace, name.to_string())
    };
    let Some(ns) = ns.filter(|n| !n.is_empty()) else {
        bail!("a ServiceAccount needs its namespace: `namespace/name` or -n NAMESPACE");
    };
    Ok(SubjectRef {
        kind,
        name: sa,
        namespace: Some(ns),
    })
}

fn held_json(m: &Model, h: &Held) -> Value {
    json!({
        "power": h.power.id,
        "title": h.power.title,
        "reason": h.power.reason,
        "namespace": h.namespace,
        "only_names": h.only_names,
        "evidence": h.evidence.iter().map(|e| {
            let b = &m.bindings[e.binding];
            let s = &b.subjects[e.subject];
            json!({
                "what": e.what,
                "binding": {"kind": b.kind_str(), "namespace": b.namespace, "name": b.name,
                            "file": s.loc.file, "line": s.loc.line},
                "rule": rule_json(&m.rules[e.rule]),
            })
        }).collect::<Vec<_>>(),
    })
}

fn held_scope(h: &Held) -> String {
    let mut s = match &h.namespace {
        None => "cluster-wide".to_string(),
        Some(ns) => format!("in namespace \"{ns}\""),
    };
    if !h.only_names.is_empty() {
        let _ = write!(s, ", only {}", h.only_names.join(", "));
    }
    s
}

fn render_held(out: &mut String, m: &Model, h: &Held, phi: bool, md: bool, indent: &str) {
    let marker = if phi { " [PHI]" } else { "" };
    if md {
        let _ = writeln!(
            out,
            "{indent}- **{}** {}{marker}: {}",
            h.power.title,
            held_scope(h),
            h.power.reason
        );
    } else {
        let _ = writeln!(out, "{indent}{} {}{marker}", h.power.title, held_scope(h));
        let _ = writeln!(out, "{indent}  why: {}", h.power.reason);
    }
    for e in &h.evidence {
        let b = &m.bindings[e.binding];
        let s = &b.subjects[e.subject];
        let r = &m.rules[e.rule];
        if md {
            let _ = writeln!(
                out,
                "{indent}  - {} via {} (`{}`), {} rule {} (`{}`)",
                e.what,
                b.describe(),
                s.loc,
                r.role,
                r.index,
                r.loc
            );
        } else {
            let _ = writeln!(
                out,
                "{indent}  {} via {} at {}; {}",
                e.what,
                b.describe(),
                s.loc,
                r.cite()
            );
        }
    }
}

fn subject(
    kind: &str,
    name: &str,
    namespace: Option<String>,
    input: &InputArgs,
) -> anyhow::Result<u8> {
    let who = parse_subject(kind, name, namespace)?;
    let loaded = load_inputs(input)?;
    let m = &loaded.model;
    let identity = Identity::of(&who);
    let bindings = m.bindings_of(&identity);
    let held = powers_of(m, &identity);
    let act_as = service_accounts_reachable(m, &held, &who);
    let rendered = match input.output {
        RbacFormat::Json => serde_json::to_string_pretty(&json!({
            "subject": subject_json(&who),
            "identity": identity,
            "bindings": bindings.iter().map(|&(bi, si)| {
                let b = &m.bindings[bi];
                json!({
                    "kind": b.kind_str(), "namespace": b.namespace, "name": b.name,
                    "file": b.subjects[si].loc.file, "line": b.subjects[si].loc.line,
                    "as": subject_json(&b.subjects[si].subject),
                    "role": b.role.map(|r| m.roles[r].describe()),
                    "rules": m.binding_rules(b).iter().map(|&r| rule_json(&m.rules[r])).collect::<Vec<_>>(),
                })
            }).collect::<Vec<_>>(),
            "powers": held.iter().map(|h| {
                let mut v = held_json(m, h);
                v["phi"] = Value::Bool(touches_phi(h, &loaded.scope));
                v
            }).collect::<Vec<_>>(),
            "can_act_as": act_as.iter().map(subject_json).collect::<Vec<_>>(),
            "problems": problems_json(m),
        }))?,
        RbacFormat::Text | RbacFormat::Markdown => {
            let md = input.output == RbacFormat::Markdown;
            let mut out = String::new();
            if md {
                let _ = writeln!(out, "# {}\n", who.describe());
            } else {
                let _ = writeln!(out, "{}", who.describe());
            }
            let groups = identity.groups.join(", ");
            let _ = writeln!(
                out,
                "{}member of: {}\n",
                if md { "" } else { "  " },
                if groups.is_empty() { "-" } else { &groups }
            );
            if md {
                let _ = writeln!(out, "## Bindings ({})\n", bindings.len());
            } else {
                let _ = writeln!(out, "bindings ({}):", bindings.len());
            }
            for &(bi, si) in &bindings {
                let b = &m.bindings[bi];
                let role = b.role.map(|r| m.roles[r].describe()).unwrap_or_else(|| {
                    format!("{} \"{}\" (not found)", b.role_ref_kind, b.role_ref_name)
                });
                let n = m.binding_rules(b).len();
                let via = &b.subjects[si].subject;
                let _ = writeln!(
                    out,
                    "{}{} at {} -> {role}, {n} rule(s){}",
                    if md { "- " } else { "  " },
                    b.describe(),
                    b.subjects[si].loc,
                    if *via == who {
                        String::new()
                    } else {
                        format!(", as {}", via.describe())
                    }
                );
            }
            if md {
                let _ = writeln!(out, "\n## Powers ({})\n", held.len());
            } else {
                let _ = writeln!(out, "\npowers ({}):", held.len());
            }
            for h in &held {
                render_held(
                    &mut out,
                    m,
                    h,
                    touches_phi(h, &loaded.scope),
                    md,
                    if md { "" } else { "  " },
                );
            }
            if !act_as.is_empty() {
                let names: Vec<String> = act_as.iter().map(SubjectRef::describe).collect();
                let _ = writeln!(
                    out,
                    "\ncan act as (by creating workloads): {}",
                    names.join(", ")
                );
            }
            render_problems(&mut out, m, md);
            out
        }
    };
    finish(&loaded, &rendered, false)
}

fn report(input: &InputArgs, include_system: bool) -> anyhow::Result<u8> {
    let loaded = load_inputs(input)?;
    let m = &loaded.model;
    let risky = risky_subjects(m, &loaded.scope, include_system);
    let phi: Vec<&String> = loaded.scope.namespaces.keys().collect();
    let rendered = match input.output {
        RbacFormat::Json => serde_json::to_string_pretty(&json!({
            "phi_namespaces": phi,
            "subjects": risky.iter().map(|r| json!({
                "subject": subject_json(&r.subject),
                "phi_namespaces": r.phi_namespaces,
                "powers": r.held.iter().map(|h| {
                    let mut v = held_json(m, h);
                    v["phi"] = Value::Bool(touches_phi(h, &loaded.scope));
                    v
                }).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "problems": problems_json(m),
        }))?,
        RbacFormat::Text | RbacFormat::Markdown => {
            let md = input.output == RbacFormat::Markdown;
            let mut out = String::new();
            let phi_list = if phi.is_empty() {
                "none found (mark them with the label phiguard.io/phi=true or [phi] namespaces)"
                    .to_string()
            } else {
                phi.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if md {
                let _ = writeln!(out, "# RBAC risk report\n\nPHI namespaces: {phi_list}\n");
                let _ = writeln!(out, "{} subject(s) with risky powers\n", risky.len());
            } else {
                let _ = writeln!(out, "PHI namespaces: {phi_list}");
                let _ = writeln!(out, "{} subject(s) with risky powers\n", risky.len());
            }
            for r in &risky {
                let reach = if r.phi_namespaces.is_empty() {
                    String::new()
                } else {
                    format!(
                        " — reaches PHI namespace(s) {}",
                        r.phi_namespaces
                            .iter()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                if md {
                    let _ = writeln!(out, "## {}{reach}\n", r.subject.describe());
                } else {
                    let _ = writeln!(out, "{}{reach}", r.subject.describe());
                }
                for h in &r.held {
                    render_held(
                        &mut out,
                        m,
                        h,
                        touches_phi(h, &loaded.scope),
                        md,
                        if md { "" } else { "  " },
                    );
                }
                let _ = writeln!(out);
            }
            render_problems(&mut out, m, md);
            out
        }
    };
    finish(&loaded, &rendered, !risky.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_parse() {
        let s = parse_subject("sa", "ci/deployer", None).unwrap();
        assert_eq!(s.namespace.as_deref(), Some("ci"));
        let s = parse_subject("ServiceAccount", "system:serviceaccount:ci:deployer", None).unwrap();
        assert_eq!(
            (s.namespace.as_deref(), s.name.as_str()),
            (Some("ci"), "deployer")
        );
        let s = parse_subject("ServiceAccount", "deployer", Some("ci".into())).unwrap();
        assert_eq!(s.namespace.as_deref(), Some("ci"));
        assert!(parse_subject("ServiceAccount", "deployer", None).is_err());
        assert!(parse_subject("Robot", "x", None).is_err());
    }
}
