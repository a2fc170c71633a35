//! The capital projects operations (`shanzhi.projects.v1`), encoded by hand and in the
//! proto3 JSON mapping, for the vectors' cross-checks.

use shanzhi::pb::projects as pb;
use shanzhi::pb::projects::projects_operation::Operation as P;

use super::json::{Json, Obj};
use super::protobuf::wire;

/// A `ProjectsOperation`'s bytes, by hand.
pub(super) fn projects_by_hand(operation: &pb::ProjectsOperation) -> Vec<u8> {
    let mut inner = Vec::new();
    let case = match &operation.operation {
        Some(P::DefineProject(d)) => {
            wire::bytes(1, d.project_id.as_bytes(), &mut inner);
            wire::bytes(2, d.name.as_bytes(), &mut inner);
            wire::bytes(3, d.area_code.as_bytes(), &mut inner);
            wire::uint(4, d.planned_fen, &mut inner);
            for y in &d.years {
                let mut m = Vec::new();
                wire::uint(1, u64::from(y.year), &mut m);
                wire::uint(2, y.planned_fen, &mut m);
                wire::message(5, &m, &mut inner);
            }
            for s in &d.milestones {
                let mut m = Vec::new();
                wire::bytes(1, s.code.as_bytes(), &mut m);
                wire::bytes(2, s.title.as_bytes(), &mut m);
                wire::uint(3, u64::from(s.due_date), &mut m);
                wire::message(6, &m, &mut inner);
            }
            wire::bytes(7, &d.approval_sha256, &mut inner);
            1
        }
        Some(P::ReportProgress(r)) => {
            wire::bytes(1, r.project_id.as_bytes(), &mut inner);
            wire::bytes(2, r.period.as_bytes(), &mut inner);
            wire::uint(3, r.cumulative_fen, &mut inner);
            wire::bytes(4, r.note.as_bytes(), &mut inner);
            2
        }
        Some(P::CorrectInvestment(c)) => {
            wire::bytes(1, c.project_id.as_bytes(), &mut inner);
            wire::uint(2, c.cumulative_fen, &mut inner);
            wire::bytes(3, &c.audit_sha256, &mut inner);
            wire::bytes(4, c.reason.as_bytes(), &mut inner);
            3
        }
        Some(P::ReachMilestone(m)) => {
            wire::bytes(1, m.project_id.as_bytes(), &mut inner);
            wire::bytes(2, m.milestone.as_bytes(), &mut inner);
            wire::uint(3, u64::from(m.reached_on), &mut inner);
            4
        }
        None => 0,
    };
    let mut m = Vec::new();
    if case != 0 {
        wire::message(case, &inner, &mut m);
    }
    m
}

/// A `ProjectsOperation` in the proto3 JSON mapping.
pub(super) fn projects_json(operation: &pb::ProjectsOperation) -> Json {
    let obj = match &operation.operation {
        Some(P::DefineProject(d)) => {
            let mut o = Obj::new()
                .p_str("projectId", &d.project_id)
                .p_str("name", &d.name)
                .p_str("areaCode", &d.area_code)
                .p_u64("plannedFen", d.planned_fen);
            if !d.years.is_empty() {
                let years: Vec<Json> = d
                    .years
                    .iter()
                    .map(|y| {
                        Obj::new()
                            .p_u32("year", y.year)
                            .p_u64("plannedFen", y.planned_fen)
                            .into()
                    })
                    .collect();
                o = o.put("years", years);
            }
            if !d.milestones.is_empty() {
                let milestones: Vec<Json> = d
                    .milestones
                    .iter()
                    .map(|m| {
                        Obj::new()
                            .p_str("code", &m.code)
                            .p_str("title", &m.title)
                            .p_u32("dueDate", m.due_date)
                            .into()
                    })
                    .collect();
                o = o.put("milestones", milestones);
            }
            Obj::new().put(
                "defineProject",
                o.p_bytes("approvalSha256", &d.approval_sha256),
            )
        }
        Some(P::ReportProgress(r)) => Obj::new().put(
            "reportProgress",
            Obj::new()
                .p_str("projectId", &r.project_id)
                .p_str("period", &r.period)
                .p_u64("cumulativeFen", r.cumulative_fen)
                .p_str("note", &r.note),
        ),
        Some(P::CorrectInvestment(c)) => Obj::new().put(
            "correctInvestment",
            Obj::new()
                .p_str("projectId", &c.project_id)
                .p_u64("cumulativeFen", c.cumulative_fen)
                .p_bytes("auditSha256", &c.audit_sha256)
                .p_str("reason", &c.reason),
        ),
        Some(P::ReachMilestone(m)) => Obj::new().put(
            "reachMilestone",
            Obj::new()
                .p_str("projectId", &m.project_id)
                .p_str("milestone", &m.milestone)
                .p_u32("reachedOn", m.reached_on),
        ),
        None => Obj::new(),
    };
    obj.into()
}
