//! Bounded-memory scanning of readers: chunks overlap so that a match crossing a chunk boundary is found, and
//! each match is reported exactly once, with absolute byte offset, line and column.

use std::io::{self, Read, Write};

use crate::entity::Match;
use crate::redact::Redactor;
use crate::scan::MAX_ENTITY;
use crate::Detector;

/// Bytes kept before the cut for context and bytes read past it, so matches near the cut see the same
/// surroundings as in one pass.
pub const OVERLAP: usize = 4 * MAX_ENTITY;
/// Default chunk size.
pub const CHUNK: usize = 1 << 20;

/// A match with its absolute position.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    pub m: Match,
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in bytes.
    pub column: u64,
    /// The matched bytes (the caller decides whether to show them).
    pub value: Vec<u8>,
}

/// Totals of one stream.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub bytes: u64,
    pub matches: u64,
}

struct Lines {
    counted_to: u64,
    line: u64,
    line_start: u64,
}

impl Lines {
    fn advance(&mut self, buf: &[u8], base: u64, to: u64) {
        if to <= self.counted_to {
            return;
        }
        let from = (self.counted_to - base) as usize;
        let upto = (to - base) as usize;
        for p in memchr::memchr_iter(b'\n', &buf[from..upto]) {
            self.line += 1;
            self.line_start = base + (from + p) as u64 + 1;
        }
        self.counted_to = to;
    }
}

/// Fills `buf` from `r` until it holds `want` bytes or the reader ends; returns whether it ended.
fn fill<R: Read>(r: &mut R, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    let have = buf.len();
    buf.resize(want.max(have), 0);
    let mut len = have;
    let ended = loop {
        if len >= want {
            break false;
        }
        match r.read(&mut buf[len..want]) {
            Ok(0) => break true,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                buf.truncate(len);
                return Err(e);
            }
        }
    };
    buf.truncate(len);
    Ok(ended)
}

/// Scans a reader in chunks of `chunk` bytes (at least `2 * OVERLAP`), calling `on_match` for every reported
/// match in order. Memory stays within `chunk + 2 * OVERLAP` plus the matches of one chunk.
pub fn scan_reader<R: Read>(
    det: &Detector,
    mut r: R,
    chunk: usize,
    mut on_match: impl FnMut(Located),
) -> io::Result<Stats> {
    let chunk = chunk.max(2 * OVERLAP);
    let mut buf: Vec<u8> = Vec::with_capacity(chunk + 2 * OVERLAP);
    let mut base: u64 = 0;
    let mut emitted_to: u64 = 0;
    let mut last_end: u64 = 0;
    let mut stats = Stats::default();
    let mut lines = Lines {
        counted_to: 0,
        line: 1,
        line_start: 0,
    };
    let mut at_line_start = true;
    // Candidates of one chunk; the allocation is reused from chunk to chunk.
    let mut cands = Vec::new();
    loop {
        let eof = fill(&mut r, &mut buf, chunk + OVERLAP)?;
        let cut = if eof { buf.len() } else { buf.len() - OVERLAP };
        cands.clear();
        det.candidates(&buf, at_line_start, &mut cands);
        det.finish_in(&buf, &mut cands);
        for &m in &cands {
            let abs = base + m.start as u64;
            if abs < emitted_to || abs < last_end || (m.start >= cut && !eof) {
                continue;
            }
            lines.advance(&buf, base, abs);
            let value = buf[m.start..m.end].to_vec();
            let column = abs - lines.line_start + 1;
            last_end = base + m.end as u64;
            stats.matches += 1;
            on_match(Located {
                line: lines.line,
                column,
                value,
                m: Match {
                    start: abs as usize,
                    end: last_end as usize,
                    ..m
                },
            });
        }
        if eof {
            stats.bytes = base + buf.len() as u64;
            return Ok(stats);
        }
        emitted_to = base + cut as u64;
        // Keep OVERLAP bytes before the cut as context for the next chunk.
        let keep_from = cut.saturating_sub(OVERLAP);
        lines.advance(&buf, base, base + keep_from as u64);
        at_line_start = keep_from == 0 || buf[keep_from - 1] == b'\n';
        buf.drain(..keep_from);
        base += keep_from as u64;
    }
}

/// Redacts a reader into a writer in bounded memory; returns the totals.
pub fn redact_stream<R: Read, W: Write>(
    det: &Detector,
    redactor: &Redactor,
    mut r: R,
    mut w: W,
    chunk: usize,
) -> io::Result<Stats> {
    let chunk = chunk.max(2 * OVERLAP);
    let mut buf: Vec<u8> = Vec::with_capacity(chunk + 2 * OVERLAP);
    let mut base: u64 = 0;
    // Absolute offset up to which output has been written.
    let mut written: u64 = 0;
    let mut stats = Stats::default();
    let mut at_line_start = true;
    // Candidates of one chunk; the allocation is reused from chunk to chunk.
    let mut cands = Vec::new();
    loop {
        let eof = fill(&mut r, &mut buf, chunk + OVERLAP)?;
        let cut = if eof { buf.len() } else { buf.len() - OVERLAP };
        cands.clear();
        det.candidates(&buf, at_line_start, &mut cands);
        det.finish_in(&buf, &mut cands);
        for &m in &cands {
            let abs = base + m.start as u64;
            if abs < written || (m.start >= cut && !eof) {
                continue;
            }
            let from = (written - base) as usize;
            w.write_all(&buf[from..m.start])?;
            w.write_all(redactor.replace(m.entity, &buf[m.start..m.end]).as_bytes())?;
            written = base + m.end as u64;
            stats.matches += 1;
        }
        let upto = if eof { buf.len() } else { cut };
        let from = (written - base) as usize;
        if from < upto {
            w.write_all(&buf[from..upto])?;
            written = base + upto as u64;
        }
        if eof {
            w.flush()?;
            stats.bytes = base + buf.len() as u64;
            return Ok(stats);
        }
        let keep_from = cut.saturating_sub(OVERLAP);
        at_line_start = keep_from == 0 || buf[keep_from - 1] == b'\n';
        buf.drain(..keep_from);
        base += keep_from as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_equals_whole() {
        let det = Detector::new();
        let mut text = Vec::new();
        for k in 0..400 {
            text.extend_from_slice(
                format!("{k} INFO patient=\"John Smith\" ssn=536-22-{:04} dob=1961-03-0{} email=j{k}@example.org\n", 1000 + k, 1 + k % 9)
                    .as_bytes(),
            );
        }
        let whole: Vec<(usize, usize)> =
            det.detect(&text).iter().map(|m| (m.start, m.end)).collect();
        for chunk in [OVERLAP, OVERLAP + 1, 3 * OVERLAP + 17] {
            let mut got = Vec::new();
            scan_reader(&det, &text[..], chunk, |l| got.push((l.m.start, l.m.end))).unwrap();
            assert_eq!(got, whole, "chunk {chunk}");
        }
        assert!(whole.len() >= 1600);
    }

    #[test]
    fn lines_and_columns() {
        let det = Detector::new();
        let text = b"first line\nssn: 536-22-1234\n  email bob@example.org\n";
        let mut got = Vec::new();
        scan_reader(&det, &text[..], CHUNK, |l| {
            got.push((l.line, l.column, l.m.entity))
        })
        .unwrap();
        assert_eq!(
            got,
            vec![(2, 6, crate::Entity::Ssn), (3, 9, crate::Entity::Email)]
        );
    }
}
