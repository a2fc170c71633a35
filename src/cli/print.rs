//! How receipts and accounts look on a terminal.

use shanzhi::ledger::LocalTime;
use shanzhi::pb::points as pb;

fn account_name(account: Option<&pb::AccountRef>) -> String {
    match account {
        None => "?".into(),
        Some(a) => match pb::AccountKind::try_from(a.kind) {
            Ok(pb::AccountKind::BureauFund) => "bureau-fund".into(),
            Ok(pb::AccountKind::Issuer) => format!("issuer:{}", a.id),
            Ok(pb::AccountKind::Household) => format!("household:{}", a.id),
            Ok(pb::AccountKind::Shop) => format!("shop:{}", a.id),
            _ => format!("?:{}", a.id),
        },
    }
}

pub fn print_receipt(receipt: &pb::Receipt) {
    let kind = pb::OperationKind::try_from(receipt.kind)
        .map(|k| {
            k.as_str_name()
                .trim_start_matches("OPERATION_KIND_")
                .to_lowercase()
                .replace('_', "-")
        })
        .unwrap_or_else(|_| "unknown".into());
    println!(
        "#{} {} {} request {} signer {}",
        receipt.sequence,
        LocalTime::from_unix_ms(receipt.committed_at_unix_ms),
        kind,
        hex::encode(&receipt.request_id),
        receipt.signer_key_id
    );
    for p in &receipt.postings {
        let whose = if p.issuer_id.is_empty() {
            String::new()
        } else {
            format!(" (points of issuer {})", p.issuer_id)
        };
        println!(
            "    {} -> {}: {} points{whose}",
            account_name(p.debit.as_ref()),
            account_name(p.credit.as_ref()),
            p.points
        );
    }
    if let Some(by) = receipt.reversed_by {
        println!("    reversed by #{by}");
    }
    if let Some(target) = receipt.reverses {
        println!("    reverses #{target}");
    }
}

pub fn print_account(account: &pb::Account) {
    println!("account: {}", account_name(account.account.as_ref()));
    if !account.name.is_empty() {
        println!("name:    {}", account.name);
    }
    if !account.detail.is_empty() {
        println!("detail:  {}", account.detail);
    }
    println!("balance: {}", account.balance);
    if account.account.as_ref().map(|a| a.kind) == Some(pb::AccountKind::Household.into()) {
        if account.arrears != 0 {
            println!(
                "arrears: {} (paid first by the next credits)",
                account.arrears
            );
        }
        println!("earned score: {}", account.earned_score);
        for s in &account.period_scores {
            println!("  {}: {}", s.period, s.score);
        }
    }
    for h in &account.holdings {
        println!("  points of issuer {}: {}", h.issuer_id, h.points);
    }
}
