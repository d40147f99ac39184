//! Criterion bench: one admission decision for the realistic Deployment in bench/serve/review.json.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use phiguard_core::admission::{decide, Operation, Policy, Request};
use phiguard_core::rules::CATALOG;
use phiguard_core::settings::{Date, Settings};

fn benches(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/serve/review.json");
    let review: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let object = review["request"]["object"].to_string();
    let settings = Settings::from_toml(
        "phiguard.toml",
        "[phi]\nnamespaces = [\"clinical\"]\n[admission]\ndeny-on = \"high\"\n",
        &CATALOG,
    )
    .unwrap();
    let policy = Policy::new(settings);
    let today = Date::today();
    let request = Request {
        operation: Operation::Create,
        object: Some(&object),
        old_object: None,
        namespace: Some("clinical"),
        namespace_labels: None,
        sub_resource: None,
    };
    c.bench_function("admission/deployment", |b| {
        b.iter(|| decide(&policy, &request, today).unwrap())
    });
}

criterion_group!(admission, benches);
criterion_main!(admission);
