//! Alert forwarding to a webhook: Alertmanager's `POST /api/v2/alerts` or a plain JSON array of alerts.
//!
//! Alerts go through a bounded queue to one sender thread, which posts batches with retries and backoff.
//! Nothing is lost silently: alerts that do not fit in the queue are counted as dropped, and batches that still
//! fail after every retry are counted as failed; [`Forwarder::finish`] reports both.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::detect::Alert;
use crate::detections;

#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    #[error("webhook URL `{0}`: only http:// URLs are supported (terminate TLS in a local proxy or sidecar)")]
    Scheme(String),
    #[error("webhook URL `{0}` has no host")]
    NoHost(String),
    #[error("could not start the alert sender thread: {0}")]
    Thread(std::io::Error),
}

/// Payload shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Alertmanager API v2: an array of `{labels, annotations, startsAt}`.
    Alertmanager,
    /// An array of phiguard alerts as in `-o json`.
    Json,
}

#[derive(Clone, Debug)]
pub struct ForwardConfig {
    pub url: String,
    pub format: Format,
    /// Alerts held at most while the sender is busy or the receiver is down.
    pub queue: usize,
    pub batch: usize,
    /// Attempts per batch, the first included.
    pub attempts: u32,
    pub backoff: Duration,
    pub timeout: Duration,
}

impl ForwardConfig {
    pub fn new(url: &str, format: Format) -> ForwardConfig {
        ForwardConfig {
            url: url.to_string(),
            format,
            queue: 10_000,
            batch: 100,
            attempts: 5,
            backoff: Duration::from_millis(200),
            timeout: Duration::from_secs(10),
        }
    }
}

/// What happened to the alerts handed to the forwarder.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ForwardStats {
    pub queued: u64,
    pub sent: u64,
    /// Did not fit in the queue.
    pub dropped: u64,
    /// Still undelivered after every attempt.
    pub failed: u64,
    pub retries: u64,
    pub last_error: Option<String>,
}

struct Target {
    host: String,
    port: u16,
    path: String,
}

fn parse_url(url: &str) -> Result<Target, ForwardError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| ForwardError::Scheme(url.to_string()))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(ForwardError::NoHost(url.to_string()));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => match p.parse::<u16>() {
            Ok(port) => (h.trim_matches(|c| c == '[' || c == ']').to_string(), port),
            Err(_) => (authority.to_string(), 80),
        },
        _ => (authority.to_string(), 80),
    };
    Ok(Target {
        host,
        port,
        path: path.to_string(),
    })
}

/// A running forwarder.
pub struct Forwarder {
    tx: Option<SyncSender<Alert>>,
    stats: Arc<Mutex<ForwardStats>>,
    worker: Option<JoinHandle<()>>,
}

impl Forwarder {
    pub fn start(cfg: ForwardConfig) -> Result<Forwarder, ForwardError> {
        let target = parse_url(&cfg.url)?;
        let (tx, rx) = mpsc::sync_channel(cfg.queue.max(1));
        let stats = Arc::new(Mutex::new(ForwardStats::default()));
        let st = Arc::clone(&stats);
        let worker = std::thread::Builder::new()
            .name("phiguard-alerts".into())
            .spawn(move || run(cfg, target, rx, st))
            .map_err(ForwardError::Thread)?;
        Ok(Forwarder {
            tx: Some(tx),
            stats,
            worker: Some(worker),
        })
    }

    /// Queues an alert; never blocks. Returns false (and counts a drop) when the queue is full.
    pub fn send(&self, alert: Alert) -> bool {
        let Some(tx) = &self.tx else { return false };
        let res = tx.try_send(alert);
        let mut st = lock(&self.stats);
        match res {
            Ok(()) => {
                st.queued += 1;
                true
            }
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                st.dropped += 1;
                if st.dropped == 1 || st.dropped.is_power_of_two() {
                    tracing::warn!(dropped = st.dropped, "alert queue full, alerts dropped");
                }
                false
            }
        }
    }

    pub fn stats(&self) -> ForwardStats {
        lock(&self.stats).clone()
    }

    /// Delivers what is queued (with retries) and returns the final counts.
    pub fn finish(mut self) -> ForwardStats {
        self.tx = None;
        if let Some(w) = self.worker.take() {
            if w.join().is_err() {
                lock(&self.stats).last_error = Some("alert sender thread panicked".into());
            }
        }
        self.stats()
    }
}

fn lock(m: &Mutex<ForwardStats>) -> std::sync::MutexGuard<'_, ForwardStats> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn run(cfg: ForwardConfig, target: Target, rx: Receiver<Alert>, stats: Arc<Mutex<ForwardStats>>) {
    let mut batch: Vec<Alert> = Vec::with_capacity(cfg.batch);
    loop {
        let first = match rx.recv() {
            Ok(a) => a,
            Err(_) => return,
        };
        batch.push(first);
        // Gather what arrives shortly after, up to a batch.
        while batch.len() < cfg.batch {
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(a) => batch.push(a),
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        let body = payload(cfg.format, &batch);
        let mut delay = cfg.backoff;
        let mut delivered = false;
        for attempt in 0..cfg.attempts.max(1) {
            if attempt > 0 {
                lock(&stats).retries += 1;
                std::thread::sleep(delay);
                delay = delay.saturating_mul(2);
            }
            match post(&target, &body, cfg.timeout) {
                Ok(()) => {
                    delivered = true;
                    break;
                }
                Err(e) => {
                    tracing::warn!(attempt = attempt + 1, error = %e, "alert webhook failed");
                    lock(&stats).last_error = Some(e);
                }
            }
        }
        let mut st = lock(&stats);
        if delivered {
            st.sent += batch.len() as u64;
        } else {
            st.failed += batch.len() as u64;
        }
        drop(st);
        batch.clear();
    }
}

/// The request body for a batch.
pub fn payload(format: Format, alerts: &[Alert]) -> String {
    match format {
        Format::Json => serde_json::to_string(alerts).unwrap_or_else(|_| "[]".into()),
        Format::Alertmanager => {
            let items: Vec<serde_json::Value> = alerts
                .iter()
                .map(|a| {
                    let mut labels = serde_json::json!({
                        "alertname": a.rule,
                        "code": a.code,
                        "severity": a.severity.as_str(),
                        "source": "phiguard",
                    });
                    for (k, v) in [
                        ("user", &a.user),
                        ("namespace", &a.namespace),
                        ("source_ip", &a.source_ip),
                    ] {
                        if !v.is_empty() {
                            labels[k] = serde_json::Value::String(v.clone());
                        }
                    }
                    let hipaa = detections::find(a.code)
                        .map(|d| d.hipaa.join(", "))
                        .unwrap_or_default();
                    let mut v = serde_json::json!({
                        "labels": labels,
                        "annotations": {
                            "summary": a.title,
                            "description": a.message,
                            "hipaa": hipaa,
                            "auditID": a.audit_id,
                            "location": a.at.to_string(),
                        },
                    });
                    if crate::event::parse_rfc3339_us(&a.time).is_some() {
                        v["startsAt"] = serde_json::Value::String(a.time.clone());
                    }
                    v
                })
                .collect();
            serde_json::Value::Array(items).to_string()
        }
    }
}

/// One HTTP/1.1 POST; success is a 2xx status.
fn post(t: &Target, body: &str, timeout: Duration) -> Result<(), String> {
    let addr = (t.host.as_str(), t.port)
        .to_socket_addrs()
        .map_err(|e| format!("resolve {}: {e}", t.host))?
        .next()
        .ok_or_else(|| format!("resolve {}: no address", t.host))?;
    let mut s =
        TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("connect {addr}: {e}"))?;
    s.set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nUser-Agent: phiguard\r\nConnection: close\r\n\r\n",
        t.path,
        t.host,
        t.port,
        body.len()
    );
    s.write_all(head.as_bytes())
        .and_then(|()| s.write_all(body.as_bytes()))
        .map_err(|e| format!("send to {addr}: {e}"))?;
    let mut r = BufReader::new(s);
    let mut status = String::new();
    r.read_line(&mut status)
        .map_err(|e| format!("read from {addr}: {e}"))?;
    // Drain the rest so the server sees an orderly close.
    let mut sink = Vec::new();
    let _ = r.take(1 << 20).read_to_end(&mut sink);
    let code: u16 = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("{addr}: not an HTTP response"))?;
    if (200..300).contains(&code) {
        Ok(())
    } else {
        Err(format!("{addr}: HTTP {code}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = parse_url("http://127.0.0.1:9093/api/v2/alerts").ok();
        assert_eq!(
            t.as_ref()
                .map(|t| (t.host.as_str(), t.port, t.path.as_str())),
            Some(("127.0.0.1", 9093, "/api/v2/alerts"))
        );
        let t = parse_url("http://alerts.example").ok();
        assert_eq!(
            t.as_ref().map(|t| (t.port, t.path.as_str())),
            Some((80, "/"))
        );
        assert!(parse_url("https://x").is_err());
        assert!(parse_url("http:///x").is_err());
    }
}
