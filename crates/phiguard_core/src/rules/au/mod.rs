//! AU rules: the audit policy (audit.k8s.io Policy) and the API server's audit flags.
//!
//! Policy rules are evaluated as the API server does: in order, the first matching rule sets the level.

use crate::rule::Rule;
use crate::yaml::Node;

pub mod apiserver_audit_disabled;
pub mod apiserver_audit_retention;
pub mod policy_configmap_payloads;
pub mod policy_missing_events;
pub mod policy_omit_stages;
pub mod policy_secret_payloads;

/// The rules of this family, in code order.
pub static RULES: &[Rule] = &[
    policy_secret_payloads::RULE,
    policy_configmap_payloads::RULE,
    policy_missing_events::RULE,
    policy_omit_stages::RULE,
    apiserver_audit_disabled::RULE,
    apiserver_audit_retention::RULE,
];

/// Audit levels, in increasing order of what they record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    None,
    Metadata,
    Request,
    RequestResponse,
}

impl Level {
    pub(crate) fn parse(s: &str) -> Option<Level> {
        match s {
            "None" => Some(Level::None),
            "Metadata" => Some(Level::Metadata),
            "Request" => Some(Level::Request),
            "RequestResponse" => Some(Level::RequestResponse),
            _ => None,
        }
    }
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::None => "None",
            Level::Metadata => "Metadata",
            Level::Request => "Request",
            Level::RequestResponse => "RequestResponse",
        }
    }
}

/// A request a policy is asked about.
pub(crate) struct Req<'a> {
    pub group: &'a str,
    /// `pods`, or `pods/exec` for a subresource.
    pub resource: &'a str,
    pub verb: &'a str,
    /// Namespace of the request; `None` asks about every namespace.
    pub namespace: Option<&'a str>,
}

fn strs(n: Option<&Node>) -> Vec<&str> {
    n.map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

fn resource_matches(entry: &str, resource: &str) -> bool {
    if entry == "*" || entry == resource {
        return true;
    }
    let (r, sub) = resource.split_once('/').unwrap_or((resource, ""));
    match entry.split_once('/') {
        Some(("*", s)) => !sub.is_empty() && s == sub,
        Some((e, "*")) => e == r && !sub.is_empty(),
        _ => false,
    }
}

/// Whether a policy rule's `resources` and `verbs` match the request (users, groups and namespaces aside).
fn matches_request(rule: &Node, req: &Req<'_>) -> bool {
    let verbs = strs(rule.get("verbs"));
    if !verbs.is_empty() && !verbs.contains(&req.verb) {
        return false;
    }
    if rule
        .get("nonResourceURLs")
        .is_some_and(|n| !n.as_seq().is_empty())
        && rule.get("resources").is_none()
    {
        return false;
    }
    let Some(resources) = rule.get("resources") else {
        return true;
    };
    resources.as_seq().iter().any(|gr| {
        let group = gr.get("group").and_then(Node::as_str).unwrap_or("");
        if group != req.group {
            return false;
        }
        let list = strs(gr.get("resources"));
        (list.is_empty() || list.iter().any(|e| resource_matches(e, req.resource)))
            && strs(gr.get("resourceNames")).is_empty()
    })
}

/// Whether the rule applies only to some users, groups, namespaces or object names.
fn conditional(rule: &Node, req: &Req<'_>) -> bool {
    let restricted = |k: &str| rule.get(k).is_some_and(|n| !n.as_seq().is_empty());
    let ns_ok = match (req.namespace, strs(rule.get("namespaces"))) {
        (_, list) if list.is_empty() => true,
        (Some(ns), list) => list.contains(&ns),
        (None, _) => false,
    };
    restricted("users")
        || restricted("userGroups")
        || !ns_ok
        || rule.get("resources").is_some_and(|r| {
            r.as_seq()
                .iter()
                .any(|gr| !strs(gr.get("resourceNames")).is_empty())
        })
}

pub(crate) fn level_of(rule: &Node) -> Option<(Level, &Node)> {
    let n = rule.get("level")?;
    Some((Level::parse(n.as_str()?)?, n))
}

/// The rules that can match the request before one that matches it for everyone, and the level that applies to
/// everyone (None when no rule does: the request is not recorded).
pub(crate) fn evaluate<'a>(policy: &'a Node, req: &Req<'_>) -> (Vec<&'a Node>, Option<&'a Node>) {
    let mut maybe = Vec::new();
    for rule in policy.get("rules").map(Node::as_seq).unwrap_or(&[]) {
        if !matches_request(rule, req) {
            continue;
        }
        if conditional(rule, req) {
            maybe.push(rule);
            continue;
        }
        return (maybe, Some(rule));
    }
    (maybe, None)
}

/// audit.k8s.io Policy objects.
pub(crate) fn policies<'a>(
    cx: &'a crate::rule::Ctx<'a>,
) -> impl Iterator<Item = (crate::inventory::ObjectId, &'a crate::source::Object)> + 'a {
    cx.objects_of_kind("audit.k8s.io", "Policy")
}

/// The flags of kube-apiserver containers: (workload id, container, flag map, the node to point at).
pub(crate) struct ApiServer<'a> {
    pub id: crate::inventory::ObjectId,
    pub anchor: &'a Node,
    pub path: String,
    pub flags: std::collections::BTreeMap<String, (String, &'a Node)>,
}

pub(crate) fn apiservers<'a>(cx: &'a crate::rule::Ctx<'a>) -> Vec<ApiServer<'a>> {
    let mut out = Vec::new();
    for w in cx.workloads() {
        for c in w.containers() {
            let cmd = c.node.get("command").map(Node::as_seq).unwrap_or(&[]);
            let args = c.node.get("args").map(Node::as_seq).unwrap_or(&[]);
            let is_apiserver = cmd
                .iter()
                .chain(args.iter().take(1))
                .filter_map(Node::as_str)
                .any(|s| s.rsplit('/').next() == Some("kube-apiserver"));
            if !is_apiserver {
                continue;
            }
            let anchor = c.node.get("command").unwrap_or(c.anchor());
            let mut flags = std::collections::BTreeMap::new();
            let all: Vec<&Node> = cmd.iter().chain(args.iter()).collect();
            let mut i = 0;
            while i < all.len() {
                if let Some(s) = all[i].as_str() {
                    if let Some(f) = s.strip_prefix("--") {
                        match f.split_once('=') {
                            Some((k, v)) => {
                                flags.insert(k.to_string(), (v.to_string(), all[i]));
                            }
                            None => {
                                let v = all
                                    .get(i + 1)
                                    .and_then(|n| n.as_str())
                                    .filter(|v| !v.starts_with("--"));
                                if v.is_some() {
                                    i += 1;
                                }
                                flags.insert(f.to_string(), (v.unwrap_or("").to_string(), all[i]));
                            }
                        }
                    }
                }
                i += 1;
            }
            out.push(ApiServer {
                id: w.id,
                anchor,
                path: w.workload.spec_path() + "." + &c.path(),
                flags,
            });
        }
    }
    out
}
