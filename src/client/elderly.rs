//! The elderly care operations (institutions, certificates, assessments, canteens and meals,
//! home adaptations, insurance) and reads. Each operation is built from its message.

use super::{LedgerClient, Signer};
use crate::api::auth::methods;
use crate::pb::elderly as lpb;
use crate::pb::points as pb;

use lpb::elderly_operation::Operation as L;

fn elderly(operation: L) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Elderly(lpb::ElderlyOperation {
        operation: Some(operation),
    })
}

/// Records an institution or updates its beds and status.
pub fn record_institution(message: lpb::RecordInstitution) -> pb::transaction_body::Operation {
    elderly(L::RecordInstitution(message))
}

/// Records a volunteer's shift at a canteen, which the program's issuer may award points for.
pub fn record_volunteer_shift(
    message: lpb::RecordVolunteerShift,
) -> pb::transaction_body::Operation {
    elderly(L::RecordVolunteerShift(message))
}

/// Grades an institution (bureau admin).
pub fn grade_institution(message: lpb::GradeInstitution) -> pb::transaction_body::Operation {
    elderly(L::GradeInstitution(message))
}

/// Records a staff certificate at an institution.
pub fn record_staff_certificate(
    message: lpb::RecordStaffCertificate,
) -> pb::transaction_body::Operation {
    elderly(L::RecordStaffCertificate(message))
}

/// Records an ability assessment of an elder.
pub fn assess_ability(message: lpb::AssessAbility) -> pb::transaction_body::Operation {
    elderly(L::AssessAbility(message))
}

/// Defines a happiness canteen.
pub fn define_canteen(message: lpb::DefineCanteen) -> pb::transaction_body::Operation {
    elderly(L::DefineCanteen(message))
}

/// Enrolls an elder as a diner of a canteen, in their age tier.
pub fn enroll_diner(message: lpb::EnrollDiner) -> pb::transaction_body::Operation {
    elderly(L::EnrollDiner(message))
}

/// Serves a subsidized meal to an enrolled diner.
pub fn serve_meal(message: lpb::ServeMeal) -> pb::transaction_body::Operation {
    elderly(L::ServeMeal(message))
}

/// Opens a home adaptation case.
pub fn open_adaptation(message: lpb::OpenAdaptation) -> pb::transaction_body::Operation {
    elderly(L::OpenAdaptation(message))
}

/// Completes a home adaptation case.
pub fn complete_adaptation(message: lpb::CompleteAdaptation) -> pb::transaction_body::Operation {
    elderly(L::CompleteAdaptation(message))
}

/// Enrolls an elder in the accident insurance of a policy year.
pub fn enroll_insurance(message: lpb::EnrollInsurance) -> pb::transaction_body::Operation {
    elderly(L::EnrollInsurance(message))
}

impl LedgerClient {
    /// An institution, as `signer`.
    pub async fn institution(
        &mut self,
        signer: &Signer,
        organization_id: [u8; 16],
    ) -> Result<lpb::Institution, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_INSTITUTION,
            lpb::GetInstitutionRequest {
                organization_id: organization_id.to_vec(),
            },
        );
        Ok(self.elderly.get_institution(request).await?.into_inner())
    }

    /// An elder's record, as `signer`.
    pub async fn elder(
        &mut self,
        signer: &Signer,
        person_id: [u8; 16],
    ) -> Result<lpb::Elder, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_ELDER,
            lpb::GetElderRequest {
                person_id: person_id.to_vec(),
            },
        );
        Ok(self.elderly.get_elder(request).await?.into_inner())
    }

    /// The elderly care indicators of `area_code` (the whole city if empty) with the insured
    /// of `year` (0: this year), as `signer`.
    pub async fn elderly_indicators(
        &mut self,
        signer: &Signer,
        area_code: &str,
        year: u32,
    ) -> Result<lpb::Indicators, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_ELDERLY_INDICATORS,
            lpb::GetIndicatorsRequest {
                area_code: area_code.into(),
                year,
            },
        );
        Ok(self.elderly.get_indicators(request).await?.into_inner())
    }
}
