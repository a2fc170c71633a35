//! Social assistance's own rules, beside the case tables (低保, 特困, 临时救助 in
//! `casework/types.rs`) and the schemes (`benefits/`): the **告知承诺 fast track** (a signed
//! commitment instead of paper proofs, which opens a verification task with a deadline),
//! **monitoring alerts** (medical expense, disability, unemployment, a grid report), each to
//! be resolved, and **care agreements** for dispersed 特困 persons (at least one caregiver, a
//! visit cadence, the visits recorded). What is due is listed by `tasks.rs`.

pub mod tasks;

use std::sync::Arc;

use imbl::OrdMap;

use super::journal::Effects;
use super::volunteering::{self, Activity};
use super::{Context, State, authority};
use crate::ledger::{
    AgreementId, AlertId, AreaCode, AssistanceRefusal, CaseId, CaseworkRefusal, CivilDate, ClaimId,
    KeyId, PersonId, Program, Refusal, Sequence, SubjectRefusal, UnixMs,
};

/// A day, in ms.
const DAY_MS: u64 = 86_400_000;

/// The kinds of monitoring alerts.
pub const ALERT_KINDS: &[&str] = &[
    "medical-expense",
    "disability",
    "unemployment",
    "grid-report",
];

/// The social assistance family's operations.
#[derive(Clone, Debug)]
pub enum AssistanceOp {
    /// Records the applicant's signed commitment (告知承诺) on an undecided case.
    RecordCommitment {
        /// The case.
        case: CaseId,
        /// Days the verification may take.
        verify_within_days: u32,
    },
    /// Records the verification of a case's commitment.
    CompleteVerification {
        /// The case.
        case: CaseId,
        /// Whether the commitment held.
        truthful: bool,
        /// What was found (no personal data).
        reason: String,
    },
    /// Raises a monitoring alert about a person.
    RaiseAlert {
        /// The new alert.
        alert: AlertId,
        /// The person.
        person: PersonId,
        /// Its kind (`ALERT_KINDS`).
        kind: String,
        /// The area it is followed up in.
        area: AreaCode,
    },
    /// Resolves an alert, with the case it led to if any.
    ResolveAlert {
        /// The alert.
        alert: AlertId,
        /// The case opened for it, if any.
        case: Option<CaseId>,
        /// Why (no personal data).
        reason: String,
    },
    /// Signs a care agreement for a dispersed 特困 person.
    SignCareAgreement {
        /// The new agreement.
        agreement: AgreementId,
        /// The granted 特困 case.
        case: CaseId,
        /// The caregivers (1 to 4 registered persons).
        caregivers: Vec<PersonId>,
        /// Days between visits.
        visit_every_days: u32,
    },
    /// Records a visit under a care agreement.
    RecordVisit {
        /// The agreement.
        agreement: AgreementId,
        /// What was seen (no personal data).
        note: String,
        /// A volunteer's visit: the volunteer and the activity's id.
        volunteer: Option<(PersonId, ClaimId)>,
    },
}

/// The kinds of social assistance operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssistanceKind {
    /// [`AssistanceOp::RecordCommitment`].
    RecordCommitment,
    /// [`AssistanceOp::CompleteVerification`].
    CompleteVerification,
    /// [`AssistanceOp::RaiseAlert`].
    RaiseAlert,
    /// [`AssistanceOp::ResolveAlert`].
    ResolveAlert,
    /// [`AssistanceOp::SignCareAgreement`].
    SignCareAgreement,
    /// [`AssistanceOp::RecordVisit`].
    RecordVisit,
}

impl AssistanceOp {
    /// The operation's kind.
    pub fn kind(&self) -> AssistanceKind {
        match self {
            AssistanceOp::RecordCommitment { .. } => AssistanceKind::RecordCommitment,
            AssistanceOp::CompleteVerification { .. } => AssistanceKind::CompleteVerification,
            AssistanceOp::RaiseAlert { .. } => AssistanceKind::RaiseAlert,
            AssistanceOp::ResolveAlert { .. } => AssistanceKind::ResolveAlert,
            AssistanceOp::SignCareAgreement { .. } => AssistanceKind::SignCareAgreement,
            AssistanceOp::RecordVisit { .. } => AssistanceKind::RecordVisit,
        }
    }
}

impl AssistanceKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            AssistanceKind::RecordCommitment => "record-commitment",
            AssistanceKind::CompleteVerification => "complete-verification",
            AssistanceKind::RaiseAlert => "raise-alert",
            AssistanceKind::ResolveAlert => "resolve-alert",
            AssistanceKind::SignCareAgreement => "sign-care-agreement",
            AssistanceKind::RecordVisit => "record-visit",
        }
    }
}

/// A case's commitment and its verification task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commitment {
    /// The case's area.
    pub area: AreaCode,
    /// The person.
    pub person: PersonId,
    /// When it was recorded.
    pub at: UnixMs,
    /// When its verification is due.
    pub due: UnixMs,
    /// The verification, once made: whether it held, by whom, why, when.
    pub verified: Option<(bool, KeyId, String, UnixMs)>,
}

/// A monitoring alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// The person.
    pub person: PersonId,
    /// Its kind.
    pub kind: String,
    /// The area it is followed up in.
    pub area: AreaCode,
    /// Who raised it, when.
    pub raised_by: KeyId,
    /// When.
    pub at: UnixMs,
    /// Its resolution, once resolved: the case it led to, by whom, why, when.
    pub resolved: Option<(Option<CaseId>, KeyId, String, UnixMs)>,
}

/// A care agreement for a dispersed 特困 person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CareAgreement {
    /// The granted 特困 case.
    pub case: CaseId,
    /// The person cared for.
    pub person: PersonId,
    /// The case's area.
    pub area: AreaCode,
    /// The caregivers.
    pub caregivers: Vec<PersonId>,
    /// Days between visits.
    pub visit_every_days: u32,
    /// When it was signed.
    pub signed_at: UnixMs,
    /// Every visit: by whom, when, what was seen, its entry.
    pub visits: Vec<(KeyId, UnixMs, String, Sequence)>,
}

impl CareAgreement {
    /// When the next visit is due: a cadence after the last visit, or after signing.
    pub fn visit_due(&self) -> UnixMs {
        let last = self.visits.last().map_or(self.signed_at, |v| v.1);
        UnixMs(
            last.0
                .saturating_add(u64::from(self.visit_every_days) * DAY_MS),
        )
    }
}

/// Everything the assistance family holds.
#[derive(Clone, Debug, Default)]
pub(super) struct Assistance {
    commitments: OrdMap<CaseId, Arc<Commitment>>,
    alerts: OrdMap<AlertId, Arc<Alert>>,
    agreements: OrdMap<AgreementId, Arc<CareAgreement>>,
    /// The agreement of each case: one per case.
    agreement_of: OrdMap<CaseId, AgreementId>,
    /// The agreement of each person cared for.
    cared: OrdMap<PersonId, AgreementId>,
}

/// The most visits one agreement keeps (about 40 years of weekly visits).
pub const MAX_VISITS: usize = 2_048;

/// A checked assistance operation.
#[derive(Debug)]
pub(super) enum Plan {
    Commitment(CaseId, Commitment),
    Alert(AlertId, Alert),
    Agreement(AgreementId, CareAgreement),
    /// A visit: the agreement with it, and the volunteer's activity if a volunteer made it.
    Visit(AgreementId, CareAgreement, Option<(ClaimId, Activity)>),
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        let assistance = &mut state.assistance;
        match self {
            Plan::Commitment(case, commitment) => {
                assistance.commitments.insert(case, Arc::new(commitment));
            }
            Plan::Alert(id, alert) => {
                assistance.alerts.insert(id, Arc::new(alert));
            }
            Plan::Agreement(id, agreement) => {
                assistance.agreement_of.insert(agreement.case, id);
                assistance.cared.insert(agreement.person, id);
                assistance.agreements.insert(id, Arc::new(agreement));
            }
            Plan::Visit(id, agreement, activity) => {
                assistance.agreements.insert(id, Arc::new(agreement));
                if let Some((activity_id, activity)) = activity {
                    state.volunteering.record(activity_id, activity);
                }
            }
        }
        Effects::default()
    }
}

/// Checks an assistance operation.
pub(super) fn check(state: &State, ctx: &Context, op: &AssistanceOp) -> Result<Plan, Refusal> {
    let assistance = &state.assistance;
    let act = |operation, area: Option<&AreaCode>| {
        authority::may_act_on_case(&ctx.role, operation, area.map(|a| (Program::Assistance, a)))
    };
    // A case's own program decides who acts on it (a children's case is not a caseworker's).
    let on_case = |operation, view: &crate::ledger::CaseView| {
        authority::may_act_on_case(
            &ctx.role,
            operation,
            Some((view.case_type.program, &view.area)),
        )
    };
    match op {
        AssistanceOp::RecordCommitment {
            case,
            verify_within_days,
        } => {
            act("recording a commitment", None)?;
            let view = state
                .case(case)
                .ok_or(CaseworkRefusal::UnknownCase(*case))?;
            on_case("recording a commitment", &view)?;
            let decided = view
                .case_type
                .state(view.state)
                .is_some_and(|s| view.case_type.states[s].decided);
            if view.case_type.program != Program::Assistance || decided {
                return Err(AssistanceRefusal::NotOpenAssistanceCase {
                    case_type: view.case_type.code,
                    state: view.state,
                }
                .into());
            }
            if assistance.commitments.contains_key(case) {
                return Err(AssistanceRefusal::AlreadyCommitted.into());
            }
            Ok(Plan::Commitment(
                *case,
                Commitment {
                    area: view.area,
                    person: view.person,
                    at: ctx.committed_at,
                    due: UnixMs(
                        ctx.committed_at
                            .0
                            .saturating_add(u64::from(*verify_within_days) * DAY_MS),
                    ),
                    verified: None,
                },
            ))
        }
        AssistanceOp::CompleteVerification {
            case,
            truthful,
            reason,
        } => {
            act("verifying a commitment", None)?;
            let commitment = assistance
                .commitments
                .get(case)
                .ok_or(AssistanceRefusal::NoCommitment)?;
            act("verifying a commitment", Some(&commitment.area))?;
            if commitment.verified.is_some() {
                return Err(AssistanceRefusal::AlreadyVerified.into());
            }
            let mut done = Commitment::clone(commitment);
            done.verified = Some((*truthful, ctx.signer, reason.clone(), ctx.committed_at));
            Ok(Plan::Commitment(*case, done))
        }
        AssistanceOp::RaiseAlert {
            alert,
            person,
            kind,
            area,
        } => {
            act("raising an alert", Some(area))?;
            state.areas.require(area)?;
            if state.person(person).is_none() {
                return Err(SubjectRefusal::UnknownPerson(*person).into());
            }
            if assistance.alerts.contains_key(alert) {
                return Err(Refusal::AlreadyRegistered {
                    kind: "alert",
                    id: alert.to_string(),
                });
            }
            Ok(Plan::Alert(
                *alert,
                Alert {
                    person: *person,
                    kind: kind.clone(),
                    area: area.clone(),
                    raised_by: ctx.signer,
                    at: ctx.committed_at,
                    resolved: None,
                },
            ))
        }
        AssistanceOp::ResolveAlert {
            alert: id,
            case,
            reason,
        } => {
            act("resolving an alert", None)?;
            let alert = assistance
                .alerts
                .get(id)
                .ok_or_else(|| AssistanceRefusal::UnknownAlert(id.to_string()))?;
            act("resolving an alert", Some(&alert.area))?;
            if alert.resolved.is_some() {
                return Err(AssistanceRefusal::AlertResolved(id.to_string()).into());
            }
            if let Some(case) = case {
                let view = state
                    .case(case)
                    .ok_or(CaseworkRefusal::UnknownCase(*case))?;
                // An assistance case the signer acts on: no probing other areas or programs.
                on_case("resolving an alert", &view)?;
                if view.case_type.program != Program::Assistance {
                    return Err(AssistanceRefusal::NotOpenAssistanceCase {
                        case_type: view.case_type.code,
                        state: view.state,
                    }
                    .into());
                }
                if view.person != alert.person {
                    return Err(AssistanceRefusal::CaseOfAnotherPerson.into());
                }
            }
            let mut done = Alert::clone(alert);
            done.resolved = Some((*case, ctx.signer, reason.clone(), ctx.committed_at));
            Ok(Plan::Alert(*id, done))
        }
        AssistanceOp::SignCareAgreement {
            agreement,
            case,
            caregivers,
            visit_every_days,
        } => {
            act("signing a care agreement", None)?;
            let view = state
                .case(case)
                .ok_or(CaseworkRefusal::UnknownCase(*case))?;
            on_case("signing a care agreement", &view)?;
            if !view.case_type.code.starts_with("tekun/")
                || !view.case_type.granted_in.contains(&view.state)
            {
                return Err(AssistanceRefusal::NotGrantedTekunCase {
                    case_type: view.case_type.code,
                    state: view.state,
                }
                .into());
            }
            if let Some(existing) = assistance.agreement_of.get(case) {
                return Err(AssistanceRefusal::AgreementExists(existing.to_string()).into());
            }
            if assistance.agreements.contains_key(agreement) {
                return Err(Refusal::AlreadyRegistered {
                    kind: "care agreement",
                    id: agreement.to_string(),
                });
            }
            for caregiver in caregivers {
                if *caregiver == view.person {
                    return Err(AssistanceRefusal::CaregiverIsCared.into());
                }
                if state.person(caregiver).is_none() {
                    return Err(SubjectRefusal::UnknownPerson(*caregiver).into());
                }
            }
            Ok(Plan::Agreement(
                *agreement,
                CareAgreement {
                    case: *case,
                    person: view.person,
                    area: view.area,
                    caregivers: caregivers.clone(),
                    visit_every_days: *visit_every_days,
                    signed_at: ctx.committed_at,
                    visits: Vec::new(),
                },
            ))
        }
        AssistanceOp::RecordVisit {
            agreement: id,
            note,
            volunteer,
        } => {
            act("recording a visit", None)?;
            let agreement = assistance
                .agreements
                .get(id)
                .ok_or_else(|| AssistanceRefusal::UnknownAgreement(id.to_string()))?;
            act("recording a visit", Some(&agreement.area))?;
            // Visits follow a case still granted: an ended 特困 case ends its agreement.
            if !state.case_granted(&agreement.case) {
                let (case_type, in_state) = state
                    .case_state(&agreement.case)
                    .unwrap_or(("unknown", "unknown"));
                return Err(AssistanceRefusal::NotGrantedTekunCase {
                    case_type,
                    state: in_state,
                }
                .into());
            }
            let activity = match volunteer {
                None => None,
                Some((person, activity_id)) => {
                    volunteering::check_new(state, activity_id, person, Some(&agreement.person))?;
                    if agreement.caregivers.contains(person) {
                        return Err(Refusal::InvalidField {
                            field: "volunteer_id",
                            expected: "a volunteer, not one of the agreement's caregivers (their \
                                       visits are their duty)"
                                .into(),
                            found: format!("caregiver {person}"),
                        });
                    }
                    Some((
                        activity_id.clone(),
                        Activity {
                            program: Program::Assistance,
                            kind: "care-visit",
                            site: id.to_string(),
                            volunteer: *person,
                            served: Some(agreement.person),
                            day: CivilDate::of(ctx.committed_at),
                            units: 1,
                            recorded_by: ctx.signer,
                            sequence: ctx.sequence,
                            awarded_at: None,
                        },
                    ))
                }
            };
            let mut visited = CareAgreement::clone(agreement);
            if visited.visits.len() >= MAX_VISITS {
                // The oldest visit makes room: the cadence needs only the latest.
                visited.visits.remove(0);
            }
            visited
                .visits
                .push((ctx.signer, ctx.committed_at, note.clone(), ctx.sequence));
            Ok(Plan::Visit(*id, visited, activity))
        }
    }
}

impl State {
    /// A case's commitment (告知承诺) and its verification.
    pub fn commitment(&self, case: &CaseId) -> Option<Commitment> {
        self.assistance.commitments.get(case).map(|c| (**c).clone())
    }

    /// An alert.
    pub fn alert(&self, id: &AlertId) -> Option<Alert> {
        self.assistance.alerts.get(id).map(|a| (**a).clone())
    }

    /// A care agreement.
    pub fn care_agreement(&self, id: &AgreementId) -> Option<CareAgreement> {
        self.assistance.agreements.get(id).map(|a| (**a).clone())
    }

    /// The agreement `person` is cared for under, while its 特困 case is granted.
    pub(in crate::ledger::state) fn care_agreement_of(
        &self,
        person: &PersonId,
    ) -> Option<AgreementId> {
        let id = self.assistance.cared.get(person)?;
        let agreement = self.assistance.agreements.get(id)?;
        self.case_granted(&agreement.case).then_some(*id)
    }
}
