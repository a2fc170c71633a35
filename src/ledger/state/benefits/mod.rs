//! The benefits family: what the programs give. A **scheme** (低保, 特困…) has versioned
//! parameters in integer fen (`schemes.rs`); a person is **enrolled** in a scheme on a case
//! that grants it, at most once at a time, never in two schemes that exclude each other
//! (`enrollments.rs`); each month an enrollment is entitled to its amount, capped by the
//! standard in effect, and **payment batches** pay each entitlement once by construction,
//! with overpayments recovered after an enrollment ends earlier than was paid
//! (`payments.rs`). **Units** (beds, plots, niches, meal slots) are held by one holder at a
//! time, by construction (`units.rs`).

mod enrollments;
mod payments;
mod schemes;
mod units;

use std::sync::Arc;

use imbl::{OrdMap, OrdSet};

use super::journal::Effects;
use super::{Context, State};
use crate::ledger::{
    AreaCode, BatchId, CaseId, EnrollmentId, OrganizationId, Period, PersonId, Program, Refusal,
    Role, UnitId,
};

pub use enrollments::EnrollmentView;
pub use payments::{BatchView, PaymentLine};
pub use schemes::{SchemeVersion, SchemeView};
pub use units::{UnitHolder, UnitView};

/// The most lines one payment batch holds; more enrollments are paid by the next batch.
pub const MAX_BATCH_LINES: usize = 5_000;

/// The benefits family's operations.
#[derive(Clone, Debug)]
pub enum BenefitsOp {
    /// Defines a scheme.
    DefineScheme {
        /// Its code (`dibao`).
        code: String,
        /// Its program.
        program: Program,
        /// The case types whose granted cases it enrolls.
        case_types: Vec<String>,
        /// Schemes of one group exclude each other (empty: none).
        exclusive_group: Option<String>,
    },
    /// Sets the next version of a scheme's parameters.
    SetParameters {
        /// The scheme.
        scheme: String,
        /// The version, one more than the last.
        version: u32,
        /// The first month it applies to.
        effective_from: Period,
        /// The standard: the most a month's entitlement may be, in fen.
        monthly_fen: u64,
    },
    /// Enrolls a case's person in a scheme.
    Enroll {
        /// The new enrollment.
        enrollment: EnrollmentId,
        /// The scheme.
        scheme: String,
        /// The case granting it.
        case: CaseId,
        /// Its first month.
        from: Period,
        /// Its monthly amount, in fen.
        monthly_fen: u64,
    },
    /// Ends an enrollment after its last month.
    EndEnrollment {
        /// The enrollment.
        enrollment: EnrollmentId,
        /// Its last month (before its first: never entitled).
        last: Period,
        /// Why.
        reason: String,
    },
    /// Pays every entitlement of a scheme in an area for a month that is not paid yet.
    IssuePaymentBatch {
        /// The new batch.
        batch: BatchId,
        /// The scheme.
        scheme: String,
        /// The area (and every area below it).
        area: AreaCode,
        /// The month.
        period: Period,
    },
    /// Records money recovered of an overpaid enrollment.
    RecordRecovery {
        /// The enrollment.
        enrollment: EnrollmentId,
        /// What was recovered, in fen.
        amount_fen: u64,
        /// How (no personal data).
        reason: String,
    },
    /// Defines a unit.
    DefineUnit {
        /// The new unit.
        unit: UnitId,
        /// Its kind (`bed`, `plot`, `niche`, `meal-slot`).
        kind: String,
        /// Its label (`Bed 12`, no personal data).
        label: String,
        /// The program it serves.
        program: Program,
        /// Its area.
        area: AreaCode,
        /// The organization (facility) it belongs to, if any.
        organization: Option<OrganizationId>,
    },
    /// Allocates a free unit to a person.
    AllocateUnit {
        /// The unit.
        unit: UnitId,
        /// The holder.
        person: PersonId,
    },
    /// Releases a held unit.
    ReleaseUnit {
        /// The unit.
        unit: UnitId,
        /// Why.
        reason: String,
    },
}

/// The kinds of benefits operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BenefitsKind {
    /// [`BenefitsOp::DefineScheme`].
    DefineScheme,
    /// [`BenefitsOp::SetParameters`].
    SetParameters,
    /// [`BenefitsOp::Enroll`].
    Enroll,
    /// [`BenefitsOp::EndEnrollment`].
    EndEnrollment,
    /// [`BenefitsOp::IssuePaymentBatch`].
    IssuePaymentBatch,
    /// [`BenefitsOp::RecordRecovery`].
    RecordRecovery,
    /// [`BenefitsOp::DefineUnit`].
    DefineUnit,
    /// [`BenefitsOp::AllocateUnit`].
    AllocateUnit,
    /// [`BenefitsOp::ReleaseUnit`].
    ReleaseUnit,
}

impl BenefitsOp {
    /// The operation's kind.
    pub fn kind(&self) -> BenefitsKind {
        match self {
            BenefitsOp::DefineScheme { .. } => BenefitsKind::DefineScheme,
            BenefitsOp::SetParameters { .. } => BenefitsKind::SetParameters,
            BenefitsOp::Enroll { .. } => BenefitsKind::Enroll,
            BenefitsOp::EndEnrollment { .. } => BenefitsKind::EndEnrollment,
            BenefitsOp::IssuePaymentBatch { .. } => BenefitsKind::IssuePaymentBatch,
            BenefitsOp::RecordRecovery { .. } => BenefitsKind::RecordRecovery,
            BenefitsOp::DefineUnit { .. } => BenefitsKind::DefineUnit,
            BenefitsOp::AllocateUnit { .. } => BenefitsKind::AllocateUnit,
            BenefitsOp::ReleaseUnit { .. } => BenefitsKind::ReleaseUnit,
        }
    }
}

impl BenefitsKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            BenefitsKind::DefineScheme => "define-scheme",
            BenefitsKind::SetParameters => "set-scheme-parameters",
            BenefitsKind::Enroll => "enroll",
            BenefitsKind::EndEnrollment => "end-enrollment",
            BenefitsKind::IssuePaymentBatch => "issue-payment-batch",
            BenefitsKind::RecordRecovery => "record-recovery",
            BenefitsKind::DefineUnit => "define-unit",
            BenefitsKind::AllocateUnit => "allocate-unit",
            BenefitsKind::ReleaseUnit => "release-unit",
        }
    }
}

/// Everything the benefits family holds.
#[derive(Clone, Debug, Default)]
pub(super) struct Benefits {
    schemes: OrdMap<String, Arc<schemes::Scheme>>,
    enrollments: OrdMap<EnrollmentId, Arc<enrollments::Enrollment>>,
    /// The active enrollment of each person in each scheme: at most one by construction.
    active: OrdMap<(PersonId, String), EnrollmentId>,
    /// The last month of each person's ended enrollments in each scheme.
    last_ended: OrdMap<(PersonId, String), Period>,
    /// Every enrollment by scheme and area, for payment batches.
    by_area: OrdSet<(String, AreaCode, EnrollmentId)>,
    /// Each month paid to an enrollment, by the batch and amount: once by construction.
    paid: OrdMap<(EnrollmentId, Period), (BatchId, u64)>,
    batches: OrdMap<BatchId, Arc<payments::Batch>>,
    units: OrdMap<UnitId, Arc<units::Unit>>,
}

/// A checked benefits operation.
#[derive(Debug)]
pub(super) enum Plan {
    Scheme(schemes::Plan),
    Enrollment(enrollments::Plan),
    Batch(payments::Batch),
    Unit(UnitId, units::Unit),
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        let benefits = &mut state.benefits;
        match self {
            Plan::Scheme(plan) => plan.commit(benefits),
            Plan::Enrollment(plan) => plan.commit(benefits),
            Plan::Batch(batch) => batch.commit(benefits),
            Plan::Unit(id, unit) => {
                benefits.units.insert(id, Arc::new(unit));
            }
        }
        Effects::default()
    }
}

/// The roles that decide any benefits at all, checked before anything is looked up (a key
/// that decides none learns nothing of which schemes, enrollments or units exist).
fn may_decide_benefits(role: &Role, units: bool) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin | Role::ProgramOfficer(..) => Ok(()),
        Role::FacilityOperator(_) if units => Ok(()),
        _ => Err(Refusal::NotAllowed {
            operation: "deciding the programs' benefits",
            expected: "a bureau admin or program officer key (or, for units, a facility operator's)",
            found: role.to_string(),
        }),
    }
}

/// Checks a benefits operation.
pub(super) fn check(state: &State, ctx: &Context, op: &BenefitsOp) -> Result<Plan, Refusal> {
    let units = matches!(
        op,
        BenefitsOp::DefineUnit { .. }
            | BenefitsOp::AllocateUnit { .. }
            | BenefitsOp::ReleaseUnit { .. }
    );
    may_decide_benefits(&ctx.role, units)?;
    match op {
        BenefitsOp::DefineScheme { .. } | BenefitsOp::SetParameters { .. } => {
            schemes::check(state, ctx, op).map(Plan::Scheme)
        }
        BenefitsOp::Enroll { .. }
        | BenefitsOp::EndEnrollment { .. }
        | BenefitsOp::RecordRecovery { .. } => {
            enrollments::check(state, ctx, op).map(Plan::Enrollment)
        }
        BenefitsOp::IssuePaymentBatch {
            batch,
            scheme,
            area,
            period,
        } => payments::check(state, ctx, *batch, scheme, area, *period).map(Plan::Batch),
        BenefitsOp::DefineUnit { .. }
        | BenefitsOp::AllocateUnit { .. }
        | BenefitsOp::ReleaseUnit { .. } => units::check(state, ctx, op),
    }
}
