//! The capital projects part of the wire: `ProjectsOperation` into its operations.

use std::collections::BTreeSet;

use super::governance::parse_sha256;
use crate::ledger::{
    AreaCode, CivilDate, KeyId, MAX_FEN, MAX_MILESTONES, MAX_YEAR_PLANS, Milestone, Operation,
    Period, ProjectId, ProjectView, ProjectsOp, Refusal, Sequence, YearPlan, parse_code,
    parse_memo, parse_text,
};
use crate::pb::projects as pb;

/// An amount in fen of `field`: at most [`MAX_FEN`] (and at least 1 if `positive`).
pub(super) fn fen(field: &'static str, value: u64, positive: bool) -> Result<u64, Refusal> {
    if value > MAX_FEN || (positive && value == 0) {
        return Err(Refusal::InvalidField {
            field,
            expected: format!(
                "an amount in fen from {} to {MAX_FEN}",
                if positive { 1 } else { 0 }
            ),
            found: value.to_string(),
        });
    }
    Ok(value)
}

/// A reported month: from 2000-01 (the year columns' first year).
fn period(text: &str) -> Result<Period, Refusal> {
    let period = Period::parse("period", text)?;
    if period.year < 2000 {
        return Err(Refusal::InvalidField {
            field: "period",
            expected: "a month from 2000-01".into(),
            found: period.to_string(),
        });
    }
    Ok(period)
}

fn project_id(value: &str) -> Result<ProjectId, Refusal> {
    ProjectId::parse("project_id", value)
}

fn define(d: &pb::DefineProject) -> Result<ProjectView, Refusal> {
    let planned_fen = fen("planned_fen", d.planned_fen, true)?;
    if d.years.len() > MAX_YEAR_PLANS {
        return Err(Refusal::InvalidField {
            field: "years",
            expected: format!("at most {MAX_YEAR_PLANS} yearly plans"),
            found: d.years.len().to_string(),
        });
    }
    let mut years = Vec::with_capacity(d.years.len());
    let mut seen = BTreeSet::new();
    let mut sum: u64 = 0;
    for y in &d.years {
        if !(2000..=9999).contains(&y.year) || !seen.insert(y.year) {
            return Err(Refusal::InvalidField {
                field: "years.year",
                expected: "distinct years from 2000 to 9999".into(),
                found: y.year.to_string(),
            });
        }
        let planned = fen("years.planned_fen", y.planned_fen, true)?;
        // Each is at most 10^15 and there are at most 20: no overflow.
        sum += planned;
        years.push(YearPlan {
            year: y.year,
            planned_fen: planned,
        });
    }
    if sum > planned_fen {
        return Err(Refusal::InvalidField {
            field: "years",
            expected: format!("yearly plans summing to at most planned_fen ({planned_fen} fen)"),
            found: format!("{sum} fen"),
        });
    }
    years.sort_by_key(|y| y.year);
    if d.milestones.len() > MAX_MILESTONES {
        return Err(Refusal::InvalidField {
            field: "milestones",
            expected: format!("at most {MAX_MILESTONES} milestones"),
            found: d.milestones.len().to_string(),
        });
    }
    let mut codes = BTreeSet::new();
    let mut milestones = Vec::with_capacity(d.milestones.len());
    for m in &d.milestones {
        let code = parse_code("milestones.code", &m.code)?;
        if !codes.insert(code.clone()) {
            return Err(Refusal::InvalidField {
                field: "milestones.code",
                expected: "distinct milestone codes".into(),
                found: format!("{code:?} twice"),
            });
        }
        milestones.push(Milestone {
            code,
            title: parse_text("milestones.title", &m.title)?,
            due: CivilDate::from_wire("milestones.due_date", m.due_date)?,
            reached: None,
        });
    }
    Ok(ProjectView {
        id: project_id(&d.project_id)?,
        name: parse_text("name", &d.name)?,
        area: AreaCode::parse("area_code", &d.area_code)?,
        planned_fen,
        years,
        milestones,
        approval: parse_sha256("approval_sha256", &d.approval_sha256)?,
        figures: Vec::new(),
        // Set by the state machine from the entry.
        defined_by: KeyId([0; 16]),
        sequence: Sequence(0),
    })
}

impl TryFrom<&pb::ProjectsOperation> for Operation {
    type Error = Refusal;

    fn try_from(operation: &pb::ProjectsOperation) -> Result<Self, Refusal> {
        use pb::projects_operation::Operation as Op;
        Ok(Operation::Projects(
            match operation
                .operation
                .as_ref()
                .ok_or(Refusal::MissingOperation)?
            {
                Op::DefineProject(d) => ProjectsOp::Define(Box::new(define(d)?)),
                Op::ReportProgress(r) => ProjectsOp::ReportProgress {
                    project: project_id(&r.project_id)?,
                    period: period(&r.period)?,
                    cumulative_fen: fen("cumulative_fen", r.cumulative_fen, false)?,
                    note: parse_memo("note", &r.note, false)?,
                },
                Op::CorrectInvestment(c) => ProjectsOp::CorrectInvestment {
                    project: project_id(&c.project_id)?,
                    cumulative_fen: fen("cumulative_fen", c.cumulative_fen, false)?,
                    audit: parse_sha256("audit_sha256", &c.audit_sha256)?,
                    reason: parse_memo("reason", &c.reason, true)?,
                },
                Op::ReachMilestone(m) => ProjectsOp::ReachMilestone {
                    project: project_id(&m.project_id)?,
                    milestone: parse_code("milestone", &m.milestone)?,
                    reached_on: CivilDate::from_wire("reached_on", m.reached_on)?,
                },
            },
        ))
    }
}
