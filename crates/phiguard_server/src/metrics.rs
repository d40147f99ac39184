//! Prometheus metrics in the text exposition format, kept in plain counters.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the latency histogram buckets.
pub const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Debug, Default)]
struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    /// Sum in nanoseconds.
    sum_ns: AtomicU64,
}

impl Histogram {
    fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.counts[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_ns.fetch_add(
            d.as_nanos().min(u128::from(u64::MAX)) as u64,
            Ordering::Relaxed,
        );
    }
}

type Labels = Vec<(&'static str, String)>;

/// A family of counters keyed by label values.
#[derive(Debug, Default)]
struct Counters(Mutex<BTreeMap<Labels, u64>>);

impl Counters {
    fn inc(&self, labels: Labels) {
        if let Ok(mut m) = self.0.lock() {
            *m.entry(labels).or_insert(0) += 1;
        }
    }
    fn get(&self, labels: &Labels) -> u64 {
        self.0
            .lock()
            .ok()
            .and_then(|m| m.get(labels).copied())
            .unwrap_or(0)
    }
    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
        if let Ok(m) = self.0.lock() {
            for (labels, v) in m.iter() {
                let _ = writeln!(out, "{name}{} {v}", render_labels(labels));
            }
        }
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn render_labels(labels: &Labels) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

/// Appends more metric families (in the text format) to the exposition.
pub type Renderer = Box<dyn Fn(&mut String) + Send + Sync>;

#[derive(Default)]
struct Renderers(Mutex<Vec<Renderer>>);

impl std::fmt::Debug for Renderers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.lock().map(|v| v.len()).unwrap_or(0);
        write!(f, "Renderers({n})")
    }
}

/// Every metric the server exports.
#[derive(Debug, Default)]
pub struct Metrics {
    extra: Renderers,
    requests: Counters,
    decisions: Counters,
    findings: Counters,
    reloads: Counters,
    latency: Histogram,
}

impl Metrics {
    /// One HTTP request served on a route, by status code.
    pub fn request(&self, route: &str, status: u16) {
        self.requests.inc(vec![
            ("route", route.to_string()),
            ("code", status.to_string()),
        ]);
    }
    /// One admission decision: `allowed`, `denied`, `warned`, `skipped`, `audit` or `error`.
    pub fn decision(&self, decision: &str, namespace: &str, operation: &str, dry_run: bool) {
        self.decisions.inc(vec![
            ("decision", decision.to_string()),
            ("namespace", namespace.to_string()),
            ("operation", operation.to_string()),
            ("dry_run", dry_run.to_string()),
        ]);
    }
    /// One finding in a decision, by rule, namespace and effect (`deny`, `warn`, `preexisting`, `waived`).
    pub fn finding(&self, rule: &str, namespace: &str, effect: &str) {
        self.findings.inc(vec![
            ("rule", rule.to_string()),
            ("namespace", namespace.to_string()),
            ("effect", effect.to_string()),
        ]);
    }
    /// A reload of `config` or `certificate`, with `ok` or `error`.
    pub fn reload(&self, what: &str, result: &str) {
        self.reloads.inc(vec![
            ("what", what.to_string()),
            ("result", result.to_string()),
        ]);
    }
    pub fn reloads(&self, what: &str, result: &str) -> u64 {
        self.reloads.get(&vec![
            ("what", what.to_string()),
            ("result", result.to_string()),
        ])
    }
    /// Time spent on one admission review.
    pub fn observe(&self, d: Duration) {
        self.latency.observe(d);
    }

    /// Adds metric families rendered after the built-in ones (for instance by an added route).
    pub fn add_renderer(&self, r: Renderer) {
        if let Ok(mut v) = self.extra.0.lock() {
            v.push(r);
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        self.requests.render(
            &mut out,
            "phiguard_http_requests_total",
            "HTTP requests by route and status code.",
        );
        self.decisions.render(
            &mut out,
            "phiguard_admission_decisions_total",
            "Admission decisions by outcome, namespace, operation and dry run.",
        );
        self.findings.render(
            &mut out,
            "phiguard_admission_findings_total",
            "Findings in admission decisions by rule, namespace and effect.",
        );
        self.reloads.render(
            &mut out,
            "phiguard_reloads_total",
            "Configuration and certificate reloads by result.",
        );
        let name = "phiguard_admission_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time to read, judge and answer one admission review.\n# TYPE {name} histogram"
        );
        let mut cumulative = 0;
        for (i, b) in BUCKETS.iter().enumerate() {
            cumulative += self.latency.counts[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {cumulative}");
        }
        let count = self.latency.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.latency.sum_ns.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
        if let Ok(v) = self.extra.0.lock() {
            for r in v.iter() {
                r(&mut out);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.decision("denied", "apps", "CREATE", false);
        m.decision("denied", "apps", "CREATE", false);
        m.finding("PS001", "a\"b", "deny");
        m.observe(Duration::from_micros(300));
        m.observe(Duration::from_millis(3));
        let text = m.render();
        assert!(text.contains(
            "phiguard_admission_decisions_total{decision=\"denied\",namespace=\"apps\",operation=\"CREATE\",dry_run=\"false\"} 2"
        ));
        assert!(text.contains("namespace=\"a\\\"b\""));
        assert!(text.contains("phiguard_admission_duration_seconds_bucket{le=\"0.00025\"} 0"));
        assert!(text.contains("phiguard_admission_duration_seconds_bucket{le=\"0.0005\"} 1"));
        assert!(text.contains("phiguard_admission_duration_seconds_bucket{le=\"0.005\"} 2"));
        assert!(text.contains("phiguard_admission_duration_seconds_count 2"));
    }
}
