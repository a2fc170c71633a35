//! Payment batches: for a scheme, an area (and the areas below it) and a month, one line for
//! every enrollment entitled that month and not paid for it yet, of its monthly amount capped
//! by the standard in effect that month. Each (enrollment, month) is paid once by
//! construction (`Benefits::paid`); a batch holds at most [`MAX_BATCH_LINES`] lines and the
//! next batch for the same month pays the rest. A month that has not begun by the entry's
//! commit time is refused, so replay decides as live did. The bank's file is the batch as CSV
//! (the read API).

use std::sync::Arc;

use imbl::Vector;

use super::{Benefits, MAX_BATCH_LINES};
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{
    AreaCode, BatchId, BenefitsRefusal, EnrollmentId, KeyId, Period, PersonId, Refusal, Sequence,
    UnixMs,
};

/// One payment of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentLine {
    /// The enrollment paid.
    pub enrollment: EnrollmentId,
    /// Its person.
    pub person: PersonId,
    /// Its area.
    pub area: AreaCode,
    /// The amount, in fen.
    pub amount_fen: u64,
}

/// A payment batch as readers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchView {
    /// Its scheme.
    pub scheme: String,
    /// Its area.
    pub area: AreaCode,
    /// The month paid.
    pub period: Period,
    /// Its lines, in enrollment order within each area.
    pub lines: Vec<PaymentLine>,
    /// Their sum, in fen.
    pub total_fen: u64,
    /// The key that issued it.
    pub by: KeyId,
    /// Its commit time.
    pub at: UnixMs,
    /// Its entry.
    pub sequence: Sequence,
}

#[derive(Clone, Debug)]
pub(in crate::ledger::state) struct Batch {
    id: BatchId,
    scheme: String,
    area: AreaCode,
    period: Period,
    lines: Vector<PaymentLine>,
    total_fen: u64,
    by: KeyId,
    at: UnixMs,
    sequence: Sequence,
}

impl Batch {
    pub(super) fn commit(self, benefits: &mut Benefits) {
        for line in &self.lines {
            benefits
                .paid
                .insert((line.enrollment, self.period), (self.id, line.amount_fen));
        }
        if let Some(scheme) = benefits.schemes.get(&self.scheme) {
            let mut scheme = super::schemes::Scheme::clone(scheme);
            scheme.paid_through = scheme.paid_through.max(Some(self.period));
            benefits
                .schemes
                .insert(self.scheme.clone(), Arc::new(scheme));
        }
        benefits.batches.insert(self.id, Arc::new(self));
    }

    fn view(&self) -> BatchView {
        BatchView {
            scheme: self.scheme.clone(),
            area: self.area.clone(),
            period: self.period,
            lines: self.lines.iter().cloned().collect(),
            total_fen: self.total_fen,
            by: self.by,
            at: self.at,
            sequence: self.sequence,
        }
    }
}

pub(super) fn check(
    state: &State,
    ctx: &Context,
    id: BatchId,
    code: &str,
    area: &AreaCode,
    period: Period,
) -> Result<Batch, Refusal> {
    let benefits = &state.benefits;
    let scheme = benefits.scheme(code)?;
    authority::require_program_officer_for(
        &ctx.role,
        "issuing a payment batch",
        scheme.program,
        area,
    )?;
    state.areas.require(area)?;
    if benefits.batches.contains_key(&id) {
        return Err(Refusal::AlreadyRegistered {
            kind: "payment batch",
            id: id.to_string(),
        });
    }
    let now = Period::containing(ctx.committed_at.0);
    if period > now {
        return Err(BenefitsRefusal::PeriodNotStarted {
            now: now.to_string(),
            found: period.to_string(),
        }
        .into());
    }
    let standard = scheme
        .standard(period)
        .ok_or_else(|| BenefitsRefusal::NoStandard(period.to_string()))?;
    let mut lines = Vector::new();
    let mut total_fen = 0u64;
    let start = (code.to_owned(), area.clone(), EnrollmentId([0; 16]));
    for (_, enrolled_area, enrollment_id) in benefits
        .by_area
        .range(start..)
        .take_while(|(scheme, a, _)| scheme == code && a.is_within(area))
    {
        if lines.len() == MAX_BATCH_LINES {
            break;
        }
        let Some(enrollment) = benefits.enrollments.get(enrollment_id) else {
            continue;
        };
        if !enrollment.covers(period) || benefits.paid.contains_key(&(*enrollment_id, period)) {
            continue;
        }
        // A case no longer granted (ended at a review) is paid no more, ended or not.
        let granted = state
            .case(&enrollment.case)
            .is_some_and(|case| case.case_type.granted_in.contains(&case.state));
        if !granted {
            continue;
        }
        let amount_fen = enrollment.monthly_fen.min(standard);
        // Amounts are at most MAX_MONTHLY_FEN and lines at most MAX_BATCH_LINES: no overflow.
        total_fen += amount_fen;
        lines.push_back(PaymentLine {
            enrollment: *enrollment_id,
            person: enrollment.person,
            area: enrolled_area.clone(),
            amount_fen,
        });
    }
    if lines.is_empty() {
        return Err(BenefitsRefusal::NothingToPay {
            scheme: code.to_owned(),
            area: area.to_string(),
            period: period.to_string(),
        }
        .into());
    }
    Ok(Batch {
        id,
        scheme: code.to_owned(),
        area: area.clone(),
        period,
        lines,
        total_fen,
        by: ctx.signer,
        at: ctx.committed_at,
        sequence: ctx.sequence,
    })
}

impl State {
    /// A payment batch.
    pub fn payment_batch(&self, id: &BatchId) -> Option<BatchView> {
        self.benefits.batches.get(id).map(|b| b.view())
    }

    /// The program of scheme `code`, if it is defined.
    pub fn scheme_program(&self, code: &str) -> Option<crate::ledger::Program> {
        self.benefits.schemes.get(code).map(|s| s.program)
    }
}
