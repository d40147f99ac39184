//! Audit events parsed and run through every detection, per second, on one core.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use phiguard_audit::generate;
use phiguard_audit::{reader, Alert, Detector, Issue, Pipeline};

fn bench(c: &mut Criterion) {
    let stream = generate::generate(7, 144);
    let text = stream.text();
    let events = stream.lines.len() as u64;
    let mut g = c.benchmark_group("audit");
    g.throughput(Throughput::Elements(events));
    g.sample_size(10);
    g.bench_function("parse_and_detect_jsonl", |b| {
        b.iter(|| {
            let mut det = Detector::new(generate::config());
            let mut n = 0usize;
            let mut on_alert = |_: Alert| n += 1;
            let mut on_issue = |_: Issue| {};
            let mut p = Pipeline::new(&mut det, None, &mut on_alert, &mut on_issue);
            let st = reader::read("bench", text.as_bytes(), &mut p).ok();
            assert_eq!(st.map(|s| s.events), Some(events));
            n
        })
    });
    let items: Vec<serde_json::Value> = stream
        .lines
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let body = serde_json::json!({"kind": "EventList", "items": items}).to_string();
    g.bench_function("event_list_body", |b| {
        b.iter(|| {
            let mut det = Detector::new(generate::config());
            let (alerts, _) = phiguard_audit::alerts_from_body(&mut det, "bench", body.as_bytes());
            alerts.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
