//! The `shanzhi` command: run the server, create a ledger, make keys, and act on a ledger as a
//! bureau, village, shop, resident or auditor. Wiring only; the work is in the library.

mod cli;

/// mimalloc instead of glibc's allocator: the writer's persistent maps allocate and free
/// small nodes on every entry, and glibc's free lists were a third of the writer's time under
/// load (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use shanzhi::client::Signer;
use shanzhi::config::{self, ServerConfig};
use shanzhi::genesis;
use shanzhi::ledger::{LedgerId, LedgerParameters};

use cli::{
    AuditCommand, ClaimsCommand, Connection, DirectoryCommand, GovernanceCommand, MembersCommand,
    ReadCommand, ShopsCommand, WriteCommand,
};

#[derive(Parser)]
#[command(
    name = "shanzhi",
    version,
    about = "善治 shanzhi: the signed, verifiable points ledger of Yidu's points-governance pilot"
)]
struct Cli {
    /// How log lines are written to stderr: `text` for people, `json` (one object a line,
    /// with the request's span fields) for log shippers.
    #[arg(long, global = true, env = "SHANZHI_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// The format of log lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// Human-readable lines (coloured on a terminal).
    Text,
    /// One JSON object per line: timestamp, level, target, message, fields, and the spans
    /// (a request's method, request id, code, reason, latency).
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new ledger in an empty data directory (ledger id, bureau admin key, log key).
    Init {
        /// Data directory; refused if it already holds a ledger.
        #[arg(long, env = "SHANZHI_DATA", default_value = config::DEFAULT_DATA_DIR)]
        data: PathBuf,
        #[command(flatten)]
        parameters: ParameterArgs,
    },
    /// Run the gRPC server; creates the ledger first if the data directory has none.
    Serve(ServeArgs),
    /// Create an empty directory of personal data (names) for a ledger whose directory was
    /// lost or never created: the ledger is then served without names. Refused if one exists.
    InitDirectory {
        /// Data directory holding the ledger.
        #[arg(long, env = "SHANZHI_DATA", default_value = config::DEFAULT_DATA_DIR)]
        data: PathBuf,
    },
    /// Generate a new key pair into a key file (mode 0600) and print its public key and id.
    Keygen {
        /// Where to write the key file; never overwritten.
        #[arg(long)]
        out: PathBuf,
    },
    /// A resident signs a payment code (spend authorization) to show a shop terminal.
    PaymentCode {
        /// The resident's key file.
        #[arg(long, env = "SHANZHI_KEY")]
        key: PathBuf,
        /// The ledger id (32 hex characters, from `shanzhi info`); asked from --server when
        /// not given, so a phone that is offline can still sign with a known id.
        #[arg(long)]
        ledger_id: Option<String>,
        #[command(flatten)]
        connection: Connection,
        /// The household whose points may be spent.
        #[arg(long)]
        household: String,
        /// The most points the shop may take.
        #[arg(long)]
        max_points: u64,
        /// How long the code is valid, in seconds.
        #[arg(long, default_value_t = 300)]
        valid_for_secs: u64,
        /// Only this shop may take the code [default: any partner shop].
        #[arg(long)]
        shop: Option<String>,
        /// Print only the text, without the QR code (which goes to stderr).
        #[arg(long)]
        no_qr: bool,
    },
    /// Load-test a fresh in-process server on loopback and print a Markdown report.
    Bench {
        /// Transactions per phase.
        #[arg(long, default_value_t = 5000)]
        transactions: usize,
        /// Client concurrencies, one phase each.
        #[arg(long, value_delimiter = ',', default_value = "1,8,64")]
        concurrency: Vec<usize>,
        /// Grow the log to this many entries, then compare write latency with and without a
        /// concurrent reader paging through the whole history (0: skip).
        #[arg(long, default_value_t = 0)]
        history_entries: u64,
        /// Transactions per SubmitBatch call in the batched phase (0: skip it).
        #[arg(long, default_value_t = shanzhi::writer::MAX_BATCH_TRANSACTIONS)]
        batch_size: usize,
        /// Concurrent callers in the batched phase.
        #[arg(long, default_value_t = 4)]
        batch_clients: usize,
        /// Entries of the log the engine alone replays, with and without signature checks
        /// (0: skip).
        #[arg(long, default_value_t = 1_000_000)]
        replay_entries: u64,
        /// Households registered in that log.
        #[arg(long, default_value_t = 100_000)]
        replay_households: u64,
        /// Signatures verified to measure the machine's raw rate.
        #[arg(long, default_value_t = 40_000)]
        verify_samples: usize,
        /// Redemptions (two signatures each) per redemption phase, one per request and in
        /// batches (0: skip).
        #[arg(long, default_value_t = 5000)]
        redemptions: usize,
        /// Issues offered at half the best single-request throughput (open loop), alone and
        /// again with a reader paging through the history (0: skip).
        #[arg(long, default_value_t = 5000)]
        open_loop_transactions: usize,
    },
    /// Sign and submit a transaction.
    #[command(flatten)]
    Write(WriteCommand),
    /// Read from a running ledger.
    #[command(flatten)]
    Read(ReadCommand),
    /// Verify the ledger and its receipts.
    #[command(flatten)]
    Audit(AuditCommand),
    /// Rule catalogues and village policies.
    #[command(flatten)]
    Governance(GovernanceCommand),
    /// Members of households and officers' households.
    #[command(flatten)]
    Members(MembersCommand),
    /// Claims, reviews, notices and objections.
    #[command(flatten)]
    Claims(ClaimsCommand),
    /// Display names in the directory of personal data (outside the log).
    #[command(flatten)]
    Directory(DirectoryCommand),
    /// Shops' terminals: activation codes, activation, status.
    #[command(flatten)]
    Shops(ShopsCommand),
}

/// Ledger parameters, fixed at genesis. Unset flags take the documented defaults.
#[derive(Args)]
struct ParameterArgs {
    /// Longest allowed validity of a transaction (not_after - commit time), in seconds
    /// [default: 86400].
    #[arg(long)]
    max_transaction_window_secs: Option<u64>,
    /// Longest allowed validity of a payment code, in seconds [default: 900].
    #[arg(long)]
    max_payment_code_window_secs: Option<u64>,
    /// How long after a sale the shop's terminal may refund it, in seconds [default: 604800].
    #[arg(long)]
    max_refund_window_secs: Option<u64>,
}

impl ParameterArgs {
    fn given(&self) -> bool {
        self.max_transaction_window_secs.is_some()
            || self.max_payment_code_window_secs.is_some()
            || self.max_refund_window_secs.is_some()
    }

    fn parameters(&self) -> Result<LedgerParameters> {
        let ms = |flag: &str, secs: Option<u64>, default_ms: u64| match secs {
            None => Ok(default_ms),
            Some(secs) => secs
                .checked_mul(1000)
                .filter(|ms| *ms <= 10 * 365 * 24 * 3600 * 1000)
                .with_context(|| format!("--{flag}: expected at most ten years of seconds")),
        };
        Ok(LedgerParameters {
            max_transaction_window_ms: ms(
                "max-transaction-window-secs",
                self.max_transaction_window_secs,
                LedgerParameters::DEFAULT_MAX_TRANSACTION_WINDOW_MS,
            )?,
            max_spend_authorization_window_ms: ms(
                "max-payment-code-window-secs",
                self.max_payment_code_window_secs,
                LedgerParameters::DEFAULT_MAX_SPEND_AUTHORIZATION_WINDOW_MS,
            )?,
            max_refund_window_ms: ms(
                "max-refund-window-secs",
                self.max_refund_window_secs,
                LedgerParameters::DEFAULT_MAX_REFUND_WINDOW_MS,
            )?,
        })
    }
}

#[derive(Args)]
struct ServeArgs {
    /// Data directory holding the ledger store and genesis keys.
    #[arg(long, env = "SHANZHI_DATA", default_value = config::DEFAULT_DATA_DIR)]
    data: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "SHANZHI_LISTEN", default_value = config::DEFAULT_LISTEN)]
    listen: std::net::SocketAddr,
    /// Largest gRPC request message accepted, in bytes (replies may be up to 16 MiB).
    #[arg(long, env = "SHANZHI_MAX_MESSAGE_BYTES", default_value_t = config::DEFAULT_MAX_MESSAGE_BYTES)]
    max_message_bytes: usize,
    /// Largest `SubmitBatch` request message accepted, in bytes (up to 256 transactions).
    #[arg(long, env = "SHANZHI_MAX_BATCH_MESSAGE_BYTES", default_value_t = config::DEFAULT_MAX_BATCH_MESSAGE_BYTES)]
    max_batch_message_bytes: usize,
    /// Longest time (ms) to receive a request's whole body; slower requests are refused.
    #[arg(long, env = "SHANZHI_REQUEST_READ_TIMEOUT_MS", default_value_t = config::DEFAULT_REQUEST_READ_TIMEOUT.as_millis() as u64)]
    request_read_timeout_ms: u64,
    /// Most connections open at once; more wait in the kernel's backlog.
    #[arg(long, env = "SHANZHI_MAX_CONNECTIONS", default_value_t = config::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Most connections open at once from one peer address; more are closed at once.
    #[arg(long, env = "SHANZHI_MAX_CONNECTIONS_PER_PEER", default_value_t = config::DEFAULT_MAX_CONNECTIONS_PER_PEER)]
    max_connections_per_peer: usize,
    /// Bytes of request bodies received at once, all connections together.
    #[arg(long, env = "SHANZHI_RECEIVE_BUDGET_BYTES", default_value_t = config::DEFAULT_RECEIVE_BUDGET_BYTES)]
    receive_budget_bytes: usize,
    /// Seconds a connection with nothing in flight stays open.
    #[arg(long, env = "SHANZHI_IDLE_TIMEOUT_SECS", default_value_t = config::DEFAULT_IDLE_TIMEOUT.as_secs())]
    idle_timeout_secs: u64,
    /// Most HTTP/2 streams one connection may open at once.
    #[arg(long, env = "SHANZHI_MAX_STREAMS_PER_CONNECTION", default_value_t = config::DEFAULT_MAX_STREAMS_PER_CONNECTION)]
    max_streams_per_connection: u32,
    /// Deadline for one request, in milliseconds.
    #[arg(long, env = "SHANZHI_REQUEST_TIMEOUT_MS", default_value_t = config::DEFAULT_REQUEST_TIMEOUT.as_millis() as u64)]
    request_timeout_ms: u64,
    /// Requests one connection may have in flight; more are refused (RESOURCE_EXHAUSTED).
    #[arg(long, env = "SHANZHI_CONCURRENCY_PER_CONNECTION", default_value_t = config::DEFAULT_CONCURRENCY_PER_CONNECTION)]
    concurrency_per_connection: usize,
    /// Requests the whole server works on at once; more are refused (RESOURCE_EXHAUSTED).
    #[arg(long, env = "SHANZHI_MAX_CONCURRENT_REQUESTS", default_value_t = config::DEFAULT_MAX_CONCURRENT_REQUESTS)]
    max_concurrent_requests: usize,
    /// Requests a second one shop terminal key may make, bursts of twice that; more are
    /// refused (RESOURCE_EXHAUSTED).
    #[arg(long, env = "SHANZHI_TERMINAL_REQUESTS_PER_SEC", default_value_t = config::DEFAULT_TERMINAL_REQUESTS_PER_SEC)]
    terminal_requests_per_sec: u32,
    /// Largest accepted clock difference of a read credential, in seconds.
    #[arg(long, env = "SHANZHI_READ_CREDENTIAL_MAX_SKEW_SECS", default_value_t = config::DEFAULT_READ_CREDENTIAL_MAX_SKEW.as_secs())]
    read_credential_max_skew_secs: u64,
    /// How long a shutdown waits for requests and streams in flight, in seconds.
    #[arg(long, env = "SHANZHI_SHUTDOWN_GRACE_SECS", default_value_t = config::DEFAULT_SHUTDOWN_GRACE.as_secs())]
    shutdown_grace_secs: u64,
    /// The log key file that signs checkpoints [default: <data>/keys/log.key].
    #[arg(long, env = "SHANZHI_LOG_KEY")]
    log_key: Option<PathBuf>,
    /// Sign a checkpoint once this many entries are not covered by one.
    #[arg(long, env = "SHANZHI_CHECKPOINT_EVERY_ENTRIES", default_value_t = config::DEFAULT_CHECKPOINT_EVERY_ENTRIES)]
    checkpoint_every_entries: u64,
    /// Sign a checkpoint this often (ms) when entries are not covered by one.
    #[arg(long, env = "SHANZHI_CHECKPOINT_INTERVAL_MS", default_value_t = config::DEFAULT_CHECKPOINT_INTERVAL.as_millis() as u64)]
    checkpoint_interval_ms: u64,
    /// Longest time (s) one store write or sync may take before the store is treated as
    /// failed (health NOT_SERVING, exit non-zero).
    #[arg(long, env = "SHANZHI_STORE_STALL_TIMEOUT_SECS", default_value_t = config::DEFAULT_STORE_STALL_TIMEOUT.as_secs())]
    store_stall_timeout_secs: u64,
    /// Serve Prometheus metrics at http://<this address>/metrics (off unless given; put it
    /// on a management network or loopback: it needs no credential).
    #[arg(long, env = "SHANZHI_METRICS_LISTEN")]
    metrics_listen: Option<std::net::SocketAddr>,
    /// The server's TLS certificate chain (PEM); with --tls-key, the listener serves TLS only.
    #[arg(long, env = "SHANZHI_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, env = "SHANZHI_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// CA certificates (PEM) client certificates must chain to: every client must present
    /// one (mTLS), in addition to the signatures on every transaction.
    #[arg(long, env = "SHANZHI_TLS_CLIENT_CA", requires = "tls_cert")]
    tls_client_ca: Option<PathBuf>,
    /// Serve plaintext on an address that is not loopback (refused without it; for a
    /// TLS-terminating proxy in front).
    #[arg(long, env = "SHANZHI_ALLOW_PLAINTEXT")]
    allow_plaintext: bool,
    /// Ledger parameters, used only when this command creates the ledger.
    #[command(flatten)]
    parameters: ParameterArgs,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let default_level = match cli.command {
        Command::Serve(_) => "info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    let result = tokio::runtime::Runtime::new()
        .context("cannot start the async runtime")
        .and_then(|runtime| {
            let result = runtime.block_on(run(cli.command));
            // A writer stuck in a failed store never returns; exit without it.
            runtime.shutdown_timeout(Duration::from_secs(1));
            result
        });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<()> {
    match command {
        Command::Init { data, parameters } => {
            let report = genesis::init(&data, parameters.parameters()?)?;
            print_genesis(&data, &report);
            Ok(())
        }
        Command::Serve(args) => serve(args).await,
        Command::InitDirectory { data } => {
            let ledger_id = genesis::init_directory(&data)?;
            println!(
                "created an empty directory of personal data in {} for ledger {ledger_id}",
                shanzhi::directory::path(&data).display()
            );
            Ok(())
        }
        Command::Keygen { out } => {
            let signer = Signer::generate();
            signer.key_file().write_new(&out)?;
            println!("key file:   {}", out.display());
            println!("key id:     {}", signer.key_id());
            println!("public key: {}", hex::encode(signer.public_key()));
            Ok(())
        }
        Command::PaymentCode {
            key,
            ledger_id,
            household,
            max_points,
            valid_for_secs,
            connection,
            shop,
            no_qr,
        } => {
            let signer = cli::load_signer(&key)?;
            let ledger_id = match ledger_id {
                Some(hex) => LedgerId::from_hex(&hex)?,
                None => connection.connect().await?.ledger_id,
            };
            let valid_ms = valid_for_secs
                .checked_mul(1000)
                .context("--valid-for-secs is too large")?;
            let authorization = shanzhi::pb::points::SpendAuthorization {
                household_id: household,
                max_points,
                nonce: shanzhi::crypto::random_bytes::<16>().to_vec(),
                not_after_unix_ms: shanzhi::writer::now_unix_ms().saturating_add(valid_ms),
                shop_id: shop.unwrap_or_default(),
            };
            let code = signer.sign_spend_authorization(&ledger_id, &authorization);
            let text = shanzhi::client::payment_code_text(&code);
            if !no_qr {
                match shanzhi::client::payment_code_qr(&text) {
                    Ok(qr) => eprintln!("{qr}"),
                    Err(e) => eprintln!("(no QR code: {e})"),
                }
            }
            println!("{text}");
            Ok(())
        }
        Command::Bench {
            transactions,
            concurrency,
            history_entries,
            batch_size,
            batch_clients,
            replay_entries,
            replay_households,
            verify_samples,
            redemptions,
            open_loop_transactions,
        } => {
            let options = shanzhi::bench::Options {
                transactions,
                concurrencies: concurrency,
                batch_size,
                batch_clients,
                history_entries,
                replay_entries,
                replay_households,
                verify_samples,
                redemptions,
                open_loop_transactions,
            };
            let report = shanzhi::bench::run(&options).await?;
            print!("{}", report.to_markdown());
            Ok(())
        }
        Command::Write(command) => command.run().await,
        Command::Read(command) => command.run().await,
        Command::Audit(command) => command.run().await,
        Command::Governance(command) => command.run().await,
        Command::Members(command) => command.run().await,
        Command::Directory(command) => command.run().await,
        Command::Shops(command) => command.run().await,
        Command::Claims(command) => command.run().await,
    }
}

fn print_genesis(data: &Path, report: &genesis::GenesisReport) {
    println!("created a new ledger in {}", data.display());
    println!("  ledger id:       {}", report.ledger_id);
    println!("  bureau admin key: {}", report.admin_key_path.display());
    println!("  log key:          {}", report.log_key_path.display());
    println!(
        "Sign bureau transactions with --key {}; keep a copy off this machine.",
        report.admin_key_path.display()
    );
}

async fn serve(args: ServeArgs) -> Result<()> {
    // The lock is taken before genesis, so two `serve` on one empty directory cannot both
    // create a ledger; it is held until the server stops.
    let lock = genesis::DataDirLock::acquire(&args.data)?;
    if !genesis::exists(&args.data) {
        let report = genesis::init_locked(&lock, args.parameters.parameters()?)?;
        print_genesis(&args.data, &report);
    } else if args.parameters.given() {
        tracing::warn!(
            "ledger parameter flags ignored: {} already holds a ledger, whose parameters were \
             fixed at genesis (see `shanzhi info`)",
            args.data.display()
        );
    }
    let config = ServerConfig {
        listen: args.listen,
        data_dir: args.data,
        max_message_bytes: args.max_message_bytes,
        max_batch_message_bytes: args.max_batch_message_bytes,
        request_read_timeout: Duration::from_millis(args.request_read_timeout_ms.max(1)),
        max_connections: args.max_connections.max(1),
        max_connections_per_peer: args.max_connections_per_peer.max(1),
        receive_budget_bytes: args.receive_budget_bytes.max(1),
        idle_timeout: Duration::from_secs(args.idle_timeout_secs.max(1)),
        max_streams_per_connection: args.max_streams_per_connection.max(1),
        request_timeout: Duration::from_millis(args.request_timeout_ms),
        concurrency_per_connection: args.concurrency_per_connection.max(1),
        max_concurrent_requests: args.max_concurrent_requests.max(1),
        terminal_requests_per_sec: args.terminal_requests_per_sec.max(1),
        read_credential_max_skew: Duration::from_secs(args.read_credential_max_skew_secs),
        shutdown_grace: Duration::from_secs(args.shutdown_grace_secs),
        log_key: args.log_key,
        checkpoint_every_entries: args.checkpoint_every_entries.max(1),
        checkpoint_interval: Duration::from_millis(args.checkpoint_interval_ms.max(1)),
        store_stall_timeout: Duration::from_secs(args.store_stall_timeout_secs.max(1)),
        metrics_listen: args.metrics_listen,
        tls: args
            .tls_cert
            .zip(args.tls_key)
            .map(|(cert, key)| shanzhi::tls::TlsPaths {
                cert,
                key,
                client_ca: args.tls_client_ca,
            }),
        allow_plaintext: args.allow_plaintext,
        clock: shanzhi::writer::Clock::system(),
    };
    let mut server = shanzhi::server::start_locked(config, lock).await?;
    println!("shanzhi listening on {}", server.local_addr);
    if let Some(addr) = server.metrics_addr {
        println!("metrics at http://{addr}/metrics");
    }
    let mut hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        .context("cannot listen for SIGHUP")?;
    loop {
        tokio::select! {
            () = shutdown_signal() => break,
            error = server.failed() => return Err(error.into()),
            Some(()) = hangups.recv() => match server.reload_tls() {
                Ok(true) => tracing::info!("SIGHUP: TLS files read again; new connections use them"),
                Ok(false) => tracing::info!("SIGHUP: no TLS files to read again"),
                Err(error) => tracing::error!(
                    error = %error,
                    "SIGHUP: the TLS files could not be used; still serving with the ones before"
                ),
            },
        }
    }
    // Every acknowledged transaction is already on disk, so a second signal may end the
    // process at once.
    tokio::select! {
        stopped = server.stop() => stopped?,
        () = shutdown_signal() => {
            eprintln!("second signal: exiting without waiting for the drain");
            std::process::exit(130);
        }
    }
    tracing::info!("stopped cleanly");
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(error) => {
                tracing::error!(%error, "cannot watch SIGTERM; only Ctrl-C stops the server");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
