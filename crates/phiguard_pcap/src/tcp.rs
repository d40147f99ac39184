//! One direction of a TCP connection: segments placed by sequence number (wrap-around included), the first
//! copy of every byte kept, gaps found, memory bounded.

use std::collections::BTreeMap;

use crate::capture::Timestamp;

/// Bytes stored across all flows, against a cap.
#[derive(Debug, Default)]
pub struct Budget {
    pub used: usize,
    pub cap: usize,
}

#[derive(Debug)]
struct Stored {
    data: Vec<u8>,
    frame: u64,
    ts: Timestamp,
}

/// Where a stream byte came from: bytes from `offset` on (until the next entry) were carried by `frame`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub offset: u64,
    pub frame: u64,
    pub ts: Timestamp,
}

/// A contiguous stretch of reassembled bytes.
#[derive(Debug, Default)]
pub struct Run {
    /// Stream offset of `data[0]`.
    pub offset: u64,
    pub data: Vec<u8>,
}

/// Missing bytes between two runs (or before the first run, after a SYN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    pub offset: u64,
    pub len: u64,
}

/// A direction's reassembled stream.
#[derive(Debug, Default)]
pub struct Stream {
    pub runs: Vec<Run>,
    pub gaps: Vec<Gap>,
    pub origins: Vec<Origin>,
}

impl Stream {
    /// The frame and time of the byte at stream offset `at`.
    pub fn origin(&self, at: u64) -> Option<Origin> {
        let i = self.origins.partition_point(|o| o.offset <= at);
        i.checked_sub(1).and_then(|i| self.origins.get(i)).copied()
    }

    pub fn bytes(&self) -> u64 {
        self.runs.iter().map(|r| r.data.len() as u64).sum()
    }
}

/// Counters of one direction.
#[derive(Clone, Copy, Debug, Default)]
pub struct DirStats {
    pub packets: u64,
    /// Payload bytes seen on the wire (retransmissions included).
    pub wire_bytes: u64,
    /// Bytes that repeated bytes already held (retransmissions, overlaps): the first copy was kept.
    pub duplicate_bytes: u64,
    /// Bytes not stored because a cap was reached.
    pub dropped_bytes: u64,
    pub syn: bool,
    pub fin: bool,
    pub rst: bool,
}

/// One direction being reassembled.
#[derive(Debug, Default)]
pub struct Direction {
    /// The sequence number that relative offsets are counted from.
    base: Option<u32>,
    /// Relative offset of the first data byte announced by a SYN.
    syn_at: Option<i64>,
    /// Relative offset just past the last data byte, announced by a FIN.
    fin_at: Option<i64>,
    pieces: BTreeMap<i64, Stored>,
    stored: usize,
    pub stats: DirStats,
}

impl Direction {
    fn rel(&mut self, seq: u32) -> i64 {
        let base = *self.base.get_or_insert(seq);
        // Within 2 GiB of the base, either side: sequence wrap-around falls out of the wrapping difference.
        i64::from(seq.wrapping_sub(base) as i32)
    }

    /// Adds a segment; `max` caps the bytes this direction stores.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        seq: u32,
        flags: u8,
        payload: &[u8],
        frame: u64,
        ts: Timestamp,
        max: usize,
        budget: &mut Budget,
    ) {
        use crate::packet::{TCP_FIN, TCP_RST, TCP_SYN};
        self.stats.packets += 1;
        self.stats.wire_bytes += payload.len() as u64;
        let mut data_seq = seq;
        if flags & TCP_SYN != 0 {
            data_seq = seq.wrapping_add(1);
            if self.syn_at.is_none() {
                self.stats.syn = true;
                let r = self.rel(data_seq);
                self.syn_at = Some(r);
            }
        }
        if flags & TCP_RST != 0 {
            self.stats.rst = true;
            // A reset's payload (diagnostic text, rarely) is not stream data.
            return;
        }
        if flags & TCP_FIN != 0 {
            self.stats.fin = true;
            if self.fin_at.is_none() {
                let r = self.rel(data_seq.wrapping_add(payload.len() as u32));
                self.fin_at = Some(r);
            }
        }
        if payload.is_empty() {
            return;
        }
        let start = self.rel(data_seq);
        let end = start + payload.len() as i64;
        // The parts of [start, end) that no stored piece covers yet.
        let mut fresh: Vec<(i64, i64)> = Vec::new();
        let mut cursor = start;
        let before = self
            .pieces
            .range(..start)
            .next_back()
            .map(|(&s, p)| s + p.data.len() as i64);
        if let Some(prev_end) = before {
            cursor = cursor.max(prev_end);
        }
        for (&s, p) in self.pieces.range(start..end) {
            if s > cursor {
                fresh.push((cursor, s));
            }
            cursor = cursor.max(s + p.data.len() as i64);
        }
        if cursor < end {
            fresh.push((cursor, end));
        }
        let fresh_len: i64 = fresh.iter().map(|(a, b)| b - a).sum();
        self.stats.duplicate_bytes += (payload.len() as i64 - fresh_len).max(0) as u64;
        for (a, b) in fresh {
            let want = (b - a) as usize;
            let room = max
                .saturating_sub(self.stored)
                .min(budget.cap.saturating_sub(budget.used));
            let take = want.min(room);
            self.stats.dropped_bytes += (want - take) as u64;
            if take == 0 {
                continue;
            }
            let lo = (a - start) as usize;
            self.pieces.insert(
                a,
                Stored {
                    data: payload[lo..lo + take].to_vec(),
                    frame,
                    ts,
                },
            );
            self.stored += take;
            budget.used += take;
        }
    }

    /// Bytes held.
    pub fn stored(&self) -> usize {
        self.stored
    }

    /// The reassembled stream; releases the direction's memory from `budget`.
    pub fn finish(&mut self, budget: &mut Budget) -> Stream {
        budget.used = budget.used.saturating_sub(self.stored);
        self.stored = 0;
        let pieces = std::mem::take(&mut self.pieces);
        let mut out = Stream::default();
        let first = pieces.keys().next().copied();
        // Offsets count from the SYN when it was seen and precedes the data, else from the first byte held.
        let origin = match (self.syn_at, first) {
            (Some(s), Some(f)) if s <= f => s,
            (_, Some(f)) => f,
            (Some(s), None) => s,
            (None, None) => return out,
        };
        let mut expect = 0u64;
        for (rel, p) in pieces {
            let off = (rel - origin) as u64;
            if off > expect {
                out.gaps.push(Gap {
                    offset: expect,
                    len: off - expect,
                });
            }
            let contiguous = off == expect && !out.runs.is_empty();
            if !contiguous {
                out.runs.push(Run {
                    offset: off,
                    data: Vec::new(),
                });
            }
            if out.origins.last().map(|o| o.frame) != Some(p.frame) || !contiguous {
                out.origins.push(Origin {
                    offset: off,
                    frame: p.frame,
                    ts: p.ts,
                });
            }
            expect = off + p.data.len() as u64;
            if let Some(run) = out.runs.last_mut() {
                run.data.extend_from_slice(&p.data);
            }
        }
        // Bytes announced by the FIN's sequence number that never arrived (not those dropped at a cap).
        if let (Some(fin), 0) = (self.fin_at, self.stats.dropped_bytes) {
            let end = fin - origin;
            if end > 0 && end as u64 > expect {
                out.gaps.push(Gap {
                    offset: expect,
                    len: end as u64 - expect,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts() -> Timestamp {
        Timestamp::default()
    }

    #[test]
    fn out_of_order_retransmission_and_wrap() {
        let mut b = Budget {
            used: 0,
            cap: 1 << 20,
        };
        let mut d = Direction::default();
        let isn = u32::MAX - 3;
        d.add(isn, crate::packet::TCP_SYN, b"", 1, ts(), 1 << 20, &mut b);
        // "hello world": "world" first, then "hello ", then a retransmission of "lo wo" with other bytes.
        d.add(isn.wrapping_add(7), 0, b"world", 2, ts(), 1 << 20, &mut b);
        d.add(isn.wrapping_add(1), 0, b"hello ", 3, ts(), 1 << 20, &mut b);
        d.add(isn.wrapping_add(4), 0, b"XX XX", 4, ts(), 1 << 20, &mut b);
        let s = d.finish(&mut b);
        assert_eq!(s.runs.len(), 1);
        assert_eq!(s.runs[0].data, b"hello world");
        assert!(s.gaps.is_empty());
        assert_eq!(s.origin(0).map(|o| o.frame), Some(3));
        assert_eq!(s.origin(6).map(|o| o.frame), Some(2));
        assert_eq!(d.stats.duplicate_bytes, 5);
        assert_eq!(b.used, 0);
    }

    #[test]
    fn gaps_and_caps() {
        let mut b = Budget { used: 0, cap: 8 };
        let mut d = Direction::default();
        d.add(100, crate::packet::TCP_SYN, b"", 1, ts(), 100, &mut b);
        d.add(104, 0, b"abcd", 2, ts(), 100, &mut b);
        d.add(120, 0, b"efghijkl", 3, ts(), 100, &mut b);
        let s = d.finish(&mut b);
        assert_eq!(
            s.gaps,
            vec![Gap { offset: 0, len: 3 }, Gap { offset: 7, len: 12 }]
        );
        assert_eq!(s.runs[1].data, b"efgh");
        assert_eq!(d.stats.dropped_bytes, 4);
    }
}
