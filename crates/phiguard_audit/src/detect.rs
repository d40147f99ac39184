//! The detections, run over a stream of events. Stateful detections (bursts, hours, volume) keep bounded state per
//! key and forget keys that have been quiet for longer than their window.

use std::collections::{HashMap, HashSet, VecDeque};

use phiguard_core::rule::Severity;
use phiguard_core::settings::glob;

use crate::config::AuditConfig;
use crate::detections::{self as d, Detection};
use crate::event::{Event, SubjectKind};
use crate::reader::Loc;

/// One alert.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Alert {
    pub code: &'static str,
    pub rule: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub message: String,
    /// Request time (RFC 3339), as recorded in the event.
    pub time: String,
    pub at: Loc,
    #[serde(rename = "auditID")]
    pub audit_id: String,
    pub user: String,
    #[serde(rename = "sourceIP")]
    pub source_ip: String,
    pub verb: String,
    pub resource: String,
    pub namespace: String,
    pub name: String,
}

impl Alert {
    fn new(det: &Detection, ev: &Event, loc: &Loc, message: String) -> Alert {
        let mut resource = ev.resource().to_string();
        if !ev.subresource().is_empty() {
            resource.push('/');
            resource.push_str(ev.subresource());
        }
        Alert {
            code: det.code,
            rule: det.name,
            severity: det.severity,
            title: det.title,
            message,
            time: ev.timestamp().to_string(),
            at: loc.clone(),
            audit_id: ev.audit_id.clone(),
            user: ev.username().to_string(),
            source_ip: ev.source_ip().to_string(),
            verb: ev.verb.clone(),
            resource,
            namespace: ev.namespace().to_string(),
            name: ev.name().to_string(),
        }
    }
}

/// Limits on remembered keys, so a hostile stream cannot grow memory without bound.
const MAX_KEYS: usize = 200_000;

#[derive(Default)]
struct Burst {
    times: VecDeque<i64>,
    /// No new alert for this key before this time.
    quiet_until: i64,
}

#[derive(Default)]
struct Volume {
    period: i64,
    count: u64,
    active_periods: u64,
    total: u64,
    alerted: bool,
}

/// Runs every detection over events fed in order.
pub struct Detector {
    cfg: AuditConfig,
    /// auditIDs seen at ResponseStarted, so their ResponseComplete is not counted twice.
    started: HashSet<String>,
    by_user: HashMap<String, Burst>,
    by_ip: HashMap<String, Burst>,
    /// (user, namespace, local day) already reported for AL013.
    hours_seen: HashSet<(String, String, i64)>,
    volume: HashMap<String, Volume>,
    events: u64,
}

impl Detector {
    pub fn new(cfg: AuditConfig) -> Detector {
        Detector {
            cfg,
            started: HashSet::new(),
            by_user: HashMap::new(),
            by_ip: HashMap::new(),
            hours_seen: HashSet::new(),
            volume: HashMap::new(),
            events: 0,
        }
    }

    pub fn config(&self) -> &AuditConfig {
        &self.cfg
    }

    /// Events looked at (after dropping duplicate stages).
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Detections that cannot fire with this configuration, and why.
    pub fn inactive(&self) -> Vec<(&'static str, &'static str)> {
        let mut v = Vec::new();
        if self.cfg.phi_namespaces.is_empty() {
            for code in ["AL005", "AL011", "AL013", "AL014"] {
                v.push((code, "no PHI namespaces configured ([phi] namespaces)"));
            }
        }
        if self.cfg.business_hours.is_none() && !self.cfg.phi_namespaces.is_empty() {
            v.push((
                "AL013",
                "no business hours configured ([audit] business-hours)",
            ));
        }
        v
    }

    pub fn is_phi_namespace(&self, ns: &str) -> bool {
        !ns.is_empty() && self.cfg.phi_namespaces.iter().any(|p| glob(p, ns))
    }

    /// Runs all detections on one event; alerts are appended to `out`.
    pub fn observe(&mut self, ev: &Event, loc: &Loc, out: &mut Vec<Alert>) {
        // One request, one look: skip RequestReceived, and ResponseComplete of a request already seen at
        // ResponseStarted (long-running requests: watch, exec, port-forward).
        match ev.stage.as_str() {
            "RequestReceived" => return,
            "ResponseStarted" => {
                if self.started.len() >= MAX_KEYS {
                    self.started.clear();
                }
                if !ev.audit_id.is_empty() {
                    self.started.insert(ev.audit_id.clone());
                }
            }
            "ResponseComplete"
                if !ev.audit_id.is_empty()
                    && !self.started.is_empty()
                    && self.started.remove(&ev.audit_id) =>
            {
                return;
            }
            _ => {}
        }
        self.events += 1;
        let time = ev.time_us();
        let kind = ev.subject_kind();
        let code = ev.code();
        let resource = ev.resource();
        let sub = ev.subresource();
        let ns = ev.namespace();
        let ok = ev.succeeded();

        // AL001 / AL002: bursts of 401/403.
        if code == 401 || code == 403 {
            if let Some(t) = time {
                let window = self.cfg.failure_window_s * 1_000_000;
                let threshold = self.cfg.failure_threshold as usize;
                if !ev.username().is_empty() {
                    if let Some(n) = burst(&mut self.by_user, ev.username(), t, window, threshold) {
                        out.push(Alert::new(
                            &d::AL001,
                            ev,
                            loc,
                            format!(
                                "{n} denied requests by `{}` within {} s",
                                ev.username(),
                                self.cfg.failure_window_s
                            ),
                        ));
                    }
                }
                if !ev.source_ip().is_empty() {
                    if let Some(n) = burst(&mut self.by_ip, ev.source_ip(), t, window, threshold) {
                        out.push(Alert::new(
                            &d::AL002,
                            ev,
                            loc,
                            format!(
                                "{n} failed requests (401/403) from {} within {} s",
                                ev.source_ip(),
                                self.cfg.failure_window_s
                            ),
                        ));
                    }
                }
            }
        }

        // AL003: allowed anonymous requests, except health endpoints.
        if kind == SubjectKind::Anonymous && ok && !is_health(&ev.request_uri) {
            out.push(Alert::new(
                &d::AL003,
                ev,
                loc,
                format!(
                    "anonymous {} {} was allowed",
                    ev.verb,
                    path_of(&ev.request_uri)
                ),
            ));
        }

        // AL004: secret reads.
        if resource == "secrets" && sub.is_empty() && ev.is_read() && ok {
            let flagged = match kind {
                SubjectKind::Human => !self
                    .cfg
                    .secret_readers
                    .iter()
                    .any(|p| glob(p, ev.username())),
                SubjectKind::ServiceAccount => !self
                    .cfg
                    .secret_readers
                    .iter()
                    .any(|p| glob(p, ev.username())),
                _ => false,
            };
            if flagged {
                let what = if ev.name().is_empty() {
                    format!("secrets in `{}`", or_all(ns))
                } else {
                    format!("secret `{}` in `{}`", ev.name(), or_all(ns))
                };
                out.push(Alert::new(
                    &d::AL004,
                    ev,
                    loc,
                    format!("`{}` {} {what}", ev.username(), ev.verb),
                ));
            }
        }

        let phi_ns = self.is_phi_namespace(ns);

        // AL005: interactive access into PHI workloads.
        if resource == "pods" && phi_ns && ok {
            let interactive = matches!(sub, "exec" | "attach" | "portforward")
                && matches!(ev.verb.as_str(), "create" | "get");
            let ephemeral =
                sub == "ephemeralcontainers" && matches!(ev.verb.as_str(), "update" | "patch");
            if interactive || ephemeral {
                out.push(Alert::new(
                    &d::AL005,
                    ev,
                    loc,
                    format!(
                        "`{}` opened {} on pod `{}` in PHI namespace `{ns}`",
                        ev.username(),
                        sub,
                        ev.name()
                    ),
                ));
            }
        }

        let write = ev.is_write() && ok;

        // AL006-AL008: RBAC.
        if write
            && ev
                .object_ref
                .as_ref()
                .is_some_and(|o| o.api_group == "rbac.authorization.k8s.io")
            && matches!(
                resource,
                "roles" | "clusterroles" | "rolebindings" | "clusterrolebindings"
            )
            && !matches!(
                ev.username(),
                "system:apiserver"
                    | "system:serviceaccount:kube-system:clusterrole-aggregation-controller"
            )
        {
            out.push(Alert::new(
                &d::AL006,
                ev,
                loc,
                format!(
                    "`{}` {} {} `{}`{}",
                    ev.username(),
                    past(&ev.verb),
                    singular(resource),
                    ev.name(),
                    if ns.is_empty() {
                        String::new()
                    } else {
                        format!(" in `{ns}`")
                    }
                ),
            ));
            if ev.verb != "delete" && ev.verb != "deletecollection" {
                if let Some(body) = &ev.request_object {
                    if matches!(resource, "rolebindings" | "clusterrolebindings") {
                        let role = body
                            .pointer("/roleRef/name")
                            .and_then(|v| v.as_str())
                            .unwrap_or("");
                        let masters =
                            body.get("subjects")
                                .and_then(|s| s.as_array())
                                .is_some_and(|s| {
                                    s.iter().any(|x| {
                                        x.get("name").and_then(|n| n.as_str())
                                            == Some("system:masters")
                                    })
                                });
                        if role == "cluster-admin" || masters {
                            out.push(Alert::new(
                                &d::AL007,
                                ev,
                                loc,
                                format!(
                                    "`{}` {} {} `{}`, granting {}",
                                    ev.username(),
                                    past(&ev.verb),
                                    singular(resource),
                                    ev.name(),
                                    match (role == "cluster-admin", masters) {
                                        (true, true) =>
                                            "cluster-admin and naming group system:masters",
                                        (true, false) => "cluster-admin",
                                        _ => "membership of group system:masters",
                                    }
                                ),
                            ));
                        }
                    }
                    if resource == "clusterroles" {
                        let aggregated = body
                            .pointer("/metadata/labels")
                            .and_then(|l| l.as_object())
                            .and_then(|l| {
                                l.keys()
                                    .find(|k| {
                                        k.starts_with("rbac.authorization.k8s.io/aggregate-to-")
                                    })
                                    .cloned()
                            });
                        if let Some(label) = aggregated {
                            out.push(Alert::new(
                                &d::AL008,
                                ev,
                                loc,
                                format!(
                                    "ClusterRole `{}` carries aggregation label `{label}`",
                                    ev.name()
                                ),
                            ));
                        }
                    }
                }
            }
        }

        // AL009: admission configuration.
        if write
            && matches!(
                resource,
                "mutatingwebhookconfigurations"
                    | "validatingwebhookconfigurations"
                    | "validatingadmissionpolicies"
                    | "validatingadmissionpolicybindings"
                    | "mutatingadmissionpolicies"
                    | "mutatingadmissionpolicybindings"
            )
        {
            out.push(Alert::new(
                &d::AL009,
                ev,
                loc,
                format!(
                    "`{}` {} {} `{}`",
                    ev.username(),
                    past(&ev.verb),
                    singular(resource),
                    ev.name()
                ),
            ));
        }

        // AL010: phiguard's own namespace.
        if write
            && !ns.is_empty()
            && ns == self.cfg.self_namespace
            && matches!(
                resource,
                "deployments"
                    | "statefulsets"
                    | "daemonsets"
                    | "replicasets"
                    | "pods"
                    | "services"
                    | "configmaps"
                    | "secrets"
                    | "serviceaccounts"
                    | "roles"
                    | "rolebindings"
                    | "networkpolicies"
            )
            && !(resource == "pods" && ev.verb == "create" && kind == SubjectKind::ServiceAccount)
        {
            out.push(Alert::new(
                &d::AL010,
                ev,
                loc,
                format!(
                    "`{}` {} {} `{}` in phiguard's namespace `{ns}`",
                    ev.username(),
                    past(&ev.verb),
                    singular(resource),
                    ev.name()
                ),
            ));
        }

        // AL011: NetworkPolicies in PHI namespaces.
        if write && phi_ns && resource == "networkpolicies" {
            out.push(Alert::new(
                &d::AL011,
                ev,
                loc,
                format!(
                    "`{}` {} NetworkPolicy `{}` in PHI namespace `{ns}`",
                    ev.username(),
                    past(&ev.verb),
                    ev.name()
                ),
            ));
        }

        // AL012: impersonation.
        if let Some(imp) = &ev.impersonated_user {
            if !imp.username.is_empty() || !imp.groups.is_empty() {
                out.push(Alert::new(
                    &d::AL012,
                    ev,
                    loc,
                    format!(
                        "`{}` acted as `{}`",
                        ev.username(),
                        if imp.username.is_empty() {
                            "(groups only)"
                        } else {
                            &imp.username
                        }
                    ),
                ));
            }
        } else if ev.verb == "impersonate" {
            out.push(Alert::new(
                &d::AL012,
                ev,
                loc,
                format!(
                    "`{}` impersonated {} `{}`",
                    ev.username(),
                    singular(resource),
                    ev.name()
                ),
            ));
        }

        // AL013: people in PHI namespaces outside hours.
        if let (Some(hours), Some(t)) = (self.cfg.business_hours, time) {
            if phi_ns && kind == SubjectKind::Human && ok && !hours.contains(t) {
                let local_day = (t.div_euclid(1_000_000) + i64::from(hours.utc_offset_min) * 60)
                    .div_euclid(86_400);
                if self.hours_seen.len() >= MAX_KEYS {
                    self.hours_seen.clear();
                }
                if self
                    .hours_seen
                    .insert((ev.username().to_string(), ns.to_string(), local_day))
                {
                    out.push(Alert::new(
                        &d::AL013,
                        ev,
                        loc,
                        format!(
                            "`{}` accessed PHI namespace `{ns}` outside business hours",
                            ev.username()
                        ),
                    ));
                }
            }
        }

        // AL014: read volume against the subject's own baseline.
        if phi_ns && ok && ev.is_read() && !ev.username().is_empty() {
            if let Some(t) = time {
                let period = t.div_euclid(self.cfg.volume_period_s * 1_000_000);
                if self.volume.len() >= MAX_KEYS && !self.volume.contains_key(ev.username()) {
                    self.volume.clear();
                }
                if !self.volume.contains_key(ev.username()) {
                    self.volume
                        .insert(ev.username().to_string(), Volume::default());
                }
                let Some(v) = self.volume.get_mut(ev.username()) else {
                    return;
                };
                if v.count > 0 && period != v.period {
                    if period > v.period {
                        v.active_periods += 1;
                        v.total += v.count;
                        v.count = 0;
                        v.alerted = false;
                        v.period = period;
                    }
                } else if v.count == 0 {
                    v.period = period;
                }
                if period == v.period {
                    v.count += 1;
                    if !v.alerted && v.active_periods >= u64::from(self.cfg.volume_history) {
                        let mean = v.total as f64 / v.active_periods as f64;
                        let limit = (self.cfg.volume_factor * mean).max(self.cfg.volume_min as f64);
                        if v.count as f64 > limit {
                            v.alerted = true;
                            let count = v.count;
                            out.push(Alert::new(
                                &d::AL014,
                                ev,
                                loc,
                                format!(
                                    "`{}` made {count} reads in PHI namespaces this period; its mean is {mean:.0}",
                                    ev.username()
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// Records a failure for `key` at `t`; returns the count when it reaches the threshold (once per window).
fn burst(
    map: &mut HashMap<String, Burst>,
    key: &str,
    t: i64,
    window: i64,
    threshold: usize,
) -> Option<usize> {
    if map.len() >= MAX_KEYS && !map.contains_key(key) {
        map.retain(|_, b| b.times.back().is_some_and(|&last| t - last < window));
        if map.len() >= MAX_KEYS {
            map.clear();
        }
    }
    let b = map.entry(key.to_string()).or_default();
    while b.times.front().is_some_and(|&f| t - f >= window) {
        b.times.pop_front();
    }
    b.times.push_back(t);
    if b.times.len() > threshold {
        b.times.pop_front();
    }
    if b.times.len() >= threshold && t >= b.quiet_until {
        b.quiet_until = t + window;
        b.times.clear();
        return Some(threshold);
    }
    None
}

fn is_health(uri: &str) -> bool {
    let p = path_of(uri);
    ["/healthz", "/livez", "/readyz", "/version"]
        .iter()
        .any(|h| p == *h || p.strip_prefix(h).is_some_and(|r| r.starts_with('/')))
}

fn path_of(uri: &str) -> &str {
    uri.split('?').next().unwrap_or(uri)
}

fn or_all(ns: &str) -> &str {
    if ns.is_empty() {
        "all namespaces"
    } else {
        ns
    }
}

fn past(verb: &str) -> &str {
    match verb {
        "create" => "created",
        "update" => "updated",
        "patch" => "patched",
        "delete" => "deleted",
        "deletecollection" => "deleted a collection of",
        "impersonate" => "impersonated",
        other => other,
    }
}

fn singular(resource: &str) -> &str {
    match resource {
        "clusterroles" => "ClusterRole",
        "roles" => "Role",
        "rolebindings" => "RoleBinding",
        "clusterrolebindings" => "ClusterRoleBinding",
        "mutatingwebhookconfigurations" => "MutatingWebhookConfiguration",
        "validatingwebhookconfigurations" => "ValidatingWebhookConfiguration",
        "validatingadmissionpolicies" => "ValidatingAdmissionPolicy",
        "validatingadmissionpolicybindings" => "ValidatingAdmissionPolicyBinding",
        "mutatingadmissionpolicies" => "MutatingAdmissionPolicy",
        "mutatingadmissionpolicybindings" => "MutatingAdmissionPolicyBinding",
        "deployments" => "Deployment",
        "statefulsets" => "StatefulSet",
        "daemonsets" => "DaemonSet",
        "replicasets" => "ReplicaSet",
        "pods" => "Pod",
        "services" => "Service",
        "configmaps" => "ConfigMap",
        "secrets" => "Secret",
        "serviceaccounts" => "ServiceAccount",
        "networkpolicies" => "NetworkPolicy",
        "users" => "user",
        "groups" => "group",
        other => other,
    }
}
