//! The gRPC server: the points services, health, reflection, limits, tracing and graceful
//! shutdown around one ledger writer.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tonic::transport::Server;

use crate::api::shed::Admission;
use crate::config::HTTP2_KEEPALIVE;
use crate::config::ServerConfig;
use crate::connections;
use crate::crypto::KeyFile;
use crate::directory::{self, Directory};
use crate::genesis;
use crate::pb;
use crate::store::{SledStore, Store, StoreError};
use crate::tls::TlsFiles;
use crate::writer::{Checkpointing, LedgerHandle, OpenError};

mod services;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The data directory holds no ledger.
    #[error(
        "no ledger store in {0}/ledger: run `shanzhi serve` or `shanzhi init` on an empty \
         directory; if {0}/keys exists, a previous init was interrupted: move {0}/keys away first"
    )]
    NoLedger(String),
    /// The ledger could not be opened (replayed and checked).
    #[error("cannot open the ledger")]
    Open(#[from] OpenError),
    /// The log key could not be read.
    #[error("cannot load the log key")]
    LogKey(#[from] crate::crypto::KeyFileError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The reflection service could not be built from the descriptors.
    #[error("cannot build the reflection service")]
    Reflection(#[from] tonic_reflection::server::Error),
    /// The gRPC transport failed.
    #[error("the gRPC server failed")]
    Transport(#[from] tonic::transport::Error),
    /// The writer's thread ended without a store error.
    #[error("the ledger writer stopped unexpectedly (see the log); the server stopped too")]
    WriterStopped,
    /// A write, sync or checkpoint failed; the server stopped (fail-stop).
    #[error(
        "the ledger store failed, so the server stopped accepting writes and exited (nothing \
         acknowledged is lost); free disk space or fix the cause below and restart: replay \
         recovers exactly what is on disk"
    )]
    StoreFailed(#[from] crate::store::StoreError),
    /// The directory of personal data could not be opened, or a write or sync of it failed.
    #[error(
        "the directory of personal data could not be opened, or a write or sync of it failed or \
         stalled; the server stopped (nothing acknowledged is lost): fix the cause below and \
         restart"
    )]
    Directory(#[source] crate::store::StoreError),
    /// The data directory could not be locked or created.
    #[error(transparent)]
    DataDir(#[from] genesis::GenesisError),
    /// The TLS files could not be used.
    #[error("cannot serve TLS")]
    Tls(#[from] crate::tls::TlsError),
    /// Plaintext on an address other hosts can reach, without saying so.
    #[error(
        "refusing to serve plaintext on {0}, an address other machines can reach: give \
         --tls-cert and --tls-key (and --tls-client-ca for mTLS), or --allow-plaintext to \
         serve without TLS anyway (behind a TLS-terminating proxy)"
    )]
    PlaintextOnNetwork(SocketAddr),
}

/// A running server.
pub struct RunningServer {
    /// The address actually bound (useful with port 0).
    pub local_addr: SocketAddr,
    /// Where metrics are served, if they are.
    pub metrics_addr: Option<SocketAddr>,
    ledger: LedgerHandle,
    tls: Option<Arc<TlsFiles>>,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

impl RunningServer {
    /// How many submissions passed the handlers' checks (size, signature, signer) and reached
    /// the single writer so far.
    pub fn submissions_admitted(&self) -> u64 {
        self.ledger.submissions_admitted()
    }

    /// Reads the TLS files again (the binary does on `SIGHUP`): connections accepted after
    /// it use them, open ones keep theirs. `Ok(false)`: the server serves no TLS. On an
    /// error nothing changes.
    pub fn reload_tls(&self) -> Result<bool, crate::tls::TlsError> {
        match &self.tls {
            None => Ok(false),
            Some(tls) => tls.reload().map(|()| true),
        }
    }

    /// Reports NOT_SERVING, stops accepting connections, drains requests in flight (for at
    /// most the configured grace period), then stops the writer after its final flush and
    /// closes the store.
    pub async fn stop(self) -> Result<(), ServerError> {
        let _ = self.shutdown.send(());
        self.task.await.map_err(|_| ServerError::WriterStopped)?
    }

    /// Resolves only if the server stops by itself, which means it failed (the writer
    /// stopped). Cancel-safe: use it in `select!` beside a shutdown signal.
    pub async fn failed(&mut self) -> ServerError {
        match (&mut self.task).await {
            Ok(Err(error)) => error,
            Ok(Ok(())) | Err(_) => ServerError::WriterStopped,
        }
    }
}

/// Opens the ledger in `config.data_dir` (taking its lock) and starts serving on
/// `config.listen`.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    let lock = genesis::DataDirLock::acquire(&config.data_dir)?;
    start_locked(config, lock).await
}

/// Like [`start`], with the data directory's lock already taken (held until the server
/// stops).
pub async fn start_locked(
    config: ServerConfig,
    lock: genesis::DataDirLock,
) -> Result<RunningServer, ServerError> {
    let listening = Listening::prepare(&config).await?;
    start_listening(config, lock, listening).await
}

/// What serving needs before the ledger is opened or created: the TLS files read and
/// checked, the plaintext rule applied, both listeners bound. Preparing first means a wrong
/// file, a refused address or a port in use costs no replay and creates nothing.
pub struct Listening {
    tls: Option<Arc<TlsFiles>>,
    listener: TcpListener,
    local_addr: SocketAddr,
    metrics: Option<(TcpListener, SocketAddr)>,
}

impl Listening {
    /// Checks the TLS files and the plaintext rule of `config`, and binds its listeners.
    pub async fn prepare(config: &ServerConfig) -> Result<Self, ServerError> {
        let tls = match &config.tls {
            Some(paths) => Some(Arc::new(TlsFiles::load(paths.clone())?)),
            None => None,
        };
        match &tls {
            Some(tls) => tracing::info!(mutual = tls.mutual(), "serving TLS"),
            None if config.listen.ip().is_loopback() => {}
            None if config.allow_plaintext => tracing::warn!(
                listen = %config.listen,
                "serving plaintext on an address other machines can reach (--allow-plaintext): \
                 connections are neither encrypted nor authenticated"
            ),
            None => return Err(ServerError::PlaintextOnNetwork(config.listen)),
        }
        let bind = |addr: SocketAddr| async move {
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|source| ServerError::Listen { addr, source })?;
            let local = listener
                .local_addr()
                .map_err(|source| ServerError::Listen { addr, source })?;
            Ok::<_, ServerError>((listener, local))
        };
        let (listener, local_addr) = bind(config.listen).await?;
        let metrics = match config.metrics_listen {
            None => None,
            Some(addr) => Some(bind(addr).await?),
        };
        Ok(Self {
            tls,
            listener,
            local_addr,
            metrics,
        })
    }
}

/// Like [`start_locked`], with the listeners already prepared.
pub async fn start_listening(
    config: ServerConfig,
    lock: genesis::DataDirLock,
    listening: Listening,
) -> Result<RunningServer, ServerError> {
    let (shutdown, signal) = tokio::sync::oneshot::channel::<()>();
    let Listening {
        tls,
        listener,
        local_addr,
        metrics,
    } = listening;
    let (metrics_listener, metrics_addr) = match metrics {
        Some((listener, addr)) => (Some(listener), Some(addr)),
        None => (None, None),
    };
    let ledger_path = genesis::store_path(&config.data_dir);
    if !ledger_path.exists() {
        return Err(ServerError::NoLedger(config.data_dir.display().to_string()));
    }
    let log_key_path = config
        .log_key
        .clone()
        .unwrap_or_else(|| genesis::log_key_path(&config.data_dir));
    let log_key = KeyFile::read(&log_key_path)?.signing_key;
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&ledger_path).map_err(OpenError::from)?);
    let checkpointing = Checkpointing {
        log_key,
        every_entries: config.checkpoint_every_entries,
        witness: Some(genesis::checkpoint_witness_path(&config.data_dir)),
    };
    let (ledger, writer) =
        LedgerHandle::start_with_clock(store, checkpointing, config.clock.clone())?;
    ledger
        .keys()
        .limit_terminals(config.terminal_requests_per_sec);
    let directory = match Directory::open(
        &directory::path(&config.data_dir),
        &ledger.keys().ledger_id(),
    ) {
        Ok(directory) => Arc::new(directory),
        Err(error) => {
            ledger.stop().await;
            let _ = tokio::task::spawn_blocking(move || writer.join()).await;
            return Err(ServerError::Directory(error));
        }
    };
    // A case is opened only for a person whose present record gives the registered tag.
    ledger.set_outside_check(Arc::clone(&directory) as Arc<dyn crate::writer::OutsideCheck>);
    // Time-based checkpoints: the writer signs one when entries are not yet covered.
    let ticker = {
        let (ledger, interval) = (ledger.clone(), config.checkpoint_interval);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if ledger.tick().await.is_err() {
                    break;
                }
            }
        })
    };
    tracing::info!(%local_addr, data_dir = %config.data_dir.display(), "serving");
    // The writer's outcome: `None` while it runs. Set when its thread ends, or by the
    // watchdog when a store call has not returned within the stall timeout (the thread may
    // never end then; the process exits without it).
    let (writer_done, mut writer_outcome) = tokio::sync::watch::channel(None);
    let writer_done = Arc::new(writer_done);
    let report = |done: &tokio::sync::watch::Sender<_>, outcome| {
        done.send_if_modified(|slot: &mut Option<Result<(), StoreError>>| {
            slot.is_none() && {
                *slot = Some(outcome);
                true
            }
        });
    };
    tokio::task::spawn_blocking({
        let done = Arc::clone(&writer_done);
        move || {
            let outcome = writer
                .join()
                .unwrap_or_else(|_| Err(StoreError::Io("the ledger writer panicked".into())));
            report(&done, outcome);
        }
    });
    // The watchdog runs on its own thread: a hung disk may also block the runtime's workers
    // (store reads), and the watchdog must still see it.
    std::thread::Builder::new()
        .name("shanzhi-watchdog".into())
        .spawn({
            let (ledger, done, limit) = (ledger.clone(), writer_done, config.store_stall_timeout);
            let directory = Arc::clone(&directory);
            move || {
                while done.borrow().is_none() && !done.is_closed() {
                    std::thread::sleep(Duration::from_millis(250));
                    let stalled = [
                        ("store", ledger.store_call_running_for()),
                        ("directory", directory.call_running_for()),
                    ];
                    for (what, running) in stalled {
                        if let Some(running) = running
                            && running > limit
                        {
                            tracing::error!(
                                ?running,
                                ?limit,
                                what,
                                "a store call has not returned"
                            );
                            report(
                                &done,
                                Err(StoreError::Io(format!(
                                    "a {what} write or sync has not returned for {} s (the disk \
                                     may be full or failing)",
                                    running.as_secs()
                                ))),
                            );
                        }
                    }
                }
            }
        })
        .map_err(|e| {
            ServerError::StoreFailed(StoreError::Io(format!("cannot start the watchdog: {e}")))
        })?;
    let observer = ledger.clone();
    let serving_tls = tls.clone();
    // Metrics are served until the gRPC server has stopped.
    let (metrics_stop, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
    if let (Some(listener), Some(addr)) = (metrics_listener, metrics_addr) {
        let readings = ledger.clone();
        tracing::info!(%addr, "serving metrics at /metrics");
        tokio::spawn(crate::metrics::serve(
            listener,
            ledger.metrics(),
            move || readings.metric_readings(),
            async move {
                let _ = metrics_stopped.await;
            },
        ));
    }
    let task = tokio::spawn(async move {
        let _lock = lock;
        let grace = config.shutdown_grace;
        let (draining, drain_started) = tokio::sync::oneshot::channel::<()>();
        let mut failed = writer_outcome.clone();
        let mut directory_failed = directory.failed();
        let directory_outcome = directory.failed();
        let closing = Arc::clone(&directory);
        let services = Services {
            ledger: ledger.clone(),
            directory,
            tls: serving_tls,
        };
        let served = serve(config, listener, services, async move {
            // Drain on a shutdown signal, or at once when the writer stops by itself (a
            // failed write, sync or checkpoint) or the directory fails: health turns
            // NOT_SERVING either way.
            tokio::select! {
                _ = signal => {}
                _ = failed.wait_for(Option::is_some) => {
                    tracing::error!("the ledger writer stopped; health NOT_SERVING, shutting down");
                }
                _ = directory_failed.wait_for(Option::is_some) => {
                    tracing::error!("the directory failed; health NOT_SERVING, shutting down");
                }
            }
            let _ = draining.send(());
        });
        tokio::pin!(served);
        let drain_deadline = async move {
            match drain_started.await {
                Ok(()) => tokio::time::sleep(grace).await,
                Err(_) => std::future::pending().await,
            }
        };
        let served = tokio::select! {
            served = &mut served => served,
            () = drain_deadline => {
                tracing::warn!(?grace, "requests or streams still open after the grace period; closing them");
                Ok(())
            }
        };
        drop(metrics_stop);
        // Connections still open may hold the directory's service: close its stores now.
        closing.close();
        // The writer finishes the batch it holds, flushes, and stops; requests still queued
        // are answered UNAVAILABLE.
        ticker.abort();
        // A writer stuck in the store may never take the stop; don't wait for it then.
        let _ = tokio::time::timeout(grace, ledger.stop()).await;
        drop(ledger);
        let outcome = writer_outcome
            .wait_for(Option::is_some)
            .await
            .map_err(|_| ServerError::WriterStopped)?
            .clone();
        if let Some(why) = directory_outcome.borrow().clone() {
            return Err(ServerError::Directory(StoreError::Io(why)));
        }
        match outcome {
            Some(Ok(())) => served,
            Some(Err(error)) => Err(ServerError::StoreFailed(error)),
            None => Err(ServerError::WriterStopped),
        }
    });
    Ok(RunningServer {
        local_addr,
        metrics_addr,
        ledger: observer,
        tls,
        shutdown,
        task,
    })
}

/// What the services serve: the ledger and the directory beside it, over TLS or not.
struct Services {
    ledger: LedgerHandle,
    directory: Arc<Directory>,
    tls: Option<Arc<TlsFiles>>,
}

async fn serve(
    config: ServerConfig,
    listener: TcpListener,
    services: Services,
    signal: impl Future<Output = ()>,
) -> Result<(), ServerError> {
    let Services {
        ledger,
        directory,
        tls,
    } = services;
    let ledger_metrics = ledger.metrics();
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1()?;
    let reflection_v1alpha = reflection().build_v1alpha()?;

    let limit = config.max_message_bytes;
    // The ledger's services share one pool of permits; health and reflection stay outside it.
    let permits = Arc::new(tokio::sync::Semaphore::new(config.max_concurrent_requests));
    let admission = Admission {
        read_timeout: config.request_read_timeout,
        max_message_bytes: limit,
        max_batch_message_bytes: config.max_batch_message_bytes,
        receive_budget: Arc::new(tokio::sync::Semaphore::new(
            config
                .receive_budget_bytes
                .min(tokio::sync::Semaphore::MAX_PERMITS),
        )),
    };
    let mut max_connections = config.max_connections;
    if let Some(allowed) = connections::connections_the_descriptors_allow()
        && allowed < max_connections
    {
        tracing::warn!(
            requested = max_connections,
            allowed,
            "the open-file limit allows fewer connections; lowering --max-connections"
        );
        max_connections = allowed;
    }
    let limits = connections::Limits {
        max_connections,
        max_per_peer: config.max_connections_per_peer,
        idle_timeout: config.idle_timeout,
    };
    // The ledger's services, in one list: each gets the message limits and the load shedder
    // (a shared pool of permits), and its health status follows the server's.
    let mut routes = tonic::service::RoutesBuilder::default();
    // Health and reflection stay outside the permits.
    routes
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha);
    let names = services::add(
        &mut routes,
        services::Shared {
            ledger,
            directory,
            skew: config.read_credential_max_skew,
            max_decoding_bytes: limit.max(config.max_batch_message_bytes),
            permits,
            admission,
        },
    );
    let served = names.clone();
    for name in &names {
        health_reporter
            .set_service_status(*name, tonic_health::ServingStatus::Serving)
            .await;
    }

    let shutdown = async move {
        signal.await;
        tracing::info!("shutting down: health NOT_SERVING, draining requests");
        health_reporter
            .set_service_status("", tonic_health::ServingStatus::NotServing)
            .await;
        for name in names {
            health_reporter
                .set_service_status(name, tonic_health::ServingStatus::NotServing)
                .await;
        }
    };
    // Past either limit a request is refused at once with RESOURCE_EXHAUSTED instead of
    // queueing: the client can back off, and the server stays responsive.
    let (keepalive_interval, keepalive_timeout) = HTTP2_KEEPALIVE;
    let methods = [
        (pb::FILE_DESCRIPTOR_SET, served.as_slice()),
        (
            tonic_health::pb::FILE_DESCRIPTOR_SET,
            &["grpc.health.v1.Health"][..],
        ),
        (
            tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
            &["grpc.reflection.v1.ServerReflection"][..],
        ),
        (
            tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
            &["grpc.reflection.v1alpha.ServerReflection"][..],
        ),
    ]
    .into_iter()
    .flat_map(|(descriptors, services)| crate::metrics::method_paths(descriptors, services));
    let counted = crate::metrics::RequestsLayer::new(ledger_metrics, methods);
    Server::builder()
        .timeout(config.request_timeout)
        .load_shed(true)
        .concurrency_limit_per_connection(config.concurrency_per_connection)
        .max_concurrent_streams(config.max_streams_per_connection)
        .http2_keepalive_interval(Some(keepalive_interval))
        .http2_keepalive_timeout(Some(keepalive_timeout))
        .trace_fn(|request| {
            tracing::info_span!(
                "grpc",
                method = %request.uri().path(),
                request_id = tracing::field::Empty,
                code = tracing::field::Empty,
                reason = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
            )
        })
        .layer(connections::ActivityLayer)
        .layer(counted)
        .add_routes(routes.routes())
        .serve_with_incoming_shutdown(connections::incoming(listener, limits, tls), shutdown)
        .await?;
    Ok(())
}
