//! The programs' benefits: the operations on schemes, enrollments, payment batches,
//! recoveries and units, and their reads.

use super::{LedgerClient, Signer};
use crate::api::auth::methods;
use crate::pb::benefits as bpb;
use crate::pb::points as pb;

fn benefits(operation: bpb::benefits_operation::Operation) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Benefits(bpb::BenefitsOperation {
        operation: Some(operation),
    })
}

use bpb::benefits_operation::Operation as B;

/// Defines scheme `scheme` of `program`, enrolling granted cases of `case_types`, in
/// `exclusive_group` (empty: none).
pub fn define_scheme(
    scheme: &str,
    program: &str,
    case_types: &[&str],
    exclusive_group: &str,
) -> pb::transaction_body::Operation {
    benefits(B::DefineScheme(bpb::DefineScheme {
        scheme: scheme.into(),
        program: program.into(),
        case_types: case_types.iter().map(|t| (*t).to_owned()).collect(),
        exclusive_group: exclusive_group.into(),
    }))
}

/// Sets version `version` of `scheme`'s parameters from `effective_from` (`YYYY-MM`).
pub fn set_scheme_parameters(
    scheme: &str,
    version: u32,
    effective_from: &str,
    monthly_fen: u64,
) -> pb::transaction_body::Operation {
    benefits(B::SetSchemeParameters(bpb::SetSchemeParameters {
        scheme: scheme.into(),
        version,
        effective_from: effective_from.into(),
        monthly_fen,
    }))
}

/// Enrolls the person of case `case_id` in `scheme` from `from_period`.
pub fn enroll(
    enrollment_id: [u8; 16],
    scheme: &str,
    case_id: [u8; 16],
    from_period: &str,
    monthly_fen: u64,
) -> pb::transaction_body::Operation {
    benefits(B::Enroll(bpb::Enroll {
        enrollment_id: enrollment_id.to_vec(),
        scheme: scheme.into(),
        case_id: case_id.to_vec(),
        from_period: from_period.into(),
        monthly_fen,
    }))
}

/// Ends enrollment `enrollment_id` after `last_period`.
pub fn end_enrollment(
    enrollment_id: [u8; 16],
    last_period: &str,
    reason: &str,
) -> pb::transaction_body::Operation {
    benefits(B::EndEnrollment(bpb::EndEnrollment {
        enrollment_id: enrollment_id.to_vec(),
        last_period: last_period.into(),
        reason: reason.into(),
    }))
}

/// Pays `scheme` in `area_code` for `period`.
pub fn issue_payment_batch(
    batch_id: [u8; 16],
    scheme: &str,
    area_code: &str,
    period: &str,
) -> pb::transaction_body::Operation {
    benefits(B::IssuePaymentBatch(bpb::IssuePaymentBatch {
        batch_id: batch_id.to_vec(),
        scheme: scheme.into(),
        area_code: area_code.into(),
        period: period.into(),
    }))
}

/// Records `amount_fen` recovered of enrollment `enrollment_id`.
pub fn record_recovery(
    enrollment_id: [u8; 16],
    amount_fen: u64,
    reason: &str,
) -> pb::transaction_body::Operation {
    benefits(B::RecordRecovery(bpb::RecordRecovery {
        enrollment_id: enrollment_id.to_vec(),
        amount_fen,
        reason: reason.into(),
    }))
}

/// Defines unit `unit_id`.
pub fn define_unit(
    unit_id: [u8; 16],
    kind: &str,
    label: &str,
    program: &str,
    area_code: &str,
    organization_id: Option<[u8; 16]>,
) -> pb::transaction_body::Operation {
    benefits(B::DefineUnit(bpb::DefineUnit {
        unit_id: unit_id.to_vec(),
        kind: kind.into(),
        label: label.into(),
        program: program.into(),
        area_code: area_code.into(),
        organization_id: organization_id.map(|o| o.to_vec()).unwrap_or_default(),
    }))
}

/// Allocates unit `unit_id` to `person_id`.
pub fn allocate_unit(unit_id: [u8; 16], person_id: [u8; 16]) -> pb::transaction_body::Operation {
    benefits(B::AllocateUnit(bpb::AllocateUnit {
        unit_id: unit_id.to_vec(),
        person_id: person_id.to_vec(),
    }))
}

/// Releases unit `unit_id`.
pub fn release_unit(unit_id: [u8; 16], reason: &str) -> pb::transaction_body::Operation {
    benefits(B::ReleaseUnit(bpb::ReleaseUnit {
        unit_id: unit_id.to_vec(),
        reason: reason.into(),
    }))
}

impl LedgerClient {
    /// Every scheme, as `signer`.
    pub async fn schemes(&mut self, signer: &Signer) -> Result<Vec<bpb::Scheme>, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::LIST_SCHEMES,
            bpb::ListSchemesRequest {},
        );
        Ok(self
            .benefits
            .list_schemes(request)
            .await?
            .into_inner()
            .schemes)
    }

    /// An enrollment, as `signer`.
    pub async fn enrollment(
        &mut self,
        signer: &Signer,
        id: [u8; 16],
    ) -> Result<bpb::Enrollment, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_ENROLLMENT,
            bpb::GetEnrollmentRequest {
                enrollment_id: id.to_vec(),
            },
        );
        Ok(self.benefits.get_enrollment(request).await?.into_inner())
    }

    /// A payment batch, as `signer`.
    pub async fn payment_batch(
        &mut self,
        signer: &Signer,
        id: [u8; 16],
    ) -> Result<bpb::PaymentBatch, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_PAYMENT_BATCH,
            bpb::GetPaymentBatchRequest {
                batch_id: id.to_vec(),
            },
        );
        Ok(self.benefits.get_payment_batch(request).await?.into_inner())
    }

    /// A unit, as `signer`.
    pub async fn unit(
        &mut self,
        signer: &Signer,
        id: [u8; 16],
    ) -> Result<bpb::Unit, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_UNIT,
            bpb::GetUnitRequest {
                unit_id: id.to_vec(),
            },
        );
        Ok(self.benefits.get_unit(request).await?.into_inner())
    }
}
