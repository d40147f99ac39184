//! Offline verification of a trail with the public key. Every problem names the line it was found at.

use ed25519_dalek::VerifyingKey;

use crate::entry::{self, Entry, Head, HeadKind};
use crate::merkle::{self, CompactRange, Hash};
use crate::store::Line;
use crate::time;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub level: Level,
    /// The line: `segments/seg-00000001.jsonl:12`, `postgres:pos 12`, or `trail` for the whole.
    pub at: String,
    pub message: String,
}

/// The result of a verification.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Report {
    pub origin: String,
    pub key: String,
    pub period_s: u64,
    pub retention_days: u64,
    pub lines: u64,
    pub records: u64,
    pub checkpoints: u64,
    pub digests: u64,
    /// Records covered by the last valid signed head.
    pub sealed: u64,
    /// Records after the last signed head.
    pub unsealed: u64,
    pub first_period_start: String,
    pub last_period_end: String,
    /// The last head whose signature verified, to be kept as a trusted checkpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_head: Option<Head>,
    pub problems: Vec<Problem>,
    /// Leaf hashes in order (for proofs); not serialised.
    #[serde(skip)]
    pub leaves: Vec<Hash>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.level == Level::Error)
            .count()
    }
    pub fn ok(&self) -> bool {
        self.errors() == 0
    }
}

struct Walk<'a> {
    key: &'a VerifyingKey,
    kid: String,
    r: Report,
    genesis: bool,
    expected_seq: u64,
    tree: CompactRange,
    last_time: i64,
    last_head: Option<(String, Hash)>,
    /// (period, loc) of the last digest; genesis sets the period before its own.
    last_digest: Option<(i64, String)>,
    /// Records since the last digest: (seq, period).
    pending: Vec<(u64, i64)>,
    /// First record after the last head.
    unsealed_from: Option<(u64, String)>,
    period_s: i64,
}

impl Walk<'_> {
    fn err(&mut self, at: &str, message: String) {
        self.r.problems.push(Problem {
            level: Level::Error,
            at: at.to_string(),
            message,
        });
    }
    fn warn(&mut self, at: &str, message: String) {
        self.r.problems.push(Problem {
            level: Level::Warning,
            at: at.to_string(),
            message,
        });
    }
    fn period_of(&self, t: i64) -> i64 {
        t.div_euclid(self.period_s * 1_000_000)
    }
}

/// Verifies a trail. `trusted` is a head kept from an earlier verification (or published elsewhere): the trail
/// must still contain exactly the records it covers, which detects truncation and wholesale rewriting.
pub fn verify(lines: &[Line], key: &VerifyingKey, trusted: Option<&Head>) -> Report {
    let mut w = Walk {
        key,
        kid: entry::key_id(key),
        r: Report::default(),
        genesis: false,
        expected_seq: 0,
        tree: CompactRange::default(),
        last_time: i64::MIN,
        last_head: None,
        last_digest: None,
        pending: Vec::new(),
        unsealed_from: None,
        period_s: 3600,
    };
    w.r.key = w.kid.clone();
    w.r.lines = lines.len() as u64;
    for (i, line) in lines.iter().enumerate() {
        if !line.complete {
            let last = i + 1 == lines.len();
            w.warn(
                &line.loc,
                format!(
                    "line cut short ({} bytes, no newline): a write was interrupted{}; it is not part of the trail",
                    line.text.len(),
                    if last { "" } else { " and the writer continued in a later segment" }
                ),
            );
            continue;
        }
        match Entry::parse(&line.text) {
            Ok(Entry::Record(rec)) => record(&mut w, lines, i, rec),
            Ok(Entry::Head(h)) => head(&mut w, line, h),
            Err(msg) => {
                w.err(
                    &line.loc,
                    format!("malformed entry ({msg}): the line was modified or corrupted"),
                );
                // Keep the tree aligned if the sequence number and leaf hash are still readable.
                let text = String::from_utf8_lossy(&line.text);
                if let (Some(seq), Some(h)) = (scan_u64(&text, "\"seq\":"), scan_hash(&text)) {
                    if seq == w.expected_seq {
                        w.tree.push(h);
                        w.r.leaves.push(h);
                        w.expected_seq += 1;
                        w.r.records += 1;
                    }
                }
            }
        }
    }
    if !w.genesis {
        w.err(
            "trail",
            "no genesis entry: the trail is empty or its first line is missing".to_string(),
        );
    }
    if let Some((seq, loc)) = w.unsealed_from.clone() {
        let n = w.tree.size() - seq;
        w.warn(
            &loc,
            format!(
                "{n} record(s) (seq {seq}..{}) are not covered by a signed checkpoint or digest: the writer has not \
sealed since, or was stopped before sealing; they cannot be verified yet",
                w.tree.size() - 1
            ),
        );
        w.r.unsealed = n;
    }
    if let Some(t) = trusted {
        check_trusted(&mut w, t);
    }
    w.r
}

fn check_trusted(w: &mut Walk<'_>, t: &Head) {
    if !t.verify(w.key) {
        w.err(
            "trusted checkpoint",
            "its signature does not verify with the public key".to_string(),
        );
        return;
    }
    let have = w.r.leaves.len() as u64;
    if t.size > have {
        w.err(
            "trail",
            format!(
                "truncated: the trusted checkpoint of {} covers {} records, the trail now has {have}",
                t.time, t.size
            ),
        );
        return;
    }
    let root = merkle::root(&w.r.leaves[..t.size as usize]);
    if entry::hex(&root) != t.root {
        w.err(
            "trail",
            format!(
                "rewritten: the first {} records no longer match the trusted checkpoint of {}",
                t.size, t.time
            ),
        );
    }
}

fn record(w: &mut Walk<'_>, lines: &[Line], i: usize, rec: entry::Record) {
    let loc = &lines[i].loc;
    if !w.genesis {
        w.err(loc, "record before the genesis entry".to_string());
    }
    if rec.seq != w.expected_seq {
        if rec.seq > w.expected_seq {
            // A later line holding the expected record means reordering, not deletion.
            let exp = w.expected_seq;
            let later =
                lines[i + 1..]
                    .iter()
                    .take(10_000)
                    .find_map(|l| match Entry::parse(&l.text) {
                        Ok(Entry::Record(r)) if r.seq == exp => Some(l.loc.clone()),
                        _ => None,
                    });
            match later {
                Some(at) => w.err(
                    loc,
                    format!(
                        "reordered: record seq {} comes before seq {exp} (which is at {at})",
                        rec.seq
                    ),
                ),
                None => w.err(
                    loc,
                    format!(
                        "record(s) seq {exp}..{} missing before this line (deleted)",
                        rec.seq - 1
                    ),
                ),
            }
        } else {
            w.err(
                loc,
                format!(
                    "record seq {} out of order or duplicated (expected seq {})",
                    rec.seq, w.expected_seq
                ),
            );
        }
    }
    w.expected_seq = rec.seq + 1;
    let computed = rec.compute_leaf();
    let claimed = entry::hash_from_hex(&rec.h);
    if claimed != Some(computed) {
        w.err(
            loc,
            format!(
                "record seq {}: content does not match its hash (modified)",
                rec.seq
            ),
        );
    }
    let leaf = claimed.unwrap_or(computed);
    w.tree.push(leaf);
    w.r.leaves.push(leaf);
    w.r.records += 1;
    match time::parse_us(&rec.time) {
        Some(t) => {
            if t < w.last_time {
                w.err(
                    loc,
                    format!(
                        "record seq {} is dated before the entry preceding it",
                        rec.seq
                    ),
                );
            }
            w.last_time = w.last_time.max(t);
            let p = w.period_of(t);
            if let Some((dp, dloc)) = w.last_digest.clone() {
                if p <= dp {
                    w.err(
                        loc,
                        format!(
                            "record seq {} is dated in a period already closed by the digest at {dloc}",
                            rec.seq
                        ),
                    );
                }
            }
            w.pending.push((rec.seq, p));
        }
        None => w.err(loc, format!("record seq {}: bad time", rec.seq)),
    }
    if w.unsealed_from.is_none() {
        w.unsealed_from = Some((w.tree.size() - 1, loc.clone()));
    }
}

fn head(w: &mut Walk<'_>, line: &Line, h: Head) {
    let loc = line.loc.as_str();
    let Some(kind) = h.kind() else { return };
    let name = kind.as_str();
    let signed = h.verify(w.key);
    if !signed {
        let why = if h.key != w.kid {
            format!(
                "signed by another key (key id {}, expected {})",
                h.key, w.kid
            )
        } else {
            "modified after signing".to_string()
        };
        w.err(
            loc,
            format!("{name}: signature does not verify with the public key: {why}"),
        );
    }
    let prev = w
        .last_head
        .as_ref()
        .map(|(_, h)| entry::hex(h))
        .unwrap_or_default();
    if h.prev != prev {
        let after = w
            .last_head
            .as_ref()
            .map(|(l, _)| format!("the head at {l}"))
            .unwrap_or_else(|| "the start of the trail".to_string());
        w.err(
            loc,
            format!(
                "{name}: chain broken: it was not written after {after} (a head was deleted, replaced or reordered)"
            ),
        );
    }
    match kind {
        HeadKind::Genesis => {
            if w.genesis {
                w.err(loc, "a second genesis entry".to_string());
            } else {
                w.genesis = true;
                w.r.origin = h.origin.clone();
                w.r.period_s = h.period_s;
                w.r.retention_days = h.retention_days;
                w.period_s = (h.period_s as i64).max(1);
                if let Some(t) = time::parse_us(&h.time) {
                    let p = w.period_of(t);
                    w.last_digest = Some((p - 1, loc.to_string()));
                    w.last_time = w.last_time.max(t);
                    w.r.first_period_start = time::format_us(p * w.period_s * 1_000_000);
                }
            }
        }
        HeadKind::Checkpoint => w.r.checkpoints += 1,
        HeadKind::Digest => {
            w.r.digests += 1;
            check_digest(w, loc, &h);
        }
    }
    let n = w.tree.size();
    if h.size != n {
        w.err(
            loc,
            format!(
                "{name} covers {} records but {n} precede it (records deleted or inserted before it)",
                h.size
            ),
        );
    }
    let root = if h.size == n {
        Some(w.tree.root())
    } else if h.size <= w.r.leaves.len() as u64 {
        Some(merkle::root(&w.r.leaves[..h.size as usize]))
    } else {
        None
    };
    if let Some(root) = root {
        if entry::hex(&root) != h.root {
            let since = w.last_head.as_ref().map(|_| w.r.sealed).unwrap_or(0);
            w.err(
                loc,
                format!(
                    "{name}: Merkle root does not match the records: a record between seq {since} and {} was \
modified, inserted or removed",
                    h.size.saturating_sub(1)
                ),
            );
        }
    }
    if let Some(t) = time::parse_us(&h.time) {
        w.last_time = w.last_time.max(t);
    }
    w.last_head = Some((loc.to_string(), entry::line_hash(&line.text)));
    if signed {
        w.r.sealed = h.size.min(n);
        w.r.last_head = Some(h);
        w.unsealed_from = None;
    }
}

fn check_digest(w: &mut Walk<'_>, loc: &str, h: &Head) {
    let Some(p) = h.period else {
        w.err(loc, "digest without a period".to_string());
        return;
    };
    let ps = w.period_s;
    if let Some((last, last_loc)) = w.last_digest.clone() {
        if p > last + 1 {
            w.err(
                loc,
                format!(
                    "digest(s) for {} period(s) missing ({} .. {}) between {last_loc} and here: a whole period was deleted",
                    p - last - 1,
                    time::format_us((last + 1) * ps * 1_000_000),
                    time::format_us(p * ps * 1_000_000)
                ),
            );
        } else if p <= last {
            w.err(
                loc,
                format!("digest for period {} repeated or out of order", h.start),
            );
        }
    }
    let mine: Vec<u64> = w
        .pending
        .iter()
        .filter(|(_, rp)| *rp <= p)
        .map(|(s, _)| *s)
        .collect();
    if h.count != Some(mine.len() as u64) {
        w.err(
            loc,
            format!(
                "digest for the period from {} lists {} record(s) but {} precede it in that period",
                h.start,
                h.count.unwrap_or(0),
                mine.len()
            ),
        );
    }
    w.pending.retain(|(_, rp)| *rp > p);
    w.last_digest = Some((p, loc.to_string()));
    w.r.last_period_end = time::format_us((p + 1) * ps * 1_000_000);
}

fn scan_u64(text: &str, key: &str) -> Option<u64> {
    let at = text.find(key)? + key.len();
    let digits: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

fn scan_hash(text: &str) -> Option<Hash> {
    let at = text.find("\"h\":\"")? + 5;
    entry::hash_from_hex(text.get(at..at + 64)?)
}
