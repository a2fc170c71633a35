//! The casework family's refusals (`shanzhi.casework.v1`), nested in [`Refusal::Casework`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;
use crate::ledger::CaseId;

/// Why a casework operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaseworkRefusal {
    /// No case type has this code.
    #[error("case_type: expected a case type's code and version (e.g. dibao/1), found {0:?}")]
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
         commit at or after {until} ms since the Unix epoch"
    )]
    StateNotOver {
        /// The state.
        state: &'static str,
        /// The days it must last.
        days: u32,
        /// When they are over, ms since the Unix epoch.
        until: u64,
    },
    /// A reviewer of another tier than the transition needs.
    #[error("this transition needs a {expected} reviewer, found a {found} reviewer")]
    WrongTier {
        /// The tier the table names.
        expected: &'static str,
        /// The signer's.
        found: &'static str,
    },
}

impl CaseworkRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        match self {
            CaseworkRefusal::UnknownCaseType(_) | CaseworkRefusal::UnknownCase(_) => {
                RefusalClass::NotFound
            }
            CaseworkRefusal::TransitionNotAllowed { .. } | CaseworkRefusal::StateNotOver { .. } => {
                RefusalClass::FailedPrecondition
            }
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
            },
            CaseworkRefusal::WrongTier {
                expected: "county",
                found: "township",
            },
        ]
        .into_iter()
        .map(Refusal::Casework)
        .collect()
    }
}
