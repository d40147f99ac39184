//! A YAML (and therefore JSON) document tree that remembers where every key and value came from.
//!
//! Multi-document streams are split on document markers before parsing, so one malformed document does not hide
//! the others. Aliases are expanded (with a budget, so an alias bomb is an error rather than an out-of-memory),
//! and merge keys (`<<`) are applied.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A 1-based line and column in a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// One node of a document, with the position of its value and of the key that names it (for map values).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Where the value starts.
    pub pos: Pos,
    /// Where the key that holds this value starts; equal to `pos` for sequence items and roots.
    pub key_pos: Pos,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub text: String,
    /// True for unquoted scalars, whose text may be a boolean or a number.
    pub plain: bool,
}

static NULL_NODE: Node = Node {
    value: Value::Null,
    pos: Pos { line: 0, col: 0 },
    key_pos: Pos { line: 0, col: 0 },
};

impl Node {
    /// The value under `key`, if this is a map that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows a path of map keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        let mut node = self;
        for key in path {
            node = node.get(key)?;
        }
        Some(node)
    }

    /// A shared null node, for callers that want a default.
    pub fn null() -> &'static Node {
        &NULL_NODE
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The scalar text, for scalars of any style.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    /// A boolean, as Kubernetes' YAML decoder reads it: unquoted true/false in any case.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar(s) if s.plain => match s.text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn is_true(&self) -> bool {
        self.as_bool() == Some(true)
    }

    /// An integer from an unquoted scalar (decimal, or 0x/0o prefixed).
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Scalar(s) if s.plain => parse_int(&s.text),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn as_map(&self) -> &[(String, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// The position a diagnostic about this node should point at: its key for map values, else its value.
    pub fn loc(&self) -> Pos {
        self.key_pos
    }

    /// Converts to a JSON value (for JSON output and hashing).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Scalar(s) => {
                if s.plain {
                    if let Some(b) = self.as_bool() {
                        return serde_json::Value::Bool(b);
                    }
                    if let Some(i) = parse_int(&s.text) {
                        return serde_json::Value::from(i);
                    }
                }
                serde_json::Value::String(s.text.clone())
            }
            Value::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let t = text.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse::<i64>().ok()?
    };
    Some(if neg { -value } else { value })
}

/// One document of a stream: its tree, or the reason it could not be read.
#[derive(Debug)]
pub struct Document {
    /// 0-based index of the document in its stream.
    pub index: usize,
    /// The line the document's text starts on.
    pub first_line: u32,
    /// The template path from a Helm `# Source:` comment, if present.
    pub helm_source: Option<String>,
    pub root: Result<Node, SyntaxError>,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{pos_line}:{pos_col}: {message}")]
pub struct SyntaxError {
    pub pos_line: u32,
    pub pos_col: u32,
    pub message: String,
}

impl SyntaxError {
    pub fn pos(&self) -> Pos {
        Pos {
            line: self.pos_line,
            col: self.pos_col,
        }
    }
}

/// Most nodes one document may expand to (after aliases); beyond this the document is refused.
pub const MAX_NODES_PER_DOCUMENT: usize = 2_000_000;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 256;

/// Splits a stream into documents and parses each one.
pub fn parse_stream(text: &str) -> Vec<Document> {
    let mut docs = Vec::new();
    for (index, chunk) in split_documents(text).into_iter().enumerate() {
        let helm_source = helm_source(chunk.text);
        let root = parse_document(chunk.text, chunk.first_line);
        docs.push(Document {
            index,
            first_line: chunk.first_line,
            helm_source,
            root,
        });
    }
    // Re-number so indexes count only documents that had content.
    docs.retain(|d| {
        !matches!(
            d.root,
            Ok(Node {
                value: Value::Null,
                ..
            })
        )
    });
    for (i, d) in docs.iter_mut().enumerate() {
        d.index = i;
    }
    docs
}

struct Chunk<'a> {
    text: &'a str,
    first_line: u32,
}

fn is_marker_line(line: &str, marker: &str) -> bool {
    match line.strip_prefix(marker) {
        Some(rest) => rest.is_empty() || rest.starts_with([' ', '\t', '\r']),
        None => false,
    }
}

fn split_documents(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1u32;
    let mut offset = 0usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let line_no = i as u32 + 1;
        let content = line.trim_end_matches(['\n', '\r']);
        if is_marker_line(content, "---") && offset > start {
            chunks.push(Chunk {
                text: &text[start..offset],
                first_line: start_line,
            });
            start = offset;
            start_line = line_no;
        } else if is_marker_line(content, "...") {
            // End of document: the text up to and including this line belongs to the current chunk.
            let end = offset + line.len();
            chunks.push(Chunk {
                text: &text[start..end],
                first_line: start_line,
            });
            start = end;
            start_line = line_no + 1;
        }
        offset += line.len();
    }
    if start < text.len() {
        chunks.push(Chunk {
            text: &text[start..],
            first_line: start_line,
        });
    }
    chunks
}

fn helm_source(chunk: &str) -> Option<String> {
    for line in chunk.lines() {
        let t = line.trim();
        if t.is_empty() || t == "---" {
            continue;
        }
        if let Some(rest) = t.strip_prefix("# Source:") {
            return Some(rest.trim().to_string());
        }
        if !t.starts_with('#') {
            return None;
        }
    }
    None
}

/// Parses one document. `first_line` is the line of the chunk's first character in the whole file.
pub fn parse_document(chunk: &str, first_line: u32) -> Result<Node, SyntaxError> {
    let mut builder = Builder::new(first_line);
    let mut parser = Parser::new_from_str(chunk);
    let loaded = parser.load(&mut builder, false);
    if let Err(e) = loaded {
        let m = e.marker();
        let mut pos = Pos {
            line: first_line + m.line().saturating_sub(1) as u32,
            col: m.col() as u32 + 1,
        };
        // At end of input the parser reports the position after the last line; point at the end of the
        // document's last non-empty line instead, so the error names a line of this document.
        let last = chunk
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .last()
            .map(|(i, l)| (first_line + i as u32, l.chars().count() as u32 + 1));
        if let Some((last_line, end_col)) = last {
            if pos.line > last_line {
                pos = Pos {
                    line: last_line,
                    col: end_col,
                };
            }
        }
        return Err(SyntaxError {
            pos_line: pos.line,
            pos_col: pos.col,
            message: e.info().to_string(),
        });
    }
    if let Some(err) = builder.error {
        return Err(err);
    }
    Ok(builder.root.unwrap_or_default())
}

enum Frame {
    Seq {
        node: Node,
        items: Vec<Node>,
        anchor: usize,
    },
    Map {
        node: Node,
        entries: Vec<(String, Node)>,
        pending_key: Option<(String, Pos)>,
        anchor: usize,
    },
}

struct Builder {
    first_line: u32,
    stack: Vec<Frame>,
    anchors: std::collections::HashMap<usize, Node>,
    root: Option<Node>,
    nodes: usize,
    error: Option<SyntaxError>,
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(entries) => 1 + entries.iter().map(|(_, v)| count_nodes(v)).sum::<usize>(),
        _ => 1,
    }
}

impl Builder {
    fn new(first_line: u32) -> Self {
        Builder {
            first_line,
            stack: Vec::new(),
            anchors: std::collections::HashMap::new(),
            root: None,
            nodes: 0,
            error: None,
        }
    }

    fn pos(&self, m: Marker) -> Pos {
        Pos {
            line: self.first_line + m.line().saturating_sub(1) as u32,
            col: m.col() as u32 + 1,
        }
    }

    fn fail(&mut self, pos: Pos, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(SyntaxError {
                pos_line: pos.line,
                pos_col: pos.col,
                message: message.into(),
            });
        }
    }

    /// Attaches a finished node to its parent (or makes it the root).
    fn attach(&mut self, mut node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    // This node is a key. Complex keys (maps, sequences) are kept by a readable form.
                    let key = match &node.value {
                        Value::Scalar(s) => s.text.clone(),
                        Value::Null => String::new(),
                        other => format!("{other:?}"),
                    };
                    *pending_key = Some((key, node.pos));
                }
                Some((key, key_pos)) => {
                    node.key_pos = key_pos;
                    if key == "<<" {
                        merge_into(entries, &node);
                    } else if let Some(slot) = entries.iter_mut().find(|(k, _)| *k == key) {
                        // Duplicate key: the last one wins, as in Kubernetes' decoder.
                        slot.1 = node;
                    } else {
                        entries.push((key, node));
                    }
                }
            },
        }
    }
}

/// Applies a YAML merge key: entries of the merged map(s) that are not already present.
fn merge_into(entries: &mut Vec<(String, Node)>, merged: &Node) {
    let sources: Vec<&Node> = match &merged.value {
        Value::Map(_) => vec![merged],
        Value::Seq(items) => items.iter().collect(),
        _ => Vec::new(),
    };
    for src in sources {
        for (k, v) in src.as_map() {
            if !entries.iter().any(|(e, _)| e == k) {
                entries.push((k.clone(), v.clone()));
            }
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let pos = self.pos(mark);
        match ev {
            Event::Scalar(text, style, anchor, _tag) => {
                self.nodes += 1;
                let plain = style == TScalarStyle::Plain;
                let value = if plain && matches!(text.as_str(), "~" | "null" | "Null" | "NULL" | "")
                {
                    Value::Null
                } else {
                    Value::Scalar(Scalar { text, plain })
                };
                self.attach(
                    Node {
                        value,
                        pos,
                        key_pos: pos,
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.nodes += 1;
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(pos, format!("nesting deeper than {MAX_DEPTH} levels"));
                    return;
                }
                let node = Node {
                    value: Value::Null,
                    pos,
                    key_pos: pos,
                };
                let frame = if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq {
                        node,
                        items: Vec::new(),
                        anchor,
                    }
                } else {
                    Frame::Map {
                        node,
                        entries: Vec::new(),
                        pending_key: None,
                        anchor,
                    }
                };
                self.stack.push(frame);
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq {
                    mut node,
                    items,
                    anchor,
                }) => {
                    node.value = Value::Seq(items);
                    self.attach(node, anchor);
                }
                Some(Frame::Map {
                    mut node,
                    entries,
                    anchor,
                    ..
                }) => {
                    node.value = Value::Map(entries);
                    self.attach(node, anchor);
                }
                None => self.fail(pos, "unbalanced end of collection"),
            },
            Event::Alias(id) => match self.anchors.get(&id) {
                Some(target) => {
                    let mut node = target.clone();
                    self.nodes += count_nodes(&node);
                    if self.nodes > MAX_NODES_PER_DOCUMENT {
                        self.fail(
                            pos,
                            format!("aliases expand to more than {MAX_NODES_PER_DOCUMENT} nodes"),
                        );
                        return;
                    }
                    node.pos = pos;
                    node.key_pos = pos;
                    self.attach(node, 0);
                }
                None => self.fail(pos, "alias to an unknown anchor"),
            },
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
        if self.nodes > MAX_NODES_PER_DOCUMENT {
            self.fail(
                pos,
                format!("document has more than {MAX_NODES_PER_DOCUMENT} nodes"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let docs = parse_stream(text);
        assert_eq!(docs.len(), 1, "{docs:?}");
        match &docs[0].root {
            Ok(n) => n.clone(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn positions_of_keys_and_values() {
        let n = one("a: 1\nb:\n  c: true\n  d:\n    - x\n    - y: z\n");
        let c = n.at(&["b", "c"]).unwrap();
        assert_eq!(c.key_pos, Pos { line: 3, col: 3 });
        assert_eq!(c.pos, Pos { line: 3, col: 6 });
        assert!(c.is_true());
        let d = n.at(&["b", "d"]).unwrap().as_seq();
        assert_eq!(d[1].get("y").unwrap().loc(), Pos { line: 6, col: 7 });
    }

    #[test]
    fn json_is_yaml() {
        let n = one("{\n  \"kind\": \"Pod\",\n  \"spec\": {\"hostPID\": true}\n}\n");
        assert_eq!(n.get("kind").unwrap().as_str(), Some("Pod"));
        assert_eq!(
            n.at(&["spec", "hostPID"]).unwrap().loc(),
            Pos { line: 3, col: 12 }
        );
        assert!(n.at(&["spec", "hostPID"]).unwrap().is_true());
    }

    #[test]
    fn quoted_true_is_not_a_boolean() {
        let n = one("a: \"true\"\n");
        assert_eq!(n.get("a").unwrap().as_bool(), None);
    }

    #[test]
    fn later_documents_keep_their_lines_and_bad_ones_do_not_hide_others() {
        let docs =
            parse_stream("a: 1\n---\nb: [1, 2\n---\n# Source: chart/templates/x.yaml\nc: 3\n");
        assert_eq!(docs.len(), 3);
        assert!(docs[0].root.is_ok());
        let err = docs[1].root.as_ref().unwrap_err();
        assert!(err.pos_line >= 3, "{err:?}");
        let c = docs[2].root.as_ref().unwrap().get("c").unwrap();
        assert_eq!(c.loc().line, 6);
        assert_eq!(
            docs[2].helm_source.as_deref(),
            Some("chart/templates/x.yaml")
        );
    }

    #[test]
    fn aliases_and_merge_keys() {
        let n = one("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n");
        let other = n.get("other").unwrap();
        assert_eq!(other.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(other.get("y").unwrap().as_i64(), Some(3));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        let docs = parse_stream(&text);
        assert!(docs[0].root.is_err());
    }

    #[test]
    fn empty_documents_are_dropped() {
        let docs = parse_stream("---\n# only a comment\n---\na: 1\n---\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].index, 0);
    }
}
