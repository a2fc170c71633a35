//! The rescue operations (`shanzhi.rescue.v1`), encoded by hand and in the proto3 JSON
//! mapping, for the vectors' cross-checks; and a check of the hand encoding against prost's
//! for one operation of each kind.

use shanzhi::pb::rescue as pb;
use shanzhi::pb::rescue::rescue_operation::Operation as L;

use super::json::{Json, Obj};
use super::protobuf::wire;

/// A `RescueOperation`'s bytes, by hand.
pub(super) fn rescue_by_hand(operation: &pb::RescueOperation) -> Vec<u8> {
    let mut inner = Vec::new();
    let case = match &operation.operation {
        Some(L::DefineCampaign(m)) => {
            wire::bytes(1, m.campaign_id.as_bytes(), &mut inner);
            wire::bytes(2, m.kind.as_bytes(), &mut inner);
            wire::bytes(3, m.area_code.as_bytes(), &mut inner);
            wire::uint(4, u64::from(m.starts_on), &mut inner);
            wire::uint(5, u64::from(m.ends_on), &mut inner);
            1
        }
        Some(L::RecordEncounter(m)) => {
            wire::bytes(1, &m.encounter_id, &mut inner);
            wire::bytes(2, m.area_code.as_bytes(), &mut inner);
            wire::bytes(3, m.help.as_bytes(), &mut inner);
            wire::bytes(4, m.campaign_id.as_bytes(), &mut inner);
            wire::bytes(5, m.note.as_bytes(), &mut inner);
            2
        }
        Some(L::Admit(m)) => {
            wire::bytes(1, &m.admission_id, &mut inner);
            wire::bytes(2, m.area_code.as_bytes(), &mut inner);
            wire::bytes(3, &m.person_id, &mut inner);
            wire::bytes(4, m.group.as_bytes(), &mut inner);
            wire::bytes(5, &m.encounter_id, &mut inner);
            3
        }
        Some(L::PublishTracingNotice(m)) => {
            wire::bytes(1, &m.admission_id, &mut inner);
            wire::bytes(2, &m.notice_sha256, &mut inner);
            4
        }
        Some(L::ExtendStay(m)) => {
            wire::bytes(1, &m.admission_id, &mut inner);
            wire::bytes(2, m.reason.as_bytes(), &mut inner);
            5
        }
        Some(L::Discharge(m)) => {
            wire::bytes(1, &m.admission_id, &mut inner);
            wire::bytes(2, m.escort.as_bytes(), &mut inner);
            wire::bytes(3, &m.handover_sha256, &mut inner);
            wire::bytes(4, m.note.as_bytes(), &mut inner);
            6
        }
        Some(L::RecordConsent(m)) => {
            wire::bytes(1, &m.person_id, &mut inner);
            wire::bytes(2, &m.consent_sha256, &mut inner);
            7
        }
        Some(L::WithdrawConsent(m)) => {
            wire::bytes(1, &m.person_id, &mut inner);
            wire::bytes(2, m.note.as_bytes(), &mut inner);
            8
        }
        Some(L::RecordSession(m)) => {
            wire::bytes(1, &m.person_id, &mut inner);
            wire::bytes(2, m.kind.as_bytes(), &mut inner);
            wire::bytes(3, m.note.as_bytes(), &mut inner);
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

/// A `RescueOperation` in the proto3 JSON mapping.
pub(super) fn rescue_json(operation: &pb::RescueOperation) -> Json {
    let obj = match &operation.operation {
        Some(L::DefineCampaign(m)) => Obj::new().put(
            "defineCampaign",
            Obj::new()
                .p_str("campaignId", &m.campaign_id)
                .p_str("kind", &m.kind)
                .p_str("areaCode", &m.area_code)
                .p_u32("startsOn", m.starts_on)
                .p_u32("endsOn", m.ends_on),
        ),
        Some(L::RecordEncounter(m)) => Obj::new().put(
            "recordEncounter",
            Obj::new()
                .p_bytes("encounterId", &m.encounter_id)
                .p_str("areaCode", &m.area_code)
                .p_str("help", &m.help)
                .p_str("campaignId", &m.campaign_id)
                .p_str("note", &m.note),
        ),
        Some(L::Admit(m)) => Obj::new().put(
            "admit",
            Obj::new()
                .p_bytes("admissionId", &m.admission_id)
                .p_str("areaCode", &m.area_code)
                .p_bytes("personId", &m.person_id)
                .p_str("group", &m.group)
                .p_bytes("encounterId", &m.encounter_id),
        ),
        Some(L::PublishTracingNotice(m)) => Obj::new().put(
            "publishTracingNotice",
            Obj::new()
                .p_bytes("admissionId", &m.admission_id)
                .p_bytes("noticeSha256", &m.notice_sha256),
        ),
        Some(L::ExtendStay(m)) => Obj::new().put(
            "extendStay",
            Obj::new()
                .p_bytes("admissionId", &m.admission_id)
                .p_str("reason", &m.reason),
        ),
        Some(L::Discharge(m)) => Obj::new().put(
            "discharge",
            Obj::new()
                .p_bytes("admissionId", &m.admission_id)
                .p_str("escort", &m.escort)
                .p_bytes("handoverSha256", &m.handover_sha256)
                .p_str("note", &m.note),
        ),
        Some(L::RecordConsent(m)) => Obj::new().put(
            "recordConsent",
            Obj::new()
                .p_bytes("personId", &m.person_id)
                .p_bytes("consentSha256", &m.consent_sha256),
        ),
        Some(L::WithdrawConsent(m)) => Obj::new().put(
            "withdrawConsent",
            Obj::new()
                .p_bytes("personId", &m.person_id)
                .p_str("note", &m.note),
        ),
        Some(L::RecordSession(m)) => Obj::new().put(
            "recordSession",
            Obj::new()
                .p_bytes("personId", &m.person_id)
                .p_str("kind", &m.kind)
                .p_str("note", &m.note),
        ),
        None => Obj::new(),
    };
    obj.into()
}

#[test]
fn the_hand_encoding_of_each_rescue_operation_is_prosts() {
    use prost::Message;
    let operations = [
        L::DefineCampaign(pb::DefineCampaign {
            campaign_id: "x-1".into(),
            kind: "x-1".into(),
            area_code: "x-1".into(),
            starts_on: 20_000,
            ends_on: 20_000,
        }),
        L::RecordEncounter(pb::RecordEncounter {
            encounter_id: vec![7; 16],
            area_code: "x-1".into(),
            help: "x-1".into(),
            campaign_id: "x-1".into(),
            note: "x-1".into(),
        }),
        L::Admit(pb::Admit {
            admission_id: vec![7; 16],
            area_code: "x-1".into(),
            person_id: vec![7; 16],
            group: "x-1".into(),
            encounter_id: vec![7; 16],
        }),
        L::PublishTracingNotice(pb::PublishTracingNotice {
            admission_id: vec![7; 16],
            notice_sha256: vec![9; 32],
        }),
        L::ExtendStay(pb::ExtendStay {
            admission_id: vec![7; 16],
            reason: "x-1".into(),
        }),
        L::Discharge(pb::Discharge {
            admission_id: vec![7; 16],
            escort: "x-1".into(),
            handover_sha256: vec![9; 32],
            note: "x-1".into(),
        }),
        L::RecordConsent(pb::RecordConsent {
            person_id: vec![7; 16],
            consent_sha256: vec![9; 32],
        }),
        L::WithdrawConsent(pb::WithdrawConsent {
            person_id: vec![7; 16],
            note: "x-1".into(),
        }),
        L::RecordSession(pb::RecordSession {
            person_id: vec![7; 16],
            kind: "x-1".into(),
            note: "x-1".into(),
        }),
    ];
    for operation in operations {
        let message = pb::RescueOperation {
            operation: Some(operation),
        };
        assert_eq!(
            rescue_by_hand(&message),
            message.encode_to_vec(),
            "{message:?}"
        );
    }
}
