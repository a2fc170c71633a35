//! Authority for the capital projects: the bureau defines a project and corrects its figures
//! after an audit; the bureau or a projects program officer of the project's area reports its
//! progress and milestones. Projects hold no personal data, but their figures are the
//! bureau's: bureau admins and auditors read every project, projects officers their area's.

use super::programs::{require_officer_of, require_program_reader, sees_program};
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

/// Whether `role` sees a project of `area`.
pub fn sees_projects(role: &Role, area: &AreaCode) -> bool {
    sees_program(Program::Projects, role, area)
}

/// Who may read projects at all (before one is looked up): the roles of [`sees_projects`].
pub fn require_project_reader(role: &Role) -> Result<(), Refusal> {
    require_program_reader(
        Program::Projects,
        role,
        "reading the capital projects",
        "a bureau admin, auditor or projects program officer key",
    )
}
