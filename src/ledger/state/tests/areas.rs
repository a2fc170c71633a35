//! The areas room: division codes, their parents, and villages placed in them.

use super::prelude::*;

const YIDU: &str = "420581";
const HONGHUATAO: &str = "420581101";
const YUYANGXI: &str = "420581101001";

#[test]
fn areas_are_registered_parent_first_and_a_village_is_placed_and_moved() {
    let mut ledger = Ledger::new();
    let officer = ledger.issuer("yuyangxi", pb::IssuerKind::Village, 0);
    // A village area before its township: the parent is named.
    let refused = ledger
        .apply(&ledger.admin_signer(), register_area(YUYANGXI, "渔洋溪村"))
        .unwrap_err();
    assert!(
        matches!(&refused, Refusal::ParentAreaMissing { parent, .. } if parent.as_str() == HONGHUATAO),
        "{refused}"
    );
    ledger.admin_does(register_area(YIDU, "宜都市"));
    ledger.admin_does(register_area(HONGHUATAO, "红花套镇"));
    ledger.admin_does(register_area(YUYANGXI, "渔洋溪村"));
    let again = ledger
        .apply(&ledger.admin_signer(), register_area(YIDU, "宜都市"))
        .unwrap_err();
    assert!(
        matches!(again, Refusal::AlreadyRegistered { kind: "area", .. }),
        "{again}"
    );

    // Only the bureau places villages, only in village areas, once.
    let before = ledger.snapshot();
    let by_officer = ledger
        .apply(&officer, set_village_area("yuyangxi", YUYANGXI))
        .unwrap_err();
    assert_eq!(by_officer.class(), RefusalClass::PermissionDenied);
    let in_township = ledger
        .apply(
            &ledger.admin_signer(),
            set_village_area("yuyangxi", HONGHUATAO),
        )
        .unwrap_err();
    assert!(
        matches!(
            in_township,
            Refusal::WrongAreaLevel {
                found: "township",
                ..
            }
        ),
        "{in_township}"
    );
    assert_eq!(ledger.snapshot(), before);
    let entry = ledger.admin_does(set_village_area("yuyangxi", YUYANGXI));
    assert_eq!(
        entry.accounts,
        vec![AccountId::Issuer(id(IssuerId::parse, "yuyangxi"))]
    );
    let village = id(IssuerId::parse, "yuyangxi");
    assert_eq!(
        ledger.state.village_area(&village).map(AreaCode::as_str),
        Some(YUYANGXI)
    );
    let twice = ledger
        .apply(
            &ledger.admin_signer(),
            set_village_area("yuyangxi", YUYANGXI),
        )
        .unwrap_err();
    assert!(
        matches!(twice, Refusal::VillageAreaAlreadySet { .. }),
        "{twice}"
    );

    // Another village cannot take the area; a program cannot be placed at all.
    ledger.issuer("other", pb::IssuerKind::Village, 0);
    let taken = ledger
        .apply(&ledger.admin_signer(), set_village_area("other", YUYANGXI))
        .unwrap_err();
    assert!(matches!(taken, Refusal::AreaTaken { .. }), "{taken}");
    ledger.issuer("care", pb::IssuerKind::Program, 0);
    let program = ledger
        .apply(&ledger.admin_signer(), set_village_area("care", YUYANGXI))
        .unwrap_err();
    assert!(
        matches!(program, Refusal::WrongIssuerKind { .. }),
        "{program}"
    );
    let unknown = ledger
        .apply(
            &ledger.admin_signer(),
            set_village_area("other", "420581101002"),
        )
        .unwrap_err();
    assert!(matches!(unknown, Refusal::UnknownArea(_)), "{unknown}");
}

#[test]
fn areas_page_in_code_order_within_a_parent() {
    let mut ledger = Ledger::new();
    for (code, name) in [
        (YIDU, "宜都市"),
        (HONGHUATAO, "红花套镇"),
        ("420581102", "高坝洲镇"),
        (YUYANGXI, "渔洋溪村"),
        ("420581101002", "另一村"),
    ] {
        ledger.admin_does(register_area(code, name));
    }
    let honghuatao = AreaCode::parse("within", HONGHUATAO).unwrap();
    let (first, next) = ledger.state.areas_page(Some(&honghuatao), None, 2);
    let codes: Vec<_> = first.iter().map(|a| a.code.to_string()).collect();
    assert_eq!(codes, [HONGHUATAO, YUYANGXI]);
    let (rest, after) = ledger.state.areas_page(Some(&honghuatao), next.as_ref(), 2);
    let codes: Vec<_> = rest.iter().map(|a| a.code.to_string()).collect();
    assert_eq!(codes, ["420581101002"]);
    assert_eq!(after, None);
    let (all, _) = ledger.state.areas_page(None, None, 10);
    assert_eq!(all.len(), 5);
}

#[test]
fn an_area_code_is_six_nine_or_twelve_digits() {
    for bad in ["", "42058", "4205811", "42058110100a", "4205811010011"] {
        assert!(AreaCode::parse("code", bad).is_err(), "{bad:?}");
    }
    let village = AreaCode::parse("code", YUYANGXI).unwrap();
    assert_eq!(village.level(), AreaLevel::Village);
    assert_eq!(
        village.parent().map(|p| p.to_string()),
        Some(HONGHUATAO.to_owned())
    );
    assert_eq!(AreaCode::parse("code", YIDU).unwrap().parent(), None);
}
