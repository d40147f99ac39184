//! PHI scope: which namespaces and objects hold or handle PHI, and why.
//!
//! In order of precedence:
//! 1. the label or annotation `phiguard.io/phi` on the object (`"true"` in, `"false"` out);
//! 2. the same on its Namespace object, or the namespace named in `[phi] namespaces`;
//! 3. `[phi] labels` matching a workload's pod labels;
//! 4. heuristics (when enabled): a workload running a FHIR, HL7 or DICOM server (by image or port) is in scope,
//!    and so is its namespace, which brings the databases and services beside it into scope too.

use std::collections::{BTreeMap, HashMap};

use crate::image::ImageRef;
use crate::inventory::{containers, Inventory, ObjectId};
use crate::settings::{glob, Settings};
use crate::source::Object;
use crate::yaml::Node;

/// The label/annotation that marks PHI scope.
pub const PHI_KEY: &str = "phiguard.io/phi";

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Scope {
    /// Namespaces in PHI scope, with the reasons.
    pub namespaces: BTreeMap<String, Vec<String>>,
    /// Objects in PHI scope, with the reasons.
    #[serde(skip)]
    pub objects: HashMap<ObjectId, Vec<String>>,
}

impl Scope {
    pub fn object_in_scope(&self, id: ObjectId) -> bool {
        self.objects.contains_key(&id)
    }
    pub fn namespace_in_scope(&self, ns: &str) -> bool {
        self.namespaces.contains_key(ns)
    }
    pub fn reasons(&self, id: ObjectId) -> &[String] {
        self.objects.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }
}

fn flag(obj: &Object) -> Option<bool> {
    let v = obj.label(PHI_KEY).or_else(|| obj.annotation(PHI_KEY))?;
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" => Some(true),
        "false" | "no" => Some(false),
        _ => None,
    }
}

/// The image's repository name (last path component), lower-cased; empty for an empty reference.
fn image_name(image: &str) -> String {
    ImageRef::parse(image).map(|r| r.name()).unwrap_or_default()
}

/// What kind of PHI server an image or port suggests.
pub fn phi_server_hint(image: &str, ports: &[i64]) -> Option<&'static str> {
    let repo = image_name(image);
    let full = image.to_ascii_lowercase();
    const FHIR: &[&str] = &["fhir", "hapi", "medplum", "aidbox"];
    const HL7: &[&str] = &["hl7", "mirth", "nextgenhealthcare/connect", "openhim"];
    const DICOM: &[&str] = &["dicom", "orthanc", "dcm4che", "dcm4chee", "ohif"];
    if FHIR.iter().any(|k| repo.contains(k)) {
        return Some("a FHIR server");
    }
    if HL7.iter().any(|k| repo.contains(k) || full.contains(k)) {
        return Some("an HL7 interface engine");
    }
    if DICOM.iter().any(|k| repo.contains(k)) {
        return Some("a DICOM/PACS server");
    }
    if ports.contains(&2575) {
        return Some("an HL7 MLLP listener (port 2575)");
    }
    if ports.contains(&104) || ports.contains(&11112) {
        return Some("a DICOM listener (port 104/11112)");
    }
    None
}

/// Whether an image looks like a database or other data store.
pub fn data_store_hint(image: &str) -> bool {
    let repo = image_name(image);
    const STORES: &[&str] = &[
        "postgres",
        "mysql",
        "mariadb",
        "mongo",
        "redis",
        "cassandra",
        "elasticsearch",
        "opensearch",
        "mssql",
        "sqlserver",
        "oracle",
        "cockroach",
        "couchdb",
        "minio",
        "timescale",
        "valkey",
        "etcd",
    ];
    STORES.iter().any(|s| repo.contains(s))
}

/// Container ports of a pod spec.
pub fn container_ports(spec: &Node) -> Vec<i64> {
    containers(spec)
        .iter()
        .flat_map(|c| c.node.get("ports").map(Node::as_seq).unwrap_or(&[]))
        .filter_map(|p| p.get("containerPort").and_then(Node::as_i64))
        .collect()
}

/// Computes the PHI scope of an inventory.
pub fn compute(inv: &Inventory, settings: &Settings) -> Scope {
    let mut scope = Scope::default();
    let mut excluded_ns: Vec<String> = Vec::new();

    // Namespaces by their own marker or by configuration.
    for (_, ns) in inv.of_kind("Namespace") {
        match flag(ns) {
            Some(true) => scope
                .namespaces
                .entry(ns.name().to_string())
                .or_default()
                .push(format!("Namespace is labelled {PHI_KEY}=true")),
            Some(false) => excluded_ns.push(ns.name().to_string()),
            None => {}
        }
    }
    for ns in &inv.namespaces {
        if let Some(pat) = settings.phi.namespaces.iter().find(|p| glob(p, ns)) {
            scope
                .namespaces
                .entry(ns.clone())
                .or_default()
                .push(format!(
                    "listed in phiguard.toml [phi] namespaces (`{pat}`)"
                ));
        }
    }

    // Workloads by labels, configuration and heuristics; heuristics also bring their namespace in.
    let mut workload_reasons: HashMap<ObjectId, Vec<String>> = HashMap::new();
    for w in &inv.workloads {
        let obj = inv.object(w.object);
        let mut reasons = Vec::new();
        if !settings.phi.labels.is_empty()
            && settings
                .phi
                .labels
                .iter()
                .all(|(k, v)| w.pod_labels.get(k) == Some(v))
        {
            reasons.push("pod labels match phiguard.toml [phi] labels".to_string());
        }
        if w.pod_labels.get(PHI_KEY).is_some_and(|v| v == "true")
            || w.pod_annotations.get(PHI_KEY).is_some_and(|v| v == "true")
        {
            reasons.push(format!("pod template is labelled {PHI_KEY}=true"));
        }
        if settings.phi.heuristics && flag(obj) != Some(false) {
            let spec = inv.pod_spec(w);
            let ports = container_ports(spec);
            for c in containers(spec) {
                if let Some(hint) = phi_server_hint(c.image(), &ports) {
                    reasons.push(format!(
                        "runs {hint} (container \"{}\", image {})",
                        c.name(),
                        c.image()
                    ));
                    let ns = obj.namespace_or_default().to_string();
                    if !excluded_ns.contains(&ns) {
                        scope.namespaces.entry(ns).or_default().push(format!(
                            "contains {} {}, which runs {hint}",
                            obj.kind(),
                            obj.name()
                        ));
                    }
                    break;
                }
            }
        }
        if !reasons.is_empty() {
            workload_reasons.insert(w.object, reasons);
        }
    }
    for reasons in scope.namespaces.values_mut() {
        reasons.dedup();
    }

    // Every object: its own flag, then its namespace, then workload reasons.
    for (id, obj) in inv.objects.iter().enumerate() {
        let mut reasons = Vec::new();
        match flag(obj) {
            Some(false) => continue,
            Some(true) => reasons.push(format!("labelled {PHI_KEY}=true")),
            None => {}
        }
        if obj.kind() == "Namespace" {
            if let Some(r) = scope.namespaces.get(obj.name()) {
                reasons.extend(r.iter().cloned());
            }
        } else if let Some(ns) = &obj.reference.namespace {
            if scope.namespaces.contains_key(ns) {
                reasons.push(format!("in PHI namespace {ns}"));
            }
        } else if scope.namespaces.contains_key("default") && !is_cluster_scoped(obj.kind()) {
            reasons.push("in PHI namespace default".to_string());
        }
        if let Some(r) = workload_reasons.remove(&id) {
            reasons.extend(r);
        }
        if !reasons.is_empty() {
            if let Some(w) = inv.workload_of(id) {
                if reasons.iter().any(|r| r.starts_with("in PHI namespace"))
                    && containers(inv.pod_spec(w))
                        .iter()
                        .any(|c| data_store_hint(c.image()))
                {
                    reasons.push("runs a data store that can hold PHI".to_string());
                }
            }
            scope.objects.insert(id, reasons);
        }
    }
    scope
}

/// Kinds that have no namespace.
pub fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "Node"
            | "PersistentVolume"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "StorageClass"
            | "CustomResourceDefinition"
            | "ValidatingWebhookConfiguration"
            | "MutatingWebhookConfiguration"
            | "PriorityClass"
            | "IngressClass"
            | "CSIDriver"
            | "RuntimeClass"
            | "APIService"
            | "PodSecurityPolicy"
            | "GlobalNetworkPolicy"
            | "AdminNetworkPolicy"
            | "BaselineAdminNetworkPolicy"
            | "ClusterIssuer"
    )
}
