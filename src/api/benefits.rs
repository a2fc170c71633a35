//! `shanzhi.benefits.v1.BenefitsService`: reading the programs' schemes, enrollments,
//! payment batches (with the bank's CSV) and units, against the ledger's latest published
//! state (who may read is in `state/authority/programs.rs`). Every refusal of a read in
//! scope comes before the lookup, and none names an area.

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use crate::ledger::{
    BatchId, BatchView, BenefitsRefusal, EnrollmentId, Refusal, Role, UnitId, read_denied,
    sees_benefits,
};
use crate::pb::benefits as pb;
use crate::pb::benefits::benefits_service_server::BenefitsService;
use crate::writer::LedgerHandle;

/// Serves schemes, enrollments, batches and units.
pub struct BenefitsApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl BenefitsApi {
    /// Serves the benefits of `ledger`; read credentials up to `max_skew` from the server's
    /// clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }
}

/// The roles that read any benefits at all (checked before any lookup); facility operators
/// read units only.
fn may_read_benefits(role: &Role, units: bool) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin
        | Role::Auditor
        | Role::Caseworker(_)
        | Role::Reviewer(_)
        | Role::ProgramOfficer(..) => Ok(()),
        Role::FacilityOperator(_) if units => Ok(()),
        _ => Err(Refusal::NotAllowed {
            operation: "reading the programs' benefits",
            expected: "a bureau admin, auditor, caseworker, reviewer, program officer or \
                       facility operator key",
            found: role.to_string(),
        }),
    }
}

#[tonic::async_trait]
impl BenefitsService for BenefitsApi {
    async fn list_schemes(
        &self,
        request: Request<pb::ListSchemesRequest>,
    ) -> Result<Response<pb::ListSchemesResponse>, Status> {
        authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let schemes = self.ledger.read(|state| state.schemes()).await?;
        Ok(Response::new(pb::ListSchemesResponse {
            schemes: schemes
                .into_iter()
                .map(|s| pb::Scheme {
                    scheme: s.code,
                    program: s.program.name().to_owned(),
                    case_types: s.case_types.iter().map(|t| (*t).to_owned()).collect(),
                    exclusive_group: s.exclusive_group.unwrap_or_default(),
                    versions: s
                        .versions
                        .iter()
                        .map(|v| pb::SchemeParameters {
                            version: v.version,
                            effective_from: v.effective_from.to_string(),
                            monthly_fen: v.monthly_fen,
                            sequence: v.sequence.get(),
                        })
                        .collect(),
                })
                .collect(),
        }))
    }

    async fn get_enrollment(
        &self,
        request: Request<pb::GetEnrollmentRequest>,
    ) -> Result<Response<pb::Enrollment>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = EnrollmentId::from_slice(&request.get_ref().enrollment_id)?;
        let e = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                may_read_benefits(&role, false)?;
                let e = state
                    .enrollment(&id)
                    .ok_or_else(|| BenefitsRefusal::UnknownEnrollment(id.to_string()))?;
                let program = state.scheme_program(&e.scheme);
                if !program.is_some_and(|p| sees_benefits(&role, p, &e.area)) {
                    return Err(read_denied(&role, format!("enrollment {id}")));
                }
                Ok::<_, Refusal>(e)
            })
            .await??;
        let (last, reason) = e
            .ended
            .map(|(last, reason)| (last.to_string(), reason))
            .unwrap_or_default();
        Ok(Response::new(pb::Enrollment {
            enrollment_id: id.0.to_vec(),
            scheme: e.scheme,
            person_id: e.person.0.to_vec(),
            case_id: e.case.0.to_vec(),
            area_code: e.area.to_string(),
            from_period: e.from.to_string(),
            monthly_fen: e.monthly_fen,
            last_period: last,
            end_reason: reason,
            overpaid_fen: e.overpaid_fen,
            recovered_fen: e.recovered_fen,
            sequence: e.sequence.get(),
        }))
    }

    async fn get_payment_batch(
        &self,
        request: Request<pb::GetPaymentBatchRequest>,
    ) -> Result<Response<pb::PaymentBatch>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = BatchId::from_slice(&request.get_ref().batch_id)?;
        let batch = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                may_read_benefits(&role, false)?;
                let batch = state
                    .payment_batch(&id)
                    .ok_or_else(|| BenefitsRefusal::UnknownBatch(id.to_string()))?;
                let program = state.scheme_program(&batch.scheme);
                if !program.is_some_and(|p| sees_benefits(&role, p, &batch.area)) {
                    return Err(read_denied(&role, format!("payment batch {id}")));
                }
                Ok::<_, Refusal>(batch)
            })
            .await??;
        Ok(Response::new(pb::PaymentBatch {
            batch_id: id.0.to_vec(),
            csv: batch_csv(&id, &batch),
            scheme: batch.scheme,
            area_code: batch.area.to_string(),
            period: batch.period.to_string(),
            lines: batch
                .lines
                .iter()
                .map(|l| pb::PaymentLine {
                    enrollment_id: l.enrollment.0.to_vec(),
                    person_id: l.person.0.to_vec(),
                    area_code: l.area.to_string(),
                    amount_fen: l.amount_fen,
                })
                .collect(),
            total_fen: batch.total_fen,
            issued_by: batch.by.to_string(),
            issued_at_unix_ms: batch.at.0,
            sequence: batch.sequence.get(),
        }))
    }

    async fn get_unit(
        &self,
        request: Request<pb::GetUnitRequest>,
    ) -> Result<Response<pb::Unit>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = UnitId::from_slice(&request.get_ref().unit_id)?;
        let unit = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                may_read_benefits(&role, true)?;
                let unit = state
                    .unit(&id)
                    .ok_or_else(|| BenefitsRefusal::UnknownUnit(id.to_string()))?;
                let operator = matches!(&role, Role::FacilityOperator(org)
                    if unit.organization.as_ref() == Some(org));
                if !operator && !sees_benefits(&role, unit.program, &unit.area) {
                    return Err(read_denied(&role, format!("unit {id}")));
                }
                Ok::<_, Refusal>(unit)
            })
            .await??;
        let holder = unit.holder.as_ref();
        Ok(Response::new(pb::Unit {
            unit_id: id.0.to_vec(),
            kind: unit.kind.clone(),
            label: unit.label.clone(),
            program: unit.program.name().to_owned(),
            area_code: unit.area.to_string(),
            organization_id: unit.organization.map(|o| o.0.to_vec()).unwrap_or_default(),
            holder_person_id: holder.map(|h| h.person.0.to_vec()).unwrap_or_default(),
            allocated_by: holder.map(|h| h.by.to_string()).unwrap_or_default(),
            allocation_sequence: holder.map_or(0, |h| h.sequence.get()),
            allocations: unit.allocations,
        }))
    }
}

/// The batch for the bank: a header line, then one line per payment, amounts in fen and in
/// yuan with two decimals. Every field is hex, digits or a code, so none needs quoting.
pub fn batch_csv(id: &BatchId, batch: &BatchView) -> String {
    let mut csv = String::from(
        "batch_id,period,scheme,enrollment_id,person_id,area_code,amount_fen,amount_yuan\r\n",
    );
    for line in &batch.lines {
        csv.push_str(&format!(
            "{id},{},{},{},{},{},{},{}.{:02}\r\n",
            batch.period,
            batch.scheme,
            line.enrollment,
            line.person,
            line.area,
            line.amount_fen,
            line.amount_fen / 100,
            line.amount_fen % 100
        ));
    }
    csv
}
