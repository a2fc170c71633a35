//! The place names room's property test: random applications, decisions, addresses and
//! retirements by the bureau and a places officer happen exactly when the rules allow (a name
//! free in every overlapping area, at application and at approval; a door number once per
//! road in use), the places are the model's, and the log replays to the live places.

use proptest::prelude::*;

use super::prelude::*;
use crate::client::{apply_for_name, assign_address, decide_name_application, retire_address};
use crate::pb::places as lpb;

const AREAS: [&str; 4] = ["420581", "420581100", "420581200", "420581100001"];
const NAMES: [&str; 3] = ["清江路", "桂花街", "长江大道"];
const DOORS: [&str; 2] = ["1", "2"];

fn within(a: &str, b: &str) -> bool {
    a.starts_with(b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn only_the_rules_steps_name_places_and_number_doors_and_replay_equals_live(
        steps in prop::collection::vec((0u8..4, 0usize..4, 0usize..3, 0u8..8, any::<bool>()), 1..48)
    ) {
        let mut ledger = Ledger::new();
        for (code, name) in [("420581", "宜都市"), ("420581100", "陆城街道"), ("420581200", "红花套镇"), ("420581100001", "一村")] {
            ledger.admin_does(register_area(code, name));
        }
        let admin = ledger.admin_signer();
        // The model: applications (name, area, pending), approved places (name, area), and
        // addresses (road, door, in use).
        let mut applications: Vec<(usize, usize, bool)> = Vec::new();
        let mut places: BTreeMap<u8, (usize, usize)> = BTreeMap::new();
        let mut addresses: Vec<(u8, usize, bool)> = Vec::new();
        let taken = |places: &BTreeMap<u8, (usize, usize)>, name: usize, area: usize, me: u8| {
            places.iter().any(|(id, (n, a))| {
                *id != me && *n == name && (within(AREAS[*a], AREAS[area]) || within(AREAS[area], AREAS[*a]))
            })
        };
        for (kind, area, name, pick, flag) in steps {
            let (op, allowed) = match kind {
                0 => {
                    let id = u8::try_from(applications.len()).unwrap();
                    let allowed = !taken(&places, name, area, id);
                    let op = apply_for_name(lpb::ApplyForName {
                        application_id: vec![id; 16],
                        place_id: Vec::new(),
                        kind: "road".into(),
                        name: NAMES[name].into(),
                        pinyin: "Lu".into(),
                        meaning: "a road".into(),
                        location: "here".into(),
                        area_code: AREAS[area].into(),
                    });
                    if allowed {
                        applications.push((name, area, true));
                    }
                    (op, allowed)
                }
                1 => {
                    let id = pick % 8;
                    let known = applications.get(usize::from(id)).copied();
                    let allowed = known.is_some_and(|(n, a, pending)| {
                        pending && (!flag || !taken(&places, n, a, id))
                    });
                    let op = decide_name_application([id; 16], flag.then_some([5; 32]), "decided");
                    if allowed && let Some((n, a, _)) = known {
                        applications[usize::from(id)].2 = false;
                        if flag {
                            places.insert(id, (n, a));
                        }
                    }
                    (op, allowed)
                }
                2 => {
                    let road = pick % 8;
                    let door = usize::from(flag);
                    let id = u8::try_from(100 + addresses.len()).unwrap();
                    let allowed = places.contains_key(&road)
                        && !addresses.iter().any(|(r, d, used)| *r == road && *d == door && *used);
                    let op = assign_address([id; 16], [road; 16], DOORS[door], "420581100001");
                    // The address's area must be on the road's path: the village is within
                    // the city and its township, not within the other township.
                    let on_path = places
                        .get(&road)
                        .is_some_and(|(_, a)| within("420581100001", AREAS[*a]));
                    let allowed = allowed && on_path;
                    if allowed {
                        addresses.push((road, door, true));
                    }
                    (op, allowed)
                }
                _ => {
                    let index = usize::from(pick) % addresses.len().max(1);
                    let id = u8::try_from(100 + index).unwrap();
                    let allowed = addresses.get(index).is_some_and(|a| a.2);
                    if allowed {
                        addresses[index].2 = false;
                    }
                    (retire_address([id; 16], "gone"), allowed)
                }
            };
            let result = ledger.apply(&admin, op);
            prop_assert_eq!(result.is_ok(), allowed, "{:?}: step {}", result, kind);
        }
        for (id, (name, area)) in &places {
            let place = ledger.state.place(&PlaceId([*id; 16])).unwrap();
            prop_assert_eq!(&place.fields.name, NAMES[*name]);
            prop_assert_eq!(place.area.to_string(), AREAS[*area]);
            let doors: Vec<&str> = place.doors.keys().map(String::as_str).collect();
            let expected: Vec<&str> = DOORS
                .iter()
                .enumerate()
                .filter(|(d, _)| addresses.iter().any(|(r, door, used)| r == id && door == d && *used))
                .map(|(_, d)| *d)
                .collect();
            prop_assert_eq!(doors, expected);
        }
        let replayed = ledger.replay().unwrap();
        for id in 0..64u8 {
            let id = PlaceId([id; 16]);
            prop_assert_eq!(replayed.place(&id), ledger.state.place(&id));
            prop_assert_eq!(replayed.name_application(&id), ledger.state.name_application(&id));
        }
    }
}
