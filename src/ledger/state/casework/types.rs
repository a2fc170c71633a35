//! The case types: each a table of states and transitions that the one engine
//! (`casework/mod.rs`) applies. A table is data, versioned in its code (`dibao/1`): a changed
//! workflow is a new version, which cases opened later use, so replay is exact.

use crate::ledger::{AreaLevel, Program};

/// A reviewer's tier: the level of the area they review for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// A village (12-digit area).
    Village,
    /// A township (9-digit area).
    Township,
    /// The county-level city (6-digit area).
    County,
}

impl Tier {
    /// How far below the city its areas are: 0 for the county, 2 for villages.
    pub fn depth(self) -> u8 {
        match self {
            Tier::County => 0,
            Tier::Township => 1,
            Tier::Village => 2,
        }
    }

    /// The tier of a reviewer whose area has `level`.
    pub fn of(level: AreaLevel) -> Self {
        match level {
            AreaLevel::Village => Tier::Village,
            AreaLevel::Township => Tier::Township,
            AreaLevel::City => Tier::County,
        }
    }

    /// `village`, `township` or `county`.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Village => "village",
            Tier::Township => "township",
            Tier::County => "county",
        }
    }
}

/// Who may take a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A caseworker whose area covers the case's.
    Caseworker,
    /// A reviewer of this tier whose area covers the case's.
    Reviewer(Tier),
    /// A village child director (儿童主任) whose village is the case's.
    ChildDirector,
    /// A township child supervisor (儿童督导员) whose township covers the case's.
    ChildSupervisor,
}

impl Actor {
    /// In words, for refusals.
    pub fn describe(self) -> &'static str {
        match self {
            Actor::Caseworker => "a caseworker of the case's area",
            Actor::Reviewer(Tier::Village) => "a village reviewer of the case's area",
            Actor::Reviewer(Tier::Township) => "a township reviewer of the case's area",
            Actor::Reviewer(Tier::County) => "a county reviewer of the case's area",
            Actor::ChildDirector => "a child director of the case's village",
            Actor::ChildSupervisor => "a child supervisor of the case's township",
        }
    }
}

/// A state of a case type.
#[derive(Debug, PartialEq, Eq)]
pub struct StateRule {
    /// Its name, as transitions give it.
    pub name: &'static str,
    /// Days a case may stay in it before it is overdue (`None`: no deadline).
    pub deadline_days: Option<u32>,
    /// Whether the case is decided in it (confirmed, rejected, closed).
    pub decided: bool,
}

/// A transition of a case type.
#[derive(Debug, PartialEq, Eq)]
pub struct TransitionRule {
    /// The state it leaves.
    pub from: &'static str,
    /// The state it enters.
    pub to: &'static str,
    /// Who may take it.
    pub by: Actor,
    /// Days the case must have been in `from` (a public notice's days), 0 for none.
    pub after_days: u32,
}

/// A case type's public notice (公示): while a case is in its state, objections may be
/// filed; each must be resolved before the case leaves the state, and an upheld one moves
/// the case back.
#[derive(Debug, PartialEq, Eq)]
pub struct NoticeRule {
    /// The state a case is on notice in.
    pub state: &'static str,
    /// Who resolves an objection.
    pub resolved_by: Actor,
    /// The state an upheld objection moves the case to.
    pub upheld_to: &'static str,
}

/// A review cadence: how often a case in its reviewed state comes up for review.
#[derive(Debug, PartialEq, Eq)]
pub struct Cadence {
    /// Its name, as transitions give it (`yearly`).
    pub name: &'static str,
    /// The days between reviews.
    pub days: u32,
}

/// A case type's periodic reviews: a case entering `state` is given one of `cadences`, and
/// is due for review that many days after it entered the state.
#[derive(Debug, PartialEq, Eq)]
pub struct ReviewRule {
    /// The state a case is reviewed in (confirmed).
    pub state: &'static str,
    /// The cadences a transition into it may choose.
    pub cadences: &'static [Cadence],
}

impl ReviewRule {
    /// The cadence named `name`.
    pub fn cadence(&self, name: &str) -> Option<&'static Cadence> {
        self.cadences.iter().find(|c| c.name == name)
    }
}

/// A case type: a program's workflow.
#[derive(Debug, PartialEq, Eq)]
pub struct CaseType {
    /// Its code and version, e.g. `dibao/1`.
    pub code: &'static str,
    /// The program it belongs to.
    pub program: Program,
    /// Its states; the first is the state a case opens in.
    pub states: &'static [StateRule],
    /// Its transitions.
    pub transitions: &'static [TransitionRule],
    /// Its public notice, if it has one.
    pub notice: Option<NoticeRule>,
    /// Its periodic reviews, if it has them.
    pub review: Option<ReviewRule>,
    /// The states in which the case grants its benefit (a scheme enrolls a case only in
    /// one of them).
    pub granted_in: &'static [&'static str],
}

impl CaseType {
    /// The highest area a case may be handled in: one that every reviewer tier the table
    /// names can cover (a township decision needs a case in a township or below; a child
    /// director's case is a village's).
    pub fn deepest_tier(&self) -> Option<Tier> {
        self.transitions
            .iter()
            .filter_map(|t| match t.by {
                Actor::Reviewer(tier) => Some(tier),
                Actor::ChildDirector => Some(Tier::Village),
                Actor::ChildSupervisor => Some(Tier::Township),
                Actor::Caseworker => None,
            })
            .max_by_key(|tier| tier.depth())
    }

    /// The index of the state named `name`.
    pub fn state(&self, name: &str) -> Option<usize> {
        self.states.iter().position(|s| s.name == name)
    }

    /// The transitions leaving the state at `from`.
    pub fn leaving(&self, from: usize) -> impl Iterator<Item = &TransitionRule> {
        let name = self.states[from].name;
        self.transitions.iter().filter(move |t| t.from == name)
    }
}

const fn state(name: &'static str, deadline_days: Option<u32>, decided: bool) -> StateRule {
    StateRule {
        name,
        deadline_days,
        decided,
    }
}

const fn step(from: &'static str, to: &'static str, by: Actor, after_days: u32) -> TransitionRule {
    TransitionRule {
        from,
        to,
        by,
        after_days,
    }
}

/// 低保 reviews: yearly for a household of stable income, half-yearly for irregular income
/// (the plan's cadences).
const LIVELIHOOD_REVIEWS: &[Cadence] = &[
    Cadence {
        name: "yearly",
        days: 365,
    },
    Cadence {
        name: "half-yearly",
        days: 182,
    },
];

/// 特困 reviews: yearly.
const YEARLY_REVIEWS: &[Cadence] = &[Cadence {
    name: "yearly",
    days: 365,
}];

const CASEWORKER: Actor = Actor::Caseworker;
const TOWNSHIP: Actor = Actor::Reviewer(Tier::Township);
const COUNTY: Actor = Actor::Reviewer(Tier::County);

/// The states of the basic-livelihood applications (低保, 特困): submitted → investigating →
/// township review → public notice → confirmed or rejected; a confirmed case is reviewed
/// (reviewing → confirmed again, or ended).
const LIVELIHOOD_STATES: &[StateRule] = &[
    state("submitted", Some(5), false),
    state("investigating", Some(20), false),
    state("township-reviewed", Some(5), false),
    state("on-notice", Some(15), false),
    state("confirmed", None, true),
    state("rejected", None, true),
    state("reviewing", Some(30), false),
    state("ended", None, true),
];

/// Their transitions: investigated by a caseworker, reviewed and put on notice by the
/// township, decided by the county after at least 7 days on notice.
const LIVELIHOOD_STEPS: &[TransitionRule] = &[
    step("submitted", "investigating", CASEWORKER, 0),
    step("investigating", "township-reviewed", TOWNSHIP, 0),
    step("investigating", "rejected", TOWNSHIP, 0),
    step("township-reviewed", "on-notice", TOWNSHIP, 0),
    step("township-reviewed", "investigating", TOWNSHIP, 0),
    step("on-notice", "investigating", TOWNSHIP, 0),
    step("on-notice", "confirmed", COUNTY, 7),
    step("on-notice", "rejected", COUNTY, 7),
    step("confirmed", "reviewing", CASEWORKER, 0),
    step("reviewing", "confirmed", TOWNSHIP, 0),
    step("reviewing", "ended", TOWNSHIP, 0),
];

/// 低保 (minimum living allowance), version 1, as first published: the basic-livelihood
/// states without reviews; no objections (a township reviewer withdraws a notice by moving the
/// case back to investigating). Kept as it was, so logs holding its cases replay exactly.
pub const DIBAO_1: CaseType = CaseType {
    code: "dibao/1",
    program: Program::Assistance,
    states: LIVELIHOOD_STATES.split_at(6).0,
    transitions: LIVELIHOOD_STEPS.split_at(8).0,
    notice: None,
    review: None,
    granted_in: &["confirmed"],
};

/// 低保, version 2: the basic-livelihood workflow; objections to the notice, an upheld one
/// returning the case to investigating; reviews yearly (stable income) or half-yearly
/// (irregular income).
pub const DIBAO_2: CaseType = CaseType {
    code: "dibao/2",
    program: Program::Assistance,
    states: LIVELIHOOD_STATES,
    transitions: LIVELIHOOD_STEPS,
    notice: Some(NoticeRule {
        state: "on-notice",
        resolved_by: TOWNSHIP,
        upheld_to: "investigating",
    }),
    review: Some(ReviewRule {
        state: "confirmed",
        cadences: LIVELIHOOD_REVIEWS,
    }),
    granted_in: &["confirmed", "reviewing"],
};

/// 特困 (extreme poverty support), version 1: the same workflow as 低保, reviewed yearly.
pub const TEKUN_1: CaseType = CaseType {
    code: "tekun/1",
    program: Program::Assistance,
    states: LIVELIHOOD_STATES,
    transitions: LIVELIHOOD_STEPS,
    notice: Some(NoticeRule {
        state: "on-notice",
        resolved_by: TOWNSHIP,
        upheld_to: "investigating",
    }),
    review: Some(ReviewRule {
        state: "confirmed",
        cadences: YEARLY_REVIEWS,
    }),
    granted_in: &["confirmed", "reviewing"],
};

/// 临时救助 (temporary aid), version 1: submitted → investigating (caseworker) → confirmed or
/// rejected by the township, no notice.
pub const TEMPORARY_AID_1: CaseType = CaseType {
    code: "temporary-aid/1",
    program: Program::Assistance,
    states: &[
        state("submitted", Some(3), false),
        state("investigating", Some(10), false),
        state("confirmed", None, true),
        state("rejected", None, true),
    ],
    transitions: &[
        step("submitted", "investigating", CASEWORKER, 0),
        step("investigating", "confirmed", TOWNSHIP, 0),
        step("investigating", "rejected", TOWNSHIP, 0),
    ],
    notice: None,
    review: None,
    granted_in: &["confirmed"],
};

const DIRECTOR: Actor = Actor::ChildDirector;
const SUPERVISOR: Actor = Actor::ChildSupervisor;

/// Child protection (儿童保护个案), version 1: new → assessment → plan → services →
/// monitoring → closed. The village's child director assesses, plans, delivers and monitors;
/// the township's supervisor approves the plan and closes the case, and reopens a closed case
/// (back to assessment). Monitoring may send the case back to services.
pub const CHILD_PROTECTION_1: CaseType = CaseType {
    code: "child-protection/1",
    program: Program::Children,
    states: &[
        state("new", Some(3), false),
        state("assessment", Some(15), false),
        state("plan", Some(10), false),
        state("services", Some(90), false),
        state("monitoring", Some(90), false),
        state("closed", None, true),
    ],
    transitions: &[
        step("new", "assessment", DIRECTOR, 0),
        step("assessment", "plan", DIRECTOR, 0),
        step("assessment", "closed", SUPERVISOR, 0),
        step("plan", "services", SUPERVISOR, 0),
        step("plan", "assessment", SUPERVISOR, 0),
        step("services", "monitoring", DIRECTOR, 0),
        step("monitoring", "services", DIRECTOR, 0),
        step("monitoring", "closed", SUPERVISOR, 0),
        step("closed", "assessment", SUPERVISOR, 0),
    ],
    notice: None,
    review: None,
    granted_in: &[],
};

/// Every case type, by code.
pub const CASE_TYPES: &[&CaseType] = &[
    &DIBAO_1,
    &DIBAO_2,
    &TEKUN_1,
    &TEMPORARY_AID_1,
    &CHILD_PROTECTION_1,
];

/// The case type of `code`.
pub fn case_type(code: &str) -> Option<(usize, &'static CaseType)> {
    CASE_TYPES
        .iter()
        .enumerate()
        .find(|(_, t)| t.code == code)
        .map(|(i, t)| (i, *t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dibao_1_is_as_first_published() {
        let states: Vec<&str> = DIBAO_1.states.iter().map(|s| s.name).collect();
        assert_eq!(
            states,
            [
                "submitted",
                "investigating",
                "township-reviewed",
                "on-notice",
                "confirmed",
                "rejected"
            ]
        );
        let steps: Vec<(&str, &str, u32)> = DIBAO_1
            .transitions
            .iter()
            .map(|t| (t.from, t.to, t.after_days))
            .collect();
        assert_eq!(
            steps,
            [
                ("submitted", "investigating", 0),
                ("investigating", "township-reviewed", 0),
                ("investigating", "rejected", 0),
                ("township-reviewed", "on-notice", 0),
                ("township-reviewed", "investigating", 0),
                ("on-notice", "investigating", 0),
                ("on-notice", "confirmed", 7),
                ("on-notice", "rejected", 7),
            ]
        );
        assert!(DIBAO_1.notice.is_none() && DIBAO_1.review.is_none());
    }

    #[test]
    fn every_table_names_only_its_own_states_and_can_reach_a_decision() {
        for table in CASE_TYPES {
            for t in table.transitions {
                assert!(table.state(t.from).is_some(), "{} {}", table.code, t.from);
                assert!(table.state(t.to).is_some(), "{} {}", table.code, t.to);
            }
            // From the first state a decided one is reachable.
            let mut reached = vec![0usize];
            let mut i = 0;
            while i < reached.len() {
                for t in table.leaving(reached[i]) {
                    let to = table.state(t.to).unwrap();
                    if !reached.contains(&to) {
                        reached.push(to);
                    }
                }
                i += 1;
            }
            assert!(
                reached.iter().any(|s| table.states[*s].decided),
                "{}",
                table.code
            );
            if let Some(notice) = &table.notice {
                assert!(table.state(notice.state).is_some(), "{}", table.code);
                assert!(table.state(notice.upheld_to).is_some(), "{}", table.code);
            }
            for granted in table.granted_in {
                assert!(table.state(granted).is_some(), "{} {granted}", table.code);
            }
            if let Some(review) = &table.review {
                assert!(table.state(review.state).is_some(), "{}", table.code);
                assert!(!review.cadences.is_empty(), "{}", table.code);
            }
        }
    }
}
