//! The two identity numbers the registry checks: the resident identity number (公民身份号码,
//! GB 11643-1999) and the unified social credit code of an organization (统一社会信用代码,
//! GB 32100-2015). Both are personal or identifying data: they live only in the directory,
//! and the log carries an HMAC tag of them (`tag.rs`), never the number.
//!
//! - A resident identity number is 18 characters: a 6-digit area code (where it was first
//!   issued), the birth date `YYYYMMDD`, a 3-digit sequence whose last digit is odd for a man
//!   and even for a woman, and a check character (ISO 7064 MOD 11-2: `0`–`9` or `X`).
//! - A unified social credit code is 18 characters of `0-9A-HJ-NP-RTUWXY` (no I, O, S, V, Z):
//!   the registration authority, the organization type, a 6-digit area code, the 9-character
//!   organization code and a check character (MOD 31 with weights 3^i).

use std::fmt;

use crate::ledger::CivilDate;

/// Why an identity number was refused: what was expected, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    /// What the number must be.
    pub expected: String,
    /// What was found (its length or the offending part; never the whole number).
    pub found: String,
}

/// A birth date, `YYYYMMDD` as a number (civil dates of the ledger start in 1970; people
/// are older).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BirthDate(u32);

impl BirthDate {
    /// The date of `yyyymmdd` if it is a real date from 1900-01-01 on.
    pub fn from_yyyymmdd(yyyymmdd: u32) -> Option<Self> {
        let (year, month, day) = (yyyymmdd / 10_000, yyyymmdd / 100 % 100, yyyymmdd % 100);
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => return None,
        };
        ((1900..=9999).contains(&year) && (1..=days).contains(&day)).then_some(Self(yyyymmdd))
    }

    /// The date of a civil date.
    pub fn of(date: CivilDate) -> Self {
        let (year, month, day) = date.ymd();
        Self(year as u32 * 10_000 + u32::from(month) * 100 + u32::from(day))
    }

    /// `YYYYMMDD`.
    pub fn get(self) -> u32 {
        self.0
    }

    /// Full years of age on `date` (0 before the first birthday).
    pub fn age_on(self, date: CivilDate) -> u32 {
        let on = Self::of(date).0;
        if on < self.0 {
            return 0;
        }
        (on - self.0) / 10_000
    }
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0 / 10_000,
            self.0 / 100 % 100,
            self.0 % 100
        )
    }
}

/// Sex, as the resident identity number's 17th digit says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    /// An odd 17th digit.
    Male,
    /// An even 17th digit.
    Female,
}

impl Sex {
    /// `male` or `female`.
    pub fn name(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// A well-formed resident identity number, normalized (a final `x` in upper case).
#[derive(Clone, PartialEq, Eq)]
pub struct ResidentId {
    number: String,
    birth_date: BirthDate,
    sex: Sex,
}

/// Never prints the number: only its masked form.
impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character of the first 17 digits.
fn id_check(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    match (12 - sum % 11) % 11 {
        10 => b'X',
        v => b'0' + v as u8,
    }
}

impl ResidentId {
    /// Parses and checks `text`: 18 characters, 17 digits and a check character that matches
    /// them, a real birth date from 1900-01-01 up to `today`.
    pub fn parse(text: &str, today: CivilDate) -> Result<Self, Malformed> {
        let number = text.to_ascii_uppercase();
        let bytes = number.as_bytes();
        let malformed = |found: String| Malformed {
            expected: "an 18-character resident identity number: 17 digits and a check \
                       character (0-9 or X) that matches them (GB 11643)"
                .into(),
            found,
        };
        if bytes.len() != 18 {
            return Err(malformed(format!("{} characters", text.chars().count())));
        }
        if !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(malformed(
                "a character other than a digit in the first 17".into(),
            ));
        }
        let check = id_check(&bytes[..17]);
        if bytes[17] != check {
            return Err(malformed(
                "a check character that does not match the first 17 digits".into(),
            ));
        }
        let birth = &number[6..14];
        let birth_date = birth
            .parse::<u32>()
            .ok()
            .and_then(BirthDate::from_yyyymmdd)
            .filter(|date| *date <= BirthDate::of(today))
            .ok_or_else(|| Malformed {
                expected: format!(
                    "a resident identity number whose digits 7-14 are a birth date from \
                     1900-01-01 to {today}"
                ),
                found: "digits 7-14 that are not such a date".into(),
            })?;
        let sex = if (bytes[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        };
        Ok(Self {
            number,
            birth_date,
            sex,
        })
    }

    /// The normalized number (only for the directory's sealed record and its tag).
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The birth date its digits 7-14 give.
    pub fn birth_date(&self) -> BirthDate {
        self.birth_date
    }

    /// The sex its 17th digit gives.
    pub fn sex(&self) -> Sex {
        self.sex
    }

    /// The area code of its first 6 digits (where the number was first issued).
    pub fn issuing_area(&self) -> &str {
        &self.number[..6]
    }

    /// The number with all but its first 3 and last 2 characters masked, for messages.
    pub fn masked(&self) -> String {
        format!("{}*************{}", &self.number[..3], &self.number[16..])
    }
}

/// The 31 characters of a unified social credit code, in value order.
const CREDIT_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A well-formed unified social credit code, normalized (upper case).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses and checks `text`: 18 characters of the code's alphabet, digits 3-8 an area
    /// code, and a check character that matches the first 17.
    pub fn parse(text: &str) -> Result<Self, Malformed> {
        let code = text.to_ascii_uppercase();
        let bytes = code.as_bytes();
        let malformed = |found: String| Malformed {
            expected: "an 18-character unified social credit code of 0-9 and A-Z without I, O, \
                       S, V and Z, characters 3-8 digits, and a check character that matches \
                       the first 17 (GB 32100)"
                .into(),
            found,
        };
        if bytes.len() != 18 {
            return Err(malformed(format!("{} characters", text.chars().count())));
        }
        let mut values = [0u32; 18];
        for (i, c) in bytes.iter().enumerate() {
            values[i] = CREDIT_CHARSET
                .iter()
                .position(|x| x == c)
                .ok_or_else(|| malformed(format!("{:?} at position {}", *c as char, i + 1)))?
                as u32;
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(malformed("characters 3-8 that are not all digits".into()));
        }
        let sum: u32 = values[..17]
            .iter()
            .enumerate()
            .map(|(i, v)| v * 3u32.pow(i as u32) % 31)
            .sum();
        let check = match 31 - sum % 31 {
            31 => 0,
            v => v,
        };
        if values[17] != check {
            return Err(malformed(
                "a check character that does not match the first 17".into(),
            ));
        }
        Ok(Self(code))
    }

    /// The normalized code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> CivilDate {
        CivilDate::from_ymd(2026, 12, 1).unwrap()
    }

    #[test]
    fn the_standards_examples_are_accepted_with_their_birth_date_and_sex() {
        let id = ResidentId::parse("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date().get(), 19491231);
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.issuing_area(), "110105");
        assert_eq!(id.masked(), "110*************2X");
        assert!(!format!("{id:?}").contains("19491231"));
        let id = ResidentId::parse("110101199003074477", today()).unwrap();
        assert_eq!(id.sex(), Sex::Male);
        for code in [
            "91350100M000100Y43",
            "91110000802100433B",
            "12100000400000624D",
            "91440300708461136t",
        ] {
            CreditCode::parse(code).unwrap();
        }
    }

    #[test]
    fn ages_count_full_years() {
        let born = BirthDate::from_yyyymmdd(19491231).unwrap();
        assert_eq!(born.age_on(CivilDate::from_ymd(2026, 12, 30).unwrap()), 76);
        assert_eq!(born.age_on(CivilDate::from_ymd(2026, 12, 31).unwrap()), 77);
        assert_eq!(born.to_string(), "1949-12-31");
        assert!(BirthDate::from_yyyymmdd(19000229).is_none());
        assert!(BirthDate::from_yyyymmdd(20000229).is_some());
        assert!(BirthDate::from_yyyymmdd(18991231).is_none());
    }

    #[test]
    fn malformed_numbers_say_what_is_wrong_without_repeating_them() {
        let refused = |text: &str| ResidentId::parse(text, today()).unwrap_err().found;
        assert_eq!(refused("1101051949123100"), "16 characters");
        assert!(refused("1101051949123100A2").contains("other than a digit"));
        assert!(refused("11010519491231002A").contains("does not match"));
        assert!(refused("110105194912310021").contains("does not match"));
        // A valid check over an impossible date (February 30th) and a future one.
        let mut digits = *b"11010519490230002";
        let impossible = format!(
            "{}{}",
            std::str::from_utf8(&digits).unwrap(),
            id_check(&digits) as char
        );
        assert!(refused(&impossible).contains("digits 7-14"));
        assert!(!refused(&impossible).contains("19490230"));
        digits[6..14].copy_from_slice(b"20270101");
        let future = format!(
            "{}{}",
            std::str::from_utf8(&digits).unwrap(),
            id_check(&digits) as char
        );
        assert!(refused(&future).contains("digits 7-14"));
        let code = |text: &str| CreditCode::parse(text).unwrap_err().found;
        assert!(code("91350100M000100Y44").contains("does not match"));
        assert!(code("91350100M000I00Y43").contains("'I' at position 13"));
        assert!(code("913501").contains("6 characters"));
        assert!(code("91A50100M000100Y43").contains("3-8"));
    }

    proptest! {
        /// Any 17 digits with a real birth date and their check character are accepted;
        /// changing any one character of a valid number makes it refused.
        #[test]
        fn one_changed_character_is_always_caught(
            area in 110000u32..659999,
            year in 1900u32..2027,
            month in 1u32..13,
            day in 1u32..29,
            sequence in 0u32..1000,
            position in 0usize..18,
            replacement in prop::sample::select(b"0123456789X".to_vec()),
        ) {
            let birth = BirthDate::from_yyyymmdd(year * 10_000 + month * 100 + day).unwrap();
            prop_assume!(birth <= BirthDate::of(today()));
            let body = format!("{area:06}{}{sequence:03}", birth.get());
            let check = id_check(body.as_bytes()) as char;
            let number = format!("{body}{check}");
            let parsed = ResidentId::parse(&number, today()).unwrap();
            prop_assert_eq!(parsed.birth_date(), birth);
            let mut changed = number.into_bytes();
            prop_assume!(changed[position] != replacement);
            changed[position] = replacement;
            let changed = String::from_utf8(changed).unwrap();
            prop_assert!(ResidentId::parse(&changed, today()).is_err());
        }

        #[test]
        fn a_credit_code_with_one_changed_character_is_refused(
            position in 0usize..18,
            replacement in prop::sample::select(CREDIT_CHARSET.to_vec()),
        ) {
            let mut code = b"91350100M000100Y43".to_vec();
            prop_assume!(code[position] != replacement);
            code[position] = replacement;
            prop_assert!(CreditCode::parse(std::str::from_utf8(&code).unwrap()).is_err());
        }
    }
}
