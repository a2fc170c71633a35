//! Narrowing: a rule of a township's or a village's catalogue that has the code of a rule of a
//! parent catalogue may only narrow it, so a village can never pay more for a deed, or demand
//! less evidence, than its township and the city allow.

use super::{Cap, CapHolder, CapPeriod, CatalogueRef, Rule, Sign};
use crate::ledger::Refusal;

fn sign_name(sign: Sign) -> &'static str {
    match sign {
        Sign::Award => "award",
        Sign::Deduction => "deduction",
    }
}

fn cap_name(per: CapHolder, period: CapPeriod) -> String {
    let per = match per {
        CapHolder::Household => "household",
        CapHolder::Member => "member",
    };
    let period = match period {
        CapPeriod::Month => "month",
        CapPeriod::Quarter => "quarter",
        CapPeriod::Year => "year",
    };
    format!("a cap per {per} per {period}")
}

/// Refuses `rule` unless it narrows `parent_rule` of catalogue `parent`: the same sign,
/// `points_per_unit` and `max_quantity` at most the parent's, evidence required if the parent
/// requires it, and every cap of the parent kept with `max_points` at most the parent's (more
/// caps may be added).
pub(in crate::ledger::state) fn check(
    parent: &CatalogueRef,
    parent_rule: &Rule,
    rule: &Rule,
) -> Result<(), Refusal> {
    let widens = |field: &'static str, expected: String, found: String| {
        Err(Refusal::CatalogueWidensParent {
            rule: rule.code.clone(),
            parent: parent.to_string(),
            field,
            expected,
            found,
        })
    };
    if rule.sign != parent_rule.sign {
        return widens(
            "sign",
            sign_name(parent_rule.sign).into(),
            sign_name(rule.sign).into(),
        );
    }
    if rule.points_per_unit > parent_rule.points_per_unit {
        return widens(
            "points_per_unit",
            format!("at most {}", parent_rule.points_per_unit.get()),
            rule.points_per_unit.get().to_string(),
        );
    }
    if rule.max_quantity > parent_rule.max_quantity {
        return widens(
            "max_quantity",
            format!("at most {}", parent_rule.max_quantity),
            rule.max_quantity.to_string(),
        );
    }
    if parent_rule.evidence_required && !rule.evidence_required {
        return widens("evidence_required", "true".into(), "false".into());
    }
    for Cap {
        per,
        period,
        max_points,
    } in &parent_rule.caps
    {
        let own = rule
            .caps
            .iter()
            .find(|c| c.per == *per && c.period == *period);
        match own {
            Some(own) if own.max_points <= *max_points => {}
            Some(own) => {
                return widens(
                    "caps",
                    format!(
                        "{} of at most {}",
                        cap_name(*per, *period),
                        max_points.get()
                    ),
                    own.max_points.get().to_string(),
                );
            }
            None => {
                return widens(
                    "caps",
                    format!(
                        "{} of at most {}",
                        cap_name(*per, *period),
                        max_points.get()
                    ),
                    "no such cap".into(),
                );
            }
        }
    }
    Ok(())
}
