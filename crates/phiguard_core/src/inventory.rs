//! All objects of one scan, with the views rules need: pod templates, containers, selectors, namespaces.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::source::{Object, Source, SourceId};
use crate::yaml::Node;

/// Index of an object in the inventory.
pub type ObjectId = usize;

/// Where a kind keeps its pod template, as a path of keys from the object root.
pub fn pod_template_path(
    group: &str,
    kind: &str,
) -> Option<(&'static [&'static str], &'static [&'static str])> {
    const TEMPLATE_SPEC: &[&str] = &["spec", "template", "spec"];
    const TEMPLATE_META: &[&str] = &["spec", "template", "metadata"];
    match (group, kind) {
        ("", "Pod") => Some((&["spec"], &["metadata"])),
        ("apps" | "extensions", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("", "ReplicationController")
        | ("batch", "Job")
        | ("argoproj.io", "Rollout") => Some((TEMPLATE_SPEC, TEMPLATE_META)),
        ("batch", "CronJob") => Some((
            &["spec", "jobTemplate", "spec", "template", "spec"],
            &["spec", "jobTemplate", "spec", "template", "metadata"],
        )),
        ("", "PodTemplate") => Some((&["template", "spec"], &["template", "metadata"])),
        _ => None,
    }
}

/// A workload: an object with a pod template.
#[derive(Debug)]
pub struct Workload {
    pub object: ObjectId,
    spec_path: &'static [&'static str],
    meta_path: &'static [&'static str],
    /// Labels of the pods it creates.
    pub pod_labels: BTreeMap<String, String>,
    /// Annotations of the pods it creates.
    pub pod_annotations: BTreeMap<String, String>,
}

impl Workload {
    /// The JSON path of the pod spec, relative to the object root.
    pub fn spec_path(&self) -> String {
        self.spec_path.join(".")
    }
}

/// All objects of one scan.
#[derive(Debug, Default)]
pub struct Inventory {
    pub sources: Vec<Source>,
    pub objects: Vec<Object>,
    pub workloads: Vec<Workload>,
    /// For each object, the index of its workload in `workloads`.
    workload_index: HashMap<ObjectId, usize>,
    by_kind: HashMap<String, Vec<ObjectId>>,
    /// Namespaces named by any object or declared by a Namespace object.
    pub namespaces: BTreeSet<String>,
}

impl Inventory {
    pub fn new(sources: Vec<Source>, objects: Vec<Object>) -> Self {
        let mut inv = Inventory {
            sources,
            objects,
            ..Default::default()
        };
        for (id, obj) in inv.objects.iter().enumerate() {
            inv.by_kind
                .entry(obj.kind().to_string())
                .or_default()
                .push(id);
            if obj.kind() == "Namespace" {
                inv.namespaces.insert(obj.name().to_string());
            } else if let Some(ns) = &obj.reference.namespace {
                inv.namespaces.insert(ns.clone());
            }
            if let Some((spec_path, meta_path)) = pod_template_path(obj.group(), obj.kind()) {
                let meta = obj.root.at(meta_path);
                inv.workload_index.insert(id, inv.workloads.len());
                inv.workloads.push(Workload {
                    object: id,
                    spec_path,
                    meta_path,
                    pod_labels: crate::source::string_map(meta.and_then(|m| m.get("labels"))),
                    pod_annotations: crate::source::string_map(
                        meta.and_then(|m| m.get("annotations")),
                    ),
                });
            }
        }
        inv
    }

    pub fn object(&self, id: ObjectId) -> &Object {
        &self.objects[id]
    }

    pub fn source_of(&self, obj: &Object) -> Option<&Source> {
        self.sources.get(obj.source)
    }

    pub fn source(&self, id: SourceId) -> Option<&Source> {
        self.sources.get(id)
    }

    /// Objects of one kind (any group).
    pub fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = (ObjectId, &'a Object)> + 'a {
        self.by_kind
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(move |&id| (id, &self.objects[id]))
    }

    /// The pod spec node of a workload.
    pub fn pod_spec(&self, w: &Workload) -> &Node {
        self.objects[w.object]
            .root
            .at(w.spec_path)
            .unwrap_or(Node::null())
    }

    /// The pod template metadata node of a workload, if present.
    pub fn pod_meta(&self, w: &Workload) -> Option<&Node> {
        self.objects[w.object].root.at(w.meta_path)
    }

    /// The workload that an object is, if it is one.
    pub fn workload_of(&self, id: ObjectId) -> Option<&Workload> {
        self.workload_index.get(&id).map(|&i| &self.workloads[i])
    }

    /// Workloads in a namespace whose pod labels a label selector matches.
    pub fn workloads_selected<'a>(
        &'a self,
        namespace: &'a str,
        selector: &'a Node,
    ) -> impl Iterator<Item = &'a Workload> + 'a {
        self.workloads.iter().filter(move |w| {
            self.objects[w.object].namespace_or_default() == namespace
                && label_selector_matches(selector, &w.pod_labels)
        })
    }
}

/// The kind of a container in a pod spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Container,
    Init,
    Ephemeral,
}

impl ContainerKind {
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Container => "containers",
            ContainerKind::Init => "initContainers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ContainerKind::Container => "container",
            ContainerKind::Init => "init container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

/// One container of a pod spec.
#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    pub node: &'a Node,
    pub kind: ContainerKind,
    pub index: usize,
}

impl<'a> Container<'a> {
    pub fn name(&self) -> &'a str {
        self.node.get("name").and_then(Node::as_str).unwrap_or("")
    }
    /// Path relative to the pod spec, e.g. `containers[0]`.
    pub fn path(&self) -> String {
        format!("{}[{}]", self.kind.field(), self.index)
    }
    /// The node a diagnostic about the container as a whole should point at (its name).
    pub fn anchor(&self) -> &'a Node {
        self.node.get("name").unwrap_or(self.node)
    }
    pub fn image(&self) -> &'a str {
        self.node.get("image").and_then(Node::as_str).unwrap_or("")
    }
    /// A security context field of the container, if set.
    pub fn sc(&self, field: &str) -> Option<&'a Node> {
        self.node
            .at(&["securityContext", field])
            .filter(|n| !n.is_null())
    }
    /// A short description: `container "api"`.
    pub fn describe(&self) -> String {
        format!("{} \"{}\"", self.kind.label(), self.name())
    }
}

/// The containers of a pod spec, in the order containers, initContainers, ephemeralContainers.
pub fn containers(spec: &Node) -> Vec<Container<'_>> {
    let mut out = Vec::new();
    for kind in [
        ContainerKind::Container,
        ContainerKind::Init,
        ContainerKind::Ephemeral,
    ] {
        if let Some(list) = spec.get(kind.field()) {
            for (index, node) in list.as_seq().iter().enumerate() {
                if node.is_map() {
                    out.push(Container { node, kind, index });
                }
            }
        }
    }
    out
}

/// Evaluates a metav1.LabelSelector (matchLabels and matchExpressions) against labels.
/// An empty selector matches everything; a null selector matches everything as well (callers that need
/// "absent selects nothing" check for absence first).
pub fn label_selector_matches(selector: &Node, labels: &BTreeMap<String, String>) -> bool {
    if let Some(ml) = selector.get("matchLabels") {
        for (k, v) in ml.as_map() {
            if labels.get(k).map(String::as_str) != Some(v.as_str().unwrap_or("")) {
                return false;
            }
        }
    }
    if let Some(exprs) = selector.get("matchExpressions") {
        for e in exprs.as_seq() {
            let key = e.get("key").and_then(Node::as_str).unwrap_or("");
            let op = e.get("operator").and_then(Node::as_str).unwrap_or("");
            let values: Vec<&str> = e
                .get("values")
                .map(|v| v.as_seq().iter().filter_map(Node::as_str).collect())
                .unwrap_or_default();
            let have = labels.get(key);
            let ok = match op {
                "In" => have.is_some_and(|h| values.contains(&h.as_str())),
                "NotIn" => !have.is_some_and(|h| values.contains(&h.as_str())),
                "Exists" => have.is_some(),
                "DoesNotExist" => have.is_none(),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

/// Evaluates a plain equality selector (Service, ReplicationController) against labels.
/// An empty selector matches nothing (a Service without selector selects no pods).
pub fn map_selector_matches(selector: &Node, labels: &BTreeMap<String, String>) -> bool {
    let entries = selector.as_map();
    !entries.is_empty()
        && entries
            .iter()
            .all(|(k, v)| labels.get(k).map(String::as_str) == Some(v.as_str().unwrap_or("")))
}
