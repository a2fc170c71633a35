//! The calendar of China Standard Time (UTC+8), the pilot's local time: civil dates, scoring
//! periods (calendar months) and local times for people to read.

use std::fmt;

use super::{Refusal, UnixMs};

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

impl Period {
    /// The month after.
    pub fn next(self) -> Self {
        match self.month {
            12 => Self {
                year: self.year + 1,
                month: 1,
            },
            month => Self {
                year: self.year,
                month: month + 1,
            },
        }
    }

    /// The month before.
    pub fn previous(self) -> Self {
        match self.month {
            1 => Self {
                year: self.year - 1,
                month: 12,
            },
            month => Self {
                year: self.year,
                month: month - 1,
            },
        }
    }

    /// Parses `YYYY-MM` (a month of 1970 ..= 9999) of request field `field`.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, Refusal> {
        let invalid = || Refusal::InvalidField {
            field,
            expected: "a month as YYYY-MM".into(),
            found: format!("{text:?}"),
        };
        let (year, month) = text.split_once('-').ok_or_else(invalid)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(invalid());
        }
        let year: i64 = year.parse().map_err(|_| invalid())?;
        let month: u8 = month.parse().map_err(|_| invalid())?;
        if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(invalid());
        }
        Ok(Self { year, month })
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
    /// Milliseconds since local midnight.
    pub fn ms_of_day(&self) -> u64 {
        u64::try_from(self.ms_of_day).unwrap_or(0)
    }

    /// The local (UTC+8) date and time of a Unix time in milliseconds.
    pub fn from_unix_ms(unix_ms: u64) -> Self {
        let local_ms = local_ms(unix_ms);
        let (year, month, day) = civil_from_days(local_ms.div_euclid(86_400_000));
        Self {
            year,
            month,
            day,
            ms_of_day: local_ms.rem_euclid(86_400_000),
        }
    }
}

/// Milliseconds since 1970-01-01 00:00 China Standard Time.
fn local_ms(unix_ms: u64) -> i64 {
    i64::try_from(unix_ms).unwrap_or(i64::MAX - CHINA_STANDARD_TIME_OFFSET_MS)
        + CHINA_STANDARD_TIME_OFFSET_MS
}

/// The (year, month, day) of a count of days since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        yoe + era * 400 + i64::from(month <= 2),
        month as u8,
        day as u8,
    )
}

/// The count of days since 1970-01-01 of a (year, month, day) (Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The number of days of a month.
fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A civil date in China Standard Time, the date of rules, policies, deeds and memberships.
/// On the wire it is a `uint32` of days since 1970-01-01; day 0 is never a date, so a field
/// left at 0 means "not set" and is refused where a date is required.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate(u32);

impl CivilDate {
    /// The last date accepted: 9999-12-31.
    pub const MAX: CivilDate = CivilDate(2_932_896);

    /// The date of a wire value, or `None` for 0 or a value past [`CivilDate::MAX`].
    pub fn from_days(days: u32) -> Option<Self> {
        (days != 0 && days <= Self::MAX.0).then_some(Self(days))
    }

    /// The wire value: days since 1970-01-01.
    pub fn days(self) -> u32 {
        self.0
    }

    /// The date (in China Standard Time) of a commit time.
    pub fn of(time: UnixMs) -> Self {
        let days = local_ms(time.get()).div_euclid(86_400_000);
        // Before 1970-01-02 is day 1, after 9999-12-31 is MAX: commit times are never there.
        Self(
            u32::try_from(days.max(1))
                .unwrap_or(u32::MAX)
                .min(Self::MAX.0),
        )
    }

    /// The date of a year, month and day, if it exists and is within range (years 1970 to
    /// 9999).
    pub fn from_ymd(year: i64, month: u8, day: u8) -> Option<Self> {
        if !(1970..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
        {
            return None;
        }
        u32::try_from(days_from_civil(year, month, day))
            .ok()
            .and_then(Self::from_days)
    }

    /// Parses `YYYY-MM-DD`; `field` names the request field in the refusal.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, Refusal> {
        let mut parts = text.splitn(3, '-');
        let mut next = |len: usize| {
            parts
                .next()
                .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse::<i64>().ok())
        };
        let date = match (next(4), next(2), next(2)) {
            (Some(y), Some(m), Some(d)) => Self::from_ymd(y, m as u8, d as u8),
            _ => None,
        };
        date.ok_or_else(|| Refusal::InvalidField {
            field,
            expected: "a date YYYY-MM-DD between 1970-01-02 and 9999-12-31".into(),
            found: format!("{text:?}"),
        })
    }

    /// Parses a wire value; `field` names the request field in the refusal.
    pub fn from_wire(field: &'static str, days: u32) -> Result<Self, Refusal> {
        Self::from_days(days).ok_or_else(|| Refusal::InvalidField {
            field,
            expected: format!(
                "a date: days since 1970-01-01, 1 to {} (day 0 is never a date)",
                Self::MAX.0
            ),
            found: days.to_string(),
        })
    }

    /// The year, month and day.
    pub fn ymd(self) -> (i64, u8, u8) {
        civil_from_days(i64::from(self.0))
    }

    /// `days` later, at most [`CivilDate::MAX`].
    pub fn add_days(self, days: u32) -> Self {
        Self(self.0.saturating_add(days).min(Self::MAX.0))
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.ymd();
        write!(f, "{year:04}-{month:02}-{day:02}")
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
    fn civil_dates_round_trip_and_follow_china_standard_time() {
        // 2026-11-30T16:00:00Z is 2026-12-01T00:00 in Beijing: day 20788.
        let first = CivilDate::of(UnixMs(1_796_054_400_000));
        assert_eq!(
            (first.days(), first.to_string()),
            (20_788, "2026-12-01".into())
        );
        assert_eq!(
            CivilDate::of(UnixMs(1_796_054_399_999)).to_string(),
            "2026-11-30"
        );
        assert_eq!(CivilDate::parse("d", "2026-12-01"), Ok(first));
        assert_eq!(
            CivilDate::from_ymd(2024, 2, 29).map(|d| d.to_string()),
            Some("2024-02-29".into())
        );
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "1970-01-01",
            "x",
            "2026-12-01-",
        ] {
            assert!(CivilDate::parse("d", bad).is_err(), "{bad}");
        }
        assert!(CivilDate::from_wire("d", 0).is_err());
        assert_eq!(CivilDate::MAX.to_string(), "9999-12-31");
        assert_eq!(CivilDate::from_ymd(i64::MAX, 1, 1), None);
        assert_eq!(CivilDate::from_ymd(10_000, 1, 1), None);
        assert_eq!(CivilDate::of(UnixMs(u64::MAX)), CivilDate::MAX);
        assert_eq!(CivilDate::of(UnixMs(0)).days(), 1);
        for days in [1, 59, 60, 365, 11_016, 20_788, 2_932_896] {
            let date = CivilDate::from_days(days).unwrap();
            let (y, m, d) = date.ymd();
            assert_eq!(CivilDate::from_ymd(y, m, d), Some(date), "{date}");
        }
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
