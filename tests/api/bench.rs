//! A tiny run of `shanzhi bench`, so the benchmark keeps working; it asserts what was
//! measured exists and adds up, never how fast anything was.

use shanzhi::bench::{Options, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_bench_run_measures_every_figure_and_ends_with_the_ratio() {
    let options = Options {
        transactions: 40,
        concurrencies: vec![1, 4],
        batch_size: 16,
        batch_clients: 2,
        history_entries: 0,
        replay_entries: 3_000,
        replay_households: 100,
        verify_samples: 200,
        redemptions: 30,
        open_loop_transactions: 20,
    };
    let report = run(&options).await.unwrap();
    assert_eq!(report.phases.len(), 2);
    assert!(report.phases.iter().all(|p| p.transactions == 40));
    assert_eq!(report.batched.as_ref().unwrap().transactions, 40);
    // Redemptions: 30 by 4 terminals one per request, 30 more by 2 in batches.
    let redemptions = report.redemptions.as_ref().unwrap();
    assert_eq!(redemptions.single.transactions, 30);
    assert_eq!(redemptions.single.concurrency, 4);
    assert_eq!(redemptions.batched.as_ref().unwrap().transactions, 30);
    // Open loop at half the best single-request rate, alone and with the reader.
    let open = report.open_loop.as_ref().unwrap();
    let best = report
        .phases
        .iter()
        .map(|p| p.throughput())
        .fold(0.0, f64::max);
    assert!((open.offered_per_sec - best / 2.0).abs() < 1e-6);
    assert_eq!(open.alone.transactions, 20);
    assert_eq!(open.with_reader.transactions, 20);
    assert!(open.alone.p50 <= open.alone.p99 && open.alone.p99 <= open.alone.p999);
    // Everything committed: the server's log holds every phase's transactions.
    let setup = 1 + 3 + 100 + 1 + 4 + 2 * 100;
    assert_eq!(report.entries, setup + 2 * 40 + 40 + 2 * 30 + 2 * 20);
    // Genesis, 3 set-up entries, 100 households, the rest issues: exactly as many as asked.
    let engine = report.engine.as_ref().unwrap();
    assert_eq!(engine.entries, 3_000);
    // Memory is sampled right after the last registration: genesis, set-up, 100 households.
    assert_eq!(engine.household_entries, 1 + 3 + 100);
    assert!(engine.entry_bytes > 100 * engine.entries);
    assert!(engine.bytes_on_disk >= engine.entry_bytes);
    assert!(report.verify.one_core > 0.0 && report.verify.all_cores > 0.0);
    let text = report.to_markdown();
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("ratio="), "{last}");
    assert!(last["ratio=".len()..].parse::<f64>().unwrap() > 0.0);
}
