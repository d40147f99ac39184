#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The PostgreSQL store against a real server: two writers share one trail; tampering is found by position.

mod common;

use ed25519_dalek::SigningKey;
use phiguard_evidence::store::{PgStore, Store};
use phiguard_evidence::{verify, Level, Options, Trail};

const MIN: i64 = 60_000_000;
const T0: i64 = 1_772_445_600_000_000;

#[test]
fn two_writers_share_one_trail_and_tampering_is_located() {
    let Some(pg) = common::Pg::start() else {
        return;
    };
    let key = SigningKey::from_bytes(&[7; 32]);
    let opts = Options {
        period_s: 60,
        ..Options::default()
    };
    let mut a = Trail::open_at(
        Box::new(PgStore::connect(&pg.url).unwrap()),
        key.clone(),
        opts.clone(),
        T0,
    )
    .unwrap();
    let mut b = Trail::open_at(
        Box::new(PgStore::connect(&pg.url).unwrap()),
        key.clone(),
        opts,
        T0,
    )
    .unwrap();
    for i in 0..20i64 {
        let w = if i % 2 == 0 { &mut a } else { &mut b };
        w.append_at(T0 + i * 20_000_000, "alert", &format!("{{\"i\":{i}}}"))
            .unwrap();
    }
    b.seal_at(T0 + 8 * MIN).unwrap();
    a.append_at(T0 + 9 * MIN, "scan", "{}").unwrap();
    a.seal_at(T0 + 9 * MIN + 1).unwrap();

    let mut st = PgStore::connect(&pg.url).unwrap();
    let lines = st.read_all().unwrap();
    let r = verify(&lines, &key.verifying_key(), None);
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    assert_eq!(r.records, 21);
    assert_eq!(
        r.digests, 9,
        "one digest per minute from 10:00 to 10:08, empty ones included"
    );

    // Tamper inside the database.
    let mut c = postgres::Client::connect(&pg.url, postgres::NoTls).unwrap();
    let pos: i64 = c
        .query_one(
            "SELECT pos FROM phiguard_evidence WHERE line LIKE '%\"seq\":5,%'",
            &[],
        )
        .unwrap()
        .get(0);
    c.execute("UPDATE phiguard_evidence SET line = replace(line, '{\\\"i\\\":5}', '{\\\"i\\\":6}') WHERE pos = $1", &[&pos])
        .unwrap();
    let r = verify(&st.read_all().unwrap(), &key.verifying_key(), None);
    let e: Vec<String> = r
        .problems
        .iter()
        .filter(|p| p.level == Level::Error)
        .map(|p| format!("{}: {}", p.at, p.message))
        .collect();
    assert_eq!(
        e,
        vec![format!(
            "postgres:pos {pos}: record seq 5: content does not match its hash (modified)"
        )]
    );
    let deleted = c
        .execute(
            "DELETE FROM phiguard_evidence WHERE line LIKE '%\"seq\":6,%'",
            &[],
        )
        .unwrap();
    assert_eq!(deleted, 1);
    let r = verify(&st.read_all().unwrap(), &key.verifying_key(), None);
    assert!(
        r.problems.iter().any(|p| p.at.starts_with("postgres:pos ")
            && p.message == "record(s) seq 6..6 missing before this line (deleted)"),
        "{:#?}",
        r.problems
    );
}
