//! Capture files built byte by byte: frames (Ethernet, Linux SLL, raw IP, BSD loopback) carrying IPv4/IPv6 with
//! TCP or UDP, TCP conversations with sequence numbers, and pcap (both byte orders, micro- or nanosecond) and
//! pcapng (both byte orders) writers. Written from the format descriptions, independent of the reader.
//!
//! Shared by the crate's tests, its benchmark and the CLI tests of `phiguard` (through `#[path]`).
#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr};

pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;

/// Link layers and their LINKTYPE_ values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// LINKTYPE_ETHERNET (1).
    Ethernet,
    /// LINKTYPE_LINUX_SLL (113).
    Sll,
    /// LINKTYPE_RAW (101).
    Raw,
    /// LINKTYPE_NULL (0): address family in little-endian (the capturing host's order).
    Null,
    /// LINKTYPE_LOOP (108): address family in network byte order.
    Loop,
}

impl Link {
    pub fn linktype(self) -> u32 {
        match self {
            Link::Ethernet => 1,
            Link::Sll => 113,
            Link::Raw => 101,
            Link::Null => 0,
            Link::Loop => 108,
        }
    }
}

/// One captured frame: time in nanoseconds since the epoch, bytes.
#[derive(Clone, Debug)]
pub struct Frame {
    pub ts_ns: u64,
    pub data: Vec<u8>,
}

/// An IP packet (v4 or v6 after the addresses) carrying `proto` with `l4` as its payload.
pub fn ip_packet(src: IpAddr, dst: IpAddr, proto: u8, l4: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(l4.len() + 40);
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let total = (20 + l4.len()) as u16;
            p.extend_from_slice(&[0x45, 0]);
            p.extend_from_slice(&total.to_be_bytes());
            p.extend_from_slice(&[0x12, 0x34, 0x40, 0]); // id, don't fragment
            p.extend_from_slice(&[64, proto, 0, 0]);
            p.extend_from_slice(&s.octets());
            p.extend_from_slice(&d.octets());
            let sum = checksum(&p);
            p[10..12].copy_from_slice(&sum.to_be_bytes());
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            p.extend_from_slice(&[0x60, 0, 0, 0]);
            p.extend_from_slice(&(l4.len() as u16).to_be_bytes());
            p.extend_from_slice(&[proto, 64]);
            p.extend_from_slice(&s.octets());
            p.extend_from_slice(&d.octets());
        }
        _ => panic!("mixed address families"),
    }
    p.extend_from_slice(l4);
    p
}

/// An IPv4 fragment (offset in bytes, a multiple of 8) of a datagram of protocol `proto`.
pub fn ipv4_fragment(
    src: [u8; 4],
    dst: [u8; 4],
    proto: u8,
    offset: u16,
    more: bool,
    data: &[u8],
) -> Vec<u8> {
    let mut p = Vec::new();
    let total = (20 + data.len()) as u16;
    p.extend_from_slice(&[0x45, 0]);
    p.extend_from_slice(&total.to_be_bytes());
    let flags = (offset / 8) | if more { 0x2000 } else { 0 };
    p.extend_from_slice(&[0x56, 0x78]);
    p.extend_from_slice(&flags.to_be_bytes());
    p.extend_from_slice(&[64, proto, 0, 0]);
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    p.extend_from_slice(data);
    p
}

fn checksum(b: &[u8]) -> u16 {
    let mut sum = 0u32;
    for c in b.chunks(2) {
        let w = if c.len() == 2 {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from(c[0]) << 8
        };
        sum += u32::from(w);
    }
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    !(sum as u16)
}

/// A TCP header (20 bytes, no options) and payload.
pub fn tcp(sport: u16, dport: u16, seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut t = Vec::with_capacity(20 + payload.len());
    t.extend_from_slice(&sport.to_be_bytes());
    t.extend_from_slice(&dport.to_be_bytes());
    t.extend_from_slice(&seq.to_be_bytes());
    t.extend_from_slice(&ack.to_be_bytes());
    t.push(5 << 4);
    t.push(flags);
    t.extend_from_slice(&65_535u16.to_be_bytes());
    t.extend_from_slice(&[0, 0, 0, 0]);
    t.extend_from_slice(payload);
    t
}

/// A UDP header and payload.
pub fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut u = Vec::with_capacity(8 + payload.len());
    u.extend_from_slice(&sport.to_be_bytes());
    u.extend_from_slice(&dport.to_be_bytes());
    u.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(payload);
    u
}

/// Wraps an IP packet in a link-layer header.
pub fn link_frame(link: Link, ip: &[u8]) -> Vec<u8> {
    let v6 = ip.first().is_some_and(|b| b >> 4 == 6);
    let mut f = Vec::with_capacity(ip.len() + 16);
    match link {
        Link::Ethernet => {
            f.extend_from_slice(&[0x02, 0, 0, 0, 0, 0x02]);
            f.extend_from_slice(&[0x02, 0, 0, 0, 0, 0x01]);
            f.extend_from_slice(if v6 { &[0x86, 0xDD] } else { &[0x08, 0x00] });
        }
        Link::Sll => {
            f.extend_from_slice(&[0, 0]); // packet type: to us
            f.extend_from_slice(&[0, 1]); // ARPHRD_ETHER
            f.extend_from_slice(&[0, 6]);
            f.extend_from_slice(&[0x02, 0, 0, 0, 0, 0x01, 0, 0]);
            f.extend_from_slice(if v6 { &[0x86, 0xDD] } else { &[0x08, 0x00] });
        }
        Link::Raw => {}
        Link::Null => f.extend_from_slice(&(if v6 { 30u32 } else { 2 }).to_le_bytes()),
        Link::Loop => f.extend_from_slice(&(if v6 { 24u32 } else { 2 }).to_be_bytes()),
    }
    f.extend_from_slice(ip);
    // Ethernet pads short frames to 60 bytes; the reader must trust the IP length instead.
    if link == Link::Ethernet && f.len() < 60 {
        f.resize(60, 0);
    }
    f
}

/// One TCP connection: builds frames with correct sequence numbers in both directions.
pub struct Conn {
    pub client: SocketAddr,
    pub server: SocketAddr,
    pub link: Link,
    /// Next sequence number of the client and of the server.
    pub cseq: u32,
    pub sseq: u32,
    /// Time of the next frame (ns); advanced by 1 ms per frame.
    pub now: u64,
}

impl Conn {
    pub fn new(client: &str, server: &str, link: Link) -> Conn {
        Conn {
            client: client.parse().expect("client address"),
            server: server.parse().expect("server address"),
            link,
            cseq: 1_000,
            sseq: 5_000_000,
            now: 1_700_000_000_000_000_000,
        }
    }

    /// Sets the initial sequence numbers (before the SYNs).
    pub fn isn(mut self, client: u32, server: u32) -> Conn {
        self.cseq = client;
        self.sseq = server;
        self
    }

    /// A segment with explicit sequence number and flags; does not advance the sequence numbers.
    pub fn raw(&mut self, from_client: bool, seq: u32, flags: u8, payload: &[u8]) -> Frame {
        let (s, d, ack) = if from_client {
            (self.client, self.server, self.sseq)
        } else {
            (self.server, self.client, self.cseq)
        };
        let t = tcp(s.port(), d.port(), seq, ack, flags, payload);
        let ip = ip_packet(s.ip(), d.ip(), 6, &t);
        let f = Frame {
            ts_ns: self.now,
            data: link_frame(self.link, &ip),
        };
        self.now += 1_000_000;
        f
    }

    /// SYN, SYN-ACK, ACK.
    pub fn handshake(&mut self) -> Vec<Frame> {
        let a = self.raw(true, self.cseq, SYN, b"");
        self.cseq = self.cseq.wrapping_add(1);
        let b = self.raw(false, self.sseq, SYN | ACK, b"");
        self.sseq = self.sseq.wrapping_add(1);
        let c = self.raw(true, self.cseq, ACK, b"");
        vec![a, b, c]
    }

    /// In-order data from one side, in segments of at most `mss` bytes.
    pub fn send(&mut self, from_client: bool, data: &[u8], mss: usize) -> Vec<Frame> {
        let mut out = Vec::new();
        for chunk in data.chunks(mss.max(1)) {
            let seq = if from_client { self.cseq } else { self.sseq };
            out.push(self.raw(from_client, seq, ACK | PSH, chunk));
            if from_client {
                self.cseq = self.cseq.wrapping_add(chunk.len() as u32);
            } else {
                self.sseq = self.sseq.wrapping_add(chunk.len() as u32);
            }
        }
        out
    }

    /// FIN from both sides and the last ACK.
    pub fn close(&mut self) -> Vec<Frame> {
        let a = self.raw(true, self.cseq, FIN | ACK, b"");
        self.cseq = self.cseq.wrapping_add(1);
        let b = self.raw(false, self.sseq, FIN | ACK, b"");
        self.sseq = self.sseq.wrapping_add(1);
        let c = self.raw(true, self.cseq, ACK, b"");
        vec![a, b, c]
    }

    /// Handshake, one request and one response, close.
    pub fn exchange(&mut self, request: &[u8], response: &[u8]) -> Vec<Frame> {
        let mut v = self.handshake();
        v.extend(self.send(true, request, 1448));
        v.extend(self.send(false, response, 1448));
        v.extend(self.close());
        v
    }
}

/// A UDP datagram frame.
pub fn udp_frame(link: Link, src: &str, dst: &str, payload: &[u8], ts_ns: u64) -> Frame {
    let s: SocketAddr = src.parse().expect("source address");
    let d: SocketAddr = dst.parse().expect("destination address");
    let ip = ip_packet(s.ip(), d.ip(), 17, &udp(s.port(), d.port(), payload));
    Frame {
        ts_ns,
        data: link_frame(link, &ip),
    }
}

fn put32(out: &mut Vec<u8>, v: u32, big: bool) {
    out.extend_from_slice(&if big {
        v.to_be_bytes()
    } else {
        v.to_le_bytes()
    });
}

fn put16(out: &mut Vec<u8>, v: u16, big: bool) {
    out.extend_from_slice(&if big {
        v.to_be_bytes()
    } else {
        v.to_le_bytes()
    });
}

/// A classic pcap file.
pub fn pcap(frames: &[Frame], linktype: u32, big: bool, nano: bool) -> Vec<u8> {
    let mut out = Vec::new();
    put32(&mut out, if nano { 0xA1B2_3C4D } else { 0xA1B2_C3D4 }, big);
    put16(&mut out, 2, big);
    put16(&mut out, 4, big);
    put32(&mut out, 0, big); // thiszone
    put32(&mut out, 0, big); // sigfigs
    put32(&mut out, 262_144, big); // snaplen
    put32(&mut out, linktype, big);
    for f in frames {
        pcap_record(&mut out, f, big, nano);
    }
    out
}

/// Appends one pcap record.
pub fn pcap_record(out: &mut Vec<u8>, f: &Frame, big: bool, nano: bool) {
    let secs = (f.ts_ns / 1_000_000_000) as u32;
    let frac = (f.ts_ns % 1_000_000_000) as u32;
    put32(out, secs, big);
    put32(out, if nano { frac } else { frac / 1000 }, big);
    put32(out, f.data.len() as u32, big);
    put32(out, f.data.len() as u32, big);
    out.extend_from_slice(&f.data);
}

/// A pcapng file: one section, one interface (nanosecond resolution), Enhanced Packet Blocks.
pub fn pcapng(frames: &[Frame], linktype: u32, big: bool) -> Vec<u8> {
    let mut out = Vec::new();
    // Section Header Block with a comment option.
    let mut shb = Vec::new();
    put32(&mut shb, 0x1A2B_3C4D, big);
    put16(&mut shb, 1, big);
    put16(&mut shb, 0, big);
    shb.extend_from_slice(&[0xFF; 8]); // section length unknown
    option(&mut shb, 1, b"built by the test suite", big);
    option(&mut shb, 0, b"", big);
    block(&mut out, 0x0A0D_0D0A, &shb, big);
    // Interface Description Block: if_tsresol = 9 (nanoseconds).
    let mut idb = Vec::new();
    put16(&mut idb, linktype as u16, big);
    put16(&mut idb, 0, big);
    put32(&mut idb, 262_144, big);
    option(&mut idb, 9, &[9], big);
    option(&mut idb, 0, b"", big);
    block(&mut out, 1, &idb, big);
    // A block type the reader must skip (Name Resolution Block, empty record list).
    let mut nrb = Vec::new();
    put16(&mut nrb, 0, big);
    put16(&mut nrb, 0, big);
    block(&mut out, 4, &nrb, big);
    for f in frames {
        pcapng_epb(&mut out, f, big);
    }
    out
}

/// Appends one Enhanced Packet Block for interface 0.
pub fn pcapng_epb(out: &mut Vec<u8>, f: &Frame, big: bool) {
    let mut epb = Vec::new();
    put32(&mut epb, 0, big);
    put32(&mut epb, (f.ts_ns >> 32) as u32, big);
    put32(&mut epb, f.ts_ns as u32, big);
    put32(&mut epb, f.data.len() as u32, big);
    put32(&mut epb, f.data.len() as u32, big);
    epb.extend_from_slice(&f.data);
    while !epb.len().is_multiple_of(4) {
        epb.push(0);
    }
    block(out, 6, &epb, big);
}

fn option(out: &mut Vec<u8>, code: u16, value: &[u8], big: bool) {
    put16(out, code, big);
    put16(out, value.len() as u16, big);
    out.extend_from_slice(value);
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

fn block(out: &mut Vec<u8>, kind: u32, body: &[u8], big: bool) {
    let len = (12 + body.len()) as u32;
    put32(out, kind, big);
    put32(out, len, big);
    out.extend_from_slice(body);
    put32(out, len, big);
}

/// Gzip-compresses a capture (stored blocks only: no compressor needed), with a correct CRC-32 and size.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(c) = chunks.next() {
        let last = chunks.peek().is_none();
        out.push(u8::from(last));
        let n = c.len() as u16;
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(!n).to_le_bytes());
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Gzip-compresses an HTTP body (deflate with stored blocks), as `Content-Encoding: gzip` sends it.
pub fn gzip_body(data: &[u8]) -> Vec<u8> {
    gzip(data)
}

/// An HTTP/1.1 message with a `Content-Length` body.
pub fn http(start: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut m = format!("{start}\r\n").into_bytes();
    for (k, v) in headers {
        m.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    if !body.is_empty() || start.starts_with("HTTP/") {
        m.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    m.extend_from_slice(b"\r\n");
    m.extend_from_slice(body);
    m
}

/// A chunked HTTP body from the given chunks (and the terminating zero chunk).
pub fn chunked(chunks: &[&[u8]]) -> Vec<u8> {
    let mut b = Vec::new();
    for c in chunks {
        b.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        b.extend_from_slice(c);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(b"0\r\n\r\n");
    b
}

/// PostgreSQL frontend/backend message: type byte, length, body.
pub fn pg(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    m.extend_from_slice(body);
    m
}

/// PostgreSQL StartupMessage (protocol 3.0) with user and database.
pub fn pg_startup(user: &str, db: &str) -> Vec<u8> {
    let mut body = 196_608u32.to_be_bytes().to_vec();
    for (k, v) in [("user", user), ("database", db)] {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut m = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    m.extend_from_slice(&body);
    m
}

/// RowDescription for text columns.
pub fn pg_row_description(cols: &[&str]) -> Vec<u8> {
    let mut b = (cols.len() as u16).to_be_bytes().to_vec();
    for c in cols {
        b.extend_from_slice(c.as_bytes());
        b.push(0);
        b.extend_from_slice(&[0; 4]); // table oid
        b.extend_from_slice(&[0; 2]); // column number
        b.extend_from_slice(&25u32.to_be_bytes()); // text
        b.extend_from_slice(&(-1i16).to_be_bytes());
        b.extend_from_slice(&(-1i32).to_be_bytes());
        b.extend_from_slice(&[0, 0]); // text format
    }
    pg(b'T', &b)
}

/// DataRow with text values (`None` for NULL).
pub fn pg_data_row(values: &[Option<&str>]) -> Vec<u8> {
    let mut b = (values.len() as u16).to_be_bytes().to_vec();
    for v in values {
        match v {
            Some(v) => {
                b.extend_from_slice(&(v.len() as u32).to_be_bytes());
                b.extend_from_slice(v.as_bytes());
            }
            None => b.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }
    pg(b'D', &b)
}

/// A TLS 1.2 ClientHello record (with an SNI) followed by nothing else.
pub fn tls_client_hello(sni: &str) -> Vec<u8> {
    let mut hello = vec![3, 3];
    hello.extend_from_slice(&[0x42; 32]); // random
    hello.push(0); // session id
    hello.extend_from_slice(&[0, 4, 0x13, 0x01, 0xC0, 0x2F]);
    hello.extend_from_slice(&[1, 0]); // compression: null
    let mut sni_ext = Vec::new();
    let name = sni.as_bytes();
    sni_ext.extend_from_slice(&((name.len() + 3) as u16).to_be_bytes());
    sni_ext.push(0);
    sni_ext.extend_from_slice(&(name.len() as u16).to_be_bytes());
    sni_ext.extend_from_slice(name);
    let mut exts = vec![0, 0];
    exts.extend_from_slice(&(sni_ext.len() as u16).to_be_bytes());
    exts.extend_from_slice(&sni_ext);
    hello.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    hello.extend_from_slice(&exts);
    let mut hs = vec![1];
    hs.extend_from_slice(&(hello.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&hello);
    tls_record(22, &hs)
}

/// A TLS record of `content_type` (22 handshake, 23 application data, 20 change cipher spec).
pub fn tls_record(content_type: u8, body: &[u8]) -> Vec<u8> {
    let mut r = vec![content_type, 3, 3];
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// HL7 v2 message wrapped in MLLP framing (VT ... FS CR); segments joined with CR.
pub fn mllp(segments: &[&str]) -> Vec<u8> {
    let mut m = vec![0x0B];
    m.extend_from_slice(segments.join("\r").as_bytes());
    m.extend_from_slice(b"\r\x1C\r");
    m
}
