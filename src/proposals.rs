//! What the tools propose when the user does not say: the documented defaults of a village's
//! first policy. The state machine knows none of them (every policy field is required and
//! signed); `shanzhi set-policy` fills these in, and the README lists them.

use crate::pb::governance as pb;

/// Days of public notice (公示): 7, as the pilot's plan sets.
pub const NOTICE_DAYS: u32 = 7;
/// Distinct reviewers per claim: 1.
pub const REVIEWERS_REQUIRED: u32 = 1;
/// How many days old a deed may be when claimed: 90.
pub const MAX_CLAIM_AGE_DAYS: u32 = 90;
/// The most points a household may spend in a day, at every shop together: 500 (a month's
/// typical award is a few dozen; this stops a stolen phone from emptying a household).
pub const DAILY_REDEMPTION_LIMIT: u64 = 500;

/// A village policy with the documented defaults: notice 7 days, 1 reviewer, claims at most
/// 90 days old, no star levels, lots expiring at the end of the following calendar year,
/// households spending at most 500 points a day.
pub fn village_policy(
    village: &str,
    version: u32,
    effective_from: u32,
    resolution: pb::Resolution,
) -> pb::SetVillagePolicy {
    pb::SetVillagePolicy {
        village_id: village.into(),
        version,
        effective_from,
        resolution: Some(resolution),
        notice_days: NOTICE_DAYS,
        reviewers_required: REVIEWERS_REQUIRED,
        max_claim_age_days: MAX_CLAIM_AGE_DAYS,
        star_thresholds: vec![],
        daily_redemption_limit: DAILY_REDEMPTION_LIMIT,
        lot_expiry: Some(pb::LotExpiry {
            rule: Some(pb::lot_expiry::Rule::EndOfFollowingYear(
                pb::EndOfFollowingYear {},
            )),
        }),
    }
}
