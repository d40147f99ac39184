//! A generator of realistic audit event streams: a clinic cluster's normal traffic (controllers, monitoring,
//! an application service account, people working office hours, health probes, watches with two stages), with
//! attacks injected at known positions. Deterministic for a given seed.

use serde_json::{json, Value};

use crate::config::{AuditConfig, Hours};
use crate::event::format_rfc3339_us;

/// What a test expects at an injected event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub code: &'static str,
    /// 1-based lines; for exact detections `first == last`. AL014 fires somewhere inside its burst.
    pub first: u64,
    pub last: u64,
}

/// A generated stream.
pub struct Stream {
    /// JSON lines, one event each.
    pub lines: Vec<String>,
    pub expected: Vec<Expected>,
}

impl Stream {
    pub fn text(&self) -> String {
        let mut s = String::with_capacity(self.lines.iter().map(|l| l.len() + 1).sum());
        for l in &self.lines {
            s.push_str(l);
            s.push('\n');
        }
        s
    }
}

/// The configuration the generated traffic is normal under.
pub fn config() -> AuditConfig {
    AuditConfig {
        phi_namespaces: vec!["ehr".to_string(), "pacs-*".to_string()],
        secret_readers: vec![
            "system:serviceaccount:kube-system:*".to_string(),
            "system:serviceaccount:ehr:ehr-api".to_string(),
        ],
        business_hours: Some(Hours {
            start_min: 7 * 60,
            end_min: 19 * 60,
            days: 0b001_1111,
            utc_offset_min: 0,
        }),
        ..AuditConfig::default()
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
    fn uuid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }
}

/// One event under construction.
#[derive(Clone)]
struct Ev {
    t: i64,
    user: String,
    groups: Vec<&'static str>,
    ip: String,
    agent: &'static str,
    verb: &'static str,
    resource: &'static str,
    subresource: &'static str,
    group: &'static str,
    namespace: String,
    name: String,
    code: i64,
    stage: &'static str,
    impersonate: Option<&'static str>,
    body: Option<Value>,
    uri: Option<String>,
}

impl Ev {
    fn new(
        t: i64,
        user: &str,
        verb: &'static str,
        resource: &'static str,
        namespace: &str,
        name: &str,
    ) -> Ev {
        let groups = if user.starts_with("system:serviceaccount:") {
            vec!["system:serviceaccounts", "system:authenticated"]
        } else if user.starts_with("system:node:") {
            vec!["system:nodes", "system:authenticated"]
        } else if user == "system:anonymous" {
            vec!["system:unauthenticated"]
        } else if user.is_empty() {
            vec![]
        } else {
            vec!["clinic:staff", "system:authenticated"]
        };
        Ev {
            t,
            user: user.to_string(),
            groups,
            ip: "10.0.3.17".to_string(),
            agent: "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46",
            verb,
            resource,
            subresource: "",
            group: "",
            namespace: namespace.to_string(),
            name: name.to_string(),
            code: 200,
            stage: "ResponseComplete",
            impersonate: None,
            body: None,
            uri: None,
        }
    }
    fn json(&self, id: &str) -> String {
        let mut path = if self.group.is_empty() {
            "/api/v1".to_string()
        } else {
            format!("/apis/{}/v1", self.group)
        };
        if !self.namespace.is_empty() {
            path.push_str(&format!("/namespaces/{}", self.namespace));
        }
        path.push('/');
        path.push_str(self.resource);
        if !self.name.is_empty() {
            path.push('/');
            path.push_str(&self.name);
        }
        if !self.subresource.is_empty() {
            path.push('/');
            path.push_str(self.subresource);
        }
        if self.verb == "watch" {
            path.push_str("?watch=true");
        }
        let uri = self.uri.clone().unwrap_or(path);
        let mut v = json!({
            "kind": "Event",
            "apiVersion": "audit.k8s.io/v1",
            "level": if self.body.is_some() { "RequestResponse" } else { "Metadata" },
            "auditID": id,
            "stage": self.stage,
            "requestURI": uri,
            "verb": self.verb,
            "user": {"username": self.user, "groups": self.groups},
            "sourceIPs": [self.ip],
            "userAgent": self.agent,
            "responseStatus": {"metadata": {}, "code": self.code},
            "requestReceivedTimestamp": format_rfc3339_us(self.t),
            "stageTimestamp": format_rfc3339_us(self.t + 1800),
            "annotations": {
                "authorization.k8s.io/decision": if self.code == 403 { "forbid" } else { "allow" },
                "authorization.k8s.io/reason": ""
            }
        });
        if self.user.is_empty() {
            v["user"] = json!({});
        }
        if !self.resource.is_empty() {
            let mut o = json!({"resource": self.resource, "apiVersion": "v1"});
            if !self.namespace.is_empty() {
                o["namespace"] = json!(self.namespace);
            }
            if !self.name.is_empty() {
                o["name"] = json!(self.name);
            }
            if !self.subresource.is_empty() {
                o["subresource"] = json!(self.subresource);
            }
            if !self.group.is_empty() {
                o["apiGroup"] = json!(self.group);
            }
            v["objectRef"] = o;
        }
        if let Some(i) = self.impersonate {
            v["impersonatedUser"] = json!({"username": i, "groups": ["system:masters"]});
        }
        if let Some(b) = &self.body {
            v["requestObject"] = b.clone();
        }
        v.to_string()
    }
}

const HOUR: i64 = 3_600_000_000;
const MIN: i64 = 60_000_000;
const SEC: i64 = 1_000_000;

/// Generates `hours` hours of traffic starting Monday 2026-03-02 00:00 UTC, with every attack injected.
/// `hours` must be at least 132 (the attacks run through Saturday morning); fewer hours gives normal traffic only.
pub fn generate(seed: u64, hours: u32) -> Stream {
    let start = crate::event::parse_rfc3339_us("2026-03-02T00:00:00Z").unwrap_or(0);
    let mut rng = Rng(seed | 1);
    // (event, expected codes, AL014-burst member)
    let mut evs: Vec<(Ev, Vec<&'static str>, bool)> = Vec::new();
    let people = [
        "alice@clinic.example",
        "bob@clinic.example",
        "carol@clinic.example",
    ];
    let pods = ["ehr-api-7c9f8-x2k4p", "ehr-api-7c9f8-q8w2n", "ehr-db-0"];
    for h in 0..i64::from(hours) {
        let hs = start + h * HOUR;
        let day = h / 24;
        let hour_of_day = h % 24;
        let weekday = day % 7; // 0 = Monday
        let office = weekday < 5 && (8..18).contains(&hour_of_day);
        // Controllers: watches (two stages) and lists in system namespaces.
        for _ in 0..60 {
            let t = hs + rng.below(HOUR as u64) as i64;
            let mut e = Ev::new(
                t,
                "system:kube-controller-manager",
                rng.pick(&["list", "watch", "get", "update"]),
                rng.pick(&["pods", "endpoints", "replicasets", "leases"]),
                rng.pick(&["kube-system", "ehr", "web", "monitoring"]),
                "",
            );
            e.ip = "10.0.0.10".into();
            e.agent = "kube-controller-manager/v1.31.2";
            if e.verb == "watch" {
                let mut s = e.clone();
                s.stage = "ResponseStarted";
                evs.push((s, vec![], false));
                e.t += 5 * MIN;
            }
            evs.push((e, vec![], false));
        }
        // Kubelets read the secrets of their pods (control plane, not reported).
        for n in 0..3 {
            let t = hs + rng.below(HOUR as u64) as i64;
            let mut e = Ev::new(
                t,
                &format!("system:node:node-{n}"),
                "get",
                "secrets",
                "ehr",
                "db-credentials",
            );
            e.ip = format!("10.0.1.{}", 10 + n);
            e.agent = "kubelet/v1.31.2";
            evs.push((e, vec![], false));
        }
        // Health probes by anonymous clients (allowed, not reported).
        for _ in 0..12 {
            let t = hs + rng.below(HOUR as u64) as i64;
            let mut e = Ev::new(t, "system:anonymous", "get", "", "", "");
            e.uri = Some((rng.pick(&["/healthz", "/readyz", "/livez?verbose"])).to_string());
            e.ip = "10.0.0.2".into();
            e.agent = "kube-probe/1.31";
            evs.push((e, vec![], false));
        }
        // The EHR API's service account: steady reads in its PHI namespace, including its own secret.
        for _ in 0..(30 + rng.below(15)) {
            let t = hs + rng.below(HOUR as u64) as i64;
            let (res, name) = rng.pick(&[
                ("configmaps", "ehr-settings"),
                ("secrets", "db-credentials"),
                ("pods", ""),
            ]);
            let mut e = Ev::new(
                t,
                "system:serviceaccount:ehr:ehr-api",
                "get",
                res,
                "ehr",
                name,
            );
            if res == "pods" {
                e.verb = "list";
            }
            e.ip = "10.0.4.21".into();
            e.agent = "ehr-api/2.4.1";
            evs.push((e, vec![], false));
        }
        // Monitoring lists everything everywhere.
        for _ in 0..20 {
            let t = hs + rng.below(HOUR as u64) as i64;
            let mut e = Ev::new(
                t,
                "system:serviceaccount:monitoring:prometheus",
                "list",
                rng.pick(&["pods", "services", "endpoints"]),
                rng.pick(&["web", "monitoring", "kube-system"]),
                "",
            );
            e.ip = "10.0.5.3".into();
            e.agent = "prometheus/2.53.0";
            evs.push((e, vec![], false));
        }
        // A CI deployer rolls out the web tier.
        if hour_of_day == 10 && weekday < 5 {
            let mut e = Ev::new(
                hs + 5 * MIN,
                "system:serviceaccount:ci:deployer",
                "patch",
                "deployments",
                "web",
                "frontend",
            );
            e.group = "apps";
            e.agent = "argocd-application-controller/v2.12";
            evs.push((e, vec![], false));
        }
        // People working office hours: reading pods and logs, the odd denied request.
        if office {
            for p in people {
                for _ in 0..(4 + rng.below(6)) {
                    let t = hs + rng.below(HOUR as u64) as i64;
                    let ns = rng.pick(&["ehr", "web", "pacs-archive"]);
                    let mut e = Ev::new(
                        t,
                        p,
                        rng.pick(&["get", "list"]),
                        rng.pick(&["pods", "deployments", "events"]),
                        ns,
                        "",
                    );
                    if e.resource == "deployments" {
                        e.group = "apps";
                    }
                    if rng.below(12) == 0 {
                        e.code = 403;
                    }
                    e.ip = format!("10.8.0.{}", 20 + p.len());
                    evs.push((e, vec![], false));
                }
                if rng.below(4) == 0 {
                    let mut e = Ev::new(
                        hs + rng.below(HOUR as u64) as i64,
                        p,
                        "get",
                        "pods",
                        "ehr",
                        rng.pick(&pods),
                    );
                    e.subresource = "log";
                    evs.push((e, vec![], false));
                }
            }
        }
    }

    if hours >= 132 {
        inject(&mut evs, start, &mut rng);
    }

    evs.sort_by_key(|(e, _, _)| e.t);
    let mut lines = Vec::with_capacity(evs.len());
    let mut expected = Vec::new();
    let mut burst = (0u64, 0u64);
    for (i, (e, codes, in_burst)) in evs.iter().enumerate() {
        let line = i as u64 + 1;
        let id = rng.uuid();
        lines.push(e.json(&id));
        for c in codes {
            expected.push(Expected {
                code: c,
                first: line,
                last: line,
            });
        }
        if *in_burst {
            if burst.0 == 0 {
                burst.0 = line;
            }
            burst.1 = line;
        }
    }
    // Stages of one request share an auditID.
    relink_stages(&mut lines, &evs);
    if burst.0 > 0 {
        expected.push(Expected {
            code: "AL014",
            first: burst.0,
            last: burst.1,
        });
    }
    expected.sort_by(|a, b| (a.first, a.code).cmp(&(b.first, b.code)));
    Stream { lines, expected }
}

/// Gives each ResponseStarted event and its matching ResponseComplete (same user, verb, resource, next in time)
/// the same auditID.
fn relink_stages(lines: &mut [String], evs: &[(Ev, Vec<&'static str>, bool)]) {
    let mut open: std::collections::HashMap<(String, &str, &str, String, i64), usize> =
        Default::default();
    for (i, (e, _, _)) in evs.iter().enumerate() {
        if e.stage == "ResponseStarted" {
            open.insert(
                (e.user.clone(), e.verb, e.resource, e.namespace.clone(), e.t),
                i,
            );
        }
    }
    for (i, (e, _, _)) in evs.iter().enumerate() {
        if e.stage != "ResponseComplete" {
            continue;
        }
        let key = (
            e.user.clone(),
            e.verb,
            e.resource,
            e.namespace.clone(),
            e.t - 5 * MIN,
        );
        if let Some(&s) = open.get(&key) {
            let started: Value = serde_json::from_str(&lines[s]).unwrap_or(Value::Null);
            let mut done: Value = serde_json::from_str(&lines[i]).unwrap_or(Value::Null);
            if let (Some(id), true) = (started.get("auditID").cloned(), done.is_object()) {
                done["auditID"] = id;
                lines[i] = done.to_string();
            }
        }
    }
}

fn inject(evs: &mut Vec<(Ev, Vec<&'static str>, bool)>, start: i64, rng: &mut Rng) {
    let at = |day: i64, h: i64, m: i64| start + day * 24 * HOUR + h * HOUR + m * MIN;
    let mut push = |e: Ev, codes: Vec<&'static str>| evs.push((e, codes, false));

    // Tuesday 09:10: mallory probes for secrets, 12 denials in a minute from one address: AL001 and AL002 at the 10th.
    for i in 0..12 {
        let mut e = Ev::new(
            at(1, 9, 10) + i * 5 * SEC,
            "mallory@clinic.example",
            "get",
            "secrets",
            "ehr",
            "db-credentials",
        );
        e.code = 403;
        e.ip = "198.51.100.7".into();
        push(
            e,
            if i == 9 {
                vec!["AL001", "AL002"]
            } else {
                vec![]
            },
        );
    }
    // Tuesday 14:00: token guessing without a user, 10 x 401 in 2 minutes: AL002 at the 10th.
    for i in 0..10 {
        let mut e = Ev::new(at(1, 14, 0) + i * 12 * SEC, "", "list", "pods", "", "");
        e.code = 401;
        e.ip = "203.0.113.9".into();
        e.stage = "ResponseStarted";
        e.agent = "curl/8.5.0";
        push(e, if i == 9 { vec!["AL002"] } else { vec![] });
    }
    // Wednesday 11:00: an allowed anonymous request.
    {
        let mut e = Ev::new(
            at(2, 11, 0),
            "system:anonymous",
            "list",
            "pods",
            "default",
            "",
        );
        e.ip = "203.0.113.50".into();
        push(e, vec!["AL003"]);
    }
    // Wednesday 11:20: a person lists secrets in the PHI namespace; a web service account reads one.
    push(
        Ev::new(
            at(2, 11, 20),
            "alice@clinic.example",
            "list",
            "secrets",
            "ehr",
            "",
        ),
        vec!["AL004"],
    );
    {
        let mut e = Ev::new(
            at(2, 11, 25),
            "system:serviceaccount:web:frontend",
            "get",
            "secrets",
            "ehr",
            "db-credentials",
        );
        e.ip = "10.0.6.8".into();
        push(e, vec!["AL004"]);
    }
    // Wednesday 13:00: exec over WebSocket (GET, two stages, one alert) and a port-forward.
    {
        let mut e = Ev::new(
            at(2, 13, 0),
            "bob@clinic.example",
            "get",
            "pods",
            "ehr",
            "ehr-db-0",
        );
        e.subresource = "exec";
        e.code = 101;
        e.stage = "ResponseStarted";
        e.uri =
            Some("/api/v1/namespaces/ehr/pods/ehr-db-0/exec?command=sh&stdin=true&tty=true".into());
        let mut done = e.clone();
        push(e, vec!["AL005"]);
        done.stage = "ResponseComplete";
        done.t += 5 * MIN;
        push(done, vec![]);
        let mut pf = Ev::new(
            at(2, 13, 30),
            "bob@clinic.example",
            "create",
            "pods",
            "pacs-archive",
            "orthanc-0",
        );
        pf.subresource = "portforward";
        pf.code = 101;
        push(pf, vec!["AL005"]);
        // Exec into a non-PHI namespace: not reported.
        let mut web = Ev::new(
            at(2, 13, 40),
            "bob@clinic.example",
            "create",
            "pods",
            "web",
            "frontend-0",
        );
        web.subresource = "exec";
        web.code = 101;
        push(web, vec![]);
    }
    // Wednesday 15:00: RBAC.
    {
        let mut e = Ev::new(
            at(2, 15, 0),
            "bob@clinic.example",
            "create",
            "clusterrolebindings",
            "",
            "bob-admin",
        );
        e.group = "rbac.authorization.k8s.io";
        e.code = 201;
        e.body = Some(
            json!({"kind": "ClusterRoleBinding", "metadata": {"name": "bob-admin"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"kind": "User", "name": "bob@clinic.example"}]}),
        );
        push(e, vec!["AL006", "AL007"]);
        let mut r = Ev::new(
            at(2, 15, 5),
            "bob@clinic.example",
            "create",
            "clusterroles",
            "",
            "secret-reader",
        );
        r.group = "rbac.authorization.k8s.io";
        r.code = 201;
        r.body = Some(
            json!({"kind": "ClusterRole", "metadata": {"name": "secret-reader",
            "labels": {"rbac.authorization.k8s.io/aggregate-to-edit": "true"}},
            "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}]}),
        );
        push(r, vec!["AL006", "AL008"]);
        let mut u = Ev::new(
            at(2, 15, 10),
            "carol@clinic.example",
            "patch",
            "roles",
            "ehr",
            "ehr-readers",
        );
        u.group = "rbac.authorization.k8s.io";
        push(u, vec!["AL006"]);
        // Denied RBAC change: not an RBAC change.
        let mut d = Ev::new(
            at(2, 15, 12),
            "carol@clinic.example",
            "delete",
            "roles",
            "ehr",
            "ehr-readers",
        );
        d.group = "rbac.authorization.k8s.io";
        d.code = 403;
        push(d, vec![]);
    }
    // Wednesday 16:00: admission and phiguard itself.
    {
        let mut w = Ev::new(
            at(2, 16, 0),
            "bob@clinic.example",
            "delete",
            "validatingwebhookconfigurations",
            "",
            "phiguard",
        );
        w.group = "admissionregistration.k8s.io";
        push(w, vec!["AL009"]);
        let mut p = Ev::new(
            at(2, 16, 2),
            "bob@clinic.example",
            "patch",
            "deployments",
            "phiguard-system",
            "phiguard",
        );
        p.group = "apps";
        push(p, vec!["AL010"]);
        let mut n = Ev::new(
            at(2, 16, 4),
            "bob@clinic.example",
            "delete",
            "networkpolicies",
            "ehr",
            "default-deny",
        );
        n.group = "networking.k8s.io";
        push(n, vec!["AL011"]);
        // A NetworkPolicy change outside PHI namespaces: not reported.
        let mut n2 = Ev::new(
            at(2, 16, 6),
            "carol@clinic.example",
            "create",
            "networkpolicies",
            "web",
            "allow-ingress",
        );
        n2.group = "networking.k8s.io";
        push(n2, vec![]);
    }
    // Thursday 10:00: impersonation.
    {
        let mut e = Ev::new(
            at(3, 10, 0),
            "carol@clinic.example",
            "get",
            "pods",
            "web",
            "",
        );
        e.impersonate = Some("system:admin");
        push(e, vec!["AL012"]);
    }
    // Thursday 12:00: the EHR API's service account reads far more than its own normal.
    for i in 0..400 {
        let e = Ev::new(
            at(3, 12, 0) + i * 4 * SEC,
            "system:serviceaccount:ehr:ehr-api",
            "get",
            "configmaps",
            "ehr",
            "ehr-settings",
        );
        evs.push((e, vec![], true));
    }
    // Saturday 02:00: alice in the PHI namespace at night, twice (one alert for the day).
    let mut push = |e: Ev, codes: Vec<&'static str>| evs.push((e, codes, false));
    push(
        Ev::new(
            at(5, 2, 0),
            "alice@clinic.example",
            "get",
            "pods",
            "ehr",
            "",
        ),
        vec!["AL013"],
    );
    push(
        Ev::new(
            at(5, 2, 3),
            "alice@clinic.example",
            "list",
            "pods",
            "ehr",
            "",
        ),
        vec![],
    );
    let _ = rng.next();
}
