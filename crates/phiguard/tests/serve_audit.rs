#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The real `phiguard serve` binary as an audit webhook backend (`POST /audit`) over TLS, with alerts on stdout
//! and at a real local HTTP receiver, and the evidence trail it writes verified offline by `phiguard evidence`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CONFIG: &str = r#"
[phi]
namespaces = ["ehr", "pacs-*"]

[audit]
secret-readers = ["system:serviceaccount:kube-system:*", "system:serviceaccount:ehr:ehr-api"]
business-hours = "07:00-19:00"
"#;

mod support;
use support::{client, tls_connect, write_pki, Proc};

/// The server with the test's phiguard.toml.
fn spawn(dir: &Path, extra: &[&str]) -> Proc {
    let config = dir.join("phiguard.toml");
    let mut args = vec!["--config", config.to_str().unwrap()];
    args.extend_from_slice(extra);
    support::spawn(dir, &args)
}

fn url(addr: SocketAddr, path: &str) -> String {
    format!("https://localhost:{}{path}", addr.port())
}

/// A plain HTTP/1.1 receiver that answers 200 to every POST and keeps the bodies.
fn receiver() -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let keep = bodies.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let keep = keep.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(conn.try_clone().unwrap());
                let mut w = conn;
                loop {
                    let mut len = 0usize;
                    let mut first = String::new();
                    if r.read_line(&mut first).unwrap_or(0) == 0 {
                        return;
                    }
                    loop {
                        let mut h = String::new();
                        if r.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        let h = h.trim_end();
                        if h.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            if k.eq_ignore_ascii_case("content-length") {
                                len = v.trim().parse().unwrap_or(0);
                            }
                        }
                    }
                    let mut body = vec![0; len];
                    if r.read_exact(&mut body).is_err() {
                        return;
                    }
                    keep.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&body).to_string());
                    if w.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (addr, bodies)
}

fn event_lists(lines: &[String], per_body: usize) -> Vec<String> {
    lines
        .chunks(per_body)
        .map(|c| {
            format!(
                "{{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{{}},\"items\":[{}]}}",
                c.join(",")
            )
        })
        .collect()
}

fn keygen(dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_phiguard"))
        .args(["evidence", "keygen", "--out"])
        .arg(dir.join("ev"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

fn verify(dir: &Path, trail: &Path) -> (Value, String) {
    let json_out = Command::new(env!("CARGO_BIN_EXE_phiguard"))
        .args(["evidence", "verify"])
        .arg(trail)
        .arg("--key")
        .arg(dir.join("ev.pub"))
        .args(["-o", "json"])
        .output()
        .unwrap();
    let text_out = Command::new(env!("CARGO_BIN_EXE_phiguard"))
        .args(["evidence", "verify"])
        .arg(trail)
        .arg("--key")
        .arg(dir.join("ev.pub"))
        .output()
        .unwrap();
    (
        serde_json::from_slice(&json_out.stdout).unwrap(),
        String::from_utf8_lossy(&text_out.stdout).to_string(),
    )
}

fn review(uid: &str, privileged: bool) -> Value {
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "operation": "CREATE",
            "namespace": "clinic",
            "name": "web",
            "object": {
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "annotations": {"patient": "Jane Roe 1961-02-03"}},
                "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                        "securityContext": {"privileged": privileged}}]}}}
            }
        }
    })
}

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
        .unwrap_or(0.0) as u64
}

async fn metrics(c: &reqwest::Client, addr: SocketAddr) -> String {
    c.get(url(addr, "/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Alerts from the generator's attacks reach stdout and the webhook receiver, the same alerts the detections
/// raise on the whole stream at once; admission decisions and alerts land in the evidence trail, which verifies
/// offline after SIGTERM sealed it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_events_raise_alerts_everywhere_and_sigterm_seals_the_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let ca = write_pki(dir.path());
    keygen(dir.path());
    let trail = dir.path().join("trail");
    let (recv_addr, received) = receiver();
    // The webhook URL from phiguard.toml, its payload format from the flag.
    std::fs::write(
        dir.path().join("phiguard.toml"),
        format!("{CONFIG}webhook = \"http://{recv_addr}/alerts\"\n"),
    )
    .unwrap();
    let mut p = spawn(
        dir.path(),
        &[
            "--audit-webhook-format",
            "json",
            "--evidence",
            trail.to_str().unwrap(),
            "--evidence-key",
            dir.path().join("ev.key").to_str().unwrap(),
            // No periodic seal during the test: only SIGTERM seals what was written.
            "--evidence-seal-ms",
            "600000",
            "--evidence-period-s",
            "1",
        ],
    );
    let stream = phiguard_audit::generate::generate(7, 144);
    let expected_codes: BTreeSet<&str> = stream.expected.iter().map(|e| e.code).collect();
    // What the detections raise on the whole stream in one go.
    let mut det = phiguard_audit::Detector::new(
        phiguard_audit::AuditConfig::from_toml("phiguard.toml", CONFIG).unwrap(),
    );
    let (want, issues) =
        phiguard_audit::alerts_from_body(&mut det, "stream", stream.text().as_bytes());
    assert!(issues.is_empty());
    let want: BTreeSet<(String, String)> = want
        .iter()
        .map(|a| (a.code.to_string(), a.audit_id.clone()))
        .collect();
    assert!(!want.is_empty());
    let got_codes: BTreeSet<&str> = want.iter().map(|(c, _)| c.as_str()).collect();
    for c in &expected_codes {
        assert!(got_codes.contains(c), "{c} not raised on the stream");
    }

    let c = client(&ca, p.addr);
    let bodies = event_lists(&stream.lines, 400);
    let mut retried = 0;
    for b in &bodies {
        loop {
            let r = c
                .post(url(p.addr, "/audit"))
                .header("content-type", "application/json")
                .body(b.clone())
                .send()
                .await
                .unwrap();
            if r.status() == 429 {
                // The API server's behaviour: retry after a while.
                retried += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
            break;
        }
    }
    let mut admissions = 0;
    for (i, privileged) in [false, true, true].into_iter().enumerate() {
        let r = c
            .post(url(p.addr, "/validate"))
            .json(&review(&format!("uid-{i}"), privileged))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        admissions += 1;
    }
    // The events are processed off the request path; wait for the detection thread to catch up.
    let total = stream.lines.len() as u64;
    let mut m = String::new();
    for _ in 0..600 {
        m = metrics(&c, p.addr).await;
        if metric(&m, "phiguard_audit_events_processed_total") == total {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(metric(&m, "phiguard_audit_events_received_total"), total);
    assert_eq!(metric(&m, "phiguard_audit_events_processed_total"), total);
    assert_eq!(
        metric(&m, "phiguard_audit_rejected_total{reason=\"queue_full\"}"),
        retried
    );
    assert!(m.contains("phiguard_audit_queue_depth"));
    assert!(m.contains("phiguard_audit_alerts_total{rule=\"AL001\"}") || want.is_empty());
    assert!(m.contains("route=\"/audit\",code=\"200\""), "{m}");

    eprintln!(
        "{} events in {} bodies ({} retried after 429), {} alerts expected",
        total,
        bodies.len(),
        retried,
        want.len()
    );
    p.signal("-TERM");
    let status = p.wait();
    assert!(status.success(), "{status:?}");

    // Stdout: exactly the alerts of the whole stream.
    let on_stdout: BTreeSet<(String, String)> = p
        .alerts()
        .iter()
        .map(|a| {
            (
                a["code"].as_str().unwrap().to_string(),
                a["auditID"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(on_stdout, want);
    assert_eq!(p.alerts().len(), want.len());

    // The receiver: every alert, delivered before the process exited.
    let mut at_receiver = BTreeSet::new();
    let mut n = 0;
    for b in received.lock().unwrap().iter() {
        let v: Value = serde_json::from_str(b).unwrap();
        for a in v.as_array().unwrap() {
            n += 1;
            at_receiver.insert((
                a["code"].as_str().unwrap().to_string(),
                a["auditID"].as_str().unwrap().to_string(),
            ));
        }
    }
    assert_eq!(at_receiver, want);
    assert_eq!(n, want.len());

    // The trail: one record per admission decision and per alert, all sealed, verifying offline.
    let (report, text) = verify(dir.path(), &trail);
    assert_eq!(report["problems"], json!([]), "{text}");
    assert_eq!(
        report["records"].as_u64().unwrap(),
        (admissions + want.len()) as u64,
        "{text}"
    );
    assert_eq!(report["unsealed"], 0, "{text}");
    assert!(report["digests"].as_u64().unwrap() >= 1, "{text}");
    // No object content reached the trail.
    let mut all = String::new();
    for e in std::fs::read_dir(trail.join("segments")).unwrap() {
        all.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    assert!(!all.contains("Jane Roe"));
    assert!(!all.contains("nginx"));
    assert!(all.contains("\"kind\":\"admission\"") || all.contains("admission"));
}

/// Bad bodies get a clear 4xx and the server keeps serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_oversized_audit_bodies_get_a_clear_4xx() {
    let dir = tempfile::tempdir().unwrap();
    let ca = write_pki(dir.path());
    std::fs::write(dir.path().join("phiguard.toml"), CONFIG).unwrap();
    let p = spawn(dir.path(), &["--body-limit", "65536"]);
    let c = client(&ca, p.addr);
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (
            b"{\"kind\":\"EventList\",\"items\":[".to_vec(),
            400,
            "truncated",
        ),
        (b"not json at all".to_vec(), 400, "not valid JSON"),
        (
            br#"{"kind":"EventList","items":"patient jane.doe@example.com"}"#.to_vec(),
            400,
            "not an EventList",
        ),
        (
            br#"{"kind":"PodList","items":[]}"#.to_vec(),
            400,
            "EventList",
        ),
        (
            br#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1beta1","items":[]}"#.to_vec(),
            400,
            "audit.k8s.io/v1",
        ),
        (vec![0xff, 0xfe, 0x00], 400, "not valid JSON"),
    ];
    for (body, status, needle) in cases {
        let r = c
            .post(url(p.addr, "/audit"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status);
        let v: Value = r.json().await.unwrap();
        let msg = v["error"].as_str().unwrap();
        assert!(msg.contains(needle), "{msg}");
        assert!(!msg.contains("jane"), "{msg}");
    }
    // Over the limit: declared, and streamed in chunks without a length. The answer comes before the body is
    // read, so these go over a raw TLS connection that reads the answer whatever happens to the rest.
    for head in [
        "POST /audit HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 70000\r\n\r\n",
        "POST /audit HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
    ] {
        let mut tls = tls_connect(&ca, p.addr).await;
        tls.write_all(head.as_bytes()).await.unwrap();
        if head.contains("chunked") {
            let chunk = format!("{:x}\r\n{}\r\n", 8192, " ".repeat(8192));
            for _ in 0..10 {
                if tls.write_all(chunk.as_bytes()).await.is_err() {
                    break;
                }
            }
        }
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(10), tls.read_to_end(&mut answer)).await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("larger than the limit of 65536 bytes"), "{answer}");
    }
    // Events that are not objects are counted as malformed, the body is accepted, the rest is processed.
    let r = c
        .post(url(p.addr, "/audit"))
        .body(
            r#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[1,"x",{"verb":"get"}]}"#,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut m = String::new();
    for _ in 0..100 {
        m = metrics(&c, p.addr).await;
        if metric(&m, "phiguard_audit_events_processed_total") == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(metric(&m, "phiguard_audit_events_processed_total"), 3);
    assert!(
        metric(&m, "phiguard_audit_malformed_events_total") >= 2,
        "{m}"
    );
    assert_eq!(
        metric(&m, "phiguard_audit_rejected_total{reason=\"malformed\"}"),
        6
    );
    assert_eq!(
        metric(&m, "phiguard_audit_rejected_total{reason=\"too_large\"}"),
        2
    );
    let r = c.get(url(p.addr, "/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

/// SIGKILL after a seal: every sealed record is still there and verifies; the records written since are
/// reported as an unsealed tail, not as tampering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_server_keeps_every_sealed_record_and_verify_names_the_unsealed_tail() {
    let dir = tempfile::tempdir().unwrap();
    let ca = write_pki(dir.path());
    std::fs::write(dir.path().join("phiguard.toml"), CONFIG).unwrap();
    keygen(dir.path());
    let trail = dir.path().join("trail");
    let mut p = spawn(
        dir.path(),
        &[
            "--evidence",
            trail.to_str().unwrap(),
            "--evidence-key",
            dir.path().join("ev.key").to_str().unwrap(),
            "--evidence-seal-ms",
            "400",
        ],
    );
    let c = client(&ca, p.addr);
    for i in 0..20 {
        let r = c
            .post(url(p.addr, "/validate"))
            .json(&review(&format!("a-{i}"), i % 2 == 0))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let mut sealed = 0;
    for _ in 0..200 {
        let m = metrics(&c, p.addr).await;
        sealed = metric(&m, "phiguard_evidence_sealed_records");
        if sealed == 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sealed, 20);
    // More decisions, then SIGKILL before (most likely) the next seal.
    for i in 0..50 {
        let r = c
            .post(url(p.addr, "/validate"))
            .json(&review(&format!("b-{i}"), false))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    p.signal("-KILL");
    p.wait();
    let (report, text) = verify(dir.path(), &trail);
    let errors: Vec<&Value> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["level"] == "error")
        .collect();
    assert!(errors.is_empty(), "{text}");
    assert!(report["sealed"].as_u64().unwrap() >= 20, "{text}");
    let records = report["records"].as_u64().unwrap();
    let unsealed = report["unsealed"].as_u64().unwrap();
    assert!((20..=70).contains(&records), "{text}");
    assert_eq!(
        report["sealed"].as_u64().unwrap() + unsealed,
        records,
        "{text}"
    );
    assert!(text.contains(&format!("{unsealed} unsealed")), "{text}");
    eprintln!("after SIGKILL: {text}");
    if unsealed > 0 {
        assert!(
            report["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["message"].as_str().unwrap_or("").contains("unsealed")
                    || p["message"].as_str().unwrap_or("").contains("not sealed")
                    || p["message"].as_str().unwrap_or("").contains("checkpoint")),
            "{text}"
        );
    }
    // A restart seals the tail the killed process left.
    let mut p = spawn(
        dir.path(),
        &[
            "--evidence",
            trail.to_str().unwrap(),
            "--evidence-key",
            dir.path().join("ev.key").to_str().unwrap(),
        ],
    );
    p.signal("-TERM");
    assert!(p.wait().success());
    let (report, text) = verify(dir.path(), &trail);
    assert_eq!(report["problems"], json!([]), "{text}");
    assert_eq!(report["records"].as_u64().unwrap(), records, "{text}");
    assert_eq!(report["unsealed"], 0, "{text}");
}

/// A full queue is answered 429 (the API server retries) and counted; every body answered 200 is processed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_429_and_loses_nothing_it_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let ca = write_pki(dir.path());
    std::fs::write(dir.path().join("phiguard.toml"), CONFIG).unwrap();
    let p = spawn(dir.path(), &["--audit-queue", "1"]);
    let c = client(&ca, p.addr);
    let stream = phiguard_audit::generate::generate(3, 48);
    let body = event_lists(&stream.lines[..2000], 2000).remove(0);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (c, body, addr) = (c.clone(), body.clone(), p.addr);
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut busy) = (0u64, 0u64);
            for _ in 0..4 {
                let r = c
                    .post(url(addr, "/audit"))
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                match r.status().as_u16() {
                    200 => ok += 1,
                    429 => {
                        assert_eq!(r.headers()["retry-after"], "1");
                        busy += 1
                    }
                    s => panic!("unexpected status {s}"),
                }
            }
            (ok, busy)
        }));
    }
    let (mut ok, mut busy) = (0, 0);
    for t in tasks {
        let (o, b) = t.await.unwrap();
        ok += o;
        busy += b;
    }
    let mut m = String::new();
    for _ in 0..600 {
        m = metrics(&c, p.addr).await;
        if metric(&m, "phiguard_audit_events_processed_total") == ok * 2000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("{ok} bodies accepted, {busy} answered 429");
    assert!(
        busy > 0,
        "64 concurrent bodies of 2,000 events never filled a queue of one"
    );
    assert_eq!(ok + busy, 64);
    assert_eq!(
        metric(&m, "phiguard_audit_events_received_total"),
        ok * 2000
    );
    assert_eq!(
        metric(&m, "phiguard_audit_events_processed_total"),
        ok * 2000
    );
    assert_eq!(
        metric(&m, "phiguard_audit_rejected_total{reason=\"queue_full\"}"),
        busy
    );
    assert_eq!(metric(&m, "phiguard_audit_queue_depth"), 0);
    assert!(m.contains("route=\"/audit\",code=\"429\""), "{m}");
}
