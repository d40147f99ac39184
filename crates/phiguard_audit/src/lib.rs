//! Kubernetes audit log analysis: a streaming reader of audit.k8s.io/v1 events, the `AL` detections, an access
//! report for PHI namespaces, a generator of realistic event streams for tests and benches, and an alert
//! forwarder (Alertmanager or plain JSON webhooks).

pub mod access;
pub mod config;
pub mod detect;
pub mod detections;
pub mod event;
pub mod forward;
pub mod generate;
pub mod reader;

pub use access::AccessReport;
pub use config::AuditConfig;
pub use detect::{Alert, Detector};
pub use reader::{Issue, Loc, ReadStats};

use event::Event;

/// Runs detections (and optionally the access report) on what a reader yields, handing each alert to a callback
/// as soon as it is raised.
pub struct Pipeline<'a> {
    pub detector: &'a mut Detector,
    pub access: Option<&'a mut AccessReport>,
    pub on_alert: &'a mut dyn FnMut(Alert),
    pub on_issue: &'a mut dyn FnMut(Issue),
    buf: Vec<Alert>,
}

impl<'a> Pipeline<'a> {
    pub fn new(
        detector: &'a mut Detector,
        access: Option<&'a mut AccessReport>,
        on_alert: &'a mut dyn FnMut(Alert),
        on_issue: &'a mut dyn FnMut(Issue),
    ) -> Pipeline<'a> {
        Pipeline {
            detector,
            access,
            on_alert,
            on_issue,
            buf: Vec::new(),
        }
    }
}

impl reader::Sink for Pipeline<'_> {
    fn event(&mut self, event: Event, loc: &Loc) {
        if let Some(access) = self.access.as_deref_mut() {
            let det = &*self.detector;
            access.observe(&event, |ns| det.is_phi_namespace(ns));
        }
        self.detector.observe(&event, loc, &mut self.buf);
        for a in self.buf.drain(..) {
            (self.on_alert)(a);
        }
    }
    fn issue(&mut self, issue: Issue) {
        (self.on_issue)(issue);
    }
}

/// Runs the detections over an `EventList` body (as the API server's webhook backend POSTs it, or JSON lines).
/// The detector keeps its state between calls, so bursts spanning several bodies are still seen.
pub fn alerts_from_body(
    detector: &mut Detector,
    source: &str,
    body: &[u8],
) -> (Vec<Alert>, Vec<Issue>) {
    let mut alerts = Vec::new();
    let mut issues = Vec::new();
    {
        let mut on_alert = |a: Alert| alerts.push(a);
        let mut on_issue = |i: Issue| issues.push(i);
        let mut p = Pipeline::new(detector, None, &mut on_alert, &mut on_issue);
        // Reading from memory cannot fail with an I/O error.
        if let Err(e) = reader::read(source, body, &mut p) {
            issues.push(Issue {
                file: source.to_string(),
                line: 0,
                message: format!("read error: {e}"),
            });
        }
    }
    (alerts, issues)
}

/// One alert as a line of text.
pub fn alert_text(a: &Alert) -> String {
    let mut s = format!(
        "{} {} [{}] {} {}: {}",
        a.at, a.time, a.severity, a.code, a.rule, a.message
    );
    if !a.source_ip.is_empty() {
        s.push_str(&format!(" (from {})", a.source_ip));
    }
    if !a.audit_id.is_empty() {
        s.push_str(&format!(" auditID={}", a.audit_id));
    }
    s
}
