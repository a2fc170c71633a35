//! The casework family's refusals (`shanzhi.casework.v1`), nested in [`Refusal::Casework`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;
use crate::ledger::CaseId;

/// Why a casework operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaseworkRefusal {
    /// No case type has this code.
    #[error("case_type: expected a case type's code and version (e.g. dibao/2), found {0:?}")]
    UnknownCaseType(String),
    /// No case has this id.
    #[error("case_id: expected an open case, found {0}, which no OpenCase made")]
    UnknownCase(CaseId),
    /// The case type's table has no transition from the case's state to the one asked.
    #[error(
        "a {case_type} case in state {from:?} cannot move to {to:?}: the case type allows {}",
        if allowed.is_empty() { "no move from it".to_owned() } else { allowed.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ") }
    )]
    TransitionNotAllowed {
        /// The case type.
        case_type: &'static str,
        /// The case's state.
        from: &'static str,
        /// The state asked for.
        to: String,
        /// The states it may move to.
        allowed: Vec<&'static str>,
    },
    /// The transition needs the case to have been in its state longer (a public notice).
    #[error(
        "the case must stay in {state:?} at least {days} days (a public notice): expected a \
         commit at or after {until} ms since the Unix epoch, found {found}"
    )]
    StateNotOver {
        /// The state.
        state: &'static str,
        /// The days it must last.
        days: u32,
        /// When they are over, ms since the Unix epoch.
        until: u64,
        /// The entry's commit time.
        found: u64,
    },
    /// A reviewer of another tier than the transition needs.
    #[error("this transition needs a {expected} reviewer, found a {found} reviewer")]
    WrongTier {
        /// The tier the table names.
        expected: &'static str,
        /// The signer's.
        found: &'static str,
    },
    /// An objection filed to a case that is not on public notice.
    #[error(
        "objections are filed and upheld while a case is on public notice (state {expected:?} \
         of {case_type}); this case is in state {state:?}"
    )]
    NotOnNotice {
        /// The case type.
        case_type: &'static str,
        /// Its notice state ("none" if it has no notice).
        expected: &'static str,
        /// The case's state.
        state: &'static str,
    },
    /// The case holds as many steps as a case may.
    #[error("a case holds at most {max} steps; this one holds {max}: open a new case")]
    CaseStepsFull {
        /// The most.
        max: usize,
    },
    /// The case holds as many objections as a case may.
    #[error("a case holds at most {max} objections; this one holds {max}")]
    ObjectionsFull {
        /// The most.
        max: usize,
    },
    /// The case is to leave its notice while an objection is unresolved.
    #[error(
        "objection {number} to this case is unresolved: expected every objection resolved \
         (ResolveObjection) before the case leaves its public notice"
    )]
    ObjectionUnresolved {
        /// The first unresolved objection's number.
        number: u32,
    },
    /// No objection has this number.
    #[error(
        "objection: expected the number of an objection to this case ({}), found {number}",
        if *filed == 0 { "it has none".to_owned() } else { format!("1 to {filed}") }
    )]
    UnknownObjection {
        /// The number asked.
        number: u32,
        /// How many the case holds.
        filed: usize,
    },
    /// The objection was resolved already.
    #[error("objection {number} to this case is resolved already; a resolution is final")]
    ObjectionResolved {
        /// Its number.
        number: u32,
    },
    /// A case opened for a person whose directory record is missing, erased, or does not
    /// give the registered identity tag.
    #[error(
        "opening a case needs the person's directory record, present and with the identity \
         number the person was registered with (SetPerson): found {found}"
    )]
    RecordRequired {
        /// What the directory holds.
        found: &'static str,
    },
    /// An assistance case opened away from where the person lives.
    #[error(
        "area_code: an assistance case is handled where the person lives, expected the \
         residence area of their record or an area on its path (its village or township), \
         found {area}"
    )]
    NotWhereOneLives {
        /// The case's area.
        area: String,
    },
}

impl CaseworkRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        match self {
            CaseworkRefusal::UnknownCaseType(_)
            | CaseworkRefusal::UnknownCase(_)
            | CaseworkRefusal::UnknownObjection { .. } => RefusalClass::NotFound,
            CaseworkRefusal::TransitionNotAllowed { .. }
            | CaseworkRefusal::StateNotOver { .. }
            | CaseworkRefusal::NotOnNotice { .. }
            | CaseworkRefusal::ObjectionsFull { .. }
            | CaseworkRefusal::CaseStepsFull { .. }
            | CaseworkRefusal::ObjectionUnresolved { .. }
            | CaseworkRefusal::ObjectionResolved { .. }
            | CaseworkRefusal::RecordRequired { .. }
            | CaseworkRefusal::NotWhereOneLives { .. } => RefusalClass::FailedPrecondition,
            CaseworkRefusal::WrongTier { .. } => RefusalClass::PermissionDenied,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        match self {
            CaseworkRefusal::UnknownCaseType(_) => "UNKNOWN_CASE_TYPE",
            CaseworkRefusal::UnknownCase(_) => "UNKNOWN_CASE",
            CaseworkRefusal::TransitionNotAllowed { .. } => "TRANSITION_NOT_ALLOWED",
            CaseworkRefusal::StateNotOver { .. } => "STATE_NOT_OVER",
            CaseworkRefusal::WrongTier { .. } => "TIER_NOT_ALLOWED",
            CaseworkRefusal::NotOnNotice { .. } => "NOT_ON_NOTICE",
            CaseworkRefusal::ObjectionsFull { .. } => "OBJECTIONS_FULL",
            CaseworkRefusal::CaseStepsFull { .. } => "CASE_STEPS_FULL",
            CaseworkRefusal::ObjectionUnresolved { .. } => "OBJECTION_UNRESOLVED",
            CaseworkRefusal::UnknownObjection { .. } => "UNKNOWN_CASE_OBJECTION",
            CaseworkRefusal::ObjectionResolved { .. } => "CASE_OBJECTION_RESOLVED",
            CaseworkRefusal::RecordRequired { .. } => "RECORD_REQUIRED",
            CaseworkRefusal::NotWhereOneLives { .. } => "NOT_WHERE_ONE_LIVES",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        [
            CaseworkRefusal::UnknownCaseType("x/1".into()),
            CaseworkRefusal::UnknownCase(CaseId([1; 16])),
            CaseworkRefusal::TransitionNotAllowed {
                case_type: "dibao/1",
                from: "submitted",
                to: "confirmed".into(),
                allowed: vec!["investigating"],
            },
            CaseworkRefusal::StateNotOver {
                state: "on-notice",
                days: 7,
                until: 1,
                found: 0,
            },
            CaseworkRefusal::WrongTier {
                expected: "county",
                found: "township",
            },
            CaseworkRefusal::NotOnNotice {
                case_type: "dibao/2",
                expected: "on-notice",
                state: "submitted",
            },
            CaseworkRefusal::CaseStepsFull { max: 256 },
            CaseworkRefusal::ObjectionsFull { max: 64 },
            CaseworkRefusal::ObjectionUnresolved { number: 1 },
            CaseworkRefusal::UnknownObjection {
                number: 2,
                filed: 1,
            },
            CaseworkRefusal::ObjectionResolved { number: 1 },
            CaseworkRefusal::RecordRequired { found: "no record" },
            CaseworkRefusal::NotWhereOneLives {
                area: "420581200001".into(),
            },
        ]
        .into_iter()
        .map(Refusal::Casework)
        .collect()
    }
}
