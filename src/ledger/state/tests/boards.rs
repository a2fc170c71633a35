//! Boards and star levels: households by earned score in a month, quarter or year, those with
//! deductions, and stars from the policy's thresholds; spending and reversals as they count.

use super::prelude::*;

const DAY_MS: u64 = 86_400_000;

fn period(text: &str) -> BoardPeriod {
    BoardPeriod::parse("period", text).unwrap()
}

#[test]
fn periods_parse_in_three_forms_and_refuse_the_rest() {
    assert_eq!(period("2026-12").to_string(), "2026-12");
    assert_eq!(period("2026-Q4").to_string(), "2026-Q4");
    assert_eq!(period("2026").to_string(), "2026");
    for bad in [
        "2026-13",
        "2026-Q5",
        "2026-Q0",
        "26-01",
        "2026-1",
        "x",
        "",
        "2026-12-01",
    ] {
        assert!(BoardPeriod::parse("period", bad).is_err(), "{bad}");
    }
}

#[test]
fn a_village_board_ranks_scores_lists_deductions_and_gives_stars() {
    let mut ledger = Ledger::new();
    let officer = ledger.issuer("v1", pb::IssuerKind::Village, 10_000);
    let other = ledger.issuer("v2", pb::IssuerKind::Village, 10_000);
    for (household, village) in [("h1", "v1"), ("h2", "v1"), ("h3", "v1"), ("h9", "v2")] {
        ledger.household(household, village);
    }
    let today = ledger.today();
    let mut policy = default_policy("v1", 1, today);
    policy.star_thresholds = vec![50, 100];
    ledger.apply(&officer, set_policy(policy)).unwrap();
    // T0 is 2026-11-30: November's points, then December's.
    ledger.apply(&officer, issue("v1", "h1", 60)).unwrap();
    ledger.apply(&officer, issue("v1", "h2", 30)).unwrap();
    ledger.now += DAY_MS;
    ledger.apply(&officer, issue("v1", "h2", 80)).unwrap();
    ledger.apply(&officer, deduct("v1", "h1", 10)).unwrap();
    let reversed = ledger.apply(&officer, deduct("v1", "h2", 5)).unwrap();
    ledger.apply(&officer, reverse(reversed.sequence)).unwrap();
    ledger.apply(&other, issue("v2", "h9", 500)).unwrap();
    let v1 = id(IssuerId::parse, "v1");
    let names = |lines: &[BoardLine]| -> Vec<(String, i64, i64, u32)> {
        lines
            .iter()
            .map(|l| (l.household.to_string(), l.score, l.deducted, l.stars))
            .collect()
    };
    let november = ledger.state.board(&v1, period("2026-11"), 10).unwrap();
    assert_eq!(
        names(&november.red),
        [("h1".into(), 60, 0, 1), ("h2".into(), 30, 0, 2)]
    );
    assert!(november.black.is_empty());
    // December: h2's 80 (its reversed deduction counts for nothing), h1's deduction; stars
    // count the year's score (h2 110, h1 50).
    let december = ledger.state.board(&v1, period("2026-12"), 10).unwrap();
    assert_eq!(names(&december.red), [("h2".into(), 80, 0, 2)]);
    assert_eq!(names(&december.black), [("h1".into(), -10, 10, 1)]);
    // The year and the quarter sum the months; the top limits each side.
    let year = ledger.state.board(&v1, period("2026"), 10).unwrap();
    assert_eq!(
        names(&year.red),
        [("h2".into(), 110, 0, 2), ("h1".into(), 50, 10, 1)]
    );
    assert_eq!(
        ledger
            .state
            .board(&v1, period("2026-Q4"), 1)
            .unwrap()
            .red
            .len(),
        1
    );
    // Spending never lowers a score; other villages never show.
    assert!(year.red.iter().all(|l| l.household.as_str() != "h9"));
    let not_a_village = ledger
        .state
        .board(&id(IssuerId::parse, "nowhere"), period("2026"), 10)
        .unwrap_err();
    assert_eq!(not_a_village.reason(), "UNKNOWN_ISSUER");
}
