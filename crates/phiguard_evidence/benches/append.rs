//! Evidence append throughput on the directory and PostgreSQL backends.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ed25519_dalek::SigningKey;
use phiguard_evidence::store::{DirStore, PgStore};
use phiguard_evidence::{Options, Trail};

#[path = "../tests/common/mod.rs"]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

const BODY: &str = r#"{"code":"AL004","severity":"high","user":"alice@clinic.example","verb":"list","resource":"secrets","namespace":"ehr","time":"2026-03-04T11:20:00.000000Z"}"#;

fn bench(c: &mut Criterion) {
    let key = SigningKey::from_bytes(&[3; 32]);
    let mut g = c.benchmark_group("evidence");
    g.sample_size(10);
    let n = 1000u64;
    g.throughput(Throughput::Elements(n));
    g.bench_function("dir_append_1000_then_seal", |b| {
        b.iter_batched(
            || tempfile::tempdir().ok(),
            |d| {
                let Some(d) = d else { return };
                let Ok(store) = DirStore::open(d.path()) else {
                    return;
                };
                let Ok(mut t) = Trail::open(Box::new(store), key.clone(), Options::default())
                else {
                    return;
                };
                for _ in 0..n {
                    let _ = t.append("alert", BODY);
                }
                let _ = t.seal();
            },
            BatchSize::PerIteration,
        )
    });
    match common::Pg::start() {
        None => eprintln!("SKIP: PostgreSQL append bench (server binaries not installed)"),
        Some(pg) => {
            let pn = 200u64;
            g.throughput(Throughput::Elements(pn));
            g.bench_function("postgres_append_200_then_seal", |b| {
                b.iter(|| {
                    let Ok(store) = PgStore::connect(&pg.url) else {
                        return;
                    };
                    let Ok(mut t) = Trail::open(Box::new(store), key.clone(), Options::default())
                    else {
                        return;
                    };
                    for _ in 0..pn {
                        let _ = t.append("alert", BODY);
                    }
                    let _ = t.seal();
                })
            });
            g.bench_function("postgres_append_many_200_then_seal", |b| {
                b.iter(|| {
                    let Ok(store) = PgStore::connect(&pg.url) else {
                        return;
                    };
                    let Ok(mut t) = Trail::open(Box::new(store), key.clone(), Options::default())
                    else {
                        return;
                    };
                    let items: Vec<(&str, &str)> = (0..pn).map(|_| ("alert", BODY)).collect();
                    let _ = t.append_many(phiguard_evidence::time::now_us(), &items);
                    let _ = t.seal();
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
