//! How receipts and accounts look on a terminal.

use shanzhi::ledger::LocalTime;
use shanzhi::pb::governance as gov_pb;
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
    if !account.program.is_empty() {
        println!("awards for the bureau program {}", account.program);
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

// Claims and notices.

fn status_text(claim: &gov_pb::ClaimView) -> String {
    let name = match claim.status() {
        gov_pb::ClaimStatus::UnderReview => "under review",
        gov_pb::ClaimStatus::Approved => "approved",
        gov_pb::ClaimStatus::InNotice => "in notice",
        gov_pb::ClaimStatus::Posted => "posted",
        gov_pb::ClaimStatus::Rejected => "rejected",
        gov_pb::ClaimStatus::Withdrawn => "withdrawn",
        gov_pb::ClaimStatus::Reversed => "reversed",
        gov_pb::ClaimStatus::Unspecified => "unspecified",
    };
    match (claim.decided_at, claim.batch_id.as_str()) {
        (0, "") => name.into(),
        (0, batch) => format!("{name} (batch {batch})"),
        (at, "") => format!("{name} at entry {at}"),
        (at, batch) => format!("{name} at entry {at} (batch {batch})"),
    }
}

pub fn print_claim(claim: &gov_pb::ClaimView, reviews: bool) {
    let (sign, code) = claim
        .rule
        .as_ref()
        .map(|r| {
            let sign = if r.sign() == gov_pb::Sign::Deduction {
                "-"
            } else {
                "+"
            };
            (sign, r.code.as_str())
        })
        .unwrap_or(("", ""));
    println!(
        "{}  {}  {code} × {} = {sign}{} points, deed {}, {}",
        claim.claim_id,
        claim.household_id,
        claim.quantity,
        claim.points,
        super::catalogue_file::date_text(claim.deed_date),
        status_text(claim)
    );
    if reviews {
        println!(
            "  proposed by {} at entry {}; {} of {} approvals; {} open objections",
            claim.proposer_key_id,
            claim.submitted_at,
            claim.approvals.len(),
            claim.reviewers_required,
            claim.open_objections
        );
        for review in &claim.reviews {
            use gov_pb::review::Decision as D;
            let decision = match &review.decision {
                Some(D::Approve(_)) => "approved".into(),
                Some(D::Reject(_)) => "rejected".into(),
                Some(D::AdjustQuantity(q)) => format!("adjusted to {q}"),
                None => String::new(),
            };
            println!(
                "  #{} {} {decision}: {}",
                review.at, review.reviewer_key_id, review.reason
            );
        }
    }
}

pub fn print_notice(notice: &gov_pb::NoticeView) {
    let state = match notice.finalized_at {
        0 => format!(
            "runs until {} (finalize on or after it)",
            super::catalogue_file::date_text(notice.ends_on)
        ),
        at => format!("finalized at entry {at}"),
    };
    println!(
        "notice {} of village {}: opened {} at entry {}, {state}",
        notice.batch_id,
        notice.village_id,
        super::catalogue_file::date_text(notice.opened_on),
        notice.opened_at
    );
    for claim in &notice.claims {
        print_claim(claim, false);
    }
    for objection in &notice.objections {
        let status = match objection.status() {
            gov_pb::ObjectionStatus::Open => "open".to_owned(),
            gov_pb::ObjectionStatus::Upheld => format!("upheld: {}", objection.resolution_reason),
            gov_pb::ObjectionStatus::Dismissed => {
                format!("dismissed: {}", objection.resolution_reason)
            }
            gov_pb::ObjectionStatus::Unspecified => String::new(),
        };
        println!(
            "  objection {} to {}: {} ({status})",
            objection.objection_id, objection.claim_id, objection.reason
        );
    }
}
