//! Accounts and lots: the balances of the bureau fund, the issuers, the households and the
//! shops, and the lots that say whose points a household holds.
//!
//! The maps are persistent (`imbl`), so cloning the state for a published snapshot shares
//! everything. A family never mutates accounts directly: it stages changes on a
//! [`Staged`](super::staged::Staged) view (every arithmetic step checked), and its plan
//! commits the staged copies, which cannot fail.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use imbl::OrdMap;

mod household;

use super::staged::Staged;
use crate::ledger::{
    AccountId, CivilDate, HouseholdId, IssuerId, IssuerKind, Period, Points, Program, Refusal,
    ShopId,
};

/// Points of one issuer a household holds, spendable until `expires_on` (the first date they
/// no longer are; `None`: they never expire).
#[derive(Clone, Debug)]
struct Lot {
    issuer: IssuerId,
    expires_on: Option<CivilDate>,
    remaining: Points,
}

impl Lot {
    fn live_on(&self, today: CivilDate) -> bool {
        self.expires_on.is_none_or(|e| today < e)
    }
}

/// A household's lot, as views show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LotView {
    /// Whose points.
    pub issuer: IssuerId,
    /// The first date they are no longer spendable; `None`: never.
    pub expires_on: Option<CivilDate>,
    /// Points left.
    pub points: Points,
}

/// A village or program issuer: its balance is its unspent budget.
#[derive(Clone, Debug)]
pub(super) struct Issuer {
    pub(super) kind: IssuerKind,
    pub(super) name: String,
    pub(super) balance: Points,
    /// A program issuer's bureau program, if it awards for one.
    pub(super) program: Option<Program>,
}

/// A household of a village.
#[derive(Clone, Debug)]
pub(super) struct Household {
    pub(super) village: IssuerId,
    /// At most one per issuer and expiry date, earliest-expiring first (lots that never expire
    /// last, in the order they were first credited); spending takes them in that order.
    lots: VecDeque<Lot>,
    balance: Points,
    /// Points a posted deduction could not take (the balance was short), which the
    /// household's next credits pay first.
    pub(super) arrears: Points,
    earned_score: i64,
    period_scores: BTreeMap<Period, i64>,
    /// Points deducted per month (posted deductions, less reversed ones): the black board.
    deducted: BTreeMap<Period, i64>,
    /// Resident keys registered for it and not revoked; at most
    /// [`MAX_RESIDENT_KEYS`](crate::ledger::MAX_RESIDENT_KEYS).
    pub(super) active_resident_keys: usize,
}

/// A partner shop.
#[derive(Clone, Debug)]
pub(super) struct Shop {
    name: String,
    pub(super) balance: Points,
    pub(super) holdings: BTreeMap<IssuerId, Points>,
}

/// A read-only view of one account, per kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountView {
    /// The bureau fund: minus every point it backs.
    BureauFund {
        /// Never below -(2^63 - 1): allocations past
        /// [`MAX_BACKED_POINTS`](crate::ledger::MAX_BACKED_POINTS) are refused.
        balance: i64,
    },
    /// A village or program issuer.
    Issuer {
        /// The issuer.
        id: IssuerId,
        /// Village or program.
        kind: IssuerKind,
        /// Display name.
        name: String,
        /// Unspent budget.
        balance: Points,
        /// A program issuer's bureau program, if it awards for one.
        program: Option<Program>,
    },
    /// A household.
    Household {
        /// The household.
        id: HouseholdId,
        /// Its village.
        village: IssuerId,
        /// Points held: every lot, including any past its expiry that no expiry run has moved
        /// yet.
        balance: Points,
        /// Points spendable on the date of the last entry: the lots not past their expiry.
        spendable: Points,
        /// Points owed from deductions the balance could not cover; the next credits pay
        /// them first.
        arrears: Points,
        /// Lifetime earned score.
        earned_score: i64,
        /// Earned score per month.
        period_scores: Vec<(Period, i64)>,
        /// Points held per issuing issuer.
        holdings: Vec<(IssuerId, Points)>,
        /// The lots, earliest-expiring first.
        lots: Vec<LotView>,
    },
    /// A partner shop.
    Shop {
        /// The shop.
        id: ShopId,
        /// Display name.
        name: String,
        /// Points taken in redemptions and not yet settled.
        balance: Points,
        /// Points held per issuing issuer.
        holdings: Vec<(IssuerId, Points)>,
    },
}

impl AccountView {
    /// The account viewed.
    pub fn account(&self) -> AccountId {
        match self {
            AccountView::BureauFund { .. } => AccountId::BureauFund,
            AccountView::Issuer { id, .. } => AccountId::Issuer(id.clone()),
            AccountView::Household { id, .. } => AccountId::Household(id.clone()),
            AccountView::Shop { id, .. } => AccountId::Shop(id.clone()),
        }
    }

    /// The balance; negative only for the bureau fund, always within ±(2^63 - 1).
    pub fn balance(&self) -> i64 {
        let exact = |p: &Points| i64::try_from(p.get()).unwrap_or(i64::MAX);
        match self {
            AccountView::BureauFund { balance } => *balance,
            AccountView::Issuer { balance, .. }
            | AccountView::Household { balance, .. }
            | AccountView::Shop { balance, .. } => exact(balance),
        }
    }
}

/// Every account's balance.
#[derive(Clone, Debug, Default)]
pub(super) struct Accounts {
    /// Minus the points the bureau has backed.
    pub(super) bureau_fund: i128,
    pub(super) issuers: OrdMap<IssuerId, Arc<Issuer>>,
    pub(super) households: OrdMap<HouseholdId, Arc<Household>>,
    /// Each village's households (a household never changes village).
    pub(super) by_village: OrdMap<IssuerId, imbl::OrdSet<HouseholdId>>,
    pub(super) shops: OrdMap<ShopId, Arc<Shop>>,
}

impl Accounts {
    pub(super) fn issuer(&self, id: &IssuerId) -> Result<&Issuer, Refusal> {
        self.issuers
            .get(id)
            .map(Arc::as_ref)
            .ok_or_else(|| Refusal::UnknownIssuer(id.clone()))
    }

    pub(super) fn household(&self, id: &HouseholdId) -> Result<&Household, Refusal> {
        self.households
            .get(id)
            .map(Arc::as_ref)
            .ok_or_else(|| Refusal::UnknownHousehold(id.clone()))
    }

    pub(super) fn shop(&self, id: &ShopId) -> Result<&Shop, Refusal> {
        self.shops
            .get(id)
            .map(Arc::as_ref)
            .ok_or_else(|| Refusal::UnknownShop(id.clone()))
    }

    pub(super) fn has_issuer(&self, id: &IssuerId) -> bool {
        self.issuers.contains_key(id)
    }

    pub(super) fn has_household(&self, id: &HouseholdId) -> bool {
        self.households.contains_key(id)
    }

    pub(super) fn has_shop(&self, id: &ShopId) -> bool {
        self.shops.contains_key(id)
    }

    /// A village's households, in id order.
    pub(super) fn households_of(
        &self,
        village: &IssuerId,
    ) -> impl Iterator<Item = (&HouseholdId, &Household)> {
        self.by_village
            .get(village)
            .into_iter()
            .flat_map(|ids| ids.iter())
            .filter_map(|id| self.households.get(id).map(|h| (id, h.as_ref())))
    }

    /// What every household holds of `issuer`'s points (the issuer's outstanding liability).
    pub(super) fn held_of_issuer(&self, issuer: &IssuerId) -> Points {
        Points(
            self.households
                .values()
                .map(|h| h.held_of(issuer).get())
                .fold(0u64, u64::saturating_add),
        )
    }

    /// The village of a household, if it exists.
    pub(super) fn village_of(&self, household: &HouseholdId) -> Option<&IssuerId> {
        self.households.get(household).map(|h| &h.village)
    }

    /// The bureau program a program issuer awards for, if any (`UNKNOWN_ISSUER` if `id` is
    /// not an issuer).
    pub(super) fn issuer_program(&self, id: &IssuerId) -> Result<Option<Program>, Refusal> {
        Ok(self.issuer(id)?.program)
    }

    /// Refuses unless `id` is an issuer of kind `expected`.
    pub(super) fn expect_issuer_kind(
        &self,
        id: &IssuerId,
        expected: IssuerKind,
    ) -> Result<(), Refusal> {
        let issuer = self.issuer(id)?;
        if issuer.kind != expected {
            return Err(Refusal::WrongIssuerKind {
                issuer: id.clone(),
                expected: expected.name(),
                found: issuer.kind.name(),
            });
        }
        Ok(())
    }

    /// Every account that exists, in a stable order.
    pub(super) fn ids(&self) -> Vec<AccountId> {
        std::iter::once(AccountId::BureauFund)
            .chain(self.issuers.keys().cloned().map(AccountId::Issuer))
            .chain(self.households.keys().cloned().map(AccountId::Household))
            .chain(self.shops.keys().cloned().map(AccountId::Shop))
            .collect()
    }

    /// Sum of all balances including the bureau fund; always 0 (points are conserved).
    pub(super) fn total(&self) -> i128 {
        self.bureau_fund
            + self
                .issuers
                .values()
                .map(|i| i.balance.wide())
                .sum::<i128>()
            + self
                .households
                .values()
                .map(|h| h.balance.wide())
                .sum::<i128>()
            + self.shops.values().map(|s| s.balance.wide()).sum::<i128>()
    }

    /// A view of one account.
    pub(super) fn view(
        &self,
        account: &AccountId,
        today: CivilDate,
    ) -> Result<AccountView, Refusal> {
        Ok(match account {
            AccountId::BureauFund => AccountView::BureauFund {
                balance: i64::try_from(self.bureau_fund)
                    .map_err(|_| Refusal::Overflow("a balance beyond 2^63 - 1"))?,
            },
            AccountId::Issuer(id) => {
                let issuer = self.issuer(id)?;
                AccountView::Issuer {
                    id: id.clone(),
                    kind: issuer.kind,
                    name: issuer.name.clone(),
                    balance: issuer.balance,
                    program: issuer.program,
                }
            }
            AccountId::Household(id) => {
                let household = self.household(id)?;
                let mut holdings: BTreeMap<IssuerId, Points> = BTreeMap::new();
                for lot in &household.lots {
                    let held = holdings.entry(lot.issuer.clone()).or_default();
                    *held = Points(held.get() + lot.remaining.get());
                }
                AccountView::Household {
                    id: id.clone(),
                    village: household.village.clone(),
                    balance: household.balance,
                    spendable: household.spendable(today),
                    arrears: household.arrears,
                    earned_score: household.earned_score,
                    period_scores: household
                        .period_scores
                        .iter()
                        .map(|(p, s)| (*p, *s))
                        .collect(),
                    holdings: holdings.into_iter().collect(),
                    lots: household
                        .lots
                        .iter()
                        .map(|l| LotView {
                            issuer: l.issuer.clone(),
                            expires_on: l.expires_on,
                            points: l.remaining,
                        })
                        .collect(),
                }
            }
            AccountId::Shop(id) => {
                let shop = self.shop(id)?;
                AccountView::Shop {
                    id: id.clone(),
                    name: shop.name.clone(),
                    balance: shop.balance,
                    holdings: shop.holdings.iter().map(|(i, p)| (i.clone(), *p)).collect(),
                }
            }
        })
    }

    /// Sets the bureau fund's balance, as if allocations had backed that much.
    #[cfg(test)]
    pub(super) fn set_bureau_fund(&mut self, balance: i128) {
        self.bureau_fund = balance;
    }

    /// How many lots a household holds.
    #[cfg(test)]
    pub(super) fn lot_count(&self, household: &HouseholdId) -> usize {
        self.households.get(household).map_or(0, |h| h.lots.len())
    }

    /// A staging view on these accounts for one transaction's checks on `today`, crediting
    /// lots with the expiry `policies` give.
    pub(super) fn stage<'a>(
        &'a self,
        today: CivilDate,
        policies: &'a super::policy::Policies,
    ) -> Staged<'a> {
        Staged::new(self, today, policies)
    }
}

impl Issuer {
    pub(super) fn new(kind: IssuerKind, name: String, program: Option<Program>) -> Self {
        Self {
            kind,
            name,
            balance: Points::ZERO,
            program,
        }
    }
}

impl Shop {
    pub(super) fn new(name: String) -> Self {
        Self {
            name,
            balance: Points::ZERO,
            holdings: BTreeMap::new(),
        }
    }

    /// Points of `issuer` the shop holds.
    pub(super) fn holding(&self, issuer: &IssuerId) -> Points {
        self.holdings.get(issuer).copied().unwrap_or_default()
    }
}

impl super::State {
    /// The bureau program issuer `id` awards for, if it is an issuer tied to one.
    pub fn issuer_program_of(&self, id: &IssuerId) -> Option<Program> {
        self.accounts
            .issuers
            .get(id)
            .and_then(|issuer| issuer.program)
    }
}
