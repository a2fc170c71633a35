//! Authority for the capital projects: the bureau defines a project and corrects its figures
//! after an audit; the bureau or a projects program officer of the project's area reports its
//! progress and milestones. Projects hold no personal data, but their figures are the
//! bureau's: bureau admins and auditors read every project, projects officers their area's.

use super::{not_allowed, read_denied};
use crate::ledger::{AreaCode, Program, Refusal, Role};

/// Who reports a project's progress in `area` (`None`: the role alone, before the project is
/// looked up): a bureau admin, or a projects program officer whose area covers it. The
/// refusal names no area.
pub(in crate::ledger::state) fn require_project_reporter(
    role: &Role,
    operation: &'static str,
    area: Option<&AreaCode>,
) -> Result<(), Refusal> {
    require_officer_of(
        Program::Projects,
        role,
        operation,
        area,
        "a bureau admin, or a projects program officer whose area covers the project's",
    )
}

/// A bureau admin, or an officer of `program` whose area covers `area` (`None`: the role
/// alone); the refusal names no area.
pub(in crate::ledger::state) fn require_officer_of(
    program: Program,
    role: &Role,
    operation: &'static str,
    area: Option<&AreaCode>,
    expected: &'static str,
) -> Result<(), Refusal> {
    match (role, area) {
        (Role::BureauAdmin, _) => Ok(()),
        (Role::ProgramOfficer(p, _), None) if *p == program => Ok(()),
        (Role::ProgramOfficer(p, scope), Some(area)) if *p == program && area.is_within(scope) => {
            Ok(())
        }
        (Role::ProgramOfficer(p, _), Some(_)) if *p == program => Err(read_denied(
            role,
            format!("a record of another area's {}", program.name()),
        )),
        _ => Err(not_allowed(role, operation, expected)),
    }
}

/// Whether `role` sees a project of `area`.
pub fn sees_projects(role: &Role, area: &AreaCode) -> bool {
    match role {
        Role::BureauAdmin | Role::Auditor => true,
        Role::ProgramOfficer(Program::Projects, scope) => area.is_within(scope),
        _ => false,
    }
}

/// Who may read projects at all (before one is looked up): the roles of [`sees_projects`].
pub fn require_project_reader(role: &Role) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin | Role::Auditor | Role::ProgramOfficer(Program::Projects, _) => Ok(()),
        _ => Err(not_allowed(
            role,
            "reading the capital projects",
            "a bureau admin, auditor or projects program officer key",
        )),
    }
}
