//! The funeral operations (`shanzhi.funeral.v1`), encoded by hand and in the proto3 JSON
//! mapping, for the vectors' cross-checks; and a check of the hand encoding against prost's
//! for one operation of each kind.

use shanzhi::pb::funeral as pb;
use shanzhi::pb::funeral::funeral_operation::Operation as L;

use super::json::{Json, Obj};
use super::protobuf::wire;

/// A `FuneralOperation`'s bytes, by hand.
pub(super) fn funeral_by_hand(operation: &pb::FuneralOperation) -> Vec<u8> {
    let mut inner = Vec::new();
    let case = match &operation.operation {
        Some(L::RegisterDeath(r)) => {
            wire::bytes(1, &r.case_id, &mut inner);
            wire::bytes(2, &r.person_id, &mut inner);
            wire::uint(3, u64::from(r.died_on), &mut inner);
            wire::bytes(4, &r.certificate_sha256, &mut inner);
            1
        }
        Some(L::RecordDeathCertificate(r)) => {
            wire::bytes(1, &r.case_id, &mut inner);
            wire::bytes(2, &r.certificate_sha256, &mut inner);
            2
        }
        Some(L::BookFuneralService(b)) => {
            wire::bytes(1, &b.case_id, &mut inner);
            wire::bytes(2, b.scene.as_bytes(), &mut inner);
            wire::uint(3, u64::from(b.on), &mut inner);
            wire::bytes(4, b.facility.as_bytes(), &mut inner);
            3
        }
        Some(L::DefineCemetery(d)) => {
            wire::bytes(1, d.cemetery_id.as_bytes(), &mut inner);
            wire::bytes(2, d.name.as_bytes(), &mut inner);
            wire::bytes(3, d.area_code.as_bytes(), &mut inner);
            wire::bytes(4, d.kind.as_bytes(), &mut inner);
            wire::uint(5, u64::from(d.cycle_years), &mut inner);
            4
        }
        Some(L::DefinePlots(d)) => {
            wire::bytes(1, d.cemetery_id.as_bytes(), &mut inner);
            for code in &d.plot_codes {
                wire::message(2, code.as_bytes(), &mut inner);
            }
            wire::uint(3, u64::from(d.area_dm2), &mut inner);
            5
        }
        Some(L::AllocatePlot(a)) => {
            wire::bytes(1, a.cemetery_id.as_bytes(), &mut inner);
            wire::bytes(2, a.plot_code.as_bytes(), &mut inner);
            wire::bytes(3, &a.case_id, &mut inner);
            6
        }
        Some(L::GrantFuneralSubsidy(g)) => {
            wire::bytes(1, &g.case_id, &mut inner);
            wire::uint(2, g.amount_fen, &mut inner);
            wire::bytes(3, g.basis.as_bytes(), &mut inner);
            7
        }
        Some(L::IdentifyScatteredGrave(i)) => {
            wire::bytes(1, &i.grave_id, &mut inner);
            wire::bytes(2, i.area_code.as_bytes(), &mut inner);
            wire::bytes(3, i.location.as_bytes(), &mut inner);
            wire::bytes(4, &i.evidence_sha256, &mut inner);
            8
        }
        Some(L::AdvanceScatteredGrave(a)) => {
            wire::bytes(1, &a.grave_id, &mut inner);
            wire::bytes(2, a.to_state.as_bytes(), &mut inner);
            wire::bytes(3, &a.evidence_sha256, &mut inner);
            wire::bytes(4, a.note.as_bytes(), &mut inner);
            9
        }
        Some(L::RenewPlot(r)) => {
            wire::bytes(1, r.cemetery_id.as_bytes(), &mut inner);
            wire::bytes(2, r.plot_code.as_bytes(), &mut inner);
            wire::bytes(3, &r.agreement_sha256, &mut inner);
            10
        }
        Some(L::ReleasePlot(r)) => {
            wire::bytes(1, r.cemetery_id.as_bytes(), &mut inner);
            wire::bytes(2, r.plot_code.as_bytes(), &mut inner);
            wire::bytes(3, &r.removal_sha256, &mut inner);
            wire::bytes(4, r.reason.as_bytes(), &mut inner);
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

/// A `FuneralOperation` in the proto3 JSON mapping.
pub(super) fn funeral_json(operation: &pb::FuneralOperation) -> Json {
    let obj = match &operation.operation {
        Some(L::RegisterDeath(r)) => Obj::new().put(
            "registerDeath",
            Obj::new()
                .p_bytes("caseId", &r.case_id)
                .p_bytes("personId", &r.person_id)
                .p_u32("diedOn", r.died_on)
                .p_bytes("certificateSha256", &r.certificate_sha256),
        ),
        Some(L::RecordDeathCertificate(r)) => Obj::new().put(
            "recordDeathCertificate",
            Obj::new()
                .p_bytes("caseId", &r.case_id)
                .p_bytes("certificateSha256", &r.certificate_sha256),
        ),
        Some(L::BookFuneralService(b)) => Obj::new().put(
            "bookFuneralService",
            Obj::new()
                .p_bytes("caseId", &b.case_id)
                .p_str("scene", &b.scene)
                .p_u32("on", b.on)
                .p_str("facility", &b.facility),
        ),
        Some(L::DefineCemetery(d)) => Obj::new().put(
            "defineCemetery",
            Obj::new()
                .p_str("cemeteryId", &d.cemetery_id)
                .p_str("name", &d.name)
                .p_str("areaCode", &d.area_code)
                .p_str("kind", &d.kind)
                .p_u32("cycleYears", d.cycle_years),
        ),
        Some(L::DefinePlots(d)) => {
            let mut plots = Obj::new().p_str("cemeteryId", &d.cemetery_id);
            if !d.plot_codes.is_empty() {
                plots = plots.put(
                    "plotCodes",
                    d.plot_codes
                        .iter()
                        .map(|c| Json::from(c.as_str()))
                        .collect::<Vec<_>>(),
                );
            }
            Obj::new().put("definePlots", plots.p_u32("areaDm2", d.area_dm2))
        }
        Some(L::AllocatePlot(a)) => Obj::new().put(
            "allocatePlot",
            Obj::new()
                .p_str("cemeteryId", &a.cemetery_id)
                .p_str("plotCode", &a.plot_code)
                .p_bytes("caseId", &a.case_id),
        ),
        Some(L::GrantFuneralSubsidy(g)) => Obj::new().put(
            "grantFuneralSubsidy",
            Obj::new()
                .p_bytes("caseId", &g.case_id)
                .p_u64("amountFen", g.amount_fen)
                .p_str("basis", &g.basis),
        ),
        Some(L::IdentifyScatteredGrave(i)) => Obj::new().put(
            "identifyScatteredGrave",
            Obj::new()
                .p_bytes("graveId", &i.grave_id)
                .p_str("areaCode", &i.area_code)
                .p_str("location", &i.location)
                .p_bytes("evidenceSha256", &i.evidence_sha256),
        ),
        Some(L::AdvanceScatteredGrave(a)) => Obj::new().put(
            "advanceScatteredGrave",
            Obj::new()
                .p_bytes("graveId", &a.grave_id)
                .p_str("toState", &a.to_state)
                .p_bytes("evidenceSha256", &a.evidence_sha256)
                .p_str("note", &a.note),
        ),
        Some(L::RenewPlot(r)) => Obj::new().put(
            "renewPlot",
            Obj::new()
                .p_str("cemeteryId", &r.cemetery_id)
                .p_str("plotCode", &r.plot_code)
                .p_bytes("agreementSha256", &r.agreement_sha256),
        ),
        Some(L::ReleasePlot(r)) => Obj::new().put(
            "releasePlot",
            Obj::new()
                .p_str("cemeteryId", &r.cemetery_id)
                .p_str("plotCode", &r.plot_code)
                .p_bytes("removalSha256", &r.removal_sha256)
                .p_str("reason", &r.reason),
        ),
        None => Obj::new(),
    };
    obj.into()
}

#[test]
fn the_hand_encoding_of_each_funeral_operation_is_prosts() {
    use prost::Message;
    let case = vec![5u8; 16];
    let digest = vec![9u8; 32];
    let operations = [
        L::RegisterDeath(pb::RegisterDeath {
            case_id: case.clone(),
            person_id: vec![6; 16],
            died_on: 20_000,
            certificate_sha256: digest.clone(),
        }),
        L::RecordDeathCertificate(pb::RecordDeathCertificate {
            case_id: case.clone(),
            certificate_sha256: digest.clone(),
        }),
        L::BookFuneralService(pb::BookFuneralService {
            case_id: case.clone(),
            scene: "cremation".into(),
            on: 20_001,
            facility: "宜都市殡仪馆".into(),
        }),
        L::DefineCemetery(pb::DefineCemetery {
            cemetery_id: "qilinshan".into(),
            name: "麒麟山公墓".into(),
            area_code: "420581".into(),
            kind: "public-welfare".into(),
            cycle_years: 20,
        }),
        L::DefinePlots(pb::DefinePlots {
            cemetery_id: "qilinshan".into(),
            plot_codes: vec!["A-001".into(), "A-002".into()],
            area_dm2: 80,
        }),
        L::AllocatePlot(pb::AllocatePlot {
            cemetery_id: "qilinshan".into(),
            plot_code: "A-001".into(),
            case_id: case.clone(),
        }),
        L::GrantFuneralSubsidy(pb::GrantFuneralSubsidy {
            case_id: case,
            amount_fen: 150_000,
            basis: "basic funeral services".into(),
        }),
        L::IdentifyScatteredGrave(pb::IdentifyScatteredGrave {
            grave_id: vec![8; 16],
            area_code: "420581102001".into(),
            location: "beside the road".into(),
            evidence_sha256: digest.clone(),
        }),
        L::AdvanceScatteredGrave(pb::AdvanceScatteredGrave {
            grave_id: vec![8; 16],
            to_state: "cleared".into(),
            evidence_sha256: digest.clone(),
            note: "moved".into(),
        }),
        L::RenewPlot(pb::RenewPlot {
            cemetery_id: "qilinshan".into(),
            plot_code: "A-001".into(),
            agreement_sha256: digest.clone(),
        }),
        L::ReleasePlot(pb::ReleasePlot {
            cemetery_id: "qilinshan".into(),
            plot_code: "A-001".into(),
            removal_sha256: digest,
            reason: "moved to an ecological burial".into(),
        }),
    ];
    for operation in operations {
        let message = pb::FuneralOperation {
            operation: Some(operation),
        };
        assert_eq!(
            funeral_by_hand(&message),
            message.encode_to_vec(),
            "{message:?}"
        );
    }
}
