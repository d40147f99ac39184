//! Fuzzes the capture reader and the whole capture scan on arbitrary bytes (raw, and behind a pcap header so
//! that the packet decoders and TCP reassembly see the bytes too): no panic, every finding and flow consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phiguard_pcap::{scan, Options};
use phiguard_phi::Detector;

fn check(det: &Detector, bytes: &[u8]) {
    let opts = Options {
        max_stream_bytes: 1 << 16,
        max_total_bytes: 1 << 18,
        max_flows: 64,
        max_decoded_body: 1 << 16,
    };
    let r = scan(det, bytes, &opts);
    for f in &r.findings {
        assert!(f.flow < r.flows.len(), "finding names flow {} of {}", f.flow, r.flows.len());
        assert!(f.frame >= 1 && f.frame <= r.stats.frames, "finding at frame {} of {}", f.frame, r.stats.frames);
    }
    for fl in &r.flows {
        assert!(fl.clear_bytes <= fl.bytes.max(1) * 64, "clear bytes out of proportion");
    }
}

fuzz_target!(|data: &[u8]| {
    let det = Detector::new();
    check(&det, data);
    // The same bytes as a little-endian pcap body: link type from the first byte, records from the rest.
    if let Some((&sel, rest)) = data.split_first() {
        let link: u32 = match sel % 6 {
            0 => 1,
            1 => 113,
            2 => 101,
            3 => 0,
            4 => 276,
            _ => 229,
        };
        let mut file = Vec::with_capacity(rest.len() + 24);
        file.extend_from_slice(&0xA1B2_C3D4u32.to_le_bytes());
        file.extend_from_slice(&[2, 0, 4, 0]);
        file.extend_from_slice(&[0; 8]);
        file.extend_from_slice(&65_535u32.to_le_bytes());
        file.extend_from_slice(&link.to_le_bytes());
        file.extend_from_slice(rest);
        check(&det, &file);
    }
});
