//! The elderly care refusals (`shanzhi.elderly.v1`): a recorded institution and canteen, an
//! enrolled diner, one subsidized meal per slot and day, the age tier the record gives, one
//! open adaptation within its budget, insurance once per year; nested in
//! [`Refusal::Elderly`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;

/// Why an elderly care operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ElderlyRefusal {
    /// No institution is recorded for this organization.
    #[error(
        "organization_id: expected an institution, found {0}, which no RecordInstitution recorded"
    )]
    UnknownInstitution(String),
    /// No canteen has this id.
    #[error("canteen_id: expected a canteen, found {0}, which no DefineCanteen made")]
    UnknownCanteen(String),
    /// A meal for someone not enrolled at the canteen.
    #[error(
        "person_id: expected a diner enrolled at canteen {canteen}, found person {person}, who is not"
    )]
    NotADiner {
        /// The person.
        person: String,
        /// The canteen.
        canteen: String,
    },
    /// A second subsidized meal in a slot.
    #[error(
        "slot: expected one subsidized meal per diner, slot and day, found {person}'s {slot} of {on} served already"
    )]
    MealTaken {
        /// The diner.
        person: String,
        /// The slot.
        slot: &'static str,
        /// The day.
        on: String,
    },
    /// An age tier the directory's birth date does not give.
    #[error("age_tier: expected {expected} by the person's directory record today, found {found}")]
    AgeTierMismatch {
        /// The tier the record gives (or "60 or over").
        expected: String,
        /// The tier given.
        found: String,
    },
    /// A second open adaptation case.
    #[error("person {person}: expected no open home adaptation case, found case {case} open")]
    AdaptationOpen {
        /// The elder.
        person: String,
        /// The open case.
        case: String,
    },
    /// No adaptation case has this id.
    #[error("case_id: expected a home adaptation case, found {0}, which no OpenAdaptation opened")]
    UnknownAdaptation(String),
    /// The case was completed already.
    #[error("case {0}: expected an open home adaptation case, found it completed")]
    AdaptationCompleted(String),
    /// A cost above the budget.
    #[error("cost_fen: expected at most case {case}'s budget of {budget} fen, found {found}")]
    OverBudget {
        /// The case.
        case: String,
        /// Its budget.
        budget: u64,
        /// The cost given.
        found: u64,
    },
    /// The elder is insured for the year already.
    #[error(
        "policy_year: expected a year person {person} is not insured for, found {year}, insured already"
    )]
    InsuranceEnrolled {
        /// The elder.
        person: String,
        /// The year.
        year: u32,
    },
    /// A policy year other than this one or the next.
    #[error("policy_year: expected {this_year} or {}, found {found}", this_year + 1)]
    PolicyYear {
        /// The commit's year.
        this_year: u32,
        /// The year given.
        found: u32,
    },
    /// A meal in a slot that is not open.
    #[error(
        "slot: expected {expected}, the slot open now (breakfast until 10:00, lunch until 15:00, dinner after), found {found}"
    )]
    SlotClosed {
        /// The slot open now.
        expected: &'static str,
        /// The slot given.
        found: &'static str,
    },
    /// An elder whose death is registered.
    #[error("person {person}: expected a living person, found death case {case} registered")]
    Deceased {
        /// The person.
        person: String,
        /// Their death case.
        case: String,
    },
    /// The ledger or an institution holds as many of something as it may.
    #[error("{what}: the most the ledger keeps is {max}")]
    Full {
        /// What is full.
        what: &'static str,
        /// How many it holds.
        max: usize,
    },
}

impl ElderlyRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        use ElderlyRefusal::*;
        match self {
            UnknownInstitution(_) | UnknownCanteen(_) | UnknownAdaptation(_) => {
                RefusalClass::NotFound
            }
            MealTaken { .. } | AdaptationOpen { .. } | InsuranceEnrolled { .. } => {
                RefusalClass::AlreadyExists
            }
            Full { .. } => RefusalClass::ResourceExhausted,
            _ => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use ElderlyRefusal::*;
        match self {
            UnknownInstitution(_) => "UNKNOWN_INSTITUTION",
            UnknownCanteen(_) => "UNKNOWN_CANTEEN",
            NotADiner { .. } => "NOT_ENROLLED_DINER",
            MealTaken { .. } => "SUBSIDIZED_MEAL_TAKEN",
            AgeTierMismatch { .. } => "AGE_TIER_MISMATCH",
            AdaptationOpen { .. } => "ADAPTATION_OPEN",
            UnknownAdaptation(_) => "UNKNOWN_ADAPTATION",
            AdaptationCompleted(_) => "ADAPTATION_COMPLETED",
            OverBudget { .. } => "ADAPTATION_OVER_BUDGET",
            InsuranceEnrolled { .. } => "INSURANCE_ENROLLED",
            PolicyYear { .. } => "POLICY_YEAR_OUT_OF_RANGE",
            SlotClosed { .. } => "MEAL_SLOT_CLOSED",
            Deceased { .. } => "ELDER_DECEASED",
            Full { .. } => "ELDERLY_FULL",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use ElderlyRefusal::*;
        let s = || "x".to_owned();
        [
            UnknownInstitution(s()),
            UnknownCanteen(s()),
            NotADiner {
                person: s(),
                canteen: s(),
            },
            MealTaken {
                person: s(),
                slot: "lunch",
                on: s(),
            },
            AgeTierMismatch {
                expected: s(),
                found: s(),
            },
            AdaptationOpen {
                person: s(),
                case: s(),
            },
            UnknownAdaptation(s()),
            AdaptationCompleted(s()),
            OverBudget {
                case: s(),
                budget: 1,
                found: 2,
            },
            InsuranceEnrolled {
                person: s(),
                year: 2026,
            },
            PolicyYear {
                this_year: 2026,
                found: 2030,
            },
            SlotClosed {
                expected: "lunch",
                found: "dinner",
            },
            Deceased {
                person: s(),
                case: s(),
            },
            Full { what: "x", max: 1 },
        ]
        .into_iter()
        .map(Refusal::Elderly)
        .collect()
    }
}
