//! The place names' operations (naming applications and decisions, addresses, boundary
//! inspections) and reads.

use super::{LedgerClient, Signer};
use crate::api::auth::methods;
use crate::pb::places as lpb;
use crate::pb::points as pb;

use lpb::places_operation::Operation as L;

fn places(operation: L) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Places(lpb::PlacesOperation {
        operation: Some(operation),
    })
}

/// Applies to name a new place or rename one (`application.place_id` set).
pub fn apply_for_name(application: lpb::ApplyForName) -> pb::transaction_body::Operation {
    places(L::ApplyForName(application))
}

/// Approves application `application_id` with the announcement whose SHA-256 is
/// `announcement`, or rejects it (`None`).
pub fn decide_name_application(
    application_id: [u8; 16],
    announcement: Option<[u8; 32]>,
    reason: &str,
) -> pb::transaction_body::Operation {
    places(L::DecideNameApplication(lpb::DecideNameApplication {
        application_id: application_id.to_vec(),
        approve: announcement.is_some(),
        reason: reason.into(),
        announcement_sha256: announcement.map(|a| a.to_vec()).unwrap_or_default(),
    }))
}

/// Assigns address `address_id`: door `door_number` on road `road_id`, in `area_code`.
pub fn assign_address(
    address_id: [u8; 16],
    road_id: [u8; 16],
    door_number: &str,
    area_code: &str,
) -> pb::transaction_body::Operation {
    places(L::AssignAddress(lpb::AssignAddress {
        address_id: address_id.to_vec(),
        road_id: road_id.to_vec(),
        door_number: door_number.into(),
        area_code: area_code.into(),
    }))
}

/// Retires address `address_id`.
pub fn retire_address(address_id: [u8; 16], reason: &str) -> pb::transaction_body::Operation {
    places(L::RetireAddress(lpb::RetireAddress {
        address_id: address_id.to_vec(),
        reason: reason.into(),
    }))
}

/// Records inspection `inspection_id` of the boundary between two areas.
pub fn record_boundary_inspection(
    inspection: lpb::RecordBoundaryInspection,
) -> pb::transaction_body::Operation {
    places(L::RecordBoundaryInspection(inspection))
}

impl LedgerClient {
    /// A place, as `signer`.
    pub async fn place(
        &mut self,
        signer: &Signer,
        place_id: [u8; 16],
    ) -> Result<lpb::Place, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_PLACE,
            lpb::GetPlaceRequest {
                place_id: place_id.to_vec(),
            },
        );
        Ok(self.places.get_place(request).await?.into_inner())
    }

    /// A naming application, as `signer`.
    pub async fn name_application(
        &mut self,
        signer: &Signer,
        application_id: [u8; 16],
    ) -> Result<lpb::NameApplication, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_NAME_APPLICATION,
            lpb::GetNameApplicationRequest {
                application_id: application_id.to_vec(),
            },
        );
        Ok(self
            .places
            .get_name_application(request)
            .await?
            .into_inner())
    }

    /// The inspections of the boundary between two areas, as `signer`.
    pub async fn boundary(
        &mut self,
        signer: &Signer,
        area_code: &str,
        other_area_code: &str,
    ) -> Result<lpb::Boundary, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_BOUNDARY,
            lpb::GetBoundaryRequest {
                area_code: area_code.into(),
                other_area_code: other_area_code.into(),
            },
        );
        Ok(self.places.get_boundary(request).await?.into_inner())
    }
}
