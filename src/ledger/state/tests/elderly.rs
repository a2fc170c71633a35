//! The elderly care room's property test on the state machine's own clock: random subsidized
//! meals for enrolled and unenrolled persons, in the slot open or another, with hours passing
//! between them, are served exactly when the rules allow (an enrolled diner, the slot open at
//! the commit time, once per diner, slot and day), the diners' and the canteen's figures are
//! the model's, and the log replays to the same records and indicators.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::prelude::*;
use crate::client::{define_canteen, enroll_diner, register_person, serve_meal};
use crate::pb::elderly as epb;

const HOUR_MS: u64 = 3_600_000;

fn meal(person: [u8; 16], slot: &str) -> Op {
    serve_meal(epb::ServeMeal {
        canteen_id: "yicun".into(),
        person_id: person.to_vec(),
        slot: slot.into(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn only_the_rules_meals_are_served_and_replay_equals_live(
        steps in prop::collection::vec((0usize..3, 0usize..3, any::<bool>(), 0u64..30), 1..60)
    ) {
        let mut ledger = Ledger::new();
        for (code, name) in [("420581", "宜都市"), ("420581100", "陆城街道")] {
            ledger.admin_does(register_area(code, name));
        }
        let officer = Signer::generate();
        ledger.admin_does(register_key(&officer, pb::Role::ProgramOfficer, "elderly-care/420581100"));
        let persons = [[1u8; 16], [2; 16], [3; 16]];
        for p in persons {
            ledger.admin_does(register_person(p, vec![p[0]; 32], "420581100"));
        }
        ledger.admin_does(define_canteen(epb::DefineCanteen {
            canteen_id: "yicun".into(),
            name: "一村幸福食堂".into(),
            area_code: "420581100".into(),
        }));
        // The first two persons dine here (the handler's age check is not the state's).
        for p in &persons[..2] {
            ledger.apply(&officer, enroll_diner(epb::EnrollDiner {
                canteen_id: "yicun".into(),
                person_id: p.to_vec(),
                age_tier: "80-89".into(),
            })).unwrap();
        }
        let mut served: BTreeSet<(usize, u32, usize)> = BTreeSet::new();
        let mut meals = [0u64; 3];
        for (who, slot, open_slot, hours) in steps {
            ledger.now += hours * HOUR_MS;
            let at = UnixMs(ledger.now + 1);
            let open = meal_slot_at(at);
            let slot = if open_slot { open } else { slot };
            let day = CivilDate::of(at).days();
            let allowed = who < 2 && slot == open && !served.contains(&(who, day, slot));
            let result = ledger.apply(&officer, meal(persons[who], MEAL_SLOTS[slot]));
            prop_assert_eq!(result.is_ok(), allowed, "{:?}", result);
            if allowed {
                served.insert((who, day, slot));
                meals[who] += 1;
            }
        }
        for (i, p) in persons.iter().enumerate() {
            let elder = ledger.state.elder(&PersonId(*p));
            prop_assert_eq!(elder.meals, meals[i]);
            prop_assert_eq!(elder.meal_subsidy_fen, meals[i] * 400);
        }
        let today = CivilDate::of(UnixMs(ledger.now));
        let live = ledger.state.elderly_indicators(None, today, 2026);
        prop_assert_eq!(live.meals, meals.iter().sum::<u64>());
        let replayed = ledger.replay().unwrap();
        for p in persons {
            prop_assert_eq!(replayed.elder(&PersonId(p)), ledger.state.elder(&PersonId(p)));
        }
        prop_assert_eq!(replayed.elderly_indicators(None, today, 2026), live);
    }
}
