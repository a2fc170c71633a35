//! The server's settings: `shanzhi serve`'s flags, each also from an environment variable
//! and from a TOML file (`--config FILE`), with flags over environment over file over
//! defaults; and `shanzhi config print`, which shows the settings that would take effect and
//! where each came from.
//!
//! The file's keys are the flags' names with `_` for `-` (`max_connections = 500`); an
//! unknown key is refused, naming it. The settings hold no secret values, only paths to the
//! key files, so the print shows every one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use clap::parser::ValueSource;

use shanzhi::config::{self, ServerConfig};
use shanzhi::genesis;
use shanzhi::ledger::LedgerParameters;

/// Ledger parameters, fixed at genesis. Unset flags take the documented defaults.
#[derive(Args)]
pub struct ParameterArgs {
    /// Longest allowed validity of a transaction (not_after - commit time), in seconds
    /// [default: 86400].
    #[arg(long)]
    pub max_transaction_window_secs: Option<u64>,
    /// Longest allowed validity of a payment code, in seconds [default: 900].
    #[arg(long)]
    pub max_payment_code_window_secs: Option<u64>,
    /// How long after a sale the shop's terminal may refund it, in seconds [default: 604800].
    #[arg(long)]
    pub max_refund_window_secs: Option<u64>,
}

impl ParameterArgs {
    pub fn given(&self) -> bool {
        self.max_transaction_window_secs.is_some()
            || self.max_payment_code_window_secs.is_some()
            || self.max_refund_window_secs.is_some()
    }

    pub fn parameters(&self) -> Result<LedgerParameters> {
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
pub struct ServeArgs {
    /// A TOML file of settings (keys: these flags' names with `_` for `-`); flags and
    /// environment variables take precedence over it.
    #[arg(long, env = "SHANZHI_CONFIG")]
    pub config: Option<PathBuf>,
    /// Data directory holding the ledger store and genesis keys.
    #[arg(long, env = "SHANZHI_DATA", default_value = config::DEFAULT_DATA_DIR)]
    pub data: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "SHANZHI_LISTEN", default_value = config::DEFAULT_LISTEN)]
    pub listen: std::net::SocketAddr,
    /// Largest gRPC request message accepted, in bytes (replies may be up to 16 MiB).
    #[arg(long, env = "SHANZHI_MAX_MESSAGE_BYTES", default_value_t = config::DEFAULT_MAX_MESSAGE_BYTES)]
    pub max_message_bytes: usize,
    /// Largest `SubmitBatch` request message accepted, in bytes (up to 256 transactions).
    #[arg(long, env = "SHANZHI_MAX_BATCH_MESSAGE_BYTES", default_value_t = config::DEFAULT_MAX_BATCH_MESSAGE_BYTES)]
    pub max_batch_message_bytes: usize,
    /// Longest time (ms) to receive a request's whole body; slower requests are refused.
    #[arg(long, env = "SHANZHI_REQUEST_READ_TIMEOUT_MS", default_value_t = config::DEFAULT_REQUEST_READ_TIMEOUT.as_millis() as u64)]
    pub request_read_timeout_ms: u64,
    /// Most connections open at once; more wait in the kernel's backlog.
    #[arg(long, env = "SHANZHI_MAX_CONNECTIONS", default_value_t = config::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Most connections open at once from one peer address; more are closed at once.
    #[arg(long, env = "SHANZHI_MAX_CONNECTIONS_PER_PEER", default_value_t = config::DEFAULT_MAX_CONNECTIONS_PER_PEER)]
    pub max_connections_per_peer: usize,
    /// Bytes of request bodies received at once, all connections together.
    #[arg(long, env = "SHANZHI_RECEIVE_BUDGET_BYTES", default_value_t = config::DEFAULT_RECEIVE_BUDGET_BYTES)]
    pub receive_budget_bytes: usize,
    /// Seconds a connection with nothing in flight stays open.
    #[arg(long, env = "SHANZHI_IDLE_TIMEOUT_SECS", default_value_t = config::DEFAULT_IDLE_TIMEOUT.as_secs())]
    pub idle_timeout_secs: u64,
    /// Most HTTP/2 streams one connection may open at once.
    #[arg(long, env = "SHANZHI_MAX_STREAMS_PER_CONNECTION", default_value_t = config::DEFAULT_MAX_STREAMS_PER_CONNECTION)]
    pub max_streams_per_connection: u32,
    /// Deadline for one request, in milliseconds.
    #[arg(long, env = "SHANZHI_REQUEST_TIMEOUT_MS", default_value_t = config::DEFAULT_REQUEST_TIMEOUT.as_millis() as u64)]
    pub request_timeout_ms: u64,
    /// Requests one connection may have in flight; more are refused (RESOURCE_EXHAUSTED).
    #[arg(long, env = "SHANZHI_CONCURRENCY_PER_CONNECTION", default_value_t = config::DEFAULT_CONCURRENCY_PER_CONNECTION)]
    pub concurrency_per_connection: usize,
    /// Requests the whole server works on at once; more are refused (RESOURCE_EXHAUSTED).
    #[arg(long, env = "SHANZHI_MAX_CONCURRENT_REQUESTS", default_value_t = config::DEFAULT_MAX_CONCURRENT_REQUESTS)]
    pub max_concurrent_requests: usize,
    /// Requests a second one shop terminal key may make, bursts of twice that; more are
    /// refused (RESOURCE_EXHAUSTED).
    #[arg(long, env = "SHANZHI_TERMINAL_REQUESTS_PER_SEC", default_value_t = config::DEFAULT_TERMINAL_REQUESTS_PER_SEC)]
    pub terminal_requests_per_sec: u32,
    /// Largest accepted clock difference of a read credential, in seconds.
    #[arg(long, env = "SHANZHI_READ_CREDENTIAL_MAX_SKEW_SECS", default_value_t = config::DEFAULT_READ_CREDENTIAL_MAX_SKEW.as_secs())]
    pub read_credential_max_skew_secs: u64,
    /// How long a shutdown waits for requests and streams in flight, in seconds.
    #[arg(long, env = "SHANZHI_SHUTDOWN_GRACE_SECS", default_value_t = config::DEFAULT_SHUTDOWN_GRACE.as_secs())]
    pub shutdown_grace_secs: u64,
    /// The log key file that signs checkpoints [default: <data>/keys/log.key].
    #[arg(long, env = "SHANZHI_LOG_KEY")]
    pub log_key: Option<PathBuf>,
    /// Sign a checkpoint once this many entries are not covered by one.
    #[arg(long, env = "SHANZHI_CHECKPOINT_EVERY_ENTRIES", default_value_t = config::DEFAULT_CHECKPOINT_EVERY_ENTRIES)]
    pub checkpoint_every_entries: u64,
    /// Sign a checkpoint this often (ms) when entries are not covered by one.
    #[arg(long, env = "SHANZHI_CHECKPOINT_INTERVAL_MS", default_value_t = config::DEFAULT_CHECKPOINT_INTERVAL.as_millis() as u64)]
    pub checkpoint_interval_ms: u64,
    /// Longest time (s) one store write or sync may take before the store is treated as
    /// failed (health NOT_SERVING, exit non-zero).
    #[arg(long, env = "SHANZHI_STORE_STALL_TIMEOUT_SECS", default_value_t = config::DEFAULT_STORE_STALL_TIMEOUT.as_secs())]
    pub store_stall_timeout_secs: u64,
    /// Serve Prometheus metrics at http://<this address>/metrics (off unless given; put it
    /// on a management network or loopback: it needs no credential).
    #[arg(long, env = "SHANZHI_METRICS_LISTEN")]
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// The server's TLS certificate chain (PEM); with --tls-key, the listener serves TLS only.
    #[arg(long, env = "SHANZHI_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, env = "SHANZHI_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// CA certificates (PEM) client certificates must chain to: every client must present
    /// one (mTLS), in addition to the signatures on every transaction.
    #[arg(long, env = "SHANZHI_TLS_CLIENT_CA")]
    pub tls_client_ca: Option<PathBuf>,
    /// Serve plaintext on an address that is not loopback (refused without it; for a
    /// TLS-terminating proxy in front). `--allow-plaintext=false` turns off a `true` from the
    /// config file.
    #[arg(long, env = "SHANZHI_ALLOW_PLAINTEXT", num_args = 0..=1, default_missing_value = "true",
          action = clap::ArgAction::Set, default_value_t = false)]
    pub allow_plaintext: bool,
    /// Ledger parameters, used only when this command creates the ledger.
    #[command(flatten)]
    pub parameters: ParameterArgs,
}

impl ServeArgs {
    /// The server's configuration from these settings.
    pub fn server_config(self) -> Result<ServerConfig> {
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            anyhow::bail!(
                "TLS needs both tls_cert and tls_key (flags --tls-cert and --tls-key), found only \
                 {}",
                if self.tls_cert.is_some() {
                    "tls_cert"
                } else {
                    "tls_key"
                }
            );
        }
        if self.tls_client_ca.is_some() && self.tls_cert.is_none() {
            anyhow::bail!(
                "tls_client_ca (--tls-client-ca) requires client certificates over TLS: give \
                 tls_cert and tls_key too"
            );
        }
        Ok(ServerConfig {
            listen: self.listen,
            data_dir: self.data,
            max_message_bytes: self.max_message_bytes,
            max_batch_message_bytes: self.max_batch_message_bytes,
            request_read_timeout: Duration::from_millis(self.request_read_timeout_ms.max(1)),
            max_connections: self.max_connections.max(1),
            max_connections_per_peer: self.max_connections_per_peer.max(1),
            receive_budget_bytes: self.receive_budget_bytes.max(1),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs.max(1)),
            max_streams_per_connection: self.max_streams_per_connection.max(1),
            request_timeout: Duration::from_millis(self.request_timeout_ms),
            concurrency_per_connection: self.concurrency_per_connection.max(1),
            max_concurrent_requests: self.max_concurrent_requests.max(1),
            terminal_requests_per_sec: self.terminal_requests_per_sec.max(1),
            read_credential_max_skew: Duration::from_secs(self.read_credential_max_skew_secs),
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
            log_key: self.log_key,
            checkpoint_every_entries: self.checkpoint_every_entries.max(1),
            checkpoint_interval: Duration::from_millis(self.checkpoint_interval_ms.max(1)),
            store_stall_timeout: Duration::from_secs(self.store_stall_timeout_secs.max(1)),
            metrics_listen: self.metrics_listen,
            tls: self
                .tls_cert
                .zip(self.tls_key)
                .map(|(cert, key)| shanzhi::tls::TlsPaths {
                    cert,
                    key,
                    client_ca: self.tls_client_ca,
                }),
            allow_plaintext: self.allow_plaintext,
            clock: shanzhi::writer::Clock::system(),
        })
    }
}

/// Where a setting's value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// An environment variable.
    Env,
    /// The `--config` file.
    File,
    /// The documented default (or unset).
    Default,
}

/// The settings' ids (the flags' names with `_`), in the order of `--help`.
fn setting_ids(command: &clap::Command) -> Vec<String> {
    command
        .get_arguments()
        .filter(|arg| arg.get_long().is_some() && arg.get_id() != "config")
        .map(|arg| arg.get_id().to_string())
        .collect()
}

/// The `--config` file given to `serve` or `config print`, if any, and that subcommand's
/// path of names.
fn config_file(matches: &clap::ArgMatches) -> Option<(Vec<&'static str>, PathBuf)> {
    let file = |m: &clap::ArgMatches| m.get_one::<PathBuf>("config").cloned();
    match matches.subcommand() {
        Some(("serve", serve)) => file(serve).map(|f| (vec!["serve"], f)),
        Some(("config", config)) => match config.subcommand() {
            Some(("print", print)) => file(print).map(|f| (vec!["config", "print"], f)),
            _ => None,
        },
        _ => None,
    }
}

/// The file's settings as text, each checked to be one of `ids`.
fn read_file(path: &std::path::Path, ids: &[String]) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    let mut settings = Vec::new();
    for (key, value) in table {
        if !ids.contains(&key) {
            anyhow::bail!(
                "{}: unknown setting {key:?}; expected one of: {}",
                path.display(),
                ids.join(", ")
            );
        }
        let text = match value {
            toml::Value::String(text) => text,
            toml::Value::Integer(number) => number.to_string(),
            toml::Value::Boolean(flag) => flag.to_string(),
            other => anyhow::bail!(
                "{}: {key} is {}, expected a string, an integer or a boolean",
                path.display(),
                other.type_str()
            ),
        };
        settings.push((key, text));
    }
    Ok(settings)
}

/// Parses the command line with the `--config` file's settings in place of the defaults,
/// so that flags override environment variables, which override the file, which
/// overrides the defaults. Returns the matches and the names the file set.
pub fn parse_with_file(command: clap::Command) -> Result<(clap::ArgMatches, Vec<String>)> {
    let first = command.clone().get_matches();
    let Some((path, file)) = config_file(&first) else {
        return Ok((first, Vec::new()));
    };
    let mut target = &command;
    for name in &path {
        target = target
            .find_subcommand(name)
            .context("the subcommand that took --config")?;
    }
    let ids = setting_ids(target);
    let settings = read_file(&file, &ids)?;
    let named: Vec<String> = settings.iter().map(|(key, _)| key.clone()).collect();
    let apply = |mut sub: clap::Command| {
        for (key, value) in &settings {
            sub = sub.mut_arg(key.as_str(), |arg| arg.default_value(value.clone()));
        }
        sub
    };
    let command = match path.as_slice() {
        ["serve"] => command.mut_subcommand("serve", apply),
        _ => command.mut_subcommand("config", |config| config.mut_subcommand("print", apply)),
    };
    Ok((command.get_matches(), named))
}

/// The settings as `config print` shows them: `name = value  # source`, in `--help` order;
/// one a line, valid as a config file.
pub fn print(matches: &clap::ArgMatches, from_file: &[String], command: &clap::Command) -> String {
    let mut out = String::new();
    for id in setting_ids(command) {
        let source = match matches.value_source(&id) {
            Some(ValueSource::CommandLine) => Source::Flag,
            Some(ValueSource::EnvVariable) => Source::Env,
            _ if from_file.contains(&id) => Source::File,
            _ => Source::Default,
        };
        let values: Vec<String> = matches
            .get_raw(&id)
            .map(|raw| raw.map(|v| v.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        let source = format!("{source:?}").to_lowercase();
        match values.first() {
            None => out.push_str(&format!("# {id} is not set  # {source}\n")),
            Some(value) => {
                let bare = value.parse::<i64>().is_ok() || value == "true" || value == "false";
                let value = if bare {
                    value.clone()
                } else {
                    toml::Value::String(value.clone()).to_string()
                };
                out.push_str(&format!("{id} = {value}  # {source}\n"));
            }
        }
    }
    out
}

/// Prints what genesis created.
pub fn print_genesis(data: &Path, report: &genesis::GenesisReport) {
    println!("created a new ledger in {}", data.display());
    println!("  ledger id:       {}", report.ledger_id);
    println!("  bureau admin key: {}", report.admin_key_path.display());
    println!("  log key:          {}", report.log_key_path.display());
    println!(
        "Sign bureau transactions with --key {}; keep a copy off this machine.",
        report.admin_key_path.display()
    );
}

/// Runs `shanzhi serve`: creates the ledger if the data directory holds none, then serves
/// until SIGTERM or Ctrl-C (SIGHUP reads the TLS files again).
pub async fn serve(args: ServeArgs) -> Result<()> {
    // SIGHUP is taken from the start: a reload asked while the log replays (systemctl
    // reload, a certificate renewal's hook) is queued, never the signal's default of ending
    // the process.
    let mut hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        .context("cannot listen for SIGHUP")?;
    // Every setting is checked, the TLS files read and the listeners bound, before anything
    // is created: a wrong file or a refused address never leaves a ledger behind whose
    // parameters genesis fixed.
    let (parameters, parameters_given) = (args.parameters.parameters()?, args.parameters.given());
    let config = args.server_config()?;
    let data = config.data_dir.clone();
    let listening = shanzhi::server::Listening::prepare(&config).await?;
    // The lock is taken before genesis, so two `serve` on one empty directory cannot both
    // create a ledger; it is held until the server stops.
    let lock = genesis::DataDirLock::acquire(&data)?;
    if !genesis::exists(&data) {
        let report = genesis::init_locked(&lock, parameters)?;
        print_genesis(&data, &report);
    } else if parameters_given {
        tracing::warn!(
            "ledger parameter flags ignored: {} already holds a ledger, whose parameters were \
             fixed at genesis (see `shanzhi info`)",
            data.display()
        );
    }
    let mut server = shanzhi::server::start_listening(config, lock, listening).await?;
    println!("shanzhi listening on {}", server.local_addr);
    if let Some(addr) = server.metrics_addr {
        println!("metrics at http://{addr}/metrics");
    }
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
