//! The social assistance family's refusals (`shanzhi.assistance.v1`): commitments and their
//! verification, monitoring alerts, care agreements; nested in [`Refusal::Assistance`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;

/// Why a social assistance operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssistanceRefusal {
    /// The case is not of the assistance program, or is decided already.
    #[error(
        "case: expected an undecided case of social assistance, found a {case_type} case in state {state:?}"
    )]
    NotOpenAssistanceCase {
        /// Its case type.
        case_type: &'static str,
        /// Its state.
        state: &'static str,
    },
    /// The case holds a commitment already.
    #[error("the case holds a commitment (告知承诺) already; one per case")]
    AlreadyCommitted,
    /// The case holds no commitment to verify.
    #[error("the case holds no commitment (告知承诺) to verify")]
    NoCommitment,
    /// The commitment was verified already.
    #[error("the case's commitment was verified already; a verification is final")]
    AlreadyVerified,
    /// No alert has this id.
    #[error("alert_id: expected an alert, found {0}, which no RaiseAlert made")]
    UnknownAlert(String),
    /// The alert was resolved already.
    #[error("alert {0} is resolved already; a resolution is final")]
    AlertResolved(String),
    /// A case named for another person than the alert's.
    #[error("case: expected a case of the alert's person, found a case of another person")]
    CaseOfAnotherPerson,
    /// A care agreement on a case that is not a granted 特困 case.
    #[error("case: expected a confirmed 特困 case, found a {case_type} case in state {state:?}")]
    NotGrantedTekunCase {
        /// Its case type.
        case_type: &'static str,
        /// Its state.
        state: &'static str,
    },
    /// The case holds a care agreement already.
    #[error("case: it holds care agreement {0} already; one per case")]
    AgreementExists(String),
    /// No agreement has this id.
    #[error("agreement_id: expected a care agreement, found {0}, which no SignCareAgreement made")]
    UnknownAgreement(String),
    /// The cared-for person named as their own caregiver.
    #[error(
        "caregivers: expected persons other than the one cared for, found the person themselves"
    )]
    CaregiverIsCared,
}

impl AssistanceRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        use AssistanceRefusal::*;
        match self {
            UnknownAlert(_) | UnknownAgreement(_) => RefusalClass::NotFound,
            CaregiverIsCared => RefusalClass::InvalidArgument,
            _ => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use AssistanceRefusal::*;
        match self {
            NotOpenAssistanceCase { .. } => "NOT_OPEN_ASSISTANCE_CASE",
            AlreadyCommitted => "ALREADY_COMMITTED",
            NoCommitment => "NO_COMMITMENT",
            AlreadyVerified => "ALREADY_VERIFIED",
            UnknownAlert(_) => "UNKNOWN_ALERT",
            AlertResolved(_) => "ALERT_RESOLVED",
            CaseOfAnotherPerson => "CASE_OF_ANOTHER_PERSON",
            NotGrantedTekunCase { .. } => "NOT_GRANTED_TEKUN_CASE",
            AgreementExists(_) => "AGREEMENT_EXISTS",
            UnknownAgreement(_) => "UNKNOWN_AGREEMENT",
            CaregiverIsCared => "CAREGIVER_IS_CARED",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use AssistanceRefusal::*;
        [
            NotOpenAssistanceCase {
                case_type: "x",
                state: "y",
            },
            AlreadyCommitted,
            NoCommitment,
            AlreadyVerified,
            UnknownAlert("x".into()),
            AlertResolved("x".into()),
            CaseOfAnotherPerson,
            NotGrantedTekunCase {
                case_type: "x",
                state: "y",
            },
            AgreementExists("x".into()),
            UnknownAgreement("x".into()),
            CaregiverIsCared,
        ]
        .into_iter()
        .map(Refusal::Assistance)
        .collect()
    }
}
