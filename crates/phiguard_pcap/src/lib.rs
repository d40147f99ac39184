//! phiguard_pcap: PHI in network captures. Reads pcap and pcapng (plain or gzip-compressed), decodes link, IP,
//! TCP and UDP headers, reassembles TCP streams per direction, understands HTTP/1.x, HL7 v2 over MLLP,
//! PostgreSQL and TLS, and runs the PHI detector over the cleartext application data. Every finding points back
//! to the frame that carried its first byte; every flow is summarised as cleartext or encrypted (45 CFR
//! 164.312(e)(1), transmission security).
//!
//! - [`capture`]: pcap and pcapng records; errors name the byte offset and the record.
//! - [`packet`]: link layers, IPv4/IPv6, TCP and UDP.
//! - [`tcp`]: per-direction reassembly with first-copy-wins overlaps, gaps and memory caps.
//! - [`app`]: application protocols and what of them is scanned.
//!
//! Scope, stated plainly:
//! - IPv4 and IPv6 fragments are counted ([`Stats::ip_fragments`]), not reassembled, and not scanned.
//! - TCP: no checksum verification; a segment is placed by its sequence number alone. Bytes the capture
//!   lacks are gaps (between segments, before the first after a SYN, before a FIN); the rest is still scanned,
//!   but a value cut by a gap may be missed. Bytes past [`Options`] caps are dropped and counted.
//! - The client of a connection is the sender of the SYN; without a handshake, the side with the higher port.
//! - HTTP/1.x only: HTTP/2, QUIC and WebSocket frames after an upgrade are scanned as raw bytes or reported
//!   as encrypted; compressed bodies other than gzip and deflate are noted, not scanned. Findings in a
//!   decompressed body point at the frame where the body starts.
//! - PostgreSQL is parsed from the start of a connection; a connection captured without its start is raw.
//! - TLS, DTLS and STARTTLS are recognised by their record headers; nothing after the handshake is scanned,
//!   and nothing is decrypted.
//! - Memory: flows are analysed when they close (after a quiet period) or at the end of the capture; the
//!   stored payload is bounded by [`Options::max_total_bytes`] and [`Options::max_stream_bytes`].

pub mod app;
pub mod capture;
pub mod packet;
pub mod tcp;

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::net::SocketAddr;

use phiguard_phi::{Detector, Entity, Method};

pub use app::AppProtocol;
pub use capture::{CaptureError, CaptureReader, Timestamp};

use crate::packet::{Decoded, TCP_ACK, TCP_SYN};
use crate::tcp::{Budget, Direction, Origin, Stream};

/// Memory and size limits.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Bytes stored per flow direction; the rest is dropped and counted.
    pub max_stream_bytes: usize,
    /// Bytes stored across all flows at once.
    pub max_total_bytes: usize,
    /// Flows tracked at once; packets of further flows are counted, not analysed.
    pub max_flows: usize,
    /// The most bytes one compressed HTTP body may decode to.
    pub max_decoded_body: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_stream_bytes: 64 << 20,
            max_total_bytes: 1 << 30,
            max_flows: 100_000,
            max_decoded_body: 16 << 20,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transport {
    Tcp,
    Udp,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        })
    }
}

/// Whether a flow's application data crossed the network readable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encryption {
    /// Application data in the clear.
    Cleartext,
    /// Readable at first, then TLS (STARTTLS, an accepted PostgreSQL SSLRequest after cleartext, ...).
    ClearThenTls,
    /// TLS (or DTLS) from the first application byte.
    Tls,
    /// SSH: encrypted after the version banners.
    Ssh,
    /// No application data.
    Empty,
}

impl Encryption {
    pub fn as_str(self) -> &'static str {
        match self {
            Encryption::Cleartext => "cleartext",
            Encryption::ClearThenTls => "cleartext-then-tls",
            Encryption::Tls => "tls",
            Encryption::Ssh => "ssh",
            Encryption::Empty => "empty",
        }
    }
}

/// Which way the bytes went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    ClientToServer,
    ServerToClient,
}

/// What was found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Phi {
        entity: Entity,
        confidence: f32,
        method: Method,
    },
    /// A credential sent in the clear (HTTP Basic, a PostgreSQL cleartext password).
    Credential { scheme: &'static str },
}

/// One finding in a capture.
#[derive(Clone, Debug)]
pub struct Finding {
    pub kind: Kind,
    /// The matched bytes (empty for credentials, which are never kept).
    pub value: Vec<u8>,
    /// The frame that carried the first byte.
    pub frame: u64,
    pub ts: Timestamp,
    /// Index into [`Report::flows`].
    pub flow: usize,
    pub side: Side,
    pub protocol: AppProtocol,
    /// Offset in the reassembled stream of this direction (of the encoded body, when `decoded`).
    pub offset: u64,
    /// Found in a decompressed HTTP body.
    pub decoded: bool,
}

/// One flow (TCP connection or UDP address pair).
#[derive(Clone, Debug)]
pub struct FlowSummary {
    pub client: SocketAddr,
    pub server: SocketAddr,
    pub transport: Transport,
    pub protocol: AppProtocol,
    pub encryption: Encryption,
    pub first_frame: u64,
    pub packets: u64,
    /// Application bytes held after reassembly, both directions.
    pub bytes: u64,
    /// Bytes scanned in the clear.
    pub clear_bytes: u64,
    pub phi: usize,
    pub credentials: usize,
    /// Holes in the reassembled streams, and the bytes missing in them.
    pub gaps: usize,
    pub missing_bytes: u64,
    pub duplicate_bytes: u64,
    pub dropped_bytes: u64,
    pub notes: Vec<String>,
}

impl FlowSummary {
    /// `10.0.0.1:51000 -> 10.0.0.2:5432`.
    pub fn label(&self) -> String {
        format!("{} -> {}", self.client, self.server)
    }

    /// Cleartext PHI in transit: the headline.
    pub fn phi_in_clear(&self) -> bool {
        self.phi > 0
    }
}

/// Counters of a capture.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub frames: u64,
    /// Bytes of the capture file read.
    pub file_bytes: u64,
    pub tcp_packets: u64,
    pub udp_packets: u64,
    /// IPv4/IPv6 fragments: counted, not reassembled, not scanned.
    pub ip_fragments: u64,
    pub malformed: u64,
    /// Non-IP frames, and IP carrying neither TCP nor UDP.
    pub skipped: u64,
    pub unknown_link: u64,
    /// Packets of flows beyond [`Options::max_flows`].
    pub flows_over_cap: u64,
    pub dropped_bytes: u64,
    /// Bytes handed to the detector.
    pub scanned_bytes: u64,
}

/// The result of scanning one capture; `error` holds why reading stopped early, findings so far kept.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub flows: Vec<FlowSummary>,
    pub stats: Stats,
    pub error: Option<CaptureError>,
}

impl Report {
    pub fn flow_of(&self, f: &Finding) -> Option<&FlowSummary> {
        self.flows.get(f.flow)
    }
}

type Key = (SocketAddr, SocketAddr, Transport);

/// One UDP datagram's payload, its offset among the side's datagram bytes, and its frame.
struct Datagram {
    offset: u64,
    data: Vec<u8>,
    frame: u64,
    ts: Timestamp,
}

/// Frames a closed connection stays in memory before it is analysed.
const LINGER_FRAMES: u64 = 4096;

struct Flow {
    id: usize,
    client: SocketAddr,
    server: SocketAddr,
    transport: Transport,
    first_frame: u64,
    dirs: [Direction; 2],
    /// UDP datagrams per side.
    datagrams: [Vec<Datagram>; 2],
    udp_bytes: [u64; 2],
    /// UDP payload bytes held per side.
    udp_held: [usize; 2],
    udp_packets: u64,
    last_frame: u64,
}

impl Flow {
    fn closed(&self) -> bool {
        let [a, b] = &self.dirs;
        a.stats.rst || b.stats.rst || (a.stats.fin && b.stats.fin)
    }
}

/// Scans a capture read from `r` with `det`.
pub fn scan<R: Read>(det: &Detector, r: R, opts: &Options) -> Report {
    let mut sc = Scanner::new(det, *opts);
    match CaptureReader::new(r) {
        Ok(mut reader) => {
            loop {
                match reader.next_packet() {
                    Ok(Some(p)) => sc.packet(&p),
                    Ok(None) => break,
                    Err(e) => {
                        sc.report.error = Some(e);
                        break;
                    }
                }
            }
            sc.report.stats.file_bytes = reader.offset();
        }
        Err(e) => sc.report.error = Some(e),
    }
    sc.finish()
}

/// Packet-at-a-time scanning state.
pub struct Scanner<'d> {
    det: &'d Detector,
    opts: Options,
    flows: HashMap<Key, Flow>,
    next_id: usize,
    summaries: Vec<Option<FlowSummary>>,
    budget: Budget,
    report: Report,
    /// Connections that closed (both FINs or a reset), in the order they closed; an entry whose flow was
    /// replaced or already analysed is skipped.
    closing: Vec<Key>,
}

impl<'d> Scanner<'d> {
    pub fn new(det: &'d Detector, opts: Options) -> Self {
        Scanner {
            det,
            opts,
            flows: HashMap::new(),
            next_id: 0,
            summaries: Vec::new(),
            budget: Budget {
                used: 0,
                cap: opts.max_total_bytes,
            },
            report: Report::default(),
            closing: Vec::new(),
        }
    }

    /// Feeds one captured frame.
    pub fn packet(&mut self, p: &capture::Packet) {
        self.report.stats.frames += 1;
        // Closed connections are analysed once they have been quiet for a while (late ACKs and
        // retransmissions still land in them), so that memory follows the open connections only.
        if p.frame.is_multiple_of(LINGER_FRAMES) {
            self.release_closed_before(p.frame.saturating_sub(LINGER_FRAMES));
        }
        let seg = match packet::decode(p.link, &p.data) {
            Decoded::Segment(s) => s,
            Decoded::Fragment => {
                self.report.stats.ip_fragments += 1;
                return;
            }
            Decoded::Skipped => {
                self.report.stats.skipped += 1;
                return;
            }
            Decoded::Malformed(_) => {
                self.report.stats.malformed += 1;
                return;
            }
            Decoded::UnknownLink => {
                self.report.stats.unknown_link += 1;
                return;
            }
        };
        let transport = if seg.tcp.is_some() {
            self.report.stats.tcp_packets += 1;
            Transport::Tcp
        } else {
            self.report.stats.udp_packets += 1;
            Transport::Udp
        };
        let src = SocketAddr::new(seg.src, seg.sport);
        let dst = SocketAddr::new(seg.dst, seg.dport);
        let key = if src <= dst {
            (src, dst, transport)
        } else {
            (dst, src, transport)
        };
        let flags = seg.tcp.map_or(0, |t| t.flags);
        // A new connection on the addresses of a closed one.
        if flags & TCP_SYN != 0 && flags & TCP_ACK == 0 {
            if let Some(f) = self.flows.get(&key) {
                if f.closed() || f.dirs[0].stats.wire_bytes + f.dirs[1].stats.wire_bytes > 0 {
                    if let Some(f) = self.flows.remove(&key) {
                        self.finish_flow(f);
                    }
                }
            }
        }
        if !self.flows.contains_key(&key) {
            // Closed connections make room before a new one is refused.
            if self.flows.len() >= self.opts.max_flows && !self.closing.is_empty() {
                self.release_closed();
            }
            if self.flows.len() >= self.opts.max_flows {
                self.report.stats.flows_over_cap += 1;
                return;
            }
            // The client: the sender of a bare SYN, the receiver of a SYN-ACK, else the higher port.
            let src_is_client = if flags & TCP_SYN != 0 {
                flags & TCP_ACK == 0
            } else {
                seg.sport > seg.dport || (seg.sport == seg.dport && src <= dst)
            };
            let (client, server) = if src_is_client {
                (src, dst)
            } else {
                (dst, src)
            };
            let id = self.next_id;
            self.next_id += 1;
            self.summaries.push(None);
            self.flows.insert(
                key,
                Flow {
                    id,
                    client,
                    server,
                    transport,
                    first_frame: p.frame,
                    dirs: [Direction::default(), Direction::default()],
                    datagrams: [Vec::new(), Vec::new()],
                    udp_bytes: [0, 0],
                    udp_held: [0, 0],
                    udp_packets: 0,
                    last_frame: p.frame,
                },
            );
        }
        if self.budget.used + seg.payload.len() > self.budget.cap {
            self.release_closed();
        }
        let max = self.opts.max_stream_bytes;
        let Some(flow) = self.flows.get_mut(&key) else {
            return;
        };
        let side = usize::from(src != flow.client);
        flow.last_frame = p.frame;
        match seg.tcp {
            Some(t) => {
                let was_closed = flow.closed();
                flow.dirs[side].add(
                    t.seq,
                    t.flags,
                    seg.payload,
                    p.frame,
                    p.ts,
                    max,
                    &mut self.budget,
                );
                if !was_closed && flow.closed() {
                    self.closing.push(key);
                }
            }
            None => {
                flow.udp_packets += 1;
                let off = flow.udp_bytes[side];
                flow.udp_bytes[side] += seg.payload.len() as u64;
                let held = flow.udp_held.get(side).copied().unwrap_or(0);
                let room = max.saturating_sub(held);
                let room = room.min(self.budget.cap.saturating_sub(self.budget.used));
                if seg.payload.len() <= room {
                    flow.datagrams[side].push(Datagram {
                        offset: off,
                        data: seg.payload.to_vec(),
                        frame: p.frame,
                        ts: p.ts,
                    });
                    if let Some(h) = flow.udp_held.get_mut(side) {
                        *h += seg.payload.len();
                    }
                    self.budget.used += seg.payload.len();
                } else {
                    flow.dirs[side].stats.dropped_bytes += seg.payload.len() as u64;
                }
            }
        }
    }

    /// Analyses closed connections to free memory.
    fn release_closed(&mut self) {
        self.release_closed_before(u64::MAX);
    }

    /// Analyses the connections that closed and saw no packet since frame `before`; the others stay queued.
    fn release_closed_before(&mut self, before: u64) {
        let queue = std::mem::take(&mut self.closing);
        for k in queue {
            match self.flows.get(&k) {
                Some(f) if f.closed() && f.last_frame < before => {
                    if let Some(f) = self.flows.remove(&k) {
                        self.finish_flow(f);
                    }
                }
                Some(f) if f.closed() => self.closing.push(k),
                // Replaced by a new connection on the same addresses, or analysed already.
                _ => {}
            }
        }
    }

    /// Analyses every remaining flow and returns the report (flows in order of their first frame).
    pub fn finish(mut self) -> Report {
        let mut rest: Vec<Flow> = self.flows.drain().map(|(_, f)| f).collect();
        rest.sort_by_key(|f| f.id);
        for f in rest {
            self.finish_flow(f);
        }
        let mut report = self.report;
        report.flows = self.summaries.into_iter().flatten().collect();
        report.findings.sort_by_key(|f| (f.frame, f.flow, f.offset));
        report
    }

    fn finish_flow(&mut self, mut f: Flow) {
        let mut summary = FlowSummary {
            client: f.client,
            server: f.server,
            transport: f.transport,
            protocol: AppProtocol::Raw,
            encryption: Encryption::Empty,
            first_frame: f.first_frame,
            packets: f.dirs[0].stats.packets + f.dirs[1].stats.packets + f.udp_packets,
            bytes: 0,
            clear_bytes: 0,
            phi: 0,
            credentials: 0,
            gaps: 0,
            missing_bytes: 0,
            duplicate_bytes: f.dirs.iter().map(|d| d.stats.duplicate_bytes).sum(),
            dropped_bytes: f.dirs.iter().map(|d| d.stats.dropped_bytes).sum(),
            notes: Vec::new(),
        };
        self.report.stats.dropped_bytes += summary.dropped_bytes;
        if summary.dropped_bytes > 0 {
            summary.notes.push(format!(
                "{} byte(s) not analysed: memory cap reached",
                summary.dropped_bytes
            ));
        }
        let mut found = Vec::new();
        let lim = app::Limits {
            max_decoded_body: self.opts.max_decoded_body,
        };
        match f.transport {
            Transport::Tcp => {
                let streams = [
                    f.dirs[0].finish(&mut self.budget),
                    f.dirs[1].finish(&mut self.budget),
                ];
                for s in &streams {
                    summary.bytes += s.bytes();
                    summary.gaps += s.gaps.len();
                    summary.missing_bytes += s.gaps.iter().map(|g| g.len).sum::<u64>();
                }
                if summary.gaps > 0 {
                    summary.notes.push(format!(
                        "{} byte(s) missing from the capture: the rest was still scanned",
                        summary.missing_bytes
                    ));
                }
                let (proto, dirs) = app::analyze_tcp(&streams, lim);
                summary.protocol = proto;
                summary.encryption = encryption(&dirs, summary.bytes);
                for (i, d) in dirs.iter().enumerate() {
                    let side = if i == 0 {
                        Side::ClientToServer
                    } else {
                        Side::ServerToClient
                    };
                    summary.clear_bytes += d.clear_bytes;
                    summary.notes.extend(d.notes.iter().cloned());
                    self.scan_dir(d, &streams[i], f.id, side, &mut found);
                }
            }
            Transport::Udp => {
                let mut dirs = Vec::new();
                for (i, grams) in f.datagrams.iter_mut().enumerate() {
                    let side = if i == 0 {
                        Side::ClientToServer
                    } else {
                        Side::ServerToClient
                    };
                    let mut d = app::DirAnalysis {
                        protocol: AppProtocol::Raw,
                        pieces: Vec::new(),
                        credentials: Vec::new(),
                        tls_from: None,
                        clear_bytes: 0,
                        notes: Vec::new(),
                    };
                    let mut stream = Stream::default();
                    for Datagram {
                        offset: off,
                        data,
                        frame,
                        ts,
                    } in grams.drain(..)
                    {
                        self.budget.used = self.budget.used.saturating_sub(data.len());
                        summary.bytes += data.len() as u64;
                        stream.origins.push(Origin {
                            offset: off,
                            frame,
                            ts,
                        });
                        if is_dtls(&data) {
                            d.protocol = AppProtocol::Dtls;
                            d.tls_from.get_or_insert(off);
                            continue;
                        }
                        d.clear_bytes += data.len() as u64;
                        d.pieces.push(app::Piece {
                            spans: vec![(0, off, data.len())],
                            text: data,
                            decoded: false,
                        });
                    }
                    summary.clear_bytes += d.clear_bytes;
                    self.scan_dir(&d, &stream, f.id, side, &mut found);
                    dirs.push(d);
                }
                summary.protocol = if dirs.iter().any(|d| d.protocol == AppProtocol::Dtls) {
                    AppProtocol::Dtls
                } else {
                    AppProtocol::Raw
                };
                summary.encryption = if summary.bytes == 0 {
                    Encryption::Empty
                } else if summary.clear_bytes == 0 {
                    Encryption::Tls
                } else if summary.protocol == AppProtocol::Dtls {
                    Encryption::ClearThenTls
                } else {
                    Encryption::Cleartext
                };
            }
        }
        for x in &found {
            match x.kind {
                Kind::Phi { .. } => summary.phi += 1,
                Kind::Credential { .. } => summary.credentials += 1,
            }
        }
        self.report.findings.extend(found);
        if let Some(slot) = self.summaries.get_mut(f.id) {
            *slot = Some(summary);
        }
    }

    fn scan_dir(
        &mut self,
        d: &app::DirAnalysis,
        stream: &Stream,
        flow: usize,
        side: Side,
        out: &mut Vec<Finding>,
    ) {
        let at = |off: u64| {
            stream.origin(off).unwrap_or(Origin {
                offset: 0,
                frame: 0,
                ts: Timestamp::default(),
            })
        };
        for piece in &d.pieces {
            self.report.stats.scanned_bytes += piece.text.len() as u64;
            for m in self.det.detect(&piece.text) {
                let off = piece.stream_offset(m.start);
                let o = at(off);
                out.push(Finding {
                    kind: Kind::Phi {
                        entity: m.entity,
                        confidence: m.confidence,
                        method: m.method,
                    },
                    value: piece.text.get(m.start..m.end).unwrap_or_default().to_vec(),
                    frame: o.frame,
                    ts: o.ts,
                    flow,
                    side,
                    protocol: d.protocol,
                    offset: off,
                    decoded: piece.decoded,
                });
            }
        }
        for c in &d.credentials {
            let o = at(c.offset);
            out.push(Finding {
                kind: Kind::Credential { scheme: c.scheme },
                value: Vec::new(),
                frame: o.frame,
                ts: o.ts,
                flow,
                side,
                protocol: d.protocol,
                offset: c.offset,
                decoded: false,
            });
        }
    }
}

fn encryption(dirs: &[app::DirAnalysis; 2], bytes: u64) -> Encryption {
    if bytes == 0 {
        return Encryption::Empty;
    }
    if dirs.iter().any(|d| d.protocol == app::AppProtocol::Ssh) {
        return Encryption::Ssh;
    }
    let clear: u64 = dirs.iter().map(|d| d.clear_bytes).sum();
    let tls = dirs.iter().any(|d| d.tls_from.is_some());
    // Bytes without any sign of encryption are cleartext even when nothing in them was worth scanning.
    match (clear > 0, tls) {
        (_, false) => Encryption::Cleartext,
        (true, true) => Encryption::ClearThenTls,
        (false, true) => Encryption::Tls,
    }
}

/// A DTLS record header: content type 20-23, version 0xFEFF, 0xFEFD or 0xFEFC.
fn is_dtls(d: &[u8]) -> bool {
    d.len() >= 13 && (20..=23).contains(&d[0]) && d[1] == 0xFE && d[2] >= 0xFC
}
