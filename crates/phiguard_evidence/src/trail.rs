//! Writing a trail: records, checkpoints and per-period digests.

use ed25519_dalek::SigningKey;

use crate::entry::{self, Entry, Head, HeadKind, Record};
use crate::merkle::{CompactRange, Hash};
use crate::store::{Line, Store};
use crate::time;
use crate::Error;

/// Six years (HIPAA documentation time limit, 45 CFR 164.316(b)(2)(i)), in days.
pub const DEFAULT_RETENTION_DAYS: u64 = 6 * 365 + 2;
pub const DEFAULT_PERIOD_S: u64 = 3600;

/// Parameters fixed at a trail's creation (in its genesis).
#[derive(Clone, Debug)]
pub struct Options {
    pub origin: String,
    pub period_s: u64,
    pub retention_days: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            origin: "phiguard".to_string(),
            period_s: DEFAULT_PERIOD_S,
            retention_days: DEFAULT_RETENTION_DAYS,
        }
    }
}

/// What a writer knows about the trail, rebuilt from its lines.
#[derive(Default)]
struct State {
    lines: u64,
    genesis: Option<Head>,
    tree: CompactRange,
    next_seq: u64,
    last_time_us: i64,
    last_head_hash: Option<Hash>,
    /// Period of the last digest, or the period before the genesis.
    last_digest_period: Option<i64>,
    /// Records since the last digest: (seq, period).
    pending: Vec<(u64, i64)>,
}

impl State {
    fn apply(&mut self, line: &Line) {
        self.lines += 1;
        let Ok(e) = Entry::parse(&line.text) else {
            return;
        };
        match e {
            Entry::Record(r) => {
                let leaf = entry::hash_from_hex(&r.h).unwrap_or_else(|| r.compute_leaf());
                self.tree.push(leaf);
                self.next_seq = r.seq + 1;
                let t = time::parse_us(&r.time).unwrap_or(self.last_time_us);
                self.last_time_us = self.last_time_us.max(t);
                let period = self.period_of(t);
                self.pending.push((r.seq, period));
            }
            Entry::Head(h) => {
                self.last_head_hash = Some(entry::line_hash(&line.text));
                match h.kind() {
                    Some(HeadKind::Genesis) => {
                        let t = time::parse_us(&h.time).unwrap_or(0);
                        self.last_time_us = self.last_time_us.max(t);
                        self.genesis = Some(h);
                        self.last_digest_period = Some(self.period_of(t) - 1);
                    }
                    Some(HeadKind::Digest) => {
                        if let Some(p) = h.period {
                            self.last_digest_period = Some(p);
                            self.pending.retain(|(_, rp)| *rp > p);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn period_s(&self) -> i64 {
        self.genesis
            .as_ref()
            .map(|g| g.period_s as i64)
            .filter(|p| *p > 0)
            .unwrap_or(DEFAULT_PERIOD_S as i64)
    }

    fn period_of(&self, t_us: i64) -> i64 {
        t_us.div_euclid(self.period_s() * 1_000_000)
    }
}

/// A writer. Every operation takes the store's writer lock, catches up with lines written by others, and
/// releases it, so several writers (PostgreSQL) can share one trail.
pub struct Trail {
    store: Box<dyn Store>,
    key: SigningKey,
    opts: Options,
    st: State,
}

impl Trail {
    /// Opens a trail, creating it (with its genesis) if the store is empty.
    pub fn open(store: Box<dyn Store>, key: SigningKey, opts: Options) -> Result<Trail, Error> {
        Trail::open_at(store, key, opts, time::now_us())
    }

    /// Opens (or creates) a trail as of a given time (tests and imports).
    pub fn open_at(
        store: Box<dyn Store>,
        key: SigningKey,
        opts: Options,
        now_us: i64,
    ) -> Result<Trail, Error> {
        let mut t = Trail {
            store,
            key,
            opts,
            st: State::default(),
        };
        t.transact(now_us, false, |_, _| Ok(()))?;
        Ok(t)
    }

    pub fn store_name(&self) -> String {
        self.store.name()
    }

    /// Records so far.
    pub fn size(&self) -> u64 {
        self.st.tree.size()
    }

    pub fn root(&self) -> Hash {
        self.st.tree.root()
    }

    /// Appends a record now; digests of periods that ended since the last write are written first.
    pub fn append(&mut self, kind: &str, body: &str) -> Result<u64, Error> {
        self.append_at(time::now_us(), kind, body)
    }

    /// Appends at a given time (tests and imports). Times never go backwards in a trail.
    pub fn append_at(&mut self, now_us: i64, kind: &str, body: &str) -> Result<u64, Error> {
        if serde_json::from_str::<serde::de::IgnoredAny>(body).is_err() {
            return Err(Error::Input("record body is not JSON".to_string()));
        }
        let kind = kind.to_string();
        let body = body.to_string();
        let mut seq = 0;
        self.transact(now_us, false, |t, now| {
            seq = t.write_record(now, &kind, &body)?;
            Ok(())
        })?;
        Ok(seq)
    }

    /// Appends several records in one write.
    pub fn append_many(&mut self, now_us: i64, items: &[(&str, &str)]) -> Result<(), Error> {
        self.transact(now_us, false, |t, now| {
            for (kind, body) in items {
                t.write_record(now, kind, body)?;
            }
            Ok(())
        })
    }

    /// Writes due digests and a signed checkpoint, and makes everything durable (fsync / commit).
    pub fn seal(&mut self) -> Result<Head, Error> {
        self.seal_at(time::now_us())
    }

    pub fn seal_at(&mut self, now_us: i64) -> Result<Head, Error> {
        let mut head = Head::default();
        self.transact(now_us, true, |t, now| {
            head = t.write_head(HeadKind::Checkpoint, now, None)?;
            Ok(())
        })?;
        Ok(head)
    }

    /// Writes the digests of every period that ended before `now_us`, without a checkpoint.
    pub fn tick_at(&mut self, now_us: i64) -> Result<(), Error> {
        self.transact(now_us, true, |_, _| Ok(()))
    }

    fn transact(
        &mut self,
        now_us: i64,
        durable: bool,
        f: impl FnOnce(&mut Trail, i64) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let new = match self.store.begin(self.st.lines) {
            Ok(new) => new,
            Err(e) => {
                let _ = self.store.rollback();
                self.st = State::default();
                return Err(e);
            }
        };
        for l in &new {
            self.st.apply(l);
        }
        let res = (|| {
            let now = now_us.max(self.st.last_time_us);
            let mut wrote_digest = false;
            if self.st.genesis.is_none() {
                if self.st.lines > 0 {
                    return Err(Error::Input(format!(
                        "{}: the trail does not start with a genesis entry; refusing to append",
                        self.store.name()
                    )));
                }
                self.write_head(HeadKind::Genesis, now, None)?;
                wrote_digest = true;
            }
            let current = self.st.period_of(now);
            while let Some(last) = self.st.last_digest_period {
                if last + 1 >= current {
                    break;
                }
                self.write_head(HeadKind::Digest, now, Some(last + 1))?;
                wrote_digest = true;
            }
            f(self, now)?;
            Ok(wrote_digest)
        })();
        match res {
            Ok(wrote_digest) => {
                let res = self.store.commit(durable || wrote_digest);
                if res.is_err() {
                    let _ = self.store.rollback();
                    self.st = State::default();
                }
                res
            }
            Err(e) => {
                // Nothing of a failed operation is written; the state is rebuilt from the store next time.
                let _ = self.store.rollback();
                self.st = State::default();
                Err(e)
            }
        }
    }

    fn push_line(&mut self, text: String) -> Result<(), Error> {
        self.store.append(&text)?;
        let line = Line {
            loc: String::new(),
            text: text.into_bytes(),
            complete: true,
        };
        self.st.apply(&line);
        Ok(())
    }

    fn write_record(&mut self, now: i64, kind: &str, body: &str) -> Result<u64, Error> {
        let seq = self.st.next_seq;
        let time = time::format_us(now);
        let leaf = crate::merkle::leaf_hash(&Record::leaf_data(seq, &time, kind, body));
        let r = Record {
            t: "rec".to_string(),
            seq,
            time,
            kind: kind.to_string(),
            h: entry::hex(&leaf),
            body: body.to_string(),
        };
        let text = serde_json::to_string(&r).map_err(|e| Error::Input(e.to_string()))?;
        self.push_line(text)?;
        Ok(seq)
    }

    fn write_head(&mut self, kind: HeadKind, now: i64, period: Option<i64>) -> Result<Head, Error> {
        let mut h = Head {
            t: kind.as_str().to_string(),
            origin: self
                .st
                .genesis
                .as_ref()
                .map(|g| g.origin.clone())
                .unwrap_or_else(|| self.opts.origin.clone()),
            time: time::format_us(now),
            size: self.st.tree.size(),
            root: entry::hex(&self.st.tree.root()),
            prev: self
                .st
                .last_head_hash
                .map(|h| entry::hex(&h))
                .unwrap_or_default(),
            ..Head::default()
        };
        match kind {
            HeadKind::Genesis => {
                h.period_s = self.opts.period_s.max(1);
                h.retention_days = self.opts.retention_days.max(1);
            }
            HeadKind::Digest => {
                let p = period.unwrap_or(0);
                let ps = self.st.period_s();
                h.period = Some(p);
                h.start = time::format_us(p * ps * 1_000_000);
                h.end = time::format_us((p + 1) * ps * 1_000_000);
                let mine: Vec<u64> = self
                    .st
                    .pending
                    .iter()
                    .filter(|(_, rp)| *rp <= p)
                    .map(|(s, _)| *s)
                    .collect();
                h.first_seq = Some(mine.first().copied().unwrap_or(self.st.next_seq));
                h.count = Some(mine.len() as u64);
                // The digest covers the records up to the end of its period only.
                let covered = mine.last().map(|s| s + 1).unwrap_or_else(|| {
                    self.st
                        .pending
                        .first()
                        .map(|(s, _)| *s)
                        .unwrap_or(self.st.next_seq)
                });
                if covered != self.st.tree.size() {
                    return Err(Error::Input(format!(
                        "{}: records of a later period precede the digest of period {p}; the trail was written \
with a clock that went backwards",
                        self.store.name()
                    )));
                }
            }
            HeadKind::Checkpoint => {}
        }
        h.sign(&self.key);
        let text = serde_json::to_string(&h).map_err(|e| Error::Input(e.to_string()))?;
        self.push_line(text)?;
        Ok(h)
    }
}
