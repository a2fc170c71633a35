//! The members family (part of the shared registry, `shanzhi.registry.v1`): who belonged to
//! which household when, when a household belonged to its village, and which household a
//! village officer's key belongs to. Points go only to a household that belonged to the
//! village on the deed's date, and no officer reviews a claim that benefits their own
//! household. The log holds pseudonymous member ids only; names live in the directory.

use imbl::{OrdMap, Vector};

use super::journal::Effects;
use super::{Context, State, authority};
use crate::ledger::{
    AccountId, CivilDate, HouseholdId, IssuerId, KeyId, MemberId, PersonId, Refusal, Role, Subject,
    VolunteeringRefusal,
};

/// Whose household an officer key belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OfficerHousehold {
    /// A household of the officer's village.
    Household(HouseholdId),
    /// None of the village's households.
    None,
}

/// The members family's operations.
#[derive(Clone, Debug)]
pub enum MembersOp {
    /// A member joins a household.
    RegisterMember {
        /// The household.
        household: HouseholdId,
        /// The member.
        member: MemberId,
        /// The date joined.
        joined_on: CivilDate,
    },
    /// A member leaves their household.
    MemberLeft {
        /// The member.
        member: MemberId,
        /// The first date no longer in it.
        left_on: CivilDate,
    },
    /// A household leaves its village.
    HouseholdLeft {
        /// The household.
        household: HouseholdId,
        /// The first date no longer in the village.
        left_on: CivilDate,
    },
    /// Records an officer key's household.
    SetOfficerHousehold {
        /// A village officer key.
        key: KeyId,
        /// Its household, or none.
        household: OfficerHousehold,
    },
    /// Links a member to the registered person they are in the programs, for good.
    LinkPerson {
        /// The member.
        member: MemberId,
        /// The person.
        person: PersonId,
    },
}

/// The kinds of members operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MembersKind {
    /// [`MembersOp::RegisterMember`].
    RegisterMember,
    /// [`MembersOp::MemberLeft`].
    MemberLeft,
    /// [`MembersOp::HouseholdLeft`].
    HouseholdLeft,
    /// [`MembersOp::SetOfficerHousehold`].
    SetOfficerHousehold,
    /// [`MembersOp::LinkPerson`].
    LinkPerson,
}

impl MembersOp {
    /// The operation's kind.
    pub fn kind(&self) -> MembersKind {
        match self {
            MembersOp::RegisterMember { .. } => MembersKind::RegisterMember,
            MembersOp::MemberLeft { .. } => MembersKind::MemberLeft,
            MembersOp::HouseholdLeft { .. } => MembersKind::HouseholdLeft,
            MembersOp::SetOfficerHousehold { .. } => MembersKind::SetOfficerHousehold,
            MembersOp::LinkPerson { .. } => MembersKind::LinkPerson,
        }
    }
}

impl MembersKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            MembersKind::RegisterMember => "register-member",
            MembersKind::MemberLeft => "member-left",
            MembersKind::HouseholdLeft => "household-left",
            MembersKind::SetOfficerHousehold => "set-officer-household",
            MembersKind::LinkPerson => "link-member-person",
        }
    }
}

/// One stay of a member in a household: from `joined_on` until `left_on` (exclusive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    /// The household.
    pub household: HouseholdId,
    /// The first date in it.
    pub joined_on: CivilDate,
    /// The first date no longer in it.
    pub left_on: Option<CivilDate>,
}

impl Membership {
    fn covers(&self, date: CivilDate) -> bool {
        self.joined_on <= date && self.left_on.is_none_or(|left| date < left)
    }
}

/// When a household belonged to its village: from its registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Tenure {
    registered_on: CivilDate,
    left_on: Option<CivilDate>,
}

/// Memberships, households' tenures and officers' households.
#[derive(Clone, Debug, Default)]
pub(super) struct Members {
    /// Each member's stays, oldest first; the last is current if it has no `left_on`.
    members: OrdMap<MemberId, Vector<Membership>>,
    tenures: OrdMap<HouseholdId, Tenure>,
    officers: OrdMap<KeyId, OfficerHousehold>,
    /// Each linked member's person, and each linked person's member.
    person_of: OrdMap<MemberId, PersonId>,
    member_of: OrdMap<PersonId, MemberId>,
}

impl Members {
    /// Records that a household was registered on `on`.
    pub(super) fn household_registered(&mut self, household: HouseholdId, on: CivilDate) {
        self.tenures.insert(
            household,
            Tenure {
                registered_on: on,
                left_on: None,
            },
        );
    }

    /// Whether `household` belonged to its village on `date`.
    pub(super) fn household_in_village_on(&self, household: &HouseholdId, date: CivilDate) -> bool {
        self.tenures
            .get(household)
            .is_some_and(|t| t.registered_on <= date && t.left_on.is_none_or(|left| date < left))
    }

    /// Whether `member` belonged to `household` on `date`.
    pub(super) fn member_of_on(
        &self,
        member: &MemberId,
        household: &HouseholdId,
        date: CivilDate,
    ) -> bool {
        self.members.get(member).is_some_and(|stays| {
            stays
                .iter()
                .any(|s| &s.household == household && s.covers(date))
        })
    }

    /// The member a person is linked to, if any.
    pub(super) fn member_of_person(&self, person: &PersonId) -> Option<MemberId> {
        self.member_of.get(person).copied()
    }

    /// The household `member` belonged to on `date`, if any.
    pub(super) fn household_on(&self, member: &MemberId, date: CivilDate) -> Option<&HouseholdId> {
        self.members
            .get(member)?
            .iter()
            .find(|s| s.covers(date))
            .map(|s| &s.household)
    }

    /// The household an officer key belongs to, if it was recorded.
    pub(super) fn officer_household(&self, key: &KeyId) -> Option<&OfficerHousehold> {
        self.officers.get(key)
    }

    fn current(&self, member: &MemberId) -> Option<&Membership> {
        self.members
            .get(member)
            .and_then(|stays| stays.last())
            .filter(|s| s.left_on.is_none())
    }
}

impl State {
    /// The household of a directory subject and its village: the household itself, or the
    /// member's latest household (a member who left keeps a record that their village may
    /// correct or erase).
    fn subject_household(&self, subject: &Subject) -> Result<(HouseholdId, IssuerId), Refusal> {
        let household = match subject {
            Subject::Household(household) => household.clone(),
            Subject::Member(member) => self
                .members
                .members
                .get(member)
                .and_then(|stays| stays.last())
                .map(|stay| stay.household.clone())
                .ok_or(Refusal::UnknownMember(*member))?,
            Subject::Person(_) | Subject::Organization(_) => {
                return Err(Refusal::InvalidField {
                    field: "subject",
                    expected: "a household or a member".into(),
                    found: subject.to_string(),
                });
            }
        };
        let village = self
            .accounts
            .village_of(&household)
            .cloned()
            .ok_or_else(|| Refusal::UnknownHousehold(household.clone()))?;
        Ok((household, village))
    }

    /// Refuses unless `role` may change the directory record of `subject`: a bureau admin or
    /// an officer of its household's village (rules in `authority.rs`).
    pub fn authorize_record_change(&self, role: &Role, subject: &Subject) -> Result<(), Refusal> {
        if matches!(subject, Subject::Person(_) | Subject::Organization(_)) {
            return self.authorize_program_record(role, subject, true);
        }
        authority::may_change_record(role, subject, self.subject_household(subject))
    }

    /// Refuses unless `role` may read the directory record of `subject`: admins and
    /// auditors, the village's officers, the household's residents.
    pub fn authorize_record_read(&self, role: &Role, subject: &Subject) -> Result<(), Refusal> {
        if matches!(subject, Subject::Person(_) | Subject::Organization(_)) {
            return self.authorize_program_record(role, subject, false);
        }
        authority::may_read_record(role, subject, self.subject_household(subject))
    }

    /// Whether `subject` is a registered household or member (one the directory may hold a
    /// record of).
    pub fn knows_subject(&self, subject: &Subject) -> bool {
        match self.program_subject(subject) {
            Ok(Some(_)) => true,
            Ok(None) => self.subject_household(subject).is_ok(),
            Err(_) => false,
        }
    }

    /// A member's stays in households, oldest first.
    pub fn memberships(&self, member: &MemberId) -> Vec<Membership> {
        self.members
            .members
            .get(member)
            .map(|stays| stays.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// A members operation checked to fit.
#[derive(Debug)]
pub(super) struct Plan {
    op: MembersOp,
    village: IssuerId,
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        let members = &mut state.members;
        let involved = match self.op {
            MembersOp::RegisterMember {
                household,
                member,
                joined_on,
            } => {
                members
                    .members
                    .entry(member)
                    .or_default()
                    .push_back(Membership {
                        household: household.clone(),
                        joined_on,
                        left_on: None,
                    });
                AccountId::Household(household)
            }
            MembersOp::MemberLeft { member, left_on } => {
                let stays = members.members.entry(member).or_default();
                let household = stays.last().map(|s| s.household.clone());
                if let Some(last) = stays.back_mut() {
                    last.left_on = Some(left_on);
                }
                household.map_or(AccountId::Issuer(self.village), AccountId::Household)
            }
            MembersOp::HouseholdLeft { household, left_on } => {
                if let Some(tenure) = members.tenures.get_mut(&household) {
                    tenure.left_on = Some(left_on);
                }
                AccountId::Household(household)
            }
            MembersOp::SetOfficerHousehold { key, household } => {
                members.officers.insert(key, household);
                AccountId::Issuer(self.village)
            }
            MembersOp::LinkPerson { member, person } => {
                members.person_of.insert(member, person);
                members.member_of.insert(person, member);
                let household = members.current(&member).map(|s| s.household.clone());
                household.map_or(AccountId::Issuer(self.village), AccountId::Household)
            }
        };
        Effects::involving(vec![involved])
    }
}

fn not_after_today(ctx: &Context, field: &'static str, date: CivilDate) -> Result<(), Refusal> {
    let today = CivilDate::of(ctx.committed_at);
    if date > today {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::DateOutOfRange {
                field,
                expected: format!("on or before the commit date {today}"),
                found: date,
            },
        ));
    }
    Ok(())
}

/// Checks a members operation: a bureau admin or an officer of the household's village.
pub(super) fn check(state: &State, ctx: &Context, op: &MembersOp) -> Result<Plan, Refusal> {
    let village = match op {
        MembersOp::RegisterMember {
            household,
            member,
            joined_on,
        } => {
            let village = state.accounts.household(household)?.village.clone();
            authority::require_admin_or_village_of(&ctx.role, "registering a member", &village)?;
            not_after_today(ctx, "joined_on", *joined_on)?;
            let tenure = state.members.tenures.get(household);
            if let Some(left_on) = tenure.and_then(|t| t.left_on) {
                return Err(Refusal::from(
                    crate::ledger::GovernanceRefusal::HouseholdHasLeft {
                        household: household.clone(),
                        left_on,
                    },
                ));
            }
            if let Some(current) = state.members.current(member) {
                return Err(Refusal::MemberInHousehold {
                    member: *member,
                    household: current.household.clone(),
                });
            }
            let last_left = state
                .members
                .members
                .get(member)
                .and_then(|stays| stays.last())
                .and_then(|s| s.left_on);
            if let Some(left) = last_left
                && *joined_on < left
            {
                return Err(Refusal::from(
                    crate::ledger::GovernanceRefusal::DateOutOfRange {
                        field: "joined_on",
                        expected: format!("on or after {left}, when the member left a household"),
                        found: *joined_on,
                    },
                ));
            }
            village
        }
        MembersOp::MemberLeft { member, left_on } => {
            let current = state
                .members
                .current(member)
                .ok_or(Refusal::UnknownMember(*member))?;
            let village = state
                .accounts
                .household(&current.household)?
                .village
                .clone();
            authority::require_admin_or_village_of(&ctx.role, "recording a member left", &village)?;
            not_after_today(ctx, "left_on", *left_on)?;
            if *left_on <= current.joined_on {
                return Err(Refusal::from(
                    crate::ledger::GovernanceRefusal::DateOutOfRange {
                        field: "left_on",
                        expected: format!("after {}, when the member joined", current.joined_on),
                        found: *left_on,
                    },
                ));
            }
            village
        }
        MembersOp::HouseholdLeft { household, left_on } => {
            let village = state.accounts.household(household)?.village.clone();
            authority::require_admin_or_village_of(
                &ctx.role,
                "recording a household left",
                &village,
            )?;
            not_after_today(ctx, "left_on", *left_on)?;
            let tenure = state.members.tenures.get(household);
            if let Some(left_on) = tenure.and_then(|t| t.left_on) {
                return Err(Refusal::from(
                    crate::ledger::GovernanceRefusal::HouseholdHasLeft {
                        household: household.clone(),
                        left_on,
                    },
                ));
            }
            if let Some(tenure) = tenure
                && *left_on <= tenure.registered_on
            {
                return Err(Refusal::from(
                    crate::ledger::GovernanceRefusal::DateOutOfRange {
                        field: "left_on",
                        expected: format!("after {}, when it was registered", tenure.registered_on),
                        found: *left_on,
                    },
                ));
            }
            village
        }
        MembersOp::SetOfficerHousehold { key, household } => {
            let not_officer = |found: String| {
                Refusal::from(crate::ledger::GovernanceRefusal::NotAnOfficerKey {
                    key_id: *key,
                    found,
                })
            };
            let record = state
                .keys
                .get(key)
                .ok_or_else(|| not_officer("no registered key".into()))?;
            let Role::VillageOfficer(village) = &record.role else {
                return Err(not_officer(format!("a key of a {}", record.role)));
            };
            if let Some(at) = record.revoked_at {
                return Err(not_officer(format!("a key revoked at entry {at}")));
            }
            authority::require_admin_or_officer_of(
                &ctx.role,
                "recording an officer's household",
                village,
                "a bureau admin or another officer of the village",
            )?;
            if ctx.signer == *key {
                return Err(Refusal::NotAllowed {
                    operation: "recording one's own household",
                    expected: "a bureau admin or another officer of the village",
                    found: "the officer's own key".into(),
                });
            }
            // Once recorded, only the bureau changes it: two officers could otherwise take
            // turns clearing each other's household around a review.
            if state.members.officers.contains_key(key) && ctx.role != Role::BureauAdmin {
                return Err(Refusal::NotAllowed {
                    operation: "changing an officer's recorded household",
                    expected: "a bureau admin",
                    found: ctx.role.to_string(),
                });
            }
            if let OfficerHousehold::Household(h) = household
                && &state.accounts.household(h)?.village != village
            {
                return Err(Refusal::OutOfScope {
                    role: "village officer",
                    scope: format!("village {village}"),
                    requested: format!("household {h}"),
                });
            }
            village.clone()
        }
        MembersOp::LinkPerson { member, person } => link_person(state, ctx, member, person)?,
    };
    Ok(Plan {
        op: op.clone(),
        village,
    })
}

/// Checks a link of a current member to a registered person, neither linked yet: the
/// member's village.
fn link_person(
    state: &State,
    ctx: &Context,
    member: &MemberId,
    person: &PersonId,
) -> Result<IssuerId, Refusal> {
    let current = state
        .members
        .current(member)
        .ok_or(Refusal::UnknownMember(*member))?;
    let village = state
        .accounts
        .household(&current.household)?
        .village
        .clone();
    authority::require_admin_or_village_of(&ctx.role, "linking a member to a person", &village)?;
    if state.person(person).is_none() {
        return Err(crate::ledger::SubjectRefusal::UnknownPerson(*person).into());
    }
    let linked = |field, what, id: String, linked_to: String| {
        Refusal::from(VolunteeringRefusal::AlreadyLinked {
            field,
            what,
            id,
            linked_to,
        })
    };
    if let Some(other) = state.members.person_of.get(member) {
        return Err(linked(
            "member_id",
            "member",
            member.to_string(),
            format!("person {other}"),
        ));
    }
    if let Some(other) = state.members.member_of.get(person) {
        return Err(linked(
            "person_id",
            "person",
            person.to_string(),
            format!("member {other}"),
        ));
    }
    Ok(village)
}
