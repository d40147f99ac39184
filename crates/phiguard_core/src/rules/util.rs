//! Helpers shared by rules.

use crate::finding::Out;
use crate::image::ImageRef;
use crate::inventory::{Container, ContainerKind};
use crate::rule::{Ctx, WorkloadView};
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

/// Whether a pod spec declares a Windows pod (`spec.os.name: windows`). Linux-only security-context fields
/// (capabilities, seccomp, AppArmor, procMount, readOnlyRootFilesystem, runAsUser, ...) do not apply to it.
pub fn is_windows(w: &WorkloadView<'_>) -> bool {
    w.spec.at(&["os", "name"]).and_then(Node::as_str) == Some("windows")
}

/// An annotation of the pod template metadata (`spec.template.metadata.annotations` for controllers,
/// `metadata.annotations` for a Pod), with its node and its path relative to the object.
pub fn pod_annotation<'a>(
    cx: &crate::rule::Ctx<'a>,
    w: &WorkloadView<'a>,
    key: &str,
) -> Option<(&'a Node, String)> {
    let meta = cx.inv.pod_meta(w.workload)?;
    let node = meta.at(&["annotations", key]).filter(|n| !n.is_null())?;
    let meta_path = match w.workload.spec_path().strip_suffix("spec") {
        Some(prefix) => format!("{prefix}metadata"),
        None => "metadata".to_string(),
    };
    Some((node, format!("{meta_path}.annotations['{key}']")))
}

/// Whether a workload runs long-lived pods (services), as opposed to run-to-completion pods: Jobs, CronJobs,
/// pods owned by a Job, and pods whose `restartPolicy` is `Never` or `OnFailure` are not long-running.
pub fn is_long_running(w: &WorkloadView<'_>) -> bool {
    if w.object.group() == "batch" && matches!(w.object.kind(), "Job" | "CronJob") {
        return false;
    }
    if matches!(
        w.spec.get("restartPolicy").and_then(Node::as_str),
        Some("Never" | "OnFailure")
    ) {
        return false;
    }
    let owned_by_job = w
        .object
        .root
        .at(&["metadata", "ownerReferences"])
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .any(|r| {
            matches!(
                r.get("kind").and_then(Node::as_str),
                Some("Job" | "CronJob")
            )
        });
    !owned_by_job
}

/// Resource names (`cpu`, `memory`, ...) for which the LimitRanges of a namespace inject a default container
/// limit or request at admission. Follows the API defaulting of `LimitRangeItem` for `type: Container`: a missing
/// `default` is taken from `max`, and a missing `defaultRequest` from `default`, then from `min`.
#[derive(Debug, Default)]
pub struct ResourceDefaults {
    pub limits: std::collections::BTreeSet<String>,
    pub requests: std::collections::BTreeSet<String>,
}

pub fn limit_range_defaults(cx: &crate::rule::Ctx<'_>, namespace: &str) -> ResourceDefaults {
    let mut d = ResourceDefaults::default();
    for (_, lr) in cx.objects_of_kind("", "LimitRange") {
        if lr.namespace_or_default() != namespace {
            continue;
        }
        let items = lr
            .root
            .at(&["spec", "limits"])
            .map(Node::as_seq)
            .unwrap_or(&[]);
        for item in items {
            if item.get("type").and_then(Node::as_str) != Some("Container") {
                continue;
            }
            let keys = |field: &str| -> Vec<String> {
                item.get(field)
                    .map(Node::as_map)
                    .unwrap_or(&[])
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, _)| k.clone())
                    .collect()
            };
            for k in keys("default").into_iter().chain(keys("max")) {
                d.limits.insert(k.clone());
                d.requests.insert(k);
            }
            for k in keys("defaultRequest").into_iter().chain(keys("min")) {
                d.requests.insert(k);
            }
        }
    }
    d
}

/// Every container image of every workload, parsed: the workload, the container, the `image` node and the
/// reference. Containers without an image (or with an empty one) are skipped.
pub fn container_images<'a>(
    cx: &Ctx<'a>,
) -> impl Iterator<Item = (WorkloadView<'a>, Container<'a>, &'a Node, ImageRef<'a>)> + 'a {
    cx.workloads().flat_map(|w| {
        w.containers().into_iter().filter_map(move |c| {
            let node = c.node.get("image")?;
            let image = ImageRef::parse(node.as_str()?)?;
            Some((w, c, node, image))
        })
    })
}

/// Like [`capabilities`], with each item's index in the list (for JSON paths).
pub fn capability_items<'a>(c: &Container<'a>, list: &str) -> Vec<(usize, String, &'a Node)> {
    c.node
        .at(&["securityContext", "capabilities", list])
        .map(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            n.as_str().map(|s| {
                let up = s.trim().to_ascii_uppercase();
                let name = up.strip_prefix("CAP_").map(str::to_string).unwrap_or(up);
                (i, name, n)
            })
        })
        .collect()
}

/// The node to point at when a container's `capabilities.drop` lacks something: the `drop` list, else the
/// `capabilities` key, else [`sc_anchor`]. Returns the node and its path relative to the container.
pub fn drop_anchor<'a>(c: &Container<'a>) -> (&'a Node, &'static str) {
    let caps = c
        .node
        .at(&["securityContext", "capabilities"])
        .filter(|n| !n.is_null());
    match caps {
        Some(caps) => match caps.get("drop").filter(|n| !n.is_null()) {
            Some(drop) => (drop, "securityContext.capabilities.drop"),
            None => (caps, "securityContext.capabilities"),
        },
        None => sc_anchor(c),
    }
}

/// One item of the `rules` list of an RBAC Role or ClusterRole (group `rbac.authorization.k8s.io`).
pub struct RbacRule<'a> {
    pub id: crate::inventory::ObjectId,
    pub object: &'a crate::source::Object,
    /// The rule item itself.
    pub node: &'a Node,
    /// Index of the item in `rules`.
    pub index: usize,
    pub verbs: Vec<&'a str>,
    pub api_groups: Vec<&'a str>,
    pub resources: Vec<&'a str>,
}

impl<'a> RbacRule<'a> {
    /// JSON path of a field of the rule item (`rules[2].verbs`), or of the item itself for `""`.
    pub fn path(&self, field: &str) -> String {
        if field.is_empty() {
            format!("rules[{}]", self.index)
        } else {
            format!("rules[{}].{field}", self.index)
        }
    }
    /// The node of a field of the rule item, else the item itself.
    pub fn field(&self, field: &str) -> &'a Node {
        self.node
            .get(field)
            .filter(|n| !n.is_null())
            .unwrap_or(self.node)
    }
    /// The rule's verbs that grant any of `wanted` (a `*` verb grants everything).
    pub fn granting_verbs(&self, wanted: &[&str]) -> Vec<&'a str> {
        self.verbs
            .iter()
            .copied()
            .filter(|v| *v == "*" || wanted.iter().any(|w| v.eq_ignore_ascii_case(w)))
            .collect()
    }
    /// Whether the rule covers an API group (`*` covers all; the core group is `""`).
    pub fn in_group(&self, group: &str) -> bool {
        self.api_groups.iter().any(|g| *g == "*" || *g == group)
    }
    /// Whether the rule covers a resource or `resource/subresource`. Besides Kubernetes' own matching (`*`, exact,
    /// `*/subresource`), `resource/*` is taken to cover every subresource of `resource`, as it states that intent.
    pub fn on_resource(&self, wanted: &str) -> bool {
        let (parent, sub) = match wanted.split_once('/') {
            Some((p, s)) => (p, Some(s)),
            None => (wanted, None),
        };
        self.resources.iter().any(|r| {
            *r == "*"
                || r.eq_ignore_ascii_case(wanted)
                || sub.is_some_and(|s| {
                    r.strip_prefix("*/")
                        .is_some_and(|rs| rs.eq_ignore_ascii_case(s))
                        || r.strip_suffix("/*")
                            .is_some_and(|rp| rp.eq_ignore_ascii_case(parent))
                })
        })
    }
    /// The resources among `wanted` (pairs of API group and resource) that the rule covers.
    pub fn covered<'w>(&self, wanted: &[(&str, &'w str)]) -> Vec<&'w str> {
        let mut out: Vec<&'w str> = Vec::new();
        for (group, res) in wanted {
            if self.in_group(group) && self.on_resource(res) && !out.contains(res) {
                out.push(res);
            }
        }
        out
    }
    /// Whether the rule is limited to named objects (`resourceNames`).
    pub fn has_resource_names(&self) -> bool {
        self.node
            .get("resourceNames")
            .is_some_and(|n| !n.as_seq().is_empty())
    }
    /// `ClusterRole "ops" rule 0`.
    pub fn describe(&self) -> String {
        format!(
            "{} \"{}\" rule {}",
            self.object.kind(),
            self.object.name(),
            self.index
        )
    }
}

/// Every rule item of every Role and ClusterRole, except objects whose name starts with `system:` (the
/// control plane's own roles). Aggregated ClusterRoles without `rules` yield nothing.
pub fn rbac_rules<'a>(cx: &crate::rule::Ctx<'a>) -> Vec<RbacRule<'a>> {
    let mut out = Vec::new();
    for kind in ["Role", "ClusterRole"] {
        for (id, object) in cx.objects_of_kind("rbac.authorization.k8s.io", kind) {
            if object.name().starts_with("system:") {
                continue;
            }
            let items = object.root.get("rules").map(Node::as_seq).unwrap_or(&[]);
            for (index, node) in items.iter().enumerate() {
                if !node.is_map() {
                    continue;
                }
                out.push(RbacRule {
                    id,
                    object,
                    node,
                    index,
                    verbs: strings(node.get("verbs")),
                    api_groups: strings(node.get("apiGroups")),
                    resources: strings(node.get("resources")),
                });
            }
        }
    }
    out.sort_by_key(|r| (r.id, r.index));
    out
}

/// Reports every workload whose pod spec sets a boolean field to `true` (`hostPID`, `hostIPC`, ...), with the
/// message "<object> <what> (<field>: true)".
pub fn pod_flag_true(cx: &Ctx<'_>, out: &mut Out, field: &str, what: &str) {
    for w in cx.workloads() {
        if let Some(n) = w.spec.get(field).filter(|n| n.is_true()) {
            out.at(
                w.id,
                n,
                w.path(field),
                format!("{} {what} ({field}: true)", w.describe()),
            );
        }
    }
}

/// Reports each regular container (init and ephemeral containers cannot have probes) of a long-running workload
/// that lacks `probe` (`readinessProbe`, `livenessProbe`).
pub fn missing_probe(cx: &Ctx<'_>, out: &mut Out, probe: &str) {
    for w in cx.workloads().filter(|w| is_long_running(w)) {
        for c in w.containers() {
            if c.kind != ContainerKind::Container || c.node.get(probe).is_some_and(|p| !p.is_null())
            {
                continue;
            }
            out.at(
                w.id,
                c.anchor(),
                w.cpath(&c, ""),
                format!("{} has no {probe}", c.describe()),
            );
        }
    }
}

/// Whether an RBAC rule restricted with `resourceNames` is exempt from a grant check.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum NamedOnlyIsExempt {
    Yes,
    No,
}

/// Reports every Role/ClusterRole rule that grants any of `verbs` on any of `resources` (API group, resource),
/// at its `verbs`, with the message "<rule> grants <verbs> on <resources>".
pub fn report_grants(
    cx: &Ctx<'_>,
    out: &mut Out,
    resources: &[(&str, &str)],
    verbs: &[&str],
    named_only: NamedOnlyIsExempt,
) {
    for r in rbac_rules(cx) {
        if named_only == NamedOnlyIsExempt::Yes && r.has_resource_names() {
            continue;
        }
        let covered = r.covered(resources);
        let granted = r.granting_verbs(verbs);
        if covered.is_empty() || granted.is_empty() {
            continue;
        }
        out.at(
            r.id,
            r.field("verbs"),
            r.path("verbs"),
            format!(
                "{} grants {} on {}",
                r.describe(),
                granted.join(", "),
                covered.join(", ")
            ),
        );
    }
}

/// Which container resource setting a check asks for.
#[derive(Clone, Copy)]
pub enum ResourceField {
    /// `resources.limits`.
    Limits,
    /// `resources.requests` (a limit alone also sets the request, as the API server defaults it).
    Requests,
}

impl ResourceField {
    fn key(self) -> &'static str {
        match self {
            ResourceField::Limits => "limits",
            ResourceField::Requests => "requests",
        }
    }
    fn path(self) -> &'static str {
        match self {
            ResourceField::Limits => "resources.limits",
            ResourceField::Requests => "resources.requests",
        }
    }
    fn set_by(self) -> &'static [&'static str] {
        match self {
            ResourceField::Limits => &["limits"],
            ResourceField::Requests => &["requests", "limits"],
        }
    }
    fn noun(self) -> &'static str {
        match self {
            ResourceField::Limits => "limit",
            ResourceField::Requests => "request",
        }
    }
}

/// Reports every regular and init container whose CPU or memory `field` is set neither on the container, nor at
/// pod level, nor by a LimitRange default in its namespace (AV005, AV006).
pub fn missing_resources(cx: &Ctx<'_>, out: &mut Out, field: ResourceField) {
    for w in cx.workloads() {
        let defaults = limit_range_defaults(cx, w.object.namespace_or_default());
        let defaulted = match field {
            ResourceField::Limits => &defaults.limits,
            ResourceField::Requests => &defaults.requests,
        };
        for c in w.containers() {
            if c.kind == ContainerKind::Ephemeral {
                continue;
            }
            let missing: Vec<&str> = ["cpu", "memory"]
                .into_iter()
                .filter(|r| {
                    let set = |node: &Node| {
                        field.set_by().iter().any(|kind| {
                            node.at(&["resources", kind, r])
                                .is_some_and(|n| !n.is_null())
                        })
                    };
                    !set(c.node) && !set(w.spec) && !defaulted.contains(*r)
                })
                .collect();
            let resource = match missing.as_slice() {
                [] => continue,
                ["cpu"] => "CPU",
                ["memory"] => "memory",
                _ => "CPU or memory",
            };
            let (node, rel) = match c.node.get("resources").filter(|n| !n.is_null()) {
                Some(res) => match res.get(field.key()).filter(|n| !n.is_null()) {
                    Some(l) => (l, field.path()),
                    None => (res, "resources"),
                },
                None => (c.anchor(), ""),
            };
            out.at(
                w.id,
                node,
                w.cpath(&c, rel),
                format!("{} has no {resource} {}", c.describe(), field.noun()),
            );
        }
    }
}
