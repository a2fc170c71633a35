//! Scoring periods: calendar months in China Standard Time (UTC+8), the pilot's local time.

use std::fmt;

/// A calendar month in China Standard Time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// The year, e.g. 2026.
    pub year: i64,
    /// The month, 1 ..= 12.
    pub month: u8,
}

const CHINA_STANDARD_TIME_OFFSET_MS: i64 = 8 * 60 * 60 * 1000;

impl Period {
    /// The month (in UTC+8) containing a Unix time in milliseconds.
    pub fn containing(unix_ms: u64) -> Self {
        let local_ms = unix_ms as i64 + CHINA_STANDARD_TIME_OFFSET_MS;
        let days = local_ms.div_euclid(86_400_000);
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self {
            year,
            month: month as u8,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_is_the_month_in_china_standard_time() {
        // 2026-11-30T16:00:00Z is 2026-12-01T00:00 in Beijing.
        assert_eq!(Period::containing(1_796_054_400_000).to_string(), "2026-12");
        // One millisecond earlier is still November in Beijing.
        assert_eq!(Period::containing(1_796_054_399_999).to_string(), "2026-11");
        assert_eq!(Period::containing(0).to_string(), "1970-01");
        // 2024-02-29T12:00:00Z, a leap day.
        assert_eq!(Period::containing(1_709_208_000_000).to_string(), "2024-02");
    }
}
