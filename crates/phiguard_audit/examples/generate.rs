//! Writes a generated audit stream (JSON lines) to stdout: `cargo run --example generate -- HOURS [SEED]`.
//! The injected attacks and the lines they must be detected at go to stderr.

use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let hours: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(144);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(7);
    let s = phiguard_audit::generate::generate(seed, hours);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for l in &s.lines {
        if writeln!(out, "{l}").is_err() {
            return;
        }
    }
    for e in &s.expected {
        eprintln!("{} {}..{}", e.code, e.first, e.last);
    }
}
