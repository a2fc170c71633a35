//! Authority for the children's program: the three-level network of village child directors
//! (儿童主任), township child supervisors (儿童督导员) and the bureau, and the readers of
//! children's files. Children's records are the most sensitive: only roles of the program, by
//! area, and the bureau's admins and auditors read them.

use super::{not_allowed, read_denied};
use crate::ledger::{AreaCode, Program, Refusal, Role};

/// Who confirms and ends a child's category in `area`: a bureau admin, or a child supervisor
/// whose township covers it. The refusal names no area.
pub(in crate::ledger::state) fn require_category_setter(
    role: &Role,
    operation: &'static str,
    area: Option<&AreaCode>,
) -> Result<(), Refusal> {
    match (role, area) {
        (Role::BureauAdmin, _) | (Role::ChildSupervisor(_), None) => Ok(()),
        (Role::ChildSupervisor(scope), Some(area)) if area.is_within(scope) => Ok(()),
        (Role::ChildSupervisor(_), Some(_)) => {
            Err(read_denied(role, "a child of another area".into()))
        }
        _ => Err(not_allowed(
            role,
            operation,
            "a bureau admin, or a child supervisor whose township covers the child's village",
        )),
    }
}

/// Who acts for children in `area` (concern reports, visits; `None`: the role alone, checked
/// before anything is looked up): a bureau admin, or a child director or supervisor whose
/// area covers it. The refusal names no area.
pub(in crate::ledger::state) fn require_child_worker(
    role: &Role,
    operation: &'static str,
    area: Option<&AreaCode>,
) -> Result<(), Refusal> {
    match (role, area) {
        (Role::BureauAdmin, _) | (Role::ChildDirector(_) | Role::ChildSupervisor(_), None) => {
            Ok(())
        }
        (Role::ChildDirector(scope) | Role::ChildSupervisor(scope), Some(area))
            if area.is_within(scope) =>
        {
            Ok(())
        }
        (Role::ChildDirector(_) | Role::ChildSupervisor(_), Some(_)) => {
            Err(read_denied(role, "a child of another area".into()))
        }
        _ => Err(not_allowed(
            role,
            operation,
            "a bureau admin, or a child director or supervisor whose area covers the child's",
        )),
    }
}

/// Whether `role` sees the children's program in `area`: bureau admins and auditors; child
/// directors, child supervisors and children's program officers whose area covers it.
pub fn sees_children(role: &Role, area: &AreaCode) -> bool {
    match role {
        Role::BureauAdmin | Role::Auditor => true,
        Role::ChildDirector(scope) | Role::ChildSupervisor(scope) => area.is_within(scope),
        Role::ProgramOfficer(Program::Children, scope) => area.is_within(scope),
        _ => false,
    }
}

/// Who may read children's files at all (before a file is looked up): the roles of
/// [`sees_children`].
pub fn require_child_reader(role: &Role) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin
        | Role::Auditor
        | Role::ChildDirector(_)
        | Role::ChildSupervisor(_)
        | Role::ProgramOfficer(Program::Children, _) => Ok(()),
        _ => Err(not_allowed(
            role,
            "reading a child's file",
            "a bureau admin, auditor, child director, child supervisor or children's program \
             officer key",
        )),
    }
}
