//! Narrowing: a rule of a township's or a village's catalogue that has the code of a rule of a
//! parent catalogue may only narrow it, so a village can never pay more for a deed, demand
//! less evidence, or soften a deduction, compared with its township and the city.
//!
//! Both kinds keep the parent's sign and unit. An award allows at most the parent's units per
//! claim, keeps evidence if the parent requires it, pays at most the parent's points per unit
//! and keeps every parent cap at most as high (more caps may be added). A deduction is the
//! parent's exactly: the same units per claim, evidence, points per unit and caps, and a
//! catalogue lists every deduction of its parents ([`super::includes_parent_deductions`]):
//! anything less would let a village soften what the city deducts ("deductions that bite"),
//! anything more would be harsher than the resolution allows.

use super::{Cap, CatalogueRef, Rule, Sign};
use crate::ledger::Refusal;

fn caps_text(caps: &[Cap]) -> String {
    if caps.is_empty() {
        return "no caps".into();
    }
    let caps: Vec<String> = caps
        .iter()
        .map(|c| {
            format!(
                "{} per {} per {}",
                c.max_points.get(),
                c.per.name(),
                c.period.name()
            )
        })
        .collect();
    caps.join(", ")
}

/// Refuses `rule` unless it narrows `parent_rule` of catalogue `parent` (see the module).
pub(in crate::ledger::state) fn check(
    parent: &CatalogueRef,
    parent_rule: &Rule,
    rule: &Rule,
) -> Result<(), Refusal> {
    let widens = |field: &'static str, expected: String, found: String| {
        Err(Refusal::from(
            crate::ledger::GovernanceRefusal::CatalogueWidensParent {
                rule: rule.code.clone(),
                parent: parent.to_string(),
                field,
                expected,
                found,
            },
        ))
    };
    if rule.sign != parent_rule.sign {
        return widens(
            "sign",
            parent_rule.sign.name().into(),
            rule.sign.name().into(),
        );
    }
    if rule.unit != parent_rule.unit {
        return widens(
            "unit",
            format!("{:?}", parent_rule.unit),
            format!("{:?}", rule.unit),
        );
    }
    match rule.sign {
        Sign::Award => {
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
            if rule.points_per_unit > parent_rule.points_per_unit {
                return widens(
                    "points_per_unit",
                    format!("at most {}", parent_rule.points_per_unit.get()),
                    rule.points_per_unit.get().to_string(),
                );
            }
            for cap in &parent_rule.caps {
                let own = rule
                    .caps
                    .iter()
                    .find(|c| c.per == cap.per && c.period == cap.period);
                if own.is_none_or(|own| own.max_points > cap.max_points) {
                    return widens(
                        "caps",
                        format!(
                            "a cap per {} per {} of at most {}",
                            cap.per.name(),
                            cap.period.name(),
                            cap.max_points.get()
                        ),
                        own.map_or_else(
                            || "no such cap".into(),
                            |c| c.max_points.get().to_string(),
                        ),
                    );
                }
            }
        }
        Sign::Deduction => {
            // One claim per rule, household and day: fewer units per claim would soften it.
            if rule.max_quantity != parent_rule.max_quantity {
                return widens(
                    "max_quantity",
                    format!("exactly {}", parent_rule.max_quantity),
                    rule.max_quantity.to_string(),
                );
            }
            if rule.evidence_required != parent_rule.evidence_required {
                return widens(
                    "evidence_required",
                    parent_rule.evidence_required.to_string(),
                    rule.evidence_required.to_string(),
                );
            }
            if rule.points_per_unit != parent_rule.points_per_unit {
                return widens(
                    "points_per_unit",
                    format!(
                        "exactly {}: a deduction is neither softened nor made harsher",
                        parent_rule.points_per_unit.get()
                    ),
                    rule.points_per_unit.get().to_string(),
                );
            }
            let same_caps = rule.caps.len() == parent_rule.caps.len()
                && parent_rule.caps.iter().all(|cap| rule.caps.contains(cap));
            if !same_caps {
                return widens(
                    "caps",
                    format!("exactly the parent's: {}", caps_text(&parent_rule.caps)),
                    caps_text(&rule.caps),
                );
            }
        }
    }
    Ok(())
}
