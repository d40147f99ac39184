//! Application protocols on reassembled streams: what to scan and where each scanned byte sits in the stream.
//!
//! - HTTP/1.x: start line and headers as they are; bodies by `Content-Length`, chunked or to the close;
//!   `gzip`/`deflate` decoded; `Authorization: Basic` reported as a cleartext credential.
//! - HL7 v2 over MLLP: the framing bytes become line breaks so that every segment starts a line.
//! - PostgreSQL: SSLRequest and the server's answer (`S` switches both directions to TLS), query text of
//!   `Q` and `P`, `B` parameters, `D` row values labelled with their `T` column names, error fields,
//!   cleartext password messages.
//! - TLS: recognised by chained record headers and never scanned.
//! - Anything else: raw bytes, up to a TLS handshake found later (STARTTLS and its relatives).

use std::fmt;
use std::io::Read;

use crate::tcp::Stream;

/// The application protocol of a flow or direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AppProtocol {
    Http,
    Hl7Mllp,
    Postgres,
    Tls,
    Dtls,
    /// SSH (and SFTP/SCP over it): only the version banners are readable; never scanned.
    Ssh,
    /// Not recognised: scanned as raw bytes.
    Raw,
}

impl AppProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            AppProtocol::Http => "http",
            AppProtocol::Hl7Mllp => "hl7-mllp",
            AppProtocol::Postgres => "postgresql",
            AppProtocol::Tls => "tls",
            AppProtocol::Dtls => "dtls",
            AppProtocol::Ssh => "ssh",
            AppProtocol::Raw => "raw",
        }
    }
}

impl fmt::Display for AppProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text handed to the detector, with the stream offsets its bytes came from.
#[derive(Debug, Default)]
pub struct Piece {
    pub text: Vec<u8>,
    /// `(text offset, stream offset, length)`: `length` bytes at the text offset are the stream's bytes at the
    /// stream offset. Text outside every span (labels, decoded bodies) maps to its span's stream offset.
    pub spans: Vec<(usize, u64, usize)>,
    /// The text was decoded (decompressed), so offsets point at the start of the encoded body.
    pub decoded: bool,
}

impl Piece {
    fn identity(data: &[u8], offset: u64) -> Piece {
        Piece {
            text: data.to_vec(),
            spans: vec![(0, offset, data.len())],
            decoded: false,
        }
    }

    /// The stream offset of text offset `at`.
    pub fn stream_offset(&self, at: usize) -> u64 {
        let i = self.spans.partition_point(|s| s.0 <= at);
        match i.checked_sub(1).and_then(|i| self.spans.get(i)) {
            Some(&(t, s, len)) => s + (at - t).min(len.saturating_sub(1)) as u64,
            None => self.spans.first().map_or(0, |s| s.1),
        }
    }
}

/// A cleartext credential (never scanned as text, never shown).
#[derive(Clone, Debug)]
pub struct Credential {
    pub offset: u64,
    pub scheme: &'static str,
}

/// What one direction carries.
#[derive(Debug)]
pub struct DirAnalysis {
    pub protocol: AppProtocol,
    pub pieces: Vec<Piece>,
    pub credentials: Vec<Credential>,
    /// Stream offset from which the direction is TLS.
    pub tls_from: Option<u64>,
    /// Bytes scanned in the clear.
    pub clear_bytes: u64,
    pub notes: Vec<String>,
}

impl DirAnalysis {
    fn new(protocol: AppProtocol) -> Self {
        DirAnalysis {
            protocol,
            pieces: Vec::new(),
            credentials: Vec::new(),
            tls_from: None,
            clear_bytes: 0,
            notes: Vec::new(),
        }
    }

    fn push(&mut self, p: Piece) {
        if !p.text.is_empty() {
            self.clear_bytes += p.spans.iter().map(|s| s.2 as u64).sum::<u64>();
            self.pieces.push(p);
        }
    }

    /// An HTTP header block: every line but the metadata fields of [`METADATA_HEADERS`], which are counted as
    /// cleartext but not scanned.
    fn push_head(&mut self, head: &[u8], offset: u64) {
        let mut p = Piece::default();
        let mut at = 0;
        for line in head.split_inclusive(|&c| c == b'\n') {
            let metadata = at > 0
                && memchr::memchr(b':', line).is_some_and(|colon| {
                    let name = line[..colon].trim_ascii();
                    METADATA_HEADERS
                        .iter()
                        .any(|h| name.eq_ignore_ascii_case(h.as_bytes()))
                });
            if metadata {
                self.clear_bytes += line.len() as u64;
            } else {
                p.spans.push((p.text.len(), offset + at as u64, line.len()));
                p.text.extend_from_slice(line);
            }
            at += line.len();
        }
        self.push(p);
    }

    /// Raw bytes, up to a TLS handshake if one starts inside them.
    fn raw(&mut self, data: &[u8], offset: u64) {
        if self.tls_from.is_some() {
            return;
        }
        match find_tls(data) {
            Some(p) => {
                self.push(Piece::identity(&data[..p], offset));
                self.tls_from = Some(offset + p as u64);
            }
            None => self.push(Piece::identity(data, offset)),
        }
    }
}

/// Limits of the analysis.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The most bytes one compressed body may decode to (the rest is not scanned and noted).
    pub max_decoded_body: usize,
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

/// A TLS record header at `p`: content type 20-23, version 3.x, length within the limit.
fn tls_record(d: &[u8], p: usize) -> Option<usize> {
    let h = d.get(p..p + 5)?;
    let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
    ((20..=23).contains(&h[0]) && h[1] == 3 && h[2] <= 4 && len > 0 && len <= 18_432).then_some(len)
}

/// How many records chain from `p`, and whether the chain ends exactly at (or is cut by) the end of `d`.
fn tls_chain(d: &[u8], mut p: usize) -> (usize, bool) {
    let mut n = 0;
    while let Some(len) = tls_record(d, p) {
        n += 1;
        p += 5 + len;
        if p >= d.len() || n >= 8 {
            return (n, p >= d.len());
        }
    }
    (n, false)
}

/// The stream opens with TLS (or an SSLv2-compatible ClientHello).
pub fn tls_at_start(d: &[u8]) -> bool {
    let (n, to_end) = tls_chain(d, 0);
    if n >= 2 || (n == 1 && to_end) {
        return true;
    }
    // SSLv2-style ClientHello: 2-byte length with the top bit set, message type 1, version 3.x.
    d.len() >= 5 && d[0] & 0x80 != 0 && d[2] == 1 && d[3] == 3
}

/// The first TLS handshake record (ClientHello or ServerHello) inside `d` that chains to more records or to
/// the end of the data.
fn find_tls(d: &[u8]) -> Option<usize> {
    for p in memchr::memmem::find_iter(d, &[0x16, 0x03]) {
        if !matches!(d.get(p + 5), Some(1) | Some(2)) {
            continue;
        }
        let (n, to_end) = tls_chain(d, p);
        if n >= 2 || (n == 1 && to_end) {
            return Some(p);
        }
    }
    None
}

/// A direction that starts mid-way through TLS records (capture started late): a chain of several records
/// within the first record's length.
fn tls_midstream(d: &[u8]) -> bool {
    (0..d.len().min(18_437)).any(|p| {
        let (n, to_end) = tls_chain(d, p);
        n >= 3 || (n >= 1 && to_end && p > 0 && d.len() - p > 64)
    })
}

fn http_request_line(d: &[u8]) -> bool {
    let line_end = memchr::memchr(b'\n', &d[..d.len().min(8192)]);
    let Some(e) = line_end else { return false };
    let line = d[..e].strip_suffix(b"\r").unwrap_or(&d[..e]);
    let method = line.iter().take_while(|c| c.is_ascii_uppercase()).count();
    (1..=16).contains(&method)
        && line.get(method) == Some(&b' ')
        && (line.ends_with(b" HTTP/1.1") || line.ends_with(b" HTTP/1.0"))
}

fn http_response_line(d: &[u8]) -> bool {
    d.starts_with(b"HTTP/1.") && d.get(8) == Some(&b' ')
}

fn mllp_start(d: &[u8]) -> bool {
    let p = d.iter().take_while(|c| c.is_ascii_whitespace()).count();
    d.get(p) == Some(&0x0B) && d.get(p + 1..p + 4).is_some_and(|s| s.is_ascii())
}

const SSL_REQUEST: u32 = 80_877_103;
const GSSENC_REQUEST: u32 = 80_877_104;
const CANCEL_REQUEST: u32 = 80_877_102;
const PROTOCOL_3: u32 = 196_608;

fn pg_start(d: &[u8]) -> bool {
    match (be32(d, 0), be32(d, 4)) {
        (Some(8), Some(SSL_REQUEST | GSSENC_REQUEST)) => true,
        (Some(16), Some(CANCEL_REQUEST)) => true,
        (Some(len), Some(PROTOCOL_3)) => (8..=10_000).contains(&len),
        _ => false,
    }
}

fn first(s: &Stream) -> &[u8] {
    match s.runs.first() {
        Some(r) if r.offset == 0 => &r.data,
        _ => &[],
    }
}

/// Analyses a TCP flow's two directions (client to server first); returns the flow's protocol.
pub fn analyze_tcp(streams: &[Stream; 2], lim: Limits) -> (AppProtocol, [DirAnalysis; 2]) {
    let (c, s) = (first(&streams[0]), first(&streams[1]));
    // SSH: each side opens with its version banner; everything after the key exchange is encrypted.
    if c.starts_with(b"SSH-") || s.starts_with(b"SSH-") {
        let encrypted = |st: &Stream| {
            let mut d = DirAnalysis::new(AppProtocol::Ssh);
            d.tls_from = Some(st.runs.first().map_or(0, |r| r.offset));
            d
        };
        return (
            AppProtocol::Ssh,
            [encrypted(&streams[0]), encrypted(&streams[1])],
        );
    }
    let proto = if pg_start(c) {
        AppProtocol::Postgres
    } else if http_request_line(c) || http_response_line(s) {
        AppProtocol::Http
    } else if mllp_start(c) || mllp_start(s) {
        AppProtocol::Hl7Mllp
    } else {
        AppProtocol::Raw
    };
    if proto == AppProtocol::Postgres {
        let dirs = postgres(streams);
        return (proto, dirs);
    }
    // The client's requests first: a response's framing depends on the request it answers (HEAD, CONNECT).
    let mut requests = Vec::new();
    let client = direction(&streams[0], proto, lim, &mut Pairing::Record(&mut requests));
    let server = direction(&streams[1], proto, lim, &mut Pairing::Answer(&requests, 0));
    let dirs = [client, server];
    let flow = if dirs
        .iter()
        .any(|d| d.protocol != AppProtocol::Tls && d.clear_bytes > 0)
    {
        dirs.iter()
            .map(|d| d.protocol)
            .find(|p| *p != AppProtocol::Raw && *p != AppProtocol::Tls)
            .unwrap_or(AppProtocol::Raw)
    } else if dirs.iter().any(|d| d.tls_from.is_some()) {
        AppProtocol::Tls
    } else {
        proto
    };
    (flow, dirs)
}

/// What an HTTP request tells the parser of its response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Request {
    /// The response has headers only, whatever they announce.
    Head,
    /// A 2xx response turns the connection into a tunnel.
    Connect,
    Other,
}

/// Requests recorded in the client direction and answered, in order, in the server direction.
enum Pairing<'a> {
    Record(&'a mut Vec<Request>),
    Answer(&'a [Request], usize),
}

impl Pairing<'_> {
    fn record(&mut self, line: &[u8]) {
        if let Pairing::Record(v) = self {
            v.push(if line.starts_with(b"HEAD ") {
                Request::Head
            } else if line.starts_with(b"CONNECT ") {
                Request::Connect
            } else {
                Request::Other
            });
        }
    }

    /// The request a final (non-1xx) response answers, if known.
    fn answer(&mut self) -> Option<Request> {
        match self {
            Pairing::Answer(reqs, next) => {
                let r = reqs.get(*next).copied();
                *next += 1;
                r
            }
            Pairing::Record(_) => None,
        }
    }
}

fn direction(
    st: &Stream,
    proto: AppProtocol,
    lim: Limits,
    pairing: &mut Pairing<'_>,
) -> DirAnalysis {
    let head = first(st);
    let any = st.runs.first().map_or(&[][..], |r| &r.data[..]);
    // Starts with TLS, or (no start seen) sits inside TLS records.
    if (!head.is_empty() && tls_at_start(head)) || (head.is_empty() && tls_midstream(any)) {
        let mut d = DirAnalysis::new(AppProtocol::Tls);
        d.tls_from = Some(st.runs.first().map_or(0, |r| r.offset));
        return d;
    }
    let mut d = DirAnalysis::new(proto);
    for (i, run) in st.runs.iter().enumerate() {
        if d.tls_from.is_some() {
            break;
        }
        let at_start = i == 0 && run.offset == 0;
        match proto {
            AppProtocol::Http
                if at_start || http_request_line(&run.data) || http_response_line(&run.data) =>
            {
                http(&mut d, &run.data, run.offset, lim, pairing)
            }
            AppProtocol::Hl7Mllp => {
                let text: Vec<u8> = run
                    .data
                    .iter()
                    .map(|&b| if b == 0x0B || b == 0x1C { b'\n' } else { b })
                    .collect();
                d.push(Piece {
                    spans: vec![(0, run.offset, text.len())],
                    text,
                    decoded: false,
                });
            }
            _ => d.raw(&run.data, run.offset),
        }
    }
    if d.protocol == AppProtocol::Http && head.is_empty() {
        d.notes
            .push("HTTP without the start of the stream: parts scanned as raw bytes".into());
    }
    if !matches!(proto, AppProtocol::Http | AppProtocol::Hl7Mllp)
        && d.tls_from.is_some()
        && d.clear_bytes == 0
    {
        d.protocol = AppProtocol::Tls;
    }
    d
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    memchr::memmem::find(h, n)
}

/// HTTP header fields whose values are protocol metadata (times, sizes, encodings, caching, software), never a
/// patient's data: a response's `Date:` is the time it was sent, not a date of service. Credentials are
/// reported on their own and never scanned as text.
const METADATA_HEADERS: &[&str] = &[
    "date",
    "expires",
    "last-modified",
    "if-modified-since",
    "if-unmodified-since",
    "retry-after",
    "age",
    "content-length",
    "content-type",
    "content-encoding",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "etag",
    "if-match",
    "if-none-match",
    "accept",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "cache-control",
    "pragma",
    "vary",
    "server",
    "user-agent",
    "upgrade",
    "strict-transport-security",
    "authorization",
    "proxy-authorization",
];

fn header_value<'a>(line: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let colon = memchr::memchr(b':', line)?;
    line[..colon]
        .trim_ascii()
        .eq_ignore_ascii_case(name.as_bytes())
        .then(|| line[colon + 1..].trim_ascii())
}

/// A Content-Length value: one number, or a list of identical numbers (`21, 21`, as RFC 9110 allows when
/// fields were combined).
fn content_length(v: &[u8]) -> Option<usize> {
    let mut value = None;
    for part in v.split(|&c| c == b',') {
        let n: usize = std::str::from_utf8(part.trim_ascii()).ok()?.parse().ok()?;
        if value.is_some_and(|x| x != n) {
            return None;
        }
        value = Some(n);
    }
    value
}

/// The end of an HTTP header block (just past its empty line, CRLF or bare LF).
fn header_end(d: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\n', d).find_map(|i| match d.get(i + 1) {
        Some(b'\n') => Some(i + 2),
        Some(b'\r') if d.get(i + 2) == Some(&b'\n') => Some(i + 3),
        _ => None,
    })
}

fn http(d: &mut DirAnalysis, data: &[u8], base: u64, lim: Limits, pairing: &mut Pairing<'_>) {
    let mut at = 0;
    while at < data.len() {
        let rest = &data[at..];
        let off = base + at as u64;
        let is_resp = http_response_line(rest);
        if !is_resp && !http_request_line(rest) {
            d.raw(rest, off);
            return;
        }
        let hend = match header_end(rest) {
            Some(e) => e,
            None => {
                d.push(Piece::identity(rest, off));
                d.notes.push(format!(
                    "HTTP header cut at stream offset {}",
                    off + rest.len() as u64
                ));
                return;
            }
        };
        let head = &rest[..hend];
        d.push_head(head, off);
        let mut length: Option<usize> = None;
        let mut chunked = false;
        let mut encoding: Option<&'static str> = None;
        let mut line_at = 0;
        for line in head.split(|&c| c == b'\n') {
            let line_off = line_at;
            line_at += line.len() + 1;
            if let Some(v) = header_value(line, "content-length") {
                length = content_length(v);
            } else if let Some(v) = header_value(line, "transfer-encoding") {
                chunked = v.to_ascii_lowercase().ends_with(b"chunked");
            } else if let Some(v) = header_value(line, "content-encoding") {
                let v = v.to_ascii_lowercase();
                encoding = match v.as_slice() {
                    b"gzip" | b"x-gzip" => Some("gzip"),
                    b"deflate" => Some("deflate"),
                    b"identity" => None,
                    _ => Some("other"),
                };
            } else if let Some(v) = header_value(line, "authorization")
                .or_else(|| header_value(line, "proxy-authorization"))
            {
                if v.len() > 6 && v[..6].eq_ignore_ascii_case(b"basic ") {
                    let pos = find(line, v).unwrap_or(0);
                    d.credentials.push(Credential {
                        offset: off + (line_off + pos) as u64,
                        scheme: "HTTP Basic",
                    });
                }
            }
        }
        let status = if is_resp {
            rest.get(9..12)
                .and_then(|c| std::str::from_utf8(c).ok())
                .and_then(|s| s.parse::<u16>().ok())
        } else {
            pairing.record(rest);
            None
        };
        // Interim responses (1xx) answer no request; 101 ends HTTP on the connection.
        let answers = match status {
            Some(100..=199) | None => None,
            Some(_) => pairing.answer(),
        };
        at += hend;
        if answers == Some(Request::Connect) && matches!(status, Some(200..=299)) {
            d.notes
                .push("CONNECT tunnel established: the rest is scanned as raw bytes".into());
            d.raw(&data[at..], base + at as u64);
            return;
        }
        if status == Some(101) {
            d.notes.push(
                "protocol switched after HTTP (Upgrade): the rest is scanned as raw bytes".into(),
            );
            d.raw(&data[at..], base + at as u64);
            return;
        }
        let body_off = base + at as u64;
        let headers_only =
            answers == Some(Request::Head) || matches!(status, Some(100..=199 | 204 | 304));
        let (body, used): (Piece, usize) = if is_resp && headers_only {
            (Piece::default(), 0)
        } else if chunked {
            dechunk(&data[at..], body_off)
        } else if let Some(n) = length {
            let n = n.min(data.len() - at);
            (Piece::identity(&data[at..at + n], body_off), n)
        } else if is_resp {
            let n = data.len() - at;
            (Piece::identity(&data[at..], body_off), n)
        } else {
            (Piece::default(), 0)
        };
        at += used;
        match encoding {
            None => d.push(body),
            Some(_) if body.text.is_empty() => {}
            Some(enc @ ("gzip" | "deflate")) => {
                match inflate(&body.text, enc == "gzip", lim.max_decoded_body) {
                    Some((text, complete)) => {
                        if !complete {
                            d.notes.push(format!("{enc} body at stream offset {body_off} decoded to the {}-byte limit only", lim.max_decoded_body));
                        }
                        d.clear_bytes += (used as u64).min(body.text.len() as u64);
                        d.pieces.push(Piece {
                            spans: vec![(0, body_off, 1)],
                            text,
                            decoded: true,
                        });
                    }
                    None => d.notes.push(format!(
                        "{enc} body at stream offset {body_off} could not be decoded: not scanned"
                    )),
                }
            }
            Some(_) => d.notes.push(format!(
                "body at stream offset {body_off} has an unsupported content encoding: not scanned"
            )),
        }
    }
}

/// Undoes chunked transfer coding; returns the body and the stream bytes it used.
fn dechunk(d: &[u8], base: u64) -> (Piece, usize) {
    let mut p = Piece::default();
    let mut at = 0;
    while let Some(nl) = memchr::memchr(b'\n', d.get(at..).unwrap_or_default()) {
        let line = &d[at..at + nl];
        let hex: &[u8] = line
            .split(|&c| c == b';' || c == b'\r')
            .next()
            .unwrap_or(b"")
            .trim_ascii();
        let Some(size) = std::str::from_utf8(hex)
            .ok()
            .and_then(|h| usize::from_str_radix(h, 16).ok())
        else {
            break;
        };
        at += nl + 1;
        if size == 0 {
            // Trailers end with an empty line.
            while let Some(nl) = memchr::memchr(b'\n', &d[at..]) {
                let empty = d[at..at + nl].trim_ascii().is_empty();
                at += nl + 1;
                if empty {
                    break;
                }
            }
            return (p, at);
        }
        let take = size.min(d.len() - at);
        p.spans.push((p.text.len(), base + at as u64, take));
        p.text.extend_from_slice(&d[at..at + take]);
        at += take;
        if take < size {
            return (p, at);
        }
        // The CRLF after the chunk.
        while at < d.len() && (d[at] == b'\r' || d[at] == b'\n') {
            at += 1;
            if d[at - 1] == b'\n' {
                break;
            }
        }
    }
    (p, at)
}

/// Decompresses a gzip or deflate (zlib, or raw as some servers send) body up to `max` bytes.
fn inflate(data: &[u8], gzip: bool, max: usize) -> Option<(Vec<u8>, bool)> {
    let mut out = Vec::new();
    let limit = max as u64 + 1;
    let res = if gzip {
        flate2::read::MultiGzDecoder::new(data)
            .take(limit)
            .read_to_end(&mut out)
    } else {
        let r = flate2::read::ZlibDecoder::new(data)
            .take(limit)
            .read_to_end(&mut out);
        if r.is_err() {
            out.clear();
            flate2::read::DeflateDecoder::new(data)
                .take(limit)
                .read_to_end(&mut out)
        } else {
            r
        }
    };
    // A body cut by the capture still yields what was decoded before the cut.
    if res.is_err() && out.is_empty() {
        return None;
    }
    let complete = out.len() <= max;
    out.truncate(max);
    Some((out, complete))
}

/// PostgreSQL: both directions together (the SSL answer and the authentication method cross over).
fn postgres(streams: &[Stream; 2]) -> [DirAnalysis; 2] {
    let (cs, ss) = (&streams[0], &streams[1]);
    let c = first(cs);
    let s = first(ss);
    let mut client = DirAnalysis::new(AppProtocol::Postgres);
    let mut server = DirAnalysis::new(AppProtocol::Postgres);
    // Client: untyped startup-phase messages first.
    let mut ca = 0usize;
    let mut sa = 0usize;
    let mut encrypted: Option<&str> = None;
    while let (Some(len), Some(code)) = (be32(c, ca), be32(c, ca + 4)) {
        match code {
            SSL_REQUEST | GSSENC_REQUEST if len == 8 => {
                ca += 8;
                match (code, s.get(sa)) {
                    (SSL_REQUEST, Some(b'S')) => {
                        encrypted = Some("SSLRequest accepted: the session continues in TLS")
                    }
                    (GSSENC_REQUEST, Some(b'G')) => {
                        encrypted =
                            Some("GSSENCRequest accepted: the session continues GSSAPI-encrypted")
                    }
                    _ => {}
                }
                if s.get(sa).is_some() {
                    sa += 1;
                }
                if encrypted.is_some() {
                    break;
                }
            }
            CANCEL_REQUEST if len == 16 => ca += 16,
            PROTOCOL_3 if len >= 8 => {
                // Startup parameters (user, database, application name) cross in the clear.
                let end = (ca + len as usize).min(c.len());
                let params = c.get(ca + 8..end).unwrap_or_default();
                let mut piece = Piece::default();
                let mut at = 0;
                let mut fields = params.split(|&b| b == 0);
                while let (Some(k), Some(v)) = (fields.next(), fields.next()) {
                    if k.is_empty() {
                        break;
                    }
                    piece.text.extend_from_slice(k);
                    piece.text.push(b'=');
                    let v_at = ca + 8 + at + k.len() + 1;
                    piece.spans.push((piece.text.len(), v_at as u64, v.len()));
                    piece.text.extend_from_slice(v);
                    piece.text.push(b'\n');
                    at += k.len() + v.len() + 2;
                }
                client.push(piece);
                ca += len as usize;
                break;
            }
            _ => break,
        }
    }
    if let Some(note) = encrypted {
        client.tls_from = Some(ca as u64);
        server.tls_from = Some(sa as u64);
        client.notes.push(note.into());
        return [client, server];
    }
    let mut cleartext_password = false;
    let mut columns: Vec<Vec<u8>> = Vec::new();
    let stop = pg_messages(s, sa, |kind, body, off| match kind {
        b'R' if be32(body, 0) == Some(3) => cleartext_password = true,
        b'T' => {
            columns.clear();
            let n = be16(body, 0).unwrap_or(0);
            let mut p = 2;
            for _ in 0..n {
                let Some(z) = memchr::memchr(0, &body[p.min(body.len())..]) else {
                    break;
                };
                columns.push(body[p..p + z].to_vec());
                p += z + 1 + 18;
            }
        }
        b'D' => {
            let n = be16(body, 0).unwrap_or(0);
            let mut p = 2;
            let mut piece = Piece::default();
            for i in 0..usize::from(n) {
                let Some(len) = be32(body, p) else { break };
                p += 4;
                if len == u32::MAX {
                    continue;
                }
                let len = (len as usize).min(body.len() - p);
                if let Some(name) = columns.get(i) {
                    piece.text.extend_from_slice(name);
                    piece.text.push(b'=');
                }
                piece.spans.push((piece.text.len(), off + p as u64, len));
                piece.text.extend_from_slice(&body[p..p + len]);
                piece.text.push(b'\n');
                p += len;
            }
            server.push(piece);
        }
        b'E' | b'N' => {
            let text: Vec<u8> = body
                .iter()
                .map(|&b| if b == 0 { b'\n' } else { b })
                .collect();
            server.push(Piece {
                spans: vec![(0, off, text.len())],
                text,
                decoded: false,
            });
        }
        b'd' | b'A' => server.push(Piece::identity(body, off)),
        _ => {}
    });
    pg_tail(&mut server, ss, stop);
    let stop = pg_messages(c, ca, |kind, body, off| match kind {
        b'Q' => {
            let q = body.strip_suffix(&[0]).unwrap_or(body);
            client.push(Piece::identity(q, off));
        }
        b'P' => {
            if let Some(z) = memchr::memchr(0, body) {
                let q = &body[z + 1..];
                let q = memchr::memchr(0, q).map_or(q, |e| &q[..e]);
                client.push(Piece::identity(q, off + z as u64 + 1));
            }
        }
        b'B' => {
            // portal\0 statement\0 formats parameters results
            let mut p = 0;
            for _ in 0..2 {
                p += memchr::memchr(0, &body[p.min(body.len())..]).map_or(body.len(), |z| z + 1);
            }
            let nfmt = usize::from(be16(body, p).unwrap_or(0));
            p += 2 + 2 * nfmt;
            let nparam = be16(body, p).unwrap_or(0);
            p += 2;
            let mut piece = Piece::default();
            for _ in 0..nparam {
                let Some(len) = be32(body, p) else { break };
                p += 4;
                if len == u32::MAX {
                    continue;
                }
                let len = (len as usize).min(body.len().saturating_sub(p));
                piece.spans.push((piece.text.len(), off + p as u64, len));
                piece.text.extend_from_slice(&body[p..p + len]);
                piece.text.push(b'\n');
                p += len;
            }
            client.push(piece);
        }
        b'p' if cleartext_password => client.credentials.push(Credential {
            offset: off,
            scheme: "PostgreSQL cleartext password",
        }),
        b'd' => client.push(Piece::identity(body, off)),
        _ => {}
    });
    pg_tail(&mut client, cs, stop);
    [client, server]
}

/// What follows the last parsed message, and runs after gaps: raw bytes.
fn pg_tail(d: &mut DirAnalysis, st: &Stream, stop: usize) {
    for (i, run) in st.runs.iter().enumerate() {
        if i == 0 && run.offset == 0 {
            if stop < run.data.len() {
                d.notes.push(format!("PostgreSQL messages unreadable from stream offset {stop}: scanned as raw bytes"));
                d.raw(&run.data[stop..], stop as u64);
            }
        } else {
            d.raw(&run.data, run.offset);
        }
    }
}

/// Calls `f(type, body, body offset)` for each typed message from `at`; returns where parsing stopped.
fn pg_messages(d: &[u8], mut at: usize, mut f: impl FnMut(u8, &[u8], u64)) -> usize {
    while at < d.len() {
        let kind = d[at];
        let Some(len) = be32(d, at + 1) else {
            return at;
        };
        let len = len as usize;
        if !kind.is_ascii_alphanumeric() || len < 4 {
            return at;
        }
        let body_at = at + 5;
        let end = (at + 1 + len).min(d.len());
        f(kind, &d[body_at.min(end)..end], body_at as u64);
        at = end;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked() {
        let (p, used) = dechunk(b"4\r\nWiki\r\n5;x=1\r\npedia\r\n0\r\n\r\nNEXT", 100);
        assert_eq!(p.text, b"Wikipedia");
        assert_eq!(used, 28);
        assert_eq!(p.stream_offset(4), 100 + 16);
    }

    #[test]
    fn tls_headers() {
        let mut d = vec![0x16, 3, 1, 0, 4, 1, 0, 0, 0];
        d.extend_from_slice(&[0x17, 3, 3, 0, 2, 9, 9]);
        assert!(tls_at_start(&d));
        assert!(!tls_at_start(b"GET / HTTP/1.1\r\n"));
        let mut s = b"EHLO x\r\nSTARTTLS\r\n".to_vec();
        let at = s.len();
        s.extend_from_slice(&d);
        assert_eq!(find_tls(&s), Some(at));
    }
}
