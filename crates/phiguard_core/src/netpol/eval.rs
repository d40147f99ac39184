//! Evaluation: the connection set allowed from one endpoint to another, the full matrix, and explanations.

use std::collections::HashMap;

use super::bitset::Bitset;
use super::ip::parse_ipv4;
use super::model::{Action, Dir, EndpointKind, Model, Tier};
use super::ports::Conn;

pub type ConnId = u32;
/// The empty connection set.
pub const NONE: ConnId = 0;
/// Every port of every protocol.
pub const ALL: ConnId = 1;

/// Interned connection sets with memoised set operations.
#[derive(Debug)]
pub struct Interner {
    sets: Vec<Conn>,
    ids: HashMap<Conn, ConnId>,
    ops: HashMap<(u8, ConnId, ConnId), ConnId>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut it = Interner {
            sets: Vec::new(),
            ids: HashMap::new(),
            ops: HashMap::new(),
        };
        it.intern(Conn::none());
        it.intern(Conn::all());
        it
    }
}

impl Interner {
    pub fn intern(&mut self, c: Conn) -> ConnId {
        if let Some(&id) = self.ids.get(&c) {
            return id;
        }
        let id = self.sets.len() as ConnId;
        self.sets.push(c.clone());
        self.ids.insert(c, id);
        id
    }
    pub fn get(&self, id: ConnId) -> &Conn {
        &self.sets[id as usize]
    }
    fn op(&mut self, op: u8, a: ConnId, b: ConnId, f: fn(&Conn, &Conn) -> Conn) -> ConnId {
        if let Some(&r) = self.ops.get(&(op, a, b)) {
            return r;
        }
        let c = f(&self.sets[a as usize], &self.sets[b as usize]);
        let r = self.intern(c);
        self.ops.insert((op, a, b), r);
        r
    }
    pub fn union(&mut self, a: ConnId, b: ConnId) -> ConnId {
        match (a, b) {
            (NONE, x) | (x, NONE) => x,
            (ALL, _) | (_, ALL) => ALL,
            _ if a == b => a,
            _ => self.op(0, a.min(b), a.max(b), Conn::union),
        }
    }
    pub fn inter(&mut self, a: ConnId, b: ConnId) -> ConnId {
        match (a, b) {
            (NONE, _) | (_, NONE) => NONE,
            (ALL, x) | (x, ALL) => x,
            _ if a == b => a,
            _ => self.op(1, a.min(b), a.max(b), Conn::intersect),
        }
    }
    pub fn minus(&mut self, a: ConnId, b: ConnId) -> ConnId {
        match (a, b) {
            (NONE, _) | (_, ALL) => NONE,
            (x, NONE) => x,
            _ if a == b => NONE,
            _ => self.op(2, a, b, Conn::minus),
        }
    }
    pub fn len(&self) -> usize {
        self.sets.len()
    }
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

/// What decided part of a connection set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A rule with this action matched.
    Rule(Action),
    /// A policy of the tier selects the endpoint and no rule of the tier allowed the rest: denied.
    Isolated,
    /// No policy (or only passing ones) decided: allowed by default.
    DefaultAllow,
}

/// One step of an explanation.
#[derive(Clone, Debug)]
pub struct Step {
    /// Index into `Model::policies`.
    pub policy: Option<usize>,
    /// Index of the rule in the policy's rules of this direction.
    pub rule: Option<usize>,
    pub outcome: Outcome,
    /// The part of the connection set this step decided.
    pub conn: Conn,
    /// For [`Outcome::Isolated`]: every policy of the layer that selects the endpoint (`policy` is the first).
    pub layer: Vec<usize>,
}

/// The evaluation of one direction.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub dir: Dir,
    pub allowed: Conn,
    pub steps: Vec<Step>,
}

/// Why a connection is allowed or denied.
#[derive(Clone, Debug)]
pub struct Explanation {
    pub src: usize,
    pub dst: usize,
    pub egress: Verdict,
    pub ingress: Verdict,
    pub allowed: Conn,
}

/// One allowed connection between endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub src: u32,
    pub dst: u32,
    pub conn: ConnId,
}

/// Evaluates a model.
pub struct Engine<'m> {
    pub model: &'m Model,
    pub interner: Interner,
    /// Per policy, per direction (0 ingress, 1 egress), per rule: the rule's ports when they do not depend on
    /// the destination.
    fixed: Vec<[Vec<Option<ConnId>>; 2]>,
    named: HashMap<(u32, u8, u32, u32), ConnId>,
}

fn di(dir: Dir) -> usize {
    match dir {
        Dir::Ingress => 0,
        Dir::Egress => 1,
    }
}

impl<'m> Engine<'m> {
    pub fn new(model: &'m Model) -> Engine<'m> {
        let mut interner = Interner::default();
        let fixed = model
            .policies
            .iter()
            .map(|p| {
                let per = |rules: Option<&[super::model::PRule]>, it: &mut Interner| {
                    rules
                        .unwrap_or(&[])
                        .iter()
                        .map(|r| {
                            r.ports
                                .named
                                .is_empty()
                                .then(|| it.intern(r.ports.fixed.clone()))
                        })
                        .collect()
                };
                [
                    per(p.rules(Dir::Ingress), &mut interner),
                    per(p.rules(Dir::Egress), &mut interner),
                ]
            })
            .collect();
        Engine {
            model,
            interner,
            fixed,
            named: HashMap::new(),
        }
    }

    fn ports(&mut self, p: usize, dir: Dir, r: usize, dst: usize) -> ConnId {
        if let Some(id) = self.fixed[p][di(dir)][r] {
            return id;
        }
        let key = (p as u32, di(dir) as u8, r as u32, dst as u32);
        if let Some(&id) = self.named.get(&key) {
            return id;
        }
        let rules = self.model.policies[p].rules(dir).unwrap_or(&[]);
        let c = rules[r].ports.resolve(&self.model.endpoints[dst]);
        let id = self.interner.intern(c);
        self.named.insert(key, id);
        id
    }

    /// The connection set `subject`'s policies of one direction allow with `peer`.
    fn decide(
        &mut self,
        dir: Dir,
        subject: usize,
        peer: usize,
        mut trail: Option<&mut Vec<Step>>,
    ) -> ConnId {
        let model = self.model;
        let pols = &model.applying[di(dir)][subject];
        let dst = match dir {
            Dir::Ingress => subject,
            Dir::Egress => peer,
        };
        let mut remaining = ALL;
        let mut allowed = NONE;
        let mut i = 0;
        while i < pols.len() {
            let tier = model.policies[pols[i] as usize].tier;
            let first = pols[i] as usize;
            let mut passed = NONE;
            while i < pols.len() && model.policies[pols[i] as usize].tier == tier {
                let p = pols[i] as usize;
                i += 1;
                if remaining == NONE {
                    continue;
                }
                let rules = model.policies[p].rules(dir).unwrap_or(&[]);
                for (ri, rule) in rules.iter().enumerate() {
                    if !rule.peers.has(peer) {
                        continue;
                    }
                    let ports = self.ports(p, dir, ri, dst);
                    let c = self.interner.inter(ports, remaining);
                    if c == NONE && rule.action != Action::Log {
                        continue;
                    }
                    match rule.action {
                        Action::Allow => {
                            allowed = self.interner.union(allowed, c);
                            remaining = self.interner.minus(remaining, c);
                        }
                        Action::Deny => remaining = self.interner.minus(remaining, c),
                        Action::Pass => {
                            passed = self.interner.union(passed, c);
                            remaining = self.interner.minus(remaining, c);
                        }
                        Action::Log => {}
                    }
                    if let Some(t) = trail.as_deref_mut() {
                        t.push(Step {
                            policy: Some(p),
                            rule: Some(ri),
                            outcome: Outcome::Rule(rule.action),
                            conn: self.interner.get(c).clone(),
                            layer: Vec::new(),
                        });
                    }
                    if remaining == NONE {
                        break;
                    }
                }
            }
            if tier == Tier::Default {
                if remaining != NONE {
                    if let Some(t) = trail.as_deref_mut() {
                        t.push(Step {
                            policy: Some(first),
                            rule: None,
                            outcome: Outcome::Isolated,
                            conn: self.interner.get(remaining).clone(),
                            layer: pols
                                .iter()
                                .map(|&p| p as usize)
                                .filter(|&p| model.policies[p].tier == tier)
                                .collect(),
                        });
                    }
                }
                remaining = passed;
            } else {
                remaining = self.interner.union(remaining, passed);
            }
        }
        if remaining != NONE {
            if let Some(t) = trail {
                t.push(Step {
                    policy: None,
                    rule: None,
                    outcome: Outcome::DefaultAllow,
                    conn: self.interner.get(remaining).clone(),
                    layer: Vec::new(),
                });
            }
            allowed = self.interner.union(allowed, remaining);
        }
        allowed
    }

    /// What one endpoint may open to another: the source's egress and the destination's ingress must both allow.
    pub fn allowed(&mut self, src: usize, dst: usize) -> ConnId {
        let e = self.decide(Dir::Egress, src, dst, None);
        if e == NONE {
            return NONE;
        }
        let i = self.decide(Dir::Ingress, dst, src, None);
        self.interner.inter(e, i)
    }

    /// Allowed connection set with the steps that decided it.
    pub fn explain(&mut self, src: usize, dst: usize) -> Explanation {
        let mut es = Vec::new();
        let e = self.decide(Dir::Egress, src, dst, Some(&mut es));
        let mut is = Vec::new();
        let i = self.decide(Dir::Ingress, dst, src, Some(&mut is));
        let both = self.interner.inter(e, i);
        Explanation {
            src,
            dst,
            egress: Verdict {
                dir: Dir::Egress,
                allowed: self.interner.get(e).clone(),
                steps: es,
            },
            ingress: Verdict {
                dir: Dir::Ingress,
                allowed: self.interner.get(i).clone(),
                steps: is,
            },
            allowed: self.interner.get(both).clone(),
        }
    }

    /// Per endpoint and direction: the peers some rule mentions, and the result for every other peer.
    fn summaries(&mut self, dir: Dir) -> (Vec<Bitset>, Vec<ConnId>) {
        let model = self.model;
        let n = model.endpoints.len();
        let mut cands = Vec::with_capacity(n);
        let mut defaults = Vec::with_capacity(n);
        for x in 0..n {
            let mut c = Bitset::new(n);
            let mut isolated = false;
            for &p in &model.applying[di(dir)][x] {
                let pol = &model.policies[p as usize];
                isolated |= pol.tier == Tier::Default;
                for r in pol.rules(dir).unwrap_or(&[]) {
                    c.or_with(&r.peers);
                }
            }
            cands.push(c);
            defaults.push(if isolated { NONE } else { ALL });
        }
        (cands, defaults)
    }

    /// Every allowed connection between endpoints (an endpoint to itself included: its members may differ).
    /// External-to-external pairs are not part of the graph.
    pub fn matrix(&mut self) -> Vec<Edge> {
        let model = self.model;
        let n = model.endpoints.len();
        let (cand_e, def_e) = self.summaries(Dir::Egress);
        let (cand_i, def_i) = self.summaries(Dir::Ingress);
        let pod: Vec<bool> = model.endpoints.iter().map(|e| e.is_pod()).collect();
        let mut edges = Vec::new();
        for s in 0..n {
            let mut visit = |d: usize, this: &mut Self| {
                if !pod[s] && !pod[d] {
                    return;
                }
                let e = if cand_e[s].has(d) {
                    this.decide(Dir::Egress, s, d, None)
                } else {
                    def_e[s]
                };
                if e == NONE {
                    return;
                }
                let i = if cand_i[d].has(s) {
                    this.decide(Dir::Ingress, d, s, None)
                } else {
                    def_i[d]
                };
                let c = this.interner.inter(e, i);
                if c != NONE {
                    edges.push(Edge {
                        src: s as u32,
                        dst: d as u32,
                        conn: c,
                    });
                }
            };
            if def_e[s] == NONE {
                for d in cand_e[s].iter() {
                    visit(d, self);
                }
            } else {
                for d in 0..n {
                    visit(d, self);
                }
            }
        }
        edges
    }

    pub fn conn(&self, id: ConnId) -> &Conn {
        self.interner.get(id)
    }
}

/// Finds an endpoint by workload (`ns/name`, `ns/name[Kind]`, `name` when unique), by IPv4 address or by the
/// name of a configured network.
pub fn find_endpoint(model: &Model, query: &str) -> Result<usize, String> {
    let q = query.trim();
    if let Some(ip) = parse_ipv4(q) {
        return model
            .endpoints
            .iter()
            .position(|e| e.range.is_some_and(|r| r.lo <= ip && ip <= r.hi))
            .ok_or_else(|| format!("no external endpoint holds {q}"));
    }
    // A configured network, by name.
    if let Some(i) = model
        .endpoints
        .iter()
        .position(|e| e.networks.iter().any(|n| n == q))
    {
        return Ok(i);
    }
    let mut hits: Vec<usize> = Vec::new();
    for (i, e) in model.endpoints.iter().enumerate() {
        if e.kind == EndpointKind::External {
            continue;
        }
        for m in &e.members {
            let bare = m.name.split('[').next().unwrap_or("");
            let short = bare.rsplit('/').next().unwrap_or("");
            let hit = m.name == q || bare == q || (!q.contains('/') && short == q);
            if hit && !hits.contains(&i) {
                hits.push(i);
            }
        }
    }
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!("no workload or address matches `{q}`")),
        _ => Err(format!(
            "`{q}` is ambiguous: {}",
            hits.iter()
                .map(|&i| model.endpoints[i].name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}
