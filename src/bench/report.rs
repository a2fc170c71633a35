//! The bench's report as Markdown, ending with the `ratio=` line.

use super::{Phase, READER_PAGES_PER_SECOND, Report};

impl Report {
    /// The report as Markdown, with throughput ratios against the first phase.
    pub fn to_markdown(&self) -> String {
        let base = self.phases.first().map_or(1.0, Phase::throughput);
        let mut out = format!(
            "raw Ed25519 verify_strict on this machine: {:.0}/s on one core, {:.0}/s on all \
             {} threads of the verification pool\n\n",
            self.verify.one_core, self.verify.all_cores, self.verify.threads
        );
        out.push_str(
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
        if let Some(b) = &self.batched {
            out.push_str(&format!(
                "\nbatched: {} issues in SubmitBatch calls by {} callers: {:.0} tx/s ({:.1}x the \
                 first row); per call p50 {:.2} ms, p99 {:.2} ms\n",
                b.transactions,
                b.concurrency,
                b.throughput(),
                b.throughput() / base,
                b.p50.as_secs_f64() * 1e3,
                b.p99.as_secs_f64() * 1e3,
            ));
        }
        if let Some(r) = &self.redemptions {
            let per_raw = |p: &Phase| p.throughput() / (self.verify.all_cores / 2.0);
            out.push_str(&format!(
                "\nredemptions (two signatures each): {} by {} clients one per request: {:.0} \
                 tx/s, p50 {:.2} ms, p99 {:.2} ms ({:.2}x raw verify ÷ 2)\n",
                r.single.transactions,
                r.single.concurrency,
                r.single.throughput(),
                r.single.p50.as_secs_f64() * 1e3,
                r.single.p99.as_secs_f64() * 1e3,
                per_raw(&r.single),
            ));
            if let Some(b) = &r.batched {
                out.push_str(&format!(
                    "redemptions in SubmitBatch calls by {} callers: {:.0} tx/s, per call p50 \
                     {:.2} ms, p99 {:.2} ms ({:.2}x raw verify ÷ 2)\n",
                    b.concurrency,
                    b.throughput(),
                    b.p50.as_secs_f64() * 1e3,
                    b.p99.as_secs_f64() * 1e3,
                    per_raw(b),
                ));
            }
        }
        if let Some(o) = &self.open_loop {
            out.push_str(&format!(
                "\nopen loop: issues offered at {:.0}/s (half the best single-request rate \
                 above), each sent at its time, latency from that time; the reader pages \
                 through the history at {} pages of 500 a second ({} pages meanwhile); the \
                 latest send went out {:.2} ms after its time:\n\n\
                 | offered load | transactions | achieved tx/s | p50 ms | p99 ms | p99.9 ms |\n\
                 | --- | ---: | ---: | ---: | ---: | ---: |\n",
                o.offered_per_sec,
                READER_PAGES_PER_SECOND,
                o.pages,
                o.worst_send_lateness.as_secs_f64() * 1e3
            ));
            for (name, p) in [("alone", &o.alone), ("with a reader", &o.with_reader)] {
                out.push_str(&format!(
                    "| {name} | {} | {:.0} | {:.2} | {:.2} | {:.2} |\n",
                    p.transactions,
                    p.throughput(),
                    p.p50.as_secs_f64() * 1e3,
                    p.p99.as_secs_f64() * 1e3,
                    p.p999.as_secs_f64() * 1e3,
                ));
            }
        }
        out.push_str(&format!(
            "\nlog entries: {}; store directory: {} bytes ({:.0} bytes per entry); restart \
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
        if let Some(e) = &self.engine {
            let rate = |d: std::time::Duration| e.entries as f64 / d.as_secs_f64();
            out.push_str(&format!(
                "\nengine alone, a log of {} entries ({} households), built in {:.1} s:\n\n\
                 | replay | entries/s | vs raw verify (all cores) |\n| --- | ---: | ---: |\n\
                 | read and decode only (the store's share, reopened) | {:.0} | {:.2}x |\n\
                 | opening the store (checksums, leaf index, tree and root checked) | {:.0} | {:.2}x |\n\
                 | start-up: open, then replay (own log, no signature checks) | {:.0} | {:.2}x |\n\
                 | audit (every signature verify_strict, ahead on the pool) | {:.0} | {:.2}x |\n\n\
                 store: {} bytes on disk, {:.0} per entry ({:.0} of them the entry itself); \
                 memory grown while building it (state, sled cache, allocator): {:.0} MiB, \
                 {:.0} bytes per entry; of which {:.0} MiB while registering the households \
                 (the first {} entries, with the build's start-up), and {:.0} MiB per \
                 1,000,000 entries after them\n",
                e.entries,
                e.households,
                e.build.as_secs_f64(),
                rate(e.scan_and_decode),
                rate(e.scan_and_decode) / self.verify.all_cores,
                rate(e.open),
                rate(e.open) / self.verify.all_cores,
                rate(e.replay_without_signatures),
                rate(e.replay_without_signatures) / self.verify.all_cores,
                rate(e.replay_with_signatures),
                rate(e.replay_with_signatures) / self.verify.all_cores,
                e.bytes_on_disk,
                e.bytes_on_disk as f64 / e.entries.max(1) as f64,
                e.entry_bytes as f64 / e.entries.max(1) as f64,
                e.state_bytes as f64 / (1024.0 * 1024.0),
                e.state_bytes as f64 / e.entries.max(1) as f64,
                e.household_bytes as f64 / (1024.0 * 1024.0),
                e.household_entries,
                e.state_bytes.saturating_sub(e.household_bytes) as f64 / (1024.0 * 1024.0)
                    * 1_000_000.0
                    / e.entries.saturating_sub(e.household_entries).max(1) as f64,
            ));
        }
        out.push_str(&format!(
            "\npeak resident memory of the run: {:.0} MiB\n",
            self.peak_memory as f64 / (1024.0 * 1024.0)
        ));
        if let Some(b) = &self.batched {
            out.push_str(&format!(
                "ratio={:.3}\n",
                b.throughput() / self.verify.all_cores
            ));
        }
        out
    }
}
