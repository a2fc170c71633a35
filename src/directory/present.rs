//! The handler's check that a case is opened only for a person whose directory record is
//! present and gives the identity tag the person was registered with: the state machine
//! cannot check a tag against a number (the identity key never enters the log), so the
//! handler does, before the writer (`writer::OutsideCheck`).

use super::{Directory, DirectoryError, RecordState, view};
use crate::ledger::{CaseworkOp, CaseworkRefusal, Operation, State, Subject, Transaction};
use crate::writer::{OutsideCheck, SubmitError};

impl OutsideCheck for Directory {
    fn check(&self, transaction: &Transaction, state: &State) -> Result<(), SubmitError> {
        let Operation::Casework(CaseworkOp::OpenCase { person, .. }) = &transaction.operation
        else {
            return Ok(());
        };
        // An unregistered person is the state machine's refusal (UNKNOWN_PERSON).
        let Some(registered) = state.person(person) else {
            return Ok(());
        };
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
                    return Ok(());
                }
                _ => "a record whose identity number gives another tag",
            },
        };
        Err(SubmitError::Refused(
            CaseworkRefusal::RecordRequired { found }.into(),
        ))
    }
}
