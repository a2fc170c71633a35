//! The benefits family's refusals (`shanzhi.benefits.v1`): schemes and their parameters,
//! enrollments, payment batches, recoveries and units; nested in [`Refusal::Benefits`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;

/// Why a benefits operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BenefitsRefusal {
    /// No scheme has this code.
    #[error("scheme: expected a defined scheme's code, found {0:?}, which no DefineScheme made")]
    UnknownScheme(String),
    /// A scheme's parameters given out of version order.
    #[error("version: expected version {expected} of the scheme's parameters, found {found}")]
    VersionOutOfOrder {
        /// The next version.
        expected: u32,
        /// The version given.
        found: u32,
    },
    /// New parameters that would take effect in or before a month already in effect or paid.
    #[error(
        "effective_from: expected a month after {latest} (the latest month the scheme's \
         parameters or payments already cover), found {found}"
    )]
    ParametersBehind {
        /// The latest month covered.
        latest: String,
        /// The month given.
        found: String,
    },
    /// An enrollment whose case does not grant this scheme.
    #[error(
        "case: expected a case of {expected} in a granted state ({states}), found a {case_type} \
         case in state {state:?}"
    )]
    CaseNotGranted {
        /// The case types the scheme takes.
        expected: String,
        /// The states they grant in.
        states: String,
        /// The case's type.
        case_type: &'static str,
        /// The case's state.
        state: &'static str,
    },
    /// The person already has an active enrollment in the scheme.
    #[error(
        "the person is already enrolled in scheme {scheme} (enrollment {enrollment}): at most \
         one active enrollment per person and scheme"
    )]
    AlreadyEnrolled {
        /// The scheme.
        scheme: String,
        /// The active enrollment (hex).
        enrollment: String,
    },
    /// The person is enrolled in a scheme this one excludes (低保 and 特困).
    #[error(
        "the person is enrolled in scheme {other}, which excludes {scheme} (group {group}): \
         end that enrollment first"
    )]
    ExclusiveScheme {
        /// The scheme asked.
        scheme: String,
        /// The other scheme.
        other: String,
        /// Their exclusion group.
        group: String,
    },
    /// A monthly amount above the scheme's standard for the month.
    #[error(
        "monthly_fen: expected at most {standard} fen (the scheme's standard in {period}), found {found}"
    )]
    AboveStandard {
        /// The standard, in fen.
        standard: u64,
        /// The month.
        period: String,
        /// The amount given.
        found: u64,
    },
    /// An enrollment starting before the month its case was applied for.
    #[error("from_period: expected {applied} (the case's application) or later, found {found}")]
    BeforeApplication {
        /// The month the case was opened.
        applied: String,
        /// The month given.
        found: String,
    },
    /// No parameters of the scheme are in effect in the month.
    #[error("the scheme has no parameters in effect in {0}: SetSchemeParameters first")]
    NoStandard(String),
    /// An enrollment starting in or before a month an earlier one covered.
    #[error(
        "from_period: expected a month after {last} (the last month of the person's earlier \
         enrollment in the scheme), found {found}"
    )]
    PeriodOverlaps {
        /// The earlier enrollment's last month.
        last: String,
        /// The month given.
        found: String,
    },
    /// No enrollment has this id.
    #[error("enrollment_id: expected an enrollment, found {0}, which no Enroll made")]
    UnknownEnrollment(String),
    /// The enrollment has ended.
    #[error("enrollment {0} has ended; enroll again for a new period")]
    EnrollmentEnded(String),
    /// An enrollment ended before the month before it started.
    #[error("last_period: expected {from} or later, or the month before it, found {found}")]
    EndBeforeStart {
        /// Its first month.
        from: String,
        /// The month given.
        found: String,
    },
    /// A payment batch for a month that has not begun.
    #[error(
        "period: expected this month or an earlier one ({now} by the entry's time), found {found}"
    )]
    PeriodNotStarted {
        /// The month of the entry's commit time.
        now: String,
        /// The month given.
        found: String,
    },
    /// A payment batch that would hold nothing.
    #[error(
        "no enrollment of scheme {scheme} in area {area} is due a payment for {period} that is \
         not paid already"
    )]
    NothingToPay {
        /// The scheme.
        scheme: String,
        /// The area.
        area: String,
        /// The month.
        period: String,
    },
    /// No batch has this id.
    #[error("batch_id: expected a payment batch, found {0}, which no IssuePaymentBatch made")]
    UnknownBatch(String),
    /// A recovery above what the enrollment owes.
    #[error(
        "amount_fen: expected at most {owed} fen (overpaid and not yet recovered), found {found}"
    )]
    AboveOwed {
        /// What is owed.
        owed: u64,
        /// The amount given.
        found: u64,
    },
    /// No unit has this id.
    #[error("unit_id: expected a unit, found {0}, which no DefineUnit made")]
    UnknownUnit(String),
    /// The unit is held.
    #[error("unit {0} is allocated: release it before allocating it again")]
    UnitTaken(String),
    /// The unit is not held.
    #[error("unit {0} is not allocated: nothing to release")]
    UnitFree(String),
}

impl BenefitsRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        use BenefitsRefusal::*;
        match self {
            UnknownScheme(_) | UnknownEnrollment(_) | UnknownBatch(_) | UnknownUnit(_) => {
                RefusalClass::NotFound
            }
            _ => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use BenefitsRefusal::*;
        match self {
            UnknownScheme(_) => "UNKNOWN_SCHEME",
            VersionOutOfOrder { .. } => "SCHEME_VERSION_OUT_OF_ORDER",
            ParametersBehind { .. } => "PARAMETERS_BEHIND",
            CaseNotGranted { .. } => "CASE_NOT_GRANTED",
            AlreadyEnrolled { .. } => "ALREADY_ENROLLED",
            ExclusiveScheme { .. } => "EXCLUSIVE_SCHEME",
            AboveStandard { .. } => "ABOVE_STANDARD",
            NoStandard(_) => "NO_STANDARD",
            BeforeApplication { .. } => "BEFORE_APPLICATION",
            PeriodOverlaps { .. } => "PERIOD_OVERLAPS",
            UnknownEnrollment(_) => "UNKNOWN_ENROLLMENT",
            EnrollmentEnded(_) => "ENROLLMENT_ENDED",
            EndBeforeStart { .. } => "END_BEFORE_START",
            PeriodNotStarted { .. } => "PERIOD_NOT_STARTED",
            NothingToPay { .. } => "NOTHING_TO_PAY",
            UnknownBatch(_) => "UNKNOWN_BATCH",
            AboveOwed { .. } => "ABOVE_OWED",
            UnknownUnit(_) => "UNKNOWN_UNIT",
            UnitTaken(_) => "UNIT_TAKEN",
            UnitFree(_) => "UNIT_FREE",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use BenefitsRefusal::*;
        let s = || "x".to_owned();
        [
            UnknownScheme(s()),
            VersionOutOfOrder {
                expected: 2,
                found: 3,
            },
            ParametersBehind {
                latest: s(),
                found: s(),
            },
            CaseNotGranted {
                expected: s(),
                states: s(),
                case_type: "dibao/1",
                state: "submitted",
            },
            AlreadyEnrolled {
                scheme: s(),
                enrollment: s(),
            },
            ExclusiveScheme {
                scheme: s(),
                other: s(),
                group: s(),
            },
            AboveStandard {
                standard: 1,
                period: s(),
                found: 2,
            },
            NoStandard(s()),
            BeforeApplication {
                applied: s(),
                found: s(),
            },
            PeriodOverlaps {
                last: s(),
                found: s(),
            },
            UnknownEnrollment(s()),
            EnrollmentEnded(s()),
            EndBeforeStart {
                from: s(),
                found: s(),
            },
            PeriodNotStarted {
                now: s(),
                found: s(),
            },
            NothingToPay {
                scheme: s(),
                area: s(),
                period: s(),
            },
            UnknownBatch(s()),
            AboveOwed { owed: 1, found: 2 },
            UnknownUnit(s()),
            UnitTaken(s()),
            UnitFree(s()),
        ]
        .into_iter()
        .map(Refusal::Benefits)
        .collect()
    }
}
