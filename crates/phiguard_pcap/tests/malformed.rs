#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Broken captures: a clear error naming the byte offset and record, everything read before it kept, no panic.

mod support;

use phiguard_pcap::capture::CaptureReader;
use phiguard_pcap::{scan, CaptureError, Kind, Options, Report};
use phiguard_phi::Detector;
use support::*;

fn run(bytes: &[u8]) -> Report {
    scan(&Detector::new(), bytes, &Options::default())
}

fn err(r: &Report) -> &CaptureError {
    r.error.as_ref().expect("an error")
}

/// Eight frames: handshake (1-3), a request with an SSN (4), a response with a name (5), close (6-8).
fn frames() -> Vec<Frame> {
    let mut c = Conn::new("10.0.0.5:51000", "10.0.0.9:80", Link::Ethernet);
    c.exchange(
        &http(
            "POST /p HTTP/1.1",
            &[("Host", "a")],
            br#"{"ssn":"234-56-7890"}"#,
        ),
        &http("HTTP/1.1 200 OK", &[], br#"{"name":"Maria Gonzalez"}"#),
    )
}

fn ssn_found(r: &Report) -> bool {
    r.findings
        .iter()
        .any(|f| matches!(f.kind, Kind::Phi { .. }) && f.value == b"234-56-7890")
}

/// Byte offset of record `n` (1-based) in a pcap of `frames`.
fn pcap_record_offset(frames: &[Frame], n: usize) -> usize {
    24 + frames[..n - 1]
        .iter()
        .map(|f| 16 + f.data.len())
        .sum::<usize>()
}

#[test]
fn empty_file() {
    let r = run(b"");
    let e = err(&r);
    assert_eq!(e.offset(), 0);
    assert!(
        e.to_string()
            .contains("too short for a pcap or pcapng header"),
        "{e}"
    );
    assert_eq!(r.stats.frames, 0);
}

#[test]
fn bad_magic() {
    let r = run(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n");
    let e = err(&r);
    assert_eq!(
        e.to_string(),
        "byte 0: not a capture: unknown magic number (expected pcap or pcapng)"
    );
    // The message never echoes the file's bytes.
    assert!(!e.to_string().contains("GET"));
}

#[test]
fn truncated_file_header() {
    let full = pcap(&frames(), 1, false, false);
    for cut in [4, 10, 23] {
        let r = run(&full[..cut]);
        let e = err(&r);
        assert_eq!(e.offset(), cut as u64, "{e}");
        assert!(e.to_string().contains("truncated pcap file header"), "{e}");
    }
    let ng = pcapng(&frames(), 1, false);
    let r = run(&ng[..20]);
    assert!(
        err(&r)
            .to_string()
            .contains("truncated pcapng section header"),
        "{}",
        err(&r)
    );
}

#[test]
fn truncated_record_keeps_what_came_before() {
    let fr = frames();
    let full = pcap(&fr, 1, false, false);
    // Cut inside record 5's data, then inside record 6's header.
    let at5 = pcap_record_offset(&fr, 5);
    let r = run(&full[..at5 + 16 + 10]);
    let e = err(&r);
    assert_eq!((e.offset(), e.frame()), (at5 as u64 + 16, Some(5)));
    assert_eq!(
        e.to_string(),
        format!("byte {} (record 5): truncated pcap record data: 10 of {} bytes before the end of the file", at5 + 16, fr[4].data.len())
    );
    assert_eq!(r.stats.frames, 4);
    assert!(ssn_found(&r), "the request in frame 4 is still scanned");
    assert_eq!(r.flows.len(), 1);

    let at6 = pcap_record_offset(&fr, 6);
    let r = run(&full[..at6 + 7]);
    let e = err(&r);
    assert_eq!((e.offset(), e.frame()), (at6 as u64, Some(6)));
    assert!(
        e.to_string()
            .contains("truncated pcap record header: 7 of 16 bytes"),
        "{e}"
    );
    assert_eq!(r.stats.frames, 5);
    assert!(ssn_found(&r));
    assert_eq!(
        r.findings.len(),
        2,
        "the response of frame 5 is scanned too"
    );
}

#[test]
fn absurd_captured_length() {
    let fr = frames();
    let mut bytes = pcap(&fr[..4], 1, true, false);
    let at = bytes.len();
    // Record 5 claims 4 GB.
    bytes.extend_from_slice(&[
        0, 0, 0, 1, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xF0, 0xFF, 0xFF, 0xFF, 0xF0,
    ]);
    bytes.extend_from_slice(&[0; 100]);
    let r = run(&bytes);
    let e = err(&r);
    assert_eq!((e.offset(), e.frame()), (at as u64, Some(5)));
    assert!(
        e.to_string()
            .contains("pcap record of 4294967280 bytes exceeds the 16777216-byte limit"),
        "{e}"
    );
    assert!(ssn_found(&r));
}

#[test]
fn absurd_snaplen_in_the_header_is_not_trusted() {
    // The file header's snap length is advisory: records are read by their own lengths.
    let mut bytes = pcap(&frames(), 1, false, false);
    bytes[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    let r = run(&bytes);
    assert!(r.error.is_none());
    assert!(ssn_found(&r));
    bytes[16..20].copy_from_slice(&0u32.to_le_bytes());
    assert!(ssn_found(&run(&bytes)));
}

#[test]
fn fractional_timestamp_overflow_is_carried() {
    let fr = frames();
    let mut bytes = pcap(&fr, 1, false, false);
    let at4 = pcap_record_offset(&fr, 4);
    // 1.5 s in the microseconds field.
    bytes[at4 + 4..at4 + 8].copy_from_slice(&1_500_000u32.to_le_bytes());
    let r = run(&bytes);
    assert!(r.error.is_none());
    let f = r.findings.iter().find(|f| f.frame == 4).unwrap();
    assert_eq!((f.ts.secs, f.ts.nanos), (1_700_000_001, 500_000_000));
}

#[test]
fn corrupt_pcapng_blocks() {
    let fr = frames();
    let good = pcapng(&fr, 1, false);
    // Offsets of the Enhanced Packet Blocks.
    let mut epbs = Vec::new();
    let mut at = 0;
    while at < good.len() {
        let kind = u32::from_le_bytes(good[at..at + 4].try_into().unwrap());
        let len = u32::from_le_bytes(good[at + 4..at + 8].try_into().unwrap()) as usize;
        if kind == 6 {
            epbs.push(at);
        }
        at += len;
    }
    assert_eq!(epbs.len(), 8);
    let e5 = epbs[4];

    // Block length not a multiple of 4.
    let mut b = good.clone();
    b[e5 + 4] += 1;
    let r = run(&b);
    let e = err(&r);
    assert_eq!((e.offset(), e.frame()), (e5 as u64 + 4, Some(5)));
    assert!(e.to_string().contains("bad block length"), "{e}");
    assert!(ssn_found(&r));
    assert_eq!(r.stats.frames, 4);

    // Trailing length differs from the leading one.
    let mut b = good.clone();
    let len = u32::from_le_bytes(good[e5 + 4..e5 + 8].try_into().unwrap()) as usize;
    b[e5 + len - 4] ^= 0x40;
    let r = run(&b);
    let e = err(&r);
    assert_eq!(e.frame(), Some(5));
    assert!(e.to_string().contains("trailing length"), "{e}");
    assert!(ssn_found(&r));

    // Captured length beyond the block.
    let mut b = good.clone();
    b[e5 + 20..e5 + 24].copy_from_slice(&5000u32.to_le_bytes());
    let r = run(&b);
    let e = err(&r);
    assert_eq!((e.offset(), e.frame()), (e5 as u64, Some(5)));
    assert!(
        e.to_string()
            .contains("captured length 5000 exceeds the block"),
        "{e}"
    );

    // A packet on an interface that was never described.
    let mut b = good.clone();
    b[e5 + 8..e5 + 12].copy_from_slice(&3u32.to_le_bytes());
    let r = run(&b);
    assert!(
        err(&r)
            .to_string()
            .contains("names interface 3, which was not described"),
        "{}",
        err(&r)
    );

    // A huge block length.
    let mut b = good.clone();
    b[e5 + 4..e5 + 8].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let r = run(&b);
    assert!(
        err(&r).to_string().contains("bad block length 4294967280"),
        "{}",
        err(&r)
    );

    // Truncated in the middle of a block.
    let r = run(&good[..e5 + 30]);
    let e = err(&r);
    assert_eq!((e.offset(), e.frame()), (e5 as u64 + 8, Some(5)));
    assert!(e.to_string().contains("truncated pcapng block"), "{e}");
    assert!(ssn_found(&r));

    // A section header with a bad byte-order magic.
    let mut b = good.clone();
    b[8] = 0;
    assert!(err(&run(&b)).to_string().contains("bad byte-order magic"));
}

#[test]
fn pcapng_sections_with_different_byte_orders() {
    let fr = frames();
    let mut b = pcapng(&fr[..4], 1, false);
    b.extend(pcapng(
        &fr[4..],
        101, /* raw, but frames are Ethernet: counted as malformed/skipped */
        true,
    ));
    let r = run(&b);
    assert!(r.error.is_none());
    assert_eq!(r.stats.frames, 8);
    assert!(ssn_found(&r));
    // The second section's interface is a new interface 0 with its own link type.
    assert_eq!(r.stats.tcp_packets, 4);

    let mut b = pcapng(&fr[..4], 1, true);
    b.extend(pcapng(&fr[4..], 1, false));
    let r = run(&b);
    assert_eq!(r.stats.tcp_packets, 8);
    assert_eq!(r.findings.len(), 2);
}

#[test]
fn truncated_gzip() {
    let fr = frames();
    let plain = pcap(&fr, 1, false, false);
    let gz = gzip(&plain);
    // Cut the compressed stream in the middle of record 6's data.
    let at6 = pcap_record_offset(&fr, 6);
    let r = run(&gz[..10 + 5 + at6 + 20]);
    let e = err(&r);
    assert_eq!((e.offset(), e.frame()), (at6 as u64 + 16, Some(6)));
    assert!(
        e.to_string()
            .contains("gzip-compressed capture cannot be decompressed further"),
        "{e}"
    );
    assert_eq!(r.stats.frames, 5);
    assert!(ssn_found(&r));

    // A gzip header and nothing else.
    let r = run(&gz[..12]);
    assert!(r.error.is_some());
    assert_eq!(r.stats.frames, 0);

    // Corrupt compressed data.
    let mut bad = gz.clone();
    bad[11] ^= 0xFF;
    bad[12] ^= 0xFF;
    let r = run(&bad);
    assert!(r.error.is_some());
}

#[test]
fn reader_reports_offsets_and_frames() {
    let fr = frames();
    let bytes = pcap(&fr, 1, false, true);
    let mut rd = CaptureReader::new(&bytes[..]).unwrap();
    assert!(!rd.compressed());
    let mut n = 0;
    while let Some(p) = rd.next_packet().unwrap() {
        n += 1;
        assert_eq!(p.frame, n);
        assert_eq!(p.link, 1);
        assert_eq!(p.data, fr[n as usize - 1].data);
        assert_eq!(
            rd.offset() as usize,
            pcap_record_offset(&fr, n as usize + 1)
        );
    }
    assert_eq!(rd.frames(), 8);
    assert_eq!(rd.offset() as usize, bytes.len());
    let gz = gzip(&bytes);
    assert!(CaptureReader::new(&gz[..]).unwrap().compressed());
}

#[test]
fn garbage_frames_are_counted_not_fatal() {
    let fr = frames();
    let mut all = Vec::new();
    // Ethernet frames cut inside every header, a bad IPv4 header length, a TCP data offset beyond the packet.
    for cut in [0, 5, 13, 20, 33, 40, 53] {
        all.push(Frame {
            ts_ns: 1,
            data: fr[3].data[..cut].to_vec(),
        });
    }
    let mut bad_ihl = fr[3].data.clone();
    bad_ihl[14] = 0x44;
    all.push(Frame {
        ts_ns: 1,
        data: bad_ihl,
    });
    let mut bad_off = fr[0].data.clone();
    bad_off[14 + 20 + 12] = 0xF0;
    all.push(Frame {
        ts_ns: 1,
        data: bad_off,
    });
    // ARP is skipped.
    let mut arp = fr[0].data.clone();
    arp[12..14].copy_from_slice(&[0x08, 0x06]);
    all.push(Frame {
        ts_ns: 1,
        data: arp,
    });
    all.extend(fr.iter().cloned());
    let r = run(&pcap(&all, 1, false, false));
    assert!(r.error.is_none());
    assert_eq!(r.stats.frames, 18);
    assert_eq!(r.stats.skipped, 1);
    assert_eq!(r.stats.malformed, 9);
    assert!(ssn_found(&r));
    assert_eq!(
        r.findings
            .iter()
            .find(|f| f.value == b"234-56-7890")
            .unwrap()
            .frame,
        14
    );
}

#[test]
fn unknown_link_type_is_counted() {
    let r = run(&pcap(&frames(), 147, false, false));
    assert!(r.error.is_none());
    assert_eq!((r.stats.frames, r.stats.unknown_link), (8, 8));
    assert!(r.findings.is_empty());
}
