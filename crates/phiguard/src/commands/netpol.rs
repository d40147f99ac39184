//! `phiguard netpol`: the connectivity matrix, explanations of single connections, and zone verification.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Subcommand, ValueEnum};
use phiguard_core::inventory::Inventory;
use phiguard_core::netpol::eval::{Explanation, Outcome, Step, Verdict};
use phiguard_core::netpol::ip::IpRange;
use phiguard_core::netpol::model::{Dir, Endpoint, Model};
use phiguard_core::netpol::zones::{self, Verification};
use phiguard_core::netpol::{build, find_endpoint, Conn, Engine};
use phiguard_core::rules::CATALOG;
use phiguard_core::settings::Settings;
use phiguard_core::source::LoadError;

#[derive(Subcommand, Debug)]
pub enum NetpolCommand {
    /// Every allowed connection between workloads, the cluster DNS and external networks.
    Matrix {
        /// Files or directories with manifests (NetworkPolicy, AdminNetworkPolicy, Calico policies, workloads).
        #[arg(required = true)]
        paths: Vec<String>,
        #[arg(short, long, value_enum, default_value_t = MatrixFormat::Text)]
        output: MatrixFormat,
        #[command(flatten)]
        common: Common,
    },
    /// Whether SRC may open a connection to DST (on PORT), and which policy rules decide it.
    ///
    /// SRC and DST are workloads (`namespace/name`, `namespace/name[Kind]`, or `name` when unique) or IPv4
    /// addresses. PORT is like `TCP/5432`, `UDP/53` or `443`. Exit code with PORT: 0 allowed, 1 denied.
    Explain {
        src: String,
        dst: String,
        port: Option<String>,
        /// Files or directories with manifests.
        #[arg(short = 'f', long = "filename", default_value = ".")]
        paths: Vec<String>,
        #[arg(short, long, value_enum, default_value_t = ExplainFormat::Text)]
        output: ExplainFormat,
        #[command(flatten)]
        common: Common,
    },
    /// Prove the segmentation invariants (zones and flows from `[netpol]` in phiguard.toml, PHI data stores,
    /// internet egress, ingress from outside the cluster) or print counterexamples. Exit 1 on a violation.
    Verify {
        #[arg(required = true)]
        paths: Vec<String>,
        #[arg(short, long, value_enum, default_value_t = ExplainFormat::Text)]
        output: ExplainFormat,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(clap::Args, Debug)]
pub struct Common {
    /// Configuration file (default: ./phiguard.toml, else phiguard.toml in the first input directory).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum MatrixFormat {
    Text,
    Csv,
    Json,
    Markdown,
    Dot,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ExplainFormat {
    Text,
    Json,
}

pub fn run(cmd: NetpolCommand) -> anyhow::Result<u8> {
    match cmd {
        NetpolCommand::Matrix {
            paths,
            output,
            common,
        } => matrix(&paths, output, &common),
        NetpolCommand::Explain {
            src,
            dst,
            port,
            paths,
            output,
            common,
        } => explain(&paths, &src, &dst, port.as_deref(), output, &common),
        NetpolCommand::Verify {
            paths,
            output,
            common,
        } => verify(&paths, output, &common),
    }
}

fn settings(paths: &[String], common: &Common) -> anyhow::Result<Settings> {
    let path = match &common.config {
        Some(p) => Some(p.clone()),
        None => {
            let here = Path::new("phiguard.toml");
            let beside = paths
                .first()
                .map(Path::new)
                .filter(|p| p.is_dir())
                .map(|p| p.join("phiguard.toml"));
            if here.is_file() {
                Some(here.to_path_buf())
            } else {
                beside.filter(|p| p.is_file())
            }
        }
    };
    match path {
        Some(p) => {
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            tracing::info!(config = %p.display(), "configuration read");
            Ok(Settings::from_toml(
                &p.display().to_string(),
                &text,
                &CATALOG,
            )?)
        }
        None => Ok(Settings::default()),
    }
}

/// Reads and parses the inputs. Errors are printed on stderr; the caller exits 2 when there are any.
fn inventory(paths: &[String]) -> anyhow::Result<(Inventory, Vec<LoadError>)> {
    let (sources, mut errors) = super::scan::read_inputs(paths)?;
    let (objects, load_errors, _) = phiguard_core::engine::load(&sources);
    errors.extend(load_errors);
    if objects.is_empty() {
        for e in &errors {
            eprintln!("error: {e}");
        }
        bail!("no Kubernetes objects were found in the inputs; nothing was analysed");
    }
    Ok((Inventory::new(sources, objects), errors))
}

fn finish(errors: &[LoadError], code: u8) -> u8 {
    for e in errors {
        eprintln!("error: {e}");
    }
    if errors.is_empty() {
        code
    } else {
        super::EXIT_ERROR
    }
}

fn print(out: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    if !out.ends_with('\n') {
        stdout.write_all(b"\n")?;
    }
    stdout.flush()?;
    Ok(())
}

fn warnings(model: &Model) {
    for w in &model.warnings {
        eprintln!("warning: {}: {} ({})", w.loc, w.message, w.loc.path);
    }
    for (m, why) in &model.out_of_scope {
        eprintln!("note: {} is out of policy scope: {why}", m.name);
    }
}

/// One printed connection.
struct Line {
    src: String,
    dst: String,
    conn: Conn,
}

/// An address range, its connection set and the configured networks it belongs to; keyed by (workload,
/// whether the range is the source).
type ExternalEdge = (IpRange, Conn, Vec<String>);

/// Expands endpoint classes into workloads and merges adjacent external ranges with equal connectivity.
fn lines(model: &Model, engine: &Engine<'_>, edges: &[phiguard_core::netpol::Edge]) -> Vec<Line> {
    let mut out = Vec::new();
    let mut ext: BTreeMap<(String, bool), Vec<ExternalEdge>> = BTreeMap::new();
    for e in edges {
        let s = &model.endpoints[e.src as usize];
        let d = &model.endpoints[e.dst as usize];
        let conn = engine.conn(e.conn).clone();
        match (s.range, d.range) {
            (None, None) => {
                for ms in &s.members {
                    for md in &d.members {
                        if ms.name != md.name {
                            out.push(Line {
                                src: ms.name.clone(),
                                dst: md.name.clone(),
                                conn: conn.clone(),
                            });
                        }
                    }
                }
            }
            (Some(r), None) => {
                for m in &d.members {
                    ext.entry((m.name.clone(), true)).or_default().push((
                        r,
                        conn.clone(),
                        s.networks.clone(),
                    ));
                }
            }
            (None, Some(r)) => {
                for m in &s.members {
                    ext.entry((m.name.clone(), false)).or_default().push((
                        r,
                        conn.clone(),
                        d.networks.clone(),
                    ));
                }
            }
            (Some(_), Some(_)) => {}
        }
    }
    for ((name, from_ext), mut list) in ext {
        list.sort_by_key(|(r, _, _)| r.lo);
        // Adjacent ranges with the same connections merge, unless a configured network sets one apart.
        let mut merged: Vec<(IpRange, Conn, Vec<String>)> = Vec::new();
        for (r, c, nets) in list {
            match merged.last_mut() {
                Some((last, lc, ln))
                    if *lc == c
                        && *ln == nets
                        && nets.is_empty()
                        && u64::from(last.hi) + 1 == u64::from(r.lo) =>
                {
                    last.hi = r.hi
                }
                _ => merged.push((r, c, nets)),
            }
        }
        for (r, conn, nets) in merged {
            let ip = if nets.is_empty() {
                format!("{r}[External]")
            } else {
                format!("{r}[External: {}]", nets.join(", "))
            };
            let (src, dst) = if from_ext {
                (ip, name.clone())
            } else {
                (name.clone(), ip)
            };
            out.push(Line { src, dst, conn });
        }
    }
    out.sort_by(|a, b| (&a.src, &a.dst).cmp(&(&b.src, &b.dst)));
    out
}

fn matrix(paths: &[String], format: MatrixFormat, common: &Common) -> anyhow::Result<u8> {
    let settings = settings(paths, common)?;
    let (inv, errors) = inventory(paths)?;
    let opts = zones::verify_options(&settings.netpol);
    let model = build(
        &inv,
        &phiguard_core::netpol::Options {
            representatives: false,
            ..opts
        },
    );
    warnings(&model);
    let mut engine = Engine::new(&model);
    let edges = engine.matrix();
    let lines = lines(&model, &engine, &edges);
    let mut s = String::new();
    match format {
        MatrixFormat::Text => {
            for l in &lines {
                let _ = writeln!(s, "{} => {} : {}", l.src, l.dst, l.conn);
            }
        }
        MatrixFormat::Csv => {
            s.push_str("src,dst,conn\n");
            for l in &lines {
                let _ = writeln!(s, "{},{},\"{}\"", l.src, l.dst, l.conn);
            }
        }
        MatrixFormat::Markdown => {
            s.push_str("| src | dst | conn |\n|-----|-----|------|\n");
            for l in &lines {
                let _ = writeln!(s, "| {} | {} | {} |", l.src, l.dst, l.conn);
            }
        }
        MatrixFormat::Json => {
            let v = serde_json::json!({
                "connections": lines.iter().map(|l| serde_json::json!({
                    "src": l.src, "dst": l.dst, "conn": l.conn.to_string(),
                })).collect::<Vec<_>>(),
                "warnings": model.warnings.iter().map(|w| serde_json::json!({
                    "file": w.loc.file, "line": w.loc.pos.line, "path": w.loc.path, "message": w.message,
                })).collect::<Vec<_>>(),
                "out_of_scope": model.out_of_scope.iter().map(|(m, why)| serde_json::json!({
                    "workload": m.name, "reason": why,
                })).collect::<Vec<_>>(),
            });
            s = serde_json::to_string_pretty(&v)?;
        }
        MatrixFormat::Dot => s = dot(&lines),
    }
    print(&s)?;
    Ok(finish(&errors, super::EXIT_CLEAN))
}

fn dot_id(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Graphviz: one cluster per namespace, external ranges as boxes, edges labelled with the connection set.
fn dot(lines: &[Line]) -> String {
    let mut nodes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for l in lines {
        for n in [&l.src, &l.dst] {
            let group = if n.contains("[External") {
                String::new()
            } else {
                n.split('/').next().unwrap_or("").to_string()
            };
            let list = nodes.entry(group).or_default();
            if !list.contains(n) {
                list.push(n.clone());
            }
        }
    }
    let mut s = String::from("digraph {\n\tlabel=\"Connectivity Graph\"\n\tlabelloc=\"t\"\n\tfontsize=30\n\tfontcolor=maroon\n");
    for (ns, list) in &nodes {
        if ns.is_empty() {
            for n in list {
                let _ = writeln!(
                    s,
                    "\t{} [label={} color=red2 fontcolor=red2 shape=box]",
                    dot_id(n),
                    dot_id(n)
                );
            }
            continue;
        }
        let _ = writeln!(s, "subgraph {} {{", dot_id(&format!("cluster_{ns}")));
        for n in list {
            let short = n.split_once('/').map(|(_, r)| r).unwrap_or(n);
            let _ = writeln!(
                s,
                "\t{} [label={} color=blue fontcolor=blue]",
                dot_id(n),
                dot_id(short)
            );
        }
        let _ = writeln!(s, "\tlabel={}\n}}", dot_id(ns));
    }
    for l in lines {
        let _ = writeln!(
            s,
            "\t{} -> {} [label={} color=gold2 fontcolor=darkgreen]",
            dot_id(&l.src),
            dot_id(&l.dst),
            dot_id(&l.conn.to_string())
        );
    }
    s.push_str("}\n");
    s
}

fn step_text(model: &Model, dir: Dir, step: &Step) -> String {
    let policy = step.policy.map(|p| &model.policies[p]);
    match (&step.outcome, policy) {
        (Outcome::Rule(action), Some(p)) => {
            let rule = step
                .rule
                .and_then(|r| p.rules(dir).and_then(|rs| rs.get(r)));
            let (label, loc) = match rule {
                Some(r) => (r.label.clone(), r.loc.to_string()),
                None => (String::new(), p.loc.to_string()),
            };
            format!(
                "{} {} {label} ({loc}): {} {}",
                p.kind.as_str(),
                p.name,
                action.as_str(),
                step.conn
            )
        }
        (Outcome::Isolated, Some(_)) => format!(
            "selected by {} and allowed by none of their rules: Deny {}",
            step.layer
                .iter()
                .map(|&i| {
                    let p = &model.policies[i];
                    format!("{} {} ({})", p.kind.as_str(), p.name, p.loc)
                })
                .collect::<Vec<_>>()
                .join(", "),
            step.conn
        ),
        _ => format!("no policy decides: allowed by default: {}", step.conn),
    }
}

fn verdict_text(model: &Model, v: &Verdict, subject: &Endpoint) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "  {} of {}: {}",
        v.dir.as_str(),
        subject.name(),
        v.allowed
    );
    if !subject.is_pod() {
        let _ = writeln!(s, "    external address: not subject to policies");
        return s;
    }
    for step in &v.steps {
        let _ = writeln!(s, "    - {}", step_text(model, v.dir, step));
    }
    s
}

fn explanation_text(model: &Model, x: &Explanation) -> String {
    let src = &model.endpoints[x.src];
    let dst = &model.endpoints[x.dst];
    let mut s = String::new();
    s.push_str(&verdict_text(model, &x.egress, src));
    s.push_str(&verdict_text(model, &x.ingress, dst));
    s
}

fn explanation_json(model: &Model, x: &Explanation) -> serde_json::Value {
    let verdict = |v: &Verdict| {
        serde_json::json!({
            "allowed": v.allowed.to_string(),
            "steps": v.steps.iter().map(|st| {
                let p = st.policy.map(|p| &model.policies[p]);
                let rule = p.and_then(|p| st.rule.and_then(|r| p.rules(v.dir).and_then(|rs| rs.get(r))));
                serde_json::json!({
                    "outcome": match &st.outcome {
                        Outcome::Rule(a) => a.as_str(),
                        Outcome::Isolated => "Isolated",
                        Outcome::DefaultAllow => "DefaultAllow",
                    },
                    "conn": st.conn.to_string(),
                    "policy": p.map(|p| format!("{} {}", p.kind.as_str(), p.name)),
                    "rule": rule.map(|r| r.label.clone()),
                    "file": rule.map(|r| r.loc.file.clone()).or_else(|| p.map(|p| p.loc.file.clone())),
                    "line": rule.map(|r| r.loc.pos.line).or_else(|| p.map(|p| p.loc.pos.line)),
                })
            }).collect::<Vec<_>>(),
        })
    };
    serde_json::json!({
        "src": model.endpoints[x.src].name(),
        "dst": model.endpoints[x.dst].name(),
        "allowed": x.allowed.to_string(),
        "egress": verdict(&x.egress),
        "ingress": verdict(&x.ingress),
    })
}

fn explain(
    paths: &[String],
    src: &str,
    dst: &str,
    port: Option<&str>,
    format: ExplainFormat,
    common: &Common,
) -> anyhow::Result<u8> {
    let probe = match port {
        Some(p) => Some(
            zones::parse_port(p)
                .ok_or_else(|| anyhow::anyhow!("port `{p}` is not like TCP/443, UDP/53 or 443"))?,
        ),
        None => None,
    };
    let settings = settings(paths, common)?;
    let (inv, errors) = inventory(paths)?;
    let opts = zones::verify_options(&settings.netpol);
    let model = build(&inv, &opts);
    warnings(&model);
    let s = find_endpoint(&model, src).map_err(|m| anyhow::anyhow!("source: {m}"))?;
    let d = find_endpoint(&model, dst).map_err(|m| anyhow::anyhow!("destination: {m}"))?;
    let mut engine = Engine::new(&model);
    let x = engine.explain(s, d);
    let allowed = match &probe {
        Some(p) => p.subset_of(&x.allowed),
        None => !x.allowed.is_empty(),
    };
    let out = match format {
        ExplainFormat::Text => {
            let mut t = String::new();
            let what = match &probe {
                Some(p) => format!(" on {p}"),
                None => String::new(),
            };
            let _ = writeln!(
                t,
                "{} -> {}{what}: {}",
                model.endpoints[s].name(),
                model.endpoints[d].name(),
                if allowed { "ALLOWED" } else { "DENIED" }
            );
            let _ = writeln!(t, "  allowed connections: {}", x.allowed);
            t.push_str(&explanation_text(&model, &x));
            t
        }
        ExplainFormat::Json => {
            let mut v = explanation_json(&model, &x);
            v["probe"] = serde_json::json!(probe.as_ref().map(|p| p.to_string()));
            v["verdict"] = serde_json::json!(if allowed { "allowed" } else { "denied" });
            serde_json::to_string_pretty(&v)?
        }
    };
    print(&out)?;
    let code = if probe.is_some() && !allowed {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_CLEAN
    };
    Ok(finish(&errors, code))
}

fn verify(paths: &[String], format: ExplainFormat, common: &Common) -> anyhow::Result<u8> {
    let settings = settings(paths, common)?;
    let (inv, errors) = inventory(paths)?;
    let scope = phiguard_core::scope::compute(&inv, &settings);
    let v = zones::verify(&inv, &scope, &settings.netpol);
    warnings(&v.model);
    let out = match format {
        ExplainFormat::Text => verification_text(&v),
        ExplainFormat::Json => serde_json::to_string_pretty(&verification_json(&v))?,
    };
    print(&out)?;
    let code = if v.holds() {
        super::EXIT_CLEAN
    } else {
        super::EXIT_FINDINGS
    };
    Ok(finish(&errors, code))
}

/// Counterexamples printed per invariant.
const SHOWN: usize = 5;

fn verification_text(v: &Verification) -> String {
    let m = &v.model;
    let mut s = String::new();
    let held = v
        .proofs
        .iter()
        .filter(|p| p.violations.is_empty() && p.applicable)
        .count();
    let broken = v.proofs.iter().filter(|p| !p.violations.is_empty()).count();
    let _ = writeln!(
        s,
        "phiguard netpol verify: {} endpoints ({} PHI, {} PHI data stores), {} policies; {held} invariants proved, {broken} violated",
        m.endpoints.len(),
        v.phi.iter().filter(|p| **p).count(),
        v.data_store.iter().filter(|p| **p).count(),
        m.policies.len()
    );
    s.push_str("zones:\n");
    for z in &v.zones {
        let members: Vec<String> = m
            .endpoints
            .iter()
            .zip(&v.membership)
            .filter(|(e, zs)| zs.contains(&z.name) && e.is_pod())
            .flat_map(|(e, _)| e.members.iter().map(|x| x.name.clone()))
            .collect();
        let ext = m
            .endpoints
            .iter()
            .zip(&v.membership)
            .filter(|(e, zs)| zs.contains(&z.name) && !e.is_pod())
            .count();
        let what = if ext > 0 {
            format!("{ext} external address ranges")
        } else if members.is_empty() {
            "no workload".to_string()
        } else {
            members.join(", ")
        };
        let _ = writeln!(s, "  {}: {what}", z.name);
    }
    for p in &v.proofs {
        if !p.applicable {
            let _ = writeln!(
                s,
                "N/A      {} {}: no zones are declared in [netpol]",
                p.invariant.code(),
                p.invariant.title()
            );
            continue;
        }
        if p.violations.is_empty() {
            let _ = writeln!(
                s,
                "PROVED   {} {} ({} endpoint pairs, incl. stand-ins for future pods)",
                p.invariant.code(),
                p.invariant.title(),
                p.pairs_checked
            );
            continue;
        }
        let _ = writeln!(
            s,
            "VIOLATED {} {} ({} counterexamples)",
            p.invariant.code(),
            p.invariant.title(),
            p.violations.len()
        );
        for viol in p.violations.iter().take(SHOWN) {
            let zs = |i: usize| {
                if v.membership[i].is_empty() {
                    "no zone".to_string()
                } else {
                    format!("zone {}", v.membership[i].join(", "))
                }
            };
            let _ = writeln!(
                s,
                "  counterexample: {} ({}) -> {} ({}) : {}",
                m.endpoints[viol.src].name(),
                zs(viol.src),
                m.endpoints[viol.dst].name(),
                zs(viol.dst),
                viol.excess
            );
            if !viol.also.is_empty() {
                let _ = writeln!(
                    s,
                    "    (and {} more external ranges with the same outcome: {})",
                    viol.also.len(),
                    viol.also
                        .iter()
                        .map(|&i| m.endpoints[i].name())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            s.push_str(
                &explanation_text(m, &viol.explanation)
                    .replace("\n  ", "\n    ")
                    .replacen("  ", "    ", 1),
            );
        }
        if p.violations.len() > SHOWN {
            let _ = writeln!(
                s,
                "  ... {} more (use -o json for all)",
                p.violations.len() - SHOWN
            );
        }
    }
    if !v.model.out_of_scope.is_empty() {
        let _ = writeln!(
            s,
            "not proved for {} hostNetwork workloads (out of policy scope)",
            v.model.out_of_scope.len()
        );
    }
    s
}

fn verification_json(v: &Verification) -> serde_json::Value {
    let m = &v.model;
    serde_json::json!({
        "holds": v.holds(),
        "zones": v.zones.iter().map(|z| serde_json::json!({
            "name": z.name,
            "members": m.endpoints.iter().zip(&v.membership)
                .filter(|(_, zs)| zs.contains(&z.name))
                .map(|(e, _)| e.name()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "invariants": v.proofs.iter().map(|p| serde_json::json!({
            "code": p.invariant.code(),
            "title": p.invariant.title(),
            "applicable": p.applicable,
            "proved": p.applicable && p.violations.is_empty(),
            "pairs_checked": p.pairs_checked,
            "counterexamples": p.violations.iter().map(|x| {
                let mut j = explanation_json(m, &x.explanation);
                j["forbidden"] = serde_json::json!(x.excess.to_string());
                j["src_zones"] = serde_json::json!(v.membership[x.src]);
                j["dst_zones"] = serde_json::json!(v.membership[x.dst]);
                j["also"] = serde_json::json!(x.also.iter().map(|&i| m.endpoints[i].name()).collect::<Vec<_>>());
                j
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "warnings": m.warnings.iter().map(|w| serde_json::json!({
            "file": w.loc.file, "line": w.loc.pos.line, "path": w.loc.path, "message": w.message,
        })).collect::<Vec<_>>(),
        "out_of_scope": m.out_of_scope.iter().map(|(x, why)| serde_json::json!({
            "workload": x.name, "reason": why,
        })).collect::<Vec<_>>(),
    })
}
