//! Server settings. Every default is a documented constant here and in the README; each can
//! be changed by a command-line flag or an environment variable (see `shanzhi serve --help`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Default listen address: loopback only, so a fresh install is not exposed to the network.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:50051";
/// [`DEFAULT_LISTEN`] as an address.
pub const DEFAULT_LISTEN_ADDR: std::net::SocketAddr = std::net::SocketAddr::V4(
    std::net::SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, 50051),
);
/// Default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "./data";
/// Default largest accepted gRPC request message: 16 KiB. A transaction body is at most
/// 4 KiB ([`crate::ledger::MAX_BODY_BYTES`]) and every read request is far smaller.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// Default largest accepted `SubmitBatch` request: room for a full batch of
/// [`MAX_BATCH_TRANSACTIONS`](crate::writer::MAX_BATCH_TRANSACTIONS) (256) transactions of the
/// largest body (4 KiB) and their signatures, 1,114,112 bytes (1088 KiB).
pub const DEFAULT_MAX_BATCH_MESSAGE_BYTES: usize =
    crate::writer::MAX_BATCH_TRANSACTIONS * (crate::ledger::MAX_BODY_BYTES + 256);
/// Default bytes of request bodies the server receives at once, all connections together:
/// 32 MiB. A frame that would go past it is refused `RESOURCE_EXHAUSTED`, so half-sent
/// bodies cannot grow memory without bound.
pub const DEFAULT_RECEIVE_BUDGET_BYTES: usize = 32 * 1024 * 1024;
/// Largest gRPC message the server sends: 16 MiB. Far above its largest reply (a page of
/// 500 history receipts, an entry batch of about 256 KiB, a key-set page of 500 keys), so
/// a committed entry can always be read back.
pub const MAX_REPLY_BYTES: usize = 16 * 1024 * 1024;
/// Default longest time to receive a request's whole body before it is refused (and before
/// it takes a concurrency permit): 10 s.
pub const DEFAULT_REQUEST_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default most connections open at once: 1000 (lowered to what the open-file limit allows
/// with 64 descriptors to spare). Past that, new clients wait in the kernel's backlog until
/// one closes.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1000;
/// Default most connections open at once from one peer address: 100. More are closed at once.
pub const DEFAULT_MAX_CONNECTIONS_PER_PEER: usize = 100;
/// Default time a connection with nothing in flight stays open: 60 s.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default most HTTP/2 streams one connection may open at once: 256.
pub const DEFAULT_MAX_STREAMS_PER_CONNECTION: u32 = 256;
/// HTTP/2 keepalive: a PING every 30 s; a peer that does not answer within 10 s is
/// disconnected.
pub const HTTP2_KEEPALIVE: (Duration, Duration) =
    (Duration::from_secs(30), Duration::from_secs(10));
/// Default deadline for one request, including waiting for the group commit: 30 s.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of requests one connection may have in flight at once; more are refused
/// at once with `RESOURCE_EXHAUSTED` (load shedding) rather than queued.
pub const DEFAULT_CONCURRENCY_PER_CONNECTION: usize = 256;
/// Default number of requests the ledger's services work on at once; more are refused at once
/// with `RESOURCE_EXHAUSTED` (load shedding) rather than queued. Health and reflection are
/// outside this limit.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 1024;
/// Default number of requests a second one shop terminal key may make (bursts of twice that);
/// more are refused with `RESOURCE_EXHAUSTED`: 20. A checkout makes a sale or a refund every
/// few seconds; this stops a broken or stolen terminal from flooding the writer.
pub const DEFAULT_TERMINAL_REQUESTS_PER_SEC: u32 = 20;
/// Default time a shutdown waits for requests and streams in flight before closing them: 10 s.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Default: sign a checkpoint once 1000 entries are not covered by one.
pub const DEFAULT_CHECKPOINT_EVERY_ENTRIES: u64 = 1000;
/// Default: sign a checkpoint every second when entries are not covered by one.
pub const DEFAULT_CHECKPOINT_INTERVAL: Duration = Duration::from_millis(1000);
/// Default largest clock difference accepted for a read credential's timestamp: 5 minutes.
pub const DEFAULT_READ_CREDENTIAL_MAX_SKEW: Duration = Duration::from_secs(300);

/// Default longest time one store call (append, flush and sync, checkpoint) may take before
/// the server treats the store as failed: 20 s. sled 0.34 can wait forever on a full or
/// failing disk; past this bound health turns NOT_SERVING and the server exits non-zero.
pub const DEFAULT_STORE_STALL_TIMEOUT: Duration = Duration::from_secs(20);

/// How the server runs.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Directory holding the ledger store (`ledger/`) and genesis key files (`keys/`).
    pub data_dir: PathBuf,
    /// Largest gRPC request message accepted, in bytes.
    pub max_message_bytes: usize,
    /// Largest `SubmitBatch` request message accepted, in bytes.
    pub max_batch_message_bytes: usize,
    /// Longest time to receive a request's whole body.
    pub request_read_timeout: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
    /// Most connections open at once from one peer address.
    pub max_connections_per_peer: usize,
    /// Bytes of request bodies received at once, server-wide.
    pub receive_budget_bytes: usize,
    /// How long a connection with nothing in flight stays open.
    pub idle_timeout: Duration,
    /// Most HTTP/2 streams one connection may open at once.
    pub max_streams_per_connection: u32,
    /// Deadline for one request.
    pub request_timeout: Duration,
    /// Requests one connection may have in flight.
    pub concurrency_per_connection: usize,
    /// Requests the whole server works on at once; more are shed.
    pub max_concurrent_requests: usize,
    /// Requests a second one shop terminal key may make (bursts of twice that).
    pub terminal_requests_per_sec: u32,
    /// Largest accepted clock difference for read credentials.
    pub read_credential_max_skew: Duration,
    /// How long a shutdown waits for requests and streams in flight.
    pub shutdown_grace: Duration,
    /// The log key file; `None` means `<data_dir>/keys/log.key`.
    pub log_key: Option<PathBuf>,
    /// Sign a checkpoint once this many entries are not covered by one.
    pub checkpoint_every_entries: u64,
    /// Sign a checkpoint this often when entries are not covered by one.
    pub checkpoint_interval: Duration,
    /// Longest time one store call may take before the store is treated as failed.
    pub store_stall_timeout: Duration,
    /// Where to serve Prometheus metrics (`GET /metrics`); `None`: not served.
    pub metrics_listen: Option<SocketAddr>,
    /// TLS on the listener (and mTLS with a client CA); `None`: plaintext.
    pub tls: Option<crate::tls::TlsPaths>,
    /// Serve plaintext on an address that is not loopback (refused without it).
    pub allow_plaintext: bool,
    /// The clock that stamps entries: the wall clock (no flag sets another; tests that must
    /// let days pass use an adjustable one).
    pub clock: crate::writer::Clock,
}

impl ServerConfig {
    /// The defaults, serving `data_dir`.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            listen: DEFAULT_LISTEN_ADDR,
            data_dir,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_batch_message_bytes: DEFAULT_MAX_BATCH_MESSAGE_BYTES,
            request_read_timeout: DEFAULT_REQUEST_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_peer: DEFAULT_MAX_CONNECTIONS_PER_PEER,
            receive_budget_bytes: DEFAULT_RECEIVE_BUDGET_BYTES,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_streams_per_connection: DEFAULT_MAX_STREAMS_PER_CONNECTION,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            concurrency_per_connection: DEFAULT_CONCURRENCY_PER_CONNECTION,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            terminal_requests_per_sec: DEFAULT_TERMINAL_REQUESTS_PER_SEC,
            read_credential_max_skew: DEFAULT_READ_CREDENTIAL_MAX_SKEW,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            log_key: None,
            checkpoint_every_entries: DEFAULT_CHECKPOINT_EVERY_ENTRIES,
            checkpoint_interval: DEFAULT_CHECKPOINT_INTERVAL,
            store_stall_timeout: DEFAULT_STORE_STALL_TIMEOUT,
            metrics_listen: None,
            tls: None,
            allow_plaintext: false,
            clock: crate::writer::Clock::system(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_listen_address_is_its_text() {
        assert_eq!(
            super::DEFAULT_LISTEN.parse::<std::net::SocketAddr>().ok(),
            Some(super::DEFAULT_LISTEN_ADDR)
        );
    }
}
