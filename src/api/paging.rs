//! Page sizes and page tokens of the paged reads, and the reads' other optional fields: an
//! area to look within and a year of the year columns.

use crate::ledger::{AreaCode, CivilDate, Refusal, UnixMs};

/// The area of request field `area_code`: `None` when empty (every area).
pub fn within_area(code: &str) -> Result<Option<AreaCode>, Refusal> {
    match code {
        "" => Ok(None),
        code => AreaCode::parse("area_code", code).map(Some),
    }
}

/// The year of request field `year`: 0 for the current year (China Standard Time, at
/// `now`), else 2000 to 9999.
pub fn year_or_this(year: u32, now: UnixMs) -> Result<u32, Refusal> {
    match year {
        0 => Ok(u32::try_from(CivilDate::of(now).ymd().0).unwrap_or(0)),
        year @ 2000..=9999 => Ok(year),
        year => Err(Refusal::InvalidField {
            field: "year",
            expected: "0 (this year) or a year from 2000 to 9999".into(),
            found: year.to_string(),
        }),
    }
}

/// A page size as requested: 0 for `default`, at most `max`.
pub fn page_size(requested: u32, default: u32, max: u32) -> Result<usize, Refusal> {
    match requested {
        0 => Ok(default as usize),
        size if size <= max => Ok(size as usize),
        size => Err(Refusal::InvalidField {
            field: "page_size",
            expected: format!("0 (for {default}) to {max}"),
            found: size.to_string(),
        }),
    }
}

/// A page token as requested: `None` for the first page, else the `next_page_token` a
/// previous page gave.
pub fn page_token<T: std::str::FromStr>(token: &str) -> Result<Option<T>, Refusal> {
    match token {
        "" => Ok(None),
        token => token.parse().map(Some).map_err(|_| Refusal::InvalidField {
            field: "page_token",
            expected: "empty or the next_page_token of a previous page".into(),
            found: format!("{token:?}"),
        }),
    }
}

/// A page token that is a 16-byte id in hex: `None` for the first page.
pub fn id_page_token(token: &str) -> Result<Option<[u8; 16]>, Refusal> {
    match token {
        "" => Ok(None),
        token => hex::decode(token)
            .ok()
            .and_then(|bytes| <[u8; 16]>::try_from(bytes).ok())
            .map(Some)
            .ok_or_else(|| Refusal::InvalidField {
                field: "page_token",
                expected: "empty or the next_page_token of a previous page".into(),
                found: format!("{token:?}"),
            }),
    }
}
