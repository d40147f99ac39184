//! ID rules.

use crate::finding::{Out, RawFinding};
use crate::inventory::ObjectId;
use crate::rbac::powers::{binding_powers, Held};
use crate::rbac::{Binding, Loc, Model, RuleDef, SubjectRef};
use crate::rule::{Ctx, Rule};
use crate::source::Object;
use crate::yaml::Node;

pub mod admission_webhook_write;
pub mod anonymous_binding;
pub mod automount_token;
pub mod broad_group_power;
pub mod cluster_admin_binding;
pub mod create_workloads;
pub mod default_service_account;
pub mod escalate_bind_impersonate;
pub mod nodes_proxy;
pub mod phi_sa_excess;
pub mod phi_secret_exec;
pub mod phi_segmentation;
pub mod phi_wildcard;
pub mod pod_exec;
pub mod read_secrets;
pub mod serviceaccount_token;
pub mod wildcard;

/// The rules of this family, in code order.
pub static RULES: &[Rule] = &[
    automount_token::RULE,
    default_service_account::RULE,
    wildcard::RULE,
    cluster_admin_binding::RULE,
    read_secrets::RULE,
    pod_exec::RULE,
    escalate_bind_impersonate::RULE,
    nodes_proxy::RULE,
    anonymous_binding::RULE,
    create_workloads::RULE,
    serviceaccount_token::RULE,
    admission_webhook_write::RULE,
    phi_secret_exec::RULE,
    phi_sa_excess::RULE,
    phi_wildcard::RULE,
    broad_group_power::RULE,
    phi_segmentation::RULE,
];

/// Every RoleBinding and ClusterRoleBinding (group `rbac.authorization.k8s.io`), in inventory order.
pub(crate) fn bindings<'a>(cx: &Ctx<'a>) -> Vec<(ObjectId, &'a Object)> {
    let mut out: Vec<(ObjectId, &'a Object)> = ["RoleBinding", "ClusterRoleBinding"]
        .into_iter()
        .flat_map(|k| cx.objects_of_kind("rbac.authorization.k8s.io", k))
        .collect();
    out.sort_by_key(|(id, _)| *id);
    out
}

/// A subject of a binding: kind, name, and the node of its name (or of the subject item).
pub(crate) struct Subject<'a> {
    pub index: usize,
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: Option<&'a str>,
    pub node: &'a Node,
}

impl Subject<'_> {
    /// `User "alice"`, `ServiceAccount "ci/deployer"`.
    pub fn describe(&self) -> String {
        match self.namespace {
            Some(ns) if self.kind == "ServiceAccount" => {
                format!("{} \"{}/{}\"", self.kind, ns, self.name)
            }
            _ => format!("{} \"{}\"", self.kind, self.name),
        }
    }
}

/// The subjects of a binding.
pub(crate) fn subjects(binding: &Object) -> Vec<Subject<'_>> {
    binding
        .root
        .get("subjects")
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_map())
        .map(|(index, s)| Subject {
            index,
            kind: s.get("kind").and_then(Node::as_str).unwrap_or(""),
            name: s.get("name").and_then(Node::as_str).unwrap_or(""),
            namespace: s.get("namespace").and_then(Node::as_str),
            node: s.get("name").unwrap_or(s),
        })
        .collect()
}

/// The `roleRef` of a binding: kind and name.
pub(crate) fn role_ref(binding: &Object) -> (&str, &str) {
    let r = binding.root.get("roleRef");
    (
        r.and_then(|r| r.get("kind"))
            .and_then(Node::as_str)
            .unwrap_or(""),
        r.and_then(|r| r.get("name"))
            .and_then(Node::as_str)
            .unwrap_or(""),
    )
}

/// The PHI namespaces a binding reaches: its own namespace for a RoleBinding, all of them for a
/// ClusterRoleBinding.
pub(crate) fn phi_reach(cx: &Ctx<'_>, b: &Binding) -> Vec<String> {
    match &b.namespace {
        Some(ns) if cx.scope.namespace_in_scope(ns) => vec![ns.clone()],
        Some(_) => Vec::new(),
        None => cx.scope.namespaces.keys().cloned().collect(),
    }
}

/// Reports a finding at a position of a manifest object.
pub(crate) fn report_at(out: &mut Out, object: ObjectId, loc: &Loc, path: String, message: String) {
    out.findings.push(RawFinding {
        object,
        pos: loc.pos(),
        path,
        message,
        related: Vec::new(),
    });
}

/// Adds the rule item as a related location of the last finding, when it is in a manifest (not the bootstrap
/// policy, which has no object).
pub(crate) fn relate_rule(out: &mut Out, rule: &RuleDef, what: &str) {
    if let (Some(id), Some(last)) = (rule.object, out.findings.last_mut()) {
        last.related.push((
            id,
            rule.loc.pos(),
            format!("{} rule {}: {what}", rule.role, rule.index),
        ));
    }
}

/// The model of the scan's RBAC objects, with the bootstrap roles (built once per scan).
pub(crate) fn model<'c>(cx: &'c Ctx<'_>) -> &'c Model {
    cx.rbac_model()
}

/// `PHI namespace "a"` or `PHI namespaces "a", "b"`.
pub(crate) fn phi_list(namespaces: &[String]) -> String {
    let quoted: Vec<String> = namespaces.iter().map(|n| format!("\"{n}\"")).collect();
    if quoted.len() == 1 {
        format!("PHI namespace {}", quoted[0])
    } else {
        format!("PHI namespaces {}", quoted.join(", "))
    }
}

/// Reports, at each subject of each binding that reaches a PHI namespace, the powers `keep` selects (with the rule
/// that grants each), skipping subjects `skip` names. Shared by the rules about powers held in PHI namespaces.
pub(crate) fn report_phi_powers(
    cx: &Ctx<'_>,
    out: &mut Out,
    keep: impl Fn(&Held) -> bool,
    skip: impl Fn(&SubjectRef) -> bool,
) {
    if cx.scope.namespaces.is_empty() {
        return;
    }
    let m = model(cx);
    for (bi, b) in m.bindings.iter().enumerate() {
        let Some(object) = b.object else { continue };
        let reach = phi_reach(cx, b);
        if reach.is_empty() {
            continue;
        }
        let held: Vec<Held> = binding_powers(m, bi)
            .into_iter()
            .filter(|h| keep(h))
            .collect();
        if held.is_empty() {
            continue;
        }
        let what: Vec<String> = held
            .iter()
            .map(|h| {
                let e = &h.evidence[0];
                format!("{} ({}, {})", h.power.title, e.what, m.rules[e.rule].cite())
            })
            .collect();
        for s in b.subjects.iter().filter(|s| !skip(&s.subject)) {
            report_at(
                out,
                object,
                &s.loc,
                format!("subjects[{}].name", s.index),
                format!(
                    "{} can {} in {} through {}",
                    s.subject.describe(),
                    what.join(" and "),
                    phi_list(&reach),
                    b.describe()
                ),
            );
            for h in &held {
                let e = &h.evidence[0];
                relate_rule(out, &m.rules[e.rule], &e.what);
            }
        }
    }
}
