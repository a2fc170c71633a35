//! The children's program's refusals (`shanzhi.children.v1`): categories, concern reports,
//! visits, and the age rules the handler checks against the directory; nested in
//! [`Refusal::Children`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;

/// Why a children's program operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChildrenRefusal {
    /// The child holds an active category already.
    #[error(
        "child: expected a child without an active category (one at a time), found one active as {0:?}; end it first"
    )]
    CategoryActive(&'static str),
    /// The child holds no active category.
    #[error("child_id: expected a child with an active category, found {0} without one")]
    NoActiveCategory(String),
    /// The child is too old for the category, by the directory record's birth date.
    #[error(
        "child: expected a child under {under} for {category:?}, found one of {age} by the directory record"
    )]
    TooOld {
        /// The category.
        category: &'static str,
        /// The age it needs to be under.
        under: u32,
        /// The child's age.
        age: u32,
    },
    /// No concern report has this id.
    #[error("report_id: expected a concern report, found {0}, which no ReportConcern made")]
    UnknownReport(String),
    /// The report is not in the state the operation needs.
    #[error("report: expected a concern report in state {expected:?}, found one in {found:?}")]
    ConcernNotInState {
        /// The state needed.
        expected: &'static str,
        /// The report's.
        found: &'static str,
    },
    /// A concern closed with a case of another program.
    #[error("case_id: expected a child-protection case, found a {0} case")]
    NotAChildrensCase(&'static str),
    /// A child's file holds as many of something as it may.
    #[error("the child's file holds {max} {what}, the most it may")]
    FileFull {
        /// What is full.
        what: &'static str,
        /// How many it holds.
        max: usize,
    },
}

impl ChildrenRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        use ChildrenRefusal::*;
        match self {
            UnknownReport(_) => RefusalClass::NotFound,
            FileFull { .. } => RefusalClass::ResourceExhausted,
            _ => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use ChildrenRefusal::*;
        match self {
            CategoryActive(_) => "CATEGORY_ACTIVE",
            NoActiveCategory(_) => "NO_ACTIVE_CATEGORY",
            TooOld { .. } => "CHILD_TOO_OLD",
            UnknownReport(_) => "UNKNOWN_REPORT",
            ConcernNotInState { .. } => "CONCERN_NOT_IN_STATE",
            NotAChildrensCase(_) => "NOT_A_CHILDRENS_CASE",
            FileFull { .. } => "CHILD_FILE_FULL",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use ChildrenRefusal::*;
        [
            CategoryActive("x"),
            NoActiveCategory("x".into()),
            TooOld {
                category: "x",
                under: 16,
                age: 16,
            },
            UnknownReport("x".into()),
            ConcernNotInState {
                expected: "x",
                found: "y",
            },
            NotAChildrensCase("x"),
            FileFull { what: "x", max: 1 },
        ]
        .into_iter()
        .map(Refusal::Children)
        .collect()
    }
}
