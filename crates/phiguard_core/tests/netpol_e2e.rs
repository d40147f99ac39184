//! The upstream Kubernetes e2e NetworkPolicy tests (test/e2e/network/netpol) as truth tables: namespaces x, y,
//! z (labelled `ns: <name>`), pods a, b, c in each (labelled `pod: <name>`) serving TCP, UDP and SCTP on 80
//! and 81 through named ports `serve-<port>-<proto>`. Each case lists its policies and, per probe, the
//! expected table; a pod's traffic to itself is not probed (as upstream).
//!
//! Cases whose expectation depends on pod IPs (ipBlock with a pod's /32) are listed in `NOT_TRANSCRIBED` with
//! the reason: pods are matched by labels, never by address, since manifests carry no pod IPs. Cases that
//! update objects are transcribed as their final state.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use phiguard_core::engine::load;
use phiguard_core::inventory::Inventory;
use phiguard_core::netpol::{build, find_endpoint, Engine, Options, Protocol};
use phiguard_core::source::Source;

const NS: [&str; 3] = ["x", "y", "z"];
const PODS: [&str; 3] = ["a", "b", "c"];

fn cluster(ns_labels: &[(&str, &str)], pod_labels: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for ns in NS {
        let extra: String = ns_labels
            .iter()
            .filter(|(n, _)| *n == ns)
            .map(|(_, l)| format!("    {l}\n"))
            .collect();
        out.push_str(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n    ns: {ns}\n{extra}---\n"
        ));
        for pod in PODS {
            let id = format!("{ns}/{pod}");
            let extra: String = pod_labels
                .iter()
                .filter(|(p, _)| *p == id)
                .map(|(_, l)| format!("    {l}\n"))
                .collect();
            let mut ports = String::new();
            for port in [80, 81] {
                for proto in ["TCP", "UDP", "SCTP"] {
                    ports.push_str(&format!(
                        "    - {{name: serve-{port}-{}, containerPort: {port}, protocol: {proto}}}\n",
                        proto.to_lowercase()
                    ));
                }
            }
            out.push_str(&format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {pod}\n  namespace: {ns}\n  labels:\n    pod: {pod}\n{extra}spec:\n  containers:\n  - name: c\n    image: agnhost\n    ports:\n{ports}---\n"
            ));
        }
    }
    out
}

/// A 9x9 table: [from][to].
#[derive(Clone, PartialEq, Eq)]
struct Reach([[bool; 9]; 9]);

fn idx(p: &str) -> usize {
    let (ns, pod) = p.split_once('/').unwrap();
    NS.iter().position(|n| *n == ns).unwrap() * 3 + PODS.iter().position(|x| *x == pod).unwrap()
}

fn name(i: usize) -> String {
    format!("{}/{}", NS[i / 3], PODS[i % 3])
}

impl Reach {
    fn all(v: bool) -> Reach {
        Reach([[v; 9]; 9])
    }
    fn ingress(mut self, to: &str, v: bool) -> Reach {
        for from in 0..9 {
            self.0[from][idx(to)] = v;
        }
        self
    }
    fn egress(mut self, from: &str, v: bool) -> Reach {
        self.0[idx(from)] = [v; 9];
        self
    }
    fn set(mut self, from: &str, to: &str, v: bool) -> Reach {
        self.0[idx(from)][idx(to)] = v;
        self
    }
    fn print(&self) -> String {
        let mut s = String::from("     ");
        for j in 0..9 {
            s.push_str(&format!("{} ", name(j)));
        }
        s.push('\n');
        for i in 0..9 {
            s.push_str(&format!("{} ", name(i)));
            for j in 0..9 {
                s.push_str(if i == j {
                    "  -  "
                } else if self.0[i][j] {
                    "  .  "
                } else {
                    "  X  "
                });
            }
            s.push('\n');
        }
        s
    }
}

struct Case {
    name: &'static str,
    policies: &'static str,
    ns_labels: &'static [(&'static str, &'static str)],
    pod_labels: &'static [(&'static str, &'static str)],
    probes: Vec<(Protocol, u16, Reach)>,
}

fn case(name: &'static str, policies: &'static str) -> Case {
    Case {
        name,
        policies,
        ns_labels: &[],
        pod_labels: &[],
        probes: Vec::new(),
    }
}

impl Case {
    fn probe(mut self, proto: Protocol, port: u16, r: Reach) -> Case {
        self.probes.push((proto, port, r));
        self
    }
    fn tcp80(self, r: Reach) -> Case {
        self.probe(Protocol::Tcp, 80, r)
    }
}

fn run(c: &Case) -> Vec<String> {
    let text = format!("{}{}", cluster(c.ns_labels, c.pod_labels), c.policies);
    let sources = vec![Source::new(c.name, text)];
    let (objects, errors, _) = load(&sources);
    assert!(errors.is_empty(), "{}: {errors:?}", c.name);
    let inv = Inventory::new(sources, objects);
    let model = build(&inv, &Options::default());
    assert!(
        model.warnings.is_empty(),
        "{}: {:?}",
        c.name,
        model.warnings
    );
    let mut engine = Engine::new(&model);
    let ids: Vec<usize> = (0..9)
        .map(|i| find_endpoint(&model, &name(i)).unwrap())
        .collect();
    let mut failures = Vec::new();
    for (proto, port, want) in &c.probes {
        let mut got = Reach::all(false);
        for i in 0..9 {
            for j in 0..9 {
                let id = engine.allowed(ids[i], ids[j]);
                got.0[i][j] = engine.conn(id).allows(*proto, *port);
            }
        }
        for i in 0..9 {
            got.0[i][i] = false;
        }
        let mut want = want.clone();
        for i in 0..9 {
            want.0[i][i] = false;
        }
        if got != want {
            failures.push(format!(
                "{} on {} {port}\nexpected:\n{}got:\n{}",
                c.name,
                proto.as_str(),
                want.print(),
                got.print()
            ));
        }
    }
    failures
}

const NOT_TRANSCRIBED: &[(&str, &str)] = &[
    (
        "should allow egress access to server in CIDR block",
        "ipBlock matching a pod IP: manifests carry no pod IPs",
    ),
    (
        "should enforce except clause while egress access to server in CIDR block",
        "ipBlock matching a pod IP",
    ),
    (
        "should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed",
        "ipBlock matching a pod IP",
    ),
];

fn x_pods() -> [&'static str; 3] {
    ["x/a", "x/b", "x/c"]
}

fn deny_ingress_x() -> Reach {
    x_pods()
        .iter()
        .fold(Reach::all(true), |r, p| r.ingress(p, false))
}

fn cases() -> Vec<Case> {
    use Protocol::{Sctp, Tcp, Udp};
    let only_from = |to: &str, froms: &[&str]| {
        let mut r = Reach::all(true).ingress(to, false);
        for f in froms {
            r = r.set(f, to, true);
        }
        r
    };
    vec![
        case("should support a 'default-deny-ingress' policy", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Ingress]
").tcp80(deny_ingress_x()),
        case("should support a 'default-deny-all' policy", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
").tcp80(x_pods().iter().fold(deny_ingress_x(), |r, p| r.egress(p, false))),
        case("should enforce policy to allow traffic from pods within server namespace based on PodSelector", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x-a-allows-x-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - podSelector: {matchLabels: {pod: b}}
").tcp80(only_from("x/a", &["x/b"])),
        case("should enforce policy to allow ingress traffic for a target", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress-via-label-selector, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all-to-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from:
    - namespaceSelector: {}
      podSelector: {}
").tcp80(Reach::all(true)),
        case("should enforce policy to allow ingress traffic from pods in all namespaces", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-from-all-ns, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {}
").tcp80(Reach::all(true)),
        case("should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-ns-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
").tcp80(only_from("x/a", &["y/a", "y/b", "y/c"])),
        case("should enforce policy based on PodSelector with MatchExpressions", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: match-expr, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - podSelector:
        matchExpressions: [{key: pod, operator: In, values: [b]}]
").tcp80(only_from("x/a", &["x/b"])),
        case("should enforce policy based on NamespaceSelector with MatchExpressions", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ns-match-expr, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions: [{key: ns, operator: In, values: [y]}]
").tcp80(only_from("x/a", &["y/a", "y/b", "y/c"])),
        case("should enforce policy based on PodSelector or NamespaceSelector", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: or, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions: [{key: ns, operator: NotIn, values: [x]}]
    - podSelector: {matchLabels: {pod: b}}
").tcp80(Reach::all(true).set("x/c", "x/a", false)),
        case("should enforce policy based on PodSelector and NamespaceSelector", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: and, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions: [{key: ns, operator: NotIn, values: [x]}]
      podSelector: {matchLabels: {pod: b}}
").tcp80(only_from("x/a", &["y/b", "z/b"])),
        case("should enforce policy based on Multiple PodSelectors and NamespaceSelectors", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: multi, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions: [{key: ns, operator: NotIn, values: [x]}]
      podSelector:
        matchExpressions: [{key: pod, operator: In, values: [b, c]}]
").tcp80(only_from("x/a", &["y/b", "y/c", "z/b", "z/c"])),
        case("should enforce policy based on any PodSelectors", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: any-pods, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - podSelector: {matchLabels: {pod: b}}
    - podSelector: {matchLabels: {pod: c}}
").tcp80(only_from("x/a", &["x/b", "x/c"])),
        case("should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: y-a-only, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
      podSelector: {matchLabels: {pod: a}}
").tcp80(only_from("x/a", &["y/a"])),
        case("should enforce policy based on Ports", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: port-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
    ports:
    - {port: 81}
")
        .tcp80(Reach::all(true).ingress("x/a", false))
        .probe(Tcp, 81, only_from("x/a", &["y/a", "y/b", "y/c"])),
        case("should enforce multiple, stacked policies with overlapping podSelectors", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: port-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
    ports:
    - {port: 81}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: port-80, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
    ports:
    - {port: 80}
")
        .tcp80(only_from("x/a", &["y/a", "y/b", "y/c"]))
        .probe(Tcp, 81, only_from("x/a", &["y/a", "y/b", "y/c"])),
        case("should support allow-all policy", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: x}
spec:
  podSelector: {}
  ingress:
  - {}
").tcp80(Reach::all(true)).probe(Tcp, 81, Reach::all(true)),
        case("should allow ingress access on one named port", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: named-81, namespace: x}
spec:
  podSelector: {}
  ingress:
  - ports:
    - {port: serve-81-tcp}
").probe(Tcp, 81, Reach::all(true)).tcp80(deny_ingress_x()),
        case("should allow ingress access from namespace on one named port", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: named-80-from-y, namespace: x}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
    ports:
    - {port: serve-80-tcp}
")
        .tcp80(x_pods().iter().fold(deny_ingress_x(), |r, p| {
            ["y/a", "y/b", "y/c"].iter().fold(r, |r, f| r.set(f, p, true))
        }))
        .probe(Tcp, 81, deny_ingress_x()),
        case("should allow egress access on one named port", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-named-80, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports:
    - {port: serve-80-tcp}
")
        .tcp80(Reach::all(true))
        .probe(Tcp, 81, x_pods().iter().fold(Reach::all(true), |r, p| r.egress(p, false))),
        case("should enforce updated policy (final state: allow from all namespaces)", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all-mutate-to-deny-all, namespace: x}
spec:
  podSelector: {}
  ingress:
  - {}
").tcp80(Reach::all(true)),
        Case {
            ns_labels: &[("y", "ns2: updated")],
            ..case("should allow ingress access from updated namespace (final state)", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-updated-ns, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns2: updated}}
")
        }
        .tcp80(only_from("x/a", &["y/a", "y/b", "y/c"])),
        Case {
            pod_labels: &[("x/b", "pod2: updated")],
            ..case("should allow ingress access from updated pod (final state)", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-updated-pod, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - podSelector: {matchLabels: {pod2: updated}}
")
        }
        .tcp80(only_from("x/a", &["x/b"])),
        Case {
            pod_labels: &[("x/a", "target: isolated")],
            ..case("should deny ingress access to updated pod (final state)", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-updated-pod, namespace: x}
spec:
  podSelector: {matchLabels: {target: isolated}}
  policyTypes: [Ingress]
")
        }
        .tcp80(Reach::all(true).ingress("x/a", false)),
        case("should deny ingress from pods on other namespaces", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-other-ns, namespace: x}
spec:
  podSelector: {}
  ingress:
  - from:
    - podSelector: {}
").tcp80(x_pods().iter().fold(deny_ingress_x(), |r, p| {
            x_pods().iter().fold(r, |r, f| r.set(f, p, true))
        })),
        case("should deny egress from pods based on PodSelector", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress-a, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
").tcp80(Reach::all(true).egress("x/a", false)),
        case("should deny egress from all pods in a namespace", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress-ns, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Egress]
").tcp80(x_pods().iter().fold(Reach::all(true), |r, p| r.egress(p, false))),
        case("should work with Ingress, Egress specified together", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: both, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - podSelector: {matchLabels: {pod: b}}
  egress:
  - ports:
    - {port: 80}
")
        .tcp80(only_from("x/a", &["x/b"]))
        .probe(Tcp, 81, only_from("x/a", &["x/b"]).egress("x/a", false)),
        case("should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress-x-a, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-from-x-a, namespace: y}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: x}}
      podSelector: {matchLabels: {pod: a}}
").tcp80(
            ["y/a", "y/b", "y/c"]
                .iter()
                .fold(Reach::all(true), |r, p| r.ingress(p, false).set("x/a", p, false))
                .egress("x/a", false),
        ),
        case("should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-y-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {ns: y}}
      podSelector: {matchLabels: {pod: b}}
").tcp80(Reach::all(true).egress("x/a", false).set("x/a", "y/b", true)),
        case("should enforce ingress policy allowing any port traffic to a server on a specific protocol", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: any-tcp, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - ports:
    - {protocol: TCP}
")
        .tcp80(Reach::all(true))
        .probe(Tcp, 81, Reach::all(true))
        .probe(Udp, 80, Reach::all(true).ingress("x/a", false)),
        case("should enforce multiple ingress policies with ingress allow-all policy taking precedence", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-80, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - ports:
    - {port: 80}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - {}
").tcp80(Reach::all(true)).probe(Tcp, 81, Reach::all(true)),
        case("should enforce multiple egress policies with egress allow-all policy taking precedence", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-80, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - ports:
    - {port: 80}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - {}
").tcp80(Reach::all(true)).probe(Tcp, 81, Reach::all(true)),
        case("should stop enforcing policies after they are deleted (final state: no policy)", "")
            .tcp80(Reach::all(true)),
        case("should enforce ingress and egress policies independently", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ingress-only, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  egress:
  - to:
    - podSelector: {matchLabels: {pod: b}}
").tcp80(Reach::all(true).ingress("x/a", false)),
        case("should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP'", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: sctp-only, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - ports:
    - {protocol: SCTP, port: 80}
")
        .tcp80(Reach::all(true).ingress("x/a", false))
        .probe(Sctp, 80, Reach::all(true)),
        case("should not allow access by TCP when a policy specifies only UDP", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: udp-only, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - ports:
    - {protocol: UDP, port: 81}
")
        .probe(Tcp, 81, Reach::all(true).ingress("x/a", false))
        .probe(Udp, 81, Reach::all(true)),
        case("should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-ns-label, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
").tcp80(only_from("x/a", &["y/a", "y/b", "y/c"])),
        case("should enforce policy based on NamespaceSelector with MatchExpressions using default ns label", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-ns-label-expr, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [y]}]
").tcp80(Reach::all(true).set("y/a", "x/a", false).set("y/b", "x/a", false).set("y/c", "x/a", false)),
        case("should support a 'default-deny-ingress' policy [UDP]", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Ingress]
").probe(Udp, 80, deny_ingress_x()),
        case("should support a 'default-deny-ingress' policy [SCTP]", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Ingress]
").probe(Sctp, 80, deny_ingress_x()),
        case("should enforce policy based on Ports [UDP]", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: udp-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
    ports:
    - {protocol: UDP, port: 81}
")
        .probe(Udp, 80, Reach::all(true).ingress("x/a", false))
        .probe(Udp, 81, only_from("x/a", &["y/a", "y/b", "y/c"])),
        case("should enforce policy based on Ports [SCTP]", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: sctp-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
    ports:
    - {protocol: SCTP, port: 81}
")
        .probe(Sctp, 80, Reach::all(true).ingress("x/a", false))
        .probe(Sctp, 81, only_from("x/a", &["y/a", "y/b", "y/c"])),
        case("should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector [UDP]", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: y-a-udp, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
      podSelector: {matchLabels: {pod: a}}
    ports:
    - {protocol: UDP, port: 80}
").probe(Udp, 80, only_from("x/a", &["y/a"])),
        case("should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector [SCTP]", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: y-a-sctp, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: y}}
      podSelector: {matchLabels: {pod: a}}
    ports:
    - {protocol: SCTP, port: 80}
").probe(Sctp, 80, only_from("x/a", &["y/a"])),
        case("should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: sctp-isolates, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - ports:
    - {protocol: SCTP, port: 81}
").tcp80(Reach::all(true).ingress("x/a", false)),
        case("should enforce policy to allow traffic from pods within server namespace based on PodSelector [egress peer]", r"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-to-x-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to:
    - podSelector: {matchLabels: {pod: b}}
").tcp80(Reach::all(true).egress("x/a", false).set("x/a", "x/b", true)),
    ]
}

#[test]
fn upstream_e2e_truth_tables() {
    let cases = cases();
    let mut failures = Vec::new();
    let mut probes = 0;
    for c in &cases {
        probes += c.probes.len();
        failures.extend(run(c));
    }
    eprintln!(
        "e2e truth tables: {} cases, {probes} probes; {} failing; not transcribed: {}",
        cases.len(),
        failures.len(),
        NOT_TRANSCRIBED
            .iter()
            .map(|(n, why)| format!("\"{n}\" ({why})"))
            .collect::<Vec<_>>()
            .join("; ")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
