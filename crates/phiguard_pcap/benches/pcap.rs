//! Throughput of a whole capture scan (read, decode, reassemble, parse HTTP, detect) on a generated ~20 MB
//! pcap of HTTP/1.1 traffic: keep-alive connections of JSON API calls, one response in fifty carrying PHI,
//! one in ten gzip-compressed, segments of 1448 bytes. Throughput counts capture file bytes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use phiguard_pcap::{scan, Options};
use phiguard_phi::Detector;
use support::*;

/// A deterministic JSON list of orders (no PHI) of about `n` bytes.
fn filler(seed: u64, n: usize) -> String {
    let mut s = String::from("{\"items\":[");
    let mut i = seed;
    while s.len() < n {
        i = i
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        s.push_str(&format!(
            "{{\"sku\":\"SKU-{:06}\",\"qty\":{},\"price\":{}.{:02},\"status\":\"shipped\",\"warehouse\":\"eu-west-{}\"}},",
            (i >> 20) % 1_000_000,
            (i >> 40) % 9 + 1,
            (i >> 30) % 500,
            (i >> 10) % 100,
            (i >> 50) % 4
        ));
    }
    s.push_str("{}]}");
    s
}

fn capture(target: usize) -> (Vec<u8>, usize) {
    let mut frames = Vec::new();
    let mut size = 24;
    let mut n = 0u64;
    let mut phi = 0;
    'outer: for conn in 0u32.. {
        let client = format!(
            "10.{}.{}.{}:{}",
            1 + conn / 65_536 % 200,
            conn / 256 % 256,
            conn % 256,
            30_000 + conn % 30_000
        );
        let mut c = Conn::new(&client, "10.200.0.1:8080", Link::Ethernet);
        frames.extend(c.handshake());
        for _ in 0..20 {
            n += 1;
            let req = http(
                &format!("GET /api/orders/{n} HTTP/1.1"),
                &[("Host", "orders.internal"), ("Accept", "application/json")],
                b"",
            );
            let mut body = filler(n, 4000);
            if n.is_multiple_of(50) {
                body = format!("{{\"patient\":{{\"name\":\"Maria Gonzalez\",\"ssn\":\"234-56-7890\",\"dob\":\"1984-03-12\"}},\"orders\":{body}}}");
                phi += 1;
            }
            let resp = if n % 10 == 3 {
                http(
                    "HTTP/1.1 200 OK",
                    &[
                        ("Content-Type", "application/json"),
                        ("Content-Encoding", "gzip"),
                    ],
                    &gzip_body(body.as_bytes()),
                )
            } else {
                http(
                    "HTTP/1.1 200 OK",
                    &[("Content-Type", "application/json")],
                    body.as_bytes(),
                )
            };
            for f in c
                .send(true, &req, 1448)
                .into_iter()
                .chain(c.send(false, &resp, 1448))
            {
                size += 16 + f.data.len();
                frames.push(f);
            }
            if size >= target {
                break 'outer;
            }
        }
        frames.extend(c.close());
    }
    (pcap(&frames, 1, false, false), phi)
}

fn bench(c: &mut Criterion) {
    let det = Detector::new();
    let (file, phi_responses) = capture(20 << 20);
    let r = scan(&det, &file[..], &Options::default());
    assert!(r.error.is_none());
    let ssn = r
        .findings
        .iter()
        .filter(|f| f.value == b"234-56-7890")
        .count();
    assert_eq!(ssn, phi_responses, "every PHI response found once");
    eprintln!(
        "capture: {} bytes, {} frames, {} flows, {} findings, {} bytes scanned",
        file.len(),
        r.stats.frames,
        r.flows.len(),
        r.findings.len(),
        r.stats.scanned_bytes
    );
    let mut g = c.benchmark_group("pcap");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(file.len() as u64));
    g.bench_function("http_sparse_phi_20mb", |b| {
        b.iter(|| scan(&det, &file[..], &Options::default()).findings.len())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
