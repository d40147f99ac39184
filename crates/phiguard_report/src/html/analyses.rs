//! The report's segmentation and RBAC sections, built from the netpol verification and the RBAC risk report of
//! the scan. Only names, ports, policy and binding locations are shown: never values from the manifests.

use phiguard_core::netpol::eval::{Outcome, Verdict};
use phiguard_core::netpol::model::{Action, EndpointKind, Model as NetModel};
use phiguard_core::netpol::zones::{Proof, Verification, Violation};
use phiguard_core::rbac::powers::{risky_subjects, touches_phi, Held};
use phiguard_core::rbac::Model as RbacModel;
use phiguard_core::rule::Ctx;
use phiguard_core::scope::Scope;

use super::model::AnalysisSection;

/// Counterexamples listed per invariant; the rest are counted.
const COUNTEREXAMPLES_SHOWN: usize = 20;

/// Rows of the RBAC table at most; the rest are counted.
const RBAC_ROWS_SHOWN: usize = 1000;

const RBAC_KINDS: [&str; 4] = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

/// The sections that apply to a scan: segmentation when there are workloads and either declared zones or PHI
/// workloads (the default invariants), RBAC when the inputs hold RBAC objects. The netpol verification and the
/// RBAC model are the ones the scan rules computed, or are computed here once.
pub fn sections(cx: &Ctx<'_>) -> (Option<AnalysisSection>, Option<AnalysisSection>) {
    let has_phi_workload = cx
        .inv
        .workloads
        .iter()
        .any(|w| cx.scope.object_in_scope(w.object));
    let segmentation = (!cx.inv.workloads.is_empty()
        && (!cx.settings.netpol.zones.is_empty() || has_phi_workload))
        .then(|| segmentation(cx.netpol_verification()));
    let has_rbac = RBAC_KINDS.iter().any(|k| {
        cx.inv
            .of_kind(k)
            .any(|(_, o)| o.group() == "rbac.authorization.k8s.io")
    });
    let rbac = has_rbac.then(|| rbac(cx.rbac_model(), cx.scope));
    (segmentation, rbac)
}

/// Workloads (not stand-ins, not external ranges) of the endpoints for which `pick` holds.
fn workloads_where(m: &NetModel, mut pick: impl FnMut(usize) -> bool) -> usize {
    m.endpoints
        .iter()
        .enumerate()
        .filter(|(i, e)| e.kind == EndpointKind::Workload && pick(*i))
        .map(|(_, e)| e.members.len())
        .sum()
}

/// Whether a policy with rules in the given direction selects the endpoint (isolates it in that direction).
fn isolated(m: &NetModel, endpoint: usize, ingress: bool) -> bool {
    m.policies.iter().any(|p| {
        let applies = if ingress {
            p.ingress.is_some()
        } else {
            p.egress.is_some()
        };
        applies && p.subject.has(endpoint)
    })
}

/// The network segmentation section: a summary, then every invariant proved, violated (with each counterexample
/// and the policy rule, or the missing isolation, that allows it) or not applicable.
pub fn segmentation(v: &Verification) -> AnalysisSection {
    let m = &v.model;
    let phi_workloads = workloads_where(m, |i| v.phi[i]);
    let phi_in = workloads_where(m, |i| v.phi[i] && isolated(m, i, true));
    let phi_out = workloads_where(m, |i| v.phi[i] && isolated(m, i, false));
    let proved = v
        .proofs
        .iter()
        .filter(|p| p.applicable && p.violations.is_empty())
        .count();
    let violated = v.proofs.iter().filter(|p| !p.violations.is_empty()).count();
    let not_applicable = v.proofs.iter().filter(|p| !p.applicable).count();
    let mut summary = vec![
        (
            "Invariants".to_string(),
            format!("{proved} proved, {violated} violated, {not_applicable} not applicable"),
        ),
        (
            "Workloads".to_string(),
            workloads_where(m, |_| true).to_string(),
        ),
        ("Policies".to_string(), m.policies.len().to_string()),
        (
            "Zones".to_string(),
            v.zones
                .iter()
                .map(|z| z.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("PHI workloads".to_string(), phi_workloads.to_string()),
        (
            "PHI data stores".to_string(),
            workloads_where(m, |i| v.data_store[i]).to_string(),
        ),
        (
            "PHI workloads selected by an ingress policy".to_string(),
            format!(
                "{phi_in} (not selected: {})",
                phi_workloads.saturating_sub(phi_in)
            ),
        ),
        (
            "PHI workloads selected by an egress policy".to_string(),
            format!(
                "{phi_out} (not selected: {})",
                phi_workloads.saturating_sub(phi_out)
            ),
        ),
    ];
    if !m.out_of_scope.is_empty() {
        summary.push((
            "Not proved for (hostNetwork)".to_string(),
            m.out_of_scope
                .iter()
                .map(|(x, _)| x.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    let mut notes = vec![
        "Each invariant is checked over every pair of endpoints from the manifests, with stand-ins for pods \
created later, the cluster DNS and external address ranges. A counterexample is a connection the policies allow \
and the invariant forbids; `phiguard netpol explain SRC DST` shows every decision for it."
            .to_string(),
    ];
    if !m.warnings.is_empty() {
        notes.push(format!(
            "{} policy construct(s) could not be used as written; `phiguard netpol verify` lists them.",
            m.warnings.len()
        ));
    }
    let mut rows = Vec::new();
    for p in &v.proofs {
        rows.extend(proof_rows(v, p));
    }
    AnalysisSection {
        title: "Network segmentation".to_string(),
        summary,
        notes,
        columns: [
            "Invariant",
            "Rule",
            "Status",
            "Counterexample",
            "Forbidden traffic",
            "Allowed by",
        ]
        .map(String::from)
        .to_vec(),
        status_column: Some(2),
        rows,
    }
}

fn proof_rows(v: &Verification, p: &Proof) -> Vec<Vec<String>> {
    let row = |status: &str, example: String, forbidden: String, by: String| {
        vec![
            p.invariant.title().to_string(),
            p.invariant.code().to_string(),
            status.to_string(),
            example,
            forbidden,
            by,
        ]
    };
    if !p.applicable {
        return vec![row(
            "not applicable",
            "no zones are declared in [netpol]".to_string(),
            String::new(),
            String::new(),
        )];
    }
    if p.violations.is_empty() {
        return vec![row(
            "proved",
            format!("none in {} endpoint pairs", p.pairs_checked),
            String::new(),
            String::new(),
        )];
    }
    let mut rows: Vec<Vec<String>> = p
        .violations
        .iter()
        .take(COUNTEREXAMPLES_SHOWN)
        .map(|x| {
            row(
                "violated",
                counterexample(v, x),
                x.excess.to_string(),
                allowed_by(&v.model, x).join("; "),
            )
        })
        .collect();
    if p.violations.len() > COUNTEREXAMPLES_SHOWN {
        rows.push(row(
            "violated",
            format!(
                "{} more counterexamples: `phiguard netpol verify -o json` lists all",
                p.violations.len() - COUNTEREXAMPLES_SHOWN
            ),
            String::new(),
            String::new(),
        ));
    }
    rows
}

fn counterexample(v: &Verification, x: &Violation) -> String {
    let m = &v.model;
    let zone = |i: usize| {
        if v.membership[i].is_empty() {
            "no zone".to_string()
        } else {
            format!("zone {}", v.membership[i].join(", "))
        }
    };
    let mut s = format!(
        "{} ({}) -> {} ({})",
        m.endpoints[x.src].name(),
        zone(x.src),
        m.endpoints[x.dst].name(),
        zone(x.dst)
    );
    if !x.also.is_empty() {
        s.push_str(&format!(
            ", and {} more external range(s) alike",
            x.also.len()
        ));
    }
    s
}

/// The decisions that let the forbidden part through: policy rules that allow it (with file:line), or the
/// absence of any policy isolating a workload in that direction.
fn allowed_by(m: &NetModel, x: &Violation) -> Vec<String> {
    let mut out = Vec::new();
    for (verdict, endpoint) in [
        (&x.explanation.egress, x.src),
        (&x.explanation.ingress, x.dst),
    ] {
        let e = &m.endpoints[endpoint];
        if !e.is_pod() {
            continue;
        }
        out.extend(verdict_reasons(m, verdict, &e.name(), &x.excess));
    }
    out
}

fn verdict_reasons(
    m: &NetModel,
    verdict: &Verdict,
    who: &str,
    excess: &phiguard_core::netpol::Conn,
) -> Vec<String> {
    let mut out = Vec::new();
    for step in &verdict.steps {
        if step.conn.intersect(excess).is_empty() {
            continue;
        }
        match step.outcome {
            Outcome::Rule(Action::Allow) => {
                let Some(p) = step.policy.map(|i| &m.policies[i]) else {
                    continue;
                };
                let rule = step
                    .rule
                    .and_then(|r| p.rules(verdict.dir).and_then(|rs| rs.get(r)));
                let (label, loc) = match rule {
                    Some(r) => (r.label.as_str(), r.loc.to_string()),
                    None => ("", p.loc.to_string()),
                };
                out.push(format!(
                    "{} {} {label} ({loc}) allows {}",
                    p.kind.as_str(),
                    p.name,
                    step.conn
                ));
            }
            Outcome::DefaultAllow => out.push(format!(
                "no policy isolates {who} for {}: allowed by default",
                verdict.dir.as_str()
            )),
            _ => {}
        }
    }
    out
}

fn held_scope(h: &Held) -> String {
    let mut s = match &h.namespace {
        None => "cluster-wide".to_string(),
        Some(ns) => format!("namespace {ns}"),
    };
    if !h.only_names.is_empty() {
        s.push_str(&format!(", only {}", h.only_names.join(", ")));
    }
    s
}

/// The RBAC section: subjects with risky powers (those reaching PHI namespaces first), each power with the
/// binding subject and role rule that grant it.
pub fn rbac(m: &RbacModel, scope: &Scope) -> AnalysisSection {
    let risky = risky_subjects(m, scope, false);
    let reaching = risky
        .iter()
        .filter(|r| !r.phi_namespaces.is_empty())
        .count();
    let phi: Vec<&str> = scope.namespaces.keys().map(String::as_str).collect();
    let summary = vec![
        (
            "Subjects with risky powers".to_string(),
            risky.len().to_string(),
        ),
        (
            "Of them reaching PHI namespaces".to_string(),
            reaching.to_string(),
        ),
        (
            "PHI namespaces".to_string(),
            if phi.is_empty() {
                "none".to_string()
            } else {
                phi.join(", ")
            },
        ),
        (
            "Bindings in the inputs".to_string(),
            m.bindings
                .iter()
                .filter(|b| !b.bootstrap)
                .count()
                .to_string(),
        ),
        (
            "Roles in the inputs".to_string(),
            m.roles.iter().filter(|r| !r.bootstrap).count().to_string(),
        ),
        (
            "Unresolved references".to_string(),
            m.problems.len().to_string(),
        ),
    ];
    let mut rows = Vec::new();
    let total: usize = risky.iter().map(|r| r.held.len()).sum();
    'outer: for r in &risky {
        let reach = if r.phi_namespaces.is_empty() {
            "none".to_string()
        } else {
            r.phi_namespaces
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        };
        for h in &r.held {
            if rows.len() == RBAC_ROWS_SHOWN {
                break 'outer;
            }
            let granted: Vec<String> = h
                .evidence
                .iter()
                .map(|e| {
                    let b = &m.bindings[e.binding];
                    let s = &b.subjects[e.subject];
                    format!(
                        "{} via {} ({}), {}",
                        e.what,
                        b.describe(),
                        s.loc,
                        m.rules[e.rule].cite()
                    )
                })
                .collect();
            rows.push(vec![
                r.subject.describe(),
                reach.clone(),
                h.power.title.to_string(),
                held_scope(h),
                if touches_phi(h, scope) { "yes" } else { "no" }.to_string(),
                granted.join("; "),
            ]);
        }
    }
    let mut notes = vec![
        "Effective permissions as the Kubernetes RBAC authorizer decides them, including the bootstrap roles and \
bindings; system identities and subjects bound only by the bootstrap policy are left out. \
`phiguard rbac subject KIND NAME` shows every path of one subject."
            .to_string(),
    ];
    if risky.is_empty() {
        notes.push("No subject in the inputs holds a risky power.".to_string());
    }
    if total > rows.len() {
        notes.push(format!(
            "{} more powers are not listed; `phiguard rbac report -o json` lists all.",
            total - rows.len()
        ));
    }
    AnalysisSection {
        title: "RBAC: effective permissions".to_string(),
        summary,
        notes,
        columns: [
            "Subject",
            "PHI namespaces reached",
            "Power",
            "Scope",
            "Touches PHI",
            "Granted by",
        ]
        .map(String::from)
        .to_vec(),
        status_column: None,
        rows,
    }
}
