//! `shanzhi.places.v1.PlacesService`: a place with its former names and addresses, a naming
//! application, and a boundary's inspections, against the ledger's latest published state.
//! Place names and addresses are public (they are announced): any registered key with a
//! valid read credential reads them.

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use crate::ledger::{ApplicationState, AreaCode, PlacesRefusal, Refusal};
use crate::pb::places as pb;
use crate::pb::places::places_service_server::PlacesService;
use crate::wire::place_id;
use crate::writer::LedgerHandle;

/// Serves the place names.
pub struct PlacesApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl PlacesApi {
    /// Serves `ledger`; read credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }
}

#[tonic::async_trait]
impl PlacesService for PlacesApi {
    async fn get_place(
        &self,
        request: Request<pb::GetPlaceRequest>,
    ) -> Result<Response<pb::Place>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = place_id("place_id", &request.get_ref().place_id)?;
        let reply = self
            .ledger
            .read(move |state| {
                reader.role(state)?;
                let p = state
                    .place(&id)
                    .ok_or_else(|| PlacesRefusal::UnknownPlace(id.to_string()))?;
                let mut addresses: Vec<pb::Address> = p
                    .addresses
                    .iter()
                    .filter_map(|a| state.address(a).map(|view| (a, view)))
                    .map(|(a, view)| pb::Address {
                        address_id: a.0.to_vec(),
                        door_number: view.door,
                        area_code: view.area.to_string(),
                        retired_reason: view.retired.unwrap_or_default(),
                    })
                    .collect();
                addresses.sort_by(|a, b| a.door_number.cmp(&b.door_number));
                Ok::<_, Refusal>(pb::Place {
                    place_id: id.0.to_vec(),
                    kind: p.kind.into(),
                    name: p.fields.name,
                    pinyin: p.fields.pinyin,
                    meaning: p.fields.meaning,
                    location: p.fields.location,
                    area_code: p.area.to_string(),
                    application_id: p.application.0.to_vec(),
                    announcement_sha256: p.announcement.to_vec(),
                    former_names: p
                        .former
                        .into_iter()
                        .map(|(name, at)| pb::FormerName {
                            name,
                            renamed_at_sequence: at.get(),
                        })
                        .collect(),
                    addresses,
                })
            })
            .await??;
        Ok(Response::new(reply))
    }

    async fn get_name_application(
        &self,
        request: Request<pb::GetNameApplicationRequest>,
    ) -> Result<Response<pb::NameApplication>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let application_id = place_id("application_id", &request.get_ref().application_id)?;
        let a = self
            .ledger
            .read(move |state| {
                reader.role(state)?;
                state.name_application(&application_id).ok_or_else(|| {
                    Refusal::from(PlacesRefusal::UnknownApplication(
                        application_id.to_string(),
                    ))
                })
            })
            .await??;
        let (decided_by, decision_reason) = a
            .decided
            .map(|(by, why)| (by.to_string(), why))
            .unwrap_or_default();
        Ok(Response::new(pb::NameApplication {
            application_id: application_id.0.to_vec(),
            place_id: a.place.0.to_vec(),
            kind: a.kind.into(),
            name: a.fields.name,
            pinyin: a.fields.pinyin,
            meaning: a.fields.meaning,
            location: a.fields.location,
            area_code: a.area.to_string(),
            state: match a.state {
                ApplicationState::Pending => "pending",
                ApplicationState::Approved(_) => "approved",
                ApplicationState::Rejected => "rejected",
            }
            .into(),
            applied_by: a.applied_by.to_string(),
            decided_by,
            decision_reason,
            sequence: a.sequence.get(),
        }))
    }

    async fn get_boundary(
        &self,
        request: Request<pb::GetBoundaryRequest>,
    ) -> Result<Response<pb::Boundary>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let ask = request.get_ref();
        let a = AreaCode::parse("area_code", &ask.area_code)?;
        let b = AreaCode::parse("other_area_code", &ask.other_area_code)?;
        let boundary = if a < b { (a, b) } else { (b, a) };
        let key = boundary.clone();
        let inspections = self
            .ledger
            .read(move |state| {
                reader.role(state)?;
                Ok::<_, Refusal>(state.boundary_inspections(&key))
            })
            .await??;
        Ok(Response::new(pb::Boundary {
            area_code: boundary.0.to_string(),
            other_area_code: boundary.1.to_string(),
            inspections: inspections
                .into_iter()
                .map(|i| pb::BoundaryInspection {
                    inspection_id: i.id.0.to_vec(),
                    inspected_on: i.on.to_string(),
                    outcome: i.outcome.into(),
                    note: i.note,
                    by: i.by.to_string(),
                    sequence: i.sequence.get(),
                })
                .collect(),
        }))
    }
}
