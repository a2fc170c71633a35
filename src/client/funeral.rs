//! The funeral operations (death cases and certificates, bookings, cemeteries and plots,
//! subsidies, scattered graves) and reads.

use super::{LedgerClient, Signer};
use crate::api::auth::methods;
use crate::pb::funeral as lpb;
use crate::pb::points as pb;

use lpb::funeral_operation::Operation as L;

fn funeral(operation: L) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Funeral(lpb::FuneralOperation {
        operation: Some(operation),
    })
}

/// Opens death case `case_id` of registered person `person_id`, who died on `died_on` (days
/// since 1970-01-01), with the certificate's SHA-256 if at hand.
pub fn register_death(
    case_id: [u8; 16],
    person_id: [u8; 16],
    died_on: u32,
    certificate: Option<[u8; 32]>,
) -> pb::transaction_body::Operation {
    funeral(L::RegisterDeath(lpb::RegisterDeath {
        case_id: case_id.to_vec(),
        person_id: person_id.to_vec(),
        died_on,
        certificate_sha256: certificate.map(|c| c.to_vec()).unwrap_or_default(),
    }))
}

/// Records the death certificate of a case.
pub fn record_death_certificate(
    case_id: [u8; 16],
    certificate: [u8; 32],
) -> pb::transaction_body::Operation {
    funeral(L::RecordDeathCertificate(lpb::RecordDeathCertificate {
        case_id: case_id.to_vec(),
        certificate_sha256: certificate.to_vec(),
    }))
}

/// Books `scene` of a case on day `on` at `facility`.
pub fn book_funeral_service(
    case_id: [u8; 16],
    scene: &str,
    on: u32,
    facility: &str,
) -> pb::transaction_body::Operation {
    funeral(L::BookFuneralService(lpb::BookFuneralService {
        case_id: case_id.to_vec(),
        scene: scene.into(),
        on,
        facility: facility.into(),
    }))
}

/// Defines a cemetery.
pub fn define_cemetery(cemetery: lpb::DefineCemetery) -> pb::transaction_body::Operation {
    funeral(L::DefineCemetery(cemetery))
}

/// Adds plots `codes` of `area_dm2` square decimetres to a cemetery.
pub fn define_plots(
    cemetery_id: &str,
    codes: &[&str],
    area_dm2: u32,
) -> pb::transaction_body::Operation {
    funeral(L::DefinePlots(lpb::DefinePlots {
        cemetery_id: cemetery_id.into(),
        plot_codes: codes.iter().map(|c| (*c).to_owned()).collect(),
        area_dm2,
    }))
}

/// Allocates plot `plot_code` of a cemetery to death case `case_id`.
pub fn allocate_plot(
    cemetery_id: &str,
    plot_code: &str,
    case_id: [u8; 16],
) -> pb::transaction_body::Operation {
    funeral(L::AllocatePlot(lpb::AllocatePlot {
        cemetery_id: cemetery_id.into(),
        plot_code: plot_code.into(),
        case_id: case_id.to_vec(),
    }))
}

/// Renews a held plot for another cycle, citing the renewal agreement.
pub fn renew_plot(
    cemetery_id: &str,
    plot_code: &str,
    agreement: [u8; 32],
) -> pb::transaction_body::Operation {
    funeral(L::RenewPlot(lpb::RenewPlot {
        cemetery_id: cemetery_id.into(),
        plot_code: plot_code.into(),
        agreement_sha256: agreement.to_vec(),
    }))
}

/// Releases a held plot, citing the record of the remains' removal.
pub fn release_plot(
    cemetery_id: &str,
    plot_code: &str,
    removal: [u8; 32],
    reason: &str,
) -> pb::transaction_body::Operation {
    funeral(L::ReleasePlot(lpb::ReleasePlot {
        cemetery_id: cemetery_id.into(),
        plot_code: plot_code.into(),
        removal_sha256: removal.to_vec(),
        reason: reason.into(),
    }))
}

/// Grants the funeral subsidy of a case.
pub fn grant_funeral_subsidy(
    case_id: [u8; 16],
    amount_fen: u64,
    basis: &str,
) -> pb::transaction_body::Operation {
    funeral(L::GrantFuneralSubsidy(lpb::GrantFuneralSubsidy {
        case_id: case_id.to_vec(),
        amount_fen,
        basis: basis.into(),
    }))
}

/// Records a scattered grave.
pub fn identify_scattered_grave(
    grave: lpb::IdentifyScatteredGrave,
) -> pb::transaction_body::Operation {
    funeral(L::IdentifyScatteredGrave(grave))
}

/// Moves a scattered grave to `to_state` ("cleared" or "verified").
pub fn advance_scattered_grave(
    grave_id: [u8; 16],
    to_state: &str,
    evidence: [u8; 32],
    note: &str,
) -> pb::transaction_body::Operation {
    funeral(L::AdvanceScatteredGrave(lpb::AdvanceScatteredGrave {
        grave_id: grave_id.to_vec(),
        to_state: to_state.into(),
        evidence_sha256: evidence.to_vec(),
        note: note.into(),
    }))
}

impl LedgerClient {
    /// A death case, as `signer`.
    pub async fn death_case(
        &mut self,
        signer: &Signer,
        case_id: [u8; 16],
    ) -> Result<lpb::DeathCase, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_DEATH_CASE,
            lpb::GetDeathCaseRequest {
                case_id: case_id.to_vec(),
            },
        );
        Ok(self.funeral.get_death_case(request).await?.into_inner())
    }

    /// The cemeteries within `area_code` (every one the signer sees if empty), as `signer`.
    pub async fn cemeteries(
        &mut self,
        signer: &Signer,
        area_code: &str,
    ) -> Result<lpb::ListCemeteriesResponse, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::LIST_CEMETERIES,
            lpb::ListCemeteriesRequest {
                area_code: area_code.into(),
            },
        );
        Ok(self.funeral.list_cemeteries(request).await?.into_inner())
    }

    /// A plot, as `signer`.
    pub async fn plot(
        &mut self,
        signer: &Signer,
        cemetery_id: &str,
        plot_code: &str,
    ) -> Result<lpb::Plot, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_PLOT,
            lpb::GetPlotRequest {
                cemetery_id: cemetery_id.into(),
                plot_code: plot_code.into(),
            },
        );
        Ok(self.funeral.get_plot(request).await?.into_inner())
    }

    /// One page of an area's scattered graves, as `signer`.
    pub async fn scattered_graves(
        &mut self,
        signer: &Signer,
        ask: lpb::ListScatteredGravesRequest,
    ) -> Result<lpb::ListScatteredGravesResponse, tonic::Status> {
        let request = signer.read_request(&self.ledger_id, methods::LIST_SCATTERED_GRAVES, ask);
        Ok(self
            .funeral
            .list_scattered_graves(request)
            .await?
            .into_inner())
    }
}
