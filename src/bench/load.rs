//! The bench's phases beyond issuance: redemptions (two signatures each: the terminal's and
//! the resident's payment code) one per request and in batches, and latency at a fixed
//! offered load (open loop), alone and with a reader paging through the history.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::{Phase, issues, page_history, phase, send_batch_shares, send_shares};
use crate::client::{LedgerClient, Signer, new_body};
use crate::crypto::KeyFile;
use crate::pb::points as pb;
use crate::pb::points::transaction_body::Operation as Op;
use crate::testkit::{issue, redeem, register_household, register_key};

/// Households with a resident key, for the redemption phases.
const RESIDENT_HOUSEHOLDS: usize = 100;
/// How long the bench's payment codes stay valid: within the default 15-minute window.
const PAYMENT_CODE_MS: u64 = 10 * 60 * 1000;

/// Redemptions measured.
#[derive(Debug)]
pub struct Redemptions {
    /// One per request, one terminal per client.
    pub single: Phase,
    /// In `SubmitBatch` calls, one terminal per caller (latency per call).
    pub batched: Option<Phase>,
}

/// Latency at a fixed offered load.
#[derive(Debug)]
pub struct OpenLoop {
    /// Transactions offered per second (half the best single-request throughput measured).
    pub offered_per_sec: f64,
    /// Writes alone.
    pub alone: Phase,
    /// Writes while a reader pages through the history.
    pub with_reader: Phase,
    /// History pages the reader read meanwhile.
    pub pages: u64,
    /// How late the load generator sent, at worst, in either phase (its timer ticks in
    /// milliseconds, so sends at a shorter interval go out in small bursts); the latencies
    /// above count from the scheduled time, so they include it.
    pub worst_send_lateness: Duration,
}

/// A shop with one terminal per caller, households with one resident key each and points
/// to spend, all set up before any clock starts.
struct Shop {
    terminals: Vec<Signer>,
    residents: Vec<Signer>,
}

async fn shop(
    client: &mut LedgerClient,
    admin: &Signer,
    officer: &Signer,
    terminals: usize,
    points_each: u64,
) -> Result<Shop> {
    client
        .submit(
            admin,
            Op::RegisterShop(pb::RegisterShop {
                shop_id: "bench-shop".into(),
                name: "bench shop".into(),
            }),
        )
        .await?;
    let terminals: Vec<Signer> = (0..terminals.max(1)).map(|_| Signer::generate()).collect();
    for terminal in &terminals {
        let operation = register_key(terminal, pb::Role::ShopTerminal, "bench-shop");
        client.submit(admin, operation).await?;
    }
    let residents: Vec<Signer> = (0..RESIDENT_HOUSEHOLDS)
        .map(|_| Signer::generate())
        .collect();
    for (i, resident) in residents.iter().enumerate() {
        let household = format!("rh-{i}");
        let operation = register_household(&household, "bench-village", &[resident]);
        client.submit(officer, operation).await?;
        client
            .submit(officer, issue("bench-village", &household, points_each))
            .await?;
    }
    Ok(Shop {
        terminals,
        residents,
    })
}

impl Shop {
    /// `count` sales of 1 point by `terminal`, its counter from `first_counter` up, each
    /// with its own payment code: sale `i` is the phase's sale `first + i`, to household
    /// `(first + i) % 100`, so a phase's sales fall evenly on the households.
    fn sales(
        &self,
        client: &LedgerClient,
        terminal: &Signer,
        first_counter: u64,
        (first, count): (usize, usize),
    ) -> Vec<pb::SignedTransaction> {
        let until = crate::writer::now_unix_ms() + PAYMENT_CODE_MS;
        (0..count)
            .map(|i| {
                let household = (first + i) % self.residents.len();
                let code = self.residents[household].payment_code_until(
                    &client.ledger_id,
                    &format!("rh-{household}"),
                    1,
                    until,
                );
                let counter = first_counter + i as u64;
                let operation = redeem("bench-shop", &format!("rh-{household}"), 1, code, counter);
                terminal.sign(&client.ledger_id, &new_body(operation, 3_600_000))
            })
            .collect()
    }
}

/// Redemptions: `count` by `concurrency` clients one per request, then `count` in batches
/// of `batch_size` by `batch_clients` callers (0: skip).
pub(super) async fn redemptions(
    client: &mut LedgerClient,
    admin: &Signer,
    officer: &Signer,
    count: usize,
    concurrency: usize,
    batch_size: usize,
    batch_clients: usize,
) -> Result<Redemptions> {
    let concurrency = concurrency.max(1);
    let callers = concurrency.max(batch_clients);
    // Each phase's sales fall evenly on the households.
    let points_each = (2 * count.div_ceil(RESIDENT_HOUSEHOLDS) + 10) as u64;
    let shop = shop(client, admin, officer, callers, points_each).await?;
    // Client k sends the sales of terminal k, in its counter's order.
    let per_client = count.div_ceil(concurrency);
    let shares: Vec<_> = (shop.terminals.iter().take(concurrency).enumerate())
        .map(|(k, terminal)| {
            let first = (k * per_client).min(count);
            shop.sales(client, terminal, 1, (first, per_client.min(count - first)))
        })
        .collect();
    let single = send_shares(client, shares).await?;
    let batched = if batch_size > 0 {
        let clients = batch_clients.max(1);
        let per_caller = count.div_ceil(clients);
        let mut transactions = Vec::new();
        for (k, terminal) in shop.terminals.iter().take(clients).enumerate() {
            let first = (k * per_caller).min(count);
            // After the counters the single phase used.
            let range = (first, per_caller.min(count - first));
            let signed = shop.sales(client, terminal, per_client as u64 + 1, range);
            transactions.push(signed);
        }
        let shares = transactions
            .into_iter()
            .map(|txs| txs.chunks(batch_size.max(1)).map(<[_]>::to_vec).collect())
            .collect();
        Some(send_batch_shares(client, shares).await?)
    } else {
        None
    };
    Ok(Redemptions { single, batched })
}

/// Latency at `per_sec` transactions offered a second (open loop: each sent at its time
/// whatever the earlier ones are doing, its latency counted from that time), `count` of
/// them alone, then `count` more while `reader` pages through the history.
pub(super) async fn open_loop(
    client: &LedgerClient,
    officer: &Signer,
    reader: &Signer,
    per_sec: f64,
    count: usize,
) -> Result<OpenLoop> {
    let (alone, late_alone) = offered(client, issues(client, officer, count), per_sec).await?;
    let transactions = issues(client, officer, count);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let paging = tokio::spawn(page_history(
        client.clone(),
        Signer::new(KeyFile::new(reader.key_file().signing_key.clone())),
        std::sync::Arc::clone(&stop),
    ));
    let with_reader = offered(client, transactions, per_sec).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (pages, _) = paging.await??;
    let (with_reader, late_with_reader) = with_reader?;
    Ok(OpenLoop {
        offered_per_sec: per_sec,
        alone,
        with_reader,
        pages,
        worst_send_lateness: late_alone.max(late_with_reader),
    })
}

/// Sends transaction `i` at `i / per_sec` seconds from the start, each on its own task;
/// also returns how late the latest send went out.
async fn offered(
    client: &LedgerClient,
    transactions: Vec<pb::SignedTransaction>,
    per_sec: f64,
) -> Result<(Phase, Duration)> {
    let count = transactions.len();
    let interval = Duration::from_secs_f64(1.0 / per_sec.max(1.0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut worst = Duration::ZERO;
    for (i, tx) in transactions.into_iter().enumerate() {
        let due = started + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        worst = worst.max(due.elapsed());
        let mut client = client.clone();
        tasks.spawn(async move { client.submit_signed(tx).await.map(|_| due.elapsed()) });
    }
    let mut latencies = Vec::with_capacity(count);
    while let Some(done) = tasks.join_next().await {
        latencies.push(done?.context("a benchmark transaction was refused")?);
    }
    Ok((phase(0, count, started.elapsed(), latencies), worst))
}
