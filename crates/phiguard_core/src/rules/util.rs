//! Helpers shared by rules.

use crate::inventory::Container;
use crate::rule::WorkloadView;
use crate::yaml::Node;

/// A security-context field as it takes effect for a container: the container's own value, else the pod's.
/// Returns the node and its path relative to the object.
pub fn effective_sc<'a>(
    w: &WorkloadView<'a>,
    c: &Container<'a>,
    field: &str,
) -> Option<(&'a Node, String)> {
    if let Some(n) = c.sc(field) {
        return Some((n, w.cpath(c, &format!("securityContext.{field}"))));
    }
    w.pod_sc(field)
        .map(|n| (n, w.path(&format!("securityContext.{field}"))))
}

/// The node to point at for a container whose security context lacks a field: the securityContext key if
/// present, else the container's name.
pub fn sc_anchor<'a>(c: &Container<'a>) -> (&'a Node, &'static str) {
    match c.node.get("securityContext") {
        Some(sc) => (sc, "securityContext"),
        None => (c.anchor(), "name"),
    }
}

/// Upper-cased capability names in a capabilities list (`add` or `drop`), with their nodes.
/// Accepts both `SYS_ADMIN` and `CAP_SYS_ADMIN`.
pub fn capabilities<'a>(c: &Container<'a>, list: &str) -> Vec<(String, &'a Node)> {
    c.node
        .at(&["securityContext", "capabilities", list])
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|n| {
            n.as_str().map(|s| {
                let up = s.trim().to_ascii_uppercase();
                (up.strip_prefix("CAP_").map(str::to_string).unwrap_or(up), n)
            })
        })
        .collect()
}

/// Strings of a sequence field (e.g. `verbs`), lower-cased where `lower`.
pub fn strings(node: Option<&Node>) -> Vec<&str> {
    node.map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .collect()
}
