//! Who opens a case: the checks of an opening before the case itself, shared by the state
//! machine and the handler's directory check (`directory/present.rs`), which runs them on the
//! published state before it reads the person's record.

use super::types::{self, CaseType};
use crate::ledger::state::{State, SubjectView, authority};
use crate::ledger::{
    AreaCode, CaseworkRefusal, KeyId, PersonId, Program, Refusal, Role, Subject, SubjectRefusal,
};

/// The checks of an opening before the case itself: the signer may open a case of the
/// table's program in `area` (a bureau admin, a caseworker, a child director or supervisor
/// for children's cases), the table exists, the person is registered and the signer reaches
/// them too, not only the case's area. Answers the table.
pub(super) fn opening(
    state: &State,
    role: &Role,
    case_type: &str,
    person: &PersonId,
    area: &AreaCode,
) -> Result<&'static CaseType, Refusal> {
    let program = types::case_type(case_type).map(|(_, table)| table.program);
    // The role first, for the program the table names (a made-up table: as for the
    // caseworkers' programs), so a key that may open nothing learns nothing of the tables.
    let program = program.unwrap_or(Program::Assistance);
    authority::require_case_opener(role, program, area)?;
    let (_, table) = types::case_type(case_type)
        .ok_or_else(|| CaseworkRefusal::UnknownCaseType(case_type.to_owned()))?;
    state.areas.require(area)?;
    let registered = state
        .person(person)
        .ok_or(SubjectRefusal::UnknownPerson(*person))?;
    if table.program == Program::Children {
        authority::require_case_opener(role, table.program, &registered.area)?;
        // Followed up where the child is registered: its village, or one of its township's.
        if !(area.is_within(&registered.area) || registered.area.is_within(area)) {
            return Err(Refusal::InvalidField {
                field: "area_code",
                expected: "the child's village, where the child director follows the case".into(),
                found: "another area".into(),
            });
        }
    } else {
        authority::may_reach_program_record(role, &Subject::Person(*person), &registered.area)?;
    }
    Ok(table)
}

impl State {
    /// Whether `signer` may open a case in `area` for `person`, who must be registered: the
    /// checks of the handler's directory check (`directory/present.rs`) before it reads the
    /// record. Answers the person's registration.
    pub fn may_open_case(
        &self,
        signer: &KeyId,
        case_type: &str,
        person: &PersonId,
        area: &AreaCode,
    ) -> Result<SubjectView, Refusal> {
        let role = self
            .key(signer)
            .map(|key| key.role.clone())
            .ok_or(Refusal::UnknownKey { key_id: *signer })?;
        opening(self, &role, case_type, person, area)?;
        self.person(person)
            .ok_or_else(|| SubjectRefusal::UnknownPerson(*person).into())
    }
}
