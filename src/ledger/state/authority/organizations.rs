//! Authority for the social organizations program: an organizations program officer (or the
//! bureau) files reports, records inspections, lists and removes organizations and handles
//! enforcement cases in their area; only the bureau moves an organization to the serious list,
//! deregisters, revokes or bans, and runs the contests. An organization's record, the lists
//! and the contests are public (社会组织信用信息公开); enforcement cases are read by the bureau,
//! auditors and the organizations officers of the case's area.

use super::programs::{require_officer_of, require_program_reader, sees_program};
use crate::ledger::{AreaCode, Program, Refusal, Role};

/// Who acts on organizations in `area` (`None`: the role alone, before anything is looked
/// up).
pub(in crate::ledger::state) fn require_organizations_officer(
    role: &Role,
    operation: &'static str,
    area: Option<&AreaCode>,
) -> Result<(), Refusal> {
    require_officer_of(
        Program::Organizations,
        role,
        operation,
        area,
        "a bureau admin, or an organizations program officer whose area covers the organization's",
    )
}

/// Whether `role` reads an enforcement case of `area`.
pub fn sees_enforcement_case(role: &Role, area: &AreaCode) -> bool {
    sees_program(Program::Organizations, role, area)
}

/// Who may read enforcement cases at all (before one is looked up).
pub fn require_enforcement_reader(role: &Role) -> Result<(), Refusal> {
    require_program_reader(
        Program::Organizations,
        role,
        "reading enforcement cases",
        "a bureau admin, auditor or organizations program officer key",
    )
}
