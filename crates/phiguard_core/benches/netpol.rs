//! Criterion benches for the connectivity engine on a generated cluster: 5,000 workloads in 100 namespaces and
//! 2,000 NetworkPolicies (per namespace: a default deny, DNS egress, and 18 per-application policies with pod,
//! namespace and ipBlock peers, named and numeric ports). Prints the model's size and the process's peak RSS.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;

use criterion::{criterion_group, criterion_main, Criterion};
use phiguard_core::engine::load;
use phiguard_core::inventory::Inventory;
use phiguard_core::netpol::model::{model_bytes, EndpointKind};
use phiguard_core::netpol::{build, Engine, Options};
use phiguard_core::source::Source;

const NAMESPACES: usize = 100;
const APPS: usize = 50;
const POLICIES_PER_NS: usize = 20;
const TIERS: [&str; 5] = ["web", "api", "db", "cache", "worker"];

/// The generated manifests: 5,000 Deployments and 2,000 NetworkPolicies.
pub fn generate(policies: bool) -> String {
    let mut s = String::new();
    for n in 0..NAMESPACES {
        let _ = write!(
            s,
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-{n}\n  labels: {{team: t{}, env: {}}}\n---\n",
            n % 10,
            if n % 3 == 0 { "prod" } else { "dev" }
        );
        for a in 0..APPS {
            let _ = write!(
                s,
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{a}, namespace: ns-{n}}}\nspec:\n  template:\n    metadata:\n      labels: {{app: app-{a}, tier: {}, shard: s{}}}\n    spec:\n      containers:\n      - name: c\n        image: registry.example.com/app:{a}\n        ports: [{{name: http, containerPort: {}}}, {{name: metrics, containerPort: 9090}}]\n---\n",
                TIERS[a % 5],
                a % 7,
                8000 + a % 10
            );
        }
        if !policies {
            continue;
        }
        let _ = write!(
            s,
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: default-deny, namespace: ns-{n}}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n---\n\
apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: dns, namespace: ns-{n}}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: kube-system}}}}\n      podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}\n    ports: [{{port: 53, protocol: UDP}}, {{port: 53, protocol: TCP}}]\n---\n"
        );
        for p in 0..POLICIES_PER_NS - 2 {
            let a = p * 2 % APPS;
            let _ = write!(
                s,
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: app-{a}-{p}, namespace: ns-{n}}}\nspec:\n  podSelector: {{matchLabels: {{app: app-{a}}}}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n  - from:\n    - podSelector:\n        matchExpressions: [{{key: tier, operator: In, values: [web, api]}}]\n    - namespaceSelector: {{matchLabels: {{team: t{}}}}}\n      podSelector: {{matchLabels: {{app: app-{}}}}}\n    ports: [{{port: http}}, {{port: 9090}}]\n  egress:\n  - to:\n    - podSelector: {{matchLabels: {{app: app-{}}}}}\n    - namespaceSelector: {{matchLabels: {{env: prod}}}}\n      podSelector: {{matchLabels: {{tier: db}}}}\n    ports: [{{port: 5432}}, {{port: http}}]\n  - to:\n    - ipBlock: {{cidr: 10.{}.0.0/16, except: [10.{}.1.0/24]}}\n    ports: [{{port: 443}}, {{port: 8000, endPort: 8100}}]\n---\n",
                (n + 1) % 10,
                (a + 1) % APPS,
                (a + 3) % APPS,
                n % 256,
                n % 256
            );
        }
    }
    s
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

fn bench(c: &mut Criterion) {
    let text = generate(true);
    let sources = vec![Source::new("generated.yaml", text)];
    let (objects, errors, _) = load(&sources);
    assert!(errors.is_empty());
    let inv = Inventory::new(sources, objects);
    let opts = Options {
        cluster_dns: true,
        ..Options::default()
    };
    let rss_before = peak_rss_kib();
    {
        let model = build(&inv, &opts);
        let policies = model.policies.len();
        let workloads: usize = model
            .endpoints
            .iter()
            .filter(|e| e.kind == EndpointKind::Workload)
            .map(|e| e.members.len())
            .sum();
        let mut engine = Engine::new(&model);
        let edges = engine.matrix();
        eprintln!(
            "netpol bench: {workloads} workloads ({} endpoints), {policies} policies, {} allowed endpoint pairs, \
model ~{} KiB, edges {} KiB, {} interned connection sets; peak RSS {:?} KiB before the model, {:?} KiB after the matrix",
            model.endpoints.len(),
            edges.len(),
            model_bytes(&model) / 1024,
            edges.len() * std::mem::size_of_val(&edges[0]) / 1024,
            engine.interner.len(),
            rss_before,
            peak_rss_kib()
        );
        assert_eq!(policies, NAMESPACES * POLICIES_PER_NS);
        assert_eq!(workloads, NAMESPACES * APPS);
    }
    let mut g = c.benchmark_group("netpol");
    g.sample_size(10);
    g.bench_function("build_model_5000w_2000p", |b| b.iter(|| build(&inv, &opts)));
    g.bench_function("matrix_5000w_2000p", |b| {
        b.iter(|| {
            let model = build(&inv, &opts);
            let mut engine = Engine::new(&model);
            engine.matrix().len()
        })
    });
    // The worst case for the output: no policy at all, every pair of the 5,000 workloads connected.
    let open = vec![Source::new("open.yaml", generate(false))];
    let (objects, _, _) = load(&open);
    let open_inv = Inventory::new(open, objects);
    g.bench_function("matrix_5000w_no_policies", |b| {
        b.iter(|| {
            let model = build(&open_inv, &opts);
            let mut engine = Engine::new(&model);
            engine.matrix().len()
        })
    });
    g.finish();
    eprintln!("netpol bench: peak RSS {:?} KiB at the end", peak_rss_kib());
}

criterion_group!(benches, bench);
criterion_main!(benches);
