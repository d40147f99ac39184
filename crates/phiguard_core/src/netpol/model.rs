//! Endpoints and compiled policies: what the connectivity engine evaluates.
//!
//! Workloads with the same namespace, pod labels and named ports behave identically under every policy, so
//! they form one endpoint (an equivalence class). External networks are the atoms of the IPv4 address space
//! cut at every CIDR boundary that a policy or the configuration mentions.

use std::collections::HashMap;

use crate::inventory::{Inventory, ObjectId};
use crate::source::Object;
use crate::yaml::{Node, Pos};

use super::bitset::Bitset;
use super::ip::{atoms, CidrError, IpRange, IpSet, NON_INTERNET};
use super::ports::{Conn, PortSet, Protocol};
use super::selector::{Expr, LabelSelector, Labels};

/// The label every namespace carries with its own name.
pub const NS_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// What the engine adds to the inventory.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Add a cluster DNS endpoint (`kube-system`, `k8s-app: kube-dns`, UDP/TCP 53) when the inventory has none.
    pub cluster_dns: bool,
    /// Evaluate `hostNetwork` pods like other pods. Off: they are listed as out of policy scope, since
    /// NetworkPolicy behaviour for them is undefined upstream and most plugins treat their traffic as node
    /// traffic.
    pub include_host_network: bool,
    /// Add stand-ins for pods created later: an unlabelled pod per namespace and in a namespace that does not
    /// exist yet, and for every policy peer a pod (in a namespace) whose labels its selectors admit.
    pub representatives: bool,
    /// Named external networks (e.g. the cloud metadata address).
    pub networks: Vec<(String, IpRange)>,
}

/// One workload inside an endpoint class.
#[derive(Clone, Debug)]
pub struct Member {
    pub object: Option<ObjectId>,
    /// `namespace/name[Kind]`.
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointKind {
    /// Workloads from the inventory.
    Workload,
    /// The cluster DNS added by [`Options::cluster_dns`].
    ClusterDns,
    /// A stand-in for pods created later.
    Representative,
    /// A range of external addresses.
    External,
}

/// A node of the connectivity graph.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub kind: EndpointKind,
    pub namespace: Option<String>,
    pub labels: Labels,
    /// (name, protocol, port) of the pod's container ports.
    pub named_ports: Vec<(String, Protocol, u16)>,
    pub members: Vec<Member>,
    pub range: Option<IpRange>,
    /// Names of configured networks this range belongs to.
    pub networks: Vec<String>,
}

impl Endpoint {
    pub fn is_pod(&self) -> bool {
        self.kind != EndpointKind::External
    }
    /// A display name: the first member, or the address range.
    pub fn name(&self) -> String {
        match (&self.range, self.members.first()) {
            (Some(r), _) if !self.networks.is_empty() => {
                format!("{r}[External: {}]", self.networks.join(", "))
            }
            (Some(r), _) => format!("{r}[External]"),
            (None, Some(m)) => m.name.clone(),
            (None, None) => String::new(),
        }
    }
    /// Whether the range is public internet (outside private, shared, loopback and link-local space).
    pub fn is_internet(&self) -> bool {
        self.range.is_some_and(|r| {
            !NON_INTERNET.iter().any(|c| {
                IpRange::parse_cidr(c)
                    .map(|n| n.contains(&r))
                    .unwrap_or(false)
            })
        })
    }
}

/// Where a policy or rule is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub object: Option<ObjectId>,
    pub file: String,
    pub pos: Pos,
    /// JSON path inside the object, e.g. `spec.ingress[0]`.
    pub path: String,
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.pos.line)
    }
}

/// The layers a connection passes, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// AdminNetworkPolicy, by priority.
    Admin = 0,
    /// Calico policies and Kubernetes NetworkPolicies (order 1000), by order.
    Default = 1,
    /// BaselineAdminNetworkPolicy.
    Baseline = 2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Allow,
    Deny,
    Pass,
    Log,
}

impl Action {
    fn parse(s: &str) -> Option<Action> {
        match s {
            "Allow" => Some(Action::Allow),
            "Deny" => Some(Action::Deny),
            "Pass" => Some(Action::Pass),
            "Log" => Some(Action::Log),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "Allow",
            Action::Deny => "Deny",
            Action::Pass => "Pass",
            Action::Log => "Log",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Ingress,
    Egress,
}

impl Dir {
    pub fn as_str(self) -> &'static str {
        match self {
            Dir::Ingress => "ingress",
            Dir::Egress => "egress",
        }
    }
}

/// Ports of a rule: fixed numbers plus named ports resolved on the destination pod.
#[derive(Clone, Debug, Default)]
pub struct PortSpec {
    pub fixed: Conn,
    pub named: Vec<(Protocol, String)>,
}

impl PortSpec {
    pub fn all() -> PortSpec {
        PortSpec {
            fixed: Conn::all(),
            named: Vec::new(),
        }
    }
    /// The connection set on a destination endpoint.
    pub fn resolve(&self, dst: &Endpoint) -> Conn {
        let mut c = self.fixed.clone();
        for (proto, name) in &self.named {
            for (n, p, port) in &dst.named_ports {
                if n == name && p == proto {
                    c = c.union(&Conn::of(
                        *proto,
                        PortSet::range(u32::from(*port), u32::from(*port)),
                    ));
                }
            }
        }
        c
    }
}

/// One rule of a policy, compiled.
#[derive(Clone, Debug)]
pub struct PRule {
    pub action: Action,
    pub peers: Bitset,
    pub ports: PortSpec,
    pub loc: Loc,
    /// Short name, e.g. `ingress[0]` or the ANP rule's name.
    pub label: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    NetworkPolicy,
    AdminNetworkPolicy,
    BaselineAdminNetworkPolicy,
    CalicoNetworkPolicy,
    CalicoGlobalNetworkPolicy,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::NetworkPolicy => "NetworkPolicy",
            PolicyKind::AdminNetworkPolicy => "AdminNetworkPolicy",
            PolicyKind::BaselineAdminNetworkPolicy => "BaselineAdminNetworkPolicy",
            PolicyKind::CalicoNetworkPolicy => "projectcalico.org/v3 NetworkPolicy",
            PolicyKind::CalicoGlobalNetworkPolicy => "GlobalNetworkPolicy",
        }
    }
}

/// A compiled policy.
#[derive(Clone, Debug)]
pub struct Policy {
    pub kind: PolicyKind,
    /// `namespace/name`, or `name` for cluster-scoped policies.
    pub name: String,
    pub tier: Tier,
    /// Precedence within the tier: lower first.
    pub order: f64,
    pub subject: Bitset,
    /// `None`: the policy does not apply in this direction.
    pub ingress: Option<Vec<PRule>>,
    pub egress: Option<Vec<PRule>>,
    pub loc: Loc,
}

impl Policy {
    pub fn rules(&self, dir: Dir) -> Option<&[PRule]> {
        match dir {
            Dir::Ingress => self.ingress.as_deref(),
            Dir::Egress => self.egress.as_deref(),
        }
    }
}

/// Something in the input the engine could not use as written.
#[derive(Clone, Debug)]
pub struct Warning {
    pub loc: Loc,
    pub message: String,
}

/// A namespace and its labels.
#[derive(Clone, Debug)]
pub struct Namespace {
    pub name: String,
    pub labels: Labels,
    /// Declared by a Namespace object (not only named by another object).
    pub declared: bool,
}

/// What makes workloads behave alike: namespace, pod labels, named ports.
type ClassKey = (String, Labels, Vec<(String, Protocol, u16)>);

/// Endpoints and policies of one inventory.
#[derive(Debug, Default)]
pub struct Model {
    pub endpoints: Vec<Endpoint>,
    pub namespaces: Vec<Namespace>,
    pub policies: Vec<Policy>,
    pub warnings: Vec<Warning>,
    /// Workloads left out of the model and why (`hostNetwork`).
    pub out_of_scope: Vec<(Member, String)>,
    /// Per direction, per endpoint: indices of applying policies in evaluation order.
    pub(crate) applying: [Vec<Vec<u32>>; 2],
}

/// The name a workload is shown under: `namespace/name[Kind]`; pods created by a workload controller are shown
/// as their owner (mirror pods, owned by their Node, as themselves).
fn member_name(obj: &Object) -> String {
    let ns = obj.namespace_or_default();
    if obj.kind() == "Pod" {
        if let Some(owner) = obj
            .root
            .at(&["metadata", "ownerReferences"])
            .and_then(|o| o.as_seq().first())
        {
            let name = owner.get("name").and_then(Node::as_str).unwrap_or("");
            let kind = owner.get("kind").and_then(Node::as_str).unwrap_or("");
            let controller = matches!(
                kind,
                "ReplicaSet"
                    | "DaemonSet"
                    | "StatefulSet"
                    | "Job"
                    | "CronJob"
                    | "Deployment"
                    | "ReplicationController"
            );
            if !name.is_empty() && controller {
                return format!("{ns}/{name}[{kind}]");
            }
        }
    }
    format!("{ns}/{}[{}]", obj.name(), obj.kind())
}

fn named_ports(spec: &Node) -> Vec<(String, Protocol, u16)> {
    let mut out = Vec::new();
    for c in spec.get("containers").map(Node::as_seq).unwrap_or(&[]) {
        for p in c.get("ports").map(Node::as_seq).unwrap_or(&[]) {
            let Some(name) = p.get("name").and_then(Node::as_str) else {
                continue;
            };
            let Some(port) = p
                .get("containerPort")
                .and_then(Node::as_i64)
                .and_then(|n| u16::try_from(n).ok())
            else {
                continue;
            };
            let proto = p
                .get("protocol")
                .and_then(Node::as_str)
                .and_then(Protocol::parse)
                .unwrap_or(Protocol::Tcp);
            out.push((name.to_string(), proto, port));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn loc_of(inv: &Inventory, id: ObjectId, node: &Node, path: &str) -> Loc {
    let obj = inv.object(id);
    Loc {
        object: Some(id),
        file: inv
            .source_of(obj)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        pos: node.loc(),
        path: obj.path(path),
    }
}

fn is_kind(obj: &Object, group: &str, kind: &str) -> bool {
    obj.kind() == kind && obj.group() == group
}

/// Builds the model of an inventory.
pub fn build(inv: &Inventory, opts: &Options) -> Model {
    let mut b = Builder {
        inv,
        model: Model::default(),
        ns_index: HashMap::new(),
        label_index: HashMap::new(),
        key_index: HashMap::new(),
        ns_members: Vec::new(),
        sel_cache: HashMap::new(),
        pods: Bitset::new(0),
    };
    b.namespaces();
    b.workloads(opts);
    b.externals(opts);
    b.indexes();
    b.policies();
    let mut model = b.model;
    order_and_index(&mut model);
    model
}

/// Sorts policies into evaluation order and records, per endpoint and direction, which ones apply.
fn order_and_index(model: &mut Model) {
    model.policies.sort_by(|a, b| {
        a.tier
            .cmp(&b.tier)
            .then(a.order.total_cmp(&b.order))
            .then(a.name.cmp(&b.name))
    });
    let n = model.endpoints.len();
    let mut applying = [vec![Vec::new(); n], vec![Vec::new(); n]];
    for (pi, p) in model.policies.iter().enumerate() {
        for e in p.subject.iter() {
            if p.ingress.is_some() {
                applying[0][e].push(pi as u32);
            }
            if p.egress.is_some() {
                applying[1][e].push(pi as u32);
            }
        }
    }
    model.applying = applying;
}

struct Builder<'a> {
    inv: &'a Inventory,
    model: Model,
    ns_index: HashMap<String, usize>,
    /// (label key, value) -> pod endpoints with it.
    label_index: HashMap<(String, String), Bitset>,
    /// label key -> pod endpoints with it.
    key_index: HashMap<String, Bitset>,
    /// Per namespace: its pod endpoints.
    ns_members: Vec<Bitset>,
    sel_cache: HashMap<LabelSelector, Bitset>,
    /// Every pod endpoint.
    pods: Bitset,
}

impl Builder<'_> {
    fn ns_id(&mut self, name: &str) -> usize {
        if let Some(&i) = self.ns_index.get(name) {
            return i;
        }
        let mut labels = Labels::new();
        labels.insert(NS_NAME_LABEL.to_string(), name.to_string());
        self.model.namespaces.push(Namespace {
            name: name.to_string(),
            labels,
            declared: false,
        });
        self.ns_index
            .insert(name.to_string(), self.model.namespaces.len() - 1);
        self.model.namespaces.len() - 1
    }

    fn namespaces(&mut self) {
        for (_, obj) in self.inv.of_kind("Namespace") {
            if obj.group() != "" {
                continue;
            }
            let i = self.ns_id(obj.name());
            let ns = &mut self.model.namespaces[i];
            ns.declared = true;
            for (k, v) in &obj.labels {
                ns.labels.insert(k.clone(), v.clone());
            }
            ns.labels
                .insert(NS_NAME_LABEL.to_string(), obj.name().to_string());
        }
    }

    fn workloads(&mut self, opts: &Options) {
        let inv = self.inv;
        let mut classes: HashMap<ClassKey, usize> = HashMap::new();
        let mut seen_members: HashMap<String, usize> = HashMap::new();
        for w in &inv.workloads {
            let obj = inv.object(w.object);
            let ns = obj.namespace_or_default().to_string();
            let spec = inv.pod_spec(w);
            let member = Member {
                object: Some(w.object),
                name: member_name(obj),
            };
            if spec.get("hostNetwork").is_some_and(Node::is_true) && !opts.include_host_network {
                self.model.out_of_scope.push((
                    member,
                    "hostNetwork: NetworkPolicy behaviour is undefined upstream; most plugins treat its traffic \
as node traffic"
                        .into(),
                ));
                continue;
            }
            // PodTemplates are templates, not running pods.
            if obj.kind() == "PodTemplate" {
                continue;
            }
            self.ns_id(&ns);
            let ports = named_ports(spec);
            let key = (ns.clone(), w.pod_labels.clone(), ports.clone());
            let idx = match classes.get(&key) {
                Some(&i) => i,
                None => {
                    self.model.endpoints.push(Endpoint {
                        kind: EndpointKind::Workload,
                        namespace: Some(ns),
                        labels: w.pod_labels.clone(),
                        named_ports: ports,
                        members: Vec::new(),
                        range: None,
                        networks: Vec::new(),
                    });
                    classes.insert(key, self.model.endpoints.len() - 1);
                    self.model.endpoints.len() - 1
                }
            };
            // Pods of one owner appear once.
            if seen_members.get(&member.name) == Some(&idx) {
                continue;
            }
            seen_members.insert(member.name.clone(), idx);
            self.model.endpoints[idx].members.push(member);
        }
        if opts.cluster_dns {
            let has_dns = self.model.endpoints.iter().any(|e| {
                e.namespace.as_deref() == Some("kube-system")
                    && e.labels.get("k8s-app").map(String::as_str) == Some("kube-dns")
            });
            if !has_dns {
                self.ns_id("kube-system");
                let mut labels = Labels::new();
                labels.insert("k8s-app".into(), "kube-dns".into());
                self.model.endpoints.push(Endpoint {
                    kind: EndpointKind::ClusterDns,
                    namespace: Some("kube-system".into()),
                    labels,
                    named_ports: vec![
                        ("dns".into(), Protocol::Udp, 53),
                        ("dns-tcp".into(), Protocol::Tcp, 53),
                        ("metrics".into(), Protocol::Tcp, 9153),
                    ],
                    members: vec![Member {
                        object: None,
                        name: "kube-system/kube-dns[ClusterDNS]".into(),
                    }],
                    range: None,
                    networks: Vec::new(),
                });
            }
        }
        if opts.representatives {
            let names: Vec<String> = self
                .model
                .namespaces
                .iter()
                .map(|n| n.name.clone())
                .collect();
            let new_ns = "(new namespace)".to_string();
            self.ns_id(&new_ns);
            for ns in names.into_iter().chain(std::iter::once(new_ns)) {
                self.model.endpoints.push(Endpoint {
                    kind: EndpointKind::Representative,
                    namespace: Some(ns.clone()),
                    labels: Labels::new(),
                    named_ports: Vec::new(),
                    members: vec![Member {
                        object: None,
                        name: format!("{ns}/(any new unlabelled pod)"),
                    }],
                    range: None,
                    networks: Vec::new(),
                });
            }
            self.selector_representatives();
        }
    }

    /// Stand-ins for pods created later that a policy peer admits: for every peer of a NetworkPolicy or
    /// (Baseline)AdminNetworkPolicy rule, a pod with labels that satisfy its pod selector, in a namespace that
    /// satisfies its namespace selector (an existing one when the selector names it, else a new one).
    fn selector_representatives(&mut self) {
        let inv = self.inv;
        let mut wanted: Vec<(Option<Node>, Option<Node>, String)> = Vec::new();
        for obj in &inv.objects {
            let Some(spec) = obj.root.get("spec") else {
                continue;
            };
            if is_kind(obj, "networking.k8s.io", "NetworkPolicy") {
                for (field, peers) in [("ingress", "from"), ("egress", "to")] {
                    for rule in spec.get(field).map(Node::as_seq).unwrap_or(&[]) {
                        for peer in rule.get(peers).map(Node::as_seq).unwrap_or(&[]) {
                            let ns = peer.get("namespaceSelector").filter(|n| !n.is_null());
                            let pod = peer.get("podSelector").filter(|n| !n.is_null());
                            if ns.is_some() || pod.is_some() {
                                wanted.push((
                                    ns.cloned(),
                                    pod.cloned(),
                                    obj.namespace_or_default().to_string(),
                                ));
                            }
                        }
                    }
                }
            } else if is_kind(obj, "policy.networking.k8s.io", "AdminNetworkPolicy")
                || is_kind(
                    obj,
                    "policy.networking.k8s.io",
                    "BaselineAdminNetworkPolicy",
                )
            {
                for (field, peers) in [("ingress", "from"), ("egress", "to")] {
                    for rule in spec.get(field).map(Node::as_seq).unwrap_or(&[]) {
                        for peer in rule.get(peers).map(Node::as_seq).unwrap_or(&[]) {
                            if let Some(ns) = peer.get("namespaces") {
                                wanted.push((Some(ns.clone()), None, String::new()));
                            } else if let Some(p) = peer.get("pods") {
                                wanted.push((
                                    Some(p.get("namespaceSelector").cloned().unwrap_or_default()),
                                    p.get("podSelector").cloned(),
                                    String::new(),
                                ));
                            }
                        }
                    }
                }
            }
        }
        let mut seen: std::collections::HashSet<(String, Labels)> = self
            .model
            .endpoints
            .iter()
            .filter_map(|e| e.namespace.clone().map(|ns| (ns, e.labels.clone())))
            .collect();
        for (ns_sel, pod_sel, own_ns) in wanted {
            let pod_labels = match &pod_sel {
                Some(n) => match satisfying(&LabelSelector::from_node(n).0) {
                    Some(l) => l,
                    None => continue,
                },
                None => Labels::new(),
            };
            let ns = match &ns_sel {
                None => own_ns,
                Some(n) => {
                    let sel = LabelSelector::from_node(n).0;
                    let Some(labels) = satisfying(&sel) else {
                        continue;
                    };
                    match labels.get(NS_NAME_LABEL) {
                        Some(name) => {
                            let i = self.ns_id(name);
                            if !sel.matches(&self.model.namespaces[i].labels) {
                                continue;
                            }
                            name.clone()
                        }
                        None if labels.is_empty() => "(new namespace)".to_string(),
                        None => {
                            let name = format!("(new namespace {})", describe(&labels));
                            let i = self.ns_id(&name);
                            for (k, v) in labels {
                                self.model.namespaces[i].labels.insert(k, v);
                            }
                            name
                        }
                    }
                }
            };
            self.ns_id(&ns);
            if !seen.insert((ns.clone(), pod_labels.clone())) {
                continue;
            }
            let what = if pod_labels.is_empty() {
                "(any new unlabelled pod)".to_string()
            } else {
                format!("(new pod {})", describe(&pod_labels))
            };
            self.model.endpoints.push(Endpoint {
                kind: EndpointKind::Representative,
                namespace: Some(ns.clone()),
                labels: pod_labels,
                named_ports: Vec::new(),
                members: vec![Member {
                    object: None,
                    name: format!("{ns}/{what}"),
                }],
                range: None,
                networks: Vec::new(),
            });
        }
    }

    /// Every CIDR any policy mentions, and the configured networks, cut the address space into atoms.
    fn externals(&mut self, opts: &Options) {
        let mut cuts: Vec<IpRange> = opts.networks.iter().map(|(_, r)| *r).collect();
        for c in NON_INTERNET {
            if let Ok(r) = IpRange::parse_cidr(c) {
                cuts.push(r);
            }
        }
        for obj in &self.inv.objects {
            collect_cidrs(&obj.root, &mut cuts);
        }
        for r in atoms(&cuts) {
            let networks = opts
                .networks
                .iter()
                .filter(|(_, n)| n.contains(&r))
                .map(|(name, _)| name.clone())
                .collect();
            self.model.endpoints.push(Endpoint {
                kind: EndpointKind::External,
                namespace: None,
                labels: Labels::new(),
                named_ports: Vec::new(),
                members: Vec::new(),
                range: Some(r),
                networks,
            });
        }
    }

    fn indexes(&mut self) {
        let n = self.model.endpoints.len();
        self.pods = Bitset::new(n);
        self.ns_members = vec![Bitset::new(n); self.model.namespaces.len()];
        for (i, e) in self.model.endpoints.iter().enumerate() {
            if !e.is_pod() {
                continue;
            }
            self.pods.set(i);
            if let Some(&ns) = e.namespace.as_ref().and_then(|ns| self.ns_index.get(ns)) {
                self.ns_members[ns].set(i);
            }
            for (k, v) in &e.labels {
                self.label_index
                    .entry((k.clone(), v.clone()))
                    .or_insert_with(|| Bitset::new(n))
                    .set(i);
                self.key_index
                    .entry(k.clone())
                    .or_insert_with(|| Bitset::new(n))
                    .set(i);
            }
        }
    }

    fn n(&self) -> usize {
        self.model.endpoints.len()
    }

    /// Pod endpoints whose labels a Kubernetes selector matches (any namespace).
    fn pod_sel(&mut self, sel: &LabelSelector) -> Bitset {
        if let Some(b) = self.sel_cache.get(sel) {
            return b.clone();
        }
        let n = self.n();
        let mut out = self.pods.clone();
        if sel.invalid {
            out = Bitset::new(n);
        }
        for r in &sel.reqs {
            let mut any = Bitset::new(n);
            let (key, values, negate) = match r {
                super::selector::Req::In(k, vs) => (k, Some(vs), false),
                super::selector::Req::NotIn(k, vs) => (k, Some(vs), true),
                super::selector::Req::Exists(k) => (k, None, false),
                super::selector::Req::DoesNotExist(k) => (k, None, true),
            };
            match values {
                Some(vs) => {
                    for v in vs {
                        if let Some(b) = self.label_index.get(&(key.clone(), v.clone())) {
                            any.or_with(b);
                        }
                    }
                }
                None => {
                    if let Some(b) = self.key_index.get(key) {
                        any.or_with(b);
                    }
                }
            }
            if negate {
                out.and_not_with(&any);
            } else {
                out.and_with(&any);
            }
        }
        self.sel_cache.insert(sel.clone(), out.clone());
        out
    }

    /// Pod endpoints in namespaces whose labels match.
    fn ns_sel(&self, matches: impl Fn(&Labels) -> bool) -> Bitset {
        let mut out = Bitset::new(self.n());
        for (i, ns) in self.model.namespaces.iter().enumerate() {
            if matches(&ns.labels) {
                out.or_with(&self.ns_members[i]);
            }
        }
        out
    }

    fn ns_named(&self, name: &str) -> Bitset {
        match self.ns_index.get(name) {
            Some(&i) => self.ns_members[i].clone(),
            None => Bitset::new(self.n()),
        }
    }

    /// External endpoints inside a set of addresses.
    fn externals_in(&self, set: &IpSet) -> Bitset {
        let mut out = Bitset::new(self.n());
        for (i, e) in self.model.endpoints.iter().enumerate() {
            if let Some(r) = &e.range {
                if set.contains(r) {
                    out.set(i);
                }
            }
        }
        out
    }

    /// Pod endpoints whose (Calico) labels an expression matches, optionally restricted by a namespace
    /// expression.
    fn calico_sel(
        &self,
        sel: Option<&Expr>,
        ns_sel: Option<&Expr>,
        own_ns: Option<&str>,
    ) -> Bitset {
        let mut out = Bitset::new(self.n());
        for (i, e) in self.model.endpoints.iter().enumerate() {
            if !e.is_pod() {
                continue;
            }
            let ns = e.namespace.as_deref().unwrap_or("");
            match ns_sel {
                Some(nsx) => {
                    let Some(&ni) = self.ns_index.get(ns) else {
                        continue;
                    };
                    let mut labels = self.model.namespaces[ni].labels.clone();
                    labels.insert("projectcalico.org/name".into(), ns.to_string());
                    if !nsx.matches(&labels) {
                        continue;
                    }
                }
                None => {
                    if own_ns.is_some_and(|o| o != ns) {
                        continue;
                    }
                }
            }
            if let Some(s) = sel {
                let mut labels = e.labels.clone();
                labels.insert("projectcalico.org/namespace".into(), ns.to_string());
                labels.insert("projectcalico.org/orchestrator".into(), "k8s".into());
                if !s.matches(&labels) {
                    continue;
                }
            }
            out.set(i);
        }
        out
    }

    fn warn(&mut self, id: ObjectId, node: &Node, path: &str, message: impl Into<String>) {
        let loc = loc_of(self.inv, id, node, path);
        self.model.warnings.push(Warning {
            loc,
            message: message.into(),
        });
    }

    fn policies(&mut self) {
        let inv = self.inv;
        for (id, obj) in inv.objects.iter().enumerate() {
            if is_kind(obj, "networking.k8s.io", "NetworkPolicy") {
                self.k8s_policy(id, obj);
            } else if is_kind(obj, "policy.networking.k8s.io", "AdminNetworkPolicy") {
                self.admin_policy(id, obj, Tier::Admin);
            } else if is_kind(
                obj,
                "policy.networking.k8s.io",
                "BaselineAdminNetworkPolicy",
            ) {
                self.admin_policy(id, obj, Tier::Baseline);
            } else if is_kind(obj, "projectcalico.org", "NetworkPolicy")
                || is_kind(obj, "crd.projectcalico.org", "NetworkPolicy")
            {
                self.calico_policy(id, obj, false);
            } else if is_kind(obj, "projectcalico.org", "GlobalNetworkPolicy")
                || is_kind(obj, "crd.projectcalico.org", "GlobalNetworkPolicy")
            {
                self.calico_policy(id, obj, true);
            }
        }
    }

    /// The address set of a CIDR list entry; IPv6 and invalid CIDRs are warned about and contribute nothing.
    fn cidr(&mut self, id: ObjectId, node: &Node, path: &str) -> Option<IpRange> {
        let text = node.as_str().unwrap_or("");
        match IpRange::parse_cidr(text) {
            Ok(r) => Some(r),
            Err(CidrError::Ipv6) => {
                self.warn(
                    id,
                    node,
                    path,
                    "IPv6 CIDR ignored: external endpoints are IPv4 only",
                );
                None
            }
            Err(CidrError::Invalid) => {
                self.warn(id, node, path, format!("invalid CIDR `{text}` ignored"));
                None
            }
        }
    }

    fn selector(&mut self, id: ObjectId, node: &Node, path: &str) -> LabelSelector {
        let (sel, err) = LabelSelector::from_node(node);
        if let Some(m) = err {
            self.warn(id, node, path, m);
        }
        sel
    }

    fn k8s_policy(&mut self, id: ObjectId, obj: &Object) {
        let Some(spec) = obj.root.get("spec").filter(|n| n.is_map()) else {
            self.warn(id, &obj.root, "", "NetworkPolicy without a spec is ignored");
            return;
        };
        let ns = obj.namespace_or_default().to_string();
        let mut subject = self.ns_named(&ns);
        if let Some(ps) = spec.get("podSelector").filter(|n| !n.is_null()) {
            let sel = self.selector(id, ps, "spec.podSelector");
            subject.and_with(&self.pod_sel(&sel));
        }
        let types: Vec<&str> = spec
            .get("policyTypes")
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let has_egress_rules = !spec
            .get("egress")
            .map(Node::as_seq)
            .unwrap_or(&[])
            .is_empty();
        // API defaulting: Ingress always, Egress only when there are egress rules.
        let (ing, egr) = if types.is_empty() {
            (true, has_egress_rules)
        } else {
            (types.contains(&"Ingress"), types.contains(&"Egress"))
        };
        let ingress = ing.then(|| self.k8s_rules(id, spec, &ns, "ingress", "from"));
        let egress = egr.then(|| self.k8s_rules(id, spec, &ns, "egress", "to"));
        let loc = loc_of(
            self.inv,
            id,
            obj.root.at(&["metadata", "name"]).unwrap_or(&obj.root),
            "metadata.name",
        );
        self.model.policies.push(Policy {
            kind: PolicyKind::NetworkPolicy,
            name: format!("{ns}/{}", obj.name()),
            tier: Tier::Default,
            order: 1000.0,
            subject,
            ingress,
            egress,
            loc,
        });
    }

    fn k8s_rules(
        &mut self,
        id: ObjectId,
        spec: &Node,
        ns: &str,
        field: &str,
        peers_field: &str,
    ) -> Vec<PRule> {
        let mut out = Vec::new();
        for (i, rule) in spec
            .get(field)
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let path = format!("spec.{field}[{i}]");
            let list = rule.get(peers_field).map(Node::as_seq).unwrap_or(&[]);
            let peers = if list.is_empty() {
                Bitset::full(self.n())
            } else {
                let mut acc = Bitset::new(self.n());
                for (j, peer) in list.iter().enumerate() {
                    let ppath = format!("{path}.{peers_field}[{j}]");
                    let b = self.k8s_peer(id, peer, ns, &ppath);
                    acc.or_with(&b);
                }
                acc
            };
            let ports = self.k8s_ports(id, rule, &path);
            out.push(PRule {
                action: Action::Allow,
                peers,
                ports,
                loc: loc_of(self.inv, id, rule, &path),
                label: format!("{field}[{i}]"),
            });
        }
        out
    }

    fn k8s_peer(&mut self, id: ObjectId, peer: &Node, ns: &str, path: &str) -> Bitset {
        if let Some(block) = peer.get("ipBlock") {
            let mut set = IpSet::default();
            if let Some(r) = block
                .get("cidr")
                .and_then(|c| self.cidr(id, c, &format!("{path}.ipBlock.cidr")))
            {
                set.add(r);
            }
            for (k, ex) in block
                .get("except")
                .map(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                if let Some(r) = self.cidr(id, ex, &format!("{path}.ipBlock.except[{k}]")) {
                    set.remove(r);
                }
            }
            return self.externals_in(&set);
        }
        let pod = peer.get("podSelector").filter(|n| !n.is_null());
        let nss = peer.get("namespaceSelector").filter(|n| !n.is_null());
        if pod.is_none() && nss.is_none() {
            self.warn(
                id,
                peer,
                path,
                "peer without podSelector, namespaceSelector or ipBlock selects nothing",
            );
            return Bitset::new(self.n());
        }
        // namespaceSelector and podSelector in one peer: both must match (AND).
        let mut out = match nss {
            Some(n) => {
                let sel = self.selector(id, n, &format!("{path}.namespaceSelector"));
                self.ns_sel(|l| sel.matches(l))
            }
            None => self.ns_named(ns),
        };
        if let Some(p) = pod {
            let sel = self.selector(id, p, &format!("{path}.podSelector"));
            out.and_with(&self.pod_sel(&sel));
        }
        out
    }

    fn k8s_ports(&mut self, id: ObjectId, rule: &Node, path: &str) -> PortSpec {
        let list = rule.get("ports").map(Node::as_seq).unwrap_or(&[]);
        if list.is_empty() {
            return PortSpec::all();
        }
        let mut spec = PortSpec::default();
        for (k, p) in list.iter().enumerate() {
            let ppath = format!("{path}.ports[{k}]");
            let proto = match p.get("protocol").and_then(Node::as_str) {
                None => Protocol::Tcp,
                Some(s) => {
                    match Protocol::parse(s) {
                        Some(p) => p,
                        None => {
                            self.warn(
                            id,
                            p,
                            &ppath,
                            format!("protocol `{s}` is not TCP, UDP or SCTP: the entry matches nothing"),
                        );
                            continue;
                        }
                    }
                }
            };
            match p.get("port").filter(|n| !n.is_null()) {
                None => spec.fixed = spec.fixed.union(&Conn::of(proto, PortSet::full())),
                Some(port) => {
                    if let Some(n) = port.as_i64() {
                        let end = p.get("endPort").and_then(Node::as_i64).unwrap_or(n);
                        if end < n {
                            self.warn(id, p, &ppath, "endPort is below port: the range is empty");
                        }
                        spec.fixed = spec.fixed.union(&Conn::of(
                            proto,
                            PortSet::range(port_number(n), port_number(end)),
                        ));
                    } else if let Some(name) = port.as_str() {
                        if p.get("endPort").is_some() {
                            self.warn(
                                id,
                                p,
                                &ppath,
                                "endPort with a named port is invalid; endPort ignored",
                            );
                        }
                        spec.named.push((proto, name.to_string()));
                    }
                }
            }
        }
        spec
    }

    fn admin_policy(&mut self, id: ObjectId, obj: &Object, tier: Tier) {
        let Some(spec) = obj.root.get("spec").filter(|n| n.is_map()) else {
            self.warn(id, &obj.root, "", "policy without a spec is ignored");
            return;
        };
        let subject = match spec.get("subject") {
            Some(s) => self.admin_pods(id, s, "spec.subject"),
            None => {
                self.warn(id, spec, "spec", "policy without a subject selects nothing");
                Bitset::new(self.n())
            }
        };
        let order = if tier == Tier::Admin {
            spec.get("priority").and_then(Node::as_i64).unwrap_or(1000) as f64
        } else {
            0.0
        };
        let ingress = spec
            .get("ingress")
            .map(|r| self.admin_rules(id, r, "ingress", "from"));
        let egress = spec
            .get("egress")
            .map(|r| self.admin_rules(id, r, "egress", "to"));
        let loc = loc_of(
            self.inv,
            id,
            obj.root.at(&["metadata", "name"]).unwrap_or(&obj.root),
            "metadata.name",
        );
        let kind = if tier == Tier::Admin {
            PolicyKind::AdminNetworkPolicy
        } else {
            PolicyKind::BaselineAdminNetworkPolicy
        };
        self.model.policies.push(Policy {
            kind,
            name: obj.name().to_string(),
            tier,
            order,
            subject,
            ingress,
            egress,
            loc,
        });
    }

    /// An ANP subject or peer: `namespaces: <selector>` or `pods: {namespaceSelector, podSelector}`.
    fn admin_pods(&mut self, id: ObjectId, node: &Node, path: &str) -> Bitset {
        if let Some(nss) = node.get("namespaces") {
            let sel = self.selector(id, nss, &format!("{path}.namespaces"));
            return self.ns_sel(|l| sel.matches(l));
        }
        if let Some(pods) = node.get("pods") {
            let nsel = pods
                .get("namespaceSelector")
                .map(|n| self.selector(id, n, &format!("{path}.pods.namespaceSelector")))
                .unwrap_or_default();
            let mut out = self.ns_sel(|l| nsel.matches(l));
            let psel = pods
                .get("podSelector")
                .map(|n| self.selector(id, n, &format!("{path}.pods.podSelector")))
                .unwrap_or_default();
            out.and_with(&self.pod_sel(&psel));
            return out;
        }
        Bitset::new(self.n())
    }

    fn admin_rules(
        &mut self,
        id: ObjectId,
        list: &Node,
        field: &str,
        peers_field: &str,
    ) -> Vec<PRule> {
        let mut out = Vec::new();
        for (i, rule) in list.as_seq().iter().enumerate() {
            let path = format!("spec.{field}[{i}]");
            let action_text = rule.get("action").and_then(Node::as_str).unwrap_or("");
            let Some(action) = Action::parse(action_text).filter(|a| *a != Action::Log) else {
                self.warn(
                    id,
                    rule,
                    &path,
                    format!("unknown action `{action_text}`: rule ignored"),
                );
                continue;
            };
            let mut peers = Bitset::new(self.n());
            for (j, peer) in rule
                .get(peers_field)
                .map(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let ppath = format!("{path}.{peers_field}[{j}]");
                if let Some(nets) = peer.get("networks") {
                    let mut set = IpSet::default();
                    for (k, c) in nets.as_seq().iter().enumerate() {
                        if let Some(r) = self.cidr(id, c, &format!("{ppath}.networks[{k}]")) {
                            set.add(r);
                        }
                    }
                    peers.or_with(&self.externals_in(&set));
                } else if peer.get("nodes").is_some() {
                    self.warn(
                        id,
                        peer,
                        &ppath,
                        "`nodes` peers are not modelled (node addresses are unknown offline)",
                    );
                } else {
                    let b = self.admin_pods(id, peer, &ppath);
                    peers.or_with(&b);
                }
            }
            let ports = match rule.get("ports") {
                None => PortSpec::all(),
                Some(list) => self.admin_ports(id, list, &path),
            };
            let label = rule
                .get("name")
                .and_then(Node::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{field}[{i}]"));
            out.push(PRule {
                action,
                peers,
                ports,
                loc: loc_of(self.inv, id, rule, &path),
                label,
            });
        }
        out
    }

    fn admin_ports(&mut self, id: ObjectId, list: &Node, path: &str) -> PortSpec {
        let mut spec = PortSpec::default();
        for (k, p) in list.as_seq().iter().enumerate() {
            let proto = |n: &Node| {
                n.get("protocol")
                    .and_then(Node::as_str)
                    .and_then(Protocol::parse)
                    .unwrap_or(Protocol::Tcp)
            };
            if let Some(pn) = p.get("portNumber") {
                let port = port_number(pn.get("port").and_then(Node::as_i64).unwrap_or(0));
                spec.fixed = spec
                    .fixed
                    .union(&Conn::of(proto(pn), PortSet::range(port, port)));
            } else if let Some(pr) = p.get("portRange") {
                let a = port_number(pr.get("start").and_then(Node::as_i64).unwrap_or(0));
                let b = port_number(pr.get("end").and_then(Node::as_i64).unwrap_or(0));
                spec.fixed = spec.fixed.union(&Conn::of(proto(pr), PortSet::range(a, b)));
            } else if let Some(name) = p.get("namedPort").and_then(Node::as_str) {
                // A named port in an ANP matches the container port of that name, whatever its protocol.
                for proto in Protocol::ALL {
                    spec.named.push((proto, name.to_string()));
                }
            } else {
                self.warn(
                    id,
                    p,
                    &format!("{path}.ports[{k}]"),
                    "port entry without portNumber, portRange or namedPort ignored",
                );
            }
        }
        spec
    }

    fn calico_expr(&mut self, id: ObjectId, node: Option<&Node>, path: &str) -> Option<Expr> {
        let node = node?;
        let text = node.as_str().unwrap_or("");
        match Expr::parse(text) {
            Ok(e) => Some(e),
            Err(m) => {
                self.warn(
                    id,
                    node,
                    path,
                    format!("selector not understood ({m}): it selects nothing"),
                );
                Some(Expr::Not(Box::new(Expr::All)))
            }
        }
    }

    fn calico_policy(&mut self, id: ObjectId, obj: &Object, global: bool) {
        let Some(spec) = obj.root.get("spec").filter(|n| n.is_map()) else {
            self.warn(id, &obj.root, "", "policy without a spec is ignored");
            return;
        };
        if let Some(t) = spec.get("tier").and_then(Node::as_str) {
            if t != "default" {
                self.warn(
                    id,
                    spec.get("tier").unwrap_or(spec),
                    "spec.tier",
                    format!("tier `{t}` is evaluated as the default tier (tiers are not modelled)"),
                );
            }
        }
        for host_only in ["doNotTrack", "preDNAT", "applyOnForward"] {
            if spec.get(host_only).is_some_and(Node::is_true) {
                self.warn(
                    id,
                    spec.get(host_only).unwrap_or(spec),
                    &format!("spec.{host_only}"),
                    format!("{host_only} policies apply to host endpoints only: ignored"),
                );
                return;
            }
        }
        if let Some(sa) = spec.get("serviceAccountSelector") {
            self.warn(
                id,
                sa,
                "spec.serviceAccountSelector",
                "serviceAccountSelector is not modelled: the policy is applied to every endpoint its selector matches",
            );
        }
        let own_ns = (!global).then(|| obj.namespace_or_default().to_string());
        let sel = self.calico_expr(id, spec.get("selector"), "spec.selector");
        let nss = if global {
            self.calico_expr(id, spec.get("namespaceSelector"), "spec.namespaceSelector")
        } else {
            None
        };
        let subject = self.calico_sel(
            Some(sel.as_ref().unwrap_or(&Expr::All)),
            nss.as_ref(),
            own_ns.as_deref(),
        );
        let has = |f: &str| !spec.get(f).map(Node::as_seq).unwrap_or(&[]).is_empty();
        let types: Vec<&str> = spec
            .get("types")
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        // Calico defaulting: both when both rule lists are present, Egress when only egress rules are,
        // Ingress otherwise.
        let (ing, egr) = if types.is_empty() {
            match (has("ingress"), has("egress")) {
                (_, false) => (true, false),
                (false, true) => (false, true),
                (true, true) => (true, true),
            }
        } else {
            (types.contains(&"Ingress"), types.contains(&"Egress"))
        };
        let ingress = ing.then(|| self.calico_rules(id, spec, "ingress", own_ns.as_deref()));
        let egress = egr.then(|| self.calico_rules(id, spec, "egress", own_ns.as_deref()));
        let order = spec
            .get("order")
            .and_then(|n| {
                n.as_i64()
                    .map(|v| v as f64)
                    .or_else(|| n.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or(f64::INFINITY);
        let loc = loc_of(
            self.inv,
            id,
            obj.root.at(&["metadata", "name"]).unwrap_or(&obj.root),
            "metadata.name",
        );
        let name = match &own_ns {
            Some(ns) => format!("{ns}/{}", obj.name()),
            None => obj.name().to_string(),
        };
        self.model.policies.push(Policy {
            kind: if global {
                PolicyKind::CalicoGlobalNetworkPolicy
            } else {
                PolicyKind::CalicoNetworkPolicy
            },
            name,
            tier: Tier::Default,
            order,
            subject,
            ingress,
            egress,
            loc,
        });
    }

    fn calico_rules(
        &mut self,
        id: ObjectId,
        spec: &Node,
        field: &str,
        own_ns: Option<&str>,
    ) -> Vec<PRule> {
        let mut out = Vec::new();
        for (i, rule) in spec
            .get(field)
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let path = format!("spec.{field}[{i}]");
            let action_text = rule.get("action").and_then(Node::as_str).unwrap_or("");
            let Some(action) = Action::parse(action_text) else {
                self.warn(
                    id,
                    rule,
                    &path,
                    format!("unknown action `{action_text}`: rule ignored"),
                );
                continue;
            };
            let (peer_field, other_field) = if field == "ingress" {
                ("source", "destination")
            } else {
                ("destination", "source")
            };
            let peer = rule.get(peer_field).unwrap_or(Node::null());
            let mut peers = self.calico_entity(id, peer, &format!("{path}.{peer_field}"), own_ns);
            // The subject side of the rule may narrow the subject too (selector/nets on the subject side).
            let subject_side = rule.get(other_field).unwrap_or(Node::null());
            for f in [
                "selector",
                "notSelector",
                "namespaceSelector",
                "nets",
                "notNets",
            ] {
                if subject_side.get(f).is_some() {
                    self.warn(
                        id,
                        subject_side.get(f).unwrap_or(rule),
                        &format!("{path}.{other_field}.{f}"),
                        format!("{other_field}.{f} on the policy's own side is not modelled: rule ignored"),
                    );
                    peers = Bitset::new(self.n());
                }
            }
            let ports = self.calico_ports(id, rule, &path);
            out.push(PRule {
                action,
                peers,
                ports,
                loc: loc_of(self.inv, id, rule, &path),
                label: format!("{field}[{i}]"),
            });
        }
        out
    }

    /// A Calico entity rule on the peer side: every present field must match.
    fn calico_entity(
        &mut self,
        id: ObjectId,
        node: &Node,
        path: &str,
        own_ns: Option<&str>,
    ) -> Bitset {
        let n = self.n();
        let sel = self.calico_expr(id, node.get("selector"), &format!("{path}.selector"));
        let not_sel = self.calico_expr(id, node.get("notSelector"), &format!("{path}.notSelector"));
        let nss = self.calico_expr(
            id,
            node.get("namespaceSelector"),
            &format!("{path}.namespaceSelector"),
        );
        for f in ["serviceAccounts", "services"] {
            if let Some(x) = node.get(f) {
                self.warn(
                    id,
                    x,
                    &format!("{path}.{f}"),
                    format!("{f} matching is not modelled: it matches nothing"),
                );
                return Bitset::new(n);
            }
        }
        let mut nets: Option<IpSet> = None;
        if let Some(list) = node.get("nets") {
            let mut set = IpSet::default();
            for (k, c) in list.as_seq().iter().enumerate() {
                if let Some(r) = self.cidr(id, c, &format!("{path}.nets[{k}]")) {
                    set.add(r);
                }
            }
            nets = Some(set);
        }
        let mut not_nets: Option<IpSet> = None;
        if let Some(list) = node.get("notNets") {
            let mut set = IpSet::default();
            for (k, c) in list.as_seq().iter().enumerate() {
                if let Some(r) = self.cidr(id, c, &format!("{path}.notNets[{k}]")) {
                    set.add(r);
                }
            }
            not_nets = Some(set);
        }
        let selects_pods = sel.is_some() || nss.is_some() || not_sel.is_some();
        // Pods: only when no `nets` restricts the peer to addresses (pod addresses are unknown offline).
        let mut out = if nets.is_none() {
            // Without a namespaceSelector, a namespaced policy's selector stays in its namespace.
            let scope_ns = if nss.is_some() || sel.is_none() {
                None
            } else {
                own_ns
            };
            let mut pods = self.calico_sel(sel.as_ref(), nss.as_ref(), scope_ns);
            if let Some(ns) = own_ns {
                if sel.is_none() && nss.is_none() && not_sel.is_some() {
                    pods.and_with(&self.ns_named(ns));
                }
            }
            if let Some(ns_sel) = &not_sel {
                let excluded = self.calico_sel(Some(ns_sel), None, None);
                pods.and_not_with(&excluded);
            }
            pods
        } else {
            Bitset::new(n)
        };
        // Addresses: only when no selector restricts the peer to pods.
        if !selects_pods {
            let mut set = nets.unwrap_or_else(|| IpSet::of(IpRange::ALL));
            if let Some(nn) = &not_nets {
                for r in nn.ranges() {
                    set.remove(*r);
                }
            }
            out.or_with(&self.externals_in(&set));
        }
        out
    }

    fn calico_ports(&mut self, id: ObjectId, rule: &Node, path: &str) -> PortSpec {
        let protos: Vec<Protocol> = match rule.get("protocol") {
            None => Protocol::ALL.to_vec(),
            Some(p) => match p.as_str().and_then(Protocol::parse) {
                Some(x) => vec![x],
                None => {
                    if p.as_str().map(str::to_ascii_uppercase).as_deref() != Some("ICMP")
                        && p.as_str().map(str::to_ascii_uppercase).as_deref() != Some("ICMPV6")
                    {
                        self.warn(
                            id,
                            p,
                            &format!("{path}.protocol"),
                            "protocol not modelled: rule matches no TCP, UDP or SCTP traffic",
                        );
                    }
                    Vec::new()
                }
            },
        };
        if rule.get("notProtocol").is_some() {
            self.warn(id, rule, path, "notProtocol is not modelled: rule ignored");
            return PortSpec::default();
        }
        let dst = rule.get("destination").unwrap_or(Node::null());
        let read = |b: &mut Self, field: &str| -> Option<(PortSet, Vec<String>)> {
            let list = dst.get(field)?;
            let mut set = PortSet::empty();
            let mut names = Vec::new();
            for (k, item) in list.as_seq().iter().enumerate() {
                if let Some(n) = item.as_i64() {
                    set = set.union(&PortSet::range(port_number(n), port_number(n)));
                } else if let Some(s) = item.as_str() {
                    if let Some((a, z)) = s.split_once(':') {
                        match (a.trim().parse::<u32>(), z.trim().parse::<u32>()) {
                            (Ok(a), Ok(z)) => set = set.union(&PortSet::range(a, z)),
                            _ => b.warn(
                                id,
                                item,
                                &format!("{path}.destination.{field}[{k}]"),
                                "port range not understood",
                            ),
                        }
                    } else if let Ok(n) = s.trim().parse::<u32>() {
                        set = set.union(&PortSet::range(n, n));
                    } else {
                        names.push(s.to_string());
                    }
                }
            }
            Some((set, names))
        };
        let ports = read(self, "ports");
        let not_ports = read(self, "notPorts");
        let mut spec = PortSpec::default();
        for p in protos {
            let mut set = match &ports {
                Some((s, _)) => s.clone(),
                None => PortSet::full(),
            };
            if let Some((s, names)) = &not_ports {
                set = set.minus(s);
                if !names.is_empty() {
                    self.warn(id, rule, path, "named ports in notPorts are not modelled");
                }
            }
            spec.fixed = spec.fixed.union(&Conn::of(p, set));
            if let Some((_, names)) = &ports {
                for n in names {
                    spec.named.push((p, n.clone()));
                }
            }
        }
        spec
    }
}

/// A port number from the input, clamped so that out-of-range values (which the API server rejects) select
/// nothing rather than wrap around.
fn port_number(n: i64) -> u32 {
    n.clamp(0, 65_536) as u32
}

/// Labels that satisfy a selector: the first value of each `In`, a placeholder for `Exists`; `None` when the
/// requirements contradict each other.
fn satisfying(sel: &LabelSelector) -> Option<Labels> {
    let mut l = Labels::new();
    for r in &sel.reqs {
        match r {
            super::selector::Req::In(k, vs) => {
                l.insert(k.clone(), vs.first()?.clone());
            }
            super::selector::Req::Exists(k) => {
                l.entry(k.clone()).or_insert_with(|| "any".to_string());
            }
            _ => {}
        }
    }
    sel.matches(&l).then_some(l)
}

fn describe(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Collects every IPv4 CIDR written under an `ipBlock`, `networks`, `nets` or `notNets` key.
fn collect_cidrs(node: &Node, out: &mut Vec<IpRange>) {
    for (k, v) in node.as_map() {
        match k.as_str() {
            "ipBlock" => {
                if let Some(r) = v
                    .get("cidr")
                    .and_then(Node::as_str)
                    .and_then(|c| IpRange::parse_cidr(c).ok())
                {
                    out.push(r);
                }
                for e in v.get("except").map(Node::as_seq).unwrap_or(&[]) {
                    if let Some(r) = e.as_str().and_then(|c| IpRange::parse_cidr(c).ok()) {
                        out.push(r);
                    }
                }
            }
            "networks" | "nets" | "notNets" => {
                for e in v.as_seq() {
                    if let Some(r) = e.as_str().and_then(|c| IpRange::parse_cidr(c).ok()) {
                        out.push(r);
                    }
                }
            }
            _ => collect_cidrs(v, out),
        }
    }
    for v in node.as_seq() {
        collect_cidrs(v, out);
    }
}

/// Approximate heap bytes of a model (for the bench's memory figure).
pub fn model_bytes(m: &Model) -> usize {
    let bits: usize = m
        .policies
        .iter()
        .map(|p| {
            p.subject.bytes()
                + p.ingress
                    .iter()
                    .chain(p.egress.iter())
                    .flatten()
                    .map(|r| r.peers.bytes() + 64)
                    .sum::<usize>()
        })
        .sum();
    let applying: usize = m.applying.iter().flatten().map(|v| v.len() * 4 + 24).sum();
    bits + applying + m.endpoints.len() * 256
}
