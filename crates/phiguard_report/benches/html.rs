//! Criterion bench: building the HTML report's model and page for a large scan.
//!
//! Input: the whole public manifest corpus in ../shared/corpus/manifests (about 20,000 findings) when present,
//! else the bundled examples.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use phiguard_core::settings::{Date, Settings};
use phiguard_core::source::{walk, Source};
use phiguard_report::html::{html, html_model, ModelInput};

fn report() -> phiguard_core::ScanReport {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let corpus = root.join("../shared/corpus/manifests");
    let dir = if corpus.is_dir() {
        corpus
    } else {
        eprintln!(
            "bench: {} is absent; measuring the bundled examples only",
            corpus.display()
        );
        root.join("examples")
    };
    let sources = walk(&dir)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(&f).ok()?;
            Some(Source::new(f.display().to_string(), text))
        })
        .collect();
    phiguard_core::scan(
        sources,
        &Settings::default(),
        Date::parse("2026-11-24").unwrap(),
        Vec::new(),
    )
}

fn input() -> ModelInput {
    ModelInput {
        generated_at: "2026-11-24T00:00:00Z".into(),
        ..Default::default()
    }
}

fn benches(c: &mut Criterion) {
    let report = report();
    eprintln!("bench: {} findings", report.findings.len());
    let mut group = c.benchmark_group("html");
    group.throughput(Throughput::Elements(report.findings.len() as u64));
    group.sample_size(10);
    group.bench_function("model", |b| b.iter(|| html_model(&report, input())));
    group.bench_function("page", |b| b.iter(|| html(&report, input()).len()));
    group.finish();
}

criterion_group!(html_benches, benches);
criterion_main!(html_benches);
