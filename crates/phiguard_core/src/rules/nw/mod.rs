//! NW rules.

use std::collections::BTreeMap;

use crate::finding::Out;
use crate::inventory::{label_selector_matches, ObjectId};
use crate::rule::{Ctx, Rule};
use crate::source::Object;
use crate::yaml::Node;

pub mod allow_all_ingress;
pub mod datastore_ingress;
pub mod datastore_internet_egress;
pub mod default_deny_egress;
pub mod default_deny_ingress;
pub mod egress_internet;
pub mod external_ips;
pub mod load_balancer;
pub mod node_port;
pub mod not_isolated;
pub mod phi_external_ingress;
pub mod zone_flows;

/// The rules of this family, in code order.
pub static RULES: &[Rule] = &[
    not_isolated::RULE,
    default_deny_ingress::RULE,
    default_deny_egress::RULE,
    node_port::RULE,
    load_balancer::RULE,
    external_ips::RULE,
    allow_all_ingress::RULE,
    egress_internet::RULE,
    datastore_ingress::RULE,
    datastore_internet_egress::RULE,
    phi_external_ingress::RULE,
    zone_flows::RULE,
];

/// A `networking.k8s.io` NetworkPolicy with the directions it enforces.
pub(crate) struct Policy<'a> {
    pub id: ObjectId,
    pub object: &'a Object,
    pub spec: &'a Node,
    /// Ingress is in effect: `policyTypes` lists it, or `policyTypes` is not given.
    pub ingress: bool,
    /// Egress is in effect: `policyTypes` lists it, or `policyTypes` is not given and there are egress rules.
    pub egress: bool,
}

impl<'a> Policy<'a> {
    pub fn namespace(&self) -> &'a str {
        self.object.namespace_or_default()
    }
    /// Whether the pod selector is empty (selects every pod of the namespace). An absent selector is empty too.
    pub fn selects_all(&self) -> bool {
        match self.spec.get("podSelector").filter(|n| !n.is_null()) {
            None => true,
            Some(sel) => ["matchLabels", "matchExpressions"]
                .iter()
                .all(|k| empty(sel.get(k))),
        }
    }
    /// Whether the pod selector matches a set of pod labels.
    pub fn selects(&self, labels: &BTreeMap<String, String>) -> bool {
        match self.spec.get("podSelector").filter(|n| !n.is_null()) {
            None => true,
            Some(sel) => label_selector_matches(sel, labels),
        }
    }
    pub fn rules(&self, direction: &str) -> &'a [Node] {
        self.spec.get(direction).map(Node::as_seq).unwrap_or(&[])
    }
}

/// Absent, null, or an empty map or list.
fn empty(n: Option<&Node>) -> bool {
    match n {
        None => true,
        Some(n) => n.is_null() || (n.as_map().is_empty() && n.as_seq().is_empty()),
    }
}

/// Every NetworkPolicy of the inventory, in inventory order.
pub(crate) fn policies<'a>(cx: &Ctx<'a>) -> Vec<Policy<'a>> {
    cx.objects_of_kind("networking.k8s.io", "NetworkPolicy")
        .filter_map(|(id, object)| {
            let spec = object.root.get("spec").filter(|n| n.is_map())?;
            let types: Vec<&str> = spec
                .get("policyTypes")
                .map(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(Node::as_str)
                .collect();
            let (ingress, egress) = if types.is_empty() {
                (
                    true,
                    !spec
                        .get("egress")
                        .map(Node::as_seq)
                        .unwrap_or(&[])
                        .is_empty(),
                )
            } else {
                (types.contains(&"Ingress"), types.contains(&"Egress"))
            };
            Some(Policy {
                id,
                object,
                spec,
                ingress,
                egress,
            })
        })
        .collect()
}

/// Whether an egress rule allows only DNS: it lists ports, and every one is 53 (or is named `dns`/`dns-tcp`).
pub(crate) fn only_dns(rule: &Node) -> bool {
    let ports = rule.get("ports").map(Node::as_seq).unwrap_or(&[]);
    !ports.is_empty()
        && ports.iter().all(|p| {
            p.get("port").is_some_and(|n| {
                n.as_i64() == Some(53)
                    || matches!(n.as_str().map(str::trim), Some("53" | "dns" | "dns-tcp"))
            })
        })
}

/// Whether a CIDR is the whole address space.
pub(crate) fn open_cidr(cidr: &str) -> bool {
    matches!(cidr.trim(), "0.0.0.0/0" | "::/0")
}

/// The peers of a rule (`from` or `to`), or `None` when the list is absent or empty (all peers).
pub(crate) fn peers<'a>(rule: &'a Node, field: &str) -> Option<&'a [Node]> {
    let list = rule.get(field).map(Node::as_seq).unwrap_or(&[]);
    (!list.is_empty()).then_some(list)
}

/// The anchor of an object as a whole: its `metadata.name`, else its root.
pub(crate) fn name_anchor(obj: &Object) -> (&Node, &'static str) {
    match obj.root.at(&["metadata", "name"]) {
        Some(n) => (n, "metadata.name"),
        None => (&obj.root, ""),
    }
}

/// Where to report a finding about a namespace: its Namespace object (`metadata.name`), else the pod spec of
/// its first PHI workload, else its first namespaced object.
pub(crate) fn namespace_anchor<'a>(cx: &Ctx<'a>, ns: &str) -> Option<(ObjectId, &'a Node, String)> {
    if let Some((id, o)) = cx
        .objects_of_kind("", "Namespace")
        .find(|(_, o)| o.name() == ns)
    {
        let (node, path) = name_anchor(o);
        return Some((id, node, path.to_string()));
    }
    if let Some(w) = cx
        .workloads()
        .filter(|w| w.phi && w.object.namespace_or_default() == ns)
        .min_by_key(|w| w.id)
    {
        return Some((w.id, w.anchor(), w.path("")));
    }
    let inv = cx.inv;
    inv.objects
        .iter()
        .enumerate()
        .find(|(_, o)| !crate::scope::is_cluster_scoped(o.kind()) && o.namespace_or_default() == ns)
        .map(|(id, o)| {
            let (node, path) = name_anchor(o);
            (id, node, path.to_string())
        })
}

/// Services of a type (`NodePort`, `LoadBalancer`) that expose PHI: the Service is in PHI scope or its selector
/// selects a PHI workload of its namespace. Yields the Service, its `spec.type` node, and a description of what
/// it exposes.
pub(crate) fn phi_services<'a>(
    cx: &Ctx<'a>,
    service_type: &str,
) -> Vec<(ObjectId, &'a Object, &'a Node, String)> {
    let mut out = Vec::new();
    for (id, svc) in cx.objects_of_kind("", "Service") {
        let Some(type_node) = svc.root.at(&["spec", "type"]) else {
            continue;
        };
        if type_node.as_str() != Some(service_type) {
            continue;
        }
        let ns = svc.namespace_or_default();
        let selector = svc.root.at(&["spec", "selector"]).unwrap_or(Node::null());
        let selected: Vec<String> = cx
            .workloads()
            .filter(|w| {
                w.phi
                    && w.object.namespace_or_default() == ns
                    && crate::inventory::map_selector_matches(selector, &w.workload.pod_labels)
            })
            .map(|w| w.describe())
            .collect();
        let what = if !selected.is_empty() {
            format!("PHI workload {}", selected.join(", "))
        } else if cx.is_phi(id) {
            "the pods it selects (the Service is in PHI scope)".to_string()
        } else {
            continue;
        };
        out.push((id, svc, type_node, what));
    }
    out
}

/// One direction of a NetworkPolicy, for checks that read ingress and egress rules alike.
pub(crate) struct Direction {
    /// `ingress` or `egress`.
    pub field: &'static str,
    /// The peers list of a rule: `from` or `to`.
    pub peers: &'static str,
    /// What a rule without peers allows: `every source` or `every destination`.
    pub everyone: &'static str,
    /// Whether rules that only open DNS (port 53) are exempt.
    pub dns_exempt: bool,
}

pub(crate) const INGRESS: Direction = Direction {
    field: "ingress",
    peers: "from",
    everyone: "every source",
    dns_exempt: false,
};

pub(crate) const EGRESS: Direction = Direction {
    field: "egress",
    peers: "to",
    everyone: "every destination",
    dns_exempt: true,
};

/// Reports, in PHI namespaces, rules of one direction that are open to everyone: a rule without peers, or an
/// `ipBlock` of every address (see [`open_cidr`]).
pub(crate) fn open_rules(cx: &Ctx<'_>, out: &mut Out, d: &Direction) {
    for p in policies(cx) {
        let enforced = if d.field == "ingress" {
            p.ingress
        } else {
            p.egress
        };
        if !enforced || !cx.scope.namespace_in_scope(p.namespace()) {
            continue;
        }
        let name = p.object.name();
        for (i, rule) in p.rules(d.field).iter().enumerate() {
            if d.dns_exempt && only_dns(rule) {
                continue;
            }
            let Some(list) = peers(rule, d.peers) else {
                out.at(
                    p.id,
                    rule,
                    format!("spec.{}[{i}]", d.field),
                    format!(
                        "NetworkPolicy \"{name}\" {} rule {i} has no {} and allows {}",
                        d.field, d.peers, d.everyone
                    ),
                );
                continue;
            };
            for (j, peer) in list.iter().enumerate() {
                let Some(cidr) = peer.at(&["ipBlock", "cidr"]) else {
                    continue;
                };
                if cidr.as_str().is_some_and(open_cidr) {
                    out.at(
                        p.id,
                        cidr,
                        format!("spec.{}[{i}].{}[{j}].ipBlock.cidr", d.field, d.peers),
                        format!(
                            "NetworkPolicy \"{name}\" {} rule {i} allows every address ({})",
                            d.field,
                            cidr.as_str().unwrap_or("")
                        ),
                    );
                }
            }
        }
    }
}

/// Reports the counterexamples `netpol verify` finds for one invariant, one finding per deciding policy rule (or
/// per workload when no policy decides), with the peers it lets through.
pub(crate) fn report_invariant(
    cx: &Ctx<'_>,
    out: &mut Out,
    invariant: crate::netpol::zones::Invariant,
) {
    use crate::netpol::eval::Outcome;
    use crate::netpol::model::{Action, Dir};
    use crate::netpol::zones::Invariant;

    if invariant == Invariant::ZoneFlows && cx.settings.netpol.zones.is_empty() {
        return;
    }
    // The PHI invariants have nothing to prove without PHI workloads.
    if invariant != Invariant::ZoneFlows && !cx.workloads().any(|w| w.phi) {
        return;
    }
    let v = cx.netpol_verification();
    let Some(proof) = v.proofs.iter().find(|p| p.invariant == invariant) else {
        return;
    };
    let m = &v.model;
    // Where each counterexample is anchored, then the peers and sets grouped under that anchor.
    type Anchor = (ObjectId, crate::yaml::Pos, String, String);
    let mut groups: Vec<(Anchor, Vec<String>)> = Vec::new();
    for viol in &proof.violations {
        let x = &viol.explanation;
        // The side whose policies must change: the destination's ingress, except for egress to the internet.
        let sides: [(&crate::netpol::eval::Verdict, usize); 2] = match invariant {
            Invariant::DataStoreInternetEgress => [(&x.egress, viol.src), (&x.ingress, viol.dst)],
            _ => [(&x.ingress, viol.dst), (&x.egress, viol.src)],
        };
        let mut anchor: Option<Anchor> = None;
        for (verdict, subject) in sides {
            if !m.endpoints[subject].is_pod() {
                continue;
            }
            let rule_step = verdict.steps.iter().find(|s| {
                s.outcome == Outcome::Rule(Action::Allow)
                    && !s.conn.intersect(&viol.excess).is_empty()
            });
            if let Some(step) = rule_step {
                let (Some(pi), Some(ri)) = (step.policy, step.rule) else {
                    continue;
                };
                let p = &m.policies[pi];
                let Some(rule) = p.rules(verdict.dir).and_then(|rs| rs.get(ri)) else {
                    continue;
                };
                if let Some(obj) = rule.loc.object {
                    anchor = Some((
                        obj,
                        rule.loc.pos,
                        rule.loc.path.clone(),
                        format!("{} {} {}", p.kind.as_str(), p.name, rule.label),
                    ));
                    break;
                }
            } else if verdict
                .steps
                .iter()
                .any(|s| s.outcome == Outcome::DefaultAllow)
            {
                let Some(obj) = m.endpoints[subject].members.iter().find_map(|mb| mb.object) else {
                    continue;
                };
                let Some(w) = cx.inv.workload_of(obj) else {
                    continue;
                };
                let spec = cx.inv.pod_spec(w);
                let node = if spec.loc().line == 0 {
                    &cx.inv.object(obj).root
                } else {
                    spec
                };
                let dir = match verdict.dir {
                    Dir::Ingress => "ingress",
                    Dir::Egress => "egress",
                };
                anchor = Some((
                    obj,
                    node.loc(),
                    cx.inv.object(obj).path(&w.spec_path()),
                    format!("no policy isolating its {dir}"),
                ));
                break;
            }
        }
        let Some(anchor) = anchor else {
            continue;
        };
        let zones = |i: usize| {
            if v.membership[i].is_empty() {
                String::new()
            } else {
                format!(" (zone {})", v.membership[i].join(", "))
            }
        };
        let more = if viol.also.is_empty() {
            String::new()
        } else {
            format!(" and {} more address ranges", viol.also.len())
        };
        let peer = format!(
            "{}{} -> {}{}{more}: {}",
            m.endpoints[viol.src].name(),
            zones(viol.src),
            m.endpoints[viol.dst].name(),
            zones(viol.dst),
            viol.excess
        );
        match groups.iter_mut().find(|(a, _)| *a == anchor) {
            Some((_, list)) => list.push(peer),
            None => groups.push((anchor, vec![peer])),
        }
    }
    for ((object, pos, path, by), peers) in groups {
        let shown: Vec<&str> = peers.iter().take(3).map(String::as_str).collect();
        let rest = if peers.len() > 3 {
            format!(" (and {} more)", peers.len() - 3)
        } else {
            String::new()
        };
        out.findings.push(crate::finding::RawFinding {
            object,
            pos,
            path,
            message: format!(
                "{by} allows {}{rest}, so \"{}\" does not hold",
                shown.join("; "),
                invariant.title()
            ),
            related: Vec::new(),
        });
    }
}
