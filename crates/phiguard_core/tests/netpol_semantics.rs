//! One test per semantic trap of NetworkPolicy, AdminNetworkPolicy and Calico policies.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use phiguard_core::engine::load;
use phiguard_core::inventory::Inventory;
use phiguard_core::netpol::model::{Model, Options};
use phiguard_core::netpol::{build, find_endpoint, Engine};
use phiguard_core::source::Source;

const BASE: &str = r"
apiVersion: v1
kind: Namespace
metadata: {name: app, labels: {team: app}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other, labels: {team: other}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - name: c
        image: nginx
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: app}
spec:
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: c
        image: postgres
        ports: [{name: http, containerPort: 9090}, {name: pg, containerPort: 5432}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: other}
spec:
  template:
    metadata: {labels: {app: client}}
    spec:
      containers: [{name: c, image: curl}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: other}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: curl}]
";

fn model(policies: &str) -> Model {
    let sources = vec![Source::new("t.yaml", format!("{BASE}---\n{policies}"))];
    let (objects, errors, _) = load(&sources);
    assert!(errors.is_empty(), "{errors:?}");
    let inv = Inventory::new(sources, objects);
    build(&inv, &Options::default())
}

/// The allowed connection set from `src` to `dst` (workload names or IPv4 addresses).
fn conn(policies: &str, src: &str, dst: &str) -> String {
    let m = model(policies);
    let mut e = Engine::new(&m);
    let s = find_endpoint(&m, src).unwrap();
    let d = find_endpoint(&m, dst).unwrap();
    let id = e.allowed(s, d);
    e.conn(id).to_string()
}

const ALL: &str = "All Connections";
const NONE: &str = "No Connections";

#[test]
fn policy_types_default_ingress_always_egress_only_with_rules() {
    // `egress: []` without policyTypes: egress is not isolated.
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: [{}]\n  egress: []\n";
    assert_eq!(conn(p, "app/web", "other/client"), ALL);
    // Egress rules without policyTypes: both directions, and the missing ingress rules deny all ingress.
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  egress: [{ports: [{port: 53, protocol: UDP}]}]\n";
    assert_eq!(conn(p, "app/web", "other/client"), "UDP 53");
    assert_eq!(conn(p, "other/client", "app/web"), NONE);
    // policyTypes [Ingress] ignores egress rules.
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n  ingress: [{}]\n  egress: [{ports: [{port: 53, protocol: UDP}]}]\n";
    assert_eq!(conn(p, "app/web", "other/client"), ALL);
}

#[test]
fn protocol_defaults_to_tcp_and_protocols_are_distinct() {
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 80}, {protocol: SCTP, port: 80}, {protocol: UDP}]}]\n";
    assert_eq!(
        conn(p, "other/client", "app/web"),
        "SCTP 80,TCP 80,UDP 1-65535"
    );
}

#[test]
fn empty_pod_selector_selects_only_its_namespace() {
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: app}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n";
    assert_eq!(conn(p, "other/client", "app/db"), NONE);
    assert_eq!(conn(p, "app/db", "other/web"), ALL);
}

#[test]
fn no_rules_allow_nothing_and_an_empty_rule_allows_everything() {
    let none = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {}\n  ingress: []\n";
    assert_eq!(conn(none, "other/client", "app/db"), NONE);
    let all = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {}\n  ingress: [{}]\n";
    assert_eq!(conn(all, "other/client", "app/db"), ALL);
    assert_eq!(conn(all, "8.8.8.8", "app/db"), ALL);
}

#[test]
fn namespace_and_pod_selector_in_one_peer_is_and_separate_peers_or() {
    let and = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: other}}\n      podSelector: {matchLabels: {app: web}}\n";
    assert_eq!(conn(and, "other/web", "app/db"), ALL);
    assert_eq!(conn(and, "other/client", "app/db"), NONE);
    assert_eq!(conn(and, "app/web", "app/db"), NONE);
    let or = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: other}}\n    - podSelector: {matchLabels: {app: web}}\n";
    assert_eq!(conn(or, "other/client", "app/db"), ALL);
    assert_eq!(conn(or, "app/web", "app/db"), ALL);
}

#[test]
fn all_namespaces_and_all_pods_is_every_pod_but_no_external_address() {
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {}\n      podSelector: {}\n";
    assert_eq!(conn(p, "other/client", "app/db"), ALL);
    assert_eq!(conn(p, "203.0.113.9", "app/db"), NONE);
}

#[test]
fn match_expressions_operators() {
    let p = |op: &str, values: &str| {
        format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: app}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  ingress:\n  - from:\n    - podSelector:\n        matchExpressions: [{{key: tier, operator: {op}{values}}}]\n")
    };
    assert_eq!(conn(&p("Exists", ""), "app/web", "app/db"), ALL);
    assert_eq!(conn(&p("DoesNotExist", ""), "app/web", "app/db"), NONE);
    assert_eq!(
        conn(&p("In", ", values: [front]"), "app/web", "app/db"),
        ALL
    );
    assert_eq!(
        conn(&p("NotIn", ", values: [front]"), "app/web", "app/db"),
        NONE
    );
    // An unknown operator selects nothing (the API server would reject it) and is reported.
    let bad = p("Matches", ", values: [front]");
    assert_eq!(conn(&bad, "app/web", "app/db"), NONE);
    assert_eq!(model(&bad).warnings.len(), 1);
}

#[test]
fn ip_block_except_and_additive_re_allow() {
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}\n";
    assert_eq!(conn(p, "app/web", "10.2.3.4"), ALL);
    assert_eq!(conn(p, "app/web", "10.1.3.4"), NONE);
    assert_eq!(conn(p, "app/web", "8.8.8.8"), NONE);
    // ipBlock never matches pods.
    assert_eq!(conn(p, "app/web", "app/db"), NONE);
    let again = format!("{p}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: q, namespace: app}}\nspec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock: {{cidr: 10.1.2.0/24}}\n");
    assert_eq!(conn(&again, "app/web", "10.1.2.4"), ALL);
    assert_eq!(conn(&again, "app/web", "10.1.3.4"), NONE);
}

#[test]
fn named_ports_resolve_per_destination_pod() {
    // `http` is 8080 on web and 9090 on db.
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: http}]}]\n";
    assert_eq!(conn(p, "other/client", "app/web"), "TCP 8080");
    assert_eq!(conn(p, "other/client", "app/db"), "TCP 9090");
    // Egress: resolved on the peer; a named port never matches an address.
    let e = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: other}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{ports: [{port: pg}]}]\n";
    assert_eq!(conn(e, "other/client", "app/db"), "TCP 5432");
    assert_eq!(conn(e, "other/client", "app/web"), NONE);
    assert_eq!(conn(e, "other/client", "8.8.8.8"), NONE);
    // A named port of the wrong protocol does not match.
    let u = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: http, protocol: UDP}]}]\n";
    assert_eq!(conn(u, "other/client", "app/web"), NONE);
}

#[test]
fn end_port_is_an_inclusive_range() {
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 32000, endPort: 32768}, {port: 53, protocol: UDP}]}]\n";
    assert_eq!(conn(p, "other/client", "app/web"), "TCP 32000-32768,UDP 53");
}

#[test]
fn both_sides_must_allow() {
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: out, namespace: other}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{ports: [{port: 8080}, {port: 9090}]}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: in, namespace: app}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 8080}, {port: 7000}]}]\n";
    assert_eq!(conn(p, "other/client", "app/web"), "TCP 8080");
}

#[test]
fn host_network_pods_are_out_of_scope_and_listed() {
    let p = "apiVersion: v1\nkind: Pod\nmetadata: {name: node-agent, namespace: app}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: agent}]\n";
    let m = model(p);
    assert!(find_endpoint(&m, "app/node-agent").is_err());
    assert_eq!(m.out_of_scope.len(), 1);
    assert!(m.out_of_scope[0].1.contains("hostNetwork"));
}

const ANP: &str = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n";

#[test]
fn admin_network_policy_priority_and_actions() {
    // Deny at priority 10 beats Allow at priority 20.
    let p = format!("{ANP}metadata: {{name: deny}}\nspec:\n  priority: 10\n  subject: {{namespaces: {{matchLabels: {{team: app}}}}}}\n  ingress:\n  - {{name: no-other, action: Deny, from: [{{namespaces: {{matchLabels: {{team: other}}}}}}]}}\n---\n{ANP}metadata: {{name: allow}}\nspec:\n  priority: 20\n  subject: {{namespaces: {{matchLabels: {{team: app}}}}}}\n  ingress:\n  - {{name: all, action: Allow, from: [{{namespaces: {{}}}}]}}\n");
    assert_eq!(conn(&p, "other/client", "app/db"), NONE);
    assert_eq!(conn(&p, "app/web", "app/db"), ALL);
    // An ANP Allow overrides a NetworkPolicy that isolates.
    let q = format!("{ANP}metadata: {{name: allow}}\nspec:\n  priority: 5\n  subject: {{namespaces: {{}}}}\n  ingress:\n  - {{name: monitoring, action: Allow, from: [{{namespaces: {{matchLabels: {{team: other}}}}}}], ports: [{{portNumber: {{protocol: TCP, port: 9090}}}}]}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny, namespace: app}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress]\n");
    assert_eq!(conn(&q, "other/client", "app/db"), "TCP 9090");
    // Pass hands the decision to the NetworkPolicies.
    let r = format!("{ANP}metadata: {{name: pass}}\nspec:\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  ingress:\n  - {{name: pass, action: Pass, from: [{{namespaces: {{}}}}]}}\n---\n{ANP}metadata: {{name: deny}}\nspec:\n  priority: 2\n  subject: {{namespaces: {{}}}}\n  ingress:\n  - {{name: deny, action: Deny, from: [{{namespaces: {{}}}}]}}\n");
    assert_eq!(conn(&r, "other/client", "app/db"), ALL);
}

#[test]
fn baseline_applies_only_where_no_network_policy_selects() {
    let banp = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {namespaces: {}}\n  ingress:\n  - {name: deny-all, action: Deny, from: [{namespaces: {}}]}\n";
    assert_eq!(conn(banp, "other/client", "app/db"), NONE);
    let with_np = format!("{banp}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: allow, namespace: app}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  ingress: [{{ports: [{{port: 5432}}]}}]\n");
    assert_eq!(conn(&with_np, "other/client", "app/db"), "TCP 5432");
    assert_eq!(conn(&with_np, "other/client", "app/web"), NONE);
}

const CALICO: &str = "apiVersion: projectcalico.org/v3\n";

#[test]
fn calico_order_deny_before_allow_and_first_match_wins() {
    let p = format!("{CALICO}kind: NetworkPolicy\nmetadata: {{name: deny-client, namespace: app}}\nspec:\n  order: 100\n  selector: app == 'db'\n  ingress:\n  - action: Deny\n    source: {{namespaceSelector: team == 'other'}}\n---\n{CALICO}kind: NetworkPolicy\nmetadata: {{name: allow-all, namespace: app}}\nspec:\n  order: 200\n  selector: app == 'db'\n  ingress:\n  - action: Allow\n");
    assert_eq!(conn(&p, "other/client", "app/db"), NONE);
    assert_eq!(conn(&p, "app/web", "app/db"), ALL);
    // Swap the orders: the Allow now comes first.
    let q = p.replace("order: 100", "order: 300");
    assert_eq!(conn(&q, "other/client", "app/db"), ALL);
    // A Kubernetes NetworkPolicy has order 1000: a Calico Deny at 100 overrides its Allow.
    let k = format!("{CALICO}kind: GlobalNetworkPolicy\nmetadata: {{name: deny-5432}}\nspec:\n  order: 100\n  selector: app == 'db'\n  ingress:\n  - action: Deny\n    protocol: TCP\n    destination: {{ports: [5432]}}\n  - action: Pass\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: allow, namespace: app}}\nspec:\n  podSelector: {{}}\n  ingress: [{{}}]\n");
    assert_eq!(
        conn(&k, "other/client", "app/db"),
        "SCTP 1-65535,TCP 1-5431,5433-65535,UDP 1-65535"
    );
}

#[test]
fn calico_pass_log_and_end_of_tier_deny() {
    // Log does not decide; no rule matches after it: a selected endpoint is denied at the end of the tier.
    let p = format!("{CALICO}kind: NetworkPolicy\nmetadata: {{name: log, namespace: app}}\nspec:\n  selector: app == 'db'\n  ingress:\n  - action: Log\n  - action: Allow\n    source: {{selector: app == 'web'}}\n");
    assert_eq!(conn(&p, "app/web", "app/db"), ALL);
    assert_eq!(conn(&p, "other/client", "app/db"), NONE);
    // Pass skips the rest of the tier; with no later layer the traffic is allowed.
    let q = format!("{CALICO}kind: NetworkPolicy\nmetadata: {{name: pass, namespace: app}}\nspec:\n  order: 1\n  selector: all()\n  ingress:\n  - action: Pass\n    source: {{namespaceSelector: team == 'other'}}\n---\n{CALICO}kind: NetworkPolicy\nmetadata: {{name: deny, namespace: app}}\nspec:\n  order: 2\n  selector: all()\n  ingress:\n  - action: Deny\n");
    assert_eq!(conn(&q, "other/client", "app/db"), ALL);
    assert_eq!(conn(&q, "app/web", "app/db"), NONE);
}

#[test]
fn calico_nets_selectors_and_types_defaulting() {
    let p = format!("{CALICO}kind: GlobalNetworkPolicy\nmetadata: {{name: egress}}\nspec:\n  selector: app == 'web' && !has(tier)\n  egress:\n  - action: Allow\n    destination: {{nets: [198.51.100.0/24]}}\n  - action: Allow\n    protocol: UDP\n    destination: {{selector: app == 'db', ports: ['53:54']}}\n");
    // Only egress rules: the policy is egress-only (Calico defaulting), selecting other/web but not app/web.
    assert_eq!(conn(&p, "other/web", "198.51.100.7"), ALL);
    assert_eq!(conn(&p, "other/web", "203.0.113.7"), NONE);
    assert_eq!(conn(&p, "other/web", "app/db"), "UDP 53-54");
    assert_eq!(conn(&p, "app/web", "203.0.113.7"), ALL);
    assert_eq!(conn(&p, "app/db", "other/web"), ALL);
}

#[test]
fn future_pods_admitted_by_a_selector_are_represented() {
    // No existing pod has role=admin and no namespace has env=ops, but any pod created with those labels is
    // admitted: the proof must consider it.
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {env: ops}}\n      podSelector:\n        matchExpressions: [{key: role, operator: In, values: [admin]}, {key: debug, operator: DoesNotExist}]\n";
    let sources = vec![Source::new("t.yaml", format!("{BASE}---\n{p}"))];
    let (objects, _, _) = load(&sources);
    let inv = Inventory::new(sources, objects);
    let m = build(
        &inv,
        &Options {
            representatives: true,
            ..Options::default()
        },
    );
    let rep = find_endpoint(&m, "(new namespace env=ops)/(new pod role=admin)").unwrap();
    let db = find_endpoint(&m, "app/db").unwrap();
    let mut e = Engine::new(&m);
    let id = e.allowed(rep, db);
    assert_eq!(e.conn(id).to_string(), ALL);
    // The unlabelled stand-in of that namespace is not admitted.
    let plain = find_endpoint(&m, "(new namespace)/(any new unlabelled pod)").unwrap();
    let id = e.allowed(plain, db);
    assert_eq!(e.conn(id).to_string(), NONE);
}

#[test]
fn out_of_range_ports_select_nothing() {
    let p = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 4294967376}, {port: 70000, endPort: 70010}]}]\n";
    assert_eq!(conn(p, "other/client", "app/web"), NONE);
}

#[test]
fn admin_pass_without_network_policy_falls_to_the_baseline() {
    let p = format!("{ANP}metadata: {{name: pass}}\nspec:\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  ingress:\n  - {{name: pass, action: Pass, from: [{{namespaces: {{matchLabels: {{team: other}}}}}}]}}\n---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {{name: default}}\nspec:\n  subject: {{namespaces: {{}}}}\n  ingress:\n  - {{name: deny, action: Deny, from: [{{namespaces: {{matchLabels: {{team: other}}}}}}]}}\n");
    // Passed, no NetworkPolicy selects app/db, so the baseline denies.
    assert_eq!(conn(&p, "other/client", "app/db"), NONE);
    // Passed to a NetworkPolicy that allows: the baseline is never reached.
    let q = format!("{p}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: allow, namespace: app}}\nspec:\n  podSelector: {{}}\n  ingress: [{{}}]\n");
    assert_eq!(conn(&q, "other/client", "app/db"), ALL);
}

#[test]
fn calico_global_policy_namespace_selector() {
    let p = format!("{CALICO}kind: GlobalNetworkPolicy\nmetadata: {{name: other-isolated}}\nspec:\n  namespaceSelector: team == 'other'\n  selector: all()\n  types: [Ingress]\n  ingress:\n  - action: Allow\n    source:\n      namespaceSelector: projectcalico.org/name == 'app'\n      selector: app == 'web'\n");
    assert_eq!(conn(&p, "app/web", "other/client"), ALL);
    assert_eq!(conn(&p, "app/db", "other/client"), NONE);
    // Pods of the app namespace are not selected.
    assert_eq!(conn(&p, "other/client", "app/db"), ALL);
}
