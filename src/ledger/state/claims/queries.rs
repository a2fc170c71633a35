//! Reads of claims: one claim, a village's claims page by page, a notice with its claims and
//! objections.

use std::sync::Arc;

use super::super::State;
use super::{Claim, Notice, Objection};
use crate::ledger::{ClaimId, HouseholdId, IssuerId, NoticeId, Refusal, Sequence};

/// One page of a village's claims.
#[derive(Clone, Debug)]
pub struct ClaimsPage {
    /// The claims, in id order.
    pub claims: Vec<Arc<Claim>>,
    /// Where the next page starts.
    pub next_after: Option<ClaimId>,
}

/// A notice with its claims and every objection to them.
#[derive(Clone, Debug)]
pub struct NoticeView {
    /// The batch.
    pub notice: Arc<Notice>,
    /// Its claims, in the batch's order.
    pub claims: Vec<Arc<Claim>>,
    /// Objections to them, claim by claim, in id order.
    pub objections: Vec<Arc<Objection>>,
}

/// Bounds the work of one claims page when few claims match.
const MAX_CLAIMS_SCANNED: usize = 100_000;

impl State {
    /// A claim.
    pub fn claim(&self, id: &ClaimId) -> Result<Arc<Claim>, Refusal> {
        self.claims.claim(id).cloned()
    }

    /// One page of `village`'s claims in id order after `after`: only those in a status
    /// named `status` and of `household`, when given; at most `limit`.
    pub fn claims_page(
        &self,
        village: &IssuerId,
        status: Option<&str>,
        household: Option<&HouseholdId>,
        after: Option<&ClaimId>,
        limit: usize,
    ) -> ClaimsPage {
        use std::ops::Bound;
        let mut claims = Vec::new();
        let Some(ids) = self.claims.by_village.get(village) else {
            return ClaimsPage {
                claims,
                next_after: None,
            };
        };
        let start = after.map_or(Bound::Unbounded, |a| Bound::Excluded(a.clone()));
        let mut last = None;
        for (scanned, id) in ids.range((start, Bound::Unbounded)).enumerate() {
            if claims.len() == limit || scanned == MAX_CLAIMS_SCANNED {
                return ClaimsPage {
                    claims,
                    next_after: last,
                };
            }
            last = Some(id.clone());
            let Some(claim) = self.claims.claims.get(id) else {
                continue;
            };
            let wanted = status.is_none_or(|s| claim.status.name() == s)
                && household.is_none_or(|h| &claim.household == h);
            if wanted {
                claims.push(Arc::clone(claim));
            }
        }
        ClaimsPage {
            claims,
            next_after: None,
        }
    }

    /// A notice batch with its claims and their objections.
    pub fn notice(&self, id: &NoticeId) -> Result<NoticeView, Refusal> {
        let notice = Arc::clone(self.claims.notice(id)?);
        let claims: Vec<Arc<Claim>> = notice
            .claims
            .iter()
            .filter_map(|c| self.claims.claims.get(c).cloned())
            .collect();
        let objections = notice
            .claims
            .iter()
            .filter_map(|c| self.claims.objections_by_claim.get(c))
            .flat_map(|ids| ids.iter())
            .filter_map(|id| self.claims.objections.get(id).cloned())
            .collect();
        Ok(NoticeView {
            notice,
            claims,
            objections,
        })
    }

    /// The entry from which points come only through claims, if the bureau required them.
    pub fn claims_required_since(&self) -> Option<Sequence> {
        self.claims.required_since()
    }
}
