//! The social assistance operations (`shanzhi.assistance.v1`), encoded by hand and in the
//! proto3 JSON mapping, for the vectors' cross-checks.

use shanzhi::pb::assistance as pb;
use shanzhi::pb::assistance::assistance_operation::Operation as A;

use super::json::{Json, Obj};
use super::protobuf::wire;

/// An `AssistanceOperation`'s bytes, by hand.
pub(super) fn assistance_by_hand(operation: &pb::AssistanceOperation) -> Vec<u8> {
    let mut inner = Vec::new();
    let case = match &operation.operation {
        Some(A::RecordCommitment(c)) => {
            wire::bytes(1, &c.case_id, &mut inner);
            wire::uint(2, u64::from(c.verify_within_days), &mut inner);
            1
        }
        Some(A::CompleteVerification(v)) => {
            wire::bytes(1, &v.case_id, &mut inner);
            wire::uint(2, u64::from(v.truthful), &mut inner);
            wire::bytes(3, v.reason.as_bytes(), &mut inner);
            2
        }
        Some(A::RaiseAlert(a)) => {
            wire::bytes(1, &a.alert_id, &mut inner);
            wire::bytes(2, &a.person_id, &mut inner);
            wire::bytes(3, a.kind.as_bytes(), &mut inner);
            wire::bytes(4, a.area_code.as_bytes(), &mut inner);
            3
        }
        Some(A::ResolveAlert(r)) => {
            wire::bytes(1, &r.alert_id, &mut inner);
            wire::bytes(2, &r.case_id, &mut inner);
            wire::bytes(3, r.reason.as_bytes(), &mut inner);
            4
        }
        Some(A::SignCareAgreement(s)) => {
            wire::bytes(1, &s.agreement_id, &mut inner);
            wire::bytes(2, &s.case_id, &mut inner);
            for id in &s.caregiver_ids {
                wire::message(3, id, &mut inner);
            }
            wire::uint(4, u64::from(s.visit_every_days), &mut inner);
            5
        }
        Some(A::RecordVisit(v)) => {
            wire::bytes(1, &v.agreement_id, &mut inner);
            wire::bytes(2, v.note.as_bytes(), &mut inner);
            wire::bytes(3, &v.volunteer_id, &mut inner);
            wire::bytes(4, v.activity_id.as_bytes(), &mut inner);
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

/// An `AssistanceOperation` in the proto3 JSON mapping.
pub(super) fn assistance_json(operation: &pb::AssistanceOperation) -> Json {
    let obj = match &operation.operation {
        Some(A::RecordCommitment(c)) => Obj::new().put(
            "recordCommitment",
            Obj::new()
                .p_bytes("caseId", &c.case_id)
                .p_u32("verifyWithinDays", c.verify_within_days),
        ),
        Some(A::CompleteVerification(v)) => Obj::new().put(
            "completeVerification",
            Obj::new()
                .p_bytes("caseId", &v.case_id)
                .p_bool("truthful", v.truthful)
                .p_str("reason", &v.reason),
        ),
        Some(A::RaiseAlert(a)) => Obj::new().put(
            "raiseAlert",
            Obj::new()
                .p_bytes("alertId", &a.alert_id)
                .p_bytes("personId", &a.person_id)
                .p_str("kind", &a.kind)
                .p_str("areaCode", &a.area_code),
        ),
        Some(A::ResolveAlert(r)) => Obj::new().put(
            "resolveAlert",
            Obj::new()
                .p_bytes("alertId", &r.alert_id)
                .p_bytes("caseId", &r.case_id)
                .p_str("reason", &r.reason),
        ),
        Some(A::SignCareAgreement(s)) => {
            let mut inner = Obj::new()
                .p_bytes("agreementId", &s.agreement_id)
                .p_bytes("caseId", &s.case_id);
            if !s.caregiver_ids.is_empty() {
                use base64::Engine;
                let ids: Vec<Json> = s
                    .caregiver_ids
                    .iter()
                    .map(|id| Json::from(base64::engine::general_purpose::STANDARD.encode(id)))
                    .collect();
                inner = inner.put("caregiverIds", ids);
            }
            Obj::new().put(
                "signCareAgreement",
                inner.p_u32("visitEveryDays", s.visit_every_days),
            )
        }
        Some(A::RecordVisit(v)) => Obj::new().put(
            "recordVisit",
            Obj::new()
                .p_bytes("agreementId", &v.agreement_id)
                .p_str("note", &v.note)
                .p_bytes("volunteerId", &v.volunteer_id)
                .p_str("activityId", &v.activity_id),
        ),
        None => Obj::new(),
    };
    obj.into()
}
