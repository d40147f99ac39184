//! Criterion benches for the RBAC engine over a generated cluster of 10,000 roles and bindings: building the
//! model (aggregation included) and who-can queries in one namespace, in any namespace, and cluster-wide.
//!
//! The generator is deterministic: 250 namespaces with 16 Roles and 16 RoleBindings each (8,000 objects), plus
//! 1,000 ClusterRoles (some aggregated into the bootstrap view/edit/admin through their labels) and 1,000
//! ClusterRoleBindings. Rules mix exact names, wildcards, subresources and resourceNames.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;

use criterion::{criterion_group, criterion_main, Criterion};
use phiguard_core::engine::load;
use phiguard_core::inventory::Inventory;
use phiguard_core::rbac::matching::parse_target;
use phiguard_core::rbac::powers::powers_of;
use phiguard_core::rbac::{Identity, Model, QueryScope, SubjectKind, SubjectRef};
use phiguard_core::Source;

const NAMESPACES: usize = 250;
const PER_NAMESPACE: usize = 16;
const CLUSTER_ROLES: usize = 1000;

/// A small deterministic generator (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() % items.len()]
    }
}

const RESOURCES: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "pods/log"),
    ("", "pods/exec"),
    ("", "configmaps"),
    ("", "secrets"),
    ("", "services"),
    ("", "events"),
    ("", "serviceaccounts"),
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("batch", "jobs"),
    ("networking.k8s.io", "networkpolicies"),
    ("example.com", "widgets"),
    ("", "*"),
    ("*", "*"),
];
const VERBS: &[&str] = &[
    "get", "list", "watch", "create", "update", "patch", "delete", "*",
];

fn rules(rng: &mut Lcg, out: &mut String) {
    out.push_str("rules:\n");
    for _ in 0..(1 + rng.next() % 4) {
        let (group, resource) = RESOURCES[rng.next() % RESOURCES.len()];
        let v1 = rng.pick(VERBS);
        let v2 = rng.pick(VERBS);
        let _ = writeln!(
            out,
            "  - apiGroups: [\"{group}\"]\n    resources: [\"{resource}\"]\n    verbs: [\"{v1}\", \"{v2}\"]"
        );
        if matches!(rng.next() % 5, 0) {
            let _ = writeln!(out, "    resourceNames: [\"obj-{}\"]", rng.next() % 10);
        }
    }
}

fn subject(rng: &mut Lcg, ns: &str, out: &mut String) {
    match rng.next() % 4 {
        0 => {
            let _ = writeln!(out, "  - {{kind: User, name: user-{}}}", rng.next() % 500);
        }
        1 => {
            let _ = writeln!(out, "  - {{kind: Group, name: team-{}}}", rng.next() % 100);
        }
        _ => {
            let _ = writeln!(
                out,
                "  - {{kind: ServiceAccount, name: sa-{}, namespace: {ns}}}",
                rng.next() % 20
            );
        }
    }
}

/// The generated cluster as one YAML stream, and its count of roles plus bindings.
fn generate() -> (String, usize) {
    let mut rng = Lcg(42);
    let mut y = String::new();
    let mut count = 0;
    for c in 0..CLUSTER_ROLES {
        let _ = writeln!(
            y,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr-{c}"
        );
        if matches!(c % 50, 0) {
            let target = ["view", "edit", "admin"][c % 3];
            let _ = writeln!(
                y,
                "  labels:\n    rbac.authorization.k8s.io/aggregate-to-{target}: \"true\""
            );
        }
        rules(&mut rng, &mut y);
        let ns = format!("ns-{}", rng.next() % NAMESPACES);
        let _ = writeln!(
            y,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: crb-{c}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr-{c}}}\nsubjects:"
        );
        subject(&mut rng, &ns, &mut y);
        count += 2;
    }
    for n in 0..NAMESPACES {
        let ns = format!("ns-{n}");
        for r in 0..PER_NAMESPACE {
            let _ = writeln!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-{r}\n  namespace: {ns}"
            );
            rules(&mut rng, &mut y);
            // Every fourth binding references a ClusterRole (bootstrap or generated) in the namespace.
            let role_ref = if matches!(r % 4, 0) {
                let name = match rng.next() % 4 {
                    0 => "edit".to_string(),
                    1 => "view".to_string(),
                    _ => format!("cr-{}", rng.next() % CLUSTER_ROLES),
                };
                format!("{{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {name}}}")
            } else {
                format!("{{apiGroup: rbac.authorization.k8s.io, kind: Role, name: role-{r}}}")
            };
            let _ = writeln!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb-{r}\n  namespace: {ns}\nroleRef: {role_ref}\nsubjects:"
            );
            for _ in 0..(1 + rng.next() % 3) {
                subject(&mut rng, &ns, &mut y);
            }
            count += 2;
        }
    }
    (y, count)
}

fn benches(c: &mut Criterion) {
    let (yaml, count) = generate();
    assert_eq!(count, 10_000);
    let sources = vec![Source::new("generated.yaml", yaml)];
    let (objects, errors, _) = load(&sources);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(objects.len(), count);
    let inv = Inventory::new(sources, objects);

    let mut group = c.benchmark_group("rbac_10k");
    group.sample_size(20);
    group.bench_function("build_model", |b| b.iter(|| Model::build(&inv)));

    let model = Model::build(&inv);
    let secrets = parse_target("secrets", None).unwrap();
    let exec = parse_target("pods/exec", None).unwrap();
    let nodes = parse_target("nodes/proxy", None).unwrap();
    let one_ns = QueryScope::Namespace("ns-17".into());
    eprintln!(
        "rbac_10k: {} roles, {} bindings, {} rules; who-can get secrets -n ns-17: {} grants; in any namespace: {}",
        model.roles.len(),
        model.bindings.len(),
        model.rules.len(),
        model.who_can("get", &secrets, &one_ns).len(),
        model.who_can("get", &secrets, &QueryScope::AnyNamespace).len()
    );
    group.bench_function("who_can_get_secrets_one_namespace", |b| {
        b.iter(|| model.who_can("get", &secrets, &one_ns))
    });
    group.bench_function("who_can_create_exec_any_namespace", |b| {
        b.iter(|| model.who_can("create", &exec, &QueryScope::AnyNamespace))
    });
    group.bench_function("who_can_get_nodes_proxy_cluster", |b| {
        b.iter(|| model.who_can("get", &nodes, &QueryScope::Cluster))
    });
    let sa = Identity::of(&SubjectRef {
        kind: SubjectKind::ServiceAccount,
        name: "sa-3".into(),
        namespace: Some("ns-17".into()),
    });
    group.bench_function("powers_of_one_service_account", |b| {
        b.iter(|| powers_of(&model, &sa))
    });
    group.finish();
}

criterion_group!(rbac_benches, benches);
criterion_main!(rbac_benches);
