//! A transaction's view of the accounts: reads see its own staged changes, every change is
//! checked (no balance below zero or past `u64::MAX`, the bureau fund within what it may
//! back), and nothing touches the real accounts until the plan commits the staged copies.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::accounts::{Accounts, Household, Issuer, Shop};
use super::policy::{Policies, lot_expires_on};
use crate::ledger::{
    AccountId, CivilDate, HouseholdId, IssuerId, MAX_BACKED_POINTS, Points, Posting, Refusal,
    ShopId,
};

/// Updated copies of the accounts one transaction changes; committing them cannot fail.
#[derive(Debug, Default)]
pub(super) struct AccountChanges {
    bureau_fund: Option<i128>,
    issuers: BTreeMap<IssuerId, Issuer>,
    households: BTreeMap<HouseholdId, Household>,
    shops: BTreeMap<ShopId, Shop>,
}

impl AccountChanges {
    /// Writes the staged copies into `accounts`.
    pub(super) fn commit(self, accounts: &mut Accounts) {
        if let Some(balance) = self.bureau_fund {
            accounts.bureau_fund = balance;
        }
        for (id, issuer) in self.issuers {
            accounts.issuers.insert(id, Arc::new(issuer));
        }
        for (id, household) in self.households {
            accounts
                .by_village
                .entry(household.village.clone())
                .or_default()
                .insert(id.clone());
            accounts.households.insert(id, Arc::new(household));
        }
        for (id, shop) in self.shops {
            accounts.shops.insert(id, Arc::new(shop));
        }
    }
}

/// Points taken from one lot of a household, with the lot's expiry: recorded in the entry, so
/// its reversal returns them with the same expiry (a refund never renews points).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TakenLot {
    /// The household.
    pub household: HouseholdId,
    /// Whose points.
    pub issuer: IssuerId,
    /// The lot's expiry; `None`: never.
    pub expires_on: Option<CivilDate>,
    /// How many.
    pub points: Points,
}

/// The accounts as one transaction would leave them: reads see its staged changes, and every
/// change is checked. Nothing touches the real accounts until the plan commits.
pub(super) struct Staged<'a> {
    base: &'a Accounts,
    changes: AccountChanges,
    /// The commit date: lots expired by it are not spendable.
    today: CivilDate,
    /// The village policies, which give a credit's lot its expiry.
    policies: &'a Policies,
    /// What household debits took, lot by lot.
    taken: Vec<TakenLot>,
    /// A reversal: household debits may take back expired points too.
    reversing: bool,
}

impl<'a> Staged<'a> {
    pub(super) fn new(base: &'a Accounts, today: CivilDate, policies: &'a Policies) -> Self {
        Self {
            base,
            changes: AccountChanges::default(),
            today,
            policies,
            taken: Vec::new(),
            reversing: false,
        }
    }

    /// How many lots household debits have taken so far.
    pub(super) fn taken_len(&self) -> usize {
        self.taken.len()
    }

    /// The lots household debits took from the `from`-th on.
    pub(super) fn taken_since(&self, from: usize) -> Vec<TakenLot> {
        self.taken
            .get(from..)
            .map(<[TakenLot]>::to_vec)
            .unwrap_or_default()
    }

    /// Household debits take only spendable points (`false`, the default) or expired ones too
    /// (`true`: a reversal's staging).
    pub(super) fn set_reversing(&mut self, on: bool) {
        self.reversing = on;
    }

    /// Credits a household the posting's points into lots with the expiries `lots` give (of
    /// the posting's household and issuer, in order); any rest gets today's expiry.
    pub(super) fn credit_lots(
        &mut self,
        posting: &Posting,
        lots: &[TakenLot],
        overflow: &'static str,
    ) -> Result<(), Refusal> {
        let AccountId::Household(id) = &posting.credit else {
            return self.credit(posting, overflow);
        };
        let mut left = posting.points;
        let matching = lots
            .iter()
            .filter(|l| &l.household == id && l.issuer == posting.issuer);
        for lot in matching {
            if left == Points::ZERO {
                break;
            }
            let points = lot.points.min(left);
            left = Points(left.get() - points.get());
            self.household_mut(id)?
                .add_lot(&posting.issuer, points, lot.expires_on, overflow)?;
        }
        if left > Points::ZERO {
            let rest = Posting {
                points: left,
                ..posting.clone()
            };
            self.credit(&rest, overflow)?;
        }
        Ok(())
    }

    /// The staged changes and what household debits took, ready to commit.
    pub(super) fn into_changes_and_taken(self) -> (AccountChanges, Vec<TakenLot>) {
        (self.changes, self.taken)
    }

    /// When a credit to a household of `village` today expires: by the village's policy in
    /// force today; never without one.
    fn lot_expiry(&self, village: &IssuerId) -> Option<CivilDate> {
        let policy = self.policies.in_force(village, self.today)?;
        lot_expires_on(policy.policy.lot_expiry, self.today)
    }

    /// A new issuer (its id checked to be free by the caller).
    pub(super) fn add_issuer(&mut self, id: IssuerId, issuer: Issuer) {
        self.changes.issuers.insert(id, issuer);
    }

    /// A new household (its id checked to be free by the caller).
    pub(super) fn add_household(&mut self, id: HouseholdId, household: Household) {
        self.changes.households.insert(id, household);
    }

    /// A new shop (its id checked to be free by the caller).
    pub(super) fn add_shop(&mut self, id: ShopId, shop: Shop) {
        self.changes.shops.insert(id, shop);
    }

    pub(super) fn issuer_mut(&mut self, id: &IssuerId) -> Result<&mut Issuer, Refusal> {
        if !self.changes.issuers.contains_key(id) {
            let copy = self.base.issuer(id)?.clone();
            self.changes.issuers.insert(id.clone(), copy);
        }
        self.changes
            .issuers
            .get_mut(id)
            .ok_or_else(|| Refusal::UnknownIssuer(id.clone()))
    }

    pub(super) fn household_mut(&mut self, id: &HouseholdId) -> Result<&mut Household, Refusal> {
        if !self.changes.households.contains_key(id) {
            let copy = self.base.household(id)?.clone();
            self.changes.households.insert(id.clone(), copy);
        }
        self.changes
            .households
            .get_mut(id)
            .ok_or_else(|| Refusal::UnknownHousehold(id.clone()))
    }

    fn shop_mut(&mut self, id: &ShopId) -> Result<&mut Shop, Refusal> {
        if !self.changes.shops.contains_key(id) {
            let copy = self.base.shop(id)?.clone();
            self.changes.shops.insert(id.clone(), copy);
        }
        self.changes
            .shops
            .get_mut(id)
            .ok_or_else(|| Refusal::UnknownShop(id.clone()))
    }

    fn bureau_fund(&self) -> i128 {
        self.changes.bureau_fund.unwrap_or(self.base.bureau_fund)
    }

    /// Takes the posting's points from its debit account; refuses (as `what`) if the account
    /// holds fewer, for households and shops fewer of the posting's issuer.
    pub(super) fn debit(&mut self, posting: &Posting, what: &'static str) -> Result<(), Refusal> {
        let points = posting.points;
        let short = |available: Points| Refusal::Insufficient {
            what,
            account: posting.debit.to_string(),
            available: available.get(),
            requested: points.get(),
        };
        match &posting.debit {
            AccountId::BureauFund => {
                let balance = self.bureau_fund() - points.wide();
                if -balance > i128::from(MAX_BACKED_POINTS) {
                    return Err(Refusal::Overflow(
                        "the points the bureau fund backs (at most 2^63 - 1 in all)",
                    ));
                }
                self.changes.bureau_fund = Some(balance);
            }
            AccountId::Issuer(id) => {
                let issuer = self.issuer_mut(id)?;
                issuer.balance = issuer
                    .balance
                    .checked_sub(points)
                    .ok_or_else(|| short(issuer.balance))?;
            }
            AccountId::Household(id) => {
                let (today, reversing) = (self.today, self.reversing);
                let taken = self.household_mut(id)?.take(
                    &posting.issuer,
                    points,
                    what,
                    &posting.debit,
                    today,
                    reversing,
                )?;
                self.taken
                    .extend(taken.into_iter().map(|(expires_on, points)| TakenLot {
                        household: id.clone(),
                        issuer: posting.issuer.clone(),
                        expires_on,
                        points,
                    }));
            }
            AccountId::Shop(id) => {
                let shop = self.shop_mut(id)?;
                let held = shop.holding(&posting.issuer);
                if held < points {
                    return Err(Refusal::Insufficient {
                        what,
                        account: format!(
                            "{} (points from issuer {})",
                            posting.debit, posting.issuer
                        ),
                        available: held.get(),
                        requested: points.get(),
                    });
                }
                shop.balance = Points(shop.balance.get() - points.get());
                match Points(held.get() - points.get()) {
                    Points::ZERO => shop.holdings.remove(&posting.issuer),
                    left => shop.holdings.insert(posting.issuer.clone(), left),
                };
            }
        }
        Ok(())
    }

    /// Gives the posting's points to its credit account; refuses with `overflow` if a balance
    /// would pass `u64::MAX`.
    pub(super) fn credit(
        &mut self,
        posting: &Posting,
        overflow: &'static str,
    ) -> Result<(), Refusal> {
        let points = posting.points;
        match &posting.credit {
            AccountId::BureauFund => {
                self.changes.bureau_fund = Some(self.bureau_fund() + points.wide());
            }
            AccountId::Issuer(id) => {
                let issuer = self.issuer_mut(id)?;
                issuer.balance = issuer
                    .balance
                    .checked_add(points)
                    .ok_or(Refusal::Overflow(overflow))?;
            }
            AccountId::Household(id) => {
                let village = self.household_mut(id)?.village.clone();
                let expires_on = self.lot_expiry(&village);
                self.household_mut(id)?
                    .add_lot(&posting.issuer, points, expires_on, overflow)?;
            }
            AccountId::Shop(id) => {
                let shop = self.shop_mut(id)?;
                shop.balance = shop
                    .balance
                    .checked_add(points)
                    .ok_or(Refusal::Overflow(overflow))?;
                let held = shop.holding(&posting.issuer);
                shop.holdings
                    .insert(posting.issuer.clone(), Points(held.get() + points.get()));
            }
        }
        Ok(())
    }

    /// Credits a household `points` of `issuer` out of the issuer's budget, paying the
    /// household's arrears first: the part that pays them stays with the issuer (no posting
    /// for it). The posting of the rest, if any, and the arrears paid.
    pub(super) fn credit_household(
        &mut self,
        issuer: &IssuerId,
        household: &HouseholdId,
        points: Points,
    ) -> Result<(Option<Posting>, Points), Refusal> {
        let staged = self.household_mut(household)?;
        let paid = staged.arrears.min(points);
        staged.arrears = Points(staged.arrears.get() - paid.get());
        let credited = Points(points.get() - paid.get());
        if credited == Points::ZERO {
            return Ok((None, paid));
        }
        let posting = Posting {
            debit: AccountId::Issuer(issuer.clone()),
            credit: AccountId::Household(household.clone()),
            points: credited,
            issuer: issuer.clone(),
        };
        self.debit(&posting, "budget")?;
        self.credit(&posting, "the household's balance")?;
        Ok((Some(posting), paid))
    }

    /// Deducts `points` from a household for `issuer`: what its balance holds (the issuer's
    /// own lots first, each part back to the issuer that backed it), and the shortfall as
    /// arrears. The postings.
    pub(super) fn deduct_household(
        &mut self,
        issuer: &IssuerId,
        household: &HouseholdId,
        points: Points,
    ) -> Result<Vec<Posting>, Refusal> {
        let today = self.today;
        let staged = self.household_mut(household)?;
        let taken = points.min(staged.spendable(today));
        let shortfall = Points(points.get() - taken.get());
        staged.arrears = staged
            .arrears
            .checked_add(shortfall)
            .ok_or(Refusal::Overflow("a household's arrears"))?;
        let plan = staged.plan_take(taken, Some(issuer), today)?;
        let postings: Vec<Posting> = plan
            .into_iter()
            .map(|(lot_issuer, points)| Posting {
                debit: AccountId::Household(household.clone()),
                credit: AccountId::Issuer(lot_issuer.clone()),
                points,
                issuer: lot_issuer,
            })
            .collect();
        for posting in &postings {
            self.debit(posting, "spendable balance")?;
            self.credit(posting, "the issuer's budget")?;
        }
        Ok(postings)
    }

    /// Moves a household's lots expired by `up_to` to the bureau fund: one posting per issuer.
    pub(super) fn expire_household(
        &mut self,
        household: &HouseholdId,
        up_to: CivilDate,
    ) -> Result<Vec<Posting>, Refusal> {
        let removed = self.household_mut(household)?.remove_expired(up_to);
        let mut postings = Vec::with_capacity(removed.len());
        for (issuer, points) in removed {
            let posting = Posting {
                debit: AccountId::Household(household.clone()),
                credit: AccountId::BureauFund,
                points,
                issuer,
            };
            self.credit(&posting, "the bureau fund")?;
            postings.push(posting);
        }
        Ok(postings)
    }

    /// The staged changes, ready to commit.
    pub(super) fn into_changes(self) -> AccountChanges {
        self.changes
    }
}
