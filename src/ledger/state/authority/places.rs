//! Authority for place names: a places program officer (or the bureau) applies for names,
//! assigns and retires addresses and records boundary inspections in their area; only the
//! bureau decides a naming application. Names and addresses are public: any registered key
//! reads them.

use super::programs::require_officer_of;
use crate::ledger::{AreaCode, Program, Refusal, Role};

/// Who acts on place names in `area` (`None`: the role alone, before anything is looked up).
pub(in crate::ledger::state) fn require_places_officer(
    role: &Role,
    operation: &'static str,
    area: Option<&AreaCode>,
) -> Result<(), Refusal> {
    require_officer_of(
        Program::Places,
        role,
        operation,
        area,
        "a bureau admin, or a places program officer whose area covers the place's",
    )
}
