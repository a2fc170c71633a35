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
    };
    let report = run(&options).await.unwrap();
    assert_eq!(report.phases.len(), 2);
    assert!(report.phases.iter().all(|p| p.transactions == 40));
    assert_eq!(report.batched.as_ref().unwrap().transactions, 40);
    // Genesis, 3 set-up entries, 100 households, the rest issues: exactly as many as asked.
    let engine = report.engine.as_ref().unwrap();
    assert_eq!(engine.entries, 3_000);
    assert!(engine.entry_bytes > 100 * engine.entries);
    assert!(engine.bytes_on_disk >= engine.entry_bytes);
    assert!(report.verify.one_core > 0.0 && report.verify.all_cores > 0.0);
    let text = report.to_markdown();
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("ratio="), "{last}");
    assert!(last["ratio=".len()..].parse::<f64>().unwrap() > 0.0);
}
