//! Refunds: part or all of what remains of a sale goes back from the shop to the household
//! that paid, to the same issuers in proportion to what the sale took of each, and into the
//! lots it came from with the expiries they had (the last taken first). Each refund names its
//! sale; the refunds of a sale never exceed it.

use imbl::OrdMap;

use super::super::journal::Effects;
use super::super::staged::{AccountChanges, TakenLot};
use super::super::{Context, State, authority};
use super::RedemptionKind;
use crate::ledger::{
    AccountId, IssuerId, OperationKind, Points, Posting, Refusal, Role, SaleRefusal, Sequence,
};

/// What the refunds of one sale gave back so far.
#[derive(Clone, Debug, Default)]
pub(in super::super) struct Refunded {
    /// In all.
    pub(super) total: Points,
    /// Per issuer.
    pub(super) per_issuer: OrdMap<IssuerId, Points>,
    /// Per lot the sale took, in the order it took them.
    pub(super) per_lot: Vec<Points>,
}

/// A refund checked to fit.
#[derive(Debug)]
pub(in super::super) struct RefundPlan {
    changes: AccountChanges,
    postings: Vec<Posting>,
    sale: Sequence,
    refunded: Refunded,
    arrears_paid: Points,
}

impl RefundPlan {
    pub(in super::super) fn commit(self, state: &mut State) -> Effects {
        self.changes.commit(&mut state.accounts);
        state.redemptions.refunded.insert(self.sale, self.refunded);
        Effects {
            postings: self.postings,
            arrears_paid: self.arrears_paid,
            refunds: Some(self.sale),
            ..Effects::default()
        }
    }
}

impl State {
    /// The points the refunds of the sale at `sale` gave back.
    pub fn refunded_of(&self, sale: Sequence) -> Points {
        self.redemptions
            .refunded
            .get(&sale)
            .map_or(Points::ZERO, |r| r.total)
    }
}

/// Splits `points` over `remaining` (per issuer, in issuer order) in proportion, by largest
/// remainder: each share is at most what remains of its issuer, and the shares sum to
/// `points` (which is at most their sum). Ties go to the issuer first in order.
fn split(remaining: &[(IssuerId, Points)], points: Points) -> Vec<(IssuerId, Points)> {
    let whole: u128 = remaining.iter().map(|(_, p)| u128::from(p.get())).sum();
    if whole == 0 {
        return Vec::new();
    }
    let x = u128::from(points.get());
    let mut shares: Vec<(usize, u128, u128)> = remaining
        .iter()
        .enumerate()
        .map(|(i, (_, part))| {
            let exact = u128::from(part.get()) * x;
            (i, exact / whole, exact % whole)
        })
        .collect();
    let given: u128 = shares.iter().map(|(_, share, _)| share).sum();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for i in order.into_iter().take((x - given) as usize) {
        shares[i].1 += 1;
    }
    shares
        .into_iter()
        .filter(|(_, share, _)| *share > 0)
        .map(|(i, share, _)| (remaining[i].0.clone(), Points(share as u64)))
        .collect()
}

/// Refunds `points` of the sale at `sale`: by a terminal or the manager of the sale's shop
/// within the refund window, or a bureau admin; never more than remains of it.
pub(super) fn refund(
    state: &State,
    ctx: &Context,
    sale: Sequence,
    points: Points,
) -> Result<RefundPlan, Refusal> {
    // Whether the role may refund at all comes before anything about the entry is told.
    authority::require_refunder(&ctx.role)?;
    let original = state.journal.entry(sale)?;
    if original.kind != OperationKind::Redemption(RedemptionKind::Redeem) {
        return Err(SaleRefusal::NotASale {
            sequence: sale.get(),
            kind: original.kind.name(),
        }
        .into());
    }
    if let Some(reversed_by) = original.reversed_by {
        return Err(Refusal::AlreadyReversed {
            sequence: sale.get(),
            reversed_by: reversed_by.get(),
        });
    }
    let not_a_sale = || SaleRefusal::NotASale {
        sequence: sale.get(),
        kind: original.kind.name(),
    };
    let shop = original
        .accounts
        .iter()
        .find_map(|a| match a {
            AccountId::Shop(shop) => Some(shop.clone()),
            _ => None,
        })
        .ok_or_else(not_a_sale)?;
    authority::may_refund(&ctx.role, &shop)?;
    state.settlement.require_open(
        crate::ledger::Period::containing(original.committed_at.get()),
        "refunding a sale",
    )?;
    if !matches!(ctx.role, Role::BureauAdmin) {
        super::require_within_refund_window(ctx, original)?;
    }
    let mut refunded = state
        .redemptions
        .refunded
        .get(&sale)
        .cloned()
        .unwrap_or_else(|| Refunded {
            per_lot: vec![Points::ZERO; original.lots_taken.len()],
            ..Refunded::default()
        });
    let sold: u64 = original.postings.iter().map(|p| p.points.get()).sum();
    let remaining_total = sold - refunded.total.get();
    if points.get() > remaining_total {
        return Err(SaleRefusal::RefundOverSale {
            sale: sale.get(),
            sold,
            remaining: remaining_total,
            requested: points.get(),
        }
        .into());
    }
    // What remains of each issuer's part, in issuer order.
    let mut parts: OrdMap<IssuerId, Points> = OrdMap::new();
    for posting in &original.postings {
        let part = parts.get(&posting.issuer).copied().unwrap_or(Points::ZERO);
        parts.insert(
            posting.issuer.clone(),
            Points(part.get() + posting.points.get()),
        );
    }
    let remaining: Vec<(IssuerId, Points)> = parts
        .iter()
        .map(|(issuer, part)| {
            let back = refunded.per_issuer.get(issuer).copied().unwrap_or_default();
            (issuer.clone(), Points(part.get() - back.get()))
        })
        .collect();
    let household = original
        .accounts
        .iter()
        .find(|a| matches!(a, AccountId::Household(_)))
        .cloned()
        .ok_or_else(not_a_sale)?;
    let mut staged = state.stage(ctx);
    let mut postings = Vec::new();
    let mut arrears_paid = Points::ZERO;
    for (issuer, share) in split(&remaining, points) {
        let posting = Posting {
            debit: AccountId::Shop(shop.clone()),
            credit: household.clone(),
            points: share,
            issuer: issuer.clone(),
        };
        // Back into the lots the sale took of this issuer, the last taken first.
        let mut left = share;
        let mut lots: Vec<TakenLot> = Vec::new();
        for (i, lot) in original.lots_taken.iter().enumerate().rev() {
            if left == Points::ZERO {
                break;
            }
            if lot.issuer != issuer {
                continue;
            }
            let open = lot.points.get() - refunded.per_lot[i].get();
            let back = open.min(left.get());
            if back > 0 {
                refunded.per_lot[i] = Points(refunded.per_lot[i].get() + back);
                left = Points(left.get() - back);
                lots.push(TakenLot {
                    points: Points(back),
                    ..lot.clone()
                });
            }
        }
        staged.debit(&posting, "the shop's points to refund")?;
        // Like every credit, a refund pays the household's arrears first: that part goes
        // back to the issuer whose points it is, not to the household.
        let AccountId::Household(household_id) = &household else {
            return Err(not_a_sale().into());
        };
        let owed = staged.household_mut(household_id)?;
        let paid = owed.arrears.min(share);
        owed.arrears = Points(owed.arrears.get() - paid.get());
        arrears_paid = Points(arrears_paid.get() + paid.get());
        if paid > Points::ZERO {
            let to_issuer = Posting {
                credit: AccountId::Issuer(issuer.clone()),
                points: paid,
                ..posting.clone()
            };
            staged.credit(&to_issuer, "the issuer's budget")?;
            postings.push(to_issuer);
        }
        let to_household = Points(share.get() - paid.get());
        if to_household > Points::ZERO {
            let posting = Posting {
                points: to_household,
                ..posting.clone()
            };
            // The household's part goes into the lots, the last taken first.
            staged.credit_lots(&posting, &lots, "the refund's credit")?;
            postings.push(posting);
        }
        let back = refunded
            .per_issuer
            .get(&issuer)
            .copied()
            .unwrap_or_default();
        refunded
            .per_issuer
            .insert(issuer, Points(back.get() + share.get()));
    }
    refunded.total = Points(refunded.total.get() + points.get());
    Ok(RefundPlan {
        changes: staged.into_changes(),
        postings,
        sale,
        refunded,
        arrears_paid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer(id: &str) -> IssuerId {
        IssuerId::parse("issuer_id", id).unwrap()
    }

    #[test]
    fn a_split_is_proportional_never_past_a_part_and_sums_to_the_refund() {
        let parts = vec![
            (issuer("a"), Points(30)),
            (issuer("b"), Points(10)),
            (issuer("c"), Points(1)),
        ];
        for points in 0..=41 {
            let shares = split(&parts, Points(points));
            let sum: u64 = shares.iter().map(|(_, p)| p.get()).sum();
            assert_eq!(sum, points);
            for (issuer, share) in &shares {
                let part = parts.iter().find(|(i, _)| i == issuer).unwrap().1;
                assert!(*share <= part, "{issuer}: {share} of {part}");
            }
        }
        assert_eq!(
            split(&parts, Points(20)),
            vec![(issuer("a"), Points(15)), (issuer("b"), Points(5))]
        );
        assert_eq!(split(&parts, Points(41)).len(), 3);
    }
}
