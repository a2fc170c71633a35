//! The handler's checks of what only the directory knows, before the writer
//! (`writer::OutsideCheck`): a case is opened, and a child's category set, only for a person
//! whose directory record is present and gives the identity tag the person was registered
//! with (the state machine cannot check a tag against a number: the identity key never enters
//! the log); social assistance is applied for where one lives; a children's case or category
//! is for a child under 18 (under 16 for left-behind) by the record's birth date; a canteen's
//! diner is of the age tier the record's birth date gives. The signer's
//! authority and the person's registration are checked first, on the published state, so a
//! key that may not act learns nothing of the record, and a person registered in the same
//! batch (not yet published) is refused rather than let through.

use super::{Details, Directory, DirectoryError, RecordState, view};
use crate::ledger::{
    AreaCode, CaseworkOp, CaseworkRefusal, ChildrenOp, ChildrenRefusal, CivilDate, ElderlyOp,
    ElderlyRefusal, KeyId, Operation, PersonId, Program, RescueOp, RescueRefusal, State, Subject,
    SubjectView, Transaction, UnixMs, age_tier, case_types,
};
use crate::writer::{OutsideCheck, SubmitError};

impl OutsideCheck for Directory {
    fn concerns(&self, transaction: &Transaction) -> bool {
        matches!(
            transaction.operation,
            Operation::Casework(CaseworkOp::OpenCase { .. })
                | Operation::Children(ChildrenOp::SetCategory { .. })
                | Operation::Elderly(ElderlyOp::EnrollDiner { .. })
                | Operation::Elderly(ElderlyOp::ServeMeal { .. })
                | Operation::Rescue(RescueOp::Admit {
                    person: Some(_),
                    ..
                })
        )
    }

    fn check(
        &self,
        transaction: &Transaction,
        signer: &KeyId,
        state: &State,
        now: UnixMs,
    ) -> Result<(), SubmitError> {
        match &transaction.operation {
            Operation::Casework(CaseworkOp::OpenCase {
                person,
                area,
                case_type,
                ..
            }) => {
                let registered = state.may_open_case(signer, case_type, person, area)?;
                let details = self.present_record(person, &registered)?;
                where_one_lives(&details, case_type, area)?;
                let children = case_types::case_type(case_type)
                    .is_some_and(|(_, table)| table.program == Program::Children);
                if children {
                    young_enough(&details, "a children's case", 18, now)?;
                }
                Ok(())
            }
            Operation::Children(ChildrenOp::SetCategory {
                child,
                category,
                area,
                ..
            }) => {
                let registered = state.may_set_child_category(signer, child, area)?;
                let details = self.present_record(child, &registered)?;
                young_enough(&details, category.name(), category.under_age(), now)
            }
            Operation::Elderly(ElderlyOp::EnrollDiner {
                canteen,
                person,
                tier,
            }) => {
                let registered = state.may_enroll_diner(signer, canteen, person)?;
                let details = self.present_record(person, &registered)?;
                of_tier(&details, tier, now)
            }
            // A diner's tier moves on 1 January: a meal in a stale tier waits for the
            // enrollment in the new one.
            Operation::Elderly(ElderlyOp::ServeMeal {
                canteen, person, ..
            }) => {
                let (registered, tier) = state.may_serve_meal(signer, canteen, person)?;
                let details = self.present_record(person, &registered)?;
                of_tier(&details, tier, now)
            }
            Operation::Rescue(RescueOp::Admit {
                area,
                person: Some(person),
                group,
                ..
            }) => {
                let registered = state.may_admit(signer, area, person)?;
                let details = self.present_record(person, &registered)?;
                of_group(&details, group, now)
            }
            _ => Ok(()),
        }
    }
}

/// `ADMISSION_GROUP_MISMATCH` unless the person's age today by the record's birth date fits
/// `group`: a minor under 18, an adult 18 to 59, an elderly person 60 or over; a disabled
/// person at any age (the record does not say).
fn of_group(details: &Details, group: &str, now: UnixMs) -> Result<(), SubmitError> {
    let Details::Person(person) = details else {
        return Err(SubmitError::Refused(
            CaseworkRefusal::RecordRequired {
                found: "a record that is not a person's",
            }
            .into(),
        ));
    };
    if group == "disabled" {
        return Ok(());
    }
    let age = person.birth_date.age_on(CivilDate::of(now));
    let expected = match age {
        0..18 => "minor",
        18..60 => "adult",
        _ => "elderly",
    };
    if expected == group {
        return Ok(());
    }
    Err(SubmitError::Refused(
        RescueRefusal::GroupMismatch {
            expected,
            found: group.to_owned(),
        }
        .into(),
    ))
}

impl Directory {
    /// The person's present record, if it gives the tag they were registered with;
    /// `RECORD_REQUIRED` otherwise.
    fn present_record(
        &self,
        person: &PersonId,
        registered: &SubjectView,
    ) -> Result<Details, SubmitError> {
        let subject = Subject::Person(*person);
        let record = self
            .with_open(|open| {
                let stored = open.stored(&subject).map_err(super::unavailable)?;
                view(&open.keyring, &subject, stored.as_ref())
            })
            .map_err(|error| match error {
                DirectoryError::Ledger(refusal) => SubmitError::Refused(refusal),
                other => SubmitError::Unavailable(other.to_string()),
            })?;
        let found = match record.state {
            RecordState::Absent => "no record",
            RecordState::Erased => "an erased record",
            RecordState::Present => match record.details {
                Some(details) if self.identity().details_tag(&details) == Some(registered.tag) => {
                    return Ok(details);
                }
                _ => "a record whose identity number gives another tag",
            },
        };
        Err(SubmitError::Refused(
            CaseworkRefusal::RecordRequired { found }.into(),
        ))
    }
}

/// `AGE_TIER_MISMATCH` unless the age the person reaches this calendar year (`now`'s year less
/// the record's birth year) is in `tier`; `RECORD_REQUIRED` for a record that is not a
/// person's. The message names the tier, not the age.
fn of_tier(details: &Details, tier: &str, now: UnixMs) -> Result<(), SubmitError> {
    let Details::Person(person) = details else {
        return Err(SubmitError::Refused(
            CaseworkRefusal::RecordRequired {
                found: "a record that is not a person's",
            }
            .into(),
        ));
    };
    let (year, _, _) = CivilDate::of(now).ymd();
    let born = i64::from(person.birth_date.get() / 10_000);
    let age = u32::try_from(year - born).unwrap_or(0);
    match age_tier(age) {
        Some(expected) if expected == tier => Ok(()),
        expected => Err(SubmitError::Refused(
            ElderlyRefusal::AgeTierMismatch {
                expected: expected.map_or_else(
                    || "a diner reaching 60 or more this year".to_owned(),
                    |t| format!("the tier {t} by the record's birth year"),
                ),
                found: tier.to_owned(),
            }
            .into(),
        )),
    }
}

/// `CHILD_TOO_OLD` unless the person is under `under` today (`now`, in the bureau's time
/// zone) by the record's birth date.
fn young_enough(
    details: &Details,
    what: &'static str,
    under: u32,
    now: UnixMs,
) -> Result<(), SubmitError> {
    let Details::Person(person) = details else {
        return Ok(());
    };
    let age = person.birth_date.age_on(CivilDate::of(now));
    if age < under {
        return Ok(());
    }
    Err(SubmitError::Refused(
        ChildrenRefusal::TooOld {
            category: what,
            under,
            age,
        }
        .into(),
    ))
}

/// Social assistance is applied for where one lives: a case of the assistance program is
/// handled in the person's residence area, or in an area above or below it on its path
/// (the village, or its township). The person is one registration whatever their hukou, and
/// one enrollment per scheme, so applying at home and at the hukou cannot enroll twice.
fn where_one_lives(details: &Details, case_type: &str, area: &AreaCode) -> Result<(), SubmitError> {
    let assistance = case_types::case_type(case_type)
        .is_some_and(|(_, table)| table.program == Program::Assistance);
    let Details::Person(person) = details else {
        return Ok(());
    };
    let lives = &person.residence_area;
    if !assistance || area.is_within(lives) || lives.is_within(area) {
        return Ok(());
    }
    Err(SubmitError::Refused(
        CaseworkRefusal::NotWhereOneLives {
            area: area.to_string(),
        }
        .into(),
    ))
}
