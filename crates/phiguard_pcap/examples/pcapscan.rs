#![allow(clippy::unwrap_used)]
//! Prints the flows and findings of the captures given as arguments.
fn main() {
    let det = phiguard_phi::Detector::new();
    for p in std::env::args().skip(1) {
        let f = std::fs::File::open(&p).unwrap();
        let r = phiguard_pcap::scan(&det, std::io::BufReader::new(f), &Default::default());
        println!("== {p}: {} frames, err {:?}", r.stats.frames, r.error.as_ref().map(|e| e.to_string()));
        for fl in &r.flows {
            println!("  flow {} {} {} {} bytes={} clear={} phi={} cred={} gaps={} notes={:?}", fl.label(), fl.transport, fl.protocol, fl.encryption.as_str(), fl.bytes, fl.clear_bytes, fl.phi, fl.credentials, fl.gaps, fl.notes);
        }
        for x in &r.findings {
            println!("  #{} {:?} {:?} off={} {:?}", x.frame, x.kind, x.protocol, x.offset, String::from_utf8_lossy(&x.value));
        }
    }
}
