//! Zones and segmentation invariants: the `[netpol]` section of phiguard.toml and `phiguard netpol verify`.
//!
//! ```toml
//! [netpol]
//! cluster-dns = true                                   # model kube-system/kube-dns when absent (default)
//! networks = { metadata = "169.254.169.254/32" }       # named external networks
//!
//! [[netpol.zone]]
//! name = "web"
//! namespaces = ["web"]                                 # globs; and/or:
//! namespace-labels = { zone = "web" }
//! pod-labels = { app = "frontend" }
//!
//! [[netpol.zone]]
//! name = "partners"
//! cidrs = ["198.51.100.0/24"]                          # an external zone
//!
//! [[netpol.flow]]
//! from = "web"
//! to = "api"
//! ports = ["TCP/8443"]                                 # absent: any port
//! ```
//!
//! The zone `internet` (public addresses) exists unless declared.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;

use crate::inventory::Inventory;
use crate::scope::{self, Scope};
use crate::settings::{glob, SettingsError};

use super::eval::{Engine, Explanation, Outcome};
use super::ip::IpRange;
use super::model::{build, Endpoint, EndpointKind, Model, Options};
use super::ports::{Conn, PortSet, Protocol};
use super::selector::Labels;

/// The built-in zone of public addresses.
pub const INTERNET: &str = "internet";

/// A named zone.
#[derive(Clone, Debug, Default)]
pub struct Zone {
    pub name: String,
    pub namespaces: Vec<String>,
    pub namespace_labels: Labels,
    pub pod_labels: Labels,
    pub cidrs: Vec<IpRange>,
    /// The built-in zone of public addresses.
    pub internet: bool,
}

impl Zone {
    /// Whether an endpoint belongs to the zone. Pod zones need every given criterion; external zones hold the
    /// ranges inside their CIDRs.
    pub fn contains(&self, e: &Endpoint, ns_labels: Option<&Labels>) -> bool {
        if let Some(r) = e.range {
            return (self.internet && e.is_internet()) || self.cidrs.iter().any(|c| c.contains(&r));
        }
        if self.internet || !self.cidrs.is_empty() {
            return false;
        }
        let ns = e.namespace.as_deref().unwrap_or("");
        (self.namespaces.is_empty() || self.namespaces.iter().any(|g| glob(g, ns)))
            && self
                .namespace_labels
                .iter()
                .all(|(k, v)| ns_labels.and_then(|l| l.get(k)) == Some(v))
            && self
                .pod_labels
                .iter()
                .all(|(k, v)| e.labels.get(k) == Some(v))
    }
}

/// An allowed flow between zones.
#[derive(Clone, Debug)]
pub struct Flow {
    pub from: String,
    pub to: String,
    pub ports: Conn,
}

/// The `[netpol]` settings.
#[derive(Clone, Debug)]
pub struct NetpolSettings {
    pub cluster_dns: bool,
    pub networks: Vec<(String, IpRange)>,
    pub zones: Vec<Zone>,
    pub flows: Vec<Flow>,
}

impl Default for NetpolSettings {
    fn default() -> Self {
        NetpolSettings {
            cluster_dns: true,
            networks: Vec::new(),
            zones: Vec::new(),
            flows: Vec::new(),
        }
    }
}

impl NetpolSettings {
    /// The declared zones plus the built-in `internet` zone.
    pub fn all_zones(&self) -> Vec<Zone> {
        let mut z = self.zones.clone();
        if !z.iter().any(|z| z.name == INTERNET) {
            z.push(Zone {
                name: INTERNET.into(),
                internet: true,
                ..Zone::default()
            });
        }
        z
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawNetpol {
    cluster_dns: Option<bool>,
    networks: Option<BTreeMap<String, toml::Spanned<String>>>,
    zone: Option<Vec<toml::Spanned<RawZone>>>,
    flow: Option<Vec<toml::Spanned<RawFlow>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawZone {
    name: String,
    namespaces: Option<Vec<String>>,
    namespace_labels: Option<Labels>,
    pod_labels: Option<Labels>,
    cidrs: Option<Vec<toml::Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFlow {
    from: String,
    to: String,
    ports: Option<Vec<toml::Spanned<String>>>,
}

/// Parses `TCP/443`, `UDP/53`, `TCP/8000-8080`, `443` (TCP) or `TCP` (every TCP port).
pub fn parse_port(s: &str) -> Option<Conn> {
    let s = s.trim();
    let (proto, ports) = match s.split_once('/') {
        Some((p, rest)) => (Protocol::parse(p)?, Some(rest)),
        None => match Protocol::parse(s) {
            Some(p) => (p, None),
            None => (Protocol::Tcp, Some(s)),
        },
    };
    let set = match ports {
        None => PortSet::full(),
        Some(r) => match r.split_once('-') {
            Some((a, b)) => PortSet::range(a.trim().parse().ok()?, b.trim().parse().ok()?),
            None => {
                let n: u32 = r.trim().parse().ok()?;
                PortSet::range(n, n)
            }
        },
    };
    (!set.is_empty()).then(|| Conn::of(proto, set))
}

/// Validates the raw section; `at` turns a span of the configuration text into an error.
pub(crate) fn from_raw(
    raw: RawNetpol,
    at: &dyn Fn(Range<usize>, String) -> SettingsError,
) -> Result<NetpolSettings, SettingsError> {
    let mut s = NetpolSettings {
        cluster_dns: raw.cluster_dns.unwrap_or(true),
        ..NetpolSettings::default()
    };
    for (name, cidr) in raw.networks.unwrap_or_default() {
        let r = IpRange::parse_cidr(cidr.get_ref()).map_err(|_| {
            at(
                cidr.span(),
                format!(
                    "netpol.networks.{name}: `{}` is not an IPv4 CIDR",
                    cidr.get_ref()
                ),
            )
        })?;
        s.networks.push((name, r));
    }
    for z in raw.zone.unwrap_or_default() {
        let span = z.span();
        let z = z.into_inner();
        if z.name.trim().is_empty() {
            return Err(at(span, "netpol.zone: `name` must not be empty".into()));
        }
        if s.zones.iter().any(|o| o.name == z.name) {
            return Err(at(
                span,
                format!("netpol.zone: zone `{}` is declared twice", z.name),
            ));
        }
        let mut zone = Zone {
            name: z.name.clone(),
            namespaces: z.namespaces.unwrap_or_default(),
            namespace_labels: z.namespace_labels.unwrap_or_default(),
            pod_labels: z.pod_labels.unwrap_or_default(),
            ..Zone::default()
        };
        for c in z.cidrs.unwrap_or_default() {
            zone.cidrs
                .push(IpRange::parse_cidr(c.get_ref()).map_err(|_| {
                    at(
                        c.span(),
                        format!(
                            "netpol.zone `{}`: `{}` is not an IPv4 CIDR",
                            z.name,
                            c.get_ref()
                        ),
                    )
                })?);
        }
        let pod_criteria = !zone.namespaces.is_empty()
            || !zone.namespace_labels.is_empty()
            || !zone.pod_labels.is_empty();
        if pod_criteria != zone.cidrs.is_empty() {
            return Err(at(
                span,
                format!(
                    "netpol.zone `{}`: give either pod criteria (namespaces, namespace-labels, pod-labels) or \
cidrs, not both and not neither",
                    z.name
                ),
            ));
        }
        s.zones.push(zone);
    }
    let known = s.all_zones();
    for f in raw.flow.unwrap_or_default() {
        let span = f.span();
        let f = f.into_inner();
        for name in [&f.from, &f.to] {
            if !known.iter().any(|z| &z.name == name) {
                return Err(at(
                    span.clone(),
                    format!("netpol.flow: unknown zone `{name}` (declare it with [[netpol.zone]])"),
                ));
            }
        }
        let ports = match f.ports {
            None => Conn::all(),
            Some(list) => {
                let mut c = Conn::none();
                for p in list {
                    let one = parse_port(p.get_ref()).ok_or_else(|| {
                        at(
                            p.span(),
                            format!(
                                "netpol.flow: port `{}` is not like TCP/443, UDP/53, TCP/8000-8080 or TCP",
                                p.get_ref()
                            ),
                        )
                    })?;
                    c = c.union(&one);
                }
                if c.is_empty() {
                    return Err(at(
                        span,
                        "netpol.flow: `ports` is empty; omit it for any port".into(),
                    ));
                }
                c
            }
        };
        s.flows.push(Flow {
            from: f.from,
            to: f.to,
            ports,
        });
    }
    Ok(s)
}

/// The invariants `verify` proves, with the scan rule that reports each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Invariant {
    /// PHI data stores accept connections only from their own zone or zones with a declared flow to it.
    DataStoreIngress,
    /// PHI data stores open no connection to the internet.
    DataStoreInternetEgress,
    /// PHI workloads accept no connection from outside the cluster except over a declared flow.
    PhiExternalIngress,
    /// Traffic between zones stays within the declared flows.
    ZoneFlows,
}

impl Invariant {
    pub const ALL: [Invariant; 4] = [
        Invariant::DataStoreIngress,
        Invariant::DataStoreInternetEgress,
        Invariant::PhiExternalIngress,
        Invariant::ZoneFlows,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Invariant::DataStoreIngress => "NW009",
            Invariant::DataStoreInternetEgress => "NW010",
            Invariant::PhiExternalIngress => "NW011",
            Invariant::ZoneFlows => "NW012",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Invariant::DataStoreIngress => "PHI data stores are reachable only from declared zones",
            Invariant::DataStoreInternetEgress => "PHI data stores cannot open connections to the internet",
            Invariant::PhiExternalIngress => {
                "PHI workloads accept no connection from outside the cluster except over declared flows"
            }
            Invariant::ZoneFlows => "traffic between zones stays within the declared flows",
        }
    }
}

/// One connection that breaks an invariant, with the decisions that allow it.
#[derive(Clone, Debug)]
pub struct Violation {
    pub invariant: Invariant,
    pub src: usize,
    pub dst: usize,
    /// The part of the allowed connection set the invariant forbids.
    pub excess: Conn,
    pub explanation: Explanation,
    /// Further external address ranges (on the external side) with the same forbidden connection set.
    pub also: Vec<usize>,
}

/// The outcome for one invariant.
#[derive(Clone, Debug)]
pub struct Proof {
    pub invariant: Invariant,
    /// Whether the invariant applies at all (e.g. zone flows need zones).
    pub applicable: bool,
    /// (source, destination) endpoint pairs checked.
    pub pairs_checked: usize,
    pub violations: Vec<Violation>,
}

/// Counterexamples are grouped by invariant, pod side(s) and forbidden set.
type GroupKey = (Invariant, Option<usize>, Option<usize>, Conn);

/// The result of `verify`.
pub struct Verification {
    pub model: Model,
    pub zones: Vec<Zone>,
    /// Zone names per endpoint.
    pub membership: Vec<Vec<String>>,
    pub proofs: Vec<Proof>,
    /// Endpoints that are PHI workloads, and PHI data stores.
    pub phi: Vec<bool>,
    pub data_store: Vec<bool>,
}

/// The engine options `verify` uses: cluster DNS, future pods, configured networks.
pub fn verify_options(s: &NetpolSettings) -> Options {
    let mut networks = s.networks.clone();
    for z in &s.zones {
        for c in &z.cidrs {
            networks.push((z.name.clone(), *c));
        }
    }
    Options {
        cluster_dns: s.cluster_dns,
        include_host_network: false,
        representatives: true,
        networks,
    }
}

fn ns_labels<'m>(model: &'m Model, e: &Endpoint) -> Option<&'m Labels> {
    let ns = e.namespace.as_deref()?;
    model
        .namespaces
        .iter()
        .find(|n| n.name == ns)
        .map(|n| &n.labels)
}

/// Proves each invariant over every pair of endpoints, or finds the connections that break it.
pub fn verify(inv: &Inventory, scope: &Scope, s: &NetpolSettings) -> Verification {
    let model = build(inv, &verify_options(s));
    let zones = s.all_zones();
    let membership: Vec<Vec<String>> = model
        .endpoints
        .iter()
        .map(|e| {
            zones
                .iter()
                .filter(|z| z.contains(e, ns_labels(&model, e)))
                .map(|z| z.name.clone())
                .collect()
        })
        .collect();
    let phi: Vec<bool> = model
        .endpoints
        .iter()
        .map(|e| {
            e.members
                .iter()
                .any(|m| m.object.is_some_and(|o| scope.object_in_scope(o)))
        })
        .collect();
    let data_store: Vec<bool> = model
        .endpoints
        .iter()
        .zip(&phi)
        .map(|(e, &p)| {
            p && e.members.iter().any(|m| {
                m.object.and_then(|o| inv.workload_of(o)).is_some_and(|w| {
                    crate::inventory::containers(inv.pod_spec(w))
                        .iter()
                        .any(|c| scope::data_store_hint(c.image()))
                })
            })
        })
        .collect();

    let mut engine = Engine::new(&model);
    let edges = engine.matrix();
    let flows_between = |a: &[String], b: &[String]| -> Conn {
        let mut c = Conn::none();
        for f in &s.flows {
            if a.contains(&f.from) && b.contains(&f.to) {
                c = c.union(&f.ports);
            }
        }
        c
    };
    let shares_zone = |a: &[String], b: &[String]| a.iter().any(|z| b.contains(z));
    let n = model.endpoints.len();
    let mut proofs: Vec<Proof> = Invariant::ALL
        .iter()
        .map(|&invariant| Proof {
            invariant,
            applicable: invariant != Invariant::ZoneFlows || !s.zones.is_empty(),
            pairs_checked: 0,
            violations: Vec::new(),
        })
        .collect();
    let n_data = data_store.iter().filter(|d| **d).count();
    let n_phi = phi.iter().filter(|d| **d).count();
    let n_internet = model.endpoints.iter().filter(|e| e.is_internet()).count();
    let n_external = model.endpoints.iter().filter(|e| !e.is_pod()).count();
    proofs[0].pairs_checked = n_data * n;
    proofs[1].pairs_checked = n_data * n_internet;
    proofs[2].pairs_checked = n_phi * n_external;
    proofs[3].pairs_checked = if s.zones.is_empty() { 0 } else { n * n };
    let mut found: Vec<(Invariant, usize, usize, Conn)> = Vec::new();
    for edge in &edges {
        let (src, dst) = (edge.src as usize, edge.dst as usize);
        let conn = engine.conn(edge.conn).clone();
        let (zs, zd) = (&membership[src], &membership[dst]);
        let se = &model.endpoints[src];
        let de = &model.endpoints[dst];
        let same_class = src == dst;
        // The stand-in cluster DNS has no policies in the inputs: what it sends, and what reaches it from outside
        // the cluster, is not decided by them. Pods of kube-system are represented by the unlabelled stand-in
        // pod of that namespace instead.
        if se.kind == EndpointKind::ClusterDns
            || (de.kind == EndpointKind::ClusterDns && !se.is_pod())
        {
            continue;
        }
        if data_store[dst] && !same_class {
            let ok = if s.zones.is_empty() {
                se.is_pod() && se.namespace == de.namespace
            } else {
                shares_zone(zs, zd)
            };
            let excess = if ok {
                Conn::none()
            } else {
                conn.minus(&flows_between(zs, zd))
            };
            if !excess.is_empty() {
                found.push((Invariant::DataStoreIngress, src, dst, excess));
            }
        }
        if data_store[src] && de.is_internet() {
            found.push((Invariant::DataStoreInternetEgress, src, dst, conn.clone()));
        }
        if phi[dst] && !se.is_pod() {
            let excess = conn.minus(&flows_between(zs, zd));
            if !excess.is_empty() {
                found.push((Invariant::PhiExternalIngress, src, dst, excess));
            }
        }
        if !s.zones.is_empty() && !zs.is_empty() && !zd.is_empty() && !shares_zone(zs, zd) {
            let excess = conn.minus(&flows_between(zs, zd));
            if !excess.is_empty() {
                found.push((Invariant::ZoneFlows, src, dst, excess));
            }
        }
    }
    // One counterexample per pod pair; external ranges with the same outcome are folded into one.
    let mut groups: Vec<(GroupKey, Vec<(usize, usize)>)> = Vec::new();
    for (invariant, src, dst, excess) in found {
        let side = |i: usize| model.endpoints[i].is_pod().then_some(i);
        let key = (invariant, side(src), side(dst), excess);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push((src, dst)),
            None => groups.push((key, vec![(src, dst)])),
        }
    }
    for ((invariant, _, _, excess), pairs) in groups {
        let (src, dst) = pairs[0];
        let explanation = engine.explain(src, dst);
        let also = pairs[1..]
            .iter()
            .map(|&(s2, d2)| if model.endpoints[s2].is_pod() { d2 } else { s2 })
            .collect();
        if let Some(p) = proofs.iter_mut().find(|p| p.invariant == invariant) {
            p.violations.push(Violation {
                invariant,
                src,
                dst,
                excess,
                explanation,
                also,
            });
        }
    }
    drop(engine);
    Verification {
        model,
        zones,
        membership,
        proofs,
        phi,
        data_store,
    }
}

impl Verification {
    /// Whether every applicable invariant holds.
    pub fn holds(&self) -> bool {
        self.proofs.iter().all(|p| p.violations.is_empty())
    }
}

/// The steps of an explanation that allowed traffic (the policy lines a counterexample goes through).
pub fn allowing_steps(x: &Explanation) -> Vec<&super::eval::Step> {
    x.egress
        .steps
        .iter()
        .chain(x.ingress.steps.iter())
        .filter(|s| {
            matches!(
                s.outcome,
                Outcome::Rule(super::model::Action::Allow) | Outcome::DefaultAllow
            )
        })
        .collect()
}

/// Whether an endpoint is a stand-in rather than a workload of the inventory.
pub fn is_synthetic(e: &Endpoint) -> bool {
    matches!(
        e.kind,
        EndpointKind::ClusterDns | EndpointKind::Representative
    )
}
