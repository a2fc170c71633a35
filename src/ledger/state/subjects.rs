//! The subjects family: the persons and organizations of the bureau's programs, by
//! pseudonymous id, each with the identity tag of its identity number (a resident identity
//! number, a unified social credit code) and the area it is registered in. Part of the shared
//! registry (`shanzhi.registry.v1`); the numbers, names and phones are in the directory,
//! outside the log (`src/directory/`).
//!
//! One subject per identity number, kept by the state machine on replay: a tag already
//! registered is refused, whoever asks and in whatever area.

use std::sync::Arc;

use imbl::OrdMap;

use super::authority;
use super::journal::Effects;
use super::{Context, State};
use crate::ledger::{
    AreaCode, IdTag, OrganizationId, PersonId, Refusal, Role, Sequence, Subject, SubjectRefusal,
};

/// The subjects family's operations.
#[derive(Clone, Debug)]
pub enum SubjectsOp {
    /// Registers a person by id and the tag of their resident identity number.
    RegisterPerson {
        /// The new person's id.
        person: PersonId,
        /// The identity tag of their resident identity number.
        tag: IdTag,
        /// The registered area they are registered in.
        area: AreaCode,
    },
    /// Records the review of a near match between two persons.
    ReviewNearMatch {
        /// The pair, first id the lower.
        pair: (PersonId, PersonId),
        /// What the review found.
        finding: NearMatchFinding,
    },
    /// Registers an organization by id and the tag of its unified social credit code.
    RegisterOrganization {
        /// The new organization's id.
        organization: OrganizationId,
        /// The identity tag of its credit code.
        tag: IdTag,
        /// The registered area it is registered in.
        area: AreaCode,
    },
}

/// The kinds of subjects operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubjectsKind {
    /// [`SubjectsOp::RegisterPerson`].
    RegisterPerson,
    /// [`SubjectsOp::RegisterOrganization`].
    RegisterOrganization,
    /// [`SubjectsOp::ReviewNearMatch`].
    ReviewNearMatch,
}

/// What a review of a near match found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NearMatchFinding {
    /// Two people.
    Distinct,
    /// One person registered twice: never merged automatically.
    SamePerson,
}

impl SubjectsOp {
    /// The operation's kind.
    pub fn kind(&self) -> SubjectsKind {
        match self {
            SubjectsOp::RegisterPerson { .. } => SubjectsKind::RegisterPerson,
            SubjectsOp::RegisterOrganization { .. } => SubjectsKind::RegisterOrganization,
            SubjectsOp::ReviewNearMatch { .. } => SubjectsKind::ReviewNearMatch,
        }
    }
}

impl SubjectsKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            SubjectsKind::RegisterPerson => "register-person",
            SubjectsKind::RegisterOrganization => "register-organization",
            SubjectsKind::ReviewNearMatch => "review-near-match",
        }
    }
}

/// A registered person or organization, as the log says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectView {
    /// The identity tag of its identity number.
    pub tag: IdTag,
    /// The area it is registered in.
    pub area: AreaCode,
    /// The entry that registered it.
    pub registered_at: Sequence,
}

/// One kind of subject: by id, and by tag.
#[derive(Clone, Debug)]
struct Register<Id: Ord + Clone> {
    by_id: OrdMap<Id, Arc<SubjectView>>,
    by_tag: OrdMap<IdTag, Id>,
}

impl<Id: Ord + Clone> Default for Register<Id> {
    fn default() -> Self {
        Self {
            by_id: OrdMap::new(),
            by_tag: OrdMap::new(),
        }
    }
}

impl<Id: Ord + Copy + std::fmt::Display> Register<Id> {
    /// Refuses an id already registered, or a tag another subject holds.
    fn check_new(
        &self,
        id: &Id,
        tag: &IdTag,
        kind: &'static str,
        duplicate: SubjectRefusal,
    ) -> Result<(), Refusal> {
        if self.by_id.contains_key(id) {
            return Err(Refusal::AlreadyRegistered {
                kind,
                id: id.to_string(),
            });
        }
        match self.by_tag.contains_key(tag) {
            true => Err(duplicate.into()),
            false => Ok(()),
        }
    }

    fn insert(&mut self, id: Id, view: SubjectView) {
        self.by_tag.insert(view.tag, id);
        self.by_id.insert(id, Arc::new(view));
    }
}

/// Every registered person and organization.
#[derive(Clone, Debug, Default)]
pub(super) struct Subjects {
    persons: Register<PersonId>,
    organizations: Register<OrganizationId>,
    /// Reviewed near matches, by pair (lower id first): the finding and the entry.
    reviewed: OrdMap<(PersonId, PersonId), (NearMatchFinding, Sequence)>,
}

/// A checked subjects operation.
#[derive(Debug)]
pub(super) enum Plan {
    Person(PersonId, IdTag, AreaCode),
    Organization(OrganizationId, IdTag, AreaCode),
    Reviewed((PersonId, PersonId), NearMatchFinding),
}

impl Plan {
    pub(super) fn commit(self, state: &mut State, ctx: &Context) -> Effects {
        let view = |tag, area| SubjectView {
            tag,
            area,
            registered_at: ctx.sequence,
        };
        match self {
            Plan::Person(id, tag, area) => state.subjects.persons.insert(id, view(tag, area)),
            Plan::Organization(id, tag, area) => {
                state.subjects.organizations.insert(id, view(tag, area))
            }
            Plan::Reviewed(pair, finding) => {
                state
                    .subjects
                    .reviewed
                    .insert(pair, (finding, ctx.sequence));
            }
        }
        Effects::default()
    }
}

/// Checks a subjects operation: a bureau admin, or a caseworker whose area covers the
/// subject's; a registered area; a new id; a tag no subject of the kind holds.
pub(super) fn check(state: &State, ctx: &Context, op: &SubjectsOp) -> Result<Plan, Refusal> {
    let (operation, area) = match op {
        SubjectsOp::RegisterPerson { area, .. } => ("registering a person", area),
        SubjectsOp::RegisterOrganization { area, .. } => ("registering an organization", area),
        SubjectsOp::ReviewNearMatch { pair, finding } => {
            return review_near_match(state, ctx, *pair, *finding);
        }
    };
    authority::require_admin_or_caseworker_for(&ctx.role, operation, area)?;
    state.areas.require(area)?;
    Ok(match op {
        SubjectsOp::RegisterPerson { person, tag, area } => {
            state.subjects.persons.check_new(
                person,
                tag,
                "person",
                SubjectRefusal::DuplicateIdNumber,
            )?;
            Plan::Person(*person, *tag, area.clone())
        }
        SubjectsOp::RegisterOrganization {
            organization,
            tag,
            area,
        } => {
            state.subjects.organizations.check_new(
                organization,
                tag,
                "organization",
                SubjectRefusal::DuplicateCreditCode,
            )?;
            Plan::Organization(*organization, *tag, area.clone())
        }
        SubjectsOp::ReviewNearMatch { .. } => unreachable!("answered above"),
    })
}

/// Checks a near match's review: two registered persons, each in an area the signer covers,
/// a pair not reviewed before.
fn review_near_match(
    state: &State,
    ctx: &Context,
    pair: (PersonId, PersonId),
    finding: NearMatchFinding,
) -> Result<Plan, Refusal> {
    // The role first: a key that may not review learns nothing of who is registered.
    authority::may_hold_program_records(&ctx.role, true)?;
    for person in [pair.0, pair.1] {
        let area = state
            .person(&person)
            .ok_or(SubjectRefusal::UnknownPerson(person))?
            .area;
        authority::may_reach_program_record(&ctx.role, &Subject::Person(person), &area)?;
    }
    if let Some((_, at)) = state.subjects.reviewed.get(&pair) {
        return Err(SubjectRefusal::NearMatchReviewed {
            first: pair.0,
            second: pair.1,
            at: at.get(),
        }
        .into());
    }
    Ok(Plan::Reviewed(pair, finding))
}

impl State {
    /// A registered person.
    pub fn person(&self, person: &PersonId) -> Option<SubjectView> {
        self.subjects
            .persons
            .by_id
            .get(person)
            .map(|v| (**v).clone())
    }

    /// The person whose resident identity number has `tag`, if one is registered.
    pub fn person_with_tag(&self, tag: &IdTag) -> Option<PersonId> {
        self.subjects.persons.by_tag.get(tag).copied()
    }

    /// A registered organization.
    pub fn organization(&self, organization: &OrganizationId) -> Option<SubjectView> {
        self.subjects
            .organizations
            .by_id
            .get(organization)
            .map(|v| (**v).clone())
    }

    /// The organization whose credit code has `tag`, if one is registered.
    pub fn organization_with_tag(&self, tag: &IdTag) -> Option<OrganizationId> {
        self.subjects.organizations.by_tag.get(tag).copied()
    }

    /// For a person or organization subject, its area and identity tag (`None` for a
    /// household or member); refused for one never registered.
    pub fn program_subject(&self, subject: &Subject) -> Result<Option<(AreaCode, IdTag)>, Refusal> {
        let view = match subject {
            Subject::Person(id) => self.person(id).ok_or(SubjectRefusal::UnknownPerson(*id))?,
            Subject::Organization(id) => self
                .organization(id)
                .ok_or(SubjectRefusal::UnknownOrganization(*id))?,
            Subject::Household(_) | Subject::Member(_) => return Ok(None),
        };
        Ok(Some((view.area, view.tag)))
    }

    /// Refuses unless `role` may change (`change`) or read the directory record of a person
    /// or organization (rules in `authority.rs`): the role first, so a key that may read no
    /// such record learns nothing of which are registered; the subject's area is never named.
    pub(super) fn authorize_program_record(
        &self,
        role: &Role,
        subject: &Subject,
        change: bool,
    ) -> Result<(), Refusal> {
        authority::may_hold_program_records(role, change)?;
        let Some((area, _)) = self.program_subject(subject)? else {
            return Ok(());
        };
        authority::may_reach_program_record(role, subject, &area)
    }

    /// Refuses an area that is not registered.
    pub fn require_area(&self, code: &AreaCode) -> Result<(), Refusal> {
        self.areas.require(code)
    }

    /// Whether the near match of `a` and `b` was reviewed.
    pub fn near_match_reviewed(&self, a: &PersonId, b: &PersonId) -> bool {
        let pair = if a <= b { (*a, *b) } else { (*b, *a) };
        self.subjects.reviewed.contains_key(&pair)
    }

    /// How many persons and organizations are registered.
    pub fn subject_counts(&self) -> (usize, usize) {
        (
            self.subjects.persons.by_id.len(),
            self.subjects.organizations.by_id.len(),
        )
    }
}
