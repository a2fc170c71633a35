//! Authority for elderly care: an elderly-care program officer (or the bureau) records
//! institutions and certificates, assesses elders, runs canteens, adaptations and insurance in
//! their area; only the bureau grades institutions. Institutions and the indicators are public;
//! an elder's record is read by bureau admins, auditors and the elderly-care officers of the
//! elder's area.

use super::programs::{require_officer_of, require_program_reader, sees_program};
use crate::ledger::{AreaCode, Program, Refusal, Role};

/// Who acts on elderly care in `area` (`None`: the role alone, before anything is looked up).
pub(in crate::ledger::state) fn require_elderly_officer(
    role: &Role,
    operation: &'static str,
    area: Option<&AreaCode>,
) -> Result<(), Refusal> {
    require_officer_of(
        Program::ElderlyCare,
        role,
        operation,
        area,
        "a bureau admin, or an elderly-care program officer whose area covers the record's",
    )
}

/// Whether `role` reads an elder's record of `area`.
pub fn sees_elder(role: &Role, area: &AreaCode) -> bool {
    sees_program(Program::ElderlyCare, role, area)
}

/// Who may read elders' records at all (before one is looked up).
pub fn require_elder_reader(role: &Role) -> Result<(), Refusal> {
    require_program_reader(
        Program::ElderlyCare,
        role,
        "reading elders' records",
        "a bureau admin, auditor or elderly-care program officer key",
    )
}
