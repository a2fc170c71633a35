//! Death cases: one per registered person, the death certificate recorded once (before it no
//! cremation is booked, no plot allocated and no subsidy granted), one booking per scene on a
//! day not before the death (ash placement after a cremation booked that day or before), and
//! the funeral subsidy once per deceased.

use super::{
    Booking, DeathCase, FuneralOp, MAX_BOOKING_DAYS_AHEAD, MAX_DEATH_CASES, MAX_MEMORIALS, Plan,
    Subsidy,
};
use crate::ledger::state::require_new;
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{
    CivilDate, DeathCaseId, FuneralRefusal, GovernanceRefusal, Refusal, SubjectRefusal,
};

/// The death case `id`, checked for the signer: a bureau admin, or a funeral officer whose
/// area covers the deceased's.
pub(super) fn reach(
    state: &State,
    ctx: &Context,
    id: &DeathCaseId,
    operation: &'static str,
) -> Result<DeathCase, Refusal> {
    authority::require_funeral_officer(&ctx.role, operation, None)?;
    let case = state
        .funeral
        .cases
        .get(id)
        .map(|c| DeathCase::clone(c))
        .ok_or_else(|| FuneralRefusal::UnknownDeathCase(id.to_string()))?;
    authority::require_funeral_officer(&ctx.role, operation, Some(&case.area))?;
    Ok(case)
}

/// The case's certificate, or the refusal naming what needs it.
pub(super) fn require_certificate(
    id: &DeathCaseId,
    case: &DeathCase,
    what: &'static str,
) -> Result<(), Refusal> {
    match case.certificate {
        Some(_) => Ok(()),
        None => Err(FuneralRefusal::CertificateRequired {
            case: id.to_string(),
            what,
        }
        .into()),
    }
}

pub(super) fn check(state: &State, ctx: &Context, op: &FuneralOp) -> Result<Plan, Refusal> {
    let today = CivilDate::of(ctx.committed_at);
    let (id, case) = match op {
        FuneralOp::RegisterDeath {
            case,
            person,
            died_on,
            certificate,
        } => {
            const OPERATION: &str = "registering a death";
            authority::require_funeral_officer(&ctx.role, OPERATION, None)?;
            let registered = state
                .person(person)
                .ok_or(SubjectRefusal::UnknownPerson(*person))?;
            authority::require_funeral_officer(&ctx.role, OPERATION, Some(&registered.area))?;
            if let Some(open) = state.funeral.by_person.get(person) {
                return Err(FuneralRefusal::DeathRegistered {
                    person: person.to_string(),
                    case: open.to_string(),
                }
                .into());
            }
            require_new(&state.funeral.cases, case, "death case")?;
            if state.funeral.cases.len() >= MAX_DEATH_CASES {
                return Err(FuneralRefusal::Full {
                    what: "death cases",
                    max: MAX_DEATH_CASES,
                }
                .into());
            }
            if *died_on > today {
                return Err(GovernanceRefusal::DateOutOfRange {
                    field: "died_on",
                    expected: format!("a date not after {today}"),
                    found: *died_on,
                }
                .into());
            }
            (
                *case,
                DeathCase {
                    person: *person,
                    area: registered.area,
                    died_on: *died_on,
                    certificate: *certificate,
                    bookings: Vec::new(),
                    plot: None,
                    subsidy: None,
                    opened_by: ctx.signer,
                    sequence: ctx.sequence,
                },
            )
        }
        FuneralOp::RecordCertificate {
            case: id,
            certificate,
        } => {
            let mut case = reach(state, ctx, id, "recording a death certificate")?;
            if case.certificate.is_some() {
                return Err(FuneralRefusal::CertificateRecorded(id.to_string()).into());
            }
            case.certificate = Some(*certificate);
            (*id, case)
        }
        FuneralOp::Book {
            case: id,
            scene,
            on,
            facility,
        } => {
            let mut case = reach(state, ctx, id, "booking a funeral service")?;
            // Memorials recur; every other scene is booked once.
            if *scene == "memorial" {
                if case
                    .bookings
                    .iter()
                    .filter(|b| b.scene == "memorial")
                    .count()
                    >= MAX_MEMORIALS
                {
                    return Err(FuneralRefusal::Full {
                        what: "a death case's memorials",
                        max: MAX_MEMORIALS,
                    }
                    .into());
                }
            } else if let Some(booked) = case.booking(scene) {
                return Err(FuneralRefusal::SceneBooked {
                    case: id.to_string(),
                    scene,
                    on: booked.on.to_string(),
                }
                .into());
            }
            // A booking is of a day to come (and so after the death and, for a cremation,
            // after the certificate), at most a year ahead.
            let last = today.add_days(MAX_BOOKING_DAYS_AHEAD);
            if *on < today || *on > last {
                return Err(GovernanceRefusal::DateOutOfRange {
                    field: "on",
                    expected: format!("a day from {today} to {last}"),
                    found: *on,
                }
                .into());
            }
            if *scene == "cremation" {
                require_certificate(id, &case, "a cremation")?;
            }
            if *scene == "ash-placement" {
                match case.booking("cremation") {
                    Some(cremation) if cremation.on <= *on => {}
                    cremation => {
                        return Err(FuneralRefusal::CremationFirst {
                            case: id.to_string(),
                            found: cremation.map_or_else(
                                || "none booked".to_owned(),
                                |c| format!("one booked on {}", c.on),
                            ),
                        }
                        .into());
                    }
                }
            }
            case.bookings.push(Booking {
                scene,
                on: *on,
                facility: facility.clone(),
                by: ctx.signer,
                sequence: ctx.sequence,
            });
            (*id, case)
        }
        FuneralOp::GrantSubsidy {
            case: id,
            amount_fen,
            basis,
        } => {
            let mut case = reach(state, ctx, id, "granting a funeral subsidy")?;
            require_certificate(id, &case, "a funeral subsidy")?;
            if let Some(granted) = &case.subsidy {
                return Err(FuneralRefusal::SubsidyGranted {
                    case: id.to_string(),
                    sequence: granted.sequence.get(),
                }
                .into());
            }
            case.subsidy = Some(Subsidy {
                amount_fen: *amount_fen,
                basis: basis.clone(),
                by: ctx.signer,
                sequence: ctx.sequence,
            });
            (*id, case)
        }
        _ => unreachable!("dispatched by funeral::check"),
    };
    Ok(Plan {
        case: Some((id, case)),
        ..Plan::default()
    })
}
