#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Each kind of tampering with a directory trail is detected and reported at its line.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use phiguard_evidence::store::{DirStore, Store};
use phiguard_evidence::{keys, verify, Head, Level, Options, Report, Trail};

const MIN: i64 = 60_000_000;
/// 2026-03-02T10:00:00Z
const T0: i64 = 1_772_445_600_000_000;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// A trail with 60 s periods: 3 records in period 0, none in period 1 (empty), 4 in period 2, a checkpoint,
/// 2 records in period 4 and a final seal at period 5.
fn build(dir: &Path) -> Head {
    let opts = Options {
        period_s: 60,
        ..Options::default()
    };
    let mut t = Trail::open_at(Box::new(DirStore::open(dir).unwrap()), key(1), opts, T0).unwrap();
    for i in 0..3 {
        t.append_at(
            T0 + i * 1_000_000,
            "scan",
            &format!("{{\"n\":{i},\"findings\":[]}}"),
        )
        .unwrap();
    }
    for i in 0..4 {
        t.append_at(
            T0 + 2 * MIN + i * 1_000_000,
            "alert",
            &format!("{{\"code\":\"AL00{i}\"}}"),
        )
        .unwrap();
    }
    t.seal_at(T0 + 3 * MIN).unwrap();
    for i in 0..2 {
        t.append_at(T0 + 4 * MIN + i, "admission", "{\"allowed\":false}")
            .unwrap();
    }
    t.seal_at(T0 + 5 * MIN + 1).unwrap()
}

fn seg(dir: &Path) -> PathBuf {
    dir.join("segments/seg-00000001.jsonl")
}

fn lines(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(seg(dir))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn write(dir: &Path, lines: &[String]) {
    let mut s = lines.join("\n");
    s.push('\n');
    std::fs::write(seg(dir), s).unwrap();
}

fn check(dir: &Path, trusted: Option<&Head>) -> Report {
    let mut st = DirStore::open(dir).unwrap();
    verify(&st.read_all().unwrap(), &key(1).verifying_key(), trusted)
}

fn errors(r: &Report) -> Vec<String> {
    r.problems
        .iter()
        .filter(|p| p.level == Level::Error)
        .map(|p| format!("{}: {}", p.at, p.message))
        .collect()
}

fn idx(lines: &[String], pred: impl Fn(&serde_json::Value) -> bool) -> usize {
    lines
        .iter()
        .position(|l| pred(&serde_json::from_str(l).unwrap()))
        .unwrap()
}

fn fresh() -> (tempfile::TempDir, Head) {
    let d = tempfile::tempdir().unwrap();
    let h = build(d.path());
    (d, h)
}

#[test]
fn intact_trail_verifies_with_digests_for_every_period() {
    let (d, last) = fresh();
    let r = check(d.path(), Some(&last));
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    assert_eq!(r.records, 9);
    assert_eq!(r.sealed, 9);
    // Periods 0..=4 have ended by the last seal: five digests, the empty periods 1 and 3 included.
    assert_eq!(r.digests, 5);
    assert_eq!(r.checkpoints, 2);
    assert_eq!(r.retention_days, 6 * 365 + 2);
    let l = lines(d.path());
    let empty = idx(&l, |v| v["t"] == "digest" && v["count"] == 0);
    assert!(empty > 0);
}

#[test]
fn flipped_byte_in_a_record() {
    let (d, _) = fresh();
    let mut l = lines(d.path());
    let i = idx(&l, |v| v["t"] == "rec" && v["seq"] == 4);
    l[i] = l[i].replace("AL001", "AL00X");
    write(d.path(), &l);
    let e = errors(&check(d.path(), None));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0], format!("segments/seg-00000001.jsonl:{}: record seq 4: content does not match its hash (modified)", i + 1));
}

#[test]
fn flipped_byte_that_breaks_json_and_in_a_head() {
    let (d, _) = fresh();
    let mut l = lines(d.path());
    let i = idx(&l, |v| v["t"] == "rec" && v["seq"] == 1);
    let mut b = l[i].clone().into_bytes();
    b[0] ^= 0x01; // '{' -> 'z'
    l[i] = String::from_utf8(b).unwrap();
    let j = idx(&l[i + 1..], |v| v["t"] == "checkpoint") + i + 1;
    let mut h: serde_json::Value = serde_json::from_str(&l[j]).unwrap();
    h["size"] = serde_json::json!(6);
    l[j] = h.to_string();
    write(d.path(), &l);
    let e = errors(&check(d.path(), None));
    assert!(
        e[0].starts_with(&format!(
            "segments/seg-00000001.jsonl:{}: malformed entry",
            i + 1
        )),
        "{e:#?}"
    );
    assert!(
        e.iter().any(|m| m.starts_with(&format!(
            "segments/seg-00000001.jsonl:{}: checkpoint: signature does not verify",
            j + 1
        ))),
        "{e:#?}"
    );
}

#[test]
fn deleted_record() {
    let (d, _) = fresh();
    let mut l = lines(d.path());
    let i = idx(&l, |v| v["t"] == "rec" && v["seq"] == 5);
    l.remove(i);
    write(d.path(), &l);
    let e = errors(&check(d.path(), None));
    assert_eq!(
        e[0],
        format!(
            "segments/seg-00000001.jsonl:{}: record(s) seq 5..5 missing before this line (deleted)",
            i + 1
        )
    );
    assert!(
        e.iter()
            .any(|m| m.contains("checkpoint covers 7 records but 6 precede it")),
        "{e:#?}"
    );
}

#[test]
fn deleted_period() {
    let (d, _) = fresh();
    let mut l = lines(d.path());
    // Period 2: its four records and its digest.
    let first = idx(&l, |v| v["t"] == "rec" && v["seq"] == 3);
    let digest = idx(&l, |v| v["t"] == "digest" && v["count"] == 4);
    l.drain(first..=digest);
    write(d.path(), &l);
    let e = errors(&check(d.path(), None));
    assert!(
        e.iter().any(|m| m.contains("digest(s) for 1 period(s) missing (2026-03-02T10:02:00.000000Z .. 2026-03-02T10:03:00.000000Z)") && m.contains("a whole period was deleted")),
        "{e:#?}"
    );
    assert!(e.iter().any(|m| m.contains("chain broken")), "{e:#?}");
}

#[test]
fn reordered_records() {
    let (d, _) = fresh();
    let mut l = lines(d.path());
    let a = idx(&l, |v| v["t"] == "rec" && v["seq"] == 4);
    l.swap(a, a + 1);
    write(d.path(), &l);
    let e = errors(&check(d.path(), None));
    assert_eq!(
        e[0],
        format!("segments/seg-00000001.jsonl:{}: reordered: record seq 5 comes before seq 4 (which is at segments/seg-00000001.jsonl:{})", a + 1, a + 2)
    );
    assert!(
        e.iter().any(|m| m.contains("Merkle root does not match")),
        "{e:#?}"
    );
}

#[test]
fn truncated_trail() {
    let (d, last) = fresh();
    // Cut inside the last line: a torn write, and the final seal is gone.
    let text = std::fs::read(seg(d.path())).unwrap();
    std::fs::write(seg(d.path()), &text[..text.len() - 40]).unwrap();
    let r = check(d.path(), None);
    assert!(
        r.ok(),
        "a cut at the end alone looks like an interrupted write: {:#?}",
        r.problems
    );
    assert!(r
        .problems
        .iter()
        .any(|p| p.level == Level::Warning && p.message.contains("line cut short")));
    // Against a checkpoint kept from before, it is an error; so is a cut at a line boundary.
    let r = check(d.path(), Some(&last));
    assert!(
        errors(&r).is_empty(),
        "the last checkpoint's records are all still there: {:#?}",
        r.problems
    );
    let mut l = lines(d.path());
    let keep = idx(&l, |v| v["t"] == "checkpoint");
    l.truncate(keep + 1);
    write(d.path(), &l);
    let e = errors(&check(d.path(), Some(&last)));
    assert_eq!(e, vec!["trail: truncated: the trusted checkpoint of 2026-03-02T10:05:00.000001Z covers 9 records, the trail now has 7".to_string()]);
}

#[test]
fn replaced_checkpoint() {
    let (d, _) = fresh();
    let mut l = lines(d.path());
    let i = idx(&l, |v| v["t"] == "checkpoint");
    // Re-signed by a key that is not the trail's.
    let mut h: Head = serde_json::from_str(&l[i]).unwrap();
    h.sign(&key(2));
    l[i] = serde_json::to_string(&h).unwrap();
    write(d.path(), &l);
    let e = errors(&check(d.path(), None));
    assert!(e[0].starts_with(&format!("segments/seg-00000001.jsonl:{}: checkpoint: signature does not verify with the public key: signed by another key", i + 1)), "{e:#?}");
    // The next head was chained to the original line, so the chain breaks right after it too.
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(e[1].contains("chain broken"));
    // Replaced by an older, validly signed head (replay): the chain breaks there.
    let (d, _) = fresh();
    let mut l = lines(d.path());
    let i = idx(&l, |v| v["t"] == "checkpoint");
    let older = idx(&l, |v| v["t"] == "digest");
    l[i] = l[older].clone();
    write(d.path(), &l);
    let e = errors(&check(d.path(), None));
    assert!(
        e.iter().any(|m| m.starts_with(&format!(
            "segments/seg-00000001.jsonl:{}: digest: chain broken",
            i + 1
        ))),
        "{e:#?}"
    );
}

#[test]
fn unsealed_tail_and_torn_write_are_reported_not_lost() {
    let d = tempfile::tempdir().unwrap();
    build(d.path());
    let opts = Options {
        period_s: 60,
        ..Options::default()
    };
    let mut t = Trail::open_at(
        Box::new(DirStore::open(d.path()).unwrap()),
        key(1),
        opts.clone(),
        T0 + 5 * MIN + 5,
    )
    .unwrap();
    t.append_at(T0 + 5 * MIN + 10, "scan", "{\"n\":10}")
        .unwrap();
    t.append_at(T0 + 5 * MIN + 11, "scan", "{\"n\":11}")
        .unwrap();
    drop(t);
    // A half-written line, as a killed writer leaves it.
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(seg(d.path()))
        .unwrap();
    f.write_all(b"{\"t\":\"rec\",\"seq\":11,\"time\":\"2026-03")
        .unwrap();
    drop(f);
    let r = check(d.path(), None);
    assert!(r.ok(), "{:#?}", r.problems);
    assert_eq!((r.sealed, r.unsealed), (9, 2));
    let warn: Vec<&str> = r.problems.iter().map(|p| p.message.as_str()).collect();
    assert!(
        warn.iter()
            .any(|m| m.starts_with("2 record(s) (seq 9..10) are not covered")),
        "{warn:#?}"
    );
    assert!(warn.iter().any(|m| m.contains("line cut short")));
    // A writer reopening the trail continues in a new segment and seals everything.
    let mut t = Trail::open_at(
        Box::new(DirStore::open(d.path()).unwrap()),
        key(1),
        opts,
        T0 + 6 * MIN,
    )
    .unwrap();
    t.append_at(T0 + 6 * MIN, "scan", "{\"n\":12}").unwrap();
    t.seal_at(T0 + 6 * MIN + 1).unwrap();
    assert!(d.path().join("segments/seg-00000002.jsonl").exists());
    let r = check(d.path(), None);
    assert!(r.ok(), "{:#?}", r.problems);
    assert_eq!((r.records, r.sealed, r.unsealed), (12, 12, 0));
    assert_eq!(
        r.problems.len(),
        1,
        "only the torn line remains worth a warning: {:#?}",
        r.problems
    );
}

#[test]
fn key_files_round_trip() {
    let d = tempfile::tempdir().unwrap();
    let (sk, pk) = (d.path().join("evidence.key"), d.path().join("evidence.pub"));
    let k = keys::write_pair(&sk, &pk).unwrap();
    assert_eq!(keys::read_private(&sk).unwrap().to_bytes(), k.to_bytes());
    assert_eq!(keys::read_public(&pk).unwrap(), k.verifying_key());
    assert!(
        keys::write_pair(&sk, &pk).is_err(),
        "never overwrites a key"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&sk).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let _: Option<Box<dyn Store>> = None;
}

#[test]
fn a_trail_without_genesis_is_never_appended_to() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("segments")).unwrap();
    std::fs::write(seg(d.path()), "{\"t\":\"rec\",\"seq\":0}\n").unwrap();
    let err = Trail::open_at(
        Box::new(DirStore::open(d.path()).unwrap()),
        key(1),
        Options::default(),
        T0,
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(err.contains("does not start with a genesis"), "{err}");
    assert_eq!(
        std::fs::read_to_string(seg(d.path())).unwrap(),
        "{\"t\":\"rec\",\"seq\":0}\n"
    );
    assert_eq!(
        std::fs::read_dir(d.path().join("segments"))
            .unwrap()
            .count(),
        1
    );
}
