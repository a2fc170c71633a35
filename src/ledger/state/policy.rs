//! The policy family: each village's own settings as signed data (notice days, reviewers per
//! claim, how old a deed may be, star thresholds, when lots expire), versioned like a
//! catalogue. The state machine knows no default: a village that has set no policy submits no
//! claim. The documented defaults are what the CLI proposes.

use std::sync::Arc;

use imbl::{OrdMap, Vector};

use super::catalogue::{Resolution, Which};
use super::journal::Effects;
use super::versions;
use super::{Context, State, authority};
use crate::ledger::{AccountId, CivilDate, IssuerId, IssuerKind, Points, Refusal, Sequence};

/// The most days of public notice a policy may set: 90.
pub const MAX_NOTICE_DAYS: u32 = 90;
/// The most distinct reviewers per claim a policy may require: 9.
pub const MAX_REVIEWERS_REQUIRED: u32 = 9;
/// The oldest a deed may be when claimed, at most: 366 days.
pub const MAX_CLAIM_AGE_DAYS: u32 = 366;
/// The most star levels: 10.
pub const MAX_STAR_LEVELS: usize = 10;
/// The longest lot lifetime in months: 120.
pub const MAX_LOT_MONTHS: u32 = 120;

/// When a lot of points expires, counted from its posting date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LotExpiry {
    /// On 31 December of the year after the posting.
    EndOfFollowingYear,
    /// After this many months (1 to [`MAX_LOT_MONTHS`]).
    Months(u32),
    /// Never.
    Never,
}

/// One version of a village's policy, as set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The village issuer.
    pub village: IssuerId,
    /// From 1.
    pub version: u32,
    /// The first date in force.
    pub effective_from: CivilDate,
    /// The adopting resolution.
    pub resolution: Resolution,
    /// Days of public notice (公示), 1 to [`MAX_NOTICE_DAYS`].
    pub notice_days: u32,
    /// Distinct reviewers per claim, 1 to [`MAX_REVIEWERS_REQUIRED`].
    pub reviewers_required: u32,
    /// How many days old a deed may be when claimed, 1 to [`MAX_CLAIM_AGE_DAYS`].
    pub max_claim_age_days: u32,
    /// The yearly earned score for 1, 2, … stars, strictly ascending.
    pub star_thresholds: Vec<Points>,
    /// When lots expire.
    pub lot_expiry: LotExpiry,
    /// The most points a household may spend in a day, at all shops together; `None`: no
    /// limit.
    pub daily_redemption_limit: Option<Points>,
}

/// The policy family's operations.
#[derive(Clone, Debug)]
pub enum PolicyOp {
    /// Sets the next version of a village's policy.
    Set(Policy),
}

/// The kinds of policy operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// [`PolicyOp::Set`].
    Set,
}

impl PolicyOp {
    /// The operation's kind.
    pub fn kind(&self) -> PolicyKind {
        match self {
            PolicyOp::Set(_) => PolicyKind::Set,
        }
    }
}

impl PolicyKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::Set => "set-village-policy",
        }
    }
}

/// The first date a lot credited on `posted_on` is no longer spendable under `rule`: 1 January
/// two years on (the end of the following year), the same day `n` months later (or that
/// month's last day), or never.
pub(super) fn lot_expires_on(rule: LotExpiry, posted_on: CivilDate) -> Option<CivilDate> {
    let (year, month, day) = posted_on.ymd();
    match rule {
        LotExpiry::Never => None,
        LotExpiry::EndOfFollowingYear => {
            CivilDate::from_ymd(year + 2, 1, 1).or(Some(CivilDate::MAX))
        }
        LotExpiry::Months(months) => {
            let total = i64::from(month) - 1 + i64::from(months);
            let (year, month) = (year + total / 12, (total % 12) as u8 + 1);
            (day.min(28)..=day)
                .rev()
                .find_map(|d| CivilDate::from_ymd(year, month, d))
                .or(Some(CivilDate::MAX))
        }
    }
}

/// A policy version with the entry that set it.
#[derive(Clone, Debug)]
pub struct PolicyView {
    /// The policy.
    pub policy: Arc<Policy>,
    /// The entry that set it.
    pub set_at: Sequence,
}

/// Every village's policy versions, version `n` at index `n - 1`.
#[derive(Clone, Debug, Default)]
pub(super) struct Policies {
    villages: OrdMap<IssuerId, Vector<PolicyView>>,
}

impl Policies {
    /// The version of `village`'s policy in force on `date`: the latest that starts on or
    /// before it.
    pub(super) fn in_force(&self, village: &IssuerId, date: CivilDate) -> Option<&PolicyView> {
        let versions = self.villages.get(village)?;
        let start_of = |i: usize| {
            versions
                .get(i)
                .map_or(CivilDate::MAX, |v| v.policy.effective_from)
        };
        versions.get(versions::latest_started(versions.len(), start_of, date)?)
    }
}

impl State {
    /// A version of a village's policy: in force on a date, or by number.
    pub fn policy(&self, village: &IssuerId, which: Which) -> Result<PolicyView, Refusal> {
        let found = match which {
            Which::InForceOn(date) => self.policies.in_force(village, date),
            Which::Version(n) => n.checked_sub(1).and_then(|i| {
                self.policies
                    .villages
                    .get(village)
                    .and_then(|v| v.get(i as usize))
            }),
        };
        found.cloned().ok_or_else(|| Refusal::UnknownPolicy {
            village: village.clone(),
            expected: which.to_string(),
        })
    }
}

/// A policy operation checked to fit.
#[derive(Debug)]
pub(super) struct Plan(Policy);

impl Plan {
    pub(super) fn commit(self, state: &mut State, ctx: &Context) -> Effects {
        let Plan(policy) = self;
        let village = policy.village.clone();
        state
            .policies
            .villages
            .entry(village.clone())
            .or_default()
            .push_back(PolicyView {
                policy: Arc::new(policy),
                set_at: ctx.sequence,
            });
        Effects::involving(vec![AccountId::Issuer(village)])
    }
}

/// Checks a policy operation: a bureau admin or an officer of the village, the next version,
/// not back-dated and not before the version it replaces.
pub(super) fn check(state: &State, ctx: &Context, op: &PolicyOp) -> Result<Plan, Refusal> {
    let PolicyOp::Set(policy) = op;
    authority::require_admin_or_officer_of(
        &ctx.role,
        "setting a village policy",
        &policy.village,
        "a bureau admin or an officer of the village",
    )?;
    state
        .accounts
        .expect_issuer_kind(&policy.village, IssuerKind::Village)?;
    let versions = state.policies.villages.get(&policy.village);
    versions::require_next(
        format!("policy of village {}", policy.village),
        versions.map_or(0, |v| v.len()) + 1,
        policy.version,
    )?;
    let replaced = versions
        .and_then(|v| v.last())
        .map(|v| (v.policy.version, v.policy.effective_from));
    versions::require_start(ctx, "a policy", policy.effective_from, replaced)?;
    versions::require_resolution_taken(ctx, policy.resolution.date)?;
    Ok(Plan(policy.clone()))
}
