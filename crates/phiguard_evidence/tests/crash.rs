#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A writer killed (SIGKILL) mid-write loses no sealed record, and verify reports the unsealed tail.
//! The writer is this test binary re-run in child mode.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use ed25519_dalek::SigningKey;
use phiguard_evidence::store;
use phiguard_evidence::{verify, Level, Options, Trail};

const CHILD: &str = "PHIGUARD_EVIDENCE_CHILD_WRITER";

fn key() -> SigningKey {
    SigningKey::from_bytes(&[9; 32])
}

/// Child mode: append forever, sealing every 25 records and printing the sealed size.
#[test]
fn child_writer() {
    let Ok(location) = std::env::var(CHILD) else {
        return;
    };
    let opts = Options {
        period_s: 1,
        ..Options::default()
    };
    let mut t = Trail::open(store::open(&location).unwrap(), key(), opts).unwrap();
    let body = format!("{{\"pad\":\"{}\"}}", "x".repeat(4000));
    loop {
        for _ in 0..25 {
            t.append("scan", &body).unwrap();
        }
        let h = t.seal().unwrap();
        println!("sealed {}", h.size);
    }
}

fn kill_mid_write(location: &str) {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "child_writer",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD, location)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let mut sealed = 0u64;
    let mut seals = 0;
    for line in out.lines() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("sealed ") {
            sealed = n.trim().parse().unwrap();
            seals += 1;
            if seals == 8 {
                break;
            }
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(sealed >= 200, "{sealed}");
    let mut st = store::open(location).unwrap();
    let r = verify(&st.read_all().unwrap(), &key().verifying_key(), None);
    let errors: Vec<_> = r
        .problems
        .iter()
        .filter(|p| p.level == Level::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(
        r.sealed >= sealed,
        "sealed records lost: {} < {sealed}",
        r.sealed
    );
    assert_eq!(r.records, r.sealed + r.unsealed);
    for p in &r.problems {
        eprintln!("{location}: {}: {}", p.at, p.message);
    }
    // A new writer continues the trail and seals what the killed one left.
    let mut t = Trail::open(
        store::open(location).unwrap(),
        key(),
        Options {
            period_s: 1,
            ..Options::default()
        },
    )
    .unwrap();
    t.seal().unwrap();
    let r2 = verify(&st.read_all().unwrap(), &key().verifying_key(), None);
    assert!(r2.ok(), "{:#?}", r2.problems);
    assert_eq!((r2.records, r2.unsealed), (r.records, 0));
}

#[test]
fn killed_directory_writer() {
    if std::env::var(CHILD).is_ok() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    kill_mid_write(d.path().to_str().unwrap());
}

#[test]
fn killed_postgres_writer() {
    if std::env::var(CHILD).is_ok() {
        return;
    }
    let Some(pg) = common::Pg::start() else {
        return;
    };
    kill_mid_write(&pg.url);
}
