//! `shanzhi bench`: a loopback load test of the real server, in one process, on a fresh
//! ledger in a temporary directory, measured against the machine in the same run. It reports
//! raw `verify_strict` per second on one and all cores ([`machine`]); throughput and latency
//! of signed issue transactions at several client concurrencies, one per request and in
//! `SubmitBatch` batches; bytes on disk per entry; how long a restart takes; the engine alone
//! replaying a large log with and without signature checks ([`engine`]); peak memory; and,
//! last, `ratio=<batched issuance tx/s ÷ raw verify/s on all cores>`.
//! With `--history-entries N` it grows the log to N entries and measures, in the same run,
//! write latency with and without a concurrent reader paging through the whole history.

pub mod engine;
pub mod load;
pub mod machine;
mod report;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::client::{LedgerClient, Signer, new_body};
use crate::config::ServerConfig;
use crate::crypto::KeyFile;
use crate::genesis;
use crate::ledger::LedgerParameters;
use crate::pb::points as pb;
use crate::server;
use crate::testkit::{allocate, issue, register_household, register_issuer, register_key};

/// One measured phase.
#[derive(Debug)]
pub struct Phase {
    /// Concurrent clients.
    pub concurrency: usize,
    /// Transactions committed.
    pub transactions: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// 99.9th percentile latency.
    pub p999: Duration,
}

impl Phase {
    /// Committed transactions per second.
    pub fn throughput(&self) -> f64 {
        self.transactions as f64 / self.elapsed.as_secs_f64()
    }
}

/// What one run measures.
#[derive(Clone, Debug)]
pub struct Options {
    /// Transactions per phase.
    pub transactions: usize,
    /// Client concurrencies, one phase of single submissions each.
    pub concurrencies: Vec<usize>,
    /// Transactions per `SubmitBatch` call in the batched phase (0: skip it).
    pub batch_size: usize,
    /// Concurrent callers in the batched phase.
    pub batch_clients: usize,
    /// Grow the log to this many entries for the reader comparison (0: skip it).
    pub history_entries: u64,
    /// Entries of the log the engine replays (0: skip it).
    pub replay_entries: u64,
    /// Households registered in that log.
    pub replay_households: u64,
    /// Signatures verified to measure the machine's raw rate.
    pub verify_samples: usize,
    /// Redemptions per redemption phase (0: skip them).
    pub redemptions: usize,
    /// Issues offered in each open-loop phase (0: skip them).
    pub open_loop_transactions: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            transactions: 5000,
            concurrencies: vec![1, 8, 64],
            batch_size: crate::writer::MAX_BATCH_TRANSACTIONS,
            batch_clients: 4,
            history_entries: 0,
            replay_entries: 1_000_000,
            replay_households: 100_000,
            verify_samples: 40_000,
            redemptions: 5000,
            open_loop_transactions: 5000,
        }
    }
}

/// Everything one run measured.
#[derive(Debug)]
pub struct Report {
    /// The machine's raw signature verification rate.
    pub verify: machine::VerifyRate,
    /// One phase per concurrency.
    pub phases: Vec<Phase>,
    /// Issues in `SubmitBatch` calls: latency is per call.
    pub batched: Option<Phase>,
    /// Redemptions, one per request and in batches.
    pub redemptions: Option<load::Redemptions>,
    /// Latency at half the best single-request throughput, alone and with a reader.
    pub open_loop: Option<load::OpenLoop>,
    /// The engine replaying a large log.
    pub engine: Option<engine::EngineReport>,
    /// Peak resident memory of the whole run, in bytes.
    pub peak_memory: u64,
    /// Log entries at the end.
    pub entries: u64,
    /// Bytes of the store directory at the end (after a clean shutdown).
    pub bytes_on_disk: u64,
    /// Time from start to serving on the same directory (includes the replay).
    pub restart: Duration,
    /// Median time of one `pwrite` of 512 bytes at the end of a file plus `fdatasync`, in the
    /// benchmark's directory: the floor under every group commit, which ends in one.
    pub fdatasync_p50: Duration,
    /// Writes with and without a concurrent history reader, if asked for.
    pub reader: Option<ReaderComparison>,
}

/// Write latency with and without a reader paging through the history at the same time.
#[derive(Debug)]
pub struct ReaderComparison {
    /// Log entries when the comparison started.
    pub history_entries: u64,
    /// Writes alone.
    pub without: Phase,
    /// Writes while the reader pages.
    pub with: Phase,
    /// History pages the reader read during `with`.
    pub pages: u64,
    /// History entries the reader received during `with`.
    pub entries_read: u64,
}

/// Clients writing during the reader comparison.
const READER_COMPARISON_CLIENTS: usize = 8;
/// History pages (of 500 entries) the reader asks for per second: a fixed load, well below
/// what one reader can fetch on the reference machine (about 300 pages/s), so the comparison
/// measures the same reading whatever the server does with it.
pub const READER_PAGES_PER_SECOND: u64 = 100;

/// Median of `rounds` appends of 512 bytes to a file in `dir`, each followed by `fdatasync`
/// (what one group commit costs the disk at least).
fn fdatasync_median(dir: &Path, rounds: usize) -> Result<Duration> {
    use std::io::Write;
    let path = dir.join("fdatasync-probe");
    let mut file = std::fs::File::create(&path)?;
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        file.write_all(&[0x5a; 512])?;
        file.sync_data()?;
        times.push(started.elapsed());
    }
    std::fs::remove_file(&path)?;
    times.sort_unstable();
    Ok(times[times.len() / 2])
}

pub(crate) fn directory_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(meta) if meta.is_dir() => directory_size(&entry.path()),
            Ok(meta) => meta.len(),
            Err(_) => 0,
        })
        .sum()
}

async fn submit_all(
    client: &LedgerClient,
    transactions: Vec<pb::SignedTransaction>,
    concurrency: usize,
) -> Result<Phase> {
    let mut shares: Vec<Vec<pb::SignedTransaction>> = vec![Vec::new(); concurrency];
    for (i, tx) in transactions.into_iter().enumerate() {
        shares[i % concurrency].push(tx);
    }
    send_shares(client, shares).await
}

/// Each share sent in order by its own client, one transaction per request.
async fn send_shares(
    client: &LedgerClient,
    shares: Vec<Vec<pb::SignedTransaction>>,
) -> Result<Phase> {
    let (clients, count) = (shares.len(), shares.iter().map(Vec::len).sum());
    let (elapsed, latencies) = timed(client, shares, |mut client, tx| async move {
        client.submit_signed(tx).await.map(|_| ())
    })
    .await
    .context("a benchmark transaction was refused")?;
    Ok(phase(clients, count, elapsed, latencies))
}

/// `transactions` in calls of `batch_size`, by `clients` concurrent callers; latencies are
/// per call.
async fn submit_batches(
    client: &LedgerClient,
    transactions: Vec<pb::SignedTransaction>,
    batch_size: usize,
    clients: usize,
) -> Result<Phase> {
    let clients = clients.max(1);
    let mut shares: Vec<Vec<Vec<pb::SignedTransaction>>> = vec![Vec::new(); clients];
    for (i, batch) in transactions.chunks(batch_size.max(1)).enumerate() {
        shares[i % clients].push(batch.to_vec());
    }
    send_batch_shares(client, shares).await
}

/// Each share of batches sent in order by its own client, one `SubmitBatch` call per batch;
/// latencies are per call.
async fn send_batch_shares(
    client: &LedgerClient,
    shares: Vec<Vec<Vec<pb::SignedTransaction>>>,
) -> Result<Phase> {
    let clients = shares.len();
    let count = shares.iter().flatten().map(Vec::len).sum();
    let (elapsed, latencies) = timed(client, shares, send_batch)
        .await
        .context("a benchmark batch was refused")?;
    Ok(phase(clients, count, elapsed, latencies))
}

/// One `SubmitBatch` call; any transaction refused fails it.
async fn send_batch(
    mut client: LedgerClient,
    batch: Vec<pb::SignedTransaction>,
) -> Result<(), tonic::Status> {
    let results = client.submit_batch(batch).await?;
    match results.iter().find_map(|r| match &r.outcome {
        Some(pb::submit_result::Outcome::Committed(_)) => None,
        other => Some(format!("{other:?}")),
    }) {
        Some(refused) => Err(tonic::Status::internal(refused)),
        None => Ok(()),
    }
}

/// Runs one task per share, each sending its units one after another with `send`; returns
/// the wall time of all of them and every unit's latency.
async fn timed<T, F, Fut>(
    client: &LedgerClient,
    shares: Vec<Vec<T>>,
    send: F,
) -> Result<(Duration, Vec<Duration>)>
where
    T: Send + 'static,
    F: Fn(LedgerClient, T) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<(), tonic::Status>> + Send,
{
    let started = Instant::now();
    let mut tasks = Vec::new();
    for share in shares {
        let (client, send) = (client.clone(), send.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(share.len());
            for unit in share {
                let sent = Instant::now();
                send(client.clone(), unit).await?;
                latencies.push(sent.elapsed());
            }
            Ok::<_, tonic::Status>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    Ok((started.elapsed(), latencies))
}

fn phase(
    concurrency: usize,
    transactions: usize,
    elapsed: Duration,
    mut latencies: Vec<Duration>,
) -> Phase {
    latencies.sort_unstable();
    // The nearest-rank percentile: the smallest latency at least a fraction q of all are
    // at or below.
    let at = |q: f64| {
        let rank = (latencies.len() as f64 * q).ceil() as usize;
        latencies
            .get(rank.saturating_sub(1))
            .copied()
            .unwrap_or_default()
    };
    Phase {
        concurrency,
        transactions,
        elapsed,
        p50: at(0.50),
        p99: at(0.99),
        p999: at(0.999),
    }
}

/// `count` signed issues by `officer`, spread over the bench's 100 households.
fn issues(client: &LedgerClient, officer: &Signer, count: usize) -> Vec<pb::SignedTransaction> {
    (0..count)
        .map(|i| {
            let body = new_body(
                issue("bench-village", &format!("hh-{}", i % 100), 1),
                3_600_000,
            );
            officer.sign(&client.ledger_id, &body)
        })
        .collect()
}

/// Pages through the whole history as `reader` (500 entries a page), from the start again
/// each time it reaches the end, [`READER_PAGES_PER_SECOND`] pages a second, until `stop` is
/// set; returns pages and entries read.
async fn page_history(
    mut client: LedgerClient,
    reader: Signer,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Result<(u64, u64)> {
    let (mut pages, mut entries) = (0, 0);
    let mut token = String::new();
    let mut ticks =
        tokio::time::interval(Duration::from_micros(1_000_000 / READER_PAGES_PER_SECOND));
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        ticks.tick().await;
        let page = client
            .history(
                &reader,
                pb::ListHistoryRequest {
                    page_size: crate::api::queries::MAX_PAGE_SIZE,
                    page_token: token,
                    ..Default::default()
                },
            )
            .await?;
        pages += 1;
        entries += page.entries.len() as u64;
        token = page.next_page_token;
    }
    Ok((pages, entries))
}

/// Grows the log to `history_entries`, then measures `per_phase` writes by
/// [`READER_COMPARISON_CLIENTS`] clients alone and then with a reader paging at the same time.
async fn compare_with_reader(
    client: &LedgerClient,
    officer: &Signer,
    reader: &Signer,
    history_entries: u64,
    per_phase: usize,
) -> Result<ReaderComparison> {
    let log_size = |mut client: LedgerClient| async move {
        Ok::<_, anyhow::Error>(
            client
                .transactions
                .get_ledger_info(pb::GetLedgerInfoRequest {})
                .await?
                .into_inner()
                .log_size,
        )
    };
    let have = log_size(client.clone()).await?;
    let missing = usize::try_from(history_entries.saturating_sub(have))?;
    if missing > 0 {
        submit_all(client, issues(client, officer, missing), 64).await?;
    }
    let history_entries = log_size(client.clone()).await?;
    let without = submit_all(
        client,
        issues(client, officer, per_phase),
        READER_COMPARISON_CLIENTS,
    )
    .await?;
    let transactions = issues(client, officer, per_phase);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let paging = tokio::spawn(page_history(
        client.clone(),
        Signer::new(KeyFile::new(reader.key_file().signing_key.clone())),
        std::sync::Arc::clone(&stop),
    ));
    let with = submit_all(client, transactions, READER_COMPARISON_CLIENTS).await?;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (pages, entries_read) = paging.await??;
    Ok(ReaderComparison {
        history_entries,
        without,
        with,
        pages,
        entries_read,
    })
}

/// Runs the benchmark as `options` says (see [`Options`]).
pub async fn run(options: &Options) -> Result<Report> {
    let most = crate::writer::MAX_BATCH_TRANSACTIONS;
    anyhow::ensure!(
        options.batch_size <= most,
        "--batch-size {} is more than the {most} transactions a SubmitBatch call may carry",
        options.batch_size
    );
    let per_phase = options.transactions;
    let history_entries = options.history_entries;
    let verify = tokio::task::spawn_blocking({
        let samples = options.verify_samples;
        move || machine::verify_rate(samples)
    })
    .await?;
    let data = tempfile_dir()?;
    let report = genesis::init(&data, LedgerParameters::default())?;
    let admin = Signer::new(KeyFile::read(&report.admin_key_path)?);
    let mut config = ServerConfig::new(data.clone());
    config.listen = "127.0.0.1:0".parse()?;
    config.concurrency_per_connection = 4096;
    // The redemption phases' terminals send thousands a second; the limit guards against a
    // broken terminal, not what is measured here.
    config.terminal_requests_per_sec = 1_000_000;
    let running = server::start(config.clone()).await?;
    let mut client = LedgerClient::connect(&format!("http://{}", running.local_addr)).await?;

    let officer = Signer::generate();
    for operation in [
        register_issuer("bench-village", pb::IssuerKind::Village),
        register_key(&officer, pb::Role::VillageOfficer, "bench-village"),
        allocate("bench-village", 1_000_000_000),
    ] {
        client.submit(&admin, operation).await?;
    }
    for household in 0..100 {
        client
            .submit(
                &officer,
                register_household(&format!("hh-{household}"), "bench-village", &[]),
            )
            .await?;
    }

    let mut phases = Vec::new();
    for &concurrency in &options.concurrencies {
        // Signed before the clock starts, so the phase measures the server.
        let transactions = issues(&client, &officer, per_phase);
        phases.push(submit_all(&client, transactions, concurrency.max(1)).await?);
    }
    let batched = if options.batch_size > 0 {
        let transactions = issues(&client, &officer, per_phase);
        let (size, clients) = (options.batch_size, options.batch_clients);
        Some(submit_batches(&client, transactions, size, clients).await?)
    } else {
        None
    };
    let redemptions = if options.redemptions > 0 {
        let clients = options.concurrencies.iter().copied().max().unwrap_or(1);
        Some(
            load::redemptions(
                &mut client,
                &admin,
                &officer,
                options.redemptions,
                clients,
                options.batch_size,
                options.batch_clients,
            )
            .await?,
        )
    } else {
        None
    };
    let best = phases.iter().map(Phase::throughput).max_by(f64::total_cmp);
    let open_loop = match best {
        Some(best) if options.open_loop_transactions > 0 => {
            let count = options.open_loop_transactions;
            Some(load::open_loop(&client, &officer, &admin, best / 2.0, count).await?)
        }
        _ => None,
    };
    let reader = if history_entries > 0 {
        Some(compare_with_reader(&client, &officer, &admin, history_entries, per_phase).await?)
    } else {
        None
    };
    let entries = client
        .transactions
        .get_ledger_info(pb::GetLedgerInfoRequest {})
        .await?
        .into_inner()
        .log_size;
    drop(client);
    running.stop().await?;
    let bytes_on_disk = directory_size(&genesis::store_path(&data));
    let fdatasync_p50 = fdatasync_median(&data, 500)?;

    let started = Instant::now();
    let restarted = server::start(config).await?;
    let restart = started.elapsed();
    restarted.stop().await?;
    let engine = if options.replay_entries > 0 {
        let dir = data.clone();
        let (entries, households) = (options.replay_entries, options.replay_households);
        Some(tokio::task::spawn_blocking(move || engine::run(&dir, entries, households)).await??)
    } else {
        None
    };
    std::fs::remove_dir_all(&data).ok();
    Ok(Report {
        verify,
        batched,
        redemptions,
        open_loop,
        engine,
        peak_memory: machine::peak_resident_bytes(),
        phases,
        entries,
        bytes_on_disk,
        restart,
        fdatasync_p50,
        reader,
    })
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "shanzhi-bench-{}",
        hex::encode(crate::crypto::random_bytes::<6>())
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
