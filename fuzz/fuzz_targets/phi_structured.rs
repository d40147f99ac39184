//! Fuzzes the structure-aware paths: HL7 v2 segments, JSON/FHIR and logfmt keys, CSV with a header, built from
//! fuzzer-chosen pieces so that the parsers see well-formed prefixes followed by arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phiguard_phi::Detector;

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |b| *b as usize) % (data.len().max(1));
    let (a, b) = data.split_at(split.min(data.len()));
    let prefixes: [&[u8]; 5] = [
        b"MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\rPID|1||",
        b"{\"resourceType\":\"Patient\",\"identifier\":[{\"value\":\"",
        b"ts=2024-01-01T00:00:00Z level=info ssn=",
        b"NK1|1|",
        b"{\"patient_name\": [\"",
    ];
    let det = Detector::new();
    for p in prefixes {
        let mut input = p.to_vec();
        input.extend_from_slice(a);
        input.extend_from_slice(b"\r");
        input.extend_from_slice(b);
        for m in det.detect(&input) {
            assert!(m.start < m.end && m.end <= input.len());
        }
    }
    let mut csv = Detector::new();
    csv.set_csv_header(a);
    for m in csv.detect(b) {
        assert!(m.start < m.end && m.end <= b.len());
    }
});
