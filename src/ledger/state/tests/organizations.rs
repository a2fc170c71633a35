//! The social organizations room's tests on the state machine's own clock: the boundaries of
//! the dates (a report is due by 31 May of the year after; the serious list is two years
//! after the abnormal listing, 1 March for a listing on 29 February), and a property test:
//! random reports, listings, removals and serious listings by the bureau, the area's officer
//! and another area's, with days passing between them, happen exactly when the rules allow,
//! and the log replays to the live records and list pages.

use proptest::prelude::*;

use super::prelude::*;
use crate::client::{
    file_annual_report, list_abnormal, list_serious, register_organization,
    remove_from_abnormal_list,
};

const DAY_MS: u64 = 86_400_000;

/// A ledger with two townships, an organizations officer of each, and organizations `[1; 16]`
/// and `[2; 16]` in the first township.
fn ledger() -> (Ledger, Signer, Signer) {
    let mut ledger = Ledger::new();
    for (code, name) in [
        ("420581", "宜都市"),
        ("420581100", "陆城街道"),
        ("420581200", "红花套镇"),
    ] {
        ledger.admin_does(register_area(code, name));
    }
    let officer = Signer::generate();
    let elsewhere = Signer::generate();
    ledger.admin_does(register_key(
        &officer,
        pb::Role::ProgramOfficer,
        "organizations/420581100",
    ));
    ledger.admin_does(register_key(
        &elsewhere,
        pb::Role::ProgramOfficer,
        "organizations/420581200",
    ));
    for id in [1u8, 2] {
        ledger.admin_does(register_organization([id; 16], vec![id; 32], "420581100"));
    }
    (ledger, officer, elsewhere)
}

/// Moves the ledger's clock to just after midnight (China Standard Time) of a date.
fn at(ledger: &mut Ledger, year: i64, month: u8, day: u8) {
    let date = CivilDate::from_ymd(year, month, day).unwrap();
    // Midnight in UTC+8 is 16:00 UTC the day before; the next commit is a millisecond on.
    let ms = u64::from(date.days()) * DAY_MS - 8 * 3_600_000;
    assert!(ms >= ledger.now, "the clock only moves forward");
    ledger.now = ms;
}

fn reason(result: Result<EntryRecord, Refusal>) -> &'static str {
    result.map_or_else(|r| r.reason(), |_| "OK")
}

#[test]
fn a_report_is_missing_from_the_first_of_june_and_the_serious_list_two_years_on() {
    let (mut ledger, officer, _) = ledger();
    let org = [1u8; 16];
    // 2027-05-31: the report of 2026 is still due that day.
    at(&mut ledger, 2027, 5, 31);
    assert_eq!(
        reason(ledger.apply(&officer, list_abnormal(org, Some(2026), None))),
        "REPORT_NOT_YET_DUE"
    );
    at(&mut ledger, 2027, 6, 1);
    assert_eq!(
        reason(ledger.apply(&officer, list_abnormal(org, Some(2026), None))),
        "OK"
    );
    // Listed on 2028-02-29 (a leap day): the serious list from 2030-03-01.
    let other = [2u8; 16];
    at(&mut ledger, 2028, 2, 29);
    ledger
        .apply(&officer, list_abnormal(other, None, Some([5; 32])))
        .unwrap();
    at(&mut ledger, 2030, 2, 28);
    let admin = ledger.admin_signer();
    assert_eq!(
        reason(ledger.apply(&admin, list_serious(other, "两年"))),
        "ABNORMAL_FOR_LESS_THAN_TWO_YEARS"
    );
    at(&mut ledger, 2030, 3, 1);
    assert_eq!(
        reason(ledger.apply(&admin, list_serious(other, "两年"))),
        "OK"
    );
    // The first, listed on 2027-06-01, may go from 2029-06-01; it is past that.
    assert_eq!(
        reason(ledger.apply(&admin, list_serious(org, "两年"))),
        "OK"
    );
    let page = ledger.state.listed(true, None, None, 10);
    assert_eq!(page.total, 2);
}

/// One organization's listing in the model.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Model {
    Off,
    /// On the abnormal list for a missing report of a year (`Some`) or as unreachable, since
    /// a day.
    Abnormal(Option<u32>, CivilDate),
    Serious,
}

/// The day two years after `since` (1 March for 29 February), computed apart from the room.
fn two_years_after(since: CivilDate) -> CivilDate {
    let (y, m, d) = since.ymd();
    CivilDate::from_ymd(y + 2, m, d).unwrap_or_else(|| CivilDate::from_ymd(y + 2, 3, 1).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn only_the_rules_steps_list_an_organization_and_replay_equals_live(
        steps in prop::collection::vec(
            (0usize..3, 0usize..2, 0u8..5, 2023u32..2029, any::<bool>(), 0u64..400),
            1..40,
        )
    ) {
        let (mut ledger, officer, elsewhere) = ledger();
        let admin = ledger.admin_signer();
        let signers = [&admin, &officer, &elsewhere];
        let orgs = [[1u8; 16], [2u8; 16]];
        let mut listing = [Model::Off; 2];
        let mut filed: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
        for (who, o, action, year, evidence, days) in steps {
            ledger.now += days * DAY_MS;
            let today = CivilDate::of(UnixMs(ledger.now + 1));
            let this_year = u32::try_from(today.ymd().0).unwrap();
            let org = orgs[o];
            let in_area = who != 2;
            let reportable = (2000..this_year).contains(&year);
            let is_filed = filed[o].contains(&year);
            let due = CivilDate::from_ymd(i64::from(year) + 1, 5, 31).unwrap();
            let (op, allowed) = match action {
                0 => (
                    file_annual_report(org, year, [7; 32]),
                    in_area && reportable && !is_filed,
                ),
                1 => (
                    list_abnormal(org, Some(year), None),
                    in_area && listing[o] == Model::Off && reportable && !is_filed && today > due,
                ),
                2 => (
                    list_abnormal(org, None, Some([5; 32])),
                    in_area && listing[o] == Model::Off,
                ),
                3 => (
                    remove_from_abnormal_list(org, evidence.then_some([6; 32]), "cured"),
                    in_area && match listing[o] {
                        Model::Abnormal(Some(y), _) => !evidence && filed[o].contains(&y),
                        Model::Abnormal(None, _) => evidence,
                        _ => false,
                    },
                ),
                _ => (
                    list_serious(org, "two years"),
                    who == 0 && match listing[o] {
                        Model::Abnormal(ground, since) => {
                            ground.is_none_or(|y| !filed[o].contains(&y))
                                && today >= two_years_after(since)
                        }
                        _ => false,
                    },
                ),
            };
            let result = ledger.apply(signers[who], op);
            prop_assert_eq!(result.is_ok(), allowed, "{:?} on {}", result, today);
            if result.is_ok() {
                match action {
                    0 => filed[o].push(year),
                    1 => listing[o] = Model::Abnormal(Some(year), today),
                    2 => listing[o] = Model::Abnormal(None, today),
                    3 => listing[o] = Model::Off,
                    _ => listing[o] = Model::Serious,
                }
            }
            for (i, id) in orgs.iter().enumerate() {
                let record = ledger.state.organization_record(&OrganizationId(*id));
                let on = match record.listing {
                    None => Model::Off,
                    Some(Listing::Abnormal { ground, since }) => {
                        let year = match ground {
                            AbnormalGround::MissingReport(y) => Some(y),
                            AbnormalGround::Unreachable => None,
                        };
                        Model::Abnormal(year, since)
                    }
                    Some(Listing::Serious { .. }) => Model::Serious,
                };
                prop_assert_eq!(on, listing[i]);
            }
        }
        let abnormal = listing.iter().filter(|l| matches!(l, Model::Abnormal(..))).count();
        let serious = listing.iter().filter(|l| matches!(l, Model::Serious)).count();
        let area = AreaCode::parse("a", "420581100").unwrap();
        prop_assert_eq!(ledger.state.listed(false, Some(&area), None, 10).total, abnormal as u64);
        prop_assert_eq!(ledger.state.listed(true, None, None, 10).total, serious as u64);
        let replayed = ledger.replay().unwrap();
        for id in orgs {
            let id = OrganizationId(id);
            prop_assert_eq!(replayed.organization_record(&id), ledger.state.organization_record(&id));
        }
        for serious in [false, true] {
            prop_assert_eq!(
                replayed.listed(serious, Some(&area), None, 10),
                ledger.state.listed(serious, Some(&area), None, 10)
            );
        }
    }
}
