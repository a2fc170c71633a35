//! The handler's check that a case is opened only for a person whose directory record is
//! present and gives the identity tag the person was registered with: the state machine
//! cannot check a tag against a number (the identity key never enters the log), so the
//! handler does, before the writer (`writer::OutsideCheck`). The signer's authority and the
//! person's registration are checked first, on the published state, so a key that may not
//! open the case learns nothing of the record, and a person registered in the same batch
//! (not yet published) is refused rather than let through.

use super::{Details, Directory, DirectoryError, RecordState, view};
use crate::ledger::{
    AreaCode, CaseworkOp, CaseworkRefusal, KeyId, Operation, Program, State, Subject, Transaction,
    case_types,
};
use crate::writer::{OutsideCheck, SubmitError};

impl OutsideCheck for Directory {
    fn concerns(&self, transaction: &Transaction) -> bool {
        matches!(
            transaction.operation,
            Operation::Casework(CaseworkOp::OpenCase { .. })
        )
    }

    fn check(
        &self,
        transaction: &Transaction,
        signer: &KeyId,
        state: &State,
    ) -> Result<(), SubmitError> {
        let Operation::Casework(CaseworkOp::OpenCase {
            person,
            area,
            case_type,
            ..
        }) = &transaction.operation
        else {
            return Ok(());
        };
        let registered = state.may_open_case(signer, person, area)?;
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
            RecordState::Present => match record.details.as_ref() {
                Some(details) if self.identity().details_tag(details) == Some(registered.tag) => {
                    return where_one_lives(details, case_type, area);
                }
                _ => "a record whose identity number gives another tag",
            },
        };
        Err(SubmitError::Refused(
            CaseworkRefusal::RecordRequired { found }.into(),
        ))
    }
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
