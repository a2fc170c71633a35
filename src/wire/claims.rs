//! Claims, notices and objections into their wire form (`shanzhi.governance.v1` views), and
//! the status filter of `ListClaims` into the domain.

use crate::ledger::{Claim, ClaimStatus, Decision, NoticeView, Objection, Outcome, Refusal};
use crate::pb::governance as pb;

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
