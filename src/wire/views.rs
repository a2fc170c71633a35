//! The domain's records into their wire form (receipts, account views, keys), and the
//! account references requests carry into the domain (operation kinds are `kinds.rs`).

use crate::ledger::{
    AccountId, AccountView, EntryRecord, HouseholdId, IssuerId, KeyId, KeyRecord, LedgerParameters,
    Points, Posting, Program, Refusal, Role, Sequence, ShopId,
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
            AccountView::Issuer {
                kind,
                name,
                program,
                ..
            } => {
                account.detail = kind.name().into();
                account.name = name;
                account.program = program.map_or("", Program::name).into();
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
