//! Authority for rescue and disability: a rescue program officer (or the bureau) runs
//! campaigns, records encounters, admits and discharges, and records rehabilitation in their
//! area. Rescue clients' and rehabilitation clients' records are sensitive: bureau admins,
//! auditors and the rescue officers of the record's area read them, and each read of a
//! registered person's is recorded in the access log.

use super::programs::{require_officer_of, require_program_reader, sees_program};
use crate::ledger::{AreaCode, Program, Refusal, Role};

/// Who acts on rescue records in `area` (`None`: the role alone, before anything is looked
/// up).
pub(in crate::ledger::state) fn require_rescue_officer(
    role: &Role,
    operation: &'static str,
    area: Option<&AreaCode>,
) -> Result<(), Refusal> {
    require_officer_of(
        Program::Rescue,
        role,
        operation,
        area,
        "a bureau admin, or a rescue program officer whose area covers the record's",
    )
}

/// Whether `role` reads a rescue record of `area`.
pub fn sees_rescue(role: &Role, area: &AreaCode) -> bool {
    sees_program(Program::Rescue, role, area)
}

/// Who may read rescue records at all (before one is looked up).
pub fn require_rescue_reader(role: &Role) -> Result<(), Refusal> {
    require_program_reader(
        Program::Rescue,
        role,
        "reading rescue records",
        "a bureau admin, auditor or rescue program officer key",
    )
}
