//! `shanzhi.funeral.v1.FuneralService`: a death case, the cemeteries with their plots' counts,
//! a plot, and pages of an area's scattered graves, against the ledger's latest published
//! state. Funeral records concern the deceased and their families: bureau admins, auditors and
//! the funeral program officers whose area covers the record's read them.

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::paging;
use crate::ledger::{
    AreaCode, CemeteryId, CivilDate, DeathCaseId, FuneralRefusal, GraveId, Refusal, UnixMs,
    parse_code, read_denied, require_funeral_reader, sees_funeral,
};
use crate::pb::funeral as pb;
use crate::pb::funeral::funeral_service_server::FuneralService;
use crate::writer::LedgerHandle;

/// The page size of the scattered graves when none is asked.
const DEFAULT_PAGE_SIZE: u32 = 100;
/// The largest page of the scattered graves.
const MAX_PAGE_SIZE: u32 = 500;

/// Serves funeral records.
pub struct FuneralApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl FuneralApi {
    /// Serves `ledger`; read credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }
}

#[tonic::async_trait]
impl FuneralService for FuneralApi {
    async fn get_death_case(
        &self,
        request: Request<pb::GetDeathCaseRequest>,
    ) -> Result<Response<pb::DeathCase>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = DeathCaseId::from_slice(&request.get_ref().case_id)?;
        let c = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_funeral_reader(&role)?;
                let case = state
                    .death_case(&id)
                    .ok_or_else(|| FuneralRefusal::UnknownDeathCase(id.to_string()))?;
                if !sees_funeral(&role, &case.area) {
                    return Err(read_denied(&role, format!("death case {id}")));
                }
                Ok::<_, Refusal>(case)
            })
            .await??;
        let (cemetery_id, plot_code) = c
            .plot
            .map(|(cemetery, code)| (cemetery.to_string(), code))
            .unwrap_or_default();
        Ok(Response::new(pb::DeathCase {
            case_id: id.0.to_vec(),
            person_id: c.person.0.to_vec(),
            area_code: c.area.to_string(),
            died_on: c.died_on.to_string(),
            certificate_sha256: c.certificate.map(|d| d.to_vec()).unwrap_or_default(),
            bookings: c
                .bookings
                .iter()
                .map(|b| pb::Booking {
                    scene: b.scene.into(),
                    on: b.on.to_string(),
                    facility: b.facility.clone(),
                    by: b.by.to_string(),
                    sequence: b.sequence.get(),
                })
                .collect(),
            cemetery_id,
            plot_code,
            subsidy_fen: c.subsidy.as_ref().map_or(0, |s| s.amount_fen),
            subsidy_basis: c.subsidy.map(|s| s.basis).unwrap_or_default(),
            opened_by: c.opened_by.to_string(),
            sequence: c.sequence.get(),
        }))
    }

    async fn list_cemeteries(
        &self,
        request: Request<pb::ListCemeteriesRequest>,
    ) -> Result<Response<pb::ListCemeteriesResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let within = paging::within_area(&request.get_ref().area_code)?;
        let today = CivilDate::of(UnixMs(self.ledger.now_unix_ms()));
        let cemeteries = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_funeral_reader(&role)?;
                Ok::<_, Refusal>(
                    state.cemeteries(within.as_ref(), |area| sees_funeral(&role, area)),
                )
            })
            .await??;
        let mut reply = pb::ListCemeteriesResponse::default();
        for (id, c) in cemeteries {
            let ended = c.terms_ended_by(today);
            reply.plots += c.plots;
            reply.plots_allocated += c.held;
            reply.plots_term_ended += ended;
            reply.cemeteries.push(pb::Cemetery {
                cemetery_id: id.to_string(),
                name: c.name,
                area_code: c.area.to_string(),
                kind: c.kind.into(),
                cycle_years: c.cycle_years,
                plots: c.plots,
                plots_allocated: c.held,
                plots_term_ended: ended,
            });
        }
        Ok(Response::new(reply))
    }

    async fn get_plot(
        &self,
        request: Request<pb::GetPlotRequest>,
    ) -> Result<Response<pb::Plot>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let ask = request.get_ref();
        let cemetery = CemeteryId::parse("cemetery_id", &ask.cemetery_id)?;
        let code = parse_code("plot_code", &ask.plot_code)?;
        let key = (cemetery.clone(), code.clone());
        let plot = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_funeral_reader(&role)?;
                let area = state
                    .cemetery(&key.0)
                    .map(|c| c.area)
                    .ok_or_else(|| FuneralRefusal::UnknownCemetery(key.0.to_string()))?;
                if !sees_funeral(&role, &area) {
                    return Err(read_denied(&role, format!("cemetery {}", key.0)));
                }
                state.plot(&key.0, &key.1).ok_or_else(|| {
                    Refusal::from(FuneralRefusal::UnknownPlot {
                        cemetery: key.0.to_string(),
                        plot: key.1.clone(),
                    })
                })
            })
            .await??;
        let holder = plot.holder.as_ref();
        Ok(Response::new(pb::Plot {
            cemetery_id: cemetery.to_string(),
            plot_code: code,
            area_dm2: plot.area_dm2,
            case_id: holder.map(|h| h.case.0.to_vec()).unwrap_or_default(),
            allocated_on: holder
                .map(|h| h.allocated_on.to_string())
                .unwrap_or_default(),
            held_until: holder.map(|h| h.held_until.to_string()).unwrap_or_default(),
            allocations: plot.allocations,
            renewals: holder.map_or(0, |h| h.renewals),
        }))
    }

    async fn list_scattered_graves(
        &self,
        request: Request<pb::ListScatteredGravesRequest>,
    ) -> Result<Response<pb::ListScatteredGravesResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let ask = request.get_ref();
        let area = AreaCode::parse("area_code", &ask.area_code)?;
        let after = paging::id_page_token(&ask.page_token)?.map(GraveId);
        let size = paging::page_size(ask.page_size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
        let page = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_funeral_reader(&role)?;
                if !sees_funeral(&role, &area) {
                    return Err(read_denied(&role, format!("area {area}")));
                }
                Ok::<_, Refusal>(state.scattered_graves(&area, after, size))
            })
            .await??;
        Ok(Response::new(pb::ListScatteredGravesResponse {
            graves: page
                .graves
                .into_iter()
                .map(|(id, g)| pb::ScatteredGrave {
                    grave_id: id.0.to_vec(),
                    area_code: g.area.to_string(),
                    location: g.location.clone(),
                    state: g.state().into(),
                    steps: g
                        .steps
                        .iter()
                        .map(|s| pb::GraveStep {
                            state: s.state.into(),
                            evidence_sha256: s.evidence.to_vec(),
                            note: s.note.clone(),
                            on: s.on.to_string(),
                            by: s.by.to_string(),
                            sequence: s.sequence.get(),
                        })
                        .collect(),
                })
                .collect(),
            next_page_token: page.next.map(|n| hex::encode(n.0)).unwrap_or_default(),
            identified: page.counts[0],
            cleared: page.counts[1],
            verified: page.counts[2],
        }))
    }
}
