//! The records of the bureau programs' persons and organizations: beside the name, a person's
//! resident identity number (from which birth date and sex come), phone, hukou and residence
//! areas, and an organization's credit code. Everything here is personal data: it is sealed
//! like a name (`sealed.rs`), erased like one, and never enters the log, which holds only the
//! number's identity tag.

use super::identity::{BirthDate, CreditCode, ResidentId, Sex};
use super::sealed::Contents;
use crate::ledger::{AreaCode, CivilDate, Refusal};
use crate::pb::directory as pb;

/// What a person's or organization's record holds beside the name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Details {
    /// A person's.
    Person(PersonDetails),
    /// An organization's.
    Organization(OrganizationDetails),
}

/// A person's details.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonDetails {
    /// The resident identity number, normalized.
    pub id_number: String,
    /// The birth date it gives.
    pub birth_date: BirthDate,
    /// The sex it gives.
    pub sex: Sex,
    /// The phone, or empty.
    pub phone: String,
    /// The hukou area.
    pub hukou_area: AreaCode,
    /// The residence area.
    pub residence_area: AreaCode,
}

/// Never prints the number or the phone: a `Debug` of a change or a record may reach a log.
impl std::fmt::Debug for PersonDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonDetails")
            .field("id_number", &"(set)")
            .field("phone", &if self.phone.is_empty() { "" } else { "(set)" })
            .field("hukou_area", &self.hukou_area)
            .field("residence_area", &self.residence_area)
            .finish_non_exhaustive()
    }
}

/// An organization's details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizationDetails {
    /// The unified social credit code, normalized.
    pub credit_code: String,
}

/// The longest phone number accepted, in characters.
pub const MAX_PHONE_CHARS: usize = 20;

/// Checks a phone number: empty, or 7 to 20 characters of digits, `+`, `-` and spaces with
/// at least 7 digits.
pub fn parse_phone(text: &str) -> Result<String, Refusal> {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let allowed = text
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'+' || b == b'-' || b == b' ');
    if text.is_empty() || (allowed && digits >= 7 && text.len() <= MAX_PHONE_CHARS) {
        return Ok(text.to_owned());
    }
    Err(Refusal::InvalidField {
        field: "phone",
        expected: format!(
            "empty, or up to {MAX_PHONE_CHARS} characters of digits, '+', '-' and spaces with at \
             least 7 digits"
        ),
        found: format!("{} characters, {digits} digits", text.chars().count()),
    })
}

impl PersonDetails {
    /// The details of a checked resident identity number and the rest.
    pub fn new(
        id: &ResidentId,
        phone: String,
        hukou_area: AreaCode,
        residence_area: AreaCode,
    ) -> Self {
        Self {
            id_number: id.as_str().to_owned(),
            birth_date: id.birth_date(),
            sex: id.sex(),
            phone,
            hukou_area,
            residence_area,
        }
    }
}

impl Details {
    /// The details in a record's sealed contents.
    pub(super) fn seal_into(&self, contents: &mut Contents) {
        match self {
            Details::Person(person) => {
                contents.resident_id_number = person.id_number.clone();
                contents.phone = person.phone.clone();
                contents.hukou_area = person.hukou_area.to_string();
                contents.residence_area = person.residence_area.to_string();
            }
            Details::Organization(organization) => {
                contents.credit_code = organization.credit_code.clone();
            }
        }
    }

    /// The details a record's sealed contents hold, if any (`None` for a name alone; an
    /// error for contents that do not parse, which only a damaged store holds).
    pub(super) fn unseal(contents: &Contents) -> Result<Option<Self>, ()> {
        let person = (!contents.resident_id_number.is_empty()).then(|| Stated {
            id_number: &contents.resident_id_number,
            phone: &contents.phone,
            hukou_area: &contents.hukou_area,
            residence_area: &contents.residence_area,
        });
        let credit = (!contents.credit_code.is_empty()).then_some(contents.credit_code.as_str());
        Self::parse(credit, person).map_err(|_| ())
    }

    /// The details a person's or an organization's fields state, checked as when they were
    /// set (a number against any later day): an organization's if it has a credit code.
    fn parse(
        credit_code: Option<&str>,
        person: Option<Stated<'_>>,
    ) -> Result<Option<Self>, Refusal> {
        let invalid = |field: &'static str, expected: &str| Refusal::InvalidField {
            field,
            expected: expected.into(),
            found: "a value that does not parse".into(),
        };
        if let Some(code) = credit_code {
            let code = CreditCode::parse(code)
                .map_err(|_| invalid("credit_code", "a unified social credit code"))?;
            return Ok(Some(Details::Organization(OrganizationDetails {
                credit_code: code.as_str().to_owned(),
            })));
        }
        let Some(person) = person else {
            return Ok(None);
        };
        let id = ResidentId::parse(person.id_number, CivilDate::MAX)
            .map_err(|_| invalid("resident_id_number", "a resident identity number"))?;
        Ok(Some(Details::Person(PersonDetails::new(
            &id,
            parse_phone(person.phone)?,
            AreaCode::parse("hukou_area", person.hukou_area)?,
            AreaCode::parse("residence_area", person.residence_area)?,
        ))))
    }
}

/// A person's fields as stored or sent, before they are checked.
struct Stated<'a> {
    id_number: &'a str,
    phone: &'a str,
    hukou_area: &'a str,
    residence_area: &'a str,
}

impl From<&PersonDetails> for pb::PersonDetails {
    fn from(person: &PersonDetails) -> Self {
        pb::PersonDetails {
            resident_id_number: person.id_number.clone(),
            birth_date: person.birth_date.get(),
            sex: person.sex.name().to_owned(),
            phone: person.phone.clone(),
            hukou_area: person.hukou_area.to_string(),
            residence_area: person.residence_area.to_string(),
        }
    }
}

impl From<&OrganizationDetails> for pb::OrganizationDetails {
    fn from(organization: &OrganizationDetails) -> Self {
        pb::OrganizationDetails {
            credit_code: organization.credit_code.clone(),
        }
    }
}

/// The details of a wire record (a backup's), checked as when they were set.
pub fn details_of(record: &pb::Record) -> Result<Option<Details>, Refusal> {
    let person = record.person.as_ref().map(|person| Stated {
        id_number: &person.resident_id_number,
        phone: &person.phone,
        hukou_area: &person.hukou_area,
        residence_area: &person.residence_area,
    });
    let credit = record.organization.as_ref().map(|o| o.credit_code.as_str());
    Details::parse(credit, person)
}
