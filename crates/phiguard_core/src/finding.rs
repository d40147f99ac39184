//! Findings: what a rule reports, and the full diagnostic that outputs render.

use crate::inventory::ObjectId;
use crate::rule::Severity;
use crate::source::ObjectRef;
use crate::yaml::{Node, Pos};

/// A location in an input or in the configuration file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

/// Another place that explains a finding (e.g. the binding that grants a role).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// What a check reports: the object, the node to point at, and a message.
#[derive(Clone, Debug)]
pub struct RawFinding {
    pub object: ObjectId,
    pub pos: Pos,
    /// JSON path relative to the object root.
    pub path: String,
    pub message: String,
    /// Related locations inside the inventory: (object, position, message).
    pub related: Vec<(ObjectId, Pos, String)>,
}

/// The collector a check writes into.
#[derive(Debug, Default)]
pub struct Out {
    pub findings: Vec<RawFinding>,
}

impl Out {
    /// Reports a finding at a node of an object.
    pub fn at(
        &mut self,
        object: ObjectId,
        node: &Node,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.findings.push(RawFinding {
            object,
            pos: node.loc(),
            path: path.into(),
            message: message.into(),
            related: Vec::new(),
        });
    }

    /// Adds a related location to the last finding.
    pub fn related(&mut self, object: ObjectId, node: &Node, message: impl Into<String>) {
        if let Some(last) = self.findings.last_mut() {
            last.related.push((object, node.loc(), message.into()));
        }
    }
}

/// A waiver that suppressed a finding.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AppliedWaiver {
    pub reason: String,
    pub owner: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// `config` (phiguard.toml) or `annotation`.
    pub origin: &'static str,
}

/// A finding as outputs render it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// JSON path of the offending field inside its document.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectRef>,
    /// The Helm template that produced the object (`# Source:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helm_source: Option<String>,
    pub phi_scope: bool,
    pub hipaa: &'static [&'static str],
    pub remediation: &'static str,
    /// Stable across line moves: rule code, object and field path.
    pub fingerprint: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
    /// Index of the source in the report's inputs (for snippets); None for the configuration file.
    #[serde(skip)]
    pub source: Option<usize>,
}

/// Rules whose findings point at a line that holds a credential: renderers must not show that line's value.
pub const SENSITIVE_SNIPPET_RULES: &[&str] = &["SE001", "SE002", "SE003", "TX006"];

/// Masks the value part of a `key: value` (or `- value`) line, keeping the key so the snippet still locates the
/// field. Used for snippets of findings about credentials.
pub fn mask_value(line: &str) -> String {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    let (prefix, value) = match trimmed.find(": ") {
        Some(i) => trimmed.split_at(i + 2),
        None => match trimmed.strip_prefix("- ") {
            Some(v) => ("- ", v),
            // A `key:` line opens a block: it holds no value itself.
            None if trimmed.ends_with(':') => return line.to_string(),
            None => ("", trimmed),
        },
    };
    let value = value.trim();
    if value.is_empty()
        || value == "|"
        || value == ">"
        || value.starts_with('|')
        || value.starts_with('>')
    {
        return line.to_string();
    }
    format!("{indent}{prefix}******** (value masked)")
}

/// A stable fingerprint for a finding: independent of line numbers and file order.
pub fn fingerprint(code: &str, object: Option<&ObjectRef>, path: &str, file: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(code.as_bytes());
    h.update([0]);
    match object {
        Some(o) => {
            h.update(o.kind.as_bytes());
            h.update([0]);
            h.update(o.namespace.as_deref().unwrap_or("").as_bytes());
            h.update([0]);
            h.update(o.name.as_bytes());
        }
        None => h.update(file.as_bytes()),
    }
    h.update([0]);
    h.update(path.as_bytes());
    crate::source::hex(&h.finalize()[..8])
}
