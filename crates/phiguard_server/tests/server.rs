#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The webhook over real TLS sockets on loopback, with a certificate authority generated for each test.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use phiguard_server::{Options, Server};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

/// A test certificate authority and a serving certificate for localhost signed by it.
struct Pki {
    ca_pem: String,
    cert_pem: String,
    key_pem: String,
}

fn pki(name: &str) -> Pki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, format!("phiguard test CA {name}"));
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        cert_pem: leaf_cert.pem(),
        key_pem: leaf_key.serialize_pem(),
    }
}

/// A running server on 127.0.0.1 with its files in a temporary directory.
struct Running {
    addr: SocketAddr,
    dir: tempfile::TempDir,
    ca_pem: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn client(&self) -> reqwest::Client {
        client_for(&self.ca_pem, self.addr)
    }
    fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.addr.port())
    }
    async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.task.await.unwrap();
    }
}

fn client_for(ca_pem: &str, addr: SocketAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .resolve("localhost", addr)
        .build()
        .unwrap()
}

async fn start_with(
    config: Option<&str>,
    tweak: impl FnOnce(&mut Options),
    routes: impl FnOnce(Server) -> Server,
) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let p = pki("one");
    std::fs::write(dir.path().join("tls.crt"), &p.cert_pem).unwrap();
    std::fs::write(dir.path().join("tls.key"), &p.key_pem).unwrap();
    let mut options = Options::new(
        "127.0.0.1:0".parse().unwrap(),
        dir.path().join("tls.crt"),
        dir.path().join("tls.key"),
    );
    if let Some(c) = config {
        std::fs::write(dir.path().join("phiguard.toml"), c).unwrap();
        options.config = Some(dir.path().join("phiguard.toml"));
    }
    options.reload_interval = Duration::from_millis(100);
    tweak(&mut options);
    let server = routes(Server::new(options).unwrap());
    let listener = server.bind().await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        server
            .serve(
                listener,
                async {
                    let _ = rx.await;
                },
                std::future::pending::<()>,
            )
            .await
            .unwrap();
    });
    Running {
        addr,
        dir,
        ca_pem: p.ca_pem,
        stop: Some(tx),
        task,
    }
}

async fn start(config: Option<&str>) -> Running {
    start_with(config, |_| {}, |s| s).await
}

fn insecure_pod_spec() -> Value {
    json!({"containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]})
}

fn hardened_pod_spec() -> Value {
    json!({
        "serviceAccountName": "app",
        "automountServiceAccountToken": false,
        "securityContext": {
            "runAsNonRoot": true, "runAsUser": 65532, "runAsGroup": 65532,
            "seccompProfile": {"type": "RuntimeDefault"},
            "appArmorProfile": {"type": "RuntimeDefault"}
        },
        "containers": [{
            "name": "app",
            "image": "registry.example.org/app:1.2.3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}},
            "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "128Mi"}},
            "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8443}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8443}}
        }]
    })
}

/// An object of a workload kind around a pod spec.
fn workload(kind: &str, spec: Value) -> Value {
    let template = json!({"metadata": {"labels": {"app": "x"}}, "spec": spec});
    let selector = json!({"matchLabels": {"app": "x"}});
    let (api, body) = match kind {
        "Pod" => ("v1", spec),
        "Deployment" | "StatefulSet" | "ReplicaSet" => (
            "apps/v1",
            json!({"replicas": 2, "selector": selector, "template": template}),
        ),
        "DaemonSet" => (
            "apps/v1",
            json!({"selector": selector, "template": template}),
        ),
        "ReplicationController" => (
            "v1",
            json!({"replicas": 2, "selector": {"app": "x"}, "template": template}),
        ),
        "Job" => ("batch/v1", json!({"template": template})),
        "CronJob" => (
            "batch/v1",
            json!({"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": template}}}),
        ),
        other => panic!("unknown kind {other}"),
    };
    json!({"apiVersion": api, "kind": kind, "metadata": {"name": "web", "labels": {"app": "x"}}, "spec": body})
}

fn review(operation: &str, object: Option<Value>, old: Option<Value>) -> Value {
    let kind = object
        .as_ref()
        .or(old.as_ref())
        .and_then(|o| o["kind"].as_str())
        .unwrap_or("Pod")
        .to_string();
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": "", "version": "v1", "kind": kind},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "requestKind": {"group": "", "version": "v1", "kind": kind},
            "name": "web",
            "namespace": "clinic",
            "operation": operation,
            "userInfo": {"username": "admin", "groups": ["system:authenticated"]},
            "object": object,
            "oldObject": old,
            "dryRun": false,
            "options": null
        }
    })
}

async fn post(r: &Running, body: &Value) -> (u16, Value) {
    let resp = r
        .client()
        .post(r.url("/validate"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

const KINDS: [&str; 8] = [
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_workload_kind_is_judged_over_tls() {
    let r = start(None).await;
    for kind in KINDS {
        let (status, body) = post(
            &r,
            &review("CREATE", Some(workload(kind, insecure_pod_spec())), None),
        )
        .await;
        assert_eq!(status, 200, "{kind}: {body}");
        let resp = &body["response"];
        assert_eq!(resp["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
        assert_eq!(resp["allowed"], false, "{kind} must be denied: {body}");
        assert_eq!(resp["status"]["code"], 403);
        let msg = resp["status"]["message"].as_str().unwrap();
        assert!(msg.contains("PS001"), "{kind}: {msg}");
        assert!(msg.contains("securityContext.privileged"), "{kind}: {msg}");
        assert!(msg.contains("Fix: "), "{kind}: {msg}");
        assert!(msg.contains(&format!("{kind}/clinic/web")), "{kind}: {msg}");

        let (status, body) = post(
            &r,
            &review("CREATE", Some(workload(kind, hardened_pod_spec())), None),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            body["response"]["allowed"], true,
            "{kind} must be allowed: {body}"
        );
        assert!(body["response"].get("warnings").is_none(), "{kind}: {body}");
    }
    r.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lower_findings_are_warnings_and_audit_only_never_denies() {
    let r = start(Some("[admission]\ndeny-on = \"critical\"\n")).await;
    let mut spec = hardened_pod_spec();
    spec["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = json!(false);
    let (_, body) = post(
        &r,
        &review("CREATE", Some(workload("Deployment", spec)), None),
    )
    .await;
    assert_eq!(body["response"]["allowed"], true, "{body}");
    let warnings = body["response"]["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("PS015")),
        "{body}"
    );
    r.stop().await;

    let r = start(Some("[admission]\naudit-only = true\n")).await;
    let (_, body) = post(
        &r,
        &review("CREATE", Some(workload("Pod", insecure_pod_spec())), None),
    )
    .await;
    assert_eq!(body["response"]["allowed"], true, "{body}");
    assert_eq!(body["response"]["auditAnnotations"]["decision"], "audit");
    let warnings = body["response"]["warnings"].as_array().unwrap();
    assert!(
        warnings[0]
            .as_str()
            .unwrap()
            .starts_with("audit-only, would deny: PS001"),
        "{body}"
    );
    r.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_delete_dry_run_and_subresources() {
    let r = start(Some("[admission]\nallow-existing-on-update = true\n")).await;
    let old = workload("Deployment", insecure_pod_spec());
    let mut new = old.clone();
    new["metadata"]["labels"]["team"] = json!("records");
    // An unrelated change keeps the existing violation, which is reported but not denied.
    let (_, body) = post(&r, &review("UPDATE", Some(new.clone()), Some(old.clone()))).await;
    assert_eq!(body["response"]["allowed"], true, "{body}");
    let warnings = body["response"]["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w
        .as_str()
        .unwrap()
        .starts_with("already present, not denied on update: PS001")));
    // A new violation in the same update is denied.
    new["spec"]["template"]["spec"]["hostPID"] = json!(true);
    let (_, body) = post(&r, &review("UPDATE", Some(new), Some(old.clone()))).await;
    assert_eq!(body["response"]["allowed"], false, "{body}");
    assert!(body["response"]["status"]["message"]
        .as_str()
        .unwrap()
        .contains("PS008"));

    // DELETE carries only the old object.
    let (status, body) = post(&r, &review("DELETE", None, Some(old.clone()))).await;
    assert_eq!(status, 200);
    assert_eq!(body["response"]["allowed"], true, "{body}");

    // dryRun: the same decision, counted as a dry run.
    let mut dry = review("CREATE", Some(workload("Pod", insecure_pod_spec())), None);
    dry["request"]["dryRun"] = json!(true);
    let (_, body) = post(&r, &dry).await;
    assert_eq!(body["response"]["allowed"], false, "{body}");
    let metrics = r
        .client()
        .get(r.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains(
        "phiguard_admission_decisions_total{decision=\"denied\",namespace=\"clinic\",operation=\"CREATE\",dry_run=\"true\"} 1"
    ), "{metrics}");

    // status and scale do not change the pod template; ephemeral containers do.
    let mut status_update = review("UPDATE", Some(old.clone()), Some(old.clone()));
    status_update["request"]["subResource"] = json!("status");
    let (_, body) = post(&r, &status_update).await;
    assert_eq!(body["response"]["allowed"], true, "{body}");
    assert_eq!(body["response"]["auditAnnotations"]["decision"], "skipped");
    let pod = workload("Pod", hardened_pod_spec());
    let mut with_debug = pod.clone();
    with_debug["spec"]["ephemeralContainers"] =
        json!([{"name": "debug", "image": "busybox", "securityContext": {"privileged": true}}]);
    let mut eph = review("UPDATE", Some(with_debug), Some(pod));
    eph["request"]["subResource"] = json!("ephemeralcontainers");
    let (_, body) = post(&r, &eph).await;
    assert_eq!(body["response"]["allowed"], false, "{body}");
    assert!(body["response"]["status"]["message"]
        .as_str()
        .unwrap()
        .contains("spec.ephemeralContainers[0].securityContext.privileged"));
    r.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_reviews_get_clear_errors() {
    let r = start_with(None, |o| o.body_limit = 64 * 1024, |s| s).await;
    let c = r.client();
    let send = |body: Vec<u8>| {
        let c = c.clone();
        let url = r.url("/validate");
        async move {
            let resp = c
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = send(b"{\"apiVersion\": \"admission.k8s.io/v1\", ".to_vec()).await;
    assert_eq!(status, 400);
    assert_eq!(body["kind"], "AdmissionReview");
    assert_eq!(body["response"]["allowed"], false);
    assert!(body["response"]["status"]["message"]
        .as_str()
        .unwrap()
        .contains("malformed AdmissionReview"));

    let mut old = review("CREATE", Some(workload("Pod", insecure_pod_spec())), None);
    old["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let (status, body) = send(serde_json::to_vec(&old).unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["response"]["uid"],
        "705ab4f5-6393-11e8-b7cc-42010a800002"
    );
    assert!(body["response"]["status"]["message"]
        .as_str()
        .unwrap()
        .contains("unsupported apiVersion"));

    let mut bad_object = review("CREATE", None, None);
    bad_object["request"]["object"] = json!({"spec": {}});
    let (status, body) = send(serde_json::to_vec(&bad_object).unwrap()).await;
    assert_eq!(status, 400);
    assert!(body["response"]["status"]["message"]
        .as_str()
        .unwrap()
        .contains("not a Kubernetes object"));

    let (status, _) = send(serde_json::to_vec(&review("CREATE", None, None)).unwrap()).await;
    assert_eq!(status, 400);
    let (status, _) = send(
        serde_json::to_vec(&review(
            "PATCH",
            Some(workload("Pod", hardened_pod_spec())),
            None,
        ))
        .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = send(b"[1, 2, 3]".to_vec()).await;
    assert_eq!(status, 400);
    let (status, _) = send(Vec::new()).await;
    assert_eq!(status, 400);

    // Oversized: announced by Content-Length, and streamed without one.
    let mut big = review("CREATE", Some(workload("Pod", insecure_pod_spec())), None);
    big["request"]["object"]["metadata"]["annotations"] = json!({"pad": "x".repeat(100 * 1024)});
    let (status, body) = send(serde_json::to_vec(&big).unwrap()).await;
    assert_eq!(status, 413);
    assert!(body["response"]["status"]["message"]
        .as_str()
        .unwrap()
        .contains("larger than the limit"));
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..40).map(|_| Ok(vec![b' '; 4096])).collect();
    let resp = c
        .post(r.url("/validate"))
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);

    // Health and readiness.
    assert_eq!(
        c.get(r.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        c.get(r.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        c.get(r.url("/validate"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        405
    );
    r.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_request_times_out_with_an_answer() {
    let r = start_with(
        None,
        |o| o.request_timeout = Duration::from_millis(300),
        |s| s,
    )
    .await;
    // Announce a body and never finish it: the server answers instead of waiting forever.
    let mut stream = tls_connect(&r.ca_pem, r.addr).await;
    stream
        .write_all(b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"apiVersion\":")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("did not complete within 300 ms"), "{text}");
    r.stop().await;
}

async fn tls_connect(
    ca_pem: &str,
    addr: SocketAddr,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls_pemfile::certs(&mut ca_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS12])
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    connector
        .connect(
            rustls::pki_types::ServerName::try_from("localhost").unwrap(),
            tcp,
        )
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_1_2_is_accepted_and_untrusted_clients_fail() {
    let r = start(None).await;
    // A TLS 1.2-only client completes the handshake and gets an answer.
    let mut s = tls_connect(&r.ca_pem, r.addr).await;
    assert_eq!(
        s.get_ref().1.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
    );
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"));
    // A client that trusts another CA refuses the server's certificate.
    let other = pki("other");
    assert!(client_for(&other.ca_pem, r.addr)
        .get(r.url("/healthz"))
        .send()
        .await
        .is_err());
    r.stop().await;
}

async fn wait_for(mut check: impl FnMut() -> bool) {
    for _ in 0..600 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not reached within 30 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_rotation_during_traffic_drops_nothing() {
    let r = start(None).await;
    let old_client = r.client();
    // Warm one keep-alive connection with the first certificate.
    let body = review(
        "CREATE",
        Some(workload("Deployment", hardened_pod_spec())),
        None,
    );
    assert_eq!(
        old_client
            .post(r.url("/validate"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );

    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let mut traffic = Vec::new();
    for _ in 0..4 {
        let (c, url, body, stop, ok, failed) = (
            old_client.clone(),
            r.url("/validate"),
            body.clone(),
            stop.clone(),
            ok.clone(),
            failed.clone(),
        );
        traffic.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                match c.post(&url).json(&body).send().await {
                    Ok(resp) if resp.status().as_u16() == 200 => {
                        let _ = resp.bytes().await;
                        ok.fetch_add(1, Ordering::SeqCst);
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        }));
    }
    wait_for(|| ok.load(Ordering::SeqCst) > 20).await;

    // Rotate to a certificate from a new CA, key first then certificate, as a non-atomic writer would.
    let next = pki("two");
    std::fs::write(r.path("tls.key"), &next.key_pem).unwrap();
    std::fs::write(r.path("tls.crt"), &next.cert_pem).unwrap();
    let new_client = client_for(&next.ca_pem, r.addr);
    let url = r.url("/healthz");
    let mut rotated = false;
    for _ in 0..600 {
        if new_client.get(&url).send().await.is_ok() {
            rotated = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(rotated, "the new certificate was never served");
    let before = ok.load(Ordering::SeqCst);
    wait_for(|| ok.load(Ordering::SeqCst) > before + 20).await;
    stop.store(true, Ordering::SeqCst);
    for t in traffic {
        t.await.unwrap();
    }
    assert_eq!(
        failed.load(Ordering::SeqCst),
        0,
        "requests on established connections failed"
    );
    // New handshakes no longer present the old certificate.
    assert!(client_for(&r.ca_pem, r.addr)
        .get(&url)
        .send()
        .await
        .is_err());
    let metrics = new_client
        .get(r.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("phiguard_reloads_total{what=\"certificate\",result=\"ok\"}"),
        "{metrics}"
    );
    r.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_changes_are_picked_up_and_bad_ones_rejected() {
    let r = start(Some("[admission]\ndeny-on = \"critical\"\n")).await;
    let mut spec = hardened_pod_spec();
    spec["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = json!(false);
    let body = review("CREATE", Some(workload("Deployment", spec)), None);
    let (_, resp) = post(&r, &body).await;
    assert_eq!(resp["response"]["allowed"], true);

    // A broken file keeps the previous policy.
    std::fs::write(
        r.path("phiguard.toml"),
        "[admission]\ndeny-on = \"sometimes\"\n",
    )
    .unwrap();
    let client = r.client();
    let metrics_url = r.url("/metrics");
    let mut seen_error = false;
    for _ in 0..600 {
        let m = client
            .get(&metrics_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if m.contains("what=\"config\",result=\"error\"") {
            seen_error = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(seen_error);
    let (_, resp) = post(&r, &body).await;
    assert_eq!(resp["response"]["allowed"], true);

    std::fs::write(
        r.path("phiguard.toml"),
        "[admission]\ndeny-on = \"medium\"\n",
    )
    .unwrap();
    let mut denied = false;
    for _ in 0..600 {
        let (_, resp) = post(&r, &body).await;
        if resp["response"]["allowed"] == false {
            denied = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(denied, "the new configuration was never applied");
    r.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exempt_namespaces_and_added_routes() {
    let r = start_with(
        Some("[admission]\nexempt-namespaces = [\"clin*\"]\n"),
        |_| {},
        |s| {
            s.route(
                "/audit",
                axum::routing::post(|body: axum::body::Bytes| async move {
                    format!("received {} bytes\n", body.len())
                }),
            )
        },
    )
    .await;
    let (_, body) = post(
        &r,
        &review("CREATE", Some(workload("Pod", insecure_pod_spec())), None),
    )
    .await;
    assert_eq!(body["response"]["allowed"], true, "{body}");
    assert_eq!(body["response"]["auditAnnotations"]["decision"], "skipped");
    let resp = r
        .client()
        .post(r.url("/audit"))
        .body("abc")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.text().await.unwrap(), "received 3 bytes\n");
    let metrics = r
        .client()
        .get(r.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("phiguard_http_requests_total{route=\"/audit\",code=\"200\"} 1"),
        "{metrics}"
    );
    r.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_reviews_within_the_limit_are_judged() {
    let r = start(None).await;
    let mut big = review(
        "CREATE",
        Some(workload("Deployment", insecure_pod_spec())),
        None,
    );
    big["request"]["object"]["metadata"]["annotations"] = json!({"notes": "x".repeat(512 * 1024)});
    let (status, body) = post(&r, &big).await;
    assert_eq!(status, 200);
    assert_eq!(body["response"]["allowed"], false);
    assert!(body["response"]["status"]["message"]
        .as_str()
        .unwrap()
        .contains("PS001"));
    r.stop().await;
}
