//! The work of an audit webhook endpoint with the evidence trail on: EventList bodies of 500 events run through
//! the detections, every body's alerts appended to a directory trail, a seal (fsync) every 10 bodies. Prints the
//! sustained rate, then verifies the trail and checks that every alert is in it.
//! `cargo run --release -p phiguard_audit --example endpoint [DIR]`

use ed25519_dalek::SigningKey;
use phiguard_audit::{generate, Detector};
use phiguard_evidence::store::{DirStore, Store};
use phiguard_evidence::{verify, Options, Trail};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::env::temp_dir().join(format!("phiguard-endpoint-{}", std::process::id()))
        });
    let stream = generate::generate(7, 144);
    let bodies: Vec<String> = stream
        .lines
        .chunks(500)
        .map(|c| {
            format!(
                "{{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[{}]}}",
                c.join(",")
            )
        })
        .collect();
    let key = SigningKey::from_bytes(&[5; 32]);
    let store = match DirStore::open(&dir) {
        Ok(s) => s,
        Err(e) => return eprintln!("{e}"),
    };
    let mut trail = match Trail::open(Box::new(store), key.clone(), Options::default()) {
        Ok(t) => t,
        Err(e) => return eprintln!("{e}"),
    };
    let mut det = Detector::new(generate::config());
    let start = std::time::Instant::now();
    let (mut events, mut alerts, mut records) = (0usize, 0usize, 0usize);
    for (i, body) in bodies.iter().enumerate() {
        let (found, issues) =
            phiguard_audit::alerts_from_body(&mut det, "POST /audit", body.as_bytes());
        assert!(issues.is_empty());
        events += body.matches("\"auditID\"").count();
        if !found.is_empty() {
            alerts += found.len();
            let json = serde_json::to_string(&found).unwrap_or_default();
            if let Err(e) = trail.append("alerts", &json) {
                return eprintln!("{e}");
            }
            records += 1;
        }
        if i % 10 == 9 {
            if let Err(e) = trail.seal() {
                return eprintln!("{e}");
            }
        }
    }
    if let Err(e) = trail.seal() {
        return eprintln!("{e}");
    }
    let wall = start.elapsed().as_secs_f64();
    let lines = DirStore::open(&dir)
        .and_then(|mut s| s.read_all())
        .unwrap_or_default();
    let r = verify(&lines, &key.verifying_key(), None);
    let stored_alerts: usize = lines
        .iter()
        .filter_map(|l| serde_json::from_slice::<serde_json::Value>(&l.text).ok())
        .filter(|v| v["t"] == "rec")
        .filter_map(|v| {
            v["body"]
                .as_str()
                .and_then(|b| serde_json::from_str::<Vec<serde_json::Value>>(b).ok())
        })
        .map(|a| a.len())
        .sum();
    println!(
        "{events} events in {} bodies, {alerts} alerts in {records} evidence records, {:.0} events/s wall; trail {}: {} records, verified={}, alerts stored {stored_alerts}/{alerts}",
        bodies.len(),
        events as f64 / wall,
        dir.display(),
        r.records,
        r.ok()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
