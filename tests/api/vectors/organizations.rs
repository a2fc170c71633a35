//! The social organizations operations (`shanzhi.organizations.v1`), encoded by hand and in
//! the proto3 JSON mapping, for the vectors' cross-checks; and a check of the hand encoding
//! against prost's for one operation of each kind.

use shanzhi::pb::organizations as pb;
use shanzhi::pb::organizations::organizations_operation::Operation as L;

use super::json::{Json, Obj};
use super::protobuf::wire;

/// An `OrganizationsOperation`'s bytes, by hand.
pub(super) fn organizations_by_hand(operation: &pb::OrganizationsOperation) -> Vec<u8> {
    let mut inner = Vec::new();
    let case = match &operation.operation {
        Some(L::FileAnnualReport(f)) => {
            wire::bytes(1, &f.organization_id, &mut inner);
            wire::uint(2, u64::from(f.year), &mut inner);
            wire::bytes(3, &f.report_sha256, &mut inner);
            1
        }
        Some(L::RecordAnnualInspection(i)) => {
            wire::bytes(1, &i.organization_id, &mut inner);
            wire::uint(2, u64::from(i.year), &mut inner);
            wire::bytes(3, i.result.as_bytes(), &mut inner);
            wire::bytes(4, &i.conclusion_sha256, &mut inner);
            2
        }
        Some(L::ListAbnormal(l)) => {
            wire::bytes(1, &l.organization_id, &mut inner);
            wire::bytes(2, l.ground.as_bytes(), &mut inner);
            wire::uint(3, u64::from(l.year), &mut inner);
            wire::bytes(4, &l.evidence_sha256, &mut inner);
            3
        }
        Some(L::RemoveFromAbnormalList(r)) => {
            wire::bytes(1, &r.organization_id, &mut inner);
            wire::bytes(2, &r.evidence_sha256, &mut inner);
            wire::bytes(3, r.reason.as_bytes(), &mut inner);
            4
        }
        Some(L::ListSerious(l)) => {
            wire::bytes(1, &l.organization_id, &mut inner);
            wire::bytes(2, l.reason.as_bytes(), &mut inner);
            5
        }
        Some(L::OpenEnforcementCase(o)) => {
            wire::bytes(1, &o.case_id, &mut inner);
            wire::bytes(2, o.kind.as_bytes(), &mut inner);
            wire::bytes(3, &o.organization_id, &mut inner);
            wire::bytes(4, o.area_code.as_bytes(), &mut inner);
            wire::bytes(5, o.name.as_bytes(), &mut inner);
            wire::bytes(6, o.ground.as_bytes(), &mut inner);
            wire::bytes(7, &o.evidence_sha256, &mut inner);
            6
        }
        Some(L::CloseEnforcementCase(c)) => {
            wire::bytes(1, &c.case_id, &mut inner);
            wire::bytes(2, c.outcome.as_bytes(), &mut inner);
            wire::bytes(3, &c.decision_sha256, &mut inner);
            wire::bytes(4, c.reason.as_bytes(), &mut inner);
            7
        }
        Some(L::DefineContest(d)) => {
            wire::bytes(1, d.contest_id.as_bytes(), &mut inner);
            wire::bytes(2, d.title.as_bytes(), &mut inner);
            wire::uint(3, u64::from(d.year), &mut inner);
            wire::bytes(4, d.area_code.as_bytes(), &mut inner);
            wire::uint(5, d.budget_fen, &mut inner);
            8
        }
        Some(L::AwardGrant(a)) => {
            wire::bytes(1, a.contest_id.as_bytes(), &mut inner);
            wire::bytes(2, &a.organization_id, &mut inner);
            wire::uint(3, a.amount_fen, &mut inner);
            wire::bytes(4, a.project_title.as_bytes(), &mut inner);
            wire::bytes(5, &a.application_sha256, &mut inner);
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

/// An `OrganizationsOperation` in the proto3 JSON mapping.
pub(super) fn organizations_json(operation: &pb::OrganizationsOperation) -> Json {
    let obj = match &operation.operation {
        Some(L::FileAnnualReport(f)) => Obj::new().put(
            "fileAnnualReport",
            Obj::new()
                .p_bytes("organizationId", &f.organization_id)
                .p_u32("year", f.year)
                .p_bytes("reportSha256", &f.report_sha256),
        ),
        Some(L::RecordAnnualInspection(i)) => Obj::new().put(
            "recordAnnualInspection",
            Obj::new()
                .p_bytes("organizationId", &i.organization_id)
                .p_u32("year", i.year)
                .p_str("result", &i.result)
                .p_bytes("conclusionSha256", &i.conclusion_sha256),
        ),
        Some(L::ListAbnormal(l)) => Obj::new().put(
            "listAbnormal",
            Obj::new()
                .p_bytes("organizationId", &l.organization_id)
                .p_str("ground", &l.ground)
                .p_u32("year", l.year)
                .p_bytes("evidenceSha256", &l.evidence_sha256),
        ),
        Some(L::RemoveFromAbnormalList(r)) => Obj::new().put(
            "removeFromAbnormalList",
            Obj::new()
                .p_bytes("organizationId", &r.organization_id)
                .p_bytes("evidenceSha256", &r.evidence_sha256)
                .p_str("reason", &r.reason),
        ),
        Some(L::ListSerious(l)) => Obj::new().put(
            "listSerious",
            Obj::new()
                .p_bytes("organizationId", &l.organization_id)
                .p_str("reason", &l.reason),
        ),
        Some(L::OpenEnforcementCase(o)) => Obj::new().put(
            "openEnforcementCase",
            Obj::new()
                .p_bytes("caseId", &o.case_id)
                .p_str("kind", &o.kind)
                .p_bytes("organizationId", &o.organization_id)
                .p_str("areaCode", &o.area_code)
                .p_str("name", &o.name)
                .p_str("ground", &o.ground)
                .p_bytes("evidenceSha256", &o.evidence_sha256),
        ),
        Some(L::CloseEnforcementCase(c)) => Obj::new().put(
            "closeEnforcementCase",
            Obj::new()
                .p_bytes("caseId", &c.case_id)
                .p_str("outcome", &c.outcome)
                .p_bytes("decisionSha256", &c.decision_sha256)
                .p_str("reason", &c.reason),
        ),
        Some(L::DefineContest(d)) => Obj::new().put(
            "defineContest",
            Obj::new()
                .p_str("contestId", &d.contest_id)
                .p_str("title", &d.title)
                .p_u32("year", d.year)
                .p_str("areaCode", &d.area_code)
                .p_u64("budgetFen", d.budget_fen),
        ),
        Some(L::AwardGrant(a)) => Obj::new().put(
            "awardGrant",
            Obj::new()
                .p_str("contestId", &a.contest_id)
                .p_bytes("organizationId", &a.organization_id)
                .p_u64("amountFen", a.amount_fen)
                .p_str("projectTitle", &a.project_title)
                .p_bytes("applicationSha256", &a.application_sha256),
        ),
        None => Obj::new(),
    };
    obj.into()
}

#[test]
fn the_hand_encoding_of_each_organizations_operation_is_prosts() {
    use prost::Message;
    let org = vec![7u8; 16];
    let digest = vec![9u8; 32];
    let operations = [
        L::FileAnnualReport(pb::FileAnnualReport {
            organization_id: org.clone(),
            year: 2025,
            report_sha256: digest.clone(),
        }),
        L::RecordAnnualInspection(pb::RecordAnnualInspection {
            organization_id: org.clone(),
            year: 2025,
            result: "qualified".into(),
            conclusion_sha256: digest.clone(),
        }),
        L::ListAbnormal(pb::ListAbnormal {
            organization_id: org.clone(),
            ground: "missing-report".into(),
            year: 2024,
            evidence_sha256: digest.clone(),
        }),
        L::RemoveFromAbnormalList(pb::RemoveFromAbnormalList {
            organization_id: org.clone(),
            evidence_sha256: digest.clone(),
            reason: "报告已补报".into(),
        }),
        L::ListSerious(pb::ListSerious {
            organization_id: org.clone(),
            reason: "满两年".into(),
        }),
        L::OpenEnforcementCase(pb::OpenEnforcementCase {
            case_id: vec![3; 16],
            kind: "illegal-organization".into(),
            organization_id: org.clone(),
            area_code: "420581".into(),
            name: "宜都某某协会".into(),
            ground: "举报".into(),
            evidence_sha256: digest.clone(),
        }),
        L::CloseEnforcementCase(pb::CloseEnforcementCase {
            case_id: vec![3; 16],
            outcome: "banned".into(),
            decision_sha256: digest.clone(),
            reason: "取缔".into(),
        }),
        L::DefineContest(pb::DefineContest {
            contest_id: "venture-2026".into(),
            title: "公益创投大赛".into(),
            year: 2026,
            area_code: "420581".into(),
            budget_fen: 50_000_000,
        }),
        L::AwardGrant(pb::AwardGrant {
            contest_id: "venture-2026".into(),
            organization_id: org,
            amount_fen: 3_000_000,
            project_title: "助老服务".into(),
            application_sha256: digest,
        }),
    ];
    for operation in operations {
        let message = pb::OrganizationsOperation {
            operation: Some(operation),
        };
        assert_eq!(
            organizations_by_hand(&message),
            message.encode_to_vec(),
            "{message:?}"
        );
    }
}
