//! Inputs: files, stdin, and the Kubernetes objects read from them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::yaml::{self, Node, Pos, Value};

/// Index of a source in [`Sources`].
pub type SourceId = usize;

/// One input text and where it came from.
#[derive(Debug)]
pub struct Source {
    /// The name shown to users: a path as given on the command line, or `<stdin>`.
    pub name: String,
    pub text: String,
    /// SHA-256 of the text, hex.
    pub sha256: String,
    lines: LineIndex,
}

impl Source {
    pub fn new(name: impl Into<String>, text: String) -> Self {
        let sha256 = hex(&Sha256::digest(text.as_bytes()));
        let lines = LineIndex::new(&text);
        Source {
            name: name.into(),
            text,
            sha256,
            lines,
        }
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line(&self, line: u32) -> Option<&str> {
        let range = self.lines.line_range(line)?;
        self.text.get(range).map(|l| l.trim_end_matches('\r'))
    }
}

/// Where each line of a text starts: byte offsets to line/column, and lines by number.
#[derive(Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }
    /// The line and column (1-based) of a byte offset.
    pub fn pos(&self, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        Pos {
            line: line as u32,
            col: (offset - self.starts[line - 1]) as u32 + 1,
        }
    }

    /// The byte range of a 1-based line, without its line break.
    pub fn line_range(&self, line: u32) -> Option<std::ops::Range<usize>> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).map_or(self.len, |&next| next - 1);
        Some(start..end.max(start))
    }
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A reference to one object, for messages and outputs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

/// A Kubernetes object read from a source, with its full tree.
#[derive(Debug)]
pub struct Object {
    pub source: SourceId,
    /// Index of the document in its source (0-based).
    pub document: usize,
    /// JSON path prefix inside the document, e.g. `items[3]` for an item of a List.
    pub path_prefix: String,
    /// The template path from Helm's `# Source:` comment.
    pub helm_source: Option<String>,
    pub reference: ObjectRef,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub root: Node,
}

impl Object {
    pub fn kind(&self) -> &str {
        &self.reference.kind
    }
    pub fn name(&self) -> &str {
        &self.reference.name
    }
    /// The namespace as Kubernetes would apply it to a namespaced object: `default` when absent.
    pub fn namespace_or_default(&self) -> &str {
        self.reference.namespace.as_deref().unwrap_or("default")
    }
    /// The API group (the part of apiVersion before `/`, empty for the core group).
    pub fn group(&self) -> &str {
        match self.reference.api_version.split_once('/') {
            Some((g, _)) => g,
            None => "",
        }
    }
    /// A full JSON path for a path relative to the object root.
    pub fn path(&self, rel: &str) -> String {
        match (self.path_prefix.is_empty(), rel.is_empty()) {
            (true, _) => rel.to_string(),
            (false, true) => self.path_prefix.clone(),
            (false, false) => format!("{}.{}", self.path_prefix, rel),
        }
    }
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.get(key).map(String::as_str)
    }
}

/// Why an input could not be (fully) read. Never fatal for the other inputs.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LoadError {
    /// The input's name (path or `<stdin>`).
    pub source_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pos: Option<Pos>,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.pos {
            Some(p) => write!(
                f,
                "{}:{}:{}: {}",
                self.source_name, p.line, p.col, self.message
            ),
            None => write!(f, "{}: {}", self.source_name, self.message),
        }
    }
}

/// The result of reading one source: its objects and the documents that failed.
#[derive(Debug, Default)]
pub struct Parsed {
    pub objects: Vec<Object>,
    pub errors: Vec<LoadError>,
    /// Documents that parsed but are not Kubernetes objects (no kind/apiVersion), e.g. Helm values.
    pub other_documents: usize,
}

/// Reads every Kubernetes object from a source text.
pub fn parse_source(id: SourceId, source: &Source) -> Parsed {
    let mut parsed = Parsed::default();
    if source.text.contains('\0') {
        parsed.errors.push(LoadError {
            source_name: source.name.clone(),
            pos: None,
            message: "binary content (NUL byte); not a YAML or JSON manifest".into(),
        });
        return parsed;
    }
    for doc in yaml::parse_stream(&source.text) {
        match doc.root {
            Err(e) => parsed.errors.push(LoadError {
                source_name: source.name.clone(),
                pos: Some(e.pos()),
                message: format!("document {}: {}", doc.index + 1, e.message),
            }),
            Ok(root) => collect_objects(
                id,
                source,
                doc.index,
                doc.helm_source.as_deref(),
                root,
                String::new(),
                None,
                &mut parsed,
            ),
        }
    }
    parsed
}

/// Reads the Kubernetes objects of one document that was parsed elsewhere (e.g. JSON of an admission request).
pub fn objects_from_tree(id: SourceId, source: &Source, root: Node) -> Parsed {
    let mut parsed = Parsed::default();
    collect_objects(id, source, 0, None, root, String::new(), None, &mut parsed);
    parsed
}

#[allow(clippy::too_many_arguments)]
fn collect_objects(
    id: SourceId,
    source: &Source,
    document: usize,
    helm_source: Option<&str>,
    mut root: Node,
    path_prefix: String,
    list_defaults: Option<(&str, &str)>,
    out: &mut Parsed,
) {
    if !root.is_map() {
        if !path_prefix.is_empty() {
            out.errors.push(LoadError {
                source_name: source.name.clone(),
                pos: Some(root.pos),
                message: format!("{path_prefix}: list item is not an object"),
            });
        } else {
            out.other_documents += 1;
        }
        return;
    }
    let api_version = root
        .get("apiVersion")
        .and_then(Node::as_str)
        .map(str::to_string)
        .or_else(|| list_defaults.map(|(a, _)| a.to_string()));
    let kind = root
        .get("kind")
        .and_then(Node::as_str)
        .map(str::to_string)
        .or_else(|| list_defaults.map(|(_, k)| k.to_string()));
    let (Some(api_version), Some(kind)) = (api_version, kind) else {
        if path_prefix.is_empty() {
            out.other_documents += 1;
        } else {
            out.errors.push(LoadError {
                source_name: source.name.clone(),
                pos: Some(root.pos),
                message: format!("{path_prefix}: list item has no kind or apiVersion"),
            });
        }
        return;
    };

    // `kind: List` and typed lists (`DeploymentList`, ...) from `kubectl get -o yaml` and the API.
    if kind.ends_with("List") && root.get("items").is_some() {
        let item_kind = kind.trim_end_matches("List").to_string();
        let items = match &mut root.value {
            Value::Map(entries) => entries
                .iter_mut()
                .find(|(k, _)| k == "items")
                .map(|(_, v)| std::mem::take(v)),
            _ => None,
        };
        if let Some(items) = items {
            let Value::Seq(items) = items.value else {
                if !items.is_null() {
                    out.errors.push(LoadError {
                        source_name: source.name.clone(),
                        pos: Some(items.pos),
                        message: format!("{kind}: items is not a list"),
                    });
                }
                return;
            };
            let defaults = if item_kind.is_empty() {
                None
            } else {
                Some((api_version.as_str(), item_kind.as_str()))
            };
            for (i, item) in items.into_iter().enumerate() {
                let prefix = if path_prefix.is_empty() {
                    format!("items[{i}]")
                } else {
                    format!("{path_prefix}.items[{i}]")
                };
                collect_objects(
                    id,
                    source,
                    document,
                    helm_source,
                    item,
                    prefix,
                    defaults,
                    out,
                );
            }
        }
        return;
    }

    let meta = root.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Node::as_str)
        .or_else(|| {
            meta.and_then(|m| m.get("generateName"))
                .and_then(Node::as_str)
        })
        .unwrap_or("")
        .to_string();
    let namespace = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Node::as_str)
        .map(str::to_string);
    let labels = string_map(meta.and_then(|m| m.get("labels")));
    let annotations = string_map(meta.and_then(|m| m.get("annotations")));
    out.objects.push(Object {
        source: id,
        document,
        path_prefix,
        helm_source: helm_source.map(str::to_string),
        reference: ObjectRef {
            api_version,
            kind,
            namespace,
            name,
        },
        labels,
        annotations,
        root,
    });
}

/// A map of strings (labels, annotations, selectors); non-string values are kept by their text.
pub fn string_map(node: Option<&Node>) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    if let Some(node) = node {
        for (k, v) in node.as_map() {
            map.insert(k.clone(), v.as_str().unwrap_or("").to_string());
        }
    }
    map
}

/// File extensions read when walking a directory.
pub const MANIFEST_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Lists the manifest files under a path (recursive for directories, sorted, hidden directories skipped).
/// Symbolic links are followed; a directory reached twice (a link cycle) is read once.
pub fn walk(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut visited = std::collections::HashSet::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if let Ok(canonical) = std::fs::canonicalize(&dir) {
            if !visited.insert(canonical) {
                continue;
            }
        }
        let mut entries: Vec<_> = std::fs::read_dir(&dir)?.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let p = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            // Follow links: the metadata of what the entry points at.
            let Ok(meta) = std::fs::metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                if !name.starts_with('.') {
                    stack.push(p);
                }
            } else if meta.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| MANIFEST_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_and_lines() {
        let li = LineIndex::new("ab\ncd\n");
        assert_eq!(li.pos(0), Pos { line: 1, col: 1 });
        assert_eq!(li.pos(4), Pos { line: 2, col: 2 });
        let src = Source::new("s", "a\r\nbc\nlast".into());
        assert_eq!(src.line(1), Some("a"));
        assert_eq!(src.line(2), Some("bc"));
        assert_eq!(src.line(3), Some("last"));
        assert_eq!(src.line(0), None);
        assert_eq!(src.line(4), None);
    }

    #[test]
    fn lists_and_typed_lists_yield_items_with_paths() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: b, namespace: x}\n";
        let src = Source::new("l.yaml", text.into());
        let parsed = parse_source(0, &src);
        assert_eq!(parsed.objects.len(), 2);
        assert_eq!(parsed.objects[1].path_prefix, "items[1]");
        assert_eq!(parsed.objects[1].reference.namespace.as_deref(), Some("x"));
        let typed = "apiVersion: apps/v1\nkind: DeploymentList\nitems:\n- metadata: {name: c}\n";
        let parsed = parse_source(0, &Source::new("t.yaml", typed.into()));
        assert_eq!(parsed.objects[0].kind(), "Deployment");
    }

    #[test]
    fn non_kubernetes_documents_are_counted_not_errors() {
        let parsed = parse_source(0, &Source::new("v.yaml", "replicas: 3\n".into()));
        assert!(parsed.objects.is_empty() && parsed.errors.is_empty());
        assert_eq!(parsed.other_documents, 1);
    }
}
