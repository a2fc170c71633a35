//! The gRPC server: the points services, health, reflection, limits, tracing and graceful
//! shutdown around one ledger writer.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;

use crate::api::queries::QueryApi;
use crate::api::transactions::TransactionApi;
use crate::config::ServerConfig;
use crate::genesis;
use crate::pb;
use crate::pb::points::query_service_server::QueryServiceServer;
use crate::pb::points::transaction_service_server::TransactionServiceServer;
use crate::store::{SledStore, Store};
use crate::writer::{LedgerHandle, OpenError};

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(
        "no ledger store in {0}/ledger: run `shanzhi serve` or `shanzhi init` on an empty \
         directory; if {0}/keys exists, a previous init was interrupted: move {0}/keys away first"
    )]
    NoLedger(String),
    #[error("cannot open the ledger: {0}")]
    Open(#[from] OpenError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot build the reflection service: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    #[error("the gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
    #[error("the writer thread panicked")]
    WriterPanicked,
}

/// A running server.
pub struct RunningServer {
    /// The address actually bound (useful with port 0).
    pub local_addr: SocketAddr,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

impl RunningServer {
    /// Stops accepting requests, drains those in flight, flushes and closes the store.
    pub async fn stop(self) -> Result<(), ServerError> {
        let _ = self.shutdown.send(());
        self.task.await.map_err(|_| ServerError::WriterPanicked)?
    }

    /// Waits until the server stops by itself (it does not, unless it fails).
    pub async fn wait(self) -> Result<(), ServerError> {
        let _keep_running = self.shutdown;
        self.task.await.map_err(|_| ServerError::WriterPanicked)?
    }
}

/// Opens the ledger in `config.data_dir` and starts serving on `config.listen`.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    let (shutdown, signal) = tokio::sync::oneshot::channel::<()>();
    let listener =
        TcpListener::bind(config.listen)
            .await
            .map_err(|source| ServerError::Listen {
                addr: config.listen,
                source,
            })?;
    let local_addr = listener
        .local_addr()
        .map_err(|source| ServerError::Listen {
            addr: config.listen,
            source,
        })?;
    let ledger_path = genesis::store_path(&config.data_dir);
    if !ledger_path.exists() {
        return Err(ServerError::NoLedger(config.data_dir.display().to_string()));
    }
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&ledger_path).map_err(OpenError::from)?);
    let (ledger, writer) = LedgerHandle::start(store)?;
    tracing::info!(%local_addr, data_dir = %config.data_dir.display(), "serving");
    let task = tokio::spawn(async move {
        let served = serve(config, listener, ledger, async {
            let _ = signal.await;
        })
        .await;
        // Every ledger handle lived in the services, dropped when serving ended; the writer
        // now flushes and stops.
        let joined = tokio::task::spawn_blocking(move || writer.join())
            .await
            .map_err(|_| ServerError::WriterPanicked)?;
        joined.map_err(|_| ServerError::WriterPanicked)?;
        served
    });
    Ok(RunningServer {
        local_addr,
        shutdown,
        task,
    })
}

async fn serve(
    config: ServerConfig,
    listener: TcpListener,
    ledger: LedgerHandle,
    signal: impl Future<Output = ()>,
) -> Result<(), ServerError> {
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_serving::<TransactionServiceServer<TransactionApi>>()
        .await;
    health_reporter
        .set_serving::<QueryServiceServer<QueryApi>>()
        .await;
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1()?;
    let reflection_v1alpha = reflection().build_v1alpha()?;

    let limit = config.max_message_bytes;
    let transactions = TransactionServiceServer::new(TransactionApi::new(ledger.clone()))
        .max_decoding_message_size(limit)
        .max_encoding_message_size(limit);
    let queries = QueryServiceServer::new(QueryApi::new(ledger, config.read_credential_max_skew))
        .max_decoding_message_size(limit)
        .max_encoding_message_size(limit);

    let shutdown = async move {
        signal.await;
        tracing::info!("shutting down: health NOT_SERVING, draining requests");
        health_reporter
            .set_not_serving::<TransactionServiceServer<TransactionApi>>()
            .await;
        health_reporter
            .set_not_serving::<QueryServiceServer<QueryApi>>()
            .await;
    };
    Server::builder()
        .timeout(config.request_timeout)
        .concurrency_limit_per_connection(config.concurrency_per_connection)
        .trace_fn(|request| tracing::info_span!("grpc", path = %request.uri().path()))
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(transactions)
        .add_service(queries)
        .serve_with_incoming_shutdown(TcpIncoming::from(listener), shutdown)
        .await?;
    Ok(())
}
