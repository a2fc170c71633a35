//! The per-terminal request rate limit: a token bucket per shop terminal key, refilled at
//! `per_sec` tokens a second up to a burst of `2 × per_sec`. Only keys whose signature
//! verified are counted (so nobody can spend a terminal's allowance by naming its key id),
//! and only terminals' keys, so the map holds at most one bucket per registered terminal.
//! Someone who can see a terminal's traffic could still replay one of its read credentials
//! (valid for the skew allowed) to spend its allowance: serve over TLS outside loopback.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::ledger::KeyId;

/// Token buckets per terminal key.
pub struct TerminalRate {
    per_sec: u32,
    buckets: Mutex<HashMap<KeyId, (f64, Instant)>>,
}

impl TerminalRate {
    /// `per_sec` requests a second per terminal, bursts of twice that.
    pub fn new(per_sec: u32) -> Self {
        Self {
            per_sec: per_sec.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The limit, per second.
    pub fn per_sec(&self) -> u32 {
        self.per_sec
    }

    /// Takes one token of `key`'s bucket at `now`; false if it has none left.
    pub fn take(&self, key: KeyId, now: Instant) -> bool {
        let rate = f64::from(self.per_sec);
        let burst = 2.0 * rate;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let (tokens, last) = buckets.entry(key).or_insert((burst, now));
        let elapsed = now.saturating_duration_since(*last).as_secs_f64();
        *tokens = (*tokens + elapsed * rate).min(burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_terminal_gets_its_burst_then_its_rate() {
        let rate = TerminalRate::new(5);
        let (key, other, t0) = (KeyId([1; 16]), KeyId([2; 16]), Instant::now());
        let granted = (0..20).filter(|_| rate.take(key, t0)).count();
        assert_eq!(granted, 10, "the burst is twice the rate");
        assert!(rate.take(other, t0), "each terminal has its own bucket");
        assert!(!rate.take(key, t0 + Duration::from_millis(100)));
        assert!(rate.take(key, t0 + Duration::from_millis(400)));
        let later = t0 + Duration::from_secs(60);
        assert_eq!((0..20).filter(|_| rate.take(key, later)).count(), 10);
    }
}
