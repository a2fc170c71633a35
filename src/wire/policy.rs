//! Village policies: the wire's `SetVillagePolicy` into a [`Policy`] (every field within its
//! bounds), and policies into their wire form.

use super::body::parse_points;
use super::governance::{missing, out_of_range, parse_resolution, parse_version};
use crate::ledger::{
    CivilDate, IssuerId, LotExpiry, MAX_CLAIM_AGE_DAYS, MAX_LOT_MONTHS, MAX_NOTICE_DAYS,
    MAX_POINTS_PER_TRANSACTION, MAX_REVIEWERS_REQUIRED, MAX_STAR_LEVELS, Points, Policy,
    PolicyView, Refusal,
};
use crate::pb::governance as pb;

fn parse_lot_expiry(expiry: Option<&pb::LotExpiry>) -> Result<LotExpiry, Refusal> {
    use pb::lot_expiry::Rule as R;
    let expected = "one of end_of_following_year, months, never";
    Ok(
        match expiry
            .and_then(|e| e.rule.as_ref())
            .ok_or_else(|| missing("lot_expiry", expected))?
        {
            R::EndOfFollowingYear(pb::EndOfFollowingYear {}) => LotExpiry::EndOfFollowingYear,
            R::Months(months) if (1..=MAX_LOT_MONTHS).contains(months) => {
                LotExpiry::Months(*months)
            }
            R::Months(months) => {
                return Err(out_of_range(
                    "lot_expiry.months",
                    format!("1 to {MAX_LOT_MONTHS}"),
                    months,
                ));
            }
            R::Never(pb::Never {}) => LotExpiry::Never,
        },
    )
}

/// Checks `value` of field `field` is within `1 ..= max`.
fn one_to(field: &'static str, value: u32, max: u32) -> Result<u32, Refusal> {
    if (1..=max).contains(&value) {
        Ok(value)
    } else {
        Err(out_of_range(field, format!("1 to {max}"), value))
    }
}

pub(super) fn parse_policy(set: &pb::SetVillagePolicy) -> Result<Policy, Refusal> {
    let version = parse_version("version", set.version)?;
    let effective_from = CivilDate::from_wire("effective_from", set.effective_from)?;
    let resolution = parse_resolution(set.resolution.as_ref(), effective_from)?;
    let thresholds = &set.star_thresholds;
    let ascending = thresholds.windows(2).all(|w| w[0] < w[1]);
    let in_range = thresholds
        .iter()
        .all(|&t| (1..=MAX_POINTS_PER_TRANSACTION).contains(&t));
    if thresholds.len() > MAX_STAR_LEVELS || !ascending || !in_range {
        return Err(out_of_range(
            "star_thresholds",
            format!(
                "at most {MAX_STAR_LEVELS} scores, each 1 to {MAX_POINTS_PER_TRANSACTION}, \
                 strictly ascending"
            ),
            format!("{thresholds:?}"),
        ));
    }
    Ok(Policy {
        village: IssuerId::parse("village_id", &set.village_id)?,
        version,
        effective_from,
        resolution,
        notice_days: one_to("notice_days", set.notice_days, MAX_NOTICE_DAYS)?,
        reviewers_required: one_to(
            "reviewers_required",
            set.reviewers_required,
            MAX_REVIEWERS_REQUIRED,
        )?,
        max_claim_age_days: one_to(
            "max_claim_age_days",
            set.max_claim_age_days,
            MAX_CLAIM_AGE_DAYS,
        )?,
        star_thresholds: thresholds.iter().map(|&t| Points(t)).collect(),
        lot_expiry: parse_lot_expiry(set.lot_expiry.as_ref())?,
        daily_redemption_limit: match set.daily_redemption_limit {
            0 => None,
            limit => Some(parse_points(limit)?),
        },
    })
}

impl From<&Policy> for pb::SetVillagePolicy {
    fn from(policy: &Policy) -> Self {
        use pb::lot_expiry::Rule as R;
        pb::SetVillagePolicy {
            village_id: policy.village.to_string(),
            version: policy.version,
            effective_from: policy.effective_from.days(),
            resolution: Some((&policy.resolution).into()),
            notice_days: policy.notice_days,
            reviewers_required: policy.reviewers_required,
            max_claim_age_days: policy.max_claim_age_days,
            star_thresholds: policy.star_thresholds.iter().map(|p| p.get()).collect(),
            daily_redemption_limit: policy.daily_redemption_limit.map_or(0, Points::get),
            lot_expiry: Some(pb::LotExpiry {
                rule: Some(match policy.lot_expiry {
                    LotExpiry::EndOfFollowingYear => {
                        R::EndOfFollowingYear(pb::EndOfFollowingYear {})
                    }
                    LotExpiry::Months(months) => R::Months(months),
                    LotExpiry::Never => R::Never(pb::Never {}),
                }),
            }),
        }
    }
}

impl From<PolicyView> for pb::GetPolicyResponse {
    fn from(view: PolicyView) -> Self {
        pb::GetPolicyResponse {
            policy: Some((&*view.policy).into()),
            set_at: view.set_at.get(),
        }
    }
}
