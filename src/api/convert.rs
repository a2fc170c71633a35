//! Conversions between wire types and domain types, in one place.

use crate::ledger::{
    AccountId, AccountView, EntryRecord, HouseholdId, IssuerId, OperationKind, Points, Posting,
    Refusal, Role, Sequence, ShopId,
};
use crate::pb::points as pb;

/// Parses an account reference.
pub fn account_id(account: Option<&pb::AccountRef>) -> Result<AccountId, Refusal> {
    let account = account.ok_or(Refusal::InvalidField {
        field: "account",
        expected: "an account reference (kind and id)".into(),
        found: "nothing".into(),
    })?;
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
        Ok(pb::AccountKind::Shop) => Ok(AccountId::Shop(ShopId::parse("account.id", &account.id)?)),
        Ok(pb::AccountKind::Unspecified) | Err(_) => Err(Refusal::InvalidField {
            field: "account.kind",
            expected: "bureau fund, issuer, household or shop".into(),
            found: account.kind.to_string(),
        }),
    }
}

/// The wire form of an account id.
pub fn account_ref(account: &AccountId) -> pb::AccountRef {
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

/// The wire form of an operation kind.
pub fn operation_kind(kind: OperationKind) -> pb::OperationKind {
    match kind {
        OperationKind::Genesis => pb::OperationKind::Genesis,
        OperationKind::RegisterKey => pb::OperationKind::RegisterKey,
        OperationKind::RevokeKey => pb::OperationKind::RevokeKey,
        OperationKind::RegisterIssuer => pb::OperationKind::RegisterIssuer,
        OperationKind::RegisterHousehold => pb::OperationKind::RegisterHousehold,
        OperationKind::RegisterShop => pb::OperationKind::RegisterShop,
        OperationKind::AllocateBudget => pb::OperationKind::AllocateBudget,
        OperationKind::IssuePoints => pb::OperationKind::IssuePoints,
        OperationKind::DeductPoints => pb::OperationKind::DeductPoints,
        OperationKind::ReverseEntry => pb::OperationKind::ReverseEntry,
        OperationKind::Redeem => pb::OperationKind::Redeem,
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
        pb::OperationKind::RegisterKey => Some(OperationKind::RegisterKey),
        pb::OperationKind::RevokeKey => Some(OperationKind::RevokeKey),
        pb::OperationKind::RegisterIssuer => Some(OperationKind::RegisterIssuer),
        pb::OperationKind::RegisterHousehold => Some(OperationKind::RegisterHousehold),
        pb::OperationKind::RegisterShop => Some(OperationKind::RegisterShop),
        pb::OperationKind::AllocateBudget => Some(OperationKind::AllocateBudget),
        pb::OperationKind::IssuePoints => Some(OperationKind::IssuePoints),
        pb::OperationKind::DeductPoints => Some(OperationKind::DeductPoints),
        pb::OperationKind::ReverseEntry => Some(OperationKind::ReverseEntry),
        pb::OperationKind::Redeem => Some(OperationKind::Redeem),
    })
}

fn posting(posting: &Posting) -> pb::Posting {
    pb::Posting {
        debit: Some(account_ref(&posting.debit)),
        credit: Some(account_ref(&posting.credit)),
        points: posting.points.get(),
        issuer_id: posting
            .holder_issuer()
            .map(ToString::to_string)
            .unwrap_or_default(),
    }
}

/// The receipt of a committed entry.
pub fn receipt(entry: &EntryRecord) -> pb::Receipt {
    pb::Receipt {
        sequence: entry.sequence.get(),
        committed_at_unix_ms: entry.committed_at.get(),
        request_id: entry.request_id.0.to_vec(),
        body_sha256: entry.body_sha256.to_vec(),
        signer_key_id: entry.signer.to_string(),
        kind: operation_kind(entry.kind).into(),
        postings: entry.postings.iter().map(posting).collect(),
        reversed_by: entry.reversed_by.map(Sequence::get),
        reverses: entry.reverses.map(Sequence::get),
    }
}

/// A page size as requested: 0 for `default`, at most `max`.
pub fn page_size(requested: u32, default: u32, max: u32) -> Result<usize, Refusal> {
    match requested {
        0 => Ok(default as usize),
        size if size <= max => Ok(size as usize),
        size => Err(Refusal::InvalidField {
            field: "page_size",
            expected: format!("0 (for {default}) to {max}"),
            found: size.to_string(),
        }),
    }
}

/// A page token as requested: `None` for the first page, else the `next_page_token` a
/// previous page gave.
pub fn page_token<T: std::str::FromStr>(token: &str) -> Result<Option<T>, Refusal> {
    match token {
        "" => Ok(None),
        token => token.parse().map(Some).map_err(|_| Refusal::InvalidField {
            field: "page_token",
            expected: "empty or the next_page_token of a previous page".into(),
            found: format!("{token:?}"),
        }),
    }
}

/// The wire form of a role: the enum and the scope.
pub fn role(role: &Role) -> (pb::Role, String) {
    let kind = match role {
        Role::BureauAdmin => pb::Role::BureauAdmin,
        Role::VillageOfficer(_) => pb::Role::VillageOfficer,
        Role::ProgramIssuer(_) => pb::Role::ProgramIssuer,
        Role::ShopTerminal(_) => pb::Role::ShopTerminal,
        Role::Resident(_) => pb::Role::Resident,
        Role::Auditor => pb::Role::Auditor,
    };
    (kind, role.scope())
}

/// The wire form of an account view: `detail` is the village of a household and the kind
/// of an issuer; `name` the display name of an issuer or a shop.
pub fn account(view: AccountView) -> pb::Account {
    let mut account = pb::Account {
        account: Some(account_ref(&view.account())),
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
            earned_score,
            period_scores,
            holdings: held,
            ..
        } => {
            account.detail = village.to_string();
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
