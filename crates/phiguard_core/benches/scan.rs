//! Criterion benches: loading (YAML/JSON parsing with positions) and rule evaluation.
//!
//! Input: the public manifest corpus in ../shared/corpus/manifests when present (see its SOURCES.md for
//! repositories and licences), else the bundled examples.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use phiguard_core::inventory::Inventory;
use phiguard_core::settings::{Date, Settings};
use phiguard_core::source::{walk, Source};
use phiguard_core::{engine, scope};

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 24,
};

fn inputs() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let corpus = root.join("../shared/corpus/manifests");
    let dirs: Vec<PathBuf> = if corpus.is_dir() {
        [
            "kubernetes__examples",
            "GoogleCloudPlatform__microservices-demo",
            "kubernetes__ingress-nginx",
            "istio__istio",
        ]
        .iter()
        .map(|d| corpus.join(d))
        .collect()
    } else {
        eprintln!(
            "bench: {} is absent; measuring the bundled examples only",
            corpus.display()
        );
        vec![root.join("examples")]
    };
    let mut sources = Vec::new();
    for d in dirs {
        for f in walk(&d).unwrap_or_default() {
            if let Ok(text) = std::fs::read_to_string(&f) {
                sources.push(Source::new(f.display().to_string(), text));
            }
        }
    }
    sources
}

fn benches(c: &mut Criterion) {
    let sources = inputs();
    let bytes: usize = sources.iter().map(|s| s.text.len()).sum();
    let settings = Settings::default();

    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("load", |b| b.iter(|| engine::load(&sources)));

    let (objects, _, _) = engine::load(&sources);
    let texts: Vec<Source> = sources
        .iter()
        .map(|s| Source::new(s.name.clone(), s.text.clone()))
        .collect();
    let inv = Inventory::new(texts, objects);
    let sc = scope::compute(&inv, &settings);
    group.bench_function("evaluate", |b| {
        b.iter(|| engine::evaluate(&inv, &sc, &settings, TODAY))
    });
    group.bench_function("scan", |b| {
        b.iter_batched(
            || {
                sources
                    .iter()
                    .map(|s| Source::new(s.name.clone(), s.text.clone()))
                    .collect::<Vec<_>>()
            },
            |srcs| engine::scan(srcs, &settings, TODAY, Vec::new()),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(scan_benches, benches);
criterion_main!(scan_benches);
