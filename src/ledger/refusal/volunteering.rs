//! The refusals of points for volunteers: a member linked to one person, an activity recorded
//! by a program once, and an award that cites it, to the volunteer's household, never to the
//! people the program serves (an activity awarded twice is `DUPLICATE_DEED`); nested in
//! [`Refusal::Volunteering`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;

/// Why a link, a volunteer activity or an award for one was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VolunteeringRefusal {
    /// The member or the person is already linked.
    #[error(
        "{field}: expected a {what} not linked yet (one person per member, for good), found \
         {id}, linked to {linked_to}"
    )]
    AlreadyLinked {
        /// `member_id` or `person_id`.
        field: &'static str,
        /// "member" or "person".
        what: &'static str,
        /// The id.
        id: String,
        /// What it is linked to.
        linked_to: String,
    },
    /// The activity id names no recorded activity.
    #[error(
        "activity_id: expected a volunteer activity of {program} (RecordVolunteerShift, \
         RecordVisit with a volunteer), found {activity}, which none recorded"
    )]
    UnknownActivity {
        /// The activity.
        activity: String,
        /// Whose: "program elderly-care", "any program".
        program: String,
    },
    /// The award does not match the activity's record.
    #[error("{field}: expected {expected} (activity {activity}'s record), found {found}")]
    ActivityMismatch {
        /// The award's field.
        field: &'static str,
        /// The activity.
        activity: String,
        /// What the record says.
        expected: String,
        /// What the award says.
        found: String,
    },
    /// The volunteer is linked to no household member.
    #[error(
        "activity_id: expected a volunteer linked to a household member (LinkMemberPerson), \
         found person {person}, linked to none"
    )]
    NotLinked {
        /// The volunteer.
        person: String,
    },
    /// The volunteer did not belong to the household on the activity's day.
    #[error(
        "household_id: expected the household volunteer {person} belonged to on {day}, found \
         {household}"
    )]
    NotInHousehold {
        /// The volunteer.
        person: String,
        /// The day.
        day: String,
        /// The award's household.
        household: String,
    },
    /// The award would reach a person the program serves.
    #[error(
        "household_id: expected the household of a volunteer, not of a person program {program} \
         serves, found household {household}, which holds {who}"
    )]
    ServedPerson {
        /// The program.
        program: &'static str,
        /// The award's household.
        household: String,
        /// Who is served and how, e.g. "the volunteer, a diner of canteen c-1".
        who: String,
    },
}

impl VolunteeringRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        use VolunteeringRefusal::*;
        match self {
            AlreadyLinked { .. } => RefusalClass::AlreadyExists,
            UnknownActivity { .. } => RefusalClass::NotFound,
            ActivityMismatch { .. } => RefusalClass::InvalidArgument,
            NotLinked { .. } | NotInHousehold { .. } | ServedPerson { .. } => {
                RefusalClass::FailedPrecondition
            }
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use VolunteeringRefusal::*;
        match self {
            AlreadyLinked { .. } => "ALREADY_LINKED",
            UnknownActivity { .. } => "UNKNOWN_ACTIVITY",
            ActivityMismatch { .. } => "ACTIVITY_MISMATCH",
            NotLinked { .. } => "VOLUNTEER_NOT_LINKED",
            NotInHousehold { .. } => "VOLUNTEER_NOT_IN_HOUSEHOLD",
            ServedPerson { .. } => "AWARD_TO_SERVED_PERSON",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use VolunteeringRefusal::*;
        let s = || "x".to_owned();
        [
            AlreadyLinked {
                field: "member_id",
                what: "member",
                id: s(),
                linked_to: s(),
            },
            UnknownActivity {
                activity: s(),
                program: s(),
            },
            ActivityMismatch {
                field: "deed_date",
                activity: s(),
                expected: s(),
                found: s(),
            },
            NotLinked { person: s() },
            NotInHousehold {
                person: s(),
                day: s(),
                household: s(),
            },
            ServedPerson {
                program: "elderly-care",
                household: s(),
                who: s(),
            },
        ]
        .into_iter()
        .map(Refusal::from)
        .collect()
    }
}
