//! Streaming reader of audit events: JSON lines (one `Event` per line, as the log backend writes them) and
//! `EventList` bodies (as the webhook backend sends them), on one line or pretty-printed over many.
//!
//! Memory is bounded by the longest line (capped at [`MAX_LINE`]) or, for a multi-line `EventList`, by the
//! largest single event: items are handed over one at a time. A malformed line is reported with its file and
//! line and skipped; the rest of the input is still read.

use std::fmt;
use std::io::{BufRead, Read};

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::event::{Event, MaybeEvent};

/// Lines longer than this are reported and skipped rather than held in memory.
pub const MAX_LINE: usize = 64 * 1024 * 1024;

/// Where an event came from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Loc {
    pub file: String,
    /// 1-based line where the event (or its enclosing `EventList`) starts.
    pub line: u64,
    /// 0-based index inside an `EventList`, if it came from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<u64>,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.item {
            Some(i) => write!(f, "{}:{} item {}", self.file, self.line, i),
            None => write!(f, "{}:{}", self.file, self.line),
        }
    }
}

/// An input problem: the event (or line) was skipped.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Issue {
    pub file: String,
    pub line: u64,
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Counts for one input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReadStats {
    pub lines: u64,
    pub events: u64,
    pub issues: u64,
}

/// Receives what the reader finds.
pub trait Sink {
    fn event(&mut self, event: Event, loc: &Loc);
    fn issue(&mut self, issue: Issue);
}

/// Reads every event of one input. I/O errors end the read and are returned; malformed content never is.
pub fn read<R: BufRead>(
    file: &str,
    mut input: R,
    sink: &mut dyn Sink,
) -> std::io::Result<ReadStats> {
    let mut stats = ReadStats::default();
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut loc = Loc {
        file: file.to_string(),
        line: 0,
        item: None,
    };
    loop {
        buf.clear();
        let (n, overlong) = read_line_capped(&mut input, &mut buf)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        stats.lines += 1;
        if overlong {
            stats.issues += 1;
            sink.issue(Issue {
                file: file.to_string(),
                line: line_no,
                message: format!("line longer than {MAX_LINE} bytes, skipped"),
            });
            continue;
        }
        let text = trim(&buf);
        if text.is_empty() {
            continue;
        }
        if text[0] != b'{' {
            stats.issues += 1;
            sink.issue(Issue {
                file: file.to_string(),
                line: line_no,
                message: "not a JSON object, skipped".to_string(),
            });
            continue;
        }
        let parsed = serde_json::from_slice::<Event>(text);
        let is_list = match &parsed {
            // An EventList parses as an event with no fields: look closer only then.
            Ok(ev) => {
                ev.audit_id.is_empty() && ev.verb.is_empty() && contains(text, b"\"EventList\"")
            }
            Err(_) => false,
        };
        if is_list {
            let mut doc = DocState::new(file, line_no, sink, &mut stats);
            let res = {
                let mut de = serde_json::Deserializer::from_slice(text);
                DocSeed { st: &mut doc }
                    .deserialize(&mut de)
                    .and_then(|()| de.end())
            };
            match res {
                Ok(()) => doc.finish_single(),
                Err(e) => doc.fail(e),
            }
            continue;
        }
        match parsed {
            Ok(ev) => {
                stats.events += 1;
                loc.line = line_no;
                sink.event(ev, &loc);
            }
            Err(e) if e.is_eof() && matches!(text.last(), Some(b'{' | b'[' | b',' | b':')) => {
                // A JSON document spread over several lines: read it as one document from here.
                let rest = std::io::Cursor::new(std::mem::take(&mut buf)).chain(input);
                let start = line_no;
                return read_document(file, start, rest, sink, stats);
            }
            Err(e) => {
                stats.issues += 1;
                sink.issue(Issue {
                    file: file.to_string(),
                    line: line_no,
                    message: if e.is_eof() {
                        "truncated event (the line ends inside the JSON object), skipped"
                            .to_string()
                    } else {
                        format!("malformed event, skipped: {}", describe(&e))
                    },
                });
            }
        }
    }
    Ok(stats)
}

fn read_document<R: Read>(
    file: &str,
    start_line: u64,
    input: R,
    sink: &mut dyn Sink,
    mut stats: ReadStats,
) -> std::io::Result<ReadStats> {
    let mut doc = DocState::new(file, start_line, sink, &mut stats);
    let res = {
        let mut de = serde_json::Deserializer::from_reader(input);
        DocSeed { st: &mut doc }
            .deserialize(&mut de)
            .and_then(|()| de.end())
    };
    match res {
        Ok(()) => doc.finish_single(),
        Err(e) if e.is_io() => {
            return Err(std::io::Error::other(e.to_string()));
        }
        Err(e) => doc.fail(e),
    }
    Ok(stats)
}

fn describe(e: &serde_json::Error) -> String {
    // serde_json's message ends with "at line L column C"; the line is ours to report, keep only the column.
    let msg = e.to_string();
    match msg.rfind(" at line ") {
        Some(at) => format!("{} (column {})", &msg[..at], e.column()),
        None => msg,
    }
}

struct DocState<'s> {
    file: &'s str,
    loc: Loc,
    line: u64,
    sink: &'s mut dyn Sink,
    stats: &'s mut ReadStats,
    items: u64,
    saw_items: bool,
    kind: Option<String>,
    /// Top-level fields other than `items`, kept for a document that turns out to be a single event.
    rest: serde_json::Map<String, serde_json::Value>,
}

impl<'s> DocState<'s> {
    fn new(
        file: &'s str,
        line: u64,
        sink: &'s mut dyn Sink,
        stats: &'s mut ReadStats,
    ) -> DocState<'s> {
        DocState {
            file,
            loc: Loc {
                file: file.to_string(),
                line,
                item: None,
            },
            line,
            sink,
            stats,
            items: 0,
            saw_items: false,
            kind: None,
            rest: serde_json::Map::new(),
        }
    }
    fn issue(&mut self, message: String) {
        self.stats.issues += 1;
        self.sink.issue(Issue {
            file: self.file.to_string(),
            line: self.line,
            message,
        });
    }
    fn item(&mut self, ev: Option<Event>) {
        let idx = self.items;
        self.items += 1;
        match ev {
            Some(ev) => {
                self.stats.events += 1;
                self.loc.item = Some(idx);
                self.sink.event(ev, &self.loc);
            }
            None => self.issue(format!("EventList item {idx} is not an object, skipped")),
        }
    }
    fn finish_single(&mut self) {
        if self.saw_items || self.kind.as_deref() == Some("EventList") {
            return;
        }
        let map = std::mem::take(&mut self.rest);
        match serde_json::from_value::<Event>(serde_json::Value::Object(map)) {
            Ok(ev) => {
                self.stats.events += 1;
                let loc = Loc {
                    file: self.file.to_string(),
                    line: self.line,
                    item: None,
                };
                self.sink.event(ev, &loc);
            }
            Err(e) => self.issue(format!("malformed event, skipped: {e}")),
        }
    }
    fn fail(&mut self, e: serde_json::Error) {
        let what = if self.items > 0 {
            format!(
                "malformed EventList after {} item(s) (document line {}, column {}): {}; the rest of this document is skipped",
                self.items,
                e.line(),
                e.column(),
                describe(&e)
            )
        } else {
            format!(
                "malformed JSON (document line {}, column {}): {}",
                e.line(),
                e.column(),
                describe(&e)
            )
        };
        self.issue(what);
    }
}

struct DocSeed<'a, 's> {
    st: &'a mut DocState<'s>,
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an audit Event or EventList object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                self.st.saw_items = true;
                map.next_value_seed(ItemsSeed { st: self.st })?;
            } else {
                let v: serde_json::Value = map.next_value()?;
                if key == "kind" {
                    self.st.kind = v.as_str().map(str::to_string);
                }
                self.st.rest.insert(key, v);
            }
        }
        Ok(())
    }
}

struct ItemsSeed<'a, 's> {
    st: &'a mut DocState<'s>,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of audit events")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(MaybeEvent(item)) = seq.next_element::<MaybeEvent>()? {
            self.st.item(item);
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.st
            .issue("`items` is not a list; no events read from it".to_string());
        Ok(())
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |p| p + 1);
    &b[start..end.max(start)]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Reads one line (without caring about UTF-8) into `buf`, keeping at most `MAX_LINE` bytes.
/// Returns the bytes consumed and whether the line was cut.
fn read_line_capped<R: BufRead>(r: &mut R, buf: &mut Vec<u8>) -> std::io::Result<(usize, bool)> {
    let mut total = 0usize;
    let mut overlong = false;
    loop {
        let available = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((total, overlong));
        }
        let (chunk, done) = match available.iter().position(|&c| c == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let len = chunk.len();
        if !overlong {
            if buf.len() + len > MAX_LINE {
                overlong = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        r.consume(len);
        total += len;
        if done {
            return Ok((total, overlong));
        }
    }
}
