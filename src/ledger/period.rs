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
        let local = LocalTime::from_unix_ms(unix_ms);
        Self {
            year: local.year,
            month: local.month,
        }
    }
}

/// A moment in China Standard Time, for people to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    year: i64,
    month: u8,
    day: u8,
    ms_of_day: i64,
}

impl LocalTime {
    /// The local (UTC+8) date and time of a Unix time in milliseconds.
    pub fn from_unix_ms(unix_ms: u64) -> Self {
        let local_ms = i64::try_from(unix_ms).unwrap_or(i64::MAX - CHINA_STANDARD_TIME_OFFSET_MS)
            + CHINA_STANDARD_TIME_OFFSET_MS;
        let days = local_ms.div_euclid(86_400_000);
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        Self {
            year: yoe + era * 400 + i64::from(month <= 2),
            month: month as u8,
            day: day as u8,
            ms_of_day: local_ms.rem_euclid(86_400_000),
        }
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.ms_of_day / 1000;
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} +08:00",
            self.year,
            self.month,
            self.day,
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60,
            self.ms_of_day % 1000
        )
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

    #[test]
    fn local_time_prints_beijing_wall_clock() {
        assert_eq!(
            LocalTime::from_unix_ms(1_796_054_400_123).to_string(),
            "2026-12-01 00:00:00.123 +08:00"
        );
        assert_eq!(
            LocalTime::from_unix_ms(1_709_208_000_000).to_string(),
            "2024-02-29 20:00:00.000 +08:00"
        );
    }
}
