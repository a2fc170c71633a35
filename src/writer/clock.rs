//! Time for the writer: the wall clock that stamps entries, and the monotonic clock that
//! times store calls for the stall watchdog.

use std::time::{SystemTime, UNIX_EPOCH};

/// How far the wall clock may be behind the last entry's commit time before writes are
/// refused. Smaller steps back are absorbed: commit times never decrease.
pub const MAX_CLOCK_REGRESSION_MS: u64 = 2_000;

/// When the writer's current store call (append, flush, checkpoint) began, on a monotonic
/// clock (ms since the clock was made, plus one); 0 while it is not in one. A store that never
/// returns (sled 0.34 can wait forever for a log buffer whose write failed on a full disk) is
/// seen from outside through this clock, so the server can fail closed instead of hanging.
/// Monotonic, so a step of the wall clock neither fakes a stall nor hides one.
#[derive(Debug)]
pub struct StoreCallClock {
    began: std::sync::atomic::AtomicU64,
    epoch: std::time::Instant,
}

impl Default for StoreCallClock {
    fn default() -> Self {
        Self {
            began: std::sync::atomic::AtomicU64::new(0),
            epoch: std::time::Instant::now(),
        }
    }
}

impl StoreCallClock {
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .saturating_add(1)
    }

    /// Marks the start of a store call.
    pub fn begin(&self) {
        self.began
            .store(self.now(), std::sync::atomic::Ordering::SeqCst);
    }

    /// Marks its end.
    pub fn end(&self) {
        self.began.store(0, std::sync::atomic::Ordering::SeqCst);
    }

    /// How long the current store call has been running, if one is.
    pub fn running_for(&self) -> Option<std::time::Duration> {
        match self.began.load(std::sync::atomic::Ordering::SeqCst) {
            0 => None,
            began => Some(std::time::Duration::from_millis(
                self.now().saturating_sub(began),
            )),
        }
    }
}

/// Milliseconds since the Unix epoch by the wall clock.
pub fn now_unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The clock that stamps entries: the wall clock, or, for tests that must let days pass (a
/// public notice runs for days), the wall clock moved ahead by an amount the test controls.
/// Time reaches the state machine only through the commit times this clock gives.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    ahead_ms: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

impl Clock {
    /// The wall clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// The wall clock, moved ahead by whatever [`Clock::advance`] adds.
    pub fn adjustable() -> Self {
        Self {
            ahead_ms: Some(std::sync::Arc::default()),
        }
    }

    /// Moves an adjustable clock ahead by `ms` (a system clock does not move).
    pub fn advance(&self, ms: u64) {
        if let Some(ahead) = &self.ahead_ms {
            ahead.fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Milliseconds since the Unix epoch by this clock.
    pub fn now_unix_ms(&self) -> u64 {
        let ahead = self
            .ahead_ms
            .as_ref()
            .map_or(0, |a| a.load(std::sync::atomic::Ordering::SeqCst));
        now_unix_ms().saturating_add(ahead)
    }
}
