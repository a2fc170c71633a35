//! The benefits operations (`shanzhi.benefits.v1`), encoded by hand and in the proto3 JSON
//! mapping, for the vectors' cross-checks.

use shanzhi::pb::benefits as pb;
use shanzhi::pb::benefits::benefits_operation::Operation as B;

use super::json::{Json, Obj};
use super::protobuf::wire;

/// A `BenefitsOperation`'s bytes, by hand.
pub(super) fn benefits_by_hand(operation: &pb::BenefitsOperation) -> Vec<u8> {
    let mut inner = Vec::new();
    let case = match &operation.operation {
        Some(B::DefineScheme(d)) => {
            wire::bytes(1, d.scheme.as_bytes(), &mut inner);
            wire::bytes(2, d.program.as_bytes(), &mut inner);
            for t in &d.case_types {
                wire::message(3, t.as_bytes(), &mut inner);
            }
            wire::bytes(4, d.exclusive_group.as_bytes(), &mut inner);
            1
        }
        Some(B::SetSchemeParameters(p)) => {
            wire::bytes(1, p.scheme.as_bytes(), &mut inner);
            wire::uint(2, u64::from(p.version), &mut inner);
            wire::bytes(3, p.effective_from.as_bytes(), &mut inner);
            wire::uint(4, p.monthly_fen, &mut inner);
            2
        }
        Some(B::Enroll(e)) => {
            wire::bytes(1, &e.enrollment_id, &mut inner);
            wire::bytes(2, e.scheme.as_bytes(), &mut inner);
            wire::bytes(3, &e.case_id, &mut inner);
            wire::bytes(4, e.from_period.as_bytes(), &mut inner);
            wire::uint(5, e.monthly_fen, &mut inner);
            3
        }
        Some(B::EndEnrollment(e)) => {
            wire::bytes(1, &e.enrollment_id, &mut inner);
            wire::bytes(2, e.last_period.as_bytes(), &mut inner);
            wire::bytes(3, e.reason.as_bytes(), &mut inner);
            4
        }
        Some(B::IssuePaymentBatch(b)) => {
            wire::bytes(1, &b.batch_id, &mut inner);
            wire::bytes(2, b.scheme.as_bytes(), &mut inner);
            wire::bytes(3, b.area_code.as_bytes(), &mut inner);
            wire::bytes(4, b.period.as_bytes(), &mut inner);
            5
        }
        Some(B::RecordRecovery(r)) => {
            wire::bytes(1, &r.enrollment_id, &mut inner);
            wire::uint(2, r.amount_fen, &mut inner);
            wire::bytes(3, r.reason.as_bytes(), &mut inner);
            6
        }
        Some(B::DefineUnit(u)) => {
            wire::bytes(1, &u.unit_id, &mut inner);
            wire::bytes(2, u.kind.as_bytes(), &mut inner);
            wire::bytes(3, u.label.as_bytes(), &mut inner);
            wire::bytes(4, u.program.as_bytes(), &mut inner);
            wire::bytes(5, u.area_code.as_bytes(), &mut inner);
            wire::bytes(6, &u.organization_id, &mut inner);
            7
        }
        Some(B::AllocateUnit(a)) => {
            wire::bytes(1, &a.unit_id, &mut inner);
            wire::bytes(2, &a.person_id, &mut inner);
            8
        }
        Some(B::ReleaseUnit(r)) => {
            wire::bytes(1, &r.unit_id, &mut inner);
            wire::bytes(2, r.reason.as_bytes(), &mut inner);
            9
        }
        None => 0,
    };
    let mut m = Vec::new();
    if case != 0 {
        wire::message(case, &inner, &mut m);
    }
    m
}

/// A `BenefitsOperation` in the proto3 JSON mapping.
pub(super) fn benefits_json(operation: &pb::BenefitsOperation) -> Json {
    let obj = match &operation.operation {
        Some(B::DefineScheme(d)) => {
            let mut inner = Obj::new()
                .p_str("scheme", &d.scheme)
                .p_str("program", &d.program);
            if !d.case_types.is_empty() {
                let types: Vec<Json> = d
                    .case_types
                    .iter()
                    .map(|t| Json::from(t.as_str()))
                    .collect();
                inner = inner.put("caseTypes", types);
            }
            Obj::new().put(
                "defineScheme",
                inner.p_str("exclusiveGroup", &d.exclusive_group),
            )
        }
        Some(B::SetSchemeParameters(p)) => Obj::new().put(
            "setSchemeParameters",
            Obj::new()
                .p_str("scheme", &p.scheme)
                .p_u32("version", p.version)
                .p_str("effectiveFrom", &p.effective_from)
                .p_u64("monthlyFen", p.monthly_fen),
        ),
        Some(B::Enroll(e)) => Obj::new().put(
            "enroll",
            Obj::new()
                .p_bytes("enrollmentId", &e.enrollment_id)
                .p_str("scheme", &e.scheme)
                .p_bytes("caseId", &e.case_id)
                .p_str("fromPeriod", &e.from_period)
                .p_u64("monthlyFen", e.monthly_fen),
        ),
        Some(B::EndEnrollment(e)) => Obj::new().put(
            "endEnrollment",
            Obj::new()
                .p_bytes("enrollmentId", &e.enrollment_id)
                .p_str("lastPeriod", &e.last_period)
                .p_str("reason", &e.reason),
        ),
        Some(B::IssuePaymentBatch(b)) => Obj::new().put(
            "issuePaymentBatch",
            Obj::new()
                .p_bytes("batchId", &b.batch_id)
                .p_str("scheme", &b.scheme)
                .p_str("areaCode", &b.area_code)
                .p_str("period", &b.period),
        ),
        Some(B::RecordRecovery(r)) => Obj::new().put(
            "recordRecovery",
            Obj::new()
                .p_bytes("enrollmentId", &r.enrollment_id)
                .p_u64("amountFen", r.amount_fen)
                .p_str("reason", &r.reason),
        ),
        Some(B::DefineUnit(u)) => Obj::new().put(
            "defineUnit",
            Obj::new()
                .p_bytes("unitId", &u.unit_id)
                .p_str("kind", &u.kind)
                .p_str("label", &u.label)
                .p_str("program", &u.program)
                .p_str("areaCode", &u.area_code)
                .p_bytes("organizationId", &u.organization_id),
        ),
        Some(B::AllocateUnit(a)) => Obj::new().put(
            "allocateUnit",
            Obj::new()
                .p_bytes("unitId", &a.unit_id)
                .p_bytes("personId", &a.person_id),
        ),
        Some(B::ReleaseUnit(r)) => Obj::new().put(
            "releaseUnit",
            Obj::new()
                .p_bytes("unitId", &r.unit_id)
                .p_str("reason", &r.reason),
        ),
        None => Obj::new(),
    };
    obj.into()
}
