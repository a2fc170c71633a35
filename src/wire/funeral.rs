//! The funeral part of the wire: `FuneralOperation` into its operations.

use std::collections::BTreeSet;

use super::children::one_of;
use super::governance::parse_sha256;
use crate::ledger::{
    AreaCode, CEMETERY_KINDS, CemeteryId, CivilDate, DeathCaseId, FuneralOp, GraveId,
    MAX_CYCLE_YEARS, MAX_PLOT_DM2, MAX_PLOTS_PER_DEFINITION, MAX_SUBSIDY_FEN, Operation, PersonId,
    Refusal, SCENES, parse_code, parse_memo, parse_text,
};
use crate::pb::funeral as pb;

fn cemetery(value: &str) -> Result<CemeteryId, Refusal> {
    CemeteryId::parse("cemetery_id", value)
}

fn subsidy(amount_fen: u64) -> Result<u64, Refusal> {
    if amount_fen == 0 || amount_fen > MAX_SUBSIDY_FEN {
        return Err(Refusal::InvalidField {
            field: "amount_fen",
            expected: format!("1 to {MAX_SUBSIDY_FEN} fen (the ledger's ceiling on one subsidy)"),
            found: amount_fen.to_string(),
        });
    }
    Ok(amount_fen)
}

fn define_plots(d: &pb::DefinePlots) -> Result<FuneralOp, Refusal> {
    if d.plot_codes.is_empty() || d.plot_codes.len() > MAX_PLOTS_PER_DEFINITION {
        return Err(Refusal::InvalidField {
            field: "plot_codes",
            expected: format!("1 to {MAX_PLOTS_PER_DEFINITION} plot codes"),
            found: d.plot_codes.len().to_string(),
        });
    }
    let mut seen = BTreeSet::new();
    let mut codes = Vec::with_capacity(d.plot_codes.len());
    for code in &d.plot_codes {
        let code = parse_code("plot_codes", code)?;
        if !seen.insert(code.clone()) {
            return Err(Refusal::InvalidField {
                field: "plot_codes",
                expected: "distinct plot codes".into(),
                found: format!("{code:?} twice"),
            });
        }
        codes.push(code);
    }
    if d.area_dm2 == 0 || d.area_dm2 > MAX_PLOT_DM2 {
        return Err(Refusal::InvalidField {
            field: "area_dm2",
            expected: format!(
                "1 to {MAX_PLOT_DM2} square decimetres (an ash grave is at most 1 m²)"
            ),
            found: d.area_dm2.to_string(),
        });
    }
    Ok(FuneralOp::DefinePlots {
        cemetery: cemetery(&d.cemetery_id)?,
        codes,
        area_dm2: d.area_dm2,
    })
}

impl TryFrom<&pb::FuneralOperation> for Operation {
    type Error = Refusal;

    fn try_from(operation: &pb::FuneralOperation) -> Result<Self, Refusal> {
        use pb::funeral_operation::Operation as Op;
        Ok(Operation::Funeral(
            match operation
                .operation
                .as_ref()
                .ok_or(Refusal::MissingOperation)?
            {
                Op::RegisterDeath(r) => FuneralOp::RegisterDeath {
                    case: DeathCaseId::from_slice(&r.case_id)?,
                    person: PersonId::from_slice(&r.person_id)?,
                    died_on: CivilDate::from_wire("died_on", r.died_on)?,
                    certificate: match r.certificate_sha256.as_slice() {
                        [] => None,
                        bytes => Some(parse_sha256("certificate_sha256", bytes)?),
                    },
                },
                Op::RecordDeathCertificate(r) => FuneralOp::RecordCertificate {
                    case: DeathCaseId::from_slice(&r.case_id)?,
                    certificate: parse_sha256("certificate_sha256", &r.certificate_sha256)?,
                },
                Op::BookFuneralService(b) => FuneralOp::Book {
                    case: DeathCaseId::from_slice(&b.case_id)?,
                    scene: one_of("scene", &b.scene, SCENES)?,
                    on: CivilDate::from_wire("on", b.on)?,
                    facility: parse_text("facility", &b.facility)?,
                },
                Op::DefineCemetery(d) => FuneralOp::DefineCemetery {
                    cemetery: cemetery(&d.cemetery_id)?,
                    name: parse_text("name", &d.name)?,
                    area: AreaCode::parse("area_code", &d.area_code)?,
                    kind: one_of("kind", &d.kind, CEMETERY_KINDS)?,
                    cycle_years: if d.cycle_years > MAX_CYCLE_YEARS {
                        return Err(Refusal::InvalidField {
                            field: "cycle_years",
                            expected: format!("0 (for 20) to {MAX_CYCLE_YEARS} years"),
                            found: d.cycle_years.to_string(),
                        });
                    } else {
                        d.cycle_years
                    },
                },
                Op::DefinePlots(d) => define_plots(d)?,
                Op::AllocatePlot(a) => FuneralOp::AllocatePlot {
                    cemetery: cemetery(&a.cemetery_id)?,
                    plot: parse_code("plot_code", &a.plot_code)?,
                    case: DeathCaseId::from_slice(&a.case_id)?,
                },
                Op::GrantFuneralSubsidy(g) => FuneralOp::GrantSubsidy {
                    case: DeathCaseId::from_slice(&g.case_id)?,
                    amount_fen: subsidy(g.amount_fen)?,
                    basis: parse_memo("basis", &g.basis, true)?,
                },
                Op::IdentifyScatteredGrave(i) => FuneralOp::IdentifyGrave {
                    grave: GraveId::from_slice(&i.grave_id)?,
                    area: AreaCode::parse("area_code", &i.area_code)?,
                    location: parse_memo("location", &i.location, true)?,
                    evidence: parse_sha256("evidence_sha256", &i.evidence_sha256)?,
                },
                Op::RenewPlot(r) => FuneralOp::RenewPlot {
                    cemetery: cemetery(&r.cemetery_id)?,
                    plot: parse_code("plot_code", &r.plot_code)?,
                    agreement: parse_sha256("agreement_sha256", &r.agreement_sha256)?,
                },
                Op::ReleasePlot(r) => FuneralOp::ReleasePlot {
                    cemetery: cemetery(&r.cemetery_id)?,
                    plot: parse_code("plot_code", &r.plot_code)?,
                    removal: parse_sha256("removal_sha256", &r.removal_sha256)?,
                    reason: parse_memo("reason", &r.reason, true)?,
                },
                Op::AdvanceScatteredGrave(a) => FuneralOp::AdvanceGrave {
                    grave: GraveId::from_slice(&a.grave_id)?,
                    to: one_of("to_state", &a.to_state, &["cleared", "verified"])?,
                    evidence: parse_sha256("evidence_sha256", &a.evidence_sha256)?,
                    note: parse_memo("note", &a.note, false)?,
                },
            },
        ))
    }
}
