//! Events parsed and run through every detection per CPU-second on one thread, measured with the process's own
//! CPU time (so other load on the machine does not count): `cargo run --release --example throughput`.

use phiguard_audit::{generate, reader, Alert, Detector, Issue, Pipeline};

fn cpu_seconds() -> f64 {
    // utime + stime of this process, in clock ticks (USER_HZ = 100 on Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}

fn main() {
    let stream = generate::generate(7, 144);
    let text = stream.text();
    let rounds = 20;
    let start_cpu = cpu_seconds();
    let start = std::time::Instant::now();
    let mut events = 0u64;
    let mut alerts = 0usize;
    for _ in 0..rounds {
        let mut det = Detector::new(generate::config());
        let mut on_alert = |_: Alert| alerts += 1;
        let mut on_issue = |_: Issue| {};
        let mut p = Pipeline::new(&mut det, None, &mut on_alert, &mut on_issue);
        if let Ok(st) = reader::read("bench", text.as_bytes(), &mut p) {
            events += st.events;
        }
    }
    let cpu = cpu_seconds() - start_cpu;
    let wall = start.elapsed().as_secs_f64();
    println!(
        "{events} events ({} bytes/event), {alerts} alerts: {:.0} events per CPU-second, {:.0} events per wall-second",
        text.len() / stream.lines.len().max(1),
        events as f64 / cpu.max(0.01),
        events as f64 / wall
    );
}
