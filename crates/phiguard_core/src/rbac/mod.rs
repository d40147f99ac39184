//! Effective RBAC permissions computed from manifests, as the Kubernetes RBAC authorizer would decide them.
//!
//! [`Model::build`] collects Roles, ClusterRoles (filling aggregated ClusterRoles from the labels of the others, as
//! the aggregation controller does), RoleBindings and ClusterRoleBindings from an inventory, adds the Kubernetes
//! bootstrap ClusterRoles and ClusterRoleBindings that the manifests do not define themselves, and indexes bindings
//! by namespace. Queries:
//! - [`Model::who_can`]: which subjects a request is allowed for, each with the binding and rule that allow it;
//! - [`Model::bindings_of`]: every binding that applies to an identity (user, group, service account, with the
//!   groups every authenticated user and service account implicitly belongs to);
//! - [`powers`]: derived powers (read secrets, exec, create workloads, escalate, ...) of an identity, by scope.
//!
//! Every grant keeps the file and line of the binding subject and of the rule item, so answers can be cited.

pub mod matching;
pub mod powers;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use crate::inventory::{label_selector_matches, Inventory, ObjectId};
use crate::source::{parse_source, Object, Source};
use crate::yaml::{Node, Pos};

pub use matching::{Request, RuleSpec, Target};

/// The name under which the embedded bootstrap policy is cited.
pub const BOOTSTRAP_SOURCE: &str = "builtin:kubernetes-bootstrap-rbac.yaml";

const BOOTSTRAP_TEXT: &str = include_str!("bootstrap.yaml");

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// The embedded bootstrap objects, parsed once.
fn bootstrap_objects() -> &'static [Object] {
    static OBJECTS: OnceLock<Vec<Object>> = OnceLock::new();
    OBJECTS.get_or_init(|| {
        let source = Source::new(BOOTSTRAP_SOURCE, BOOTSTRAP_TEXT.to_string());
        parse_source(usize::MAX, &source).objects
    })
}

/// A file position for citations.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Loc {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

impl Loc {
    pub fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.column,
        }
    }
}

/// One rule item of a Role or ClusterRole, where it was written.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RuleDef {
    pub spec: RuleSpec,
    /// `ClusterRole "view"`: the role that wrote the rule (for aggregated roles, the role it came from).
    pub role: String,
    /// Index of the item in that role's `rules`.
    pub index: usize,
    pub loc: Loc,
    /// The manifest object that holds the rule; `None` for the bootstrap policy.
    #[serde(skip)]
    pub object: Option<ObjectId>,
}

impl RuleDef {
    /// `ClusterRole "view" rule 2 (file:line)`.
    pub fn cite(&self) -> String {
        format!("{} rule {} ({})", self.role, self.index, self.loc)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum RoleKind {
    Role,
    ClusterRole,
}

impl RoleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        }
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Role {
    pub kind: RoleKind,
    pub namespace: Option<String>,
    pub name: String,
    pub loc: Loc,
    /// The rules in effect (indices into [`Model::rules`]): the role's own, or for an aggregated ClusterRole
    /// the union of the rules of the ClusterRoles its selectors match.
    pub rules: Vec<usize>,
    /// For an aggregated ClusterRole: the ClusterRoles it aggregates, by name.
    pub aggregated_from: Vec<String>,
    pub bootstrap: bool,
    #[serde(skip)]
    pub object: Option<ObjectId>,
}

impl Role {
    pub fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} \"{}/{}\"", self.kind.as_str(), ns, self.name),
            None => format!("{} \"{}\"", self.kind.as_str(), self.name),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
}

impl SubjectKind {
    pub fn parse(s: &str) -> Option<SubjectKind> {
        match s.to_ascii_lowercase().as_str() {
            "user" => Some(SubjectKind::User),
            "group" => Some(SubjectKind::Group),
            "serviceaccount" | "sa" => Some(SubjectKind::ServiceAccount),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::ServiceAccount => "ServiceAccount",
        }
    }
}

/// A subject of a binding. For service accounts, `namespace` is resolved (the subject's own, else the
/// binding's, as the authorizer does).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct SubjectRef {
    pub kind: SubjectKind,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl SubjectRef {
    /// `User "alice"`, `ServiceAccount "ci/deployer"`.
    pub fn describe(&self) -> String {
        match (&self.namespace, self.kind) {
            (Some(ns), SubjectKind::ServiceAccount) => {
                format!("{} \"{}/{}\"", self.kind.as_str(), ns, self.name)
            }
            _ => format!("{} \"{}\"", self.kind.as_str(), self.name),
        }
    }

    /// The control plane's own identities: names starting with `system:` (except the catch-all groups, which
    /// stand for everyone and are never "system" in the sense of trusted), and service accounts of `kube-system`.
    pub fn is_system(&self) -> bool {
        if self.is_everyone() {
            return false;
        }
        self.name.starts_with("system:") || self.namespace.as_deref() == Some("kube-system")
    }

    /// Groups and users that stand for whole populations: anonymous requests, every authenticated user, every
    /// service account (of the cluster or of one namespace).
    pub fn is_everyone(&self) -> bool {
        match self.kind {
            SubjectKind::User => self.name == "system:anonymous",
            SubjectKind::Group => {
                matches!(
                    self.name.as_str(),
                    "system:authenticated" | "system:unauthenticated" | "system:serviceaccounts"
                ) || self.name.starts_with("system:serviceaccounts:")
            }
            SubjectKind::ServiceAccount => false,
        }
    }
}

/// A subject as written in a binding.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BindingSubject {
    pub subject: SubjectRef,
    /// Index in the binding's `subjects`.
    pub index: usize,
    pub loc: Loc,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Binding {
    /// `RoleBinding` or `ClusterRoleBinding`.
    pub kind: RoleKind,
    /// The namespace of a RoleBinding; `None` for a ClusterRoleBinding.
    pub namespace: Option<String>,
    pub name: String,
    pub loc: Loc,
    pub role_ref_kind: String,
    pub role_ref_name: String,
    pub role_ref_loc: Loc,
    /// The role it binds, when it is known.
    pub role: Option<usize>,
    pub subjects: Vec<BindingSubject>,
    pub bootstrap: bool,
    #[serde(skip)]
    pub object: Option<ObjectId>,
}

impl Binding {
    pub fn kind_str(&self) -> &'static str {
        match self.kind {
            RoleKind::Role => "RoleBinding",
            RoleKind::ClusterRole => "ClusterRoleBinding",
        }
    }
    /// `RoleBinding "ns/name"`.
    pub fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} \"{}/{}\"", self.kind_str(), ns, self.name),
            None => format!("{} \"{}\"", self.kind_str(), self.name),
        }
    }
}

/// Something the model could not resolve; answers stay correct for what was resolved.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Problem {
    pub loc: Loc,
    pub message: String,
}

/// Where a query looks.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryScope {
    /// Requests in one namespace: its RoleBindings and every ClusterRoleBinding.
    Namespace(String),
    /// Cluster-scoped requests (and non-resource URLs): ClusterRoleBindings only.
    Cluster,
    /// A namespaced resource in any namespace: every binding, each answer naming its namespace.
    AnyNamespace,
}

/// One answer of [`Model::who_can`]: a binding subject allowed by a rule of the bound role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    pub binding: usize,
    /// Index into the binding's `subjects`.
    pub subject: usize,
    pub rule: usize,
}

/// The identity a request is made as: a user name and its groups.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Identity {
    pub user: Option<String>,
    pub groups: Vec<String>,
}

impl Identity {
    /// The identity of a subject, with the groups the API server adds: every authenticated user is in
    /// `system:authenticated`; a service account is the user `system:serviceaccount:<ns>:<name>` in
    /// `system:serviceaccounts` and `system:serviceaccounts:<ns>` as well; `system:anonymous` is in
    /// `system:unauthenticated` only. A group is just itself.
    pub fn of(subject: &SubjectRef) -> Identity {
        match subject.kind {
            SubjectKind::User if subject.name == "system:anonymous" => Identity {
                user: Some(subject.name.clone()),
                groups: vec!["system:unauthenticated".to_string()],
            },
            SubjectKind::User => Identity {
                user: Some(subject.name.clone()),
                groups: vec!["system:authenticated".to_string()],
            },
            SubjectKind::Group => Identity {
                user: None,
                groups: vec![subject.name.clone()],
            },
            SubjectKind::ServiceAccount => {
                let ns = subject.namespace.clone().unwrap_or_default();
                Identity {
                    user: Some(format!("system:serviceaccount:{ns}:{}", subject.name)),
                    groups: vec![
                        "system:serviceaccounts".to_string(),
                        format!("system:serviceaccounts:{ns}"),
                        "system:authenticated".to_string(),
                    ],
                }
            }
        }
    }

    /// Whether a binding subject names this identity (the authorizer's subject matching).
    pub fn matches(&self, s: &SubjectRef) -> bool {
        match s.kind {
            SubjectKind::User => self.user.as_deref() == Some(s.name.as_str()),
            SubjectKind::Group => self.groups.contains(&s.name),
            SubjectKind::ServiceAccount => match (&s.namespace, &self.user) {
                (Some(ns), Some(user)) if !ns.is_empty() => {
                    *user == format!("system:serviceaccount:{ns}:{}", s.name)
                }
                _ => false,
            },
        }
    }
}

/// The RBAC objects of an inventory plus the bootstrap policy, resolved and indexed.
#[derive(Debug, Default, serde::Serialize)]
pub struct Model {
    pub rules: Vec<RuleDef>,
    pub roles: Vec<Role>,
    pub bindings: Vec<Binding>,
    pub problems: Vec<Problem>,
    #[serde(skip)]
    role_index: HashMap<(RoleKind, Option<String>, String), usize>,
    #[serde(skip)]
    cluster_bindings: Vec<usize>,
    #[serde(skip)]
    namespace_bindings: BTreeMap<String, Vec<usize>>,
    /// The namespace of namespaced objects that name none (`kubectl apply -n`).
    pub default_namespace: String,
}

/// How to build a [`Model`].
#[derive(Clone, Debug)]
pub struct Options {
    /// Add the Kubernetes bootstrap ClusterRoles and ClusterRoleBindings the inputs do not define.
    pub bootstrap: bool,
    /// The namespace for namespaced objects without one (default: `default`), as `kubectl apply -n` sets it.
    pub default_namespace: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            bootstrap: true,
            default_namespace: None,
        }
    }
}

fn strings(node: Option<&Node>) -> Vec<String> {
    node.map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .map(str::to_string)
        .collect()
}

fn loc_of(file: &str, node: &Node) -> Loc {
    let p = node.loc();
    Loc {
        file: file.to_string(),
        line: p.line,
        column: p.col,
    }
}

fn role_kind(kind: &str) -> Option<RoleKind> {
    match kind {
        "Role" | "RoleBinding" => Some(RoleKind::Role),
        "ClusterRole" | "ClusterRoleBinding" => Some(RoleKind::ClusterRole),
        _ => None,
    }
}

/// An object as the model reads it.
struct Input<'a> {
    object: &'a Object,
    id: Option<ObjectId>,
    file: &'a str,
}

impl Model {
    /// The model of an inventory's RBAC objects, completed by the bootstrap policy.
    pub fn build(inv: &Inventory) -> Model {
        Self::build_with(inv, &Options::default())
    }

    /// The model of an inventory's RBAC objects with options.
    pub fn build_with(inv: &Inventory, options: &Options) -> Model {
        let mut inputs: Vec<Input<'_>> = Vec::new();
        for (id, object) in inv.objects.iter().enumerate() {
            if object.group() == RBAC_GROUP && role_kind(object.kind()).is_some() {
                let file = inv.source_of(object).map(|s| s.name.as_str()).unwrap_or("");
                inputs.push(Input {
                    object,
                    id: Some(id),
                    file,
                });
            }
        }
        Self::from_inputs(inputs, options)
    }

    fn from_inputs(inputs: Vec<Input<'_>>, options: &Options) -> Model {
        let mut m = Model {
            default_namespace: options
                .default_namespace
                .clone()
                .unwrap_or_else(|| "default".to_string()),
            ..Model::default()
        };
        // Aggregated ClusterRoles: their selectors, resolved once every role is known.
        let mut aggregations: Vec<(usize, &Node)> = Vec::new();
        let mut binding_inputs: Vec<(Input<'_>, bool)> = Vec::new();
        let add_role = |m: &mut Model, input: &Input<'_>, is_bootstrap: bool| {
            let o = input.object;
            let kind = role_kind(o.kind())?;
            let namespace = match kind {
                RoleKind::Role => Some(m.namespace_of(o)),
                RoleKind::ClusterRole => None,
            };
            let key = (kind, namespace.clone(), o.name().to_string());
            if m.role_index.contains_key(&key) {
                if !is_bootstrap {
                    m.problems.push(Problem {
                        loc: loc_of(input.file, &o.root),
                        message: format!(
                            "{} \"{}\" is defined more than once; the first definition is used",
                            o.kind(),
                            o.name()
                        ),
                    });
                }
                return None;
            }
            let label = match &namespace {
                Some(ns) => format!("{} \"{}/{}\"", kind.as_str(), ns, o.name()),
                None => format!("{} \"{}\"", kind.as_str(), o.name()),
            };
            let mut own = Vec::new();
            for (index, item) in o
                .root
                .get("rules")
                .map(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                if !item.is_map() {
                    continue;
                }
                own.push(m.rules.len());
                m.rules.push(RuleDef {
                    spec: RuleSpec {
                        verbs: strings(item.get("verbs")),
                        api_groups: strings(item.get("apiGroups")),
                        resources: strings(item.get("resources")),
                        resource_names: strings(item.get("resourceNames")),
                        non_resource_urls: strings(item.get("nonResourceURLs")),
                    },
                    role: label.clone(),
                    index,
                    loc: loc_of(input.file, item),
                    object: input.id,
                });
            }
            let idx = m.roles.len();
            m.role_index.insert(key, idx);
            m.roles.push(Role {
                kind,
                namespace,
                name: o.name().to_string(),
                loc: loc_of(
                    input.file,
                    o.root.at(&["metadata", "name"]).unwrap_or(&o.root),
                ),
                rules: own,
                aggregated_from: Vec::new(),
                bootstrap: is_bootstrap,
                object: input.id,
            });
            Some(idx)
        };
        let mut labels: Vec<&std::collections::BTreeMap<String, String>> = Vec::new();
        let boot: Vec<Input<'_>> = if options.bootstrap {
            bootstrap_objects()
                .iter()
                .map(|object| Input {
                    object,
                    id: None,
                    file: BOOTSTRAP_SOURCE,
                })
                .collect()
        } else {
            Vec::new()
        };
        for (input, is_bootstrap) in inputs
            .into_iter()
            .map(|i| (i, false))
            .chain(boot.into_iter().map(|i| (i, true)))
        {
            let o = input.object;
            match o.kind() {
                "Role" | "ClusterRole" => {
                    if let Some(idx) = add_role(&mut m, &input, is_bootstrap) {
                        labels.push(&o.labels);
                        if o.kind() == "ClusterRole" {
                            if let Some(sel) =
                                o.root.at(&["aggregationRule", "clusterRoleSelectors"])
                            {
                                aggregations.push((idx, sel));
                            }
                        }
                    }
                }
                _ => binding_inputs.push((input, is_bootstrap)),
            }
        }
        m.aggregate(&aggregations, &labels);
        for (input, is_bootstrap) in binding_inputs {
            m.add_binding(&input, is_bootstrap);
        }
        for (i, b) in m.bindings.iter().enumerate() {
            match &b.namespace {
                Some(ns) => m.namespace_bindings.entry(ns.clone()).or_default().push(i),
                None => m.cluster_bindings.push(i),
            }
        }
        m
    }

    /// Fills aggregated ClusterRoles as the aggregation controller does: for each selector in order, the
    /// ClusterRoles it matches sorted by name (except the role itself), adding each of their rules not already
    /// present. Repeated until nothing changes, since aggregated roles can aggregate each other (view into edit
    /// into admin).
    fn aggregate(
        &mut self,
        aggregations: &[(usize, &Node)],
        labels: &[&std::collections::BTreeMap<String, String>],
    ) {
        if aggregations.is_empty() {
            return;
        }
        let mut cluster_roles: Vec<usize> = (0..self.roles.len())
            .filter(|&i| self.roles[i].kind == RoleKind::ClusterRole)
            .collect();
        cluster_roles.sort_by(|a, b| self.roles[*a].name.cmp(&self.roles[*b].name));
        // Manual rules of an aggregated role are overwritten by the controller.
        for (idx, _) in aggregations {
            self.roles[*idx].rules.clear();
        }
        for _round in 0..=aggregations.len() {
            let mut changed = false;
            for (idx, selectors) in aggregations {
                let mut rules: Vec<usize> = Vec::new();
                let mut from: Vec<String> = Vec::new();
                for sel in selectors.as_seq() {
                    if !sel.is_map() && !sel.is_null() {
                        continue;
                    }
                    for &c in &cluster_roles {
                        if c == *idx || !label_selector_matches(sel, labels[c]) {
                            continue;
                        }
                        if !from.contains(&self.roles[c].name) {
                            from.push(self.roles[c].name.clone());
                        }
                        for &r in &self.roles[c].rules {
                            if !rules
                                .iter()
                                .any(|&e| self.rules[e].spec == self.rules[r].spec)
                            {
                                rules.push(r);
                            }
                        }
                    }
                }
                if rules != self.roles[*idx].rules {
                    self.roles[*idx].rules = rules;
                    changed = true;
                }
                self.roles[*idx].aggregated_from = from;
            }
            if !changed {
                break;
            }
        }
    }

    fn add_binding(&mut self, input: &Input<'_>, is_bootstrap: bool) {
        let o = input.object;
        let Some(kind) = role_kind(o.kind()) else {
            return;
        };
        let namespace = match kind {
            RoleKind::Role => Some(self.namespace_of(o)),
            RoleKind::ClusterRole => None,
        };
        if is_bootstrap
            && self.bindings.iter().any(|b| {
                b.kind == kind && b.namespace.is_none() && b.name == o.name() && !b.bootstrap
            })
        {
            return;
        }
        let rr = o.root.get("roleRef");
        let rr_kind = rr
            .and_then(|r| r.get("kind"))
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let rr_name_node = rr.and_then(|r| r.get("name"));
        let rr_name = rr_name_node
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let role_ref_loc = loc_of(input.file, rr_name_node.or(rr).unwrap_or(&o.root));
        let role = match rr_kind.as_str() {
            // A ClusterRoleBinding may only reference a ClusterRole; a RoleBinding either kind.
            "Role" if kind == RoleKind::Role => self
                .role_index
                .get(&(RoleKind::Role, namespace.clone(), rr_name.clone()))
                .copied(),
            "ClusterRole" => self
                .role_index
                .get(&(RoleKind::ClusterRole, None, rr_name.clone()))
                .copied(),
            _ => None,
        };
        if role.is_none() {
            self.problems.push(Problem {
                loc: role_ref_loc.clone(),
                message: format!(
                    "{} \"{}\" references {} \"{}\", which is not among the inputs or the bootstrap roles; it grants nothing here",
                    o.kind(),
                    o.name(),
                    if rr_kind.is_empty() { "a role" } else { rr_kind.as_str() },
                    rr_name
                ),
            });
        }
        let mut subjects = Vec::new();
        for (index, s) in o
            .root
            .get("subjects")
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let Some(skind) = s.get("kind").and_then(Node::as_str).and_then(|k| match k {
                "User" => Some(SubjectKind::User),
                "Group" => Some(SubjectKind::Group),
                "ServiceAccount" => Some(SubjectKind::ServiceAccount),
                _ => None,
            }) else {
                continue;
            };
            let name = s
                .get("name")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string();
            if name.is_empty() {
                continue;
            }
            let own_ns = s
                .get("namespace")
                .and_then(Node::as_str)
                .filter(|n| !n.is_empty());
            let sa_ns = match skind {
                SubjectKind::ServiceAccount => {
                    own_ns.map(str::to_string).or_else(|| namespace.clone())
                }
                _ => None,
            };
            if skind == SubjectKind::ServiceAccount && sa_ns.is_none() {
                self.problems.push(Problem {
                    loc: loc_of(input.file, s),
                    message: format!(
                        "ServiceAccount subject \"{name}\" of {} \"{}\" has no namespace; it matches nobody",
                        o.kind(),
                        o.name()
                    ),
                });
                continue;
            }
            subjects.push(BindingSubject {
                subject: SubjectRef {
                    kind: skind,
                    name,
                    namespace: sa_ns,
                },
                index,
                loc: loc_of(input.file, s.get("name").unwrap_or(s)),
            });
        }
        self.bindings.push(Binding {
            kind,
            namespace,
            name: o.name().to_string(),
            loc: loc_of(
                input.file,
                o.root.at(&["metadata", "name"]).unwrap_or(&o.root),
            ),
            role_ref_kind: rr_kind,
            role_ref_name: rr_name,
            role_ref_loc,
            role,
            subjects,
            bootstrap: is_bootstrap,
            object: input.id,
        });
    }

    fn namespace_of(&self, o: &Object) -> String {
        o.reference
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| self.default_namespace.clone())
    }

    /// Finds a role by kind, namespace (for Roles) and name.
    pub fn role(&self, kind: RoleKind, namespace: Option<&str>, name: &str) -> Option<&Role> {
        self.role_index
            .get(&(kind, namespace.map(str::to_string), name.to_string()))
            .map(|&i| &self.roles[i])
    }

    /// The rules in effect through a binding.
    pub fn binding_rules(&self, b: &Binding) -> &[usize] {
        b.role
            .map(|r| self.roles[r].rules.as_slice())
            .unwrap_or(&[])
    }

    /// The bindings a query scope considers.
    pub fn bindings_in(&self, scope: &QueryScope) -> Vec<usize> {
        match scope {
            QueryScope::Cluster => self.cluster_bindings.clone(),
            QueryScope::Namespace(ns) => {
                let mut v = self.cluster_bindings.clone();
                if let Some(nb) = self.namespace_bindings.get(ns) {
                    v.extend_from_slice(nb);
                }
                v
            }
            QueryScope::AnyNamespace => {
                let mut v = self.cluster_bindings.clone();
                for nb in self.namespace_bindings.values() {
                    v.extend_from_slice(nb);
                }
                v
            }
        }
    }

    /// The scope a request is asked in: its namespace; for a cluster-scoped resource or a non-resource URL,
    /// the cluster; for a namespaced resource without namespace, any namespace. A `namespaces` request for a
    /// named namespace is in that namespace, as the API server's request-info resolver sets it.
    pub fn scope_for(target: &Target, namespace: Option<&str>) -> QueryScope {
        match target {
            Target::NonResource { .. } => QueryScope::Cluster,
            Target::Resource {
                api_group,
                resource,
                name,
                ..
            } => {
                if api_group.is_empty() && resource == "namespaces" {
                    if !name.is_empty() {
                        return QueryScope::Namespace(name.clone());
                    }
                    return QueryScope::Cluster;
                }
                if matching::is_cluster_scoped_resource(api_group, resource) {
                    return QueryScope::Cluster;
                }
                match namespace {
                    Some(ns) => QueryScope::Namespace(ns.to_string()),
                    None => QueryScope::AnyNamespace,
                }
            }
        }
    }

    /// Every binding subject that a request is allowed for, with the first rule of the bound role that allows
    /// it. Sorted by subject, then binding.
    pub fn who_can(&self, verb: &str, target: &Target, scope: &QueryScope) -> Vec<Grant> {
        let mut out = Vec::new();
        for bi in self.bindings_in(scope) {
            let b = &self.bindings[bi];
            if b.subjects.is_empty() {
                continue;
            }
            let Some(rule) = self
                .binding_rules(b)
                .iter()
                .copied()
                .find(|&r| matching::rule_allows(&self.rules[r].spec, verb, target))
            else {
                continue;
            };
            for si in 0..b.subjects.len() {
                out.push(Grant {
                    binding: bi,
                    subject: si,
                    rule,
                });
            }
        }
        out.sort_by(|a, b| {
            let sa = &self.bindings[a.binding].subjects[a.subject].subject;
            let sb = &self.bindings[b.binding].subjects[b.subject].subject;
            (sa, a.binding, a.subject).cmp(&(sb, b.binding, b.subject))
        });
        out
    }

    /// Whether an identity is allowed a request, as the authorizer decides: any binding in scope that applies to
    /// it and a rule of its role that allows the request. Returns the deciding grant.
    pub fn allows(&self, identity: &Identity, request: &Request) -> Option<Grant> {
        let scope = match &request.namespace {
            Some(ns) => QueryScope::Namespace(ns.clone()),
            None => QueryScope::Cluster,
        };
        for bi in self.bindings_in(&scope) {
            let b = &self.bindings[bi];
            let Some(si) = b.subjects.iter().position(|s| identity.matches(&s.subject)) else {
                continue;
            };
            if let Some(rule) = self.binding_rules(b).iter().copied().find(|&r| {
                matching::rule_allows(&self.rules[r].spec, &request.verb, &request.target)
            }) {
                return Some(Grant {
                    binding: bi,
                    subject: si,
                    rule,
                });
            }
        }
        None
    }

    /// Every binding that applies to an identity, with the index of the subject that names it.
    pub fn bindings_of(&self, identity: &Identity) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (bi, b) in self.bindings.iter().enumerate() {
            if let Some(si) = b.subjects.iter().position(|s| identity.matches(&s.subject)) {
                out.push((bi, si));
            }
        }
        out
    }

    /// Every distinct subject named by a binding.
    pub fn subjects(&self) -> Vec<SubjectRef> {
        let mut v: Vec<SubjectRef> = self
            .bindings
            .iter()
            .flat_map(|b| b.subjects.iter().map(|s| s.subject.clone()))
            .collect();
        v.sort();
        v.dedup();
        v
    }
}
