//! The domain's records into their wire form (receipts, account views, keys), and the
//! account and operation-kind references requests carry into the domain.

use crate::ledger::{
    AccountId, AccountView, AreasKind, AssistanceKind, BenefitsKind, BudgetKind, CaseworkKind,
    CatalogueKind, ChildrenKind, ClaimsKind, EntryRecord, HouseholdId, IssuerId, KeyId, KeyRecord,
    LedgerParameters, MembersKind, OperationKind, OrganizationsKind, PlacesKind, Points,
    PointsKind, PolicyKind, Posting, ProjectsKind, RedemptionKind, Refusal, RegistryKind,
    ReversalKind, Role, Sequence, SettlementKind, ShopId, SubjectsKind, TerminalsKind,
};
use crate::pb::audit as audit_pb;
use crate::pb::points as pb;

/// Parses the account reference of request field `account`, which must be set.
pub fn account_id(account: Option<&pb::AccountRef>) -> Result<AccountId, Refusal> {
    account
        .ok_or(Refusal::InvalidField {
            field: "account",
            expected: "an account reference (kind and id)".into(),
            found: "nothing".into(),
        })?
        .try_into()
}

impl TryFrom<&pb::AccountRef> for AccountId {
    type Error = Refusal;

    fn try_from(account: &pb::AccountRef) -> Result<Self, Refusal> {
        match pb::AccountKind::try_from(account.kind) {
            Ok(pb::AccountKind::BureauFund) if account.id.is_empty() => Ok(AccountId::BureauFund),
            Ok(pb::AccountKind::BureauFund) => Err(Refusal::InvalidField {
                field: "account.id",
                expected: "empty for the bureau fund".into(),
                found: format!("{:?}", account.id),
            }),
            Ok(pb::AccountKind::Issuer) => Ok(AccountId::Issuer(IssuerId::parse(
                "account.id",
                &account.id,
            )?)),
            Ok(pb::AccountKind::Household) => Ok(AccountId::Household(HouseholdId::parse(
                "account.id",
                &account.id,
            )?)),
            Ok(pb::AccountKind::Shop) => {
                Ok(AccountId::Shop(ShopId::parse("account.id", &account.id)?))
            }
            Ok(pb::AccountKind::Unspecified) | Err(_) => Err(Refusal::InvalidField {
                field: "account.kind",
                expected: "bureau fund, issuer, household or shop".into(),
                found: account.kind.to_string(),
            }),
        }
    }
}

impl From<&AccountId> for pb::AccountRef {
    fn from(account: &AccountId) -> Self {
        let (kind, id) = match account {
            AccountId::BureauFund => (pb::AccountKind::BureauFund, String::new()),
            AccountId::Issuer(id) => (pb::AccountKind::Issuer, id.to_string()),
            AccountId::Household(id) => (pb::AccountKind::Household, id.to_string()),
            AccountId::Shop(id) => (pb::AccountKind::Shop, id.to_string()),
        };
        pb::AccountRef {
            kind: kind.into(),
            id,
        }
    }
}

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

impl From<&Posting> for pb::Posting {
    fn from(posting: &Posting) -> Self {
        pb::Posting {
            debit: Some((&posting.debit).into()),
            credit: Some((&posting.credit).into()),
            points: posting.points.get(),
            issuer_id: posting
                .holder_issuer()
                .map(ToString::to_string)
                .unwrap_or_default(),
        }
    }
}

/// The receipt of a committed entry.
impl From<&EntryRecord> for pb::Receipt {
    fn from(entry: &EntryRecord) -> Self {
        pb::Receipt {
            sequence: entry.sequence.get(),
            committed_at_unix_ms: entry.committed_at.get(),
            request_id: entry.request_id.0.to_vec(),
            body_sha256: entry.body_sha256.to_vec(),
            signer_key_id: entry.signer.to_string(),
            kind: pb::OperationKind::from(entry.kind).into(),
            postings: entry.postings.iter().map(pb::Posting::from).collect(),
            reversed_by: entry.reversed_by.map(Sequence::get),
            reverses: entry.reverses.map(Sequence::get),
        }
    }
}

/// The wire form of a role: the enum and the scope.
impl From<&Role> for (pb::Role, String) {
    fn from(role: &Role) -> Self {
        let kind = match role {
            Role::BureauAdmin => pb::Role::BureauAdmin,
            Role::VillageOfficer(_) => pb::Role::VillageOfficer,
            Role::ProgramIssuer(_) => pb::Role::ProgramIssuer,
            Role::ShopTerminal(_) => pb::Role::ShopTerminal,
            Role::Resident(_) => pb::Role::Resident,
            Role::Auditor => pb::Role::Auditor,
            Role::ShopManager(_) => pb::Role::ShopManager,
            Role::Caseworker(_) => pb::Role::Caseworker,
            Role::Reviewer(_) => pb::Role::Reviewer,
            Role::ProgramOfficer(..) => pb::Role::ProgramOfficer,
            Role::ChildDirector(_) => pb::Role::ChildDirector,
            Role::ChildSupervisor(_) => pb::Role::ChildSupervisor,
            Role::FacilityOperator(_) => pb::Role::FacilityOperator,
        };
        (kind, role.scope())
    }
}

/// The wire form of an account view: `detail` is the village of a household and the kind
/// of an issuer; `name` the display name of an issuer or a shop.
impl From<AccountView> for pb::Account {
    fn from(view: AccountView) -> Self {
        let mut account = pb::Account {
            account: Some((&view.account()).into()),
            balance: view.balance(),
            ..pb::Account::default()
        };
        let holdings = |holdings: Vec<(IssuerId, Points)>| {
            holdings
                .into_iter()
                .map(|(issuer, points)| pb::IssuerHolding {
                    issuer_id: issuer.to_string(),
                    points: points.get(),
                })
                .collect()
        };
        match view {
            AccountView::BureauFund { .. } => account.name = "bureau fund".into(),
            AccountView::Issuer { kind, name, .. } => {
                account.detail = kind.name().into();
                account.name = name;
            }
            AccountView::Household {
                village,
                arrears,
                spendable,
                lots,
                earned_score,
                period_scores,
                holdings: held,
                ..
            } => {
                account.detail = village.to_string();
                account.arrears = i64::try_from(arrears.get()).unwrap_or(i64::MAX);
                account.spendable = i64::try_from(spendable.get()).unwrap_or(i64::MAX);
                account.lots = lots
                    .into_iter()
                    .map(|lot| pb::HouseholdLot {
                        issuer_id: lot.issuer.to_string(),
                        points: i64::try_from(lot.points.get()).unwrap_or(i64::MAX),
                        expires_on: lot.expires_on.map_or(0, |d| d.days()),
                    })
                    .collect();
                account.earned_score = earned_score;
                account.period_scores = period_scores
                    .into_iter()
                    .map(|(period, score)| pb::PeriodScore {
                        period: period.to_string(),
                        score,
                    })
                    .collect();
                account.holdings = holdings(held);
            }
            AccountView::Shop {
                name,
                holdings: held,
                ..
            } => {
                account.name = name;
                account.holdings = holdings(held);
            }
        }
        account
    }
}

/// The wire form of a registered key, for the key set auditors read.
impl From<(KeyId, &KeyRecord)> for audit_pb::Key {
    fn from((key_id, key): (KeyId, &KeyRecord)) -> Self {
        let (role, scope) = <(pb::Role, String)>::from(&key.role);
        audit_pb::Key {
            key_id: key_id.to_string(),
            public_key: key.public_key.to_bytes().to_vec(),
            role: role.into(),
            scope,
            registered_at: key.registered_at.get(),
            revoked_at: key.revoked_at.map(Sequence::get),
        }
    }
}

/// The wire form of the ledger's parameters.
impl From<LedgerParameters> for pb::LedgerParameters {
    fn from(p: LedgerParameters) -> Self {
        pb::LedgerParameters {
            max_transaction_window_ms: p.max_transaction_window_ms,
            max_spend_authorization_window_ms: p.max_spend_authorization_window_ms,
            max_refund_window_ms: p.max_refund_window_ms,
        }
    }
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
