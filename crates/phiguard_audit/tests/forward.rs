#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The forwarder against a real local HTTP server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use phiguard_audit::forward::{Format, ForwardConfig, Forwarder};
use phiguard_audit::generate;
use phiguard_audit::{Alert, Detector};

/// Serves HTTP on a free port: answers the first `fail_first` requests with 503, then 200, recording bodies.
/// (request line, body) of every accepted request.
type Received = Arc<Mutex<Vec<(String, String)>>>;

fn server(fail_first: usize) -> (String, Received) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v2/alerts", l.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = Arc::clone(&got);
    std::thread::spawn(move || {
        let mut n = 0;
        for s in l.incoming() {
            let Ok(s) = s else { continue };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut request_line = String::new();
            r.read_line(&mut request_line).unwrap();
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                r.read_line(&mut h).unwrap();
                if h == "\r\n" || h.is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            r.read_exact(&mut body).unwrap();
            n += 1;
            let mut w = s;
            if n <= fail_first {
                w.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
            } else {
                g.lock().unwrap().push((
                    request_line.trim().to_string(),
                    String::from_utf8(body).unwrap(),
                ));
                w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .unwrap();
            }
        }
    });
    (url, got)
}

fn alerts() -> Vec<Alert> {
    let stream = generate::generate(7, 144);
    let mut det = Detector::new(generate::config());
    let (alerts, issues) =
        phiguard_audit::alerts_from_body(&mut det, "gen", stream.text().as_bytes());
    assert!(issues.is_empty());
    alerts
}

#[test]
fn alertmanager_posts_with_retries() {
    let (url, got) = server(2);
    let mut cfg = ForwardConfig::new(&url, Format::Alertmanager);
    cfg.backoff = Duration::from_millis(10);
    let f = Forwarder::start(cfg).unwrap();
    let all = alerts();
    for a in all.clone() {
        assert!(f.send(a));
    }
    let st = f.finish();
    assert_eq!(st.sent as usize, all.len(), "{st:?}");
    assert_eq!((st.dropped, st.failed), (0, 0));
    assert_eq!(st.retries, 2);
    let got = got.lock().unwrap();
    assert!(got.iter().all(|(l, _)| l == "POST /api/v2/alerts HTTP/1.1"));
    let items: Vec<serde_json::Value> = got
        .iter()
        .flat_map(|(_, b)| serde_json::from_str::<Vec<serde_json::Value>>(b).unwrap())
        .collect();
    assert_eq!(items.len(), all.len());
    assert_eq!(items[0]["labels"]["alertname"], all[0].rule);
    assert_eq!(items[0]["labels"]["severity"], all[0].severity.as_str());
    assert!(items[0]["startsAt"]
        .as_str()
        .unwrap()
        .starts_with("2026-03-"));
    assert!(!items[0]["annotations"]["hipaa"]
        .as_str()
        .unwrap()
        .is_empty());
}

#[test]
fn plain_json_and_reported_failures_and_drops() {
    let (url, got) = server(0);
    let f = Forwarder::start(ForwardConfig::new(&url, Format::Json)).unwrap();
    let all = alerts();
    for a in all.clone() {
        f.send(a);
    }
    let st = f.finish();
    assert_eq!(st.sent as usize, all.len());
    let bodies = got.lock().unwrap();
    let first: Vec<serde_json::Value> = serde_json::from_str(&bodies[0].1).unwrap();
    assert_eq!(first[0]["code"], all[0].code);

    // Nobody listening: every attempt fails, and the count says so.
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", dead.local_addr().unwrap());
    drop(dead);
    let mut cfg = ForwardConfig::new(&url, Format::Json);
    cfg.attempts = 2;
    cfg.backoff = Duration::from_millis(1);
    cfg.queue = 3;
    cfg.batch = 1;
    let f = Forwarder::start(cfg).unwrap();
    let mut accepted = 0;
    for a in all.iter().cycle().take(50).cloned() {
        if f.send(a) {
            accepted += 1;
        }
    }
    let st = f.finish();
    assert_eq!(st.sent, 0);
    assert_eq!(st.failed, accepted);
    assert_eq!(st.dropped + accepted, 50, "{st:?}");
    assert!(
        st.dropped > 0,
        "a queue of 3 cannot hold 50 alerts while the receiver is down"
    );
    assert!(st.last_error.is_some());
}
