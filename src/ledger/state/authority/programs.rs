//! Authority for the bureau's programs: who registers and reads persons and organizations,
//! who asks for identity tags and near matches, and who acts on and reads cases; and the
//! rules every program's own authority file builds on (an officer of the program whose area
//! covers the record's, and who reads a program's records). Pure functions of the role, as
//! the points rules in `authority/mod.rs`.

use super::{not_allowed, read_denied};
use crate::ledger::{AreaCode, AreaLevel, Program, Refusal, Role, Subject};

/// A bureau admin, or a caseworker whose area is `area` or lies above it.
pub(in crate::ledger::state) fn require_admin_or_caseworker_for(
    role: &Role,
    operation: &'static str,
    area: &AreaCode,
) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin => Ok(()),
        Role::Caseworker(scope) if area.is_within(scope) => Ok(()),
        Role::Caseworker(scope) => Err(Refusal::OutOfScope {
            role: role.name(),
            scope: format!("area {scope} and the areas below it"),
            requested: format!("area {area}"),
        }),
        _ => Err(not_allowed(
            role,
            operation,
            "a bureau admin or a caseworker whose area covers the subject's",
        )),
    }
}

/// The roles that may change (`change`) persons' and organizations' directory records at
/// all: bureau admins and caseworkers; auditors too, to read them.
pub(in crate::ledger::state) fn may_hold_program_records(
    role: &Role,
    change: bool,
) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin | Role::Caseworker(_) => Ok(()),
        Role::Auditor if !change => Ok(()),
        _ => Err(not_allowed(
            role,
            if change {
                "changing a person's or organization's record"
            } else {
                "reading a person's or organization's record"
            },
            "a bureau admin or caseworker key (or an auditor's, to read)",
        )),
    }
}

/// Whether `role` reaches the record of a person or organization registered in `area`: bureau
/// admins and auditors every one, a caseworker those of their area. The refusal does not name
/// the subject's area.
pub(in crate::ledger::state) fn may_reach_program_record(
    role: &Role,
    subject: &Subject,
    area: &AreaCode,
) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin | Role::Auditor => Ok(()),
        Role::Caseworker(scope) if area.is_within(scope) => Ok(()),
        _ => Err(read_denied(
            role,
            format!("the directory record of {subject}"),
        )),
    }
}

/// Who may turn an identity number into its identity tag (and learn whether it is
/// registered): bureau admins and caseworkers, who register persons and organizations.
pub fn require_identity_tagger(role: &Role) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin | Role::Caseworker(_) => Ok(()),
        _ => Err(not_allowed(
            role,
            "asking for an identity tag",
            "a bureau admin or caseworker key",
        )),
    }
}

/// Who may list near matches: bureau admins and auditors (every group) and caseworkers (the
/// groups whose persons are all in their area, [`may_see_near_match`]).
pub fn require_near_match_reader(role: &Role) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin | Role::Auditor | Role::Caseworker(_) => Ok(()),
        _ => Err(not_allowed(
            role,
            "listing near matches",
            "a bureau admin, auditor or caseworker key",
        )),
    }
}

/// Whether `role` sees a near match of persons registered in `areas`.
pub fn may_see_near_match(role: &Role, areas: &[AreaCode]) -> bool {
    match role {
        Role::BureauAdmin | Role::Auditor => true,
        Role::Caseworker(scope) => areas.iter().all(|area| area.is_within(scope)),
        _ => false,
    }
}

/// Who acts on a case of `program` in `area` at all (`None`: the role alone, checked before
/// the case is looked up): a caseworker or a reviewer of any tier whose area covers it, and
/// for the children's program a child director or supervisor instead. The table then says
/// which of them takes each step; objections are recorded by any of them, for whoever
/// objects. The refusal names no area.
pub fn may_act_on_case(
    role: &Role,
    operation: &'static str,
    case: Option<(Program, &AreaCode)>,
) -> Result<(), Refusal> {
    let children = matches!(role, Role::ChildDirector(_) | Role::ChildSupervisor(_));
    let workers = children || matches!(role, Role::Caseworker(_) | Role::Reviewer(_));
    match (role, case) {
        (_, None) if workers => Ok(()),
        (_, Some((program, _))) if workers && children != (program == Program::Children) => {
            Err(not_allowed(
                role,
                operation,
                if program == Program::Children {
                    "a child director or supervisor whose area covers the case's"
                } else {
                    "a caseworker or reviewer whose area covers the case's"
                },
            ))
        }
        (
            Role::Caseworker(scope)
            | Role::Reviewer(scope)
            | Role::ChildDirector(scope)
            | Role::ChildSupervisor(scope),
            Some((_, area)),
        ) if area.is_within(scope) => Ok(()),
        (_, Some(_)) if workers => Err(read_denied(role, "a case of another area".into())),
        _ => Err(not_allowed(
            role,
            operation,
            "a caseworker or reviewer (a child director or supervisor for children's cases) \
             whose area covers the case's",
        )),
    }
}

/// Who opens a case of `program` in `area`: a bureau admin; a caseworker whose area covers
/// it, or for the children's program a child director or supervisor whose area covers it.
pub(in crate::ledger::state) fn require_case_opener(
    role: &Role,
    program: Program,
    area: &AreaCode,
) -> Result<(), Refusal> {
    if program != Program::Children {
        return require_admin_or_caseworker_for(role, "opening a case", area);
    }
    match role {
        Role::BureauAdmin => Ok(()),
        Role::ChildDirector(scope) | Role::ChildSupervisor(scope) if area.is_within(scope) => {
            Ok(())
        }
        Role::ChildDirector(_) | Role::ChildSupervisor(_) => {
            Err(read_denied(role, "a child of another area".into()))
        }
        _ => Err(not_allowed(
            role,
            "opening a children's case",
            "a bureau admin, or a child director or supervisor whose area covers the case's",
        )),
    }
}

/// Whether `role` sees every case of `program` in `area`: bureau admins and auditors; the
/// program's officers whose area covers it; the programs' caseworkers and reviewers whose
/// area covers it, except for children's cases, which child directors and supervisors see
/// instead.
pub fn sees_cases(role: &Role, program: Program, area: &AreaCode) -> bool {
    let children = program == Program::Children;
    match role {
        Role::BureauAdmin | Role::Auditor => true,
        Role::Caseworker(scope) | Role::Reviewer(scope) => !children && area.is_within(scope),
        Role::ChildDirector(scope) | Role::ChildSupervisor(scope) => {
            children && area.is_within(scope)
        }
        Role::ProgramOfficer(p, scope) => *p == program && area.is_within(scope),
        _ => false,
    }
}

/// Who may read a case of `program` handled in `area` (`None`: the role alone, checked
/// before the case is looked up): bureau admins and auditors; the programs' caseworkers and
/// reviewers, and the program's officers, whose area covers it. The refusal names no area.
pub fn may_read_case(role: &Role, case: Option<(Program, &AreaCode)>) -> Result<(), Refusal> {
    match (role, case) {
        (Role::BureauAdmin | Role::Auditor, _) => Ok(()),
        (
            Role::Caseworker(_)
            | Role::Reviewer(_)
            | Role::ProgramOfficer(..)
            | Role::ChildDirector(_)
            | Role::ChildSupervisor(_),
            None,
        ) => Ok(()),
        (_, Some((program, area))) if sees_cases(role, program, area) => Ok(()),
        (
            Role::Caseworker(_)
            | Role::Reviewer(_)
            | Role::ProgramOfficer(..)
            | Role::ChildDirector(_)
            | Role::ChildSupervisor(_),
            Some(_),
        ) => Err(read_denied(role, "a case of another area".into())),
        _ => Err(not_allowed(
            role,
            "reading a case",
            "a bureau admin, auditor, caseworker, reviewer, program officer, child director or \
             child supervisor key",
        )),
    }
}

/// Who may define a benefit scheme of `program` or set its parameters (a county policy): a
/// bureau admin, or an officer of the program for the whole city.
pub fn require_scheme_setter(role: &Role, program: Program) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin => Ok(()),
        Role::ProgramOfficer(p, scope) if *p == program && scope.level() == AreaLevel::City => {
            Ok(())
        }
        _ => Err(not_allowed(
            role,
            "setting a benefit scheme",
            "a bureau admin, or an officer of the scheme's program for the whole city",
        )),
    }
}

/// Who decides benefits of `program` in `area` (enrollments, payment batches, recoveries,
/// units): a bureau admin, or an officer of the program whose area covers it. The refusal
/// names no area.
pub fn require_program_officer_for(
    role: &Role,
    operation: &'static str,
    program: Program,
    area: &AreaCode,
) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin => Ok(()),
        Role::ProgramOfficer(p, scope) if *p == program && area.is_within(scope) => Ok(()),
        Role::ProgramOfficer(p, _) if *p == program => {
            Err(read_denied(role, "a subject of another area".into()))
        }
        _ => Err(not_allowed(
            role,
            operation,
            "a bureau admin, or an officer of the program whose area covers it",
        )),
    }
}

/// Who allocates and releases a unit of `program` in `area` belonging to `organization`:
/// as [`require_program_officer_for`], and the operator of the unit's facility.
pub fn may_hold_unit(
    role: &Role,
    program: Program,
    area: &AreaCode,
    organization: Option<&crate::ledger::OrganizationId>,
) -> Result<(), Refusal> {
    match role {
        Role::FacilityOperator(org) if Some(org) == organization => Ok(()),
        Role::FacilityOperator(_) => Err(read_denied(role, "a unit of another facility".into())),
        _ => require_program_officer_for(role, "allocating a unit", program, area),
    }
}

/// Whether `role` reads benefits of `program` in `area` (enrollments, batches, units):
/// bureau admins and auditors; the program's officers, and caseworkers and reviewers, whose
/// area covers it.
pub fn sees_benefits(role: &Role, program: Program, area: &AreaCode) -> bool {
    sees_cases(role, program, area)
}

/// A bureau admin, or an officer of `program` whose area covers `area` (`None`: the role
/// alone); the refusal names no area.
pub(in crate::ledger::state) fn require_officer_of(
    program: Program,
    role: &Role,
    operation: &'static str,
    area: Option<&AreaCode>,
    expected: &'static str,
) -> Result<(), Refusal> {
    match (role, area) {
        (Role::BureauAdmin, _) => Ok(()),
        (Role::ProgramOfficer(p, _), None) if *p == program => Ok(()),
        (Role::ProgramOfficer(p, scope), Some(area)) if *p == program && area.is_within(scope) => {
            Ok(())
        }
        (Role::ProgramOfficer(p, _), Some(_)) if *p == program => Err(read_denied(
            role,
            format!("a record of another area's {}", program.name()),
        )),
        _ => Err(not_allowed(role, operation, expected)),
    }
}

/// Whether `role` reads a record of `program` in `area`: bureau admins and auditors every
/// one, the program's officers those their area covers.
pub fn sees_program(program: Program, role: &Role, area: &AreaCode) -> bool {
    match role {
        Role::BureauAdmin | Role::Auditor => true,
        Role::ProgramOfficer(p, scope) => *p == program && area.is_within(scope),
        _ => false,
    }
}

/// Who may read `program`'s records at all (before one is looked up): the roles of
/// [`sees_program`]; `operation` and `expected` word the refusal.
pub fn require_program_reader(
    program: Program,
    role: &Role,
    operation: &'static str,
    expected: &'static str,
) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin | Role::Auditor => Ok(()),
        Role::ProgramOfficer(p, _) if *p == program => Ok(()),
        _ => Err(not_allowed(role, operation, expected)),
    }
}
