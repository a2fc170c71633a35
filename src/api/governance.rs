//! `shanzhi.governance.v1.GovernanceService`: reads of catalogues, village policies, claims,
//! notices, boards and the volunteer activities programs award points for.

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::paging;
use crate::ledger::{
    BoardPeriod, CivilDate, ClaimId, HouseholdId, IssuerId, MAX_BOARD_LINES, NoticeId, Refusal,
    UnixMs, VolunteeringRefusal, read_denied,
};
use crate::pb::governance as pb;
use crate::pb::governance::governance_service_server::GovernanceService;
use crate::wire::{catalogue_which, claim_status_filter, parse_scope, policy_which};
use crate::writer::LedgerHandle;

/// Claims per `ListClaims` page when the request does not say: 100.
pub const CLAIMS_DEFAULT_PAGE_SIZE: u32 = 100;
/// Most claims per `ListClaims` page: 500.
pub const CLAIMS_MAX_PAGE_SIZE: u32 = 500;

/// Households on each side of a board when the request does not say: 10.
pub const BOARD_DEFAULT_LINES: u32 = 10;

/// Serves governance reads from the published snapshot.
pub struct GovernanceApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl GovernanceApi {
    /// Serves `ledger`, accepting read credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }
}

#[tonic::async_trait]
impl GovernanceService for GovernanceApi {
    async fn get_catalogue(
        &self,
        request: Request<pb::GetCatalogueRequest>,
    ) -> Result<Response<pb::GetCatalogueResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request = request.into_inner();
        let scope = parse_scope("scope", request.scope.as_ref())?;
        let which = catalogue_which(request.which.as_ref())?;
        let catalogue = self
            .ledger
            .read(move |state| {
                // Any registered, unrevoked key reads catalogues: villages publish them.
                reader.role(state)?;
                state.catalogue(&scope, which).map(pb::Catalogue::from)
            })
            .await??;
        Ok(Response::new(pb::GetCatalogueResponse {
            catalogue: Some(catalogue),
        }))
    }

    async fn get_policy(
        &self,
        request: Request<pb::GetPolicyRequest>,
    ) -> Result<Response<pb::GetPolicyResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request = request.into_inner();
        let village = IssuerId::parse("village_id", &request.village_id)?;
        let which = policy_which(request.which.as_ref())?;
        let policy = self
            .ledger
            .read(move |state| {
                reader.role(state)?;
                Ok::<_, Refusal>(pb::GetPolicyResponse::from(state.policy(&village, which)?))
            })
            .await??;
        Ok(Response::new(policy))
    }

    async fn get_claim(
        &self,
        request: Request<pb::GetClaimRequest>,
    ) -> Result<Response<pb::GetClaimResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let claim_id = ClaimId::parse("claim_id", &request.get_ref().claim_id)?;
        let claim = self
            .ledger
            .read(move |state| {
                let role = &reader.role(state)?;
                let claim = state.claim(&claim_id)?;
                if !state.may_read_claims(role, &claim.village, Some(&claim.household)) {
                    return Err(read_denied(role, format!("claim {claim_id}")));
                }
                Ok::<_, Refusal>(pb::ClaimView::from(&*claim))
            })
            .await??;
        Ok(Response::new(pb::GetClaimResponse { claim: Some(claim) }))
    }

    async fn list_claims(
        &self,
        request: Request<pb::ListClaimsRequest>,
    ) -> Result<Response<pb::ListClaimsResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request = request.into_inner();
        let limit = paging::page_size(
            request.page_size,
            CLAIMS_DEFAULT_PAGE_SIZE,
            CLAIMS_MAX_PAGE_SIZE,
        )?;
        let village = IssuerId::parse("village_id", &request.village_id)?;
        let status = claim_status_filter(request.status)?;
        let household = match request.household_id.as_str() {
            "" => None,
            id => Some(HouseholdId::parse("household_id", id)?),
        };
        let after = match request.page_token.as_str() {
            "" => None,
            token => Some(ClaimId::parse("page_token", token)?),
        };
        let page = self
            .ledger
            .read(move |state| {
                let role = &reader.role(state)?;
                if !state.may_read_claims(role, &village, household.as_ref()) {
                    let what = match &household {
                        Some(h) => format!("the claims of household {h} in village {village}"),
                        None => format!("the claims of village {village}"),
                    };
                    return Err(read_denied(role, what));
                }
                let page =
                    state.claims_page(&village, status, household.as_ref(), after.as_ref(), limit);
                Ok::<_, Refusal>(pb::ListClaimsResponse {
                    claims: page
                        .claims
                        .iter()
                        .map(|c| pb::ClaimView::from(&**c))
                        .collect(),
                    next_page_token: page.next_after.map(|c| c.to_string()).unwrap_or_default(),
                })
            })
            .await??;
        Ok(Response::new(page))
    }

    async fn get_board(
        &self,
        request: Request<pb::GetBoardRequest>,
    ) -> Result<Response<pb::GetBoardResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request = request.into_inner();
        let village = IssuerId::parse("village_id", &request.village_id)?;
        let period = match request.period.as_str() {
            "" => BoardPeriod::month_of(CivilDate::of(UnixMs(self.ledger.now_unix_ms()))),
            text => BoardPeriod::parse("period", text)?,
        };
        let top = match request.top {
            0 => BOARD_DEFAULT_LINES as usize,
            top if top as usize <= MAX_BOARD_LINES => top as usize,
            top => {
                return Err(Refusal::InvalidField {
                    field: "top",
                    expected: format!("0 (for {BOARD_DEFAULT_LINES}) to {MAX_BOARD_LINES}"),
                    found: top.to_string(),
                }
                .into());
            }
        };
        let board = self
            .ledger
            .read(move |state| {
                let role = &reader.role(state)?;
                if !state.may_read_notice(role, &village) {
                    return Err(read_denied(
                        role,
                        format!("the boards of village {village}"),
                    ));
                }
                let board = state.board(&village, period, top)?;
                let line = |l: &crate::ledger::BoardLine| pb::BoardLine {
                    household_id: l.household.to_string(),
                    score: l.score,
                    deducted: l.deducted,
                    stars: l.stars,
                };
                Ok::<_, Refusal>(pb::GetBoardResponse {
                    period: board.period.to_string(),
                    red: board.red.iter().map(line).collect(),
                    black: board.black.iter().map(line).collect(),
                })
            })
            .await??;
        Ok(Response::new(board))
    }

    async fn get_notice(
        &self,
        request: Request<pb::GetNoticeRequest>,
    ) -> Result<Response<pb::GetNoticeResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let notice_id = NoticeId::parse("batch_id", &request.get_ref().batch_id)?;
        let notice = self
            .ledger
            .read(move |state| {
                let role = &reader.role(state)?;
                let view = state.notice(&notice_id)?;
                if !state.may_read_notice(role, &view.notice.village) {
                    return Err(read_denied(role, format!("notice {notice_id}")));
                }
                Ok::<_, Refusal>(pb::NoticeView::from(&view))
            })
            .await??;
        Ok(Response::new(pb::GetNoticeResponse {
            notice: Some(notice),
        }))
    }

    async fn get_volunteer_activity(
        &self,
        request: Request<pb::GetVolunteerActivityRequest>,
    ) -> Result<Response<pb::GetVolunteerActivityResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = ClaimId::parse("activity_id", &request.get_ref().activity_id)?;
        let key = reader.key_id();
        let activity = self
            .ledger
            .read(move |state| {
                let role = &reader.role(state)?;
                let activity = state.volunteer_activity(&id).ok_or_else(|| {
                    Refusal::from(VolunteeringRefusal::UnknownActivity {
                        activity: id.to_string(),
                        program: "any program".into(),
                    })
                })?;
                if !state.may_read_activity(role, &key, &activity) {
                    return Err(read_denied(role, format!("volunteer activity {id}")));
                }
                Ok::<_, Refusal>(pb::VolunteerActivity {
                    activity_id: id.to_string(),
                    program: activity.program.name().into(),
                    kind: activity.kind.into(),
                    site: activity.site,
                    volunteer_id: activity.volunteer.0.to_vec(),
                    day: activity.day.days(),
                    units: activity.units,
                    recorded_by_key_id: activity.recorded_by.to_string(),
                    recorded_at_sequence: activity.sequence.get(),
                    awarded: activity.awarded_at.is_some(),
                    awarded_at_sequence: activity.awarded_at.map_or(0, |s| s.get()),
                })
            })
            .await??;
        Ok(Response::new(pb::GetVolunteerActivityResponse {
            activity: Some(activity),
        }))
    }
}
