//! Admission decisions: one object judged by the same rules and engine as a scan.
//!
//! `phiguard serve` hands each object of an admission request to [`decide`]. The object is parsed like a
//! manifest, placed in an inventory of its own (with its namespace, and that namespace's labels when known), the
//! PHI scope is computed from the object, its namespace and `phiguard.toml`, and [`crate::engine::evaluate`] runs
//! the enabled rules and applies waivers exactly as `phiguard scan` does.
//!
//! Rules that judge the absence of *other* objects (a NetworkPolicy selecting the workload, a default-deny policy,
//! a PodDisruptionBudget, a HorizontalPodAutoscaler that sets the replica count, an expired waiver in the
//! configuration) cannot be decided from one object and are left to `phiguard scan`; they are listed in
//! [`CLUSTER_CONTEXT_RULES`]. Denying on them would refuse objects that the rest of the cluster makes compliant.

use std::collections::BTreeMap;

use crate::engine;
use crate::finding::Finding;
use crate::inventory::Inventory;
use crate::rule::Severity;
use crate::rules::CATALOG;
use crate::scope;
use crate::settings::{glob, Date, Selector, Settings};
use crate::source::{objects_from_tree, parse_source, LoadError, ObjectRef, Source};
use crate::yaml::{Node, Pos, Scalar, Value};

/// Rules that need the rest of the cluster (other objects or the configuration file) to decide, so admission of
/// a single object does not run them: the segmentation proofs need every policy and workload, the RBAC analyses
/// every role and binding.
pub const CLUSTER_CONTEXT_RULES: &[&str] = &[
    "NW001", "NW002", "NW003", "NW009", "NW010", "NW011", "NW012", "AV001", "AV002", "ID013",
    "ID014", "ID015", "ID016", "ID017", "PG001",
];

/// The name findings of an admitted object carry as their file.
pub const SOURCE_NAME: &str = "<admission>";

/// Why an object could not be judged.
#[derive(Debug, thiserror::Error)]
pub enum AdmissionError {
    #[error("the object is not valid JSON or YAML: {0}")]
    Parse(LoadError),
    #[error("the object is not a Kubernetes object (it has no apiVersion or kind)")]
    NotAnObject,
    #[error("expected exactly one object, found {0}")]
    NotOne(usize),
}

/// The admission operation, as in `admission.k8s.io/v1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    Connect,
}

impl Operation {
    pub fn parse(s: &str) -> Option<Operation> {
        match s {
            "CREATE" => Some(Operation::Create),
            "UPDATE" => Some(Operation::Update),
            "DELETE" => Some(Operation::Delete),
            "CONNECT" => Some(Operation::Connect),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
        }
    }
}

/// What the admission decision is about.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    pub operation: Operation,
    /// The object as sent (JSON or YAML); absent for DELETE.
    pub object: Option<&'a str>,
    /// The object before an UPDATE.
    pub old_object: Option<&'a str>,
    /// The request's namespace (applied to the object when its metadata has none).
    pub namespace: Option<&'a str>,
    /// The namespace's labels, when the caller knows them (they can put the namespace in PHI scope).
    pub namespace_labels: Option<&'a BTreeMap<String, String>>,
    /// The subresource, e.g. `status`, `scale` or `ephemeralcontainers`.
    pub sub_resource: Option<&'a str>,
}

/// Why a request was admitted without running the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    /// The namespace matches `[admission] exempt-namespaces`.
    ExemptNamespace(String),
    /// DELETE and CONNECT admit nothing new.
    Operation(Operation),
    /// A subresource that cannot change a pod's security properties (`status`, `scale`, ...).
    SubResource(String),
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::ExemptNamespace(p) => {
                write!(
                    f,
                    "namespace is exempt by [admission] exempt-namespaces (`{p}`)"
                )
            }
            Skip::Operation(op) => write!(f, "{} admits no new object", op.as_str()),
            Skip::SubResource(s) => write!(f, "subresource `{s}` is not evaluated"),
        }
    }
}

/// The decision for one request.
#[derive(Clone, Debug, Default)]
pub struct Decision {
    /// The judged object (absent when skipped).
    pub object: Option<ObjectRef>,
    /// Findings at or above the deny level.
    pub denying: Vec<Finding>,
    /// Findings below the deny level.
    pub warnings: Vec<Finding>,
    /// Findings at the deny level that the old object already had (UPDATE with `allow-existing-on-update`).
    pub preexisting: Vec<Finding>,
    /// Findings suppressed by a waiver.
    pub waived: Vec<Finding>,
    /// Whether the object is in PHI scope.
    pub phi_scope: bool,
    /// Set when the rules did not run.
    pub skipped: Option<Skip>,
    /// `[admission] audit-only`: never deny.
    pub audit_only: bool,
    /// The level at which findings deny.
    pub deny_on: Option<Severity>,
}

impl Decision {
    /// Whether the request is allowed.
    pub fn allowed(&self) -> bool {
        self.audit_only || self.denying.is_empty()
    }

    /// The denial message: codes, fields and the first line of each remediation.
    pub fn message(&self) -> String {
        if self.denying.is_empty() {
            return String::new();
        }
        let what = self
            .object
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_else(|| "object".to_string());
        let mut codes: Vec<&str> = self.denying.iter().map(|f| f.code).collect();
        codes.dedup();
        let mut msg = format!(
            "phiguard denied {what}: {} finding(s) at or above {} ({})",
            self.denying.len(),
            self.deny_on.map(Severity::as_str).unwrap_or("low"),
            codes.join(", ")
        );
        for (i, f) in self.denying.iter().enumerate() {
            if i == MAX_LISTED {
                msg.push_str(&format!(
                    "\n- ... and {} more (run `phiguard scan` on the manifest for all of them)",
                    self.denying.len() - MAX_LISTED
                ));
                break;
            }
            msg.push_str(&format!(
                "\n- {} [{}] {}: {}. Fix: {}",
                f.code,
                f.severity,
                f.path,
                f.message,
                first_line(f.remediation)
            ));
        }
        msg
    }

    /// One short line per finding below the deny level (and, in audit-only mode, per finding that would deny).
    pub fn warning_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.audit_only {
            for f in &self.denying {
                lines.push(warning_line("audit-only, would deny: ", f));
            }
        }
        for f in &self.preexisting {
            lines.push(warning_line("already present, not denied on update: ", f));
        }
        for f in &self.warnings {
            lines.push(warning_line("", f));
        }
        lines
    }
}

/// Findings listed one by one in a denial message.
const MAX_LISTED: usize = 20;

/// Kubernetes truncates longer warnings; keep each within this many bytes.
const MAX_WARNING: usize = 250;

fn warning_line(prefix: &str, f: &Finding) -> String {
    let mut s = format!(
        "{prefix}{} [{}] {}: {}",
        f.code, f.severity, f.path, f.message
    );
    if s.len() > MAX_WARNING {
        let mut cut = MAX_WARNING - 3;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

fn first_line(text: &str) -> &str {
    let line = text.lines().next().unwrap_or("").trim();
    line.strip_suffix(':').unwrap_or(line)
}

/// Settings prepared once for admission: the configured settings without the cluster-context rules.
#[derive(Clone, Debug)]
pub struct Policy {
    settings: Settings,
    deny_on: Severity,
}

impl Policy {
    pub fn new(settings: Settings) -> Policy {
        let mut settings = settings;
        for code in CLUSTER_CONTEXT_RULES {
            if let Some(rule) = CATALOG.iter().find(|r| r.code == *code) {
                settings.ignore.push(Selector::Code(rule.code));
            }
        }
        let deny_on = settings.admission.deny_on.unwrap_or(settings.fail_on);
        Policy { settings, deny_on }
    }
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
    pub fn deny_on(&self) -> Severity {
        self.deny_on
    }
    /// The codes of the rules admission runs.
    pub fn rules(&self) -> Vec<&'static str> {
        engine::enabled_rules(&self.settings)
            .iter()
            .map(|r| r.code)
            .collect()
    }
}

/// The findings for one object, as a scan of that object alone would report them.
#[derive(Debug)]
pub struct Evaluation {
    pub object: ObjectRef,
    pub findings: Vec<Finding>,
    pub waived: Vec<Finding>,
    pub phi_scope: bool,
}

/// Judges one object (JSON or YAML text). `namespace` is applied to a namespaced object that names none.
pub fn evaluate_object(
    text: &str,
    namespace: Option<&str>,
    namespace_labels: Option<&BTreeMap<String, String>>,
    settings: &Settings,
    today: Date,
) -> Result<Evaluation, AdmissionError> {
    let source = Source::new(SOURCE_NAME, text.to_string());
    // Admission requests carry JSON: read it directly (several times faster than the YAML parser). Anything
    // else, and JSON that does not parse, goes through the YAML parser, which also positions the errors.
    let mut parsed = match serde_json::from_str::<JsonNode>(text) {
        Ok(JsonNode(root)) if root.is_map() => objects_from_tree(0, &source, root),
        _ => parse_source(0, &source),
    };
    if let Some(e) = parsed.errors.into_iter().next() {
        return Err(AdmissionError::Parse(e));
    }
    match parsed.objects.len() {
        0 => return Err(AdmissionError::NotAnObject),
        1 => {}
        n => return Err(AdmissionError::NotOne(n)),
    }
    let mut objects = std::mem::take(&mut parsed.objects);
    let mut sources = vec![source];
    if let Some(obj) = objects.first_mut() {
        if obj.reference.namespace.is_none() && !scope::is_cluster_scoped(obj.kind()) {
            obj.reference.namespace = namespace.map(str::to_string);
        }
    }
    let target = objects.first().map(|o| o.reference.clone());
    let Some(target) = target else {
        return Err(AdmissionError::NotAnObject);
    };
    // The namespace itself, with its labels, so that a labelled PHI namespace puts the object in scope.
    if let (Some(ns), Some(labels)) = (target.namespace.as_deref(), namespace_labels) {
        let json = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": ns, "labels": labels},
        });
        let ns_source = Source::new("<namespace>", json.to_string());
        let ns_parsed = parse_source(1, &ns_source);
        objects.extend(ns_parsed.objects);
        sources.push(ns_source);
    }
    let inv = Inventory::new(sources, objects);
    let scope = scope::compute(&inv, settings);
    let phi_scope = scope.object_in_scope(0);
    let report = engine::evaluate(&inv, &scope, settings, today);
    let mine = |f: &Finding| f.object.as_ref() == Some(&target);
    Ok(Evaluation {
        findings: report.findings.into_iter().filter(mine).collect(),
        waived: report.waived.into_iter().filter(mine).collect(),
        object: target,
        phi_scope,
    })
}

/// A document tree read from JSON, keys in document order. JSON carries no positions the engine could use, so
/// every node is placed at line 1, column 1 (findings are located by their path).
struct JsonNode(Node);

const JSON_POS: Pos = Pos { line: 1, col: 1 };

fn json_node(value: Value) -> Node {
    Node {
        value,
        pos: JSON_POS,
        key_pos: JSON_POS,
    }
}

fn json_scalar(text: String, plain: bool) -> Node {
    json_node(Value::Scalar(Scalar { text, plain }))
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = JsonNode;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<JsonNode, E> {
        Ok(JsonNode(json_scalar(v.to_string(), true)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<JsonNode, E> {
        Ok(JsonNode(json_scalar(v.to_string(), true)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<JsonNode, E> {
        Ok(JsonNode(json_scalar(v.to_string(), true)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<JsonNode, E> {
        Ok(JsonNode(json_scalar(v.to_string(), true)))
    }
    fn visit_str<E>(self, v: &str) -> Result<JsonNode, E> {
        Ok(JsonNode(json_scalar(v.to_string(), false)))
    }
    fn visit_string<E>(self, v: String) -> Result<JsonNode, E> {
        Ok(JsonNode(json_scalar(v, false)))
    }
    fn visit_unit<E>(self) -> Result<JsonNode, E> {
        Ok(JsonNode(json_node(Value::Null)))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<JsonNode, A::Error> {
        let mut items = Vec::new();
        while let Some(JsonNode(n)) = seq.next_element()? {
            items.push(n);
        }
        Ok(JsonNode(json_node(Value::Seq(items))))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<JsonNode, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        while let Some((k, JsonNode(v))) = map.next_entry::<String, JsonNode>()? {
            // A repeated key replaces the earlier value, as Kubernetes' JSON decoding does.
            match entries.iter_mut().find(|(key, _)| *key == k) {
                Some(e) => e.1 = v,
                None => entries.push((k, v)),
            }
        }
        Ok(JsonNode(json_node(Value::Map(entries))))
    }
}

impl<'de> serde::Deserialize<'de> for JsonNode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<JsonNode, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

/// Decides one admission request.
pub fn decide(policy: &Policy, req: &Request<'_>, today: Date) -> Result<Decision, AdmissionError> {
    let settings = &policy.settings;
    let mut decision = Decision {
        audit_only: settings.admission.audit_only,
        deny_on: Some(policy.deny_on),
        ..Decision::default()
    };
    if let Some(ns) = req.namespace {
        if let Some(p) = settings
            .admission
            .exempt_namespaces
            .iter()
            .find(|p| glob(p, ns))
        {
            decision.skipped = Some(Skip::ExemptNamespace(p.clone()));
            return Ok(decision);
        }
    }
    if matches!(req.operation, Operation::Delete | Operation::Connect) {
        decision.skipped = Some(Skip::Operation(req.operation));
        return Ok(decision);
    }
    // Ephemeral containers change what runs in a pod; other subresources (status, scale, binding, ...) do not
    // change the pod template the rules judge.
    if let Some(sub) = req.sub_resource.filter(|s| !s.is_empty()) {
        if sub != "ephemeralcontainers" {
            decision.skipped = Some(Skip::SubResource(sub.to_string()));
            return Ok(decision);
        }
    }
    let Some(text) = req.object else {
        return Err(AdmissionError::NotAnObject);
    };
    let eval = evaluate_object(text, req.namespace, req.namespace_labels, settings, today)?;
    // Violations the old object already had, by rule and field.
    let old: Vec<(&'static str, String)> = match (req.operation, req.old_object) {
        (Operation::Update, Some(old)) if settings.admission.allow_existing_on_update => {
            // An old object that no longer parses cannot excuse anything.
            evaluate_object(old, req.namespace, req.namespace_labels, settings, today)
                .map(|e| e.findings.into_iter().map(|f| (f.code, f.path)).collect())
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    for f in eval.findings {
        if f.severity >= policy.deny_on {
            if old.iter().any(|(c, p)| *c == f.code && *p == f.path) {
                decision.preexisting.push(f);
            } else {
                decision.denying.push(f);
            }
        } else {
            decision.warnings.push(f);
        }
    }
    // Most severe first, so the start of a long denial says what matters most.
    decision
        .denying
        .sort_by_key(|f| std::cmp::Reverse(f.severity));
    decision
        .warnings
        .sort_by_key(|f| std::cmp::Reverse(f.severity));
    decision.waived = eval.waived;
    decision.phi_scope = eval.phi_scope;
    decision.object = Some(eval.object);
    Ok(decision)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const TODAY: Date = Date {
        year: 2026,
        month: 11,
        day: 24,
    };

    fn policy(toml: &str) -> Policy {
        Policy::new(Settings::from_toml("phiguard.toml", toml, &CATALOG).unwrap())
    }

    const PRIVILEGED: &str = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"name":"c","image":"nginx:1.27","securityContext":{"privileged":true}}]}}"#;

    fn create<'a>(obj: &'a str, ns: &'a str) -> Request<'a> {
        Request {
            operation: Operation::Create,
            object: Some(obj),
            old_object: None,
            namespace: Some(ns),
            namespace_labels: None,
            sub_resource: None,
        }
    }

    #[test]
    fn denies_at_the_deny_level_and_warns_below() {
        let p = policy("[admission]\ndeny-on = \"critical\"\n");
        let d = decide(&p, &create(PRIVILEGED, "apps"), TODAY).unwrap();
        assert!(!d.allowed());
        assert!(d.denying.iter().all(|f| f.severity == Severity::Critical));
        assert!(d.denying.iter().any(|f| f.code == "PS001"));
        assert!(!d.warnings.is_empty());
        assert!(d.message().contains("PS001"));
        assert!(d
            .message()
            .contains("spec.containers[0].securityContext.privileged"));
        assert_eq!(
            d.object.as_ref().unwrap().namespace.as_deref(),
            Some("apps")
        );
    }

    #[test]
    fn audit_only_allows_and_warns() {
        let p = policy("[admission]\naudit-only = true\n");
        let d = decide(&p, &create(PRIVILEGED, "apps"), TODAY).unwrap();
        assert!(d.allowed());
        assert!(d.warning_lines()[0].starts_with("audit-only, would deny: "));
    }

    #[test]
    fn exempt_namespaces_and_deletes_are_skipped() {
        let p = policy("[admission]\nexempt-namespaces = [\"kube-*\"]\n");
        let d = decide(&p, &create(PRIVILEGED, "kube-system"), TODAY).unwrap();
        assert!(d.allowed());
        assert!(matches!(d.skipped, Some(Skip::ExemptNamespace(_))));
        let mut del = create(PRIVILEGED, "apps");
        del.operation = Operation::Delete;
        del.object = None;
        assert!(decide(&p, &del, TODAY).unwrap().allowed());
    }

    #[test]
    fn update_may_keep_existing_violations() {
        let new = PRIVILEGED.replace(
            "\"name\":\"p\"}",
            "\"name\":\"p\",\"labels\":{\"x\":\"y\"}}",
        );
        let mut req = create(&new, "apps");
        req.operation = Operation::Update;
        req.old_object = Some(PRIVILEGED);
        let strict = decide(&policy(""), &req, TODAY).unwrap();
        assert!(!strict.allowed());
        let lenient = decide(
            &policy("[admission]\nallow-existing-on-update = true\n"),
            &req,
            TODAY,
        )
        .unwrap();
        assert!(lenient.allowed(), "{:?}", lenient.denying);
        assert!(lenient.preexisting.iter().any(|f| f.code == "PS001"));
        // A new violation is still denied.
        let worse = new.replace("\"privileged\":true", "\"privileged\":true,\"runAsUser\":0");
        req.object = Some(&worse);
        let d = decide(
            &policy("[admission]\nallow-existing-on-update = true\n"),
            &req,
            TODAY,
        )
        .unwrap();
        assert!(d.denying.iter().any(|f| f.code == "PS004"));
    }

    #[test]
    fn namespace_labels_and_config_put_objects_in_phi_scope() {
        let p = policy("");
        let mut labels = BTreeMap::new();
        labels.insert("phiguard.io/phi".to_string(), "true".to_string());
        let mut req = create(PRIVILEGED, "records");
        assert!(!decide(&p, &req, TODAY).unwrap().phi_scope);
        req.namespace_labels = Some(&labels);
        assert!(decide(&p, &req, TODAY).unwrap().phi_scope);
        let p = policy("[phi]\nnamespaces = [\"rec*\"]\n");
        req.namespace_labels = None;
        assert!(decide(&p, &req, TODAY).unwrap().phi_scope);
    }

    #[test]
    fn json_and_yaml_read_the_same_tree() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {a: \"1\"}\nspec:\n  hostPID: true\n  containers:\n  - name: c\n    image: nginx:1.27\n    ports: [{containerPort: 80}]\n    securityContext: {runAsUser: 0, privileged: false}\n";
        let source = Source::new("x", yaml.to_string());
        let from_yaml = parse_source(0, &source).objects.remove(0).root.to_json();
        let json = from_yaml.to_string();
        let JsonNode(node) = serde_json::from_str(&json).unwrap();
        assert_eq!(node.to_json(), from_yaml);
        let s = Settings::default();
        let a = evaluate_object(yaml, Some("ns"), None, &s, TODAY).unwrap();
        let b = evaluate_object(&json, Some("ns"), None, &s, TODAY).unwrap();
        let key = |e: &Evaluation| {
            let mut v: Vec<(&str, String)> = e
                .findings
                .iter()
                .map(|f| (f.code, f.path.clone()))
                .collect();
            v.sort();
            v
        };
        assert!(!a.findings.is_empty());
        assert_eq!(key(&a), key(&b));
    }

    #[test]
    fn malformed_objects_are_errors() {
        let p = policy("");
        assert!(matches!(
            decide(&p, &create("{\"apiVersion\": ", "a"), TODAY),
            Err(AdmissionError::Parse(_))
        ));
        assert!(matches!(
            decide(&p, &create("{\"a\": 1}", "a"), TODAY),
            Err(AdmissionError::NotAnObject)
        ));
    }

    #[test]
    fn cluster_context_rules_exist_and_do_not_run() {
        let p = policy("");
        for code in CLUSTER_CONTEXT_RULES {
            assert!(CATALOG.iter().any(|r| r.code == *code), "{code}");
            assert!(!p.rules().contains(code));
        }
    }
}
