//! The capital projects room's property test: random progress reports and corrections by the
//! bureau, a projects officer of the area and one of another area happen exactly when the
//! rules allow (a month once, after the last, never below the current figure; a correction
//! only by the bureau, to another figure, once something is reported), the project's figures
//! are the model's, and the log replays to the live project and portfolio.

use proptest::prelude::*;

use super::prelude::*;
use crate::client::{correct_investment, define_project, report_progress};
use crate::pb::projects as ppb;

const PROJECT: &str = "honggao";

fn definition() -> Op {
    define_project(ppb::DefineProject {
        project_id: PROJECT.into(),
        name: "红高片区区域性养老服务中心".into(),
        area_code: "420581100".into(),
        planned_fen: 1_000_000_000,
        years: vec![ppb::YearPlan {
            year: 2023,
            planned_fen: 800_000_000,
        }],
        milestones: Vec::new(),
        approval_sha256: vec![1; 32],
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn only_the_rules_steps_change_a_projects_figures_and_replay_equals_live(
        steps in prop::collection::vec((0usize..3, any::<bool>(), 0u8..24, 0u64..8), 1..40)
    ) {
        let mut ledger = Ledger::new();
        for (code, name) in [("420581", "宜都市"), ("420581100", "陆城街道"), ("420581200", "红花套镇")] {
            ledger.admin_does(register_area(code, name));
        }
        let admin = ledger.admin_signer();
        let officer = Signer::generate();
        let elsewhere = Signer::generate();
        ledger.admin_does(register_key(&officer, pb::Role::ProgramOfficer, "projects/420581100"));
        ledger.admin_does(register_key(&elsewhere, pb::Role::ProgramOfficer, "projects/420581200"));
        ledger.admin_does(definition());
        let signers = [&admin, &officer, &elsewhere];
        // The model: the figures as (month index, cumulative, correction).
        let mut model: Vec<(u8, u64, bool)> = Vec::new();
        for (who, correct, month, amount) in steps {
            let cumulative = amount * 100_000_000;
            let (op, allowed) = if correct {
                let allowed = who == 0
                    && model.last().is_some_and(|last| last.1 != cumulative);
                (correct_investment(PROJECT, cumulative, [9; 32], "audit"), allowed)
            } else {
                let period = format!("{}-{:02}", 2022 + i32::from(month / 12), month % 12 + 1);
                let allowed = who != 2
                    && model.last().is_none_or(|last| month > last.0 && cumulative >= last.1);
                (report_progress(PROJECT, &period, cumulative, ""), allowed)
            };
            let result = ledger.apply(signers[who], op);
            prop_assert_eq!(result.is_ok(), allowed, "{:?}", result);
            if result.is_ok() {
                let month = if correct { model.last().map_or(0, |l| l.0) } else { month };
                model.push((month, cumulative, correct));
            }
            let project = ledger.state.project(&ProjectId::parse("p", PROJECT).unwrap()).unwrap();
            let figures: Vec<(u64, bool)> = project
                .figures
                .iter()
                .map(|f| (f.cumulative_fen, f.audit.is_some()))
                .collect();
            let expected: Vec<(u64, bool)> = model.iter().map(|(_, c, k)| (*c, *k)).collect();
            prop_assert_eq!(figures, expected);
            prop_assert_eq!(project.invested_fen(), model.last().map_or(0, |l| l.1));
        }
        let replayed = ledger.replay().unwrap();
        let id = ProjectId::parse("p", PROJECT).unwrap();
        prop_assert_eq!(replayed.project(&id), ledger.state.project(&id));
        let today = CivilDate::of(ledger.state.last_committed_at());
        prop_assert_eq!(
            replayed.portfolio(&Role::Auditor, None, 2023, today),
            ledger.state.portfolio(&Role::Auditor, None, 2023, today)
        );
    }
}
