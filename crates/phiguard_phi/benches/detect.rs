//! Throughput of detection on generated log-like text (2% of records carry PHI) and on PHI-dense text.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use phiguard_phi::{synth, Detector};

fn bench(c: &mut Criterion) {
    let det = Detector::new();
    let mut g = c.benchmark_group("detect");
    for (name, per_mille) in [("logs_sparse", 20), ("logs_dense", 500)] {
        let text = synth::logs(7, 4 << 20, per_mille).text;
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| b.iter(|| det.detect(text.as_bytes()).len()));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
