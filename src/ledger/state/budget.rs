//! The budget family: the bureau fund backs points and allocates them to an issuer.

use super::authority;
use super::journal::Effects;
use super::staged::AccountChanges;
use super::{Context, State};
use crate::ledger::{AccountId, IssuerId, Points, Posting, Refusal};

/// An allocation checked to fit.
#[derive(Debug)]
pub(super) struct Plan {
    changes: AccountChanges,
    posting: Posting,
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        self.changes.commit(&mut state.accounts);
        let issuer = self.posting.issuer.clone();
        Effects {
            postings: vec![self.posting],
            issuer: Some(issuer),
            ..Effects::default()
        }
    }
}

/// Bureau fund → issuer: only a bureau admin; the fund backs at most
/// [`MAX_BACKED_POINTS`](crate::ledger::MAX_BACKED_POINTS) in all.
pub(super) fn allocate(
    state: &State,
    ctx: &Context,
    issuer: &IssuerId,
    points: Points,
) -> Result<Plan, Refusal> {
    authority::require_admin(&ctx.role, "allocating budget")?;
    state.accounts.issuer(issuer)?;
    let posting = Posting {
        debit: AccountId::BureauFund,
        credit: AccountId::Issuer(issuer.clone()),
        points,
        issuer: issuer.clone(),
    };
    let mut staged = state.accounts.stage();
    staged.credit(&posting, "the issuer's budget")?;
    staged.debit(&posting, "the bureau fund")?;
    Ok(Plan {
        changes: staged.into_changes(),
        posting,
    })
}
