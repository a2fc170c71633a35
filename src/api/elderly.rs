//! `shanzhi.elderly.v1.ElderlyService`: an institution, an elder's record and the county's
//! indicators, against the ledger's latest published state. Institutions and the indicators
//! are public to any registered key; an elder's record is read by bureau admins, auditors and
//! the elderly-care program officers whose area covers the person's.

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::paging;
use crate::ledger::{
    CivilDate, ElderlyRefusal, OrganizationId, PersonId, Refusal, SubjectRefusal, UnixMs,
    read_denied, require_elder_reader, sees_elder,
};
use crate::pb::elderly as pb;
use crate::pb::elderly::elderly_service_server::ElderlyService;
use crate::writer::LedgerHandle;

/// Serves elderly care.
pub struct ElderlyApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl ElderlyApi {
    /// Serves `ledger`; read credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }

    fn today(&self) -> CivilDate {
        CivilDate::of(UnixMs(self.ledger.now_unix_ms()))
    }
}

#[tonic::async_trait]
impl ElderlyService for ElderlyApi {
    async fn get_institution(
        &self,
        request: Request<pb::GetInstitutionRequest>,
    ) -> Result<Response<pb::Institution>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = OrganizationId::from_slice(&request.get_ref().organization_id)?;
        let today = self.today();
        let i = self
            .ledger
            .read(move |state| {
                reader.role(state)?;
                state.institution(&id).ok_or_else(|| {
                    Refusal::from(ElderlyRefusal::UnknownInstitution(id.to_string()))
                })
            })
            .await??;
        Ok(Response::new(pb::Institution {
            organization_id: id.0.to_vec(),
            area_code: i.area.to_string(),
            total_beds: i.total_beds,
            nursing_beds: i.nursing_beds,
            status: i.status.into(),
            grade: u32::from(i.grade),
            certificates_valid: i.certificates_valid_on(today),
            certificates: i.certificates,
        }))
    }

    async fn get_elder(
        &self,
        request: Request<pb::GetElderRequest>,
    ) -> Result<Response<pb::Elder>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = PersonId::from_slice(&request.get_ref().person_id)?;
        let (area, elder, adaptation) = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_elder_reader(&role)?;
                let registered = state.person(&id).ok_or(SubjectRefusal::UnknownPerson(id))?;
                if !sees_elder(&role, &registered.area) {
                    return Err(read_denied(&role, format!("elder {id}")));
                }
                let elder = state.elder(&id);
                let adaptation = elder
                    .adaptation
                    .and_then(|a| state.adaptation(&a).map(|view| (a, view)));
                Ok::<_, Refusal>((registered.area, elder, adaptation))
            })
            .await??;
        let latest = elder.assessment.as_ref();
        let (canteen_id, age_tier) = elder
            .diner
            .as_ref()
            .map(|(c, t)| (c.to_string(), (*t).to_owned()))
            .unwrap_or_default();
        Ok(Response::new(pb::Elder {
            person_id: id.0.to_vec(),
            area_code: area.to_string(),
            ability_level: latest.map(|a| a.level.to_owned()).unwrap_or_default(),
            assessed_on: latest.map(|a| a.on.to_string()).unwrap_or_default(),
            assessments: elder.assessments,
            canteen_id,
            age_tier,
            meals: elder.meals,
            meal_subsidy_fen: elder.meal_subsidy_fen,
            adaptation_case_id: adaptation
                .as_ref()
                .map(|(a, _)| a.0.to_vec())
                .unwrap_or_default(),
            adaptation_state: adaptation
                .as_ref()
                .map(|(_, a)| {
                    if a.completed.is_some() {
                        "completed"
                    } else {
                        "open"
                    }
                })
                .unwrap_or_default()
                .into(),
            adaptation_budget_fen: adaptation.as_ref().map_or(0, |(_, a)| a.budget_fen),
            adaptation_cost_fen: adaptation
                .as_ref()
                .and_then(|(_, a)| a.completed.map(|c| c.0))
                .unwrap_or(0),
            insured_years: elder.insured,
        }))
    }

    async fn get_indicators(
        &self,
        request: Request<pb::GetIndicatorsRequest>,
    ) -> Result<Response<pb::Indicators>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let ask = request.get_ref();
        let within = paging::within_area(&ask.area_code)?;
        let today = self.today();
        let year = paging::year_or_this(ask.year, UnixMs(self.ledger.now_unix_ms()))?;
        let i = self
            .ledger
            .read(move |state| {
                reader.role(state)?;
                if let Some(area) = &within {
                    state.require_area(area)?;
                }
                Ok::<_, Refusal>(state.elderly_indicators(within.as_ref(), today, year))
            })
            .await??;
        Ok(Response::new(pb::Indicators {
            institutions_operating: i.institutions_operating,
            total_beds: i.total_beds,
            nursing_beds: i.nursing_beds,
            nursing_bed_per_mille: i.nursing_bed_per_mille,
            nursing_bed_target_met: i.target_met,
            certificates_valid: i.certificates_valid,
            canteens: i.canteens,
            diners: i.diners,
            meals: i.meals,
            meal_subsidy_fen: i.meal_subsidy_fen,
            adaptations_open: i.adaptations_open,
            adaptations_completed: i.adaptations_completed,
            year,
            insured: i.insured,
        }))
    }
}
