//! Authority for funeral: a funeral program officer (or the bureau) registers deaths, books
//! services, adds and allocates plots, grants subsidies and tracks scattered graves in their
//! area; only the bureau defines cemeteries. Death cases and plots concern the deceased and
//! their families: bureau admins, auditors and the funeral officers of the record's area read
//! them.

use super::programs::{require_officer_of, require_program_reader, sees_program};
use crate::ledger::{AreaCode, Program, Refusal, Role};

/// Who acts on funeral records in `area` (`None`: the role alone, before anything is looked
/// up).
pub(in crate::ledger::state) fn require_funeral_officer(
    role: &Role,
    operation: &'static str,
    area: Option<&AreaCode>,
) -> Result<(), Refusal> {
    require_officer_of(
        Program::Funeral,
        role,
        operation,
        area,
        "a bureau admin, or a funeral program officer whose area covers the record's",
    )
}

/// Whether `role` reads a funeral record of `area`.
pub fn sees_funeral(role: &Role, area: &AreaCode) -> bool {
    sees_program(Program::Funeral, role, area)
}

/// Who may read funeral records at all (before one is looked up).
pub fn require_funeral_reader(role: &Role) -> Result<(), Refusal> {
    require_program_reader(
        Program::Funeral,
        role,
        "reading funeral records",
        "a bureau admin, auditor or funeral program officer key",
    )
}
