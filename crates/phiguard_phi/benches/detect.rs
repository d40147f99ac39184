//! Throughput of detection on generated log-like text (2% of records carry PHI), on PHI-dense text, and on
//! the prose of Presidio's synthetic set (names and places in every sentence) when the shared corpus is present.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use phiguard_phi::{eval, synth, Detector};

fn bench(c: &mut Criterion) {
    let det = Detector::new();
    let mut g = c.benchmark_group("detect");
    for (name, per_mille) in [("logs_sparse", 20), ("logs_dense", 500)] {
        let text = synth::logs(7, 4 << 20, per_mille).text;
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| b.iter(|| det.detect(text.as_bytes()).len()));
    }
    let presidio = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/phi/presidio-research-synth/synth_dataset_v2.json"
    ));
    match eval::load_presidio(presidio) {
        Ok(docs) => {
            let text: Vec<u8> = docs
                .iter()
                .flat_map(|d| d.text.bytes().chain([b'\n']))
                .collect();
            g.throughput(Throughput::Bytes(text.len() as u64));
            g.bench_function("prose_presidio", |b| b.iter(|| det.detect(&text).len()));
        }
        Err(e) => eprintln!("skipping prose_presidio: {e}"),
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
