//! A program's award by rule: priced by the rule of the program's catalogue in force on the
//! activity's date, posted at once from the program's budget (the household's arrears paid
//! first), once per activity and household, within the rule's caps per household. No village
//! review or notice: the program's own records stand behind it (programs.md). An issuer of a
//! bureau program awards only for an activity its program recorded, once, to the volunteer's
//! household (`volunteering.rs`).

use super::super::catalogue::{CapHolder, CapPeriod, CatalogueScope, Sign};
use super::super::{Context, State, volunteering};
use super::{AwardRequest, CapKey, Holder, Plan};
use crate::ledger::{
    AccountId, CivilDate, IssuerKind, MAX_CLAIM_AGE_DAYS, Period, Points, Refusal, Role,
};

/// Checks an award by rule.
pub(super) fn award(state: &State, ctx: &Context, request: &AwardRequest) -> Result<Plan, Refusal> {
    let program = &request.program;
    match &ctx.role {
        Role::ProgramIssuer(p) if p == program => {}
        Role::ProgramIssuer(p) => {
            return Err(Refusal::OutOfScope {
                role: ctx.role.name(),
                scope: format!("program {p}"),
                requested: format!("program {program}"),
            });
        }
        _ => {
            return Err(Refusal::NotAllowed {
                operation: "awarding points by a program's rule",
                expected: "an issuing officer of the program",
                found: ctx.role.to_string(),
            });
        }
    }
    state
        .accounts
        .expect_issuer_kind(program, IssuerKind::Program)?;
    let household = state.accounts.household(&request.household)?;
    // An issuer of a bureau program awards only for its program's record of an activity.
    let activity = match state.accounts.issuer_program(program)? {
        Some(bureau_program) => Some(volunteering::check_award(state, bureau_program, request)?),
        None => None,
    };
    let today = CivilDate::of(ctx.committed_at);
    let deed = request.deed_date;
    let oldest =
        CivilDate::from_days(today.days().saturating_sub(MAX_CLAIM_AGE_DAYS)).unwrap_or(today);
    if deed > today || deed < oldest {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::DateOutOfRange {
                field: "deed_date",
                expected: format!(
                    "from {oldest} to {today} (at most {MAX_CLAIM_AGE_DAYS} days old)"
                ),
                found: deed,
            },
        ));
    }
    let scope = CatalogueScope::Program(program.clone());
    let (_, rule) = state
        .catalogues
        .rule_in_force(&scope, deed, &request.rule)
        .ok_or_else(|| {
            Refusal::from(crate::ledger::GovernanceRefusal::RuleNotInForce {
                catalogue: scope.to_string(),
                rule: request.rule.clone(),
                date: deed,
            })
        })?;
    if rule.sign != Sign::Award {
        return Err(Refusal::NotAllowed {
            operation: "deducting by a program's rule",
            expected: "an award rule (a program only awards)",
            found: format!("rule {} is a deduction", rule.code),
        });
    }
    if request.quantity > rule.max_quantity {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::QuantityOverMaximum {
                rule: rule.code.clone(),
                max: rule.max_quantity,
                found: request.quantity,
            },
        ));
    }
    if rule.evidence_required && request.evidence.is_none() {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::EvidenceRequired {
                rule: rule.code.clone(),
            },
        ));
    }
    if !state
        .members
        .household_in_village_on(&request.household, deed)
    {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::NotInVillageOn {
                household: request.household.clone(),
                village: household.village.clone(),
                date: deed,
            },
        ));
    }
    let key = (
        program.clone(),
        request.activity.clone(),
        request.household.clone(),
    );
    if state.claims.awards.contains_key(&key) {
        return Err(Refusal::DuplicateDeed {
            claim: request.activity.clone(),
            why: "the same activity and household",
        });
    }
    state.claims.evidence_unused(request.evidence.as_ref())?;
    // At most 10^12: the rule's points_per_unit × max_quantity is bounded when it is adopted.
    let points = Points(rule.points_per_unit.get() * u64::from(request.quantity));
    let mut plan = Plan::default();
    // Every period is counted, whatever caps this version of the rule has (as for claims).
    for period in [CapPeriod::Month, CapPeriod::Quarter, CapPeriod::Year] {
        let key = CapKey::new(
            program.clone(),
            rule.code.clone(),
            Holder::Household(request.household.clone()),
            period,
            deed,
        );
        let counted = plan.cap_value(state, &key);
        let total = counted.get().saturating_add(points.get());
        let cap = rule
            .caps
            .iter()
            .find(|c| c.per == CapHolder::Household && c.period == period);
        if let Some(cap) = cap
            && total > cap.max_points.get()
        {
            return Err(Refusal::from(
                crate::ledger::GovernanceRefusal::CapExceeded {
                    claim: request.activity.clone(),
                    cap: key.to_string(),
                    max: cap.max_points,
                    counted,
                    adds: points,
                },
            ));
        }
        plan.caps.push((key, Points(total)));
    }
    let mut staged = state.stage(ctx);
    let (posting, arrears_paid) = staged.credit_household(program, &request.household, points)?;
    staged
        .household_mut(&request.household)?
        .add_score(Period::containing(ctx.committed_at.get()), points.wide());
    plan.postings.extend(posting);
    plan.changes = Some(staged.into_changes());
    plan.accounts = vec![
        AccountId::Household(request.household.clone()),
        AccountId::Issuer(program.clone()),
    ];
    plan.issuer = Some(program.clone());
    plan.arrears_paid = arrears_paid;
    if let Some(hash) = request.evidence {
        plan.evidence.push((hash, Some(request.activity.clone())));
    }
    plan.award = Some(key);
    plan.activity = activity;
    Ok(plan)
}
