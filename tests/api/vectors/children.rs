//! The children's program operations (`shanzhi.children.v1`), encoded by hand and in the
//! proto3 JSON mapping, for the vectors' cross-checks.

use shanzhi::pb::children as pb;
use shanzhi::pb::children::children_operation::Operation as C;

use super::json::{Json, Obj};
use super::protobuf::wire;

/// A `ChildrenOperation`'s bytes, by hand.
pub(super) fn children_by_hand(operation: &pb::ChildrenOperation) -> Vec<u8> {
    let mut inner = Vec::new();
    let case = match &operation.operation {
        Some(C::SetChildCategory(s)) => {
            wire::bytes(1, &s.child_id, &mut inner);
            wire::bytes(2, s.category.as_bytes(), &mut inner);
            wire::bytes(3, s.area_code.as_bytes(), &mut inner);
            wire::bytes(4, &s.evidence_sha256, &mut inner);
            1
        }
        Some(C::EndChildCategory(e)) => {
            wire::bytes(1, &e.child_id, &mut inner);
            wire::bytes(2, e.reason.as_bytes(), &mut inner);
            2
        }
        Some(C::ReportConcern(r)) => {
            wire::bytes(1, &r.report_id, &mut inner);
            wire::bytes(2, &r.child_id, &mut inner);
            wire::bytes(3, r.source.as_bytes(), &mut inner);
            wire::bytes(4, r.area_code.as_bytes(), &mut inner);
            3
        }
        Some(C::VerifyConcern(v)) => {
            wire::bytes(1, &v.report_id, &mut inner);
            4
        }
        Some(C::CloseConcern(c)) => {
            wire::bytes(1, &c.report_id, &mut inner);
            wire::bytes(2, &c.case_id, &mut inner);
            wire::bytes(3, c.reason.as_bytes(), &mut inner);
            5
        }
        Some(C::RecordChildVisit(v)) => {
            wire::bytes(1, &v.child_id, &mut inner);
            wire::bytes(2, v.note.as_bytes(), &mut inner);
            6
        }
        None => 0,
    };
    let mut m = Vec::new();
    if case != 0 {
        wire::message(case, &inner, &mut m);
    }
    m
}

/// A `ChildrenOperation` in the proto3 JSON mapping.
pub(super) fn children_json(operation: &pb::ChildrenOperation) -> Json {
    let obj = match &operation.operation {
        Some(C::SetChildCategory(s)) => Obj::new().put(
            "setChildCategory",
            Obj::new()
                .p_bytes("childId", &s.child_id)
                .p_str("category", &s.category)
                .p_str("areaCode", &s.area_code)
                .p_bytes("evidenceSha256", &s.evidence_sha256),
        ),
        Some(C::EndChildCategory(e)) => Obj::new().put(
            "endChildCategory",
            Obj::new()
                .p_bytes("childId", &e.child_id)
                .p_str("reason", &e.reason),
        ),
        Some(C::ReportConcern(r)) => Obj::new().put(
            "reportConcern",
            Obj::new()
                .p_bytes("reportId", &r.report_id)
                .p_bytes("childId", &r.child_id)
                .p_str("source", &r.source)
                .p_str("areaCode", &r.area_code),
        ),
        Some(C::VerifyConcern(v)) => Obj::new().put(
            "verifyConcern",
            Obj::new().p_bytes("reportId", &v.report_id),
        ),
        Some(C::CloseConcern(c)) => Obj::new().put(
            "closeConcern",
            Obj::new()
                .p_bytes("reportId", &c.report_id)
                .p_bytes("caseId", &c.case_id)
                .p_str("reason", &c.reason),
        ),
        Some(C::RecordChildVisit(v)) => Obj::new().put(
            "recordChildVisit",
            Obj::new()
                .p_bytes("childId", &v.child_id)
                .p_str("note", &v.note),
        ),
        None => Obj::new(),
    };
    obj.into()
}
