//! Classic pcap (both byte orders, microsecond and nanosecond timestamps) and pcapng (SHB, IDB, EPB, SPB and
//! the obsolete Packet Block), read one record at a time from any reader; either may be gzip-compressed
//! (`.pcap.gz`), recognised by its magic bytes. Offsets in errors count bytes of the capture itself (after
//! decompression).

use std::io::{self, Read};

/// Records or blocks larger than this are treated as corruption rather than allocated.
pub const MAX_RECORD: usize = 16 << 20;

/// Seconds and nanoseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    pub secs: i64,
    pub nanos: u32,
}

impl Timestamp {
    /// RFC 3339 in UTC with microseconds, or nanoseconds when the capture has them.
    pub fn rfc3339(&self) -> String {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let (hh, mm, ss) = (rem / 3600, rem % 3600 / 60, rem % 60);
        if self.nanos.is_multiple_of(1000) {
            format!(
                "{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{:06}Z",
                self.nanos / 1000
            )
        } else {
            format!(
                "{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{:09}Z",
                self.nanos
            )
        }
    }
}

/// The proleptic Gregorian date of a day count from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Shift to an era starting on 0000-03-01 so that leap days fall at the end of a year.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// One captured frame.
#[derive(Clone, Debug)]
pub struct Packet {
    /// 1-based, in file order, counting every packet record.
    pub frame: u64,
    pub ts: Timestamp,
    /// The LINKTYPE_ value of the frame's interface.
    pub link: u32,
    /// The captured bytes (possibly shorter than the frame on the wire).
    pub data: Vec<u8>,
    pub orig_len: u32,
}

/// Why a capture could not be read further. Messages name positions and lengths, never packet contents.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("{}: {message}", position(*offset, *frame))]
    Format {
        offset: u64,
        /// The record (1-based, as [`Packet::frame`]) being read when the error occurred, if any.
        frame: Option<u64>,
        message: String,
    },
    #[error("{}: read failed: {source}", position(*offset, *frame))]
    Io {
        offset: u64,
        frame: Option<u64>,
        source: io::Error,
    },
}

fn position(offset: u64, frame: Option<u64>) -> String {
    match frame {
        Some(f) => format!("byte {offset} (record {f})"),
        None => format!("byte {offset}"),
    }
}

impl CaptureError {
    /// The byte offset in the capture (after decompression) where reading failed.
    pub fn offset(&self) -> u64 {
        match self {
            CaptureError::Format { offset, .. } | CaptureError::Io { offset, .. } => *offset,
        }
    }

    /// The record being read when reading failed, if any.
    pub fn frame(&self) -> Option<u64> {
        match self {
            CaptureError::Format { frame, .. } | CaptureError::Io { frame, .. } => *frame,
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Resolution {
    /// 10^-n seconds.
    Decimal(u32),
    /// 2^-n seconds.
    Binary(u32),
}

#[derive(Clone, Copy, Debug)]
struct Iface {
    link: u32,
    res: Resolution,
}

enum Format {
    Pcap { big: bool, nano: bool, link: u32 },
    Pcapng { big: bool, ifaces: Vec<Iface> },
}

/// The byte source: the file itself, or its gzip decompression.
enum Source<R: Read> {
    Plain(R),
    Gzip(Box<flate2::read::MultiGzDecoder<io::Chain<io::Cursor<Vec<u8>>, R>>>),
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Plain(r) => r.read(buf),
            Source::Gzip(r) => r.read(buf),
        }
    }
}

/// A streaming reader of pcap and pcapng files, plain or gzip-compressed.
pub struct CaptureReader<R: Read> {
    r: Source<R>,
    /// The capture was gzip-compressed.
    gzip: bool,
    offset: u64,
    frame: u64,
    format: Format,
}

const SHB: u32 = 0x0A0D_0D0A;
const BOM: u32 = 0x1A2B_3C4D;

fn u16_at(b: &[u8], at: usize, big: bool) -> Option<u16> {
    let s: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
    Some(if big {
        u16::from_be_bytes(s)
    } else {
        u16::from_le_bytes(s)
    })
}

fn u32_at(b: &[u8], at: usize, big: bool) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(if big {
        u32::from_be_bytes(s)
    } else {
        u32::from_le_bytes(s)
    })
}

impl<R: Read> CaptureReader<R> {
    /// Reads the file header; fails on anything that is neither pcap nor pcapng (plain or gzip-compressed).
    pub fn new(mut inner: R) -> Result<Self, CaptureError> {
        let mut magic = [0u8; 2];
        let got = read_full(&mut inner, &mut magic).map_err(|source| CaptureError::Io {
            offset: 0,
            frame: None,
            source,
        })?;
        let prefix = io::Cursor::new(magic.get(..got).unwrap_or_default().to_vec());
        let gzip = magic == [0x1F, 0x8B];
        let mut r = if gzip {
            Source::Gzip(Box::new(flate2::read::MultiGzDecoder::new(
                prefix.chain(inner),
            )))
        } else {
            Source::Plain(inner)
        };
        let mut head = [0u8; 24];
        let got = if gzip {
            read_full(&mut r, &mut head)
        } else {
            head[..got].copy_from_slice(magic.get(..got).unwrap_or_default());
            read_full(&mut r, &mut head[got..]).map(|n| n + got)
        }
        .map_err(|source| CaptureError::Io {
            offset: 0,
            frame: None,
            source,
        })?;
        let fmt_err = |offset: u64, message: String| CaptureError::Format {
            offset,
            frame: None,
            message,
        };
        if got < 4 {
            return Err(fmt_err(
                got as u64,
                format!("not a capture: {got} byte(s), too short for a pcap or pcapng header"),
            ));
        }
        let magic_le = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        if magic_le == SHB {
            // pcapng: the section header's byte-order magic decides the endianness.
            if got < 12 {
                return Err(fmt_err(
                    got as u64,
                    "truncated pcapng section header".into(),
                ));
            }
            let big = match u32_at(&head, 8, false) {
                Some(BOM) => false,
                Some(0x4D3C_2B1A) => true,
                _ => {
                    return Err(fmt_err(
                        8,
                        "pcapng section header: bad byte-order magic".into(),
                    ))
                }
            };
            let len = u32_at(&head, 4, big).unwrap_or(0) as usize;
            if !(28..=MAX_RECORD).contains(&len) || !len.is_multiple_of(4) {
                return Err(fmt_err(
                    4,
                    format!("pcapng section header: bad block length {len}"),
                ));
            }
            let mut rest = vec![0u8; len.saturating_sub(got)];
            let more = read_full(&mut r, &mut rest).map_err(|source| CaptureError::Io {
                offset: got as u64,
                frame: None,
                source,
            })?;
            if got + more < len {
                return Err(fmt_err(
                    (got + more) as u64,
                    "truncated pcapng section header".into(),
                ));
            }
            return Ok(CaptureReader {
                r,
                gzip,
                offset: len as u64,
                frame: 0,
                format: Format::Pcapng {
                    big,
                    ifaces: Vec::new(),
                },
            });
        }
        let (big, nano) = match magic_le {
            0xA1B2_C3D4 => (false, false),
            0xA1B2_3C4D => (false, true),
            0xD4C3_B2A1 => (true, false),
            0x4D3C_B2A1 => (true, true),
            _ => {
                return Err(fmt_err(
                    0,
                    "not a capture: unknown magic number (expected pcap or pcapng)".into(),
                ))
            }
        };
        if got < 24 {
            return Err(fmt_err(got as u64, "truncated pcap file header".into()));
        }
        let link = u32_at(&head, 20, big).unwrap_or(0) & 0xFFFF;
        Ok(CaptureReader {
            r,
            gzip,
            offset: 24,
            frame: 0,
            format: Format::Pcap { big, nano, link },
        })
    }

    /// The byte offset of the next record.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The capture is gzip-compressed.
    pub fn compressed(&self) -> bool {
        self.gzip
    }

    /// Packet records read so far.
    pub fn frames(&self) -> u64 {
        self.frame
    }

    fn err(&self, offset: u64, message: String) -> CaptureError {
        CaptureError::Format {
            offset,
            frame: Some(self.frame + 1),
            message,
        }
    }

    /// Reads exactly `buf.len()` bytes; `Ok(false)` on a clean end before the first byte when `eof_ok`.
    fn fill(&mut self, buf: &mut [u8], what: &str, eof_ok: bool) -> Result<bool, CaptureError> {
        let start = self.offset;
        let got = match read_full(&mut self.r, buf) {
            Ok(n) => n,
            Err(e) if self.gzip => {
                return Err(self.err(
                    start,
                    format!(
                    "reading {what}: gzip-compressed capture cannot be decompressed further ({e})"
                ),
                ))
            }
            Err(source) => {
                return Err(CaptureError::Io {
                    offset: start,
                    frame: Some(self.frame + 1),
                    source,
                })
            }
        };
        if eof_ok && got == 0 && !buf.is_empty() {
            return Ok(false);
        }
        if got < buf.len() {
            return Err(self.err(
                start,
                format!(
                    "truncated {what}: {got} of {} bytes before the end of the file",
                    buf.len()
                ),
            ));
        }
        self.offset += got as u64;
        Ok(true)
    }

    /// The next packet, `Ok(None)` at the end of the file.
    pub fn next_packet(&mut self) -> Result<Option<Packet>, CaptureError> {
        loop {
            let step = match self.format {
                Format::Pcap { big, nano, link } => return self.next_pcap(big, nano, link),
                Format::Pcapng { big, .. } => self.next_block(big)?,
            };
            match step {
                Step::Packet(p) => return Ok(Some(p)),
                Step::End => return Ok(None),
                Step::Other => {}
            }
        }
    }

    fn next_pcap(
        &mut self,
        big: bool,
        nano: bool,
        link: u32,
    ) -> Result<Option<Packet>, CaptureError> {
        let start = self.offset;
        let mut h = [0u8; 16];
        if !self.fill(&mut h, "pcap record header", true)? {
            return Ok(None);
        }
        let secs = u32_at(&h, 0, big).unwrap_or(0);
        let frac = u32_at(&h, 4, big).unwrap_or(0);
        let incl = u32_at(&h, 8, big).unwrap_or(0) as usize;
        let orig = u32_at(&h, 12, big).unwrap_or(0);
        if incl > MAX_RECORD {
            return Err(self.err(start, format!("pcap record of {incl} bytes exceeds the {MAX_RECORD}-byte limit (corrupt length)")));
        }
        // Some writers leave a fraction of a second or more in the fraction field: carried into the seconds.
        let units = if nano { 1_000_000_000 } else { 1_000_000 };
        let carry = i64::from(frac / units);
        let nanos = if nano {
            frac % units
        } else {
            frac % units * 1000
        };
        let mut data = vec![0u8; incl];
        self.fill(&mut data, "pcap record data", false)?;
        self.frame += 1;
        Ok(Some(Packet {
            frame: self.frame,
            ts: Timestamp {
                secs: i64::from(secs) + carry,
                nanos,
            },
            link,
            data,
            orig_len: orig,
        }))
    }

    fn next_block(&mut self, big: bool) -> Result<Step, CaptureError> {
        let start = self.offset;
        let mut h = [0u8; 8];
        if !self.fill(&mut h, "pcapng block header", true)? {
            return Ok(Step::End);
        }
        let kind = u32_at(&h, 0, big).unwrap_or(0);
        let mut big = big;
        if kind == SHB {
            // A new section: its own byte order, its own interfaces.
            let mut bom = [0u8; 4];
            self.fill(&mut bom, "pcapng section header", false)?;
            big = match u32_at(&bom, 0, false) {
                Some(BOM) => false,
                Some(0x4D3C_2B1A) => true,
                _ => {
                    return Err(self.err(
                        start + 8,
                        "pcapng section header: bad byte-order magic".into(),
                    ))
                }
            };
            let len = u32_at(&h, 4, big).unwrap_or(0) as usize;
            if !(28..=MAX_RECORD).contains(&len) || !len.is_multiple_of(4) {
                return Err(self.err(
                    start + 4,
                    format!("pcapng section header: bad block length {len}"),
                ));
            }
            let mut rest = vec![0u8; len - 12];
            self.fill(&mut rest, "pcapng section header", false)?;
            self.format = Format::Pcapng {
                big,
                ifaces: Vec::new(),
            };
            return Ok(Step::Other);
        }
        let len = u32_at(&h, 4, big).unwrap_or(0) as usize;
        if len < 12 || !len.is_multiple_of(4) || len > MAX_RECORD {
            return Err(self.err(
                start + 4,
                format!("pcapng block of type {kind:#x}: bad block length {len}"),
            ));
        }
        let mut body = vec![0u8; len - 8];
        self.fill(&mut body, "pcapng block", false)?;
        let trailer = u32_at(&body, len - 12, big).unwrap_or(0) as usize;
        if trailer != len {
            return Err(self.err(
                start + len as u64 - 4,
                format!(
                    "pcapng block of type {kind:#x}: trailing length {trailer} differs from {len}"
                ),
            ));
        }
        let body = &body[..len - 12];
        let bad = |what: &str| {
            self.err(
                start,
                format!("pcapng {what} block too short ({len} bytes)"),
            )
        };
        match kind {
            // Interface Description Block.
            1 => {
                let link =
                    u32::from(u16_at(body, 0, big).ok_or_else(|| bad("interface description"))?);
                let mut res = Resolution::Decimal(6);
                let mut at = 8;
                while let (Some(code), Some(olen)) =
                    (u16_at(body, at, big), u16_at(body, at + 2, big))
                {
                    let olen = usize::from(olen);
                    if code == 0 {
                        break;
                    }
                    if code == 9 && olen >= 1 {
                        if let Some(&v) = body.get(at + 4) {
                            res = if v & 0x80 != 0 {
                                Resolution::Binary(u32::from(v & 0x7F))
                            } else {
                                Resolution::Decimal(u32::from(v))
                            };
                        }
                    }
                    at += 4 + olen.div_ceil(4) * 4;
                }
                if let Format::Pcapng { ifaces, .. } = &mut self.format {
                    ifaces.push(Iface { link, res });
                }
                Ok(Step::Other)
            }
            // Enhanced Packet Block and the obsolete Packet Block.
            6 | 2 => {
                if body.len() < 20 {
                    return Err(bad("packet"));
                }
                let iface = if kind == 6 {
                    u32_at(body, 0, big).unwrap_or(0)
                } else {
                    u32::from(u16_at(body, 0, big).unwrap_or(0))
                } as usize;
                let hi = u64::from(u32_at(body, 4, big).unwrap_or(0));
                let lo = u64::from(u32_at(body, 8, big).unwrap_or(0));
                let cap = u32_at(body, 12, big).unwrap_or(0) as usize;
                let orig = u32_at(body, 16, big).unwrap_or(0);
                let data = body.get(20..20 + cap).ok_or_else(|| {
                    self.err(
                        start,
                        format!("pcapng packet block: captured length {cap} exceeds the block"),
                    )
                })?;
                let Some(ifc) = self.iface(iface) else {
                    return Err(self.err(
                        start,
                        format!(
                            "pcapng packet block names interface {iface}, which was not described"
                        ),
                    ));
                };
                self.frame += 1;
                Ok(Step::Packet(Packet {
                    frame: self.frame,
                    ts: timestamp((hi << 32) | lo, ifc.res),
                    link: ifc.link,
                    data: data.to_vec(),
                    orig_len: orig,
                }))
            }
            // Simple Packet Block: interface 0, no timestamp.
            3 => {
                let orig = u32_at(body, 0, big).ok_or_else(|| bad("simple packet"))?;
                let avail = body.len() - 4;
                let cap = (orig as usize).min(avail);
                let Some(ifc) = self.iface(0) else {
                    return Err(self.err(
                        start,
                        "pcapng simple packet block before any interface description".into(),
                    ));
                };
                self.frame += 1;
                Ok(Step::Packet(Packet {
                    frame: self.frame,
                    ts: Timestamp::default(),
                    link: ifc.link,
                    data: body[4..4 + cap].to_vec(),
                    orig_len: orig,
                }))
            }
            _ => Ok(Step::Other),
        }
    }

    fn iface(&self, i: usize) -> Option<Iface> {
        match &self.format {
            Format::Pcapng { ifaces, .. } => ifaces.get(i).copied(),
            Format::Pcap { .. } => None,
        }
    }
}

enum Step {
    Packet(Packet),
    Other,
    End,
}

fn timestamp(units: u64, res: Resolution) -> Timestamp {
    let (secs, nanos) = match res {
        Resolution::Decimal(e) if e <= 19 => {
            let div = 10u64.pow(e);
            let frac = units % div;
            let nanos = if e <= 9 {
                frac * 10u64.pow(9 - e)
            } else {
                frac / 10u64.pow(e - 9)
            };
            (units / div, nanos)
        }
        Resolution::Binary(e) if e < 64 => {
            let frac = units & ((1u64 << e) - 1);
            (units >> e, ((u128::from(frac) * 1_000_000_000) >> e) as u64)
        }
        // An unusable resolution: keep the ordering, call the units microseconds.
        _ => (units / 1_000_000, units % 1_000_000 * 1000),
    };
    Timestamp {
        secs: i64::try_from(secs).unwrap_or(i64::MAX),
        nanos: nanos.min(999_999_999) as u32,
    }
}

/// Reads until `buf` is full or the reader ends; returns the bytes read.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            Timestamp { secs: 0, nanos: 0 }.rfc3339(),
            "1970-01-01T00:00:00.000000Z"
        );
        assert_eq!(
            Timestamp {
                secs: 951_782_400,
                nanos: 5
            }
            .rfc3339(),
            "2000-02-29T00:00:00.000000005Z"
        );
        assert_eq!(
            Timestamp {
                secs: 1_700_000_000,
                nanos: 123_000
            }
            .rfc3339(),
            "2023-11-14T22:13:20.000123Z"
        );
    }

    #[test]
    fn resolutions() {
        assert_eq!(
            timestamp(1_500_000, Resolution::Decimal(6)),
            Timestamp {
                secs: 1,
                nanos: 500_000_000
            }
        );
        assert_eq!(
            timestamp(3 << 9 | 256, Resolution::Binary(9)),
            Timestamp {
                secs: 3,
                nanos: 500_000_000
            }
        );
    }
}
