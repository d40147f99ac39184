//! The RBAC engine against what the Kubernetes RBAC authorizer answers.
//!
//! Expected answers come from the upstream semantics, restated here in our own words:
//! - rule matching: kubernetes/kubernetes `pkg/apis/rbac/v1/evaluation_helpers.go` (`VerbMatches`,
//!   `APIGroupMatches`, `ResourceMatches`, `ResourceNameMatches`, `NonResourceURLMatches`) and the cases of
//!   `TestRuleMatches` in `plugin/pkg/auth/authorizer/rbac/rbac_test.go` (star verb/group/resource, `*/scale`
//!   subresource expansion, `/foo/*` non-resource prefixes, exact non-resource paths);
//! - subjects and namespace scoping: `plugin/pkg/auth/authorizer/rbac/subject_locator.go` / `rbac.go`
//!   (`appliesToUser`: users by name, groups by membership, service accounts as
//!   `system:serviceaccount:<ns>:<name>` with the binding's namespace when the subject has none; RoleBindings only
//!   for requests in their namespace, ClusterRoleBindings for all) and `TestAuthorizer` there;
//! - aggregation: `pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go` (per selector, the
//!   matching ClusterRoles sorted by name, the role itself skipped, rules appended unless already present, manual
//!   rules replaced) and the cases of its `TestSyncClusterRole`;
//! - the bootstrap roles: `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go` (view has no secrets, edit
//!   reads secrets and execs, admin adds roles and rolebindings, system:masters is bound to cluster-admin).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use phiguard_core::engine::load;
use phiguard_core::inventory::Inventory;
use phiguard_core::rbac::matching::{parse_target, rule_allows, RuleSpec, Target};
use phiguard_core::rbac::powers::powers_of;
use phiguard_core::rbac::{Identity, Model, QueryScope, Request, SubjectKind, SubjectRef};
use phiguard_core::Source;

fn inventory(yaml: &str) -> Inventory {
    let sources = vec![Source::new("test.yaml", yaml.to_string())];
    let (objects, errors, _) = load(&sources);
    assert!(errors.is_empty(), "{errors:?}");
    Inventory::new(sources, objects)
}

fn model(yaml: &str) -> Model {
    Model::build(&inventory(yaml))
}

fn rule(
    verbs: &[&str],
    groups: &[&str],
    resources: &[&str],
    names: &[&str],
    urls: &[&str],
) -> RuleSpec {
    let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
    RuleSpec {
        verbs: v(verbs),
        api_groups: v(groups),
        resources: v(resources),
        resource_names: v(names),
        non_resource_urls: v(urls),
    }
}

fn res(group: &str, resource: &str, sub: &str, name: &str) -> Target {
    Target::Resource {
        api_group: group.into(),
        resource: resource.into(),
        subresource: sub.into(),
        name: name.into(),
    }
}

fn url(path: &str) -> Target {
    Target::NonResource { path: path.into() }
}

#[test]
fn rule_matching_follows_the_authorizer() {
    // (case, rule, verb, target, allowed)
    let cases: Vec<(&str, RuleSpec, &str, Target, bool)> = vec![
        // Wildcards.
        (
            "star verb",
            rule(&["*"], &["g1"], &["r1"], &[], &[]),
            "get",
            res("g1", "r1", "", ""),
            true,
        ),
        (
            "star verb, other group",
            rule(&["*"], &["g1"], &["r1"], &[], &[]),
            "get",
            res("g2", "r1", "", ""),
            false,
        ),
        (
            "star verb, other resource",
            rule(&["*"], &["g1"], &["r1"], &[], &[]),
            "get",
            res("g1", "r2", "", ""),
            false,
        ),
        (
            "star group",
            rule(&["get"], &["*"], &["r1"], &[], &[]),
            "get",
            res("any.example.com", "r1", "", ""),
            true,
        ),
        (
            "star group, other verb",
            rule(&["get"], &["*"], &["r1"], &[], &[]),
            "list",
            res("g1", "r1", "", ""),
            false,
        ),
        (
            "star resource",
            rule(&["get"], &["g1"], &["*"], &[], &[]),
            "get",
            res("g1", "anything", "", ""),
            true,
        ),
        (
            "star resource covers subresources",
            rule(&["get"], &["g1"], &["*"], &[], &[]),
            "get",
            res("g1", "pods", "exec", ""),
            true,
        ),
        (
            "core group is the empty string",
            rule(&["get"], &[""], &["secrets"], &[], &[]),
            "get",
            res("", "secrets", "", ""),
            true,
        ),
        (
            "core group rule, other group",
            rule(&["get"], &[""], &["secrets"], &[], &[]),
            "get",
            res("external-secrets.io", "secrets", "", ""),
            false,
        ),
        (
            "verbs are case-sensitive",
            rule(&["GET"], &[""], &["secrets"], &[], &[]),
            "get",
            res("", "secrets", "", ""),
            false,
        ),
        (
            "empty verbs match nothing",
            rule(&[], &["*"], &["*"], &[], &[]),
            "get",
            res("", "pods", "", ""),
            false,
        ),
        // Subresources.
        (
            "resource does not cover its subresource",
            rule(&["create"], &[""], &["pods"], &[], &[]),
            "create",
            res("", "pods", "exec", ""),
            false,
        ),
        (
            "exact subresource",
            rule(&["create"], &[""], &["pods/exec"], &[], &[]),
            "create",
            res("", "pods", "exec", ""),
            true,
        ),
        (
            "subresource does not cover the resource",
            rule(&["get"], &[""], &["pods/exec"], &[], &[]),
            "get",
            res("", "pods", "", ""),
            false,
        ),
        (
            "*/scale on any resource",
            rule(&["update"], &["*"], &["*/scale"], &[], &[]),
            "update",
            res("apps", "deployments", "scale", ""),
            true,
        ),
        (
            "*/scale, other subresource",
            rule(&["update"], &["*"], &["*/scale"], &[], &[]),
            "update",
            res("apps", "deployments", "status", ""),
            false,
        ),
        (
            "*/scale, no subresource",
            rule(&["update"], &["*"], &["*/scale"], &[], &[]),
            "update",
            res("apps", "deployments", "", ""),
            false,
        ),
        (
            "pods/* is not a wildcard",
            rule(&["create"], &[""], &["pods/*"], &[], &[]),
            "create",
            res("", "pods", "exec", ""),
            false,
        ),
        (
            "other resource's subresource",
            rule(&["get"], &[""], &["nodes/proxy"], &[], &[]),
            "get",
            res("", "services", "proxy", ""),
            false,
        ),
        // resourceNames.
        (
            "named object",
            rule(&["get"], &[""], &["secrets"], &["tls"], &[]),
            "get",
            res("", "secrets", "", "tls"),
            true,
        ),
        (
            "other name",
            rule(&["get"], &[""], &["secrets"], &["tls"], &[]),
            "get",
            res("", "secrets", "", "db"),
            false,
        ),
        (
            "list has no name",
            rule(&["list"], &[""], &["secrets"], &["tls"], &[]),
            "list",
            res("", "secrets", "", ""),
            false,
        ),
        (
            "no names means all names",
            rule(&["get"], &[""], &["secrets"], &[], &[]),
            "get",
            res("", "secrets", "", "db"),
            true,
        ),
        (
            "name on a subresource",
            rule(&["create"], &[""], &["pods/exec"], &["web-0"], &[]),
            "create",
            res("", "pods", "exec", "web-0"),
            true,
        ),
        // Non-resource URLs.
        (
            "star URL",
            rule(&["get"], &[], &[], &[], &["*"]),
            "get",
            url("/foo/bar"),
            true,
        ),
        (
            "exact URL",
            rule(&["get"], &[], &[], &[], &["/healthz"]),
            "get",
            url("/healthz"),
            true,
        ),
        (
            "exact URL is not a prefix",
            rule(&["get"], &[], &[], &[], &["/healthz"]),
            "get",
            url("/healthz/etcd"),
            false,
        ),
        (
            "prefix URL",
            rule(&["get"], &[], &[], &[], &["/foo/*"]),
            "get",
            url("/foo/bar/baz"),
            true,
        ),
        (
            "prefix URL needs the slash",
            rule(&["get"], &[], &[], &[], &["/foo/*"]),
            "get",
            url("/foo"),
            false,
        ),
        (
            "prefix URL, other path",
            rule(&["get"], &[], &[], &[], &["/foo/*"]),
            "get",
            url("/bar/x"),
            false,
        ),
        (
            "URL rule, other verb",
            rule(&["get"], &[], &[], &[], &["*"]),
            "post",
            url("/foo"),
            false,
        ),
        (
            "resource rule never matches a URL",
            rule(&["*"], &["*"], &["*"], &[], &[]),
            "get",
            url("/healthz"),
            false,
        ),
        (
            "URL rule never matches a resource",
            rule(&["*"], &[], &[], &[], &["*"]),
            "get",
            res("", "pods", "", ""),
            false,
        ),
    ];
    let mut failures = Vec::new();
    for (case, r, verb, target, want) in &cases {
        if rule_allows(r, verb, target) != *want {
            failures.push(format!("{case}: expected {want}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

const AGGREGATION: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring
aggregationRule:
  clusterRoleSelectors:
    - matchLabels:
        example.com/aggregate-to-monitoring: "true"
    - matchExpressions:
        - {key: example.com/tier, operator: In, values: [metrics]}
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: b-pods
  labels:
    example.com/aggregate-to-monitoring: "true"
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: a-services
  labels:
    example.com/aggregate-to-monitoring: "true"
rules:
  - apiGroups: [""]
    resources: ["services"]
    verbs: ["list"]
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: exporter
  labels:
    example.com/tier: metrics
rules:
  - nonResourceURLs: ["/metrics"]
    verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: unlabelled
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: extra-view
  labels:
    rbac.authorization.k8s.io/aggregate-to-view: "true"
rules:
  - apiGroups: ["example.com"]
    resources: ["widgets"]
    verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: monitoring
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}
subjects:
  - {kind: ServiceAccount, name: prometheus, namespace: monitoring}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: admins
  namespace: clinic
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects:
  - {kind: User, name: alice}
"#;

fn user(name: &str) -> Identity {
    Identity::of(&SubjectRef {
        kind: SubjectKind::User,
        name: name.into(),
        namespace: None,
    })
}

fn sa(ns: &str, name: &str) -> Identity {
    Identity::of(&SubjectRef {
        kind: SubjectKind::ServiceAccount,
        name: name.into(),
        namespace: Some(ns.into()),
    })
}

fn group(name: &str) -> Identity {
    Identity::of(&SubjectRef {
        kind: SubjectKind::Group,
        name: name.into(),
        namespace: None,
    })
}

fn can(
    m: &Model,
    who: &Identity,
    verb: &str,
    resource: &str,
    ns: Option<&str>,
    name: Option<&str>,
) -> bool {
    let target = parse_target(resource, name).unwrap();
    m.allows(
        who,
        &Request {
            verb: verb.into(),
            target,
            namespace: ns.map(str::to_string),
        },
    )
    .is_some()
}

#[test]
fn aggregation_is_computed_like_the_controller() {
    let m = model(AGGREGATION);
    let role = m
        .role(
            phiguard_core::rbac::RoleKind::ClusterRole,
            None,
            "monitoring",
        )
        .unwrap();
    // Selectors in order, matches sorted by name, duplicates dropped, own rules replaced.
    assert_eq!(
        role.aggregated_from,
        vec!["a-services", "b-pods", "exporter"]
    );
    let rules: Vec<&str> = role
        .rules
        .iter()
        .map(|&r| m.rules[r].role.as_str())
        .collect();
    assert_eq!(
        rules,
        vec![
            "ClusterRole \"a-services\"",
            "ClusterRole \"a-services\"",
            "ClusterRole \"exporter\""
        ]
    );
    let prom = sa("monitoring", "prometheus");
    let cases = [
        ("list", "services", Some("any"), true),
        ("get", "pods", Some("any"), true),
        ("get", "/metrics", None, true),
        // The aggregated role's own rule is overwritten by the controller.
        ("get", "secrets", Some("any"), false),
        ("list", "configmaps", Some("any"), false),
    ];
    for (verb, resource, ns, want) in cases {
        assert_eq!(
            can(&m, &prom, verb, resource, ns, None),
            want,
            "{verb} {resource}"
        );
    }
    // A labelled ClusterRole widens the bootstrap view, and through edit the admin role bound to alice.
    let alice = user("alice");
    assert!(can(
        &m,
        &alice,
        "get",
        "widgets.example.com",
        Some("clinic"),
        None
    ));
    assert!(!can(
        &m,
        &alice,
        "get",
        "widgets.example.com",
        Some("other"),
        None
    ));
}

const SCOPING: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
  namespace: ns1
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reader
  namespace: ns1
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
  - {kind: User, name: bob}
  - {kind: ServiceAccount, name: builder}
  - {kind: ServiceAccount, name: robot, namespace: ns2}
  - {kind: Group, name: "system:serviceaccounts:ns3"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: view-in-ns2
  namespace: ns2
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: Group, name: auditors}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: wrong-namespace-role
  namespace: ns2
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
  - {kind: User, name: carol}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: all-sa-view
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
  - {kind: Group, name: "system:serviceaccounts:ci"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: everyone-nodes
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
subjects:
  - {kind: Group, name: "system:authenticated"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: node-reader
rules:
  - apiGroups: [""]
    resources: ["nodes"]
    verbs: ["list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: crb-like
  namespace: ns1
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
subjects:
  - {kind: Group, name: node-team}
"#;

/// (case, identity, verb, resource, namespace, allowed)
type AccessCase = (
    &'static str,
    Identity,
    &'static str,
    &'static str,
    Option<&'static str>,
    bool,
);

#[test]
fn subjects_and_namespaces_scope_grants_like_the_authorizer() {
    let m = model(SCOPING);
    // (case, identity, verb, resource, namespace, allowed)
    let cases: Vec<AccessCase> = vec![
        (
            "user in the binding's namespace",
            user("bob"),
            "get",
            "pods",
            Some("ns1"),
            true,
        ),
        (
            "user in another namespace",
            user("bob"),
            "get",
            "pods",
            Some("ns2"),
            false,
        ),
        (
            "user, verb not granted",
            user("bob"),
            "list",
            "pods",
            Some("ns1"),
            false,
        ),
        (
            "user, cluster-scoped request",
            user("bob"),
            "get",
            "pods",
            None,
            false,
        ),
        (
            "SA without namespace takes the binding's",
            sa("ns1", "builder"),
            "get",
            "pods",
            Some("ns1"),
            true,
        ),
        (
            "same SA name elsewhere",
            sa("ns2", "builder"),
            "get",
            "pods",
            Some("ns1"),
            false,
        ),
        (
            "SA of another namespace, bound in ns1",
            sa("ns2", "robot"),
            "get",
            "pods",
            Some("ns1"),
            true,
        ),
        (
            "that SA in its own namespace",
            sa("ns2", "robot"),
            "get",
            "pods",
            Some("ns2"),
            false,
        ),
        (
            "SA through its namespace group",
            sa("ns3", "anything"),
            "get",
            "pods",
            Some("ns1"),
            true,
        ),
        (
            "group itself",
            group("system:serviceaccounts:ns3"),
            "get",
            "pods",
            Some("ns1"),
            true,
        ),
        (
            "user is not in SA groups",
            user("system:serviceaccounts:ns3"),
            "get",
            "pods",
            Some("ns1"),
            false,
        ),
        (
            "ClusterRole bound in one namespace",
            group("auditors"),
            "list",
            "deployments",
            Some("ns2"),
            true,
        ),
        (
            "... not in another",
            group("auditors"),
            "list",
            "deployments",
            Some("ns1"),
            false,
        ),
        (
            "view has no secrets",
            group("auditors"),
            "get",
            "secrets",
            Some("ns2"),
            false,
        ),
        (
            "RoleBinding to a Role of another namespace grants nothing",
            user("carol"),
            "get",
            "pods",
            Some("ns2"),
            false,
        ),
        (
            "ClusterRoleBinding to a namespace group: edit anywhere",
            sa("ci", "deployer"),
            "get",
            "secrets",
            Some("prod"),
            true,
        ),
        (
            "edit: exec",
            sa("ci", "deployer"),
            "create",
            "pods/exec",
            Some("prod"),
            true,
        ),
        (
            "edit cannot write roles",
            sa("ci", "deployer"),
            "create",
            "roles",
            Some("prod"),
            false,
        ),
        (
            "other namespace's SA",
            sa("dev", "deployer"),
            "get",
            "secrets",
            Some("prod"),
            false,
        ),
        (
            "every authenticated user",
            user("eve"),
            "list",
            "nodes",
            None,
            true,
        ),
        (
            "every SA is authenticated",
            sa("x", "y"),
            "list",
            "nodes",
            None,
            true,
        ),
        (
            "anonymous is not authenticated",
            user("system:anonymous"),
            "list",
            "nodes",
            None,
            false,
        ),
        (
            "RoleBinding cannot grant cluster-scoped nodes",
            group("node-team"),
            "list",
            "nodes",
            None,
            false,
        ),
        (
            "system:masters via the bootstrap binding",
            group("system:masters"),
            "delete",
            "nodes",
            None,
            true,
        ),
        (
            "system:masters, URL",
            group("system:masters"),
            "get",
            "/metrics",
            None,
            true,
        ),
        (
            "discovery for the authenticated",
            user("eve"),
            "get",
            "/apis/apps",
            None,
            true,
        ),
        (
            "public info for the anonymous",
            user("system:anonymous"),
            "get",
            "/version",
            None,
            true,
        ),
        (
            "no discovery for the anonymous",
            user("system:anonymous"),
            "get",
            "/api",
            None,
            false,
        ),
    ];
    let mut failures = Vec::new();
    for (case, who, verb, resource, ns, want) in &cases {
        if can(&m, who, verb, resource, *ns, None) != *want {
            failures.push(format!("{case}: expected {want}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(m
        .problems
        .iter()
        .any(|p| p.message.contains("wrong-namespace-role")));
}

#[test]
fn resource_names_limit_named_requests_only() {
    let m = model(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: tls, namespace: web}
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: ["web-tls"]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: tls, namespace: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: tls}
subjects: [{kind: ServiceAccount, name: web}]
"#,
    );
    let web = sa("web", "web");
    assert!(can(
        &m,
        &web,
        "get",
        "secrets",
        Some("web"),
        Some("web-tls")
    ));
    assert!(!can(&m, &web, "get", "secrets", Some("web"), Some("db")));
    assert!(!can(&m, &web, "list", "secrets", Some("web"), None));
    assert!(!can(&m, &web, "get", "secrets", Some("web"), None));
    // The power is reported, limited to the name.
    let held = powers_of(&m, &web);
    let read = held.iter().find(|h| h.power.id == "read-secrets").unwrap();
    assert_eq!(read.only_names, vec!["web-tls"]);
    assert_eq!(read.namespace.as_deref(), Some("web"));
}

#[test]
fn who_can_lists_binding_subjects_with_their_rule() {
    let m = model(SCOPING);
    let target = parse_target("secrets", None).unwrap();
    let grants = m.who_can("get", &target, &QueryScope::Namespace("prod".into()));
    let who: Vec<String> = grants
        .iter()
        .map(|g| m.bindings[g.binding].subjects[g.subject].subject.describe())
        .collect();
    assert_eq!(
        who,
        vec![
            // The bootstrap system:kube-controller-manager role has get on secrets.
            "User \"system:kube-controller-manager\"",
            "Group \"system:masters\"",
            "Group \"system:serviceaccounts:ci\""
        ]
    );
    let ci = &grants[2];
    let rule = &m.rules[ci.rule];
    assert_eq!(rule.role, "ClusterRole \"system:aggregate-to-edit\"");
    assert_eq!(rule.loc.file, phiguard_core::rbac::BOOTSTRAP_SOURCE);
    // `name: all-sa-view` of the ClusterRoleBinding.
    assert_eq!(m.bindings[ci.binding].loc.line, 45);
    assert_eq!(m.bindings[ci.binding].loc.file, "test.yaml");
}

#[test]
fn powers_are_derived_with_reasons() {
    let m = model(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ops}
rules:
  - apiGroups: [""]
    resources: ["nodes/proxy"]
    verbs: ["get"]
  - apiGroups: [""]
    resources: ["pods/exec"]
    verbs: ["get"]
  - apiGroups: ["certificates.k8s.io"]
    resources: ["certificatesigningrequests/approval"]
    verbs: ["update"]
  - apiGroups: ["networking.k8s.io"]
    resources: ["networkpolicies"]
    verbs: ["delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ops}
subjects: [{kind: User, name: ops}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ns-admin, namespace: clinic}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: User, name: ops}]
"#,
    );
    let held = powers_of(&m, &user("ops"));
    let ids: Vec<(&str, Option<&str>)> = held
        .iter()
        .map(|h| (h.power.id, h.namespace.as_deref()))
        .collect();
    // nodes/proxy get and pods/exec get count; CSR approval needs approve on signers too; admin in clinic adds
    // secrets, workloads, tokens, events and labels there (not PersistentVolumes: cluster-scoped).
    assert_eq!(
        ids,
        vec![
            ("read-secrets", Some("clinic")),
            ("exec", None),
            ("create-workloads", Some("clinic")),
            ("impersonate", Some("clinic")),
            ("nodes-proxy", None),
            ("serviceaccount-token", Some("clinic")),
            ("delete-evidence", Some("clinic")),
            ("modify-network-policies", None),
            ("relabel", Some("clinic")),
        ]
    );
    for h in &held {
        assert!(!h.power.reason.is_empty());
        assert!(!h.evidence.is_empty());
    }
}
