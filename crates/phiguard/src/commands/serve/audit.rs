//! `POST /audit` (the API server's audit webhook backend) and the evidence writer of `phiguard serve`.
//!
//! The handler only checks the body's shape and hands it to one detection thread through a bounded queue; a full
//! queue is answered 429 so the API server retries, and counted. The detection thread keeps one `Detector`
//! across requests, prints alerts on stdout (JSON lines), queues them to the alert forwarder and to the evidence
//! writer. The evidence writer is one thread owning the trail: it appends in batches, seals on an interval
//! (which also writes the digests of ended periods, empty ones included) and on shutdown.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context;
use phiguard_audit::forward::{Format, ForwardConfig, ForwardStats, Forwarder};
use phiguard_audit::{AuditConfig, Detector};
use phiguard_evidence::{store, Options as TrailOptions, Trail};
use phiguard_server::axum::body::{Body, Bytes};
use phiguard_server::axum::http::{header, HeaderMap, StatusCode};
use phiguard_server::axum::response::{IntoResponse, Response};
use phiguard_server::review::{mask_identifiers, Outcome};
use phiguard_server::{AppState, Metrics};
use serde::de::IgnoredAny;
use serde_json::json;

/// Flags of `phiguard serve` for the audit webhook and the evidence trail.
#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Forward /audit alerts to this webhook (http://; Alertmanager API v2 or plain JSON) [default: `[audit]
    /// webhook` of --config].
    #[arg(long, value_name = "URL")]
    pub audit_webhook: Option<String>,
    /// Payload of the webhook [default: `[audit] webhook-format`, else alertmanager].
    #[arg(long, value_enum)]
    pub audit_webhook_format: Option<WebhookFormat>,
    /// Audit bodies waiting for detection at most; more are answered 429 (the API server retries).
    #[arg(long, default_value_t = 256)]
    pub audit_queue: usize,
    /// Record every admission decision and every alert in this evidence trail (directory or postgres:// URL).
    #[arg(long, value_name = "DIR|postgres://")]
    pub evidence: Option<String>,
    /// Private key for --evidence (default: $PHIGUARD_EVIDENCE_KEY).
    #[arg(long)]
    pub evidence_key: Option<PathBuf>,
    /// Seal the trail (signed checkpoint, fsync/commit, digests of ended periods) this often, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    pub evidence_seal_ms: u64,
    /// Digest period of a trail created by this server, in seconds.
    #[arg(long, default_value_t = phiguard_evidence::trail::DEFAULT_PERIOD_S)]
    pub evidence_period_s: u64,
    /// Records waiting for the evidence writer at most.
    #[arg(long, default_value_t = 100_000)]
    pub evidence_queue: usize,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum WebhookFormat {
    Alertmanager,
    Json,
}

// ---------------------------------------------------------------------------------------------------------------
// Evidence writer

enum EvMsg {
    Record { kind: &'static str, body: String },
    Stop,
}

#[derive(Default)]
struct EvStats {
    appended: AtomicU64,
    dropped: AtomicU64,
    failed: AtomicU64,
    seals: AtomicU64,
    sealed_records: AtomicU64,
    closed: AtomicBool,
}

/// The thread that owns the evidence trail.
pub struct EvidenceWriter {
    tx: SyncSender<EvMsg>,
    stats: Arc<EvStats>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl EvidenceWriter {
    pub fn start(args: &AuditArgs, location: &str) -> anyhow::Result<Arc<EvidenceWriter>> {
        let key = super::super::evidence::private_key(args.evidence_key.as_deref())?;
        let opts = TrailOptions {
            origin: "phiguard serve".to_string(),
            period_s: args.evidence_period_s.max(1),
            ..TrailOptions::default()
        };
        let (tx, rx) = mpsc::sync_channel(args.evidence_queue.max(1));
        let stats = Arc::new(EvStats::default());
        let st = Arc::clone(&stats);
        let every = Duration::from_millis(args.evidence_seal_ms.max(10));
        let loc = location.to_string();
        let (ready_tx, ready_rx) = mpsc::sync_channel::<Result<(), String>>(1);
        // The store is opened on the thread that keeps it.
        let worker = std::thread::Builder::new()
            .name("phiguard-evidence".into())
            .spawn(move || {
                let opened = store::open(&loc)
                    .and_then(|s| Trail::open(s, key, opts))
                    .and_then(|mut t| {
                        // A restart seals what an earlier process left unsealed.
                        let h = t.seal()?;
                        Ok((t, h))
                    });
                match opened {
                    Ok((trail, head)) => {
                        st.sealed_records.store(head.size, Ordering::Relaxed);
                        let _ = ready_tx.send(Ok(()));
                        evidence_loop(trail, rx, &st, every);
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                    }
                }
            })
            .context("cannot start the evidence thread")?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let _ = worker.join();
                anyhow::bail!("opening evidence trail {}: {e}", store::redact(location));
            }
            Err(_) => {
                let _ = worker.join();
                anyhow::bail!(
                    "opening evidence trail {}: the evidence thread stopped",
                    store::redact(location)
                );
            }
        }
        tracing::info!(trail = %store::redact(location), "evidence trail open");
        Ok(Arc::new(EvidenceWriter {
            tx,
            stats,
            worker: Mutex::new(Some(worker)),
        }))
    }

    /// Queues a record without waiting; a full queue is counted and logged.
    fn try_record(&self, kind: &'static str, body: String) {
        if self.stopped() {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            tracing::error!("admission decision after the evidence trail was sealed; not recorded");
            return;
        }
        if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) =
            self.tx.try_send(EvMsg::Record { kind, body })
        {
            let n = self.stats.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if n == 1 || n.is_power_of_two() {
                tracing::error!(dropped = n, "evidence queue full; records not written");
            }
        }
    }

    fn stopped(&self) -> bool {
        self.stats.closed.load(Ordering::SeqCst)
    }

    /// Queues a record, waiting for room (used off the request path).
    fn record(&self, kind: &'static str, body: String) {
        if self.tx.send(EvMsg::Record { kind, body }).is_err() {
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn render(&self, out: &mut String) {
        let s = &self.stats;
        let r = |a: &AtomicU64| a.load(Ordering::Relaxed);
        out.push_str("# HELP phiguard_evidence_records_total Evidence records by result.\n# TYPE phiguard_evidence_records_total counter\n");
        out.push_str(&format!(
            "phiguard_evidence_records_total{{result=\"appended\"}} {}\nphiguard_evidence_records_total{{result=\"dropped\"}} {}\nphiguard_evidence_records_total{{result=\"failed\"}} {}\n",
            r(&s.appended),
            r(&s.dropped),
            r(&s.failed)
        ));
        out.push_str(&format!(
            "# HELP phiguard_evidence_seals_total Signed checkpoints written.\n# TYPE phiguard_evidence_seals_total counter\nphiguard_evidence_seals_total {}\n# HELP phiguard_evidence_sealed_records Records covered by the last checkpoint.\n# TYPE phiguard_evidence_sealed_records gauge\nphiguard_evidence_sealed_records {}\n",
            r(&s.seals),
            r(&s.sealed_records)
        ));
    }

    /// Writes what is queued, seals and stops.
    pub fn finish(&self) {
        self.stats.closed.store(true, Ordering::SeqCst);
        let _ = self.tx.send(EvMsg::Stop);
        let worker = self.worker.lock().ok().and_then(|mut w| w.take());
        if let Some(w) = worker {
            if w.join().is_err() {
                tracing::error!("evidence thread panicked");
            }
        }
        tracing::info!(
            appended = self.stats.appended.load(Ordering::Relaxed),
            dropped = self.stats.dropped.load(Ordering::Relaxed),
            failed = self.stats.failed.load(Ordering::Relaxed),
            sealed_records = self.stats.sealed_records.load(Ordering::Relaxed),
            "evidence trail sealed"
        );
    }
}

const EVIDENCE_BATCH: usize = 2048;

fn evidence_loop(mut trail: Trail, rx: Receiver<EvMsg>, st: &EvStats, every: Duration) {
    let mut last_seal = Instant::now();
    let mut batch: Vec<(&'static str, String)> = Vec::new();
    let mut dirty = false;
    loop {
        let mut stop = false;
        let wait = every.saturating_sub(last_seal.elapsed());
        match rx.recv_timeout(wait) {
            Ok(EvMsg::Record { kind, body }) => {
                batch.push((kind, body));
                while batch.len() < EVIDENCE_BATCH {
                    match rx.try_recv() {
                        Ok(EvMsg::Record { kind, body }) => batch.push((kind, body)),
                        Ok(EvMsg::Stop) => {
                            stop = true;
                            break;
                        }
                        Err(_) => break,
                    }
                }
            }
            Ok(EvMsg::Stop) | Err(RecvTimeoutError::Disconnected) => stop = true,
            Err(RecvTimeoutError::Timeout) => {}
        }
        if !batch.is_empty() {
            let items: Vec<(&str, &str)> = batch.iter().map(|(k, b)| (*k, b.as_str())).collect();
            match trail.append_many(phiguard_evidence::time::now_us(), &items) {
                Ok(()) => {
                    st.appended.fetch_add(items.len() as u64, Ordering::Relaxed);
                    dirty = true;
                }
                Err(e) => {
                    st.failed.fetch_add(items.len() as u64, Ordering::Relaxed);
                    tracing::error!(error = %e, records = items.len(), "evidence append failed");
                }
            }
            batch.clear();
        }
        // Seal on the interval even without new records: the digests of ended (empty) periods are due.
        if stop || last_seal.elapsed() >= every {
            match trail.seal() {
                Ok(h) => {
                    st.seals.fetch_add(1, Ordering::Relaxed);
                    st.sealed_records.store(h.size, Ordering::Relaxed);
                    if dirty {
                        tracing::debug!(records = h.size, "evidence trail sealed");
                    }
                    dirty = false;
                }
                Err(e) => tracing::error!(error = %e, "evidence seal failed"),
            }
            last_seal = Instant::now();
        }
        if stop {
            return;
        }
    }
}

/// The evidence record of one admission decision: identifiers and the outcome, never the object.
fn decision_record(o: &Outcome) -> String {
    let mut codes: Vec<&str> = Vec::new();
    if let Some(d) = &o.decision_detail {
        for list in [&d.denying, &d.warnings, &d.preexisting, &d.waived] {
            codes.extend(list.iter().map(|f| f.code));
        }
    }
    codes.sort_unstable();
    codes.dedup();
    let denying: Vec<&str> = o
        .decision_detail
        .as_ref()
        .map(|d| d.denying.iter().map(|f| f.code).collect())
        .unwrap_or_default();
    json!({
        "uid": o.uid,
        "operation": o.operation,
        "kind": o.kind,
        "namespace": o.namespace,
        "name": mask_identifiers(&o.name),
        "dry_run": o.dry_run,
        "decision": o.decision,
        "allowed": o.decision != "denied" && o.decision != "error",
        "codes": codes,
        "denying": denying,
        "http_status": o.http_status,
        "error": o.error.is_some(),
    })
    .to_string()
}

/// The decision sink for [`phiguard_server::Server::on_decision`].
pub fn decision_sink(ev: Arc<EvidenceWriter>) -> phiguard_server::DecisionSink {
    Arc::new(move |o: &Outcome| ev.try_record("admission", decision_record(o)))
}

// ---------------------------------------------------------------------------------------------------------------
// Audit webhook

#[derive(Default)]
struct AuditMetrics {
    bodies: AtomicU64,
    events_received: AtomicU64,
    events_processed: AtomicU64,
    malformed_events: AtomicU64,
    rejected_full: AtomicU64,
    rejected_malformed: AtomicU64,
    rejected_too_large: AtomicU64,
    depth: AtomicU64,
    capacity: u64,
    alerts: Mutex<BTreeMap<&'static str, u64>>,
    forward: Mutex<Option<ForwardStats>>,
}

/// What the `/audit` handler shares with the detection thread.
pub struct AuditSink {
    tx: SyncSender<(Bytes, u64)>,
    m: Arc<AuditMetrics>,
    stop: Arc<AtomicBool>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl AuditSink {
    pub fn start(
        args: &AuditArgs,
        config: Option<&std::path::Path>,
        evidence: Option<Arc<EvidenceWriter>>,
    ) -> anyhow::Result<Arc<AuditSink>> {
        let cfg = match config {
            None => AuditConfig::default(),
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading {}", p.display()))?;
                AuditConfig::from_toml(&p.display().to_string(), &text)?
            }
        };
        let url = args.audit_webhook.clone().or_else(|| cfg.webhook.clone());
        let format = match (args.audit_webhook_format, cfg.webhook_format.as_deref()) {
            (Some(WebhookFormat::Json), _) | (None, Some("json")) => Format::Json,
            _ => Format::Alertmanager,
        };
        let detector = Detector::new(cfg);
        for (code, why) in detector.inactive() {
            tracing::info!(code, reason = why, "audit detection inactive");
        }
        let forwarder = match &url {
            Some(url) => {
                tracing::info!(format = ?format, "audit alerts forwarded to a webhook");
                Some(Forwarder::start(ForwardConfig::new(url, format))?)
            }
            None => None,
        };
        let capacity = args.audit_queue.max(1);
        let (tx, rx) = mpsc::sync_channel(capacity);
        let m = Arc::new(AuditMetrics {
            capacity: capacity as u64,
            ..AuditMetrics::default()
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (wm, ws) = (Arc::clone(&m), Arc::clone(&stop));
        let worker = std::thread::Builder::new()
            .name("phiguard-audit".into())
            .spawn(move || detect_loop(detector, rx, &wm, &ws, forwarder, evidence))
            .context("cannot start the audit detection thread")?;
        Ok(Arc::new(AuditSink {
            tx,
            m,
            stop,
            worker: Mutex::new(Some(worker)),
        }))
    }

    /// Adds the /audit metric families to the server's exposition.
    pub fn register_metrics(
        self: &Arc<Self>,
        metrics: &Metrics,
        evidence: Option<Arc<EvidenceWriter>>,
    ) {
        let me = Arc::clone(self);
        metrics.add_renderer(Box::new(move |out: &mut String| {
            me.render(out);
            if let Some(ev) = &evidence {
                ev.render(out);
            }
        }));
    }

    fn render(&self, out: &mut String) {
        let m = &self.m;
        let r = |a: &AtomicU64| a.load(Ordering::Relaxed);
        out.push_str(&format!(
            "# HELP phiguard_audit_bodies_total Audit webhook bodies accepted for detection.\n# TYPE phiguard_audit_bodies_total counter\nphiguard_audit_bodies_total {}\n",
            r(&m.bodies)
        ));
        out.push_str(&format!(
            "# HELP phiguard_audit_events_received_total Audit events accepted by /audit.\n# TYPE phiguard_audit_events_received_total counter\nphiguard_audit_events_received_total {}\n",
            r(&m.events_received)
        ));
        out.push_str(&format!(
            "# HELP phiguard_audit_events_processed_total Audit events through the detections.\n# TYPE phiguard_audit_events_processed_total counter\nphiguard_audit_events_processed_total {}\n",
            r(&m.events_processed)
        ));
        out.push_str(&format!(
            "# HELP phiguard_audit_malformed_events_total Events in accepted bodies that could not be read.\n# TYPE phiguard_audit_malformed_events_total counter\nphiguard_audit_malformed_events_total {}\n",
            r(&m.malformed_events)
        ));
        out.push_str(&format!(
            "# HELP phiguard_audit_rejected_total Audit bodies refused, by reason (queue_full is answered 429 and retried by the API server).\n# TYPE phiguard_audit_rejected_total counter\nphiguard_audit_rejected_total{{reason=\"queue_full\"}} {}\nphiguard_audit_rejected_total{{reason=\"malformed\"}} {}\nphiguard_audit_rejected_total{{reason=\"too_large\"}} {}\n",
            r(&m.rejected_full),
            r(&m.rejected_malformed),
            r(&m.rejected_too_large)
        ));
        out.push_str(&format!(
            "# HELP phiguard_audit_queue_depth Audit bodies waiting for detection.\n# TYPE phiguard_audit_queue_depth gauge\nphiguard_audit_queue_depth {}\n# HELP phiguard_audit_queue_capacity Audit bodies the queue holds.\n# TYPE phiguard_audit_queue_capacity gauge\nphiguard_audit_queue_capacity {}\n",
            r(&m.depth),
            m.capacity
        ));
        out.push_str("# HELP phiguard_audit_alerts_total Alerts raised on /audit events, by rule.\n# TYPE phiguard_audit_alerts_total counter\n");
        if let Ok(a) = m.alerts.lock() {
            for (code, n) in a.iter() {
                out.push_str(&format!(
                    "phiguard_audit_alerts_total{{rule=\"{code}\"}} {n}\n"
                ));
            }
        }
        if let Ok(f) = m.forward.lock() {
            if let Some(s) = f.as_ref() {
                out.push_str(&format!(
                    "# HELP phiguard_alert_forward_total Alerts handed to the webhook forwarder, by result.\n# TYPE phiguard_alert_forward_total counter\nphiguard_alert_forward_total{{result=\"queued\"}} {}\nphiguard_alert_forward_total{{result=\"sent\"}} {}\nphiguard_alert_forward_total{{result=\"dropped\"}} {}\nphiguard_alert_forward_total{{result=\"failed\"}} {}\nphiguard_alert_forward_total{{result=\"retried\"}} {}\n",
                    s.queued, s.sent, s.dropped, s.failed, s.retries
                ));
            }
        }
    }

    /// Processes what is queued, delivers forwarded alerts (with retries) and stops the thread.
    pub fn finish(&self) {
        self.stop.store(true, Ordering::SeqCst);
        let worker = self.worker.lock().ok().and_then(|mut w| w.take());
        if let Some(w) = worker {
            if w.join().is_err() {
                tracing::error!("audit detection thread panicked");
            }
        }
    }
}

fn detect_loop(
    mut detector: Detector,
    rx: Receiver<(Bytes, u64)>,
    m: &AuditMetrics,
    stop: &AtomicBool,
    forwarder: Option<Forwarder>,
    evidence: Option<Arc<EvidenceWriter>>,
) {
    loop {
        let (body, events) = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(x) => x,
            Err(RecvTimeoutError::Timeout) => {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        m.depth.fetch_sub(1, Ordering::Relaxed);
        let (alerts, issues) = phiguard_audit::alerts_from_body(&mut detector, "audit", &body);
        m.malformed_events
            .fetch_add(issues.len() as u64, Ordering::Relaxed);
        if !alerts.is_empty() {
            let mut out = std::io::stdout().lock();
            for a in &alerts {
                if let Ok(line) = serde_json::to_string(a) {
                    let _ = writeln!(out, "{line}");
                    if let Some(ev) = &evidence {
                        ev.record("alert", line);
                    }
                }
            }
            let _ = out.flush();
            drop(out);
            if let Ok(mut by_rule) = m.alerts.lock() {
                for a in &alerts {
                    *by_rule.entry(a.code).or_insert(0) += 1;
                }
            }
            if let Some(f) = &forwarder {
                for a in alerts {
                    f.send(a);
                }
            }
        }
        if let Some(f) = &forwarder {
            if let Ok(mut s) = m.forward.lock() {
                *s = Some(f.stats());
            }
        }
        m.events_processed.fetch_add(events, Ordering::Relaxed);
    }
    if let Some(f) = forwarder {
        let s = f.finish();
        tracing::info!(
            sent = s.sent,
            failed = s.failed,
            dropped = s.dropped,
            last_error = s.last_error.as_deref().unwrap_or(""),
            "alert forwarder finished"
        );
        if let Ok(mut slot) = m.forward.lock() {
            *slot = Some(s);
        }
    }
    tracing::info!(
        events = m.events_processed.load(Ordering::Relaxed),
        "audit detection finished"
    );
}

/// The shape the API server's webhook backend sends.
#[derive(serde::Deserialize)]
struct Envelope {
    kind: String,
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    items: Vec<IgnoredAny>,
}

/// Checks an EventList body; returns its number of events, or a message that names the position but quotes
/// nothing from the body.
fn check_body(body: &[u8]) -> Result<u64, String> {
    let env: Envelope = serde_json::from_slice(body).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Io => "unreadable",
            serde_json::error::Category::Syntax => "not valid JSON",
            serde_json::error::Category::Data => {
                "not an EventList (an object with `kind` and an `items` array)"
            }
            serde_json::error::Category::Eof => "truncated JSON",
        };
        format!(
            "audit body is {what} at line {} column {}",
            e.line(),
            e.column()
        )
    })?;
    if env.kind != "EventList" {
        return Err("audit body: kind must be EventList".to_string());
    }
    if let Some(v) = &env.api_version {
        if v != "audit.k8s.io/v1" {
            return Err("audit body: apiVersion must be audit.k8s.io/v1".to_string());
        }
    }
    Ok(env.items.len() as u64)
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (
        status,
        phiguard_server::axum::Json(json!({"error": message})),
    )
        .into_response()
}

/// Bodies up to this size are checked on the connection's own task.
const INLINE_CHECK_BYTES: usize = 64 * 1024;

/// `POST /audit`.
pub async fn audit_route(
    sink: Arc<AuditSink>,
    state: AppState,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let m = &sink.m;
    let limit = state.body_limit();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let too_large = || {
        m.rejected_too_large.fetch_add(1, Ordering::Relaxed);
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("audit body is larger than the limit of {limit} bytes"),
        )
    };
    if declared.is_some_and(|n| n > limit) {
        return too_large();
    }
    let bytes = match phiguard_server::axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(e) => {
            let mut over = false;
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(c) = cause {
                over |= c.to_string().contains("length limit");
                cause = c.source();
            }
            if over {
                return too_large();
            }
            m.rejected_malformed.fetch_add(1, Ordering::Relaxed);
            return refuse(StatusCode::BAD_REQUEST, "could not read the audit body");
        }
    };
    let checked = if bytes.len() <= INLINE_CHECK_BYTES {
        check_body(&bytes).map(|n| (n, bytes))
    } else {
        match tokio::task::spawn_blocking(move || check_body(&bytes).map(|n| (n, bytes))).await {
            Ok(r) => r,
            Err(_) => Err("internal error while reading the audit body".to_string()),
        }
    };
    let (events, bytes) = match checked {
        Ok(x) => x,
        Err(msg) => {
            m.rejected_malformed.fetch_add(1, Ordering::Relaxed);
            return refuse(StatusCode::BAD_REQUEST, &msg);
        }
    };
    // Counted before sending so the detection thread never sees the depth go below zero.
    m.depth.fetch_add(1, Ordering::Relaxed);
    match sink.tx.try_send((bytes, events)) {
        Ok(()) => {
            m.bodies.fetch_add(1, Ordering::Relaxed);
            m.events_received.fetch_add(events, Ordering::Relaxed);
            (StatusCode::OK, phiguard_server::axum::Json(json!({}))).into_response()
        }
        Err(TrySendError::Full(_)) => {
            m.depth.fetch_sub(1, Ordering::Relaxed);
            let n = m.rejected_full.fetch_add(1, Ordering::Relaxed) + 1;
            if n == 1 || n.is_power_of_two() {
                tracing::warn!(
                    rejected = n,
                    "audit queue full; answered 429 so the API server retries"
                );
            }
            let mut r = refuse(
                StatusCode::TOO_MANY_REQUESTS,
                "audit queue full; retry later",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            r
        }
        Err(TrySendError::Disconnected(_)) => {
            m.depth.fetch_sub(1, Ordering::Relaxed);
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "audit detection has stopped",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_checks_name_the_problem_without_quoting_the_body() {
        assert_eq!(
            check_body(br#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{},{}]}"#),
            Ok(2)
        );
        let e = check_body(br#"{"kind":"EventList","items":"jane.doe@example.com"}"#).unwrap_err();
        assert!(e.contains("not an EventList"), "{e}");
        assert!(!e.contains("jane"), "{e}");
        assert!(check_body(b"{\"kind\":").unwrap_err().contains("truncated"));
        assert!(check_body(br#"{"kind":"Pod","items":[]}"#)
            .unwrap_err()
            .contains("EventList"));
    }
}
