//! The cyclonus probe example (`../shared/corpus/netpol/cyclonus`): the policies of
//! `networkpolicies/simple-example` on the standard probe cluster (namespaces x, y, z labelled `ns`, pods a, b,
//! c labelled `pod`, serving TCP 80 and 81), compared with the Combined truth tables of
//! `examples/cyclonus-output/analyze-probe.txt` for TCP 80 and TCP 81. A pod's traffic to itself is not
//! compared (loopback is not subject to policy).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use phiguard_core::engine::load;
use phiguard_core::inventory::Inventory;
use phiguard_core::netpol::{build, find_endpoint, Engine, Options, Protocol};
use phiguard_core::source::{walk, Source};

fn cluster() -> String {
    let mut s = String::new();
    for ns in ["x", "y", "z"] {
        s.push_str(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}, labels: {{ns: {ns}}}}}\n---\n"
        ));
        for pod in ["a", "b", "c"] {
            s.push_str(&format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: {pod}, namespace: {ns}, labels: {{pod: {pod}}}}}\nspec:\n  containers:\n  - name: cont-1\n    ports: [{{name: serve-80-tcp, containerPort: 80}}]\n  - name: cont-2\n    ports: [{{name: serve-81-tcp, containerPort: 81}}]\n---\n"
            ));
        }
    }
    s
}

/// One row of a truth table: the source and, per destination, its cell.
type Row = (String, Vec<(String, char)>);

/// The Combined tables of the probe output.
fn combined_tables(text: &str) -> Vec<Vec<Row>> {
    let mut tables = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(l) = lines.next() {
        if l.trim() != "Combined:" {
            continue;
        }
        let mut header: Vec<String> = Vec::new();
        let mut rows = Vec::new();
        for row in lines.by_ref() {
            if row.trim().is_empty() {
                break;
            }
            if !row.starts_with('|') {
                continue;
            }
            let cells: Vec<String> = row
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect();
            if header.is_empty() {
                header = cells[1..].iter().map(|c| c.to_lowercase()).collect();
                continue;
            }
            let src = cells[0].clone();
            let vals = header
                .iter()
                .cloned()
                .zip(cells[1..].iter().map(|c| c.chars().next().unwrap_or(' ')))
                .collect();
            rows.push((src, vals));
        }
        if !header.is_empty() {
            tables.push(rows);
        }
    }
    tables
}

#[test]
fn cyclonus_probe_example() {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/netpol/cyclonus"
    ));
    if !root.is_dir() {
        eprintln!("SKIP: cyclonus corpus not found at {}", root.display());
        return;
    }
    let mut sources = vec![Source::new("cluster.yaml", cluster())];
    for f in walk(&root.join("networkpolicies/simple-example")).unwrap() {
        sources.push(Source::new(
            f.display().to_string(),
            std::fs::read_to_string(&f).unwrap(),
        ));
    }
    let (objects, errors, _) = load(&sources);
    assert!(errors.is_empty(), "{errors:?}");
    let inv = Inventory::new(sources, objects);
    let model = build(&inv, &Options::default());
    let mut engine = Engine::new(&model);
    let text =
        std::fs::read_to_string(root.join("examples/cyclonus-output/analyze-probe.txt")).unwrap();
    let tables = combined_tables(&text);
    assert!(tables.len() >= 2, "expected the TCP 80 and TCP 81 tables");
    let mut compared = 0;
    let mut diffs = Vec::new();
    for (table, port) in tables.iter().zip([80u16, 81]) {
        for (src, cells) in table {
            for (dst, cell) in cells {
                if src == dst || !matches!(cell, '.' | 'X') {
                    continue;
                }
                let s = find_endpoint(&model, src).unwrap();
                let d = find_endpoint(&model, dst).unwrap();
                let id = engine.allowed(s, d);
                let got = engine.conn(id).allows(Protocol::Tcp, port);
                compared += 1;
                if got != (*cell == '.') {
                    diffs.push(format!(
                        "{src} -> {dst} TCP {port}: cyclonus {cell}, phiguard {got}"
                    ));
                }
            }
        }
    }
    eprintln!(
        "cyclonus probe: {compared} cells compared, {} differ",
        diffs.len()
    );
    assert_eq!(compared, 2 * 72);
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
