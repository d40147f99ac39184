//! phiguard_server: the HTTPS transport of `phiguard serve`.
//!
//! Routes: `POST /validate` (admission.k8s.io/v1 validating webhook), `GET /metrics` (Prometheus text),
//! `GET /healthz`, `GET /readyz`. The decision itself is [`phiguard_core::admission::decide`], the same engine
//! as `phiguard scan`. More routes (for instance an audit-log sink) are added with [`Server::route`] and share
//! the [`AppState`]: the policy, the metrics and the request limits.
//!
//! The certificate, the key and `phiguard.toml` are re-read when their files change (polled) or on
//! [`Server::reload`] (SIGHUP in the binary); a file that fails to load keeps the previous version in use.
//! [`Server::run`] stops on its shutdown future: readiness turns false, the listener keeps accepting for the
//! configured delay (so load balancers can notice), then closes, and in-flight requests are drained.

pub mod metrics;
pub mod review;
pub mod tls;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use phiguard_core::admission::Policy;
use phiguard_core::rules::CATALOG;
use phiguard_core::settings::{Date, Settings};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub use axum;
pub use metrics::Metrics;
pub use tls::CertStore;

/// Errors that stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("TLS: {0}")]
    Tls(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Options {
    pub addr: SocketAddr,
    pub cert: PathBuf,
    pub key: PathBuf,
    /// phiguard.toml; default settings without one.
    pub config: Option<PathBuf>,
    /// Largest request body accepted.
    pub body_limit: usize,
    /// Time allowed for one request, from its first byte to its answer.
    pub request_timeout: Duration,
    /// How often the certificate, key and configuration files are checked for changes.
    pub reload_interval: Duration,
    /// After shutdown is requested: time to keep accepting while readiness reports not ready.
    pub shutdown_delay: Duration,
    /// Then: the longest wait for in-flight requests.
    pub drain_timeout: Duration,
}

impl Options {
    pub fn new(addr: SocketAddr, cert: PathBuf, key: PathBuf) -> Options {
        Options {
            addr,
            cert,
            key,
            config: None,
            // The Kubernetes API server's own request limit is 3 MiB.
            body_limit: 3 * 1024 * 1024,
            request_timeout: Duration::from_secs(5),
            reload_interval: Duration::from_secs(5),
            shutdown_delay: Duration::from_secs(0),
            drain_timeout: Duration::from_secs(25),
        }
    }
}

/// Reads and validates phiguard.toml into an admission policy.
pub fn load_policy(path: Option<&Path>) -> Result<(Policy, Vec<u8>), ServerError> {
    match path {
        None => Ok((Policy::new(Settings::default()), Vec::new())),
        Some(p) => {
            let bytes = std::fs::read(p)
                .map_err(|e| ServerError::Config(format!("{}: {e}", p.display())))?;
            let text = String::from_utf8(bytes.clone())
                .map_err(|_| ServerError::Config(format!("{}: not UTF-8", p.display())))?;
            let settings = Settings::from_toml(&p.display().to_string(), &text, &CATALOG)
                .map_err(|e| ServerError::Config(e.to_string()))?;
            Ok((Policy::new(settings), bytes))
        }
    }
}

/// Called with every admission decision (after the answer is computed), for instance to record it as evidence.
/// It runs on the request path and must not block.
pub type DecisionSink = Arc<dyn Fn(&review::Outcome) + Send + Sync>;

struct SinkSlot(OnceLock<DecisionSink>);

impl std::fmt::Debug for SinkSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "DecisionSink(set)"
        } else {
            "DecisionSink(none)"
        })
    }
}

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    policy: RwLock<Arc<Policy>>,
    config_path: Option<PathBuf>,
    config_bytes: RwLock<Vec<u8>>,
    certs: Arc<CertStore>,
    pub metrics: Metrics,
    draining: AtomicBool,
    pub body_limit: usize,
    request_timeout: Duration,
    decision_sink: SinkSlot,
}

impl AppState {
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }
    /// The admission policy in force.
    pub fn policy(&self) -> Arc<Policy> {
        match self.0.policy.read() {
            Ok(p) => Arc::clone(&p),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }
    pub fn body_limit(&self) -> usize {
        self.0.body_limit
    }
    pub fn draining(&self) -> bool {
        self.0.draining.load(Ordering::SeqCst)
    }

    /// Re-reads phiguard.toml when it changed (or always, with `force`). Errors keep the old policy.
    pub fn reload_config(&self, force: bool) {
        let Some(path) = &self.0.config_path else {
            return;
        };
        let current = std::fs::read(path).ok();
        let unchanged = match (&current, self.0.config_bytes.read()) {
            (Some(now), Ok(old)) => *now == *old,
            _ => false,
        };
        if unchanged && !force {
            return;
        }
        match load_policy(Some(path)) {
            Ok((policy, bytes)) => {
                if let Ok(mut p) = self.0.policy.write() {
                    *p = Arc::new(policy);
                }
                if let Ok(mut b) = self.0.config_bytes.write() {
                    *b = bytes;
                }
                self.0.metrics.reload("config", "ok");
                tracing::info!(config = %path.display(), "configuration reloaded");
            }
            Err(e) => {
                // Remember the bad bytes so the same error is not logged on every poll.
                if let (Some(now), Ok(mut b)) = (current, self.0.config_bytes.write()) {
                    *b = now;
                }
                self.0.metrics.reload("config", "error");
                tracing::error!(error = %e, "configuration reload failed; the previous configuration stays in force");
            }
        }
    }

    /// Re-reads the certificate and key when they changed.
    pub fn reload_certificate(&self) {
        match self.0.certs.reload_if_changed() {
            Ok(true) => {
                self.0.metrics.reload("certificate", "ok");
                tracing::info!("certificate reloaded");
            }
            Ok(false) => {}
            Err(e) => {
                self.0.metrics.reload("certificate", "error");
                tracing::warn!(error = %e, "certificate reload failed; the previous certificate stays in use");
            }
        }
    }
}

/// Reviews up to this size are judged on the connection's own task.
const INLINE_REVIEW_BYTES: usize = 64 * 1024;

/// Reports a request that does not fit the limits as an AdmissionReview error.
fn review_error(status: StatusCode, message: &str) -> Response {
    let body = review::error_review("", status.as_u16(), message);
    (status, axum::Json(body)).into_response()
}

async fn validate(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let limit = state.body_limit();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        state.metrics().decision("error", "", "", false);
        return review_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("request body is larger than the limit of {limit} bytes"),
        );
    }
    let bytes: Bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(e) => {
            state.metrics().decision("error", "", "", false);
            let mut too_large = false;
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(c) = cause {
                too_large |= c.is::<http_body_util::LengthLimitError>();
                cause = c.source();
            }
            return if too_large {
                review_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!("request body is larger than the limit of {limit} bytes"),
                )
            } else {
                review_error(
                    StatusCode::BAD_REQUEST,
                    &format!("could not read the request body: {e}"),
                )
            };
        }
    };
    let policy = state.policy();
    // A typical review (a few KiB) is judged in well under a millisecond, faster in place than handed to another
    // thread. Large ones run on the blocking pool, so they cannot stall other connections and the request
    // timeout can answer while they run.
    let judged = if bytes.len() <= INLINE_REVIEW_BYTES {
        Ok(review::handle(&policy, &bytes, Date::today()))
    } else {
        tokio::task::spawn_blocking(move || review::handle(&policy, &bytes, Date::today())).await
    };
    let (body, outcome) = match judged {
        Ok(r) => r,
        Err(e) => {
            state.metrics().decision("error", "", "", false);
            tracing::error!(error = %e, "admission review task failed");
            return review_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error while judging the review",
            );
        }
    };
    record(&state, &outcome, started.elapsed());
    let status = StatusCode::from_u16(outcome.http_status).unwrap_or(StatusCode::OK);
    (status, axum::Json::<Value>(body)).into_response()
}

fn record(state: &AppState, o: &review::Outcome, elapsed: Duration) {
    let m = state.metrics();
    m.observe(elapsed);
    m.decision(o.decision, &o.namespace, &o.operation, o.dry_run);
    let mut codes = Vec::new();
    if let Some(d) = &o.decision_detail {
        for (list, effect) in [
            (&d.denying, "deny"),
            (&d.warnings, "warn"),
            (&d.preexisting, "preexisting"),
            (&d.waived, "waived"),
        ] {
            for f in list {
                m.finding(f.code, &o.namespace, effect);
                codes.push(f.code);
            }
        }
    }
    codes.sort_unstable();
    codes.dedup();
    if let Some(sink) = state.0.decision_sink.0.get() {
        sink(o);
    }
    tracing::info!(
        uid = %o.uid,
        operation = %o.operation,
        kind = %o.kind,
        namespace = %o.namespace,
        name = %review::mask_identifiers(&o.name),
        dry_run = o.dry_run,
        decision = o.decision,
        codes = %codes.join(","),
        phi_scope = o.decision_detail.as_ref().is_some_and(|d| d.phi_scope),
        error = o.error.as_deref().unwrap_or(""),
        micros = elapsed.as_micros() as u64,
        "admission review"
    );
}

async fn metrics_route(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics().render(),
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.draining() {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response()
    } else {
        (StatusCode::OK, "ready\n").into_response()
    }
}

/// Per-request timeout and request counting, around every route.
async fn guard(
    State((state, extra_paths)): State<(AppState, Arc<[String]>)>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    let route = req.uri().path().to_string();
    let http1 = req.version() <= axum::http::Version::HTTP_11;
    let timeout = state.0.request_timeout;
    let mut response = match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => review_error(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("request did not complete within {} ms", timeout.as_millis()),
        ),
    };
    let known = matches!(
        route.as_str(),
        "/validate" | "/metrics" | "/healthz" | "/readyz"
    ) || extra_paths.contains(&route);
    state.metrics().request(
        if known { &route } else { "other" },
        response.status().as_u16(),
    );
    // While draining, HTTP/1.1 clients are told to open their next request on a new connection, which the
    // load balancer sends to a replica that is not shutting down. (HTTP/2 clients get a GOAWAY instead.)
    if http1 && state.draining() {
        response.headers_mut().insert(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        );
    }
    response
}

/// A configured server, ready to run.
pub struct Server {
    options: Options,
    state: AppState,
    extra: Router<AppState>,
    /// Paths added with [`Server::route`], counted by name in the request metrics.
    extra_paths: Vec<String>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("options", &self.options)
            .finish()
    }
}

impl Server {
    /// Loads the certificate, key and configuration; fails early on any of them.
    pub fn new(options: Options) -> Result<Server, ServerError> {
        let certs = CertStore::load(&options.cert, &options.key)?;
        let (policy, bytes) = load_policy(options.config.as_deref())?;
        let state = AppState(Arc::new(Inner {
            policy: RwLock::new(Arc::new(policy)),
            config_path: options.config.clone(),
            config_bytes: RwLock::new(bytes),
            certs,
            metrics: Metrics::default(),
            draining: AtomicBool::new(false),
            body_limit: options.body_limit,
            request_timeout: options.request_timeout,
            decision_sink: SinkSlot(OnceLock::new()),
        }));
        Ok(Server {
            options,
            state,
            extra: Router::new(),
            extra_paths: Vec::new(),
        })
    }

    /// Adds a route (for instance `POST /audit`) that shares the state, limits and metrics.
    pub fn route(mut self, path: &str, method_router: MethodRouter<AppState>) -> Server {
        self.extra = self.extra.route(path, method_router);
        self.extra_paths.push(path.to_string());
        self
    }

    /// Sets the function called with every admission decision (once; later calls are ignored).
    pub fn on_decision(self, sink: DecisionSink) -> Server {
        let _ = self.state.0.decision_sink.0.set(sink);
        self
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// The full router: built-in routes, added routes, timeout and metrics around them.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/validate", post(validate))
            .route("/metrics", get(metrics_route))
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .merge(self.extra.clone())
            .layer(axum::middleware::from_fn_with_state(
                (
                    self.state.clone(),
                    Arc::<[String]>::from(self.extra_paths.clone()),
                ),
                guard,
            ))
            .with_state(self.state.clone())
    }

    /// Binds the address. Separate from [`Server::serve`] so callers can learn the port (`127.0.0.1:0`).
    pub async fn bind(&self) -> Result<TcpListener, ServerError> {
        TcpListener::bind(self.options.addr)
            .await
            .map_err(|source| ServerError::Bind {
                addr: self.options.addr,
                source,
            })
    }

    /// Serves until `shutdown` completes, then drains. `reload` resolves each time a reload is requested.
    pub async fn serve<S, R, RF>(
        self,
        listener: TcpListener,
        shutdown: S,
        mut reload: R,
    ) -> Result<(), ServerError>
    where
        S: Future<Output = ()> + Send,
        R: FnMut() -> RF + Send + 'static,
        RF: Future<Output = ()> + Send + 'static,
    {
        let state = self.state.clone();
        let tls = Arc::new(self.state.0.certs.server_config()?);
        let acceptor = TlsAcceptor::from(tls);
        let app = self.router();
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.options.request_timeout);
        let builder = Arc::new(builder);
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();

        // File changes are polled; explicit reloads (SIGHUP) arrive through `reload`.
        let poll_state = state.clone();
        let interval = self.options.reload_interval;
        let poller = tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let s = poll_state.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    s.reload_certificate();
                    s.reload_config(false);
                })
                .await;
            }
        });
        let hup_state = state.clone();
        let hup = tokio::spawn(async move {
            loop {
                reload().await;
                let s = hup_state.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    s.reload_certificate();
                    s.reload_config(true);
                })
                .await;
            }
        });

        tracing::info!(addr = %listener.local_addr()?, "phiguard serve listening");
        let handshake_timeout = self.options.request_timeout;
        let accept_one = |tcp: tokio::net::TcpStream| {
            let acceptor = acceptor.clone();
            let app = app.clone();
            let builder = Arc::clone(&builder);
            let watcher = graceful.watcher();
            tokio::spawn(async move {
                let _ = tcp.set_nodelay(true);
                let stream =
                    match tokio::time::timeout(handshake_timeout, acceptor.accept(tcp)).await {
                        Ok(Ok(s)) => s,
                        Ok(Err(e)) => {
                            tracing::debug!(error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!("TLS handshake timed out");
                            return;
                        }
                    };
                let service = hyper_util::service::TowerToHyperService::new(app);
                let conn = builder
                    .serve_connection(TokioIo::new(stream), service)
                    .into_owned();
                if let Err(e) = watcher.watch(conn).await {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            });
        };

        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((tcp, _)) => accept_one(tcp),
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                () = &mut shutdown => break,
            }
        }

        // Not ready any more; keep serving new connections for the delay, so endpoints can be updated.
        state.0.draining.store(true, Ordering::SeqCst);
        tracing::info!(
            delay_ms = self.options.shutdown_delay.as_millis() as u64,
            "shutdown requested; readiness is now false"
        );
        let delay = tokio::time::sleep(self.options.shutdown_delay);
        tokio::pin!(delay);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    if let Ok((tcp, _)) = accepted { accept_one(tcp) }
                },
                () = &mut delay => break,
            }
        }
        drop(listener);
        poller.abort();
        hup.abort();
        let open = graceful.count();
        tracing::info!(connections = open, "listener closed; draining connections");
        match tokio::time::timeout(self.options.drain_timeout, graceful.shutdown()).await {
            Ok(()) => tracing::info!("drained; exiting"),
            Err(_) => tracing::warn!("drain timeout reached; exiting with connections still open"),
        }
        Ok(())
    }
}
