//! Operation kinds between the domain and the wire, both ways: the kind a receipt names and
//! the kind a history filter asks for. A family whose wire names follow its own kinds has
//! one table here, read both ways.

use crate::ledger::{
    AreasKind, AssistanceKind, BenefitsKind, BudgetKind, CaseworkKind, CatalogueKind, ChildrenKind,
    ClaimsKind, ElderlyKind, FuneralKind, MembersKind, OperationKind, OrganizationsKind,
    PlacesKind, PointsKind, PolicyKind, ProjectsKind, RedemptionKind, Refusal, RegistryKind,
    RescueKind, ReversalKind, SettlementKind, SubjectsKind, TerminalsKind,
};
use crate::pb::points as pb;

impl From<OperationKind> for pb::OperationKind {
    fn from(kind: OperationKind) -> Self {
        match kind {
            OperationKind::Genesis => pb::OperationKind::Genesis,
            OperationKind::Registry(RegistryKind::RegisterKey) => pb::OperationKind::RegisterKey,
            OperationKind::Registry(RegistryKind::RevokeKey) => pb::OperationKind::RevokeKey,
            OperationKind::Registry(RegistryKind::RegisterIssuer) => {
                pb::OperationKind::RegisterIssuer
            }
            OperationKind::Registry(RegistryKind::RegisterHousehold) => {
                pb::OperationKind::RegisterHousehold
            }
            OperationKind::Registry(RegistryKind::RegisterShop) => pb::OperationKind::RegisterShop,
            OperationKind::Areas(AreasKind::RegisterArea) => pb::OperationKind::RegisterArea,
            OperationKind::Areas(AreasKind::SetVillageArea) => pb::OperationKind::SetVillageArea,
            OperationKind::Catalogue(CatalogueKind::Open) => pb::OperationKind::OpenCatalogue,
            OperationKind::Catalogue(CatalogueKind::AddRules) => {
                pb::OperationKind::AddCatalogueRules
            }
            OperationKind::Catalogue(CatalogueKind::Seal) => pb::OperationKind::SealCatalogue,
            OperationKind::Policy(PolicyKind::Set) => pb::OperationKind::SetVillagePolicy,
            OperationKind::Members(MembersKind::RegisterMember) => {
                pb::OperationKind::RegisterMember
            }
            OperationKind::Members(MembersKind::MemberLeft) => pb::OperationKind::MemberLeft,
            OperationKind::Members(MembersKind::HouseholdLeft) => pb::OperationKind::HouseholdLeft,
            OperationKind::Members(MembersKind::SetOfficerHousehold) => {
                pb::OperationKind::SetOfficerHousehold
            }
            OperationKind::Members(MembersKind::LinkPerson) => pb::OperationKind::LinkMemberPerson,
            OperationKind::Subjects(SubjectsKind::RegisterPerson) => {
                pb::OperationKind::RegisterPerson
            }
            OperationKind::Subjects(SubjectsKind::RegisterOrganization) => {
                pb::OperationKind::RegisterOrganization
            }
            OperationKind::Subjects(SubjectsKind::ReviewNearMatch) => {
                pb::OperationKind::ReviewNearMatch
            }
            OperationKind::Casework(CaseworkKind::OpenCase) => pb::OperationKind::OpenCase,
            OperationKind::Benefits(BenefitsKind::DefineScheme) => pb::OperationKind::DefineScheme,
            OperationKind::Benefits(BenefitsKind::SetParameters) => {
                pb::OperationKind::SetSchemeParameters
            }
            OperationKind::Benefits(BenefitsKind::Enroll) => pb::OperationKind::Enroll,
            OperationKind::Benefits(BenefitsKind::EndEnrollment) => {
                pb::OperationKind::EndEnrollment
            }
            OperationKind::Benefits(BenefitsKind::IssuePaymentBatch) => {
                pb::OperationKind::IssuePaymentBatch
            }
            OperationKind::Benefits(BenefitsKind::RecordRecovery) => {
                pb::OperationKind::RecordRecovery
            }
            OperationKind::Benefits(BenefitsKind::DefineUnit) => pb::OperationKind::DefineUnit,
            OperationKind::Benefits(BenefitsKind::AllocateUnit) => pb::OperationKind::AllocateUnit,
            OperationKind::Benefits(BenefitsKind::ReleaseUnit) => pb::OperationKind::ReleaseUnit,
            OperationKind::Assistance(AssistanceKind::RecordCommitment) => {
                pb::OperationKind::RecordCommitment
            }
            OperationKind::Assistance(AssistanceKind::CompleteVerification) => {
                pb::OperationKind::CompleteVerification
            }
            OperationKind::Assistance(AssistanceKind::RaiseAlert) => pb::OperationKind::RaiseAlert,
            OperationKind::Assistance(AssistanceKind::ResolveAlert) => {
                pb::OperationKind::ResolveAlert
            }
            OperationKind::Assistance(AssistanceKind::SignCareAgreement) => {
                pb::OperationKind::SignCareAgreement
            }
            OperationKind::Assistance(AssistanceKind::RecordVisit) => {
                pb::OperationKind::RecordVisit
            }
            OperationKind::Children(kind) => to_wire(&CHILDREN_KINDS, kind),
            OperationKind::Projects(kind) => to_wire(&PROJECTS_KINDS, kind),
            OperationKind::Places(kind) => to_wire(&PLACES_KINDS, kind),
            OperationKind::Organizations(kind) => to_wire(&ORGANIZATIONS_KINDS, kind),
            OperationKind::Funeral(kind) => to_wire(&FUNERAL_KINDS, kind),
            OperationKind::Elderly(kind) => to_wire(&ELDERLY_KINDS, kind),
            OperationKind::Rescue(kind) => to_wire(&RESCUE_KINDS, kind),
            OperationKind::Casework(CaseworkKind::FileObjection) => {
                pb::OperationKind::FileCaseObjection
            }
            OperationKind::Casework(CaseworkKind::ResolveObjection) => {
                pb::OperationKind::ResolveCaseObjection
            }
            OperationKind::Casework(CaseworkKind::Transition) => pb::OperationKind::TransitionCase,
            OperationKind::Claims(ClaimsKind::Submit) => pb::OperationKind::SubmitClaim,
            OperationKind::Claims(ClaimsKind::Review) => pb::OperationKind::ReviewClaim,
            OperationKind::Claims(ClaimsKind::Withdraw) => pb::OperationKind::WithdrawClaim,
            OperationKind::Claims(ClaimsKind::OpenNotice) => pb::OperationKind::OpenNotice,
            OperationKind::Claims(ClaimsKind::FileObjection) => pb::OperationKind::FileObjection,
            OperationKind::Claims(ClaimsKind::ResolveObjection) => {
                pb::OperationKind::ResolveObjection
            }
            OperationKind::Claims(ClaimsKind::FinalizeNotice) => pb::OperationKind::FinalizeNotice,
            OperationKind::Claims(ClaimsKind::RequireClaims) => pb::OperationKind::RequireClaims,
            OperationKind::Claims(ClaimsKind::AwardByRule) => pb::OperationKind::AwardByRule,
            OperationKind::Claims(ClaimsKind::ExpireLots) => pb::OperationKind::ExpireLots,
            OperationKind::Claims(ClaimsKind::Reverse) => pb::OperationKind::ReverseClaim,
            OperationKind::Budget(BudgetKind::Allocate) => pb::OperationKind::AllocateBudget,
            OperationKind::Points(PointsKind::Issue) => pb::OperationKind::IssuePoints,
            OperationKind::Points(PointsKind::Deduct) => pb::OperationKind::DeductPoints,
            OperationKind::Reversal(ReversalKind::Reverse) => pb::OperationKind::ReverseEntry,
            OperationKind::Redemption(RedemptionKind::Redeem) => pb::OperationKind::Redeem,
            OperationKind::Redemption(RedemptionKind::Refund) => pb::OperationKind::RefundSale,
            OperationKind::Settlement(SettlementKind::ClosePeriod) => {
                pb::OperationKind::ClosePeriod
            }
            OperationKind::Settlement(SettlementKind::Settle) => pb::OperationKind::SettleStatement,
            OperationKind::Terminals(TerminalsKind::CreateActivationCode) => {
                pb::OperationKind::CreateActivationCode
            }
            OperationKind::Terminals(TerminalsKind::ActivateTerminal) => {
                pb::OperationKind::ActivateTerminal
            }
            OperationKind::Terminals(TerminalsKind::SetTerminalStatus) => {
                pb::OperationKind::SetTerminalStatus
            }
        }
    }
}

/// Parses an operation-kind filter; unspecified means no filter.
pub fn operation_kind_filter(kind: i32) -> Result<Option<OperationKind>, Refusal> {
    let kind = pb::OperationKind::try_from(kind).map_err(|_| Refusal::InvalidField {
        field: "kind",
        expected: "an OperationKind value".into(),
        found: kind.to_string(),
    })?;
    Ok(match kind {
        pb::OperationKind::Unspecified => None,
        pb::OperationKind::Genesis => Some(OperationKind::Genesis),
        pb::OperationKind::RegisterKey => Some(OperationKind::Registry(RegistryKind::RegisterKey)),
        pb::OperationKind::RevokeKey => Some(OperationKind::Registry(RegistryKind::RevokeKey)),
        pb::OperationKind::RegisterIssuer => {
            Some(OperationKind::Registry(RegistryKind::RegisterIssuer))
        }
        pb::OperationKind::RegisterHousehold => {
            Some(OperationKind::Registry(RegistryKind::RegisterHousehold))
        }
        pb::OperationKind::RegisterShop => {
            Some(OperationKind::Registry(RegistryKind::RegisterShop))
        }
        pb::OperationKind::RegisterArea => Some(OperationKind::Areas(AreasKind::RegisterArea)),
        pb::OperationKind::SetVillageArea => Some(OperationKind::Areas(AreasKind::SetVillageArea)),
        pb::OperationKind::OpenCatalogue => Some(OperationKind::Catalogue(CatalogueKind::Open)),
        pb::OperationKind::AddCatalogueRules => {
            Some(OperationKind::Catalogue(CatalogueKind::AddRules))
        }
        pb::OperationKind::SealCatalogue => Some(OperationKind::Catalogue(CatalogueKind::Seal)),
        pb::OperationKind::SetVillagePolicy => Some(OperationKind::Policy(PolicyKind::Set)),
        pb::OperationKind::RegisterMember => {
            Some(OperationKind::Members(MembersKind::RegisterMember))
        }
        pb::OperationKind::MemberLeft => Some(OperationKind::Members(MembersKind::MemberLeft)),
        pb::OperationKind::HouseholdLeft => {
            Some(OperationKind::Members(MembersKind::HouseholdLeft))
        }
        pb::OperationKind::SetOfficerHousehold => {
            Some(OperationKind::Members(MembersKind::SetOfficerHousehold))
        }
        pb::OperationKind::LinkMemberPerson => {
            Some(OperationKind::Members(MembersKind::LinkPerson))
        }
        pb::OperationKind::RegisterPerson => {
            Some(OperationKind::Subjects(SubjectsKind::RegisterPerson))
        }
        pb::OperationKind::RegisterOrganization => {
            Some(OperationKind::Subjects(SubjectsKind::RegisterOrganization))
        }
        pb::OperationKind::ReviewNearMatch => {
            Some(OperationKind::Subjects(SubjectsKind::ReviewNearMatch))
        }
        pb::OperationKind::OpenCase => Some(OperationKind::Casework(CaseworkKind::OpenCase)),
        pb::OperationKind::TransitionCase => {
            Some(OperationKind::Casework(CaseworkKind::Transition))
        }
        pb::OperationKind::DefineScheme => {
            Some(OperationKind::Benefits(BenefitsKind::DefineScheme))
        }
        pb::OperationKind::SetSchemeParameters => {
            Some(OperationKind::Benefits(BenefitsKind::SetParameters))
        }
        pb::OperationKind::Enroll => Some(OperationKind::Benefits(BenefitsKind::Enroll)),
        pb::OperationKind::EndEnrollment => {
            Some(OperationKind::Benefits(BenefitsKind::EndEnrollment))
        }
        pb::OperationKind::IssuePaymentBatch => {
            Some(OperationKind::Benefits(BenefitsKind::IssuePaymentBatch))
        }
        pb::OperationKind::RecordRecovery => {
            Some(OperationKind::Benefits(BenefitsKind::RecordRecovery))
        }
        pb::OperationKind::DefineUnit => Some(OperationKind::Benefits(BenefitsKind::DefineUnit)),
        pb::OperationKind::AllocateUnit => {
            Some(OperationKind::Benefits(BenefitsKind::AllocateUnit))
        }
        pb::OperationKind::ReleaseUnit => Some(OperationKind::Benefits(BenefitsKind::ReleaseUnit)),
        pb::OperationKind::RecordCommitment => {
            Some(OperationKind::Assistance(AssistanceKind::RecordCommitment))
        }
        pb::OperationKind::CompleteVerification => Some(OperationKind::Assistance(
            AssistanceKind::CompleteVerification,
        )),
        pb::OperationKind::RaiseAlert => {
            Some(OperationKind::Assistance(AssistanceKind::RaiseAlert))
        }
        pb::OperationKind::ResolveAlert => {
            Some(OperationKind::Assistance(AssistanceKind::ResolveAlert))
        }
        pb::OperationKind::SignCareAgreement => {
            Some(OperationKind::Assistance(AssistanceKind::SignCareAgreement))
        }
        pb::OperationKind::RecordVisit => {
            Some(OperationKind::Assistance(AssistanceKind::RecordVisit))
        }
        pb::OperationKind::SetChildCategory
        | pb::OperationKind::EndChildCategory
        | pb::OperationKind::ReportConcern
        | pb::OperationKind::VerifyConcern
        | pb::OperationKind::CloseConcern
        | pb::OperationKind::RecordChildVisit => {
            from_wire(&CHILDREN_KINDS, kind).map(OperationKind::Children)
        }
        pb::OperationKind::DefineProject
        | pb::OperationKind::ReportProjectProgress
        | pb::OperationKind::CorrectProjectInvestment
        | pb::OperationKind::ReachProjectMilestone => {
            from_wire(&PROJECTS_KINDS, kind).map(OperationKind::Projects)
        }
        pb::OperationKind::ApplyForName
        | pb::OperationKind::DecideNameApplication
        | pb::OperationKind::AssignAddress
        | pb::OperationKind::RetireAddress
        | pb::OperationKind::RecordBoundaryInspection => {
            from_wire(&PLACES_KINDS, kind).map(OperationKind::Places)
        }
        pb::OperationKind::FileAnnualReport
        | pb::OperationKind::RecordAnnualInspection
        | pb::OperationKind::ListAbnormal
        | pb::OperationKind::RemoveFromAbnormalList
        | pb::OperationKind::ListSerious
        | pb::OperationKind::OpenEnforcementCase
        | pb::OperationKind::CloseEnforcementCase
        | pb::OperationKind::DefineContest
        | pb::OperationKind::AwardGrant => {
            from_wire(&ORGANIZATIONS_KINDS, kind).map(OperationKind::Organizations)
        }
        pb::OperationKind::RegisterDeath
        | pb::OperationKind::RecordDeathCertificate
        | pb::OperationKind::BookFuneralService
        | pb::OperationKind::DefineCemetery
        | pb::OperationKind::DefinePlots
        | pb::OperationKind::AllocatePlot
        | pb::OperationKind::GrantFuneralSubsidy
        | pb::OperationKind::IdentifyScatteredGrave
        | pb::OperationKind::AdvanceScatteredGrave
        | pb::OperationKind::RenewPlot
        | pb::OperationKind::ReleasePlot => {
            from_wire(&FUNERAL_KINDS, kind).map(OperationKind::Funeral)
        }
        pb::OperationKind::RecordInstitution
        | pb::OperationKind::GradeInstitution
        | pb::OperationKind::RecordStaffCertificate
        | pb::OperationKind::AssessAbility
        | pb::OperationKind::DefineCanteen
        | pb::OperationKind::EnrollDiner
        | pb::OperationKind::ServeMeal
        | pb::OperationKind::OpenAdaptation
        | pb::OperationKind::CompleteAdaptation
        | pb::OperationKind::EnrollInsurance
        | pb::OperationKind::RecordVolunteerShift => {
            from_wire(&ELDERLY_KINDS, kind).map(OperationKind::Elderly)
        }
        pb::OperationKind::DefineCampaign
        | pb::OperationKind::RecordEncounter
        | pb::OperationKind::Admit
        | pb::OperationKind::PublishTracingNotice
        | pb::OperationKind::ExtendStay
        | pb::OperationKind::Discharge
        | pb::OperationKind::RecordConsent
        | pb::OperationKind::WithdrawConsent
        | pb::OperationKind::RecordSession => {
            from_wire(&RESCUE_KINDS, kind).map(OperationKind::Rescue)
        }
        pb::OperationKind::FileCaseObjection => {
            Some(OperationKind::Casework(CaseworkKind::FileObjection))
        }
        pb::OperationKind::ResolveCaseObjection => {
            Some(OperationKind::Casework(CaseworkKind::ResolveObjection))
        }
        pb::OperationKind::SubmitClaim => Some(OperationKind::Claims(ClaimsKind::Submit)),
        pb::OperationKind::ReviewClaim => Some(OperationKind::Claims(ClaimsKind::Review)),
        pb::OperationKind::WithdrawClaim => Some(OperationKind::Claims(ClaimsKind::Withdraw)),
        pb::OperationKind::OpenNotice => Some(OperationKind::Claims(ClaimsKind::OpenNotice)),
        pb::OperationKind::FileObjection => Some(OperationKind::Claims(ClaimsKind::FileObjection)),
        pb::OperationKind::ResolveObjection => {
            Some(OperationKind::Claims(ClaimsKind::ResolveObjection))
        }
        pb::OperationKind::FinalizeNotice => {
            Some(OperationKind::Claims(ClaimsKind::FinalizeNotice))
        }
        pb::OperationKind::RequireClaims => Some(OperationKind::Claims(ClaimsKind::RequireClaims)),
        pb::OperationKind::AwardByRule => Some(OperationKind::Claims(ClaimsKind::AwardByRule)),
        pb::OperationKind::ExpireLots => Some(OperationKind::Claims(ClaimsKind::ExpireLots)),
        pb::OperationKind::ReverseClaim => Some(OperationKind::Claims(ClaimsKind::Reverse)),
        pb::OperationKind::AllocateBudget => Some(OperationKind::Budget(BudgetKind::Allocate)),
        pb::OperationKind::IssuePoints => Some(OperationKind::Points(PointsKind::Issue)),
        pb::OperationKind::DeductPoints => Some(OperationKind::Points(PointsKind::Deduct)),
        pb::OperationKind::ReverseEntry => Some(OperationKind::Reversal(ReversalKind::Reverse)),
        pb::OperationKind::Redeem => Some(OperationKind::Redemption(RedemptionKind::Redeem)),
        pb::OperationKind::RefundSale => Some(OperationKind::Redemption(RedemptionKind::Refund)),
        pb::OperationKind::ClosePeriod => {
            Some(OperationKind::Settlement(SettlementKind::ClosePeriod))
        }
        pb::OperationKind::SettleStatement => {
            Some(OperationKind::Settlement(SettlementKind::Settle))
        }
        pb::OperationKind::CreateActivationCode => Some(OperationKind::Terminals(
            TerminalsKind::CreateActivationCode,
        )),
        pb::OperationKind::ActivateTerminal => {
            Some(OperationKind::Terminals(TerminalsKind::ActivateTerminal))
        }
        pb::OperationKind::SetTerminalStatus => {
            Some(OperationKind::Terminals(TerminalsKind::SetTerminalStatus))
        }
    })
}

/// The children's program's operation kinds and their wire names, both ways.
const CHILDREN_KINDS: [(ChildrenKind, pb::OperationKind); 6] = [
    (
        ChildrenKind::SetCategory,
        pb::OperationKind::SetChildCategory,
    ),
    (
        ChildrenKind::EndCategory,
        pb::OperationKind::EndChildCategory,
    ),
    (
        ChildrenKind::ReportConcern,
        pb::OperationKind::ReportConcern,
    ),
    (
        ChildrenKind::VerifyConcern,
        pb::OperationKind::VerifyConcern,
    ),
    (ChildrenKind::CloseConcern, pb::OperationKind::CloseConcern),
    (
        ChildrenKind::RecordVisit,
        pb::OperationKind::RecordChildVisit,
    ),
];

/// The capital projects' operation kinds and their wire names, both ways.
const PROJECTS_KINDS: [(ProjectsKind, pb::OperationKind); 4] = [
    (ProjectsKind::Define, pb::OperationKind::DefineProject),
    (
        ProjectsKind::ReportProgress,
        pb::OperationKind::ReportProjectProgress,
    ),
    (
        ProjectsKind::CorrectInvestment,
        pb::OperationKind::CorrectProjectInvestment,
    ),
    (
        ProjectsKind::ReachMilestone,
        pb::OperationKind::ReachProjectMilestone,
    ),
];

/// The place names' operation kinds and their wire names, both ways.
const PLACES_KINDS: [(PlacesKind, pb::OperationKind); 5] = [
    (PlacesKind::Apply, pb::OperationKind::ApplyForName),
    (PlacesKind::Decide, pb::OperationKind::DecideNameApplication),
    (PlacesKind::AssignAddress, pb::OperationKind::AssignAddress),
    (PlacesKind::RetireAddress, pb::OperationKind::RetireAddress),
    (
        PlacesKind::Inspect,
        pb::OperationKind::RecordBoundaryInspection,
    ),
];

/// The social organizations' operation kinds and their wire names, both ways.
const ORGANIZATIONS_KINDS: [(OrganizationsKind, pb::OperationKind); 9] = {
    use OrganizationsKind as K;
    use pb::OperationKind as W;
    [
        (K::FileReport, W::FileAnnualReport),
        (K::Inspect, W::RecordAnnualInspection),
        (K::ListAbnormal, W::ListAbnormal),
        (K::RemoveAbnormal, W::RemoveFromAbnormalList),
        (K::ListSerious, W::ListSerious),
        (K::OpenCase, W::OpenEnforcementCase),
        (K::CloseCase, W::CloseEnforcementCase),
        (K::DefineContest, W::DefineContest),
        (K::AwardGrant, W::AwardGrant),
    ]
};

/// The funeral operation kinds and their wire names, both ways.
const FUNERAL_KINDS: [(FuneralKind, pb::OperationKind); 11] = {
    use FuneralKind as K;
    use pb::OperationKind as W;
    [
        (K::RegisterDeath, W::RegisterDeath),
        (K::RecordCertificate, W::RecordDeathCertificate),
        (K::Book, W::BookFuneralService),
        (K::DefineCemetery, W::DefineCemetery),
        (K::DefinePlots, W::DefinePlots),
        (K::AllocatePlot, W::AllocatePlot),
        (K::GrantSubsidy, W::GrantFuneralSubsidy),
        (K::IdentifyGrave, W::IdentifyScatteredGrave),
        (K::AdvanceGrave, W::AdvanceScatteredGrave),
        (K::RenewPlot, W::RenewPlot),
        (K::ReleasePlot, W::ReleasePlot),
    ]
};

/// The elderly care operation kinds and their wire names, both ways.
const ELDERLY_KINDS: [(ElderlyKind, pb::OperationKind); 11] = {
    use ElderlyKind as K;
    use pb::OperationKind as W;
    [
        (K::RecordInstitution, W::RecordInstitution),
        (K::Grade, W::GradeInstitution),
        (K::Certificate, W::RecordStaffCertificate),
        (K::Assess, W::AssessAbility),
        (K::DefineCanteen, W::DefineCanteen),
        (K::EnrollDiner, W::EnrollDiner),
        (K::ServeMeal, W::ServeMeal),
        (K::OpenAdaptation, W::OpenAdaptation),
        (K::CompleteAdaptation, W::CompleteAdaptation),
        (K::Insure, W::EnrollInsurance),
        (K::VolunteerShift, W::RecordVolunteerShift),
    ]
};

/// The rescue operation kinds and their wire names, both ways.
const RESCUE_KINDS: [(RescueKind, pb::OperationKind); 9] = {
    use RescueKind as K;
    use pb::OperationKind as W;
    [
        (K::DefineCampaign, W::DefineCampaign),
        (K::Encounter, W::RecordEncounter),
        (K::Admit, W::Admit),
        (K::TracingNotice, W::PublishTracingNotice),
        (K::ExtendStay, W::ExtendStay),
        (K::Discharge, W::Discharge),
        (K::Consent, W::RecordConsent),
        (K::Withdraw, W::WithdrawConsent),
        (K::Session, W::RecordSession),
    ]
};

/// A family's operation kind on the wire, by its table.
fn to_wire<K: PartialEq + Copy>(table: &[(K, pb::OperationKind)], kind: K) -> pb::OperationKind {
    table
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(pb::OperationKind::Unspecified, |(_, wire)| *wire)
}

/// A family's operation kind from the wire, by its table.
fn from_wire<K: Copy>(table: &[(K, pb::OperationKind)], wire: pb::OperationKind) -> Option<K> {
    table.iter().find(|(_, w)| *w == wire).map(|(k, _)| *k)
}
