//! A household's account: its lots (spent earliest-expiring first), its balance and arrears,
//! its scores and the black board's deductions.

use super::*;

impl Household {
    pub(in crate::ledger::state) fn new(village: IssuerId, active_resident_keys: usize) -> Self {
        Self {
            village,
            lots: VecDeque::new(),
            balance: Points::ZERO,
            arrears: Points::ZERO,
            earned_score: 0,
            period_scores: BTreeMap::new(),
            deducted: BTreeMap::new(),
            active_resident_keys,
        }
    }

    /// Adds `change` to the lifetime score and the score of `period`, saturating.
    pub(in crate::ledger::state) fn add_score(&mut self, period: Period, change: i128) {
        let change = i64::try_from(change).unwrap_or(if change < 0 { i64::MIN } else { i64::MAX });
        self.earned_score = self.earned_score.saturating_add(change);
        let score = self.period_scores.entry(period).or_default();
        *score = score.saturating_add(change);
    }

    /// Records `points` deducted in `period` (negative: a reversed deduction), saturating.
    pub(in crate::ledger::state) fn add_deducted(&mut self, period: Period, points: i128) {
        let points = i64::try_from(points).unwrap_or(if points < 0 { i64::MIN } else { i64::MAX });
        let deducted = self.deducted.entry(period).or_default();
        *deducted = deducted.saturating_add(points);
    }

    /// The earned score and the points deducted over the months `within` selects.
    pub(in crate::ledger::state) fn score_and_deducted(
        &self,
        within: impl Fn(Period) -> bool,
    ) -> (i64, i64) {
        let sum = |months: &BTreeMap<Period, i64>| {
            months
                .iter()
                .filter(|(p, _)| within(**p))
                .fold(0i64, |total, (_, v)| total.saturating_add(*v))
        };
        (sum(&self.period_scores), sum(&self.deducted))
    }

    /// The points spendable on `today`: those of lots that have not expired.
    pub(in crate::ledger::state) fn spendable(&self, today: CivilDate) -> Points {
        Points(
            self.lots
                .iter()
                .filter(|l| l.live_on(today))
                .map(|l| l.remaining.get())
                .sum(),
        )
    }

    /// Which issuers' points spending `points` on `today` would take: unexpired lots of
    /// `prefer` first, then the earliest-expiring. Refuses if the spendable balance is short.
    pub(in crate::ledger::state) fn plan_take(
        &self,
        points: Points,
        prefer: Option<&IssuerId>,
        today: CivilDate,
    ) -> Result<Vec<(IssuerId, Points)>, Refusal> {
        let spendable = self.spendable(today);
        if spendable < points {
            return Err(Refusal::Insufficient {
                what: "spendable balance",
                account: "the household".into(),
                available: spendable.get(),
                requested: points.get(),
            });
        }
        let mut plan: Vec<(IssuerId, Points)> = Vec::new();
        let mut left = points;
        let live = self.lots.iter().filter(|l| l.live_on(today));
        let preferred = live.clone().filter(|l| Some(&l.issuer) == prefer);
        let others = live.filter(|l| Some(&l.issuer) != prefer);
        for lot in preferred.chain(others) {
            if left == Points::ZERO {
                break;
            }
            let take = lot.remaining.min(left);
            left = Points(left.get() - take.get());
            match plan.iter_mut().find(|(i, _)| *i == lot.issuer) {
                Some((_, p)) => *p = Points(p.get() + take.get()),
                None => plan.push((lot.issuer.clone(), take)),
            }
        }
        Ok(plan)
    }

    /// Credits `points` of `issuer` expiring on `expires_on`: into the household's lot of that
    /// issuer and expiry if it holds one (lots merge, so a household holds at most one lot per
    /// issuer and expiry date, and every balance operation is bounded by their number), else
    /// into a new lot at its place in expiry order.
    pub(in crate::ledger::state) fn add_lot(
        &mut self,
        issuer: &IssuerId,
        points: Points,
        expires_on: Option<CivilDate>,
        overflow: &'static str,
    ) -> Result<(), Refusal> {
        self.balance = self
            .balance
            .checked_add(points)
            .ok_or(Refusal::Overflow(overflow))?;
        let same = |lot: &&mut Lot| &lot.issuer == issuer && lot.expires_on == expires_on;
        match self.lots.iter_mut().find(same) {
            Some(lot) => lot.remaining = Points(lot.remaining.get() + points.get()),
            None => {
                // After every lot that expires no later (never-expiring ones sort last).
                let later = |e: Option<CivilDate>| match (e, expires_on) {
                    (None, None) | (Some(_), None) => false,
                    (None, Some(_)) => true,
                    (Some(e), Some(new)) => e > new,
                };
                let at = self
                    .lots
                    .iter()
                    .position(|l| later(l.expires_on))
                    .unwrap_or(self.lots.len());
                self.lots.insert(
                    at,
                    Lot {
                        issuer: issuer.clone(),
                        expires_on,
                        remaining: points,
                    },
                );
            }
        }
        Ok(())
    }

    /// Points of `issuer` the household can spend on `today`.
    pub(in crate::ledger::state) fn live_of(&self, issuer: &IssuerId, today: CivilDate) -> Points {
        Points(
            self.lots
                .iter()
                .filter(|l| &l.issuer == issuer && l.live_on(today))
                .map(|l| l.remaining.get())
                .sum(),
        )
    }

    /// Points of `issuer` the household holds, expired or not.
    pub(in crate::ledger::state) fn held_of(&self, issuer: &IssuerId) -> Points {
        Points(
            self.lots
                .iter()
                .filter(|l| &l.issuer == issuer)
                .map(|l| l.remaining.get())
                .sum(),
        )
    }

    /// Whether the household holds a lot that expired on or before `up_to` (lots are in
    /// expiry order, so the first one tells).
    pub(in crate::ledger::state) fn has_expired(&self, up_to: CivilDate) -> bool {
        self.lots
            .front()
            .is_some_and(|l| l.expires_on.is_some_and(|e| e <= up_to))
    }

    /// Removes what is left of the lots that expired on or before `up_to`: the points per
    /// issuer, in lot order.
    pub(in crate::ledger::state) fn remove_expired(
        &mut self,
        up_to: CivilDate,
    ) -> Vec<(IssuerId, Points)> {
        let mut removed: Vec<(IssuerId, Points)> = Vec::new();
        for lot in self
            .lots
            .iter()
            .filter(|l| l.expires_on.is_some_and(|e| e <= up_to))
        {
            match removed.iter_mut().find(|(i, _)| *i == lot.issuer) {
                Some((_, p)) => *p = Points(p.get() + lot.remaining.get()),
                None => removed.push((lot.issuer.clone(), lot.remaining)),
            }
        }
        self.lots.retain(|l| l.expires_on.is_none_or(|e| e > up_to));
        let gone: u64 = removed.iter().map(|(_, p)| p.get()).sum();
        self.balance = Points(self.balance.get().saturating_sub(gone));
        removed
    }

    /// Takes `points` of `issuer` spendable on `today` (or, with `expired_too`, also from
    /// lots past their expiry: a reversal takes back what it reverses), earliest-expiring lots
    /// of that issuer first; refuses (as `what`) if the household holds fewer. What it took,
    /// by expiry.
    pub(in crate::ledger::state) fn take(
        &mut self,
        issuer: &IssuerId,
        points: Points,
        what: &'static str,
        account: &AccountId,
        today: CivilDate,
        expired_too: bool,
    ) -> Result<Vec<(Option<CivilDate>, Points)>, Refusal> {
        let usable = |l: &Lot| &l.issuer == issuer && (expired_too || l.live_on(today));
        let held = Points(
            self.lots
                .iter()
                .filter(|l| usable(l))
                .map(|l| l.remaining.get())
                .sum(),
        );
        if held < points {
            return Err(Refusal::Insufficient {
                what,
                account: format!("{account} (points from issuer {issuer})"),
                available: held.get(),
                requested: points.get(),
            });
        }
        let mut left = points.get();
        let mut taken = Vec::new();
        for lot in self.lots.iter_mut().filter(|l| usable(l)) {
            let take = lot.remaining.get().min(left);
            lot.remaining = Points(lot.remaining.get() - take);
            left -= take;
            if take > 0 {
                taken.push((lot.expires_on, Points(take)));
            }
            if left == 0 {
                break;
            }
        }
        self.balance = Points(self.balance.get() - points.get());
        self.lots.retain(|l| l.remaining > Points::ZERO);
        Ok(taken)
    }
}
