//! Fuzzes the PHI scanner on arbitrary bytes: no panic, spans inside the input and on character boundaries of
//! valid UTF-8, and chunked streaming reports exactly what one pass over the whole input reports.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phiguard_phi::{redact::Redactor, stream, Detector};

fuzz_target!(|data: &[u8]| {
    let det = Detector::new();
    let whole = det.detect(data);
    let utf8 = std::str::from_utf8(data).ok();
    for m in &whole {
        assert!(m.start < m.end && m.end <= data.len(), "bad span {m:?}");
        if let Some(s) = utf8 {
            assert!(s.is_char_boundary(m.start) && s.is_char_boundary(m.end), "span splits a character: {m:?}");
        }
    }
    let mut streamed = Vec::new();
    stream::scan_reader(&det, data, 2 * stream::OVERLAP, |l| streamed.push((l.m.start, l.m.end, l.m.entity)))
        .expect("reading from a slice cannot fail");
    let expected: Vec<_> = whole.iter().map(|m| (m.start, m.end, m.entity)).collect();
    assert_eq!(streamed, expected, "chunked and whole scans differ");
    let mut out = Vec::new();
    stream::redact_stream(&det, &Redactor::Tag, data, &mut out, 2 * stream::OVERLAP).expect("in-memory redaction");
});
