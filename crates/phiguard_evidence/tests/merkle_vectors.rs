#![allow(clippy::unwrap_used, clippy::expect_used)]
//! RFC 6962 inclusion and consistency proofs checked against the transparency-dev/merkle test vectors
//! (https://github.com/transparency-dev/merkle, testdata/ at commit 417fb0c314750d94e53942e9f92e79b6d35915db,
//! Apache-2.0), kept in ../shared/corpus/merkle. Every file's `wantErr` is the expected verdict.

use std::path::{Path, PathBuf};

use base64::Engine;
use phiguard_evidence::merkle::{self, Hash};

fn corpus() -> Option<PathBuf> {
    let p = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/merkle/testdata"
    ));
    if p.is_dir() {
        Some(p.to_path_buf())
    } else {
        eprintln!("SKIP: Merkle test vectors not found at {}", p.display());
        None
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

fn bytes(v: &serde_json::Value) -> Vec<u8> {
    match v.as_str() {
        Some(s) => base64::engine::general_purpose::STANDARD.decode(s).unwrap(),
        None => Vec::new(),
    }
}

fn hash(v: &serde_json::Value) -> Option<Hash> {
    bytes(v).try_into().ok()
}

fn proof(v: &serde_json::Value) -> Option<Vec<Hash>> {
    match v.as_array() {
        None => Some(Vec::new()),
        Some(items) => items.iter().map(hash).collect(),
    }
}

fn run(kind: &str, check: impl Fn(&serde_json::Value) -> bool) -> (usize, usize) {
    let Some(root) = corpus() else { return (0, 0) };
    let mut all = Vec::new();
    files(&root.join(kind), &mut all);
    all.sort();
    assert!(!all.is_empty(), "no vectors under {kind}");
    let mut accepted = 0;
    for f in &all {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let want_ok = !v["wantErr"].as_bool().unwrap();
        let ok = check(&v);
        assert_eq!(ok, want_ok, "{}: {}", f.display(), v["desc"]);
        accepted += usize::from(ok);
    }
    (all.len(), accepted)
}

#[test]
fn inclusion_vectors() {
    let (n, ok) = run("inclusion", |v| {
        let (Some(leaf), Some(root), Some(p)) =
            (hash(&v["leafHash"]), hash(&v["root"]), proof(&v["proof"]))
        else {
            return false;
        };
        merkle::verify_inclusion(
            v["leafIdx"].as_u64().unwrap(),
            v["treeSize"].as_u64().unwrap(),
            &leaf,
            &p,
            &root,
        )
    });
    if n > 0 {
        assert_eq!((n, ok), (98, 6));
    }
}

#[test]
fn consistency_vectors() {
    let (n, ok) = run("consistency", |v| {
        let (r1, r2) = (bytes(&v["root1"]), bytes(&v["root2"]));
        let Some(p) = proof(&v["proof"]) else {
            return false;
        };
        merkle::verify_consistency(
            v["size1"].as_u64().unwrap(),
            v["size2"].as_u64().unwrap(),
            &p,
            &r1,
            &r2,
        )
    });
    if n > 0 {
        assert_eq!((n, ok), (98, 6));
    }
}

#[test]
fn reference_tree_roots_and_generated_proofs() {
    // The RFC 6962 reference tree behind the vectors (README of the corpus).
    let data: [&[u8]; 8] = [
        b"",
        &[0x00],
        &[0x10],
        &[0x20, 0x21],
        &[0x30, 0x31],
        &[0x40, 0x41, 0x42, 0x43],
        &[0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        &[
            0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d,
            0x6e, 0x6f,
        ],
    ];
    let leaves: Vec<Hash> = data.iter().map(|d| merkle::leaf_hash(d)).collect();
    let hex: String = merkle::root(&leaves)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        hex,
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    );
    // Our generated proofs equal the happy-path proofs of the vectors.
    let Some(root) = corpus() else { return };
    for (dir, idx, size) in [(1, 0, 8), (2, 5, 8), (3, 2, 3), (4, 1, 5)] {
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join(format!("inclusion/{dir}/happy-path.json")))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            (v["leafIdx"].as_u64(), v["treeSize"].as_u64()),
            (Some(idx), Some(size))
        );
        let want = proof(&v["proof"]).unwrap();
        assert_eq!(
            merkle::inclusion_proof(&leaves[..size as usize], idx as usize).unwrap(),
            want
        );
    }
    for (dir, s1, s2) in [(1, 1, 8), (2, 6, 8), (3, 2, 5), (4, 6, 7)] {
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join(format!("consistency/{dir}/happy-path.json")))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            (v["size1"].as_u64(), v["size2"].as_u64()),
            (Some(s1), Some(s2))
        );
        let want = proof(&v["proof"]).unwrap();
        assert_eq!(
            merkle::consistency_proof(&leaves[..s2 as usize], s1 as usize).unwrap(),
            want
        );
    }
}
