//! `phiguard serve`: the admission webhook over HTTPS, the audit webhook backend (`POST /audit`) and the
//! evidence trail of both.

mod audit;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use phiguard_server::{Options, Server};

/// Arguments of `phiguard serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0:8443")]
    pub addr: SocketAddr,
    /// PEM certificate chain (re-read when the file changes).
    #[arg(long)]
    pub cert: PathBuf,
    /// PEM private key (re-read when the file changes).
    #[arg(long)]
    pub key: PathBuf,
    /// phiguard.toml (re-read on SIGHUP and when the file changes).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = 3 * 1024 * 1024)]
    pub body_limit: usize,
    /// Time allowed for one request, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    pub request_timeout_ms: u64,
    /// How often the certificate, key and configuration are checked for changes, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    pub reload_interval_ms: u64,
    /// After SIGTERM, keep accepting (with /readyz failing) for this long, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub shutdown_delay_ms: u64,
    /// Then wait at most this long for in-flight requests, in milliseconds.
    #[arg(long, default_value_t = 25_000)]
    pub drain_timeout_ms: u64,
    /// Worker threads (default: one per CPU).
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub audit: audit::AuditArgs,
}

pub fn run(args: ServeArgs) -> anyhow::Result<u8> {
    let mut options = Options::new(args.addr, args.cert, args.key);
    options.config = args.config;
    options.body_limit = args.body_limit;
    options.request_timeout = Duration::from_millis(args.request_timeout_ms);
    options.reload_interval = Duration::from_millis(args.reload_interval_ms.max(50));
    options.shutdown_delay = Duration::from_millis(args.shutdown_delay_ms);
    options.drain_timeout = Duration::from_millis(args.drain_timeout_ms);
    let config = options.config.clone();
    let server = Server::new(options).context("phiguard serve cannot start")?;
    let workers = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(std::num::NonZeroUsize::get)
            .unwrap_or(2)
    });
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    // Reviews are judged on the blocking pool: a few threads per CPU keep memory and contention low.
    rt.worker_threads(workers.max(1))
        .max_blocking_threads(2 * workers.max(1));
    let rt = rt
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    // The evidence writer and the audit detection run on their own threads, outside the runtime.
    let evidence = match &args.audit.evidence {
        Some(loc) => Some(audit::EvidenceWriter::start(&args.audit, loc)?),
        None => None,
    };
    let sink = audit::AuditSink::start(&args.audit, config.as_deref(), evidence.clone())?;
    sink.register_metrics(server.state().metrics(), evidence.clone());
    let mut server = server;
    if let Some(ev) = &evidence {
        server = server.on_decision(audit::decision_sink(std::sync::Arc::clone(ev)));
    }
    let route_sink = std::sync::Arc::clone(&sink);
    let server = server.route(
        "/audit",
        phiguard_server::axum::routing::post(
            move |phiguard_server::axum::extract::State(state): phiguard_server::axum::extract::State<
                phiguard_server::AppState,
            >,
                  headers: phiguard_server::axum::http::HeaderMap,
                  body: phiguard_server::axum::body::Body| {
                audit::audit_route(std::sync::Arc::clone(&route_sink), state, headers, body)
            },
        ),
    );
    let served = rt.block_on(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
        let mut int = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
        let hup = std::sync::Arc::new(tokio::sync::Mutex::new(
            signal(SignalKind::hangup()).context("cannot handle SIGHUP")?,
        ));
        let listener = server.bind().await?;
        let shutdown = async move {
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM received"),
                _ = int.recv() => tracing::info!("SIGINT received"),
            }
        };
        let reload = move || {
            let hup = hup.clone();
            async move {
                hup.lock().await.recv().await;
                tracing::info!("SIGHUP received; reloading");
            }
        };
        server.serve(listener, shutdown, reload).await?;
        anyhow::Ok(())
    });
    // Drained: every accepted audit body is processed, its alerts delivered, then the trail is sealed.
    sink.finish();
    drop(sink);
    if let Some(ev) = &evidence {
        ev.finish();
    }
    drop(rt);
    served?;
    Ok(super::EXIT_CLEAN)
}
