//! Claims: the wire's claim, review, notice, objection and award operations into the domain
//! (with every field checked that does not depend on the state), claims, notices and
//! objections into their wire form (`shanzhi.governance.v1` views), and the status filter of
//! `ListClaims`.

use super::governance::{missing, out_of_range, parse_sha256};
use crate::ledger::{
    AwardRequest, CivilDate, Claim, ClaimId, ClaimRequest, ClaimStatus, ClaimsOp, Decision,
    HouseholdId, IssuerId, MAX_CLAIMS_PER_NOTICE, MemberId, NoticeId, NoticeView, Objection,
    ObjectionId, Outcome, Refusal, RuleCode, parse_memo,
};
use crate::pb::governance as pb;

pub(super) fn parse_claim(submit: &pb::SubmitClaim) -> Result<ClaimRequest, Refusal> {
    if submit.quantity == 0 {
        return Err(out_of_range("quantity", "at least 1".into(), 0));
    }
    Ok(ClaimRequest {
        claim: ClaimId::parse("claim_id", &submit.claim_id)?,
        household: HouseholdId::parse("household_id", &submit.household_id)?,
        member: match submit.member_id.as_slice() {
            [] => None,
            bytes => Some(MemberId::from_slice(bytes)?),
        },
        rule: RuleCode::parse_code(&submit.rule_code)?,
        quantity: submit.quantity,
        deed_date: CivilDate::from_wire("deed_date", submit.deed_date)?,
        evidence: match submit.evidence_sha256.as_slice() {
            [] => None,
            bytes => Some(parse_sha256("evidence_sha256", bytes)?),
        },
        memo: parse_memo("memo", &submit.memo, false)?,
    })
}

pub(super) fn parse_award(award: &pb::AwardByRule) -> Result<ClaimsOp, Refusal> {
    if award.quantity == 0 {
        return Err(out_of_range("quantity", "at least 1".into(), 0));
    }
    Ok(ClaimsOp::AwardByRule(AwardRequest {
        program: IssuerId::parse("program_id", &award.program_id)?,
        activity: ClaimId::parse("activity_id", &award.activity_id)?,
        household: HouseholdId::parse("household_id", &award.household_id)?,
        rule: RuleCode::parse_code(&award.rule_code)?,
        quantity: award.quantity,
        deed_date: CivilDate::from_wire("deed_date", award.deed_date)?,
        evidence: match award.evidence_sha256.as_slice() {
            [] => None,
            bytes => Some(parse_sha256("evidence_sha256", bytes)?),
        },
        memo: parse_memo("memo", &award.memo, false)?,
    }))
}

pub(super) fn parse_review(review: &pb::ReviewClaim) -> Result<ClaimsOp, Refusal> {
    use pb::review_claim::Decision as D;
    let decision = match &review.decision {
        Some(D::Approve(pb::Approve {})) => Decision::Approve,
        Some(D::Reject(pb::Reject {})) => Decision::Reject,
        Some(D::AdjustQuantity(0)) => {
            return Err(out_of_range("adjust_quantity", "at least 1".into(), 0));
        }
        Some(D::AdjustQuantity(quantity)) => Decision::Adjust(*quantity),
        None => {
            return Err(missing(
                "decision",
                "one of approve, reject, adjust_quantity",
            ));
        }
    };
    Ok(ClaimsOp::Review {
        claim: ClaimId::parse("claim_id", &review.claim_id)?,
        decision,
        reason: parse_memo("reason", &review.reason, true)?,
    })
}

pub(super) fn parse_notice(open: &pb::OpenNotice) -> Result<ClaimsOp, Refusal> {
    let count = open.claim_ids.len();
    if count == 0 || count > MAX_CLAIMS_PER_NOTICE {
        return Err(out_of_range(
            "claim_ids",
            format!("1 to {MAX_CLAIMS_PER_NOTICE} claims"),
            count,
        ));
    }
    let mut claims: Vec<ClaimId> = Vec::with_capacity(count);
    for id in &open.claim_ids {
        let claim = ClaimId::parse("claim_ids", id)?;
        if claims.contains(&claim) {
            return Err(out_of_range(
                "claim_ids",
                "each claim once".into(),
                format!("{claim} twice"),
            ));
        }
        claims.push(claim);
    }
    Ok(ClaimsOp::OpenNotice {
        notice: NoticeId::parse("batch_id", &open.batch_id)?,
        village: IssuerId::parse("village_id", &open.village_id)?,
        claims,
    })
}

pub(super) fn parse_resolve(resolve: &pb::ResolveObjection) -> Result<ClaimsOp, Refusal> {
    use pb::resolve_objection::Decision as D;
    let outcome = match &resolve.decision {
        Some(D::Upheld(pb::Upheld {})) => Outcome::Upheld,
        Some(D::Dismissed(pb::Dismissed {})) => Outcome::Dismissed,
        None => return Err(missing("decision", "upheld or dismissed")),
    };
    Ok(ClaimsOp::ResolveObjection {
        objection: ObjectionId::parse("objection_id", &resolve.objection_id)?,
        outcome,
        reason: parse_memo("reason", &resolve.reason, true)?,
    })
}

/// The status names `State::claims_page` filters on, from the wire's `ClaimStatus`
/// (unspecified: no filter).
pub fn claim_status_filter(status: i32) -> Result<Option<&'static str>, Refusal> {
    Ok(match pb::ClaimStatus::try_from(status) {
        Ok(pb::ClaimStatus::Unspecified) => None,
        Ok(pb::ClaimStatus::UnderReview) => Some(ClaimStatus::UnderReview.name()),
        Ok(pb::ClaimStatus::Approved) => Some(ClaimStatus::Approved.name()),
        Ok(pb::ClaimStatus::InNotice) => Some("in notice"),
        Ok(pb::ClaimStatus::Posted) => Some("posted"),
        Ok(pb::ClaimStatus::Rejected) => Some("rejected"),
        Ok(pb::ClaimStatus::Withdrawn) => Some("withdrawn"),
        Ok(pb::ClaimStatus::Reversed) => Some("reversed"),
        Err(_) => {
            return Err(Refusal::InvalidField {
                field: "status",
                expected: "a ClaimStatus value".into(),
                found: status.to_string(),
            });
        }
    })
}

impl From<&Claim> for pb::ClaimView {
    fn from(claim: &Claim) -> Self {
        use pb::review::Decision as D;
        let (status, decided_at) = match &claim.status {
            ClaimStatus::UnderReview => (pb::ClaimStatus::UnderReview, 0),
            ClaimStatus::Approved => (pb::ClaimStatus::Approved, 0),
            ClaimStatus::InNotice(_) => (pb::ClaimStatus::InNotice, 0),
            ClaimStatus::Posted(at) => (pb::ClaimStatus::Posted, at.get()),
            ClaimStatus::Reversed(at) => (pb::ClaimStatus::Reversed, at.get()),
            ClaimStatus::Rejected(at) => (pb::ClaimStatus::Rejected, at.get()),
            ClaimStatus::Withdrawn(at) => (pb::ClaimStatus::Withdrawn, at.get()),
        };
        pb::ClaimView {
            claim_id: claim.id.to_string(),
            village_id: claim.village.to_string(),
            household_id: claim.household.to_string(),
            member_id: claim.member.map(|m| m.0.to_vec()).unwrap_or_default(),
            rule: Some(pb::Rule::from(claim.rule.as_ref())),
            catalogue_version: claim.catalogue_version,
            quantity: claim.quantity,
            points: claim.points.get(),
            deed_date: claim.deed_date.days(),
            evidence_sha256: claim.evidence.map(|e| e.to_vec()).unwrap_or_default(),
            memo: claim.memo.clone(),
            proposer_key_id: claim.proposer.to_string(),
            submitted_at: claim.submitted_at.get(),
            reviewers_required: claim.reviewers_required,
            approvals: claim.approvals.iter().map(ToString::to_string).collect(),
            status: status.into(),
            batch_id: claim
                .notice
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            decided_at,
            reviews: claim
                .reviews
                .iter()
                .map(|r| pb::Review {
                    reviewer_key_id: r.reviewer.to_string(),
                    decision: Some(match r.decision {
                        Decision::Approve => D::Approve(pb::Approve {}),
                        Decision::Reject => D::Reject(pb::Reject {}),
                        Decision::Adjust(q) => D::AdjustQuantity(q),
                    }),
                    reason: r.reason.clone(),
                    at: r.at.get(),
                })
                .collect(),
            open_objections: claim.open_objections,
        }
    }
}

impl From<&Objection> for pb::ObjectionView {
    fn from(objection: &Objection) -> Self {
        let (status, by, reason, at) = match &objection.resolution {
            None => (pb::ObjectionStatus::Open, String::new(), String::new(), 0),
            Some((outcome, by, reason, at)) => (
                match outcome {
                    Outcome::Upheld => pb::ObjectionStatus::Upheld,
                    Outcome::Dismissed => pb::ObjectionStatus::Dismissed,
                },
                by.to_string(),
                reason.clone(),
                at.get(),
            ),
        };
        pb::ObjectionView {
            objection_id: objection.id.to_string(),
            claim_id: objection.claim.to_string(),
            filed_by_key_id: objection.filed_by.to_string(),
            reason: objection.reason.clone(),
            filed_at: objection.filed_at.get(),
            status: status.into(),
            resolved_by_key_id: by,
            resolution_reason: reason,
            resolved_at: at,
        }
    }
}

impl From<&NoticeView> for pb::NoticeView {
    fn from(view: &NoticeView) -> Self {
        let notice = &view.notice;
        pb::NoticeView {
            batch_id: notice.id.to_string(),
            village_id: notice.village.to_string(),
            claims: view
                .claims
                .iter()
                .map(|c| pb::ClaimView::from(&**c))
                .collect(),
            opened_at: notice.opened_at.get(),
            opened_on: notice.opened_on.days(),
            ends_on: notice.ends_on.days(),
            finalized_at: notice.finalized_at.map_or(0, |s| s.get()),
            objections: view
                .objections
                .iter()
                .map(|o| pb::ObjectionView::from(&**o))
                .collect(),
        }
    }
}
