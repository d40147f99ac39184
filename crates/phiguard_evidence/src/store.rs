//! Where a trail's lines live: a local directory of append-only segment files, or a PostgreSQL table shared by
//! several writers.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::Error;

/// One stored line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Where it is: `segments/seg-00000001.jsonl:12` or `postgres:pos 12`.
    pub loc: String,
    pub text: Vec<u8>,
    /// False for a line cut short (a write interrupted before its newline).
    pub complete: bool,
}

/// Storage for a trail's lines.
pub trait Store {
    /// A human-readable name.
    fn name(&self) -> String;
    /// Takes the writer lock and returns the complete lines from index `from` on (written by anyone).
    fn begin(&mut self, from: u64) -> Result<Vec<Line>, Error>;
    /// Appends one line (without its newline) inside `begin`/`commit`.
    fn append(&mut self, line: &str) -> Result<(), Error>;
    /// Makes the appended lines visible, and durable on disk when `durable`; releases the lock.
    fn commit(&mut self, durable: bool) -> Result<(), Error>;
    /// Every line, for verification and listing, including a line cut short at the end of a segment.
    fn read_all(&mut self) -> Result<Vec<Line>, Error>;
    /// Drops what was appended since `begin`, releases the lock, and reads from the first line again at the next
    /// `begin`.
    fn rollback(&mut self) -> Result<(), Error>;
}

/// Opens a store by location: a `postgres://` or `postgresql://` URL, or a directory.
pub fn open(location: &str) -> Result<Box<dyn Store>, Error> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        Ok(Box::new(PgStore::connect(location)?))
    } else {
        Ok(Box::new(DirStore::open(Path::new(location))?))
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Directory

/// `DIR/segments/seg-NNNNNNNN.jsonl`, appended to and never rewritten. A new segment starts when the current one
/// exceeds `segment_bytes` at a seal, or when the last one ends in a line cut short by a crash.
pub struct DirStore {
    dir: PathBuf,
    lock: Option<File>,
    /// Segment currently appended to.
    current: Option<(u32, File)>,
    /// Reading position: (segment number, byte offset, lines before it).
    read_seg: u32,
    read_off: u64,
    read_lines_in_seg: u64,
    lines_read: u64,
    /// The last segment ends without a newline: never append to it.
    torn_tail: bool,
    pub segment_bytes: u64,
    new_segment: bool,
    pending: Vec<u8>,
}

fn io_err(p: &Path, e: std::io::Error) -> Error {
    Error::Io(format!("{}: {e}", p.display()))
}

impl DirStore {
    pub fn open(dir: &Path) -> Result<DirStore, Error> {
        let seg = dir.join("segments");
        std::fs::create_dir_all(&seg).map_err(|e| io_err(&seg, e))?;
        Ok(DirStore {
            dir: dir.to_path_buf(),
            lock: None,
            current: None,
            read_seg: 0,
            read_off: 0,
            read_lines_in_seg: 0,
            lines_read: 0,
            torn_tail: false,
            segment_bytes: 64 * 1024 * 1024,
            new_segment: false,
            pending: Vec::new(),
        })
    }

    fn segment_path(&self, n: u32) -> PathBuf {
        self.dir.join("segments").join(format!("seg-{n:08}.jsonl"))
    }

    /// Segment numbers present, in order.
    pub fn segments(&self) -> Result<Vec<u32>, Error> {
        let d = self.dir.join("segments");
        let mut out = Vec::new();
        for e in std::fs::read_dir(&d).map_err(|e| io_err(&d, e))? {
            let e = e.map_err(|e| io_err(&d, e))?;
            let name = e.file_name();
            let name = name.to_string_lossy();
            if let Some(n) = name
                .strip_prefix("seg-")
                .and_then(|r| r.strip_suffix(".jsonl"))
                .and_then(|n| n.parse::<u32>().ok())
            {
                out.push(n);
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    fn read_segment(
        &self,
        n: u32,
        from: u64,
        first_line: u64,
    ) -> Result<(Vec<Line>, u64, bool), Error> {
        let p = self.segment_path(n);
        let mut f = File::open(&p).map_err(|e| io_err(&p, e))?;
        f.seek(SeekFrom::Start(from)).map_err(|e| io_err(&p, e))?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).map_err(|e| io_err(&p, e))?;
        let rel = format!("segments/seg-{n:08}.jsonl");
        let (out, consumed, torn) = split_segment(&rel, &buf, first_line);
        Ok((out, consumed, torn))
    }
}

impl Store for DirStore {
    fn name(&self) -> String {
        self.dir.display().to_string()
    }

    fn begin(&mut self, from: u64) -> Result<Vec<Line>, Error> {
        if self.lock.is_none() {
            let p = self.dir.join("writer.lock");
            let f = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&p)
                .map_err(|e| io_err(&p, e))?;
            f.lock().map_err(|e| io_err(&p, e))?;
            self.lock = Some(f);
        }
        // Read what was written since the last read (by this or another process).
        let segs = self.segments()?;
        let mut out = Vec::new();
        self.torn_tail = false;
        for (i, &n) in segs.iter().enumerate() {
            if n < self.read_seg {
                continue;
            }
            if n > self.read_seg {
                self.read_seg = n;
                self.read_off = 0;
                self.read_lines_in_seg = 0;
            }
            let (lines, consumed, torn) =
                self.read_segment(n, self.read_off, self.read_lines_in_seg)?;
            self.read_off += consumed;
            for l in lines {
                if l.complete {
                    if self.lines_read >= from {
                        out.push(l);
                    }
                    self.lines_read += 1;
                    self.read_lines_in_seg += 1;
                }
            }
            if torn && i + 1 == segs.len() {
                self.torn_tail = true;
            }
        }
        Ok(out)
    }

    fn append(&mut self, line: &str) -> Result<(), Error> {
        self.pending.extend_from_slice(line.as_bytes());
        self.pending.push(b'\n');
        Ok(())
    }

    fn commit(&mut self, durable: bool) -> Result<(), Error> {
        if !self.pending.is_empty() {
            let segs = self.segments()?;
            let (target, fresh) = match segs.last().copied() {
                None => (1, true),
                Some(l) if self.torn_tail => (l + 1, true),
                Some(l) => (l, false),
            };
            if self.current.as_ref().map(|(n, _)| *n) != Some(target) {
                let p = self.segment_path(target);
                let f = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&p)
                    .map_err(|e| io_err(&p, e))?;
                self.new_segment |= fresh;
                self.current = Some((target, f));
                self.torn_tail = false;
            }
            if let Some((n, f)) = self.current.as_mut() {
                let p = self.dir.join("segments").join(format!("seg-{n:08}.jsonl"));
                f.write_all(&self.pending).map_err(|e| io_err(&p, e))?;
            }
            self.pending.clear();
        }
        if durable {
            if let Some((n, f)) = self.current.as_mut() {
                let p = self.dir.join("segments").join(format!("seg-{n:08}.jsonl"));
                f.sync_data().map_err(|e| io_err(&p, e))?;
                let full = f.metadata().map(|m| m.len()).unwrap_or(0) >= self.segment_bytes;
                if full {
                    // The next append starts a new segment.
                    let next = *n + 1;
                    let np = self.segment_path(next);
                    let nf = OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&np)
                        .map_err(|e| io_err(&np, e))?;
                    self.current = Some((next, nf));
                    self.new_segment = true;
                }
            }
            if self.new_segment {
                let d = self.dir.join("segments");
                if let Ok(dirf) = File::open(&d) {
                    let _ = dirf.sync_all();
                }
                self.new_segment = false;
            }
        }
        if let Some(l) = self.lock.take() {
            l.unlock().map_err(|e| io_err(&self.dir, e))?;
        }
        Ok(())
    }

    fn rollback(&mut self) -> Result<(), Error> {
        self.pending.clear();
        self.read_seg = 0;
        self.read_off = 0;
        self.read_lines_in_seg = 0;
        self.lines_read = 0;
        if let Some(l) = self.lock.take() {
            l.unlock().map_err(|e| io_err(&self.dir, e))?;
        }
        Ok(())
    }

    fn read_all(&mut self) -> Result<Vec<Line>, Error> {
        let mut out = Vec::new();
        for n in self.segments()? {
            let (lines, _, _) = self.read_segment(n, 0, 0)?;
            out.extend(lines);
        }
        Ok(out)
    }
}

/// Splits segment bytes into lines named `name:line`; the last piece without a newline is returned as a line
/// cut short. Returns the lines, the bytes of complete lines, and whether a cut line was found.
pub fn split_segment(name: &str, buf: &[u8], first_line: u64) -> (Vec<Line>, u64, bool) {
    let mut out = Vec::new();
    let mut consumed = 0u64;
    let mut line_no = first_line;
    let mut torn = false;
    let mut rest = buf;
    while !rest.is_empty() {
        line_no += 1;
        match rest.iter().position(|&c| c == b'\n') {
            Some(i) => {
                out.push(Line {
                    loc: format!("{name}:{line_no}"),
                    text: rest[..i].to_vec(),
                    complete: true,
                });
                consumed += i as u64 + 1;
                rest = &rest[i + 1..];
            }
            None => {
                out.push(Line {
                    loc: format!("{name}:{line_no}"),
                    text: rest.to_vec(),
                    complete: false,
                });
                torn = true;
                rest = &[];
            }
        }
    }
    (out, consumed, torn)
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL

/// Table `phiguard_evidence (pos bigint primary key, line text not null, stored_at timestamptz)`. Writers
/// serialise on a transaction-level advisory lock; a committed transaction is durable.
pub struct PgStore {
    url_safe: String,
    client: postgres::Client,
    in_tx: bool,
    next_pos: i64,
}

const PG_LOCK: i64 = 0x7068_6967_7561_7264; // "phiguard"

impl PgStore {
    pub fn connect(url: &str) -> Result<PgStore, Error> {
        let url_safe = redact(url);
        let mut client = postgres::Client::connect(url, postgres::NoTls)
            .map_err(|e| Error::Db(format!("{url_safe}: {e}")))?;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS phiguard_evidence (\
                 pos bigint PRIMARY KEY, line text NOT NULL, stored_at timestamptz NOT NULL DEFAULT now())",
            )
            .map_err(|e| Error::Db(format!("{url_safe}: creating table: {e}")))?;
        Ok(PgStore {
            url_safe,
            client,
            in_tx: false,
            next_pos: 0,
        })
    }

    fn rows(&mut self, from: i64) -> Result<Vec<Line>, Error> {
        let rows = self
            .client
            .query(
                "SELECT pos, line FROM phiguard_evidence WHERE pos >= $1 ORDER BY pos",
                &[&from],
            )
            .map_err(|e| Error::Db(format!("{}: {e}", self.url_safe)))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let pos: i64 = r.get(0);
            let line: String = r.get(1);
            out.push(Line {
                loc: format!("postgres:pos {pos}"),
                text: line.into_bytes(),
                complete: true,
            });
            self.next_pos = self.next_pos.max(pos + 1);
        }
        Ok(out)
    }
}

/// Drops the password from a connection URL for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Store for PgStore {
    fn name(&self) -> String {
        self.url_safe.clone()
    }

    fn begin(&mut self, from: u64) -> Result<Vec<Line>, Error> {
        let u = self.url_safe.clone();
        self.client
            .batch_execute("BEGIN")
            .map_err(|e| Error::Db(format!("{u}: {e}")))?;
        self.in_tx = true;
        self.client
            .execute("SELECT pg_advisory_xact_lock($1)", &[&PG_LOCK])
            .map_err(|e| Error::Db(format!("{u}: {e}")))?;
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        let lines = self.rows(from)?;
        if lines.is_empty() && self.next_pos < from {
            self.next_pos = from;
        }
        Ok(lines)
    }

    fn append(&mut self, line: &str) -> Result<(), Error> {
        let pos = self.next_pos;
        self.client
            .execute(
                "INSERT INTO phiguard_evidence (pos, line) VALUES ($1, $2)",
                &[&pos, &line],
            )
            .map_err(|e| Error::Db(format!("{}: {e}", self.url_safe)))?;
        self.next_pos += 1;
        Ok(())
    }

    fn commit(&mut self, _durable: bool) -> Result<(), Error> {
        if self.in_tx {
            self.in_tx = false;
            self.client
                .batch_execute("COMMIT")
                .map_err(|e| Error::Db(format!("{}: {e}", self.url_safe)))?;
        }
        Ok(())
    }

    fn read_all(&mut self) -> Result<Vec<Line>, Error> {
        self.rows(0)
    }

    fn rollback(&mut self) -> Result<(), Error> {
        if self.in_tx {
            self.in_tx = false;
            self.client
                .batch_execute("ROLLBACK")
                .map_err(|e| Error::Db(format!("{}: {e}", self.url_safe)))?;
        }
        self.next_pos = 0;
        Ok(())
    }
}
