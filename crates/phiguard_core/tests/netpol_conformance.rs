//! Conformance with the netpol-analyzer golden suite (`../shared/corpus/netpol/netpol-analyzer`): every
//! `<dir>_connlist_output.txt` whose input directory uses only features in scope is recomputed and compared
//! connection by connection. External address ranges are compared on the common refinement of both sides'
//! ranges, so differently cut (but equal) address sets agree.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use phiguard_core::engine::load;
use phiguard_core::inventory::Inventory;
use phiguard_core::netpol::ip::{parse_ipv4, IpRange};
use phiguard_core::netpol::model::EndpointKind;
use phiguard_core::netpol::{build, Conn, Engine, Options};
use phiguard_core::source::{walk, Source};

fn corpus() -> Option<PathBuf> {
    let p = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/netpol/netpol-analyzer"
    ));
    if p.is_dir() {
        Some(p.to_path_buf())
    } else {
        eprintln!(
            "SKIP: netpol-analyzer corpus not found at {} (the conformance test needs it)",
            p.display()
        );
        None
    }
}

/// Input directories whose expected outputs depend on features outside the engine's scope.
fn out_of_scope(dir: &str, kinds: &BTreeSet<String>) -> Option<&'static str> {
    for k in [
        "UserDefinedNetwork",
        "ClusterUserDefinedNetwork",
        "NetworkAttachmentDefinition",
        "MultiNetworkPolicy",
        "VirtualMachine",
        "VirtualMachineInstance",
    ] {
        if kinds.contains(k) {
            return Some(
                "secondary networks (UDN, NAD, MultiNetworkPolicy, KubeVirt) are not modelled",
            );
        }
    }
    if dir.contains("ipv6") {
        return Some("IPv6 external addresses are not modelled");
    }
    None
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Peer {
    Pod(String),
    Ip(IpRange),
}

fn parse_peer(s: &str) -> Option<Peer> {
    let s = s.trim();
    if s.starts_with('{') {
        return None;
    }
    let bare = s.strip_suffix("[External]").unwrap_or(s);
    if let Some((a, b)) = bare.split_once('-') {
        if let (Some(lo), Some(hi)) = (parse_ipv4(a), parse_ipv4(b)) {
            return Some(Peer::Ip(IpRange { lo, hi }));
        }
    }
    Some(Peer::Pod(s.to_string()))
}

type PodPairs = BTreeMap<(String, String), Conn>;
/// (workload, is the workload the destination) -> [(range, conn)].
type IpEdges = BTreeMap<(String, bool), Vec<(IpRange, Conn)>>;

fn parse_expected(text: &str) -> (PodPairs, IpEdges, usize) {
    let mut pods = PodPairs::new();
    let mut ips = IpEdges::new();
    let mut skipped = 0;
    for line in text.lines() {
        let Some((pair, conn)) = line.split_once(" : ") else {
            continue;
        };
        let Some((a, b)) = pair.split_once(" => ") else {
            continue;
        };
        let conn = Conn::parse(conn).unwrap_or_else(|| panic!("bad conn in {line}"));
        match (parse_peer(a), parse_peer(b)) {
            (Some(Peer::Pod(s)), Some(Peer::Pod(d))) => {
                pods.insert((s, d), conn);
            }
            (Some(Peer::Ip(r)), Some(Peer::Pod(d))) => {
                ips.entry((d, true)).or_default().push((r, conn))
            }
            (Some(Peer::Pod(s)), Some(Peer::Ip(r))) => {
                ips.entry((s, false)).or_default().push((r, conn))
            }
            _ => skipped += 1,
        }
    }
    (pods, ips, skipped)
}

struct Outcome {
    diffs: Vec<String>,
}

fn run_case(dir: &Path, expected: &str) -> Result<Outcome, String> {
    let files = walk(dir).map_err(|e| e.to_string())?;
    let sources: Vec<Source> = files
        .iter()
        .filter_map(|f| {
            std::fs::read_to_string(f)
                .ok()
                .map(|t| Source::new(f.display().to_string(), t))
        })
        .collect();
    let (objects, _errors, _) = load(&sources);
    let inv = Inventory::new(sources, objects);
    let opts = Options {
        include_host_network: true,
        ..Options::default()
    };
    // netpol-analyzer shows pods whose ownerReference has no kind under the owner's name (`ns/owner[Pod]`).
    let mut alias: BTreeMap<String, String> = BTreeMap::new();
    for o in &inv.objects {
        if o.kind() != "Pod" {
            continue;
        }
        let Some(owner) = o
            .root
            .at(&["metadata", "ownerReferences"])
            .and_then(|r| r.as_seq().first())
        else {
            continue;
        };
        if owner.get("kind").is_none() {
            if let Some(name) = owner.get("name").and_then(|n| n.as_str()) {
                let ns = o.namespace_or_default();
                alias.insert(
                    format!("{ns}/{}[Pod]", o.name()),
                    format!("{ns}/{name}[Pod]"),
                );
            }
        }
    }
    let shown = |n: &str| alias.get(n).cloned().unwrap_or_else(|| n.to_string());
    let model = build(&inv, &opts);
    let mut engine = Engine::new(&model);
    let edges = engine.matrix();
    let mut got_pods = PodPairs::new();
    let mut got_ips = IpEdges::new();
    let mut merged: BTreeMap<(String, String), Vec<Conn>> = BTreeMap::new();
    for e in &edges {
        let s = &model.endpoints[e.src as usize];
        let d = &model.endpoints[e.dst as usize];
        let c = engine.conn(e.conn).clone();
        match (s.range, d.range) {
            (None, None) => {
                for ms in &s.members {
                    for md in &d.members {
                        let (a, b) = (shown(&ms.name), shown(&md.name));
                        if a != b {
                            merged.entry((a, b)).or_default().push(c.clone());
                        }
                    }
                }
            }
            (Some(r), None) => {
                for md in &d.members {
                    got_ips
                        .entry((shown(&md.name), true))
                        .or_default()
                        .push((r, c.clone()));
                }
            }
            (None, Some(r)) => {
                for ms in &s.members {
                    got_ips
                        .entry((shown(&ms.name), false))
                        .or_default()
                        .push((r, c.clone()));
                }
            }
            (Some(_), Some(_)) => {}
        }
    }
    let (exp_pods, exp_ips, _) = parse_expected(expected);
    let mut diffs = Vec::new();
    // Pods shown under one owner name must agree with each other to be comparable; pairs where some pods of
    // the owner have no connection at all also disagree.
    let pods_of = |name: &str| -> usize {
        let n = alias.values().filter(|v| v.as_str() == name).count();
        n.max(1)
    };
    for ((a, b), conns) in merged {
        let expected_count = pods_of(&a) * pods_of(&b);
        if conns.len() != expected_count || conns.iter().any(|c| *c != conns[0]) {
            diffs.push(format!(
                "{a} => {b}: the pods shown under these names differ ({})",
                conns
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(" / ")
            ));
        }
        got_pods.insert((a, b), conns[0].clone());
    }
    let keys: BTreeSet<&(String, String)> = exp_pods.keys().chain(got_pods.keys()).collect();
    for k in keys {
        let e = exp_pods.get(k).cloned().unwrap_or_default();
        let g = got_pods.get(k).cloned().unwrap_or_default();
        if e != g {
            diffs.push(format!("{} => {}: expected {e}, got {g}", k.0, k.1));
        }
    }
    // Workloads known to both sides, so an IP edge to a workload missing from the model shows up.
    let workloads: BTreeSet<String> = model
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Workload)
        .flat_map(|e| e.members.iter().map(|m| shown(&m.name)))
        .collect();
    let keys: BTreeSet<&(String, bool)> = exp_ips.keys().chain(got_ips.keys()).collect();
    for k in keys {
        let exp = exp_ips.get(k).cloned().unwrap_or_default();
        let got = got_ips.get(k).cloned().unwrap_or_default();
        if !workloads.contains(&k.0) && !exp.is_empty() {
            diffs.push(format!("{} is not a workload of the model", k.0));
            continue;
        }
        let mut cuts: Vec<u64> = vec![0, 1 << 32];
        for (r, _) in exp.iter().chain(got.iter()) {
            cuts.push(u64::from(r.lo));
            cuts.push(u64::from(r.hi) + 1);
        }
        cuts.sort_unstable();
        cuts.dedup();
        for w in cuts.windows(2) {
            let piece = IpRange {
                lo: w[0] as u32,
                hi: (w[1] - 1) as u32,
            };
            let at = |list: &[(IpRange, Conn)]| {
                list.iter()
                    .filter(|(r, _)| r.contains(&piece))
                    .fold(Conn::none(), |acc, (_, c)| acc.union(c))
            };
            let (e, g) = (at(&exp), at(&got));
            if e != g {
                let arrow = if k.1 { "=>" } else { "<=" };
                diffs.push(format!("{piece} {arrow} {}: expected {e}, got {g}", k.0));
            }
        }
    }
    Ok(Outcome { diffs })
}

/// Cases where phiguard and netpol-analyzer disagree on purpose: (input directory, reason). None at present.
const DISAGREEMENTS: &[(&str, &str)] = &[];

#[test]
fn netpol_analyzer_golden_suite() {
    let Some(root) = corpus() else {
        return;
    };
    let tests = root.join("tests");
    let mut outputs: Vec<PathBuf> = std::fs::read_dir(root.join("test_outputs/connlist"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    outputs.sort();
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    let mut skipped: Vec<(String, &str)> = Vec::new();
    let mut known = Vec::new();
    for out in outputs {
        let name = out.file_name().unwrap().to_string_lossy().to_string();
        let Some(dir) = name.strip_suffix("_connlist_output.txt") else {
            continue;
        };
        let input = tests.join(dir);
        if !input.is_dir() {
            // Focus-workload, focus-connection and other option variants of a connlist run.
            continue;
        }
        let text = std::fs::read_to_string(&out).unwrap();
        let kinds: BTreeSet<String> = walk(&input)
            .unwrap_or_default()
            .iter()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .flat_map(|t| {
                t.lines()
                    .filter_map(|l| {
                        l.trim()
                            .strip_prefix("kind:")
                            .map(|k| k.trim().trim_matches('"').to_string())
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        if let Some(reason) = out_of_scope(dir, &kinds) {
            skipped.push((dir.to_string(), reason));
            continue;
        }
        match run_case(&input, &text) {
            Ok(o) if o.diffs.is_empty() => passed.push(dir.to_string()),
            Ok(o) => {
                if let Some((_, why)) = DISAGREEMENTS.iter().find(|(d, _)| *d == dir) {
                    known.push(format!("{dir}: {why}"));
                } else {
                    failed.push((dir.to_string(), o.diffs));
                }
            }
            Err(e) => failed.push((dir.to_string(), vec![e])),
        }
    }
    let applicable = passed.len() + failed.len() + known.len();
    eprintln!(
        "netpol-analyzer conformance: {} of {applicable} applicable cases pass; {} explained disagreements; {} skipped",
        passed.len(),
        known.len(),
        skipped.len()
    );
    for (d, why) in &skipped {
        eprintln!("  skipped {d}: {why}");
    }
    for k in &known {
        eprintln!("  disagreement {k}");
    }
    for (d, diffs) in &failed {
        eprintln!("  FAILED {d} ({} differences)", diffs.len());
        for x in diffs.iter().take(6) {
            eprintln!("      {x}");
        }
    }
    assert!(applicable > 0, "no applicable case found in the corpus");
    assert!(
        failed.is_empty(),
        "{} cases disagree unexplained",
        failed.len()
    );
}
