//! `shanzhi bench`: a loopback load test of the real server, in one process, on a fresh
//! ledger in a temporary directory. It reports throughput and latency of signed issue
//! transactions at several client concurrencies (the ratio between them shows what group
//! commit buys), bytes on disk per entry, and how long a restart takes to replay the log.
//! With `--history-entries N` it grows the log to N entries and measures, in the same run,
//! write latency with and without a concurrent reader paging through the whole history.

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
}

impl Phase {
    /// Committed transactions per second.
    pub fn throughput(&self) -> f64 {
        self.transactions as f64 / self.elapsed.as_secs_f64()
    }
}

/// Everything one run measured.
#[derive(Debug)]
pub struct Report {
    /// One phase per concurrency.
    pub phases: Vec<Phase>,
    /// Log entries at the end.
    pub entries: u64,
    /// Bytes of the sled directory at the end (after a clean shutdown).
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

fn directory_size(path: &Path) -> u64 {
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
    let count = transactions.len();
    let mut shares: Vec<Vec<pb::SignedTransaction>> = vec![Vec::new(); concurrency];
    for (i, tx) in transactions.into_iter().enumerate() {
        shares[i % concurrency].push(tx);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for share in shares {
        let mut client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(share.len());
            for tx in share {
                let sent = Instant::now();
                client.submit_signed(tx).await?;
                latencies.push(sent.elapsed());
            }
            Ok::<_, tonic::Status>(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(count);
    for task in tasks {
        latencies.extend(task.await?.context("a benchmark transaction was refused")?);
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Ok(Phase {
        concurrency,
        transactions: count,
        elapsed,
        p50: at(0.50),
        p99: at(0.99),
    })
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

/// Runs the benchmark: `per_phase` transactions at each of `concurrencies`, then, if
/// `history_entries` is not 0, the reader comparison on a log of that many entries.
pub async fn run(
    per_phase: usize,
    concurrencies: &[usize],
    history_entries: u64,
) -> Result<Report> {
    let data = tempfile_dir()?;
    let report = genesis::init(&data, LedgerParameters::default())?;
    let admin = Signer::new(KeyFile::read(&report.admin_key_path)?);
    let mut config = ServerConfig::new(data.clone());
    config.listen = "127.0.0.1:0".parse()?;
    config.concurrency_per_connection = 4096;
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
    for &concurrency in concurrencies {
        // Signed before the clock starts, so the phase measures the server.
        let transactions = issues(&client, &officer, per_phase);
        phases.push(submit_all(&client, transactions, concurrency.max(1)).await?);
    }
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
    std::fs::remove_dir_all(&data).ok();
    Ok(Report {
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

impl Report {
    /// The report as Markdown, with throughput ratios against the first phase.
    pub fn to_markdown(&self) -> String {
        let base = self.phases.first().map_or(1.0, Phase::throughput);
        let mut out = String::from(
            "| clients | transactions | tx/s | ratio to first row | p50 ms | p99 ms |\n\
             | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        );
        for p in &self.phases {
            out.push_str(&format!(
                "| {} | {} | {:.0} | {:.1}x | {:.2} | {:.2} |\n",
                p.concurrency,
                p.transactions,
                p.throughput(),
                p.throughput() / base,
                p.p50.as_secs_f64() * 1e3,
                p.p99.as_secs_f64() * 1e3,
            ));
        }
        out.push_str(&format!(
            "\nlog entries: {}; sled directory: {} bytes ({:.0} bytes per entry); restart \
             (open + replay + serve): {:.0} ms\n",
            self.entries,
            self.bytes_on_disk,
            self.bytes_on_disk as f64 / self.entries.max(1) as f64,
            self.restart.as_secs_f64() * 1e3
        ));
        if let Some(single) = self.phases.first() {
            out.push_str(&format!(
                "one append + fdatasync on this disk: {:.3} ms median, {:.0}% of the {:.2} ms \
                 median commit at {} client(s)\n",
                self.fdatasync_p50.as_secs_f64() * 1e3,
                100.0 * self.fdatasync_p50.as_secs_f64() / single.p50.as_secs_f64(),
                single.p50.as_secs_f64() * 1e3,
                single.concurrency,
            ));
        }
        if let Some(r) = &self.reader {
            out.push_str(&format!(
                "\nwrites by {} clients on a log of {} entries, alone and with a reader paging \
                 through the whole history at {} pages of 500 a second ({} pages, {} entries \
                 read meanwhile):\n\n\
                 | writes | tx/s | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: |\n",
                r.without.concurrency,
                r.history_entries,
                READER_PAGES_PER_SECOND,
                r.pages,
                r.entries_read
            ));
            for (name, p) in [("alone", &r.without), ("with a reader", &r.with)] {
                out.push_str(&format!(
                    "| {name} | {:.0} | {:.2} | {:.2} |\n",
                    p.throughput(),
                    p.p50.as_secs_f64() * 1e3,
                    p.p99.as_secs_f64() * 1e3,
                ));
            }
            out.push_str(&format!(
                "p99 with a reader / alone: {:.2}x\n",
                r.with.p99.as_secs_f64() / r.without.p99.as_secs_f64()
            ));
        }
        out
    }
}
