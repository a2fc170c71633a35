//! The elderly care operations (`shanzhi.elderly.v1`), encoded by hand and in the proto3 JSON
//! mapping, for the vectors' cross-checks; and a check of the hand encoding against prost's
//! for one operation of each kind.

use shanzhi::pb::elderly as pb;
use shanzhi::pb::elderly::elderly_operation::Operation as L;

use super::json::{Json, Obj};
use super::protobuf::wire;

/// An `ElderlyOperation`'s bytes, by hand.
pub(super) fn elderly_by_hand(operation: &pb::ElderlyOperation) -> Vec<u8> {
    let mut inner = Vec::new();
    let case = match &operation.operation {
        Some(L::RecordInstitution(m)) => {
            wire::bytes(1, &m.organization_id, &mut inner);
            wire::uint(2, u64::from(m.total_beds), &mut inner);
            wire::uint(3, u64::from(m.nursing_beds), &mut inner);
            wire::bytes(4, m.status.as_bytes(), &mut inner);
            1
        }
        Some(L::GradeInstitution(m)) => {
            wire::bytes(1, &m.organization_id, &mut inner);
            wire::uint(2, u64::from(m.grade), &mut inner);
            wire::bytes(3, &m.conclusion_sha256, &mut inner);
            2
        }
        Some(L::RecordStaffCertificate(m)) => {
            wire::bytes(1, &m.certificate_id, &mut inner);
            wire::bytes(2, &m.organization_id, &mut inner);
            wire::bytes(3, m.kind.as_bytes(), &mut inner);
            wire::uint(4, u64::from(m.valid_until), &mut inner);
            wire::bytes(5, &m.certificate_sha256, &mut inner);
            3
        }
        Some(L::AssessAbility(m)) => {
            wire::bytes(1, &m.person_id, &mut inner);
            wire::bytes(2, m.level.as_bytes(), &mut inner);
            wire::bytes(3, &m.report_sha256, &mut inner);
            4
        }
        Some(L::DefineCanteen(m)) => {
            wire::bytes(1, m.canteen_id.as_bytes(), &mut inner);
            wire::bytes(2, m.name.as_bytes(), &mut inner);
            wire::bytes(3, m.area_code.as_bytes(), &mut inner);
            5
        }
        Some(L::EnrollDiner(m)) => {
            wire::bytes(1, m.canteen_id.as_bytes(), &mut inner);
            wire::bytes(2, &m.person_id, &mut inner);
            wire::bytes(3, m.age_tier.as_bytes(), &mut inner);
            6
        }
        Some(L::ServeMeal(m)) => {
            wire::bytes(1, m.canteen_id.as_bytes(), &mut inner);
            wire::bytes(2, &m.person_id, &mut inner);
            wire::bytes(3, m.slot.as_bytes(), &mut inner);
            7
        }
        Some(L::OpenAdaptation(m)) => {
            wire::bytes(1, &m.case_id, &mut inner);
            wire::bytes(2, &m.person_id, &mut inner);
            wire::uint(3, m.budget_fen, &mut inner);
            wire::bytes(4, &m.plan_sha256, &mut inner);
            8
        }
        Some(L::CompleteAdaptation(m)) => {
            wire::bytes(1, &m.case_id, &mut inner);
            wire::uint(2, m.cost_fen, &mut inner);
            wire::bytes(3, &m.acceptance_sha256, &mut inner);
            9
        }
        Some(L::EnrollInsurance(m)) => {
            wire::bytes(1, &m.person_id, &mut inner);
            wire::uint(2, u64::from(m.policy_year), &mut inner);
            wire::bytes(3, &m.policy_sha256, &mut inner);
            10
        }
        Some(L::RecordVolunteerShift(m)) => {
            wire::bytes(1, m.activity_id.as_bytes(), &mut inner);
            wire::bytes(2, m.canteen_id.as_bytes(), &mut inner);
            wire::bytes(3, &m.volunteer_id, &mut inner);
            wire::uint(4, u64::from(m.day), &mut inner);
            wire::uint(5, u64::from(m.hours), &mut inner);
            11
        }
        None => 0,
    };
    let mut m = Vec::new();
    if case != 0 {
        wire::message(case, &inner, &mut m);
    }
    m
}

/// An `ElderlyOperation` in the proto3 JSON mapping.
pub(super) fn elderly_json(operation: &pb::ElderlyOperation) -> Json {
    let obj = match &operation.operation {
        Some(L::RecordInstitution(m)) => Obj::new().put(
            "recordInstitution",
            Obj::new()
                .p_bytes("organizationId", &m.organization_id)
                .p_u32("totalBeds", m.total_beds)
                .p_u32("nursingBeds", m.nursing_beds)
                .p_str("status", &m.status),
        ),
        Some(L::GradeInstitution(m)) => Obj::new().put(
            "gradeInstitution",
            Obj::new()
                .p_bytes("organizationId", &m.organization_id)
                .p_u32("grade", m.grade)
                .p_bytes("conclusionSha256", &m.conclusion_sha256),
        ),
        Some(L::RecordStaffCertificate(m)) => Obj::new().put(
            "recordStaffCertificate",
            Obj::new()
                .p_bytes("certificateId", &m.certificate_id)
                .p_bytes("organizationId", &m.organization_id)
                .p_str("kind", &m.kind)
                .p_u32("validUntil", m.valid_until)
                .p_bytes("certificateSha256", &m.certificate_sha256),
        ),
        Some(L::AssessAbility(m)) => Obj::new().put(
            "assessAbility",
            Obj::new()
                .p_bytes("personId", &m.person_id)
                .p_str("level", &m.level)
                .p_bytes("reportSha256", &m.report_sha256),
        ),
        Some(L::DefineCanteen(m)) => Obj::new().put(
            "defineCanteen",
            Obj::new()
                .p_str("canteenId", &m.canteen_id)
                .p_str("name", &m.name)
                .p_str("areaCode", &m.area_code),
        ),
        Some(L::EnrollDiner(m)) => Obj::new().put(
            "enrollDiner",
            Obj::new()
                .p_str("canteenId", &m.canteen_id)
                .p_bytes("personId", &m.person_id)
                .p_str("ageTier", &m.age_tier),
        ),
        Some(L::ServeMeal(m)) => Obj::new().put(
            "serveMeal",
            Obj::new()
                .p_str("canteenId", &m.canteen_id)
                .p_bytes("personId", &m.person_id)
                .p_str("slot", &m.slot),
        ),
        Some(L::OpenAdaptation(m)) => Obj::new().put(
            "openAdaptation",
            Obj::new()
                .p_bytes("caseId", &m.case_id)
                .p_bytes("personId", &m.person_id)
                .p_u64("budgetFen", m.budget_fen)
                .p_bytes("planSha256", &m.plan_sha256),
        ),
        Some(L::CompleteAdaptation(m)) => Obj::new().put(
            "completeAdaptation",
            Obj::new()
                .p_bytes("caseId", &m.case_id)
                .p_u64("costFen", m.cost_fen)
                .p_bytes("acceptanceSha256", &m.acceptance_sha256),
        ),
        Some(L::EnrollInsurance(m)) => Obj::new().put(
            "enrollInsurance",
            Obj::new()
                .p_bytes("personId", &m.person_id)
                .p_u32("policyYear", m.policy_year)
                .p_bytes("policySha256", &m.policy_sha256),
        ),
        Some(L::RecordVolunteerShift(m)) => Obj::new().put(
            "recordVolunteerShift",
            Obj::new()
                .p_str("activityId", &m.activity_id)
                .p_str("canteenId", &m.canteen_id)
                .p_bytes("volunteerId", &m.volunteer_id)
                .p_u32("day", m.day)
                .p_u32("hours", m.hours),
        ),
        None => Obj::new(),
    };
    obj.into()
}

#[test]
fn the_hand_encoding_of_each_elderly_operation_is_prosts() {
    use prost::Message;
    let operations = [
        L::RecordInstitution(pb::RecordInstitution {
            organization_id: vec![7; 16],
            total_beds: 60,
            nursing_beds: 60,
            status: "lunch".into(),
        }),
        L::GradeInstitution(pb::GradeInstitution {
            organization_id: vec![7; 16],
            grade: 60,
            conclusion_sha256: vec![9; 32],
        }),
        L::RecordStaffCertificate(pb::RecordStaffCertificate {
            certificate_id: vec![7; 16],
            organization_id: vec![7; 16],
            kind: "lunch".into(),
            valid_until: 60,
            certificate_sha256: vec![9; 32],
        }),
        L::AssessAbility(pb::AssessAbility {
            person_id: vec![7; 16],
            level: "lunch".into(),
            report_sha256: vec![9; 32],
        }),
        L::DefineCanteen(pb::DefineCanteen {
            canteen_id: "lunch".into(),
            name: "lunch".into(),
            area_code: "lunch".into(),
        }),
        L::EnrollDiner(pb::EnrollDiner {
            canteen_id: "lunch".into(),
            person_id: vec![7; 16],
            age_tier: "lunch".into(),
        }),
        L::ServeMeal(pb::ServeMeal {
            canteen_id: "lunch".into(),
            person_id: vec![7; 16],
            slot: "lunch".into(),
        }),
        L::OpenAdaptation(pb::OpenAdaptation {
            case_id: vec![7; 16],
            person_id: vec![7; 16],
            budget_fen: 150_000,
            plan_sha256: vec![9; 32],
        }),
        L::CompleteAdaptation(pb::CompleteAdaptation {
            case_id: vec![7; 16],
            cost_fen: 150_000,
            acceptance_sha256: vec![9; 32],
        }),
        L::EnrollInsurance(pb::EnrollInsurance {
            person_id: vec![7; 16],
            policy_year: 60,
            policy_sha256: vec![9; 32],
        }),
        L::RecordVolunteerShift(pb::RecordVolunteerShift {
            activity_id: "lunch".into(),
            canteen_id: "lunch".into(),
            volunteer_id: vec![7; 16],
            day: 60,
            hours: 4,
        }),
    ];
    for operation in operations {
        let message = pb::ElderlyOperation {
            operation: Some(operation),
        };
        assert_eq!(
            elderly_by_hand(&message),
            message.encode_to_vec(),
            "{message:?}"
        );
    }
}
