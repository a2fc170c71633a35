//! Claims commands: a claim from submission through review, public notice and objections to
//! its posting, its reversal, awards by rule, lot expiry, and the reads of claims, notices and
//! boards.

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};

use shanzhi::pb::governance as pb;
use shanzhi::pb::governance::governance_operation::Operation as G;
use shanzhi::pb::points::transaction_body::Operation;

use super::catalogue_file::{date_text, sha256_hex};
use super::members::{date_or_today, member_id};
use super::print::{print_claim, print_notice};
use super::write::WriteArgs;
use super::{ReadArgs, status_error};

/// A reviewer's decision, as the CLI spells it.
#[derive(Clone, Copy, ValueEnum)]
pub enum DecisionArg {
    Approve,
    Reject,
}

/// A claim status filter, as the CLI spells it.
#[derive(Clone, Copy, ValueEnum)]
pub enum StatusArg {
    UnderReview,
    Approved,
    InNotice,
    Posted,
    Rejected,
    Withdrawn,
    Reversed,
}

/// What a claim is about.
#[derive(Args)]
pub struct ClaimArgs {
    /// The claim's id (unique in the ledger), e.g. c-2026-12-001.
    #[arg(long)]
    id: String,
    /// The household.
    #[arg(long)]
    household: String,
    /// The member who did it (32 hex characters).
    #[arg(long)]
    member: Option<String>,
    /// The rule's code in the village's catalogue.
    #[arg(long)]
    rule: String,
    /// Units of the rule (points are the rule's value × quantity).
    #[arg(long, default_value_t = 1)]
    quantity: u32,
    /// The date of the deed (YYYY-MM-DD) [default: today].
    #[arg(long)]
    deed_date: Option<String>,
    /// The SHA-256 of the evidence, 64 hex characters.
    #[arg(long, conflicts_with = "evidence_file")]
    evidence_sha256: Option<String>,
    /// The evidence itself (its SHA-256 is computed; the file stays with the village).
    #[arg(long)]
    evidence_file: Option<std::path::PathBuf>,
    /// What happened (no personal data).
    #[arg(long, default_value = "")]
    memo: String,
}

/// The claims commands.
#[derive(Subcommand)]
pub enum ClaimsCommand {
    /// Claim a deed under a rule of the village's catalogue (officer of the village).
    SubmitClaim {
        #[command(flatten)]
        write: WriteArgs,
        #[command(flatten)]
        claim: ClaimArgs,
    },
    /// Review a claim: approve, reject, or approve with another quantity.
    ReviewClaim {
        #[command(flatten)]
        write: WriteArgs,
        /// The claim.
        #[arg(long)]
        claim: String,
        /// Approve or reject.
        #[arg(long, required_unless_present = "adjust_quantity")]
        decision: Option<DecisionArg>,
        /// Approve with this quantity instead.
        #[arg(long, conflicts_with = "decision")]
        adjust_quantity: Option<u32>,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Withdraw a claim not yet on notice (its proposer).
    WithdrawClaim {
        #[command(flatten)]
        write: WriteArgs,
        /// The claim.
        #[arg(long)]
        claim: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Put approved claims on public notice (公示) in a batch.
    OpenNotice {
        #[command(flatten)]
        write: WriteArgs,
        /// The batch's id.
        #[arg(long)]
        batch: String,
        /// The village.
        #[arg(long)]
        village: String,
        /// The claims, comma-separated (at most 100).
        #[arg(long, value_delimiter = ',', required = true)]
        claims: Vec<String>,
    },
    /// Object to a claim on notice (a resident or officer of the village, or an auditor).
    FileObjection {
        #[command(flatten)]
        write: WriteArgs,
        /// The objection's id.
        #[arg(long)]
        id: String,
        /// The claim.
        #[arg(long)]
        claim: String,
        /// Why (no personal data).
        #[arg(long)]
        reason: String,
    },
    /// Resolve an objection: upheld rejects the claim, dismissed keeps it on notice.
    ResolveObjection {
        #[command(flatten)]
        write: WriteArgs,
        /// The objection.
        #[arg(long)]
        objection: String,
        /// The objection holds.
        #[arg(
            long,
            conflicts_with = "dismissed",
            required_unless_present = "dismissed"
        )]
        upheld: bool,
        /// The objection fails.
        #[arg(long)]
        dismissed: bool,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Correct a posted claim, once, by undoing its posting (a bureau admin, or an officer of
    /// the village who neither proposed it nor belongs to its household).
    ReverseClaim {
        #[command(flatten)]
        write: WriteArgs,
        /// The claim.
        #[arg(long)]
        claim: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Post every claim of a notice batch that was not rejected, once the notice has ended.
    FinalizeNotice {
        #[command(flatten)]
        write: WriteArgs,
        /// The batch.
        #[arg(long)]
        batch: String,
    },
    /// Award a household points under a rule of a program's catalogue, posted at once (an
    /// issuing officer of the program; once per activity and household). An issuer of a
    /// bureau program awards only for its program's record of a volunteer's activity (a
    /// canteen shift, a volunteer's care visit), on its day, to the volunteer's household.
    AwardByRule {
        #[command(flatten)]
        write: WriteArgs,
        /// The program issuer.
        #[arg(long)]
        program: String,
        /// The program's record of the activity, e.g. act-2026-12-01: for an issuer of a
        /// bureau program, the activity id of its shift or visit.
        #[arg(long)]
        activity: String,
        /// The household.
        #[arg(long)]
        household: String,
        /// An award rule of the program's catalogue.
        #[arg(long)]
        rule: String,
        /// Units of the rule.
        #[arg(long, default_value_t = 1)]
        quantity: u32,
        /// The date of the activity (YYYY-MM-DD) [default: today].
        #[arg(long)]
        deed_date: Option<String>,
        /// The SHA-256 of the evidence, 64 hex characters.
        #[arg(long)]
        evidence_sha256: Option<String>,
        /// What happened (no personal data).
        #[arg(long, default_value = "")]
        memo: String,
    },
    /// Move what is left of a village's lots expired by a date out of the households' balances,
    /// back to the bureau fund (bureau admin); repeated until nothing is left (with
    /// --emit-json, one entry is printed). Run it regularly, e.g. every day after midnight.
    ExpireLots {
        #[command(flatten)]
        write: WriteArgs,
        /// The village.
        #[arg(long)]
        village: String,
        /// Lots expiring on or before this date (YYYY-MM-DD) [default: today].
        #[arg(long)]
        up_to: Option<String>,
    },
    /// From now on, points only through claims: direct issue and deduct are refused, for good
    /// (bureau admin).
    RequireClaims {
        #[command(flatten)]
        write: WriteArgs,
    },
    /// Show a claim with its reviews.
    Claim {
        #[command(flatten)]
        read: ReadArgs,
        /// The claim.
        #[arg(long)]
        id: String,
    },
    /// List a village's claims, one page at a time.
    Claims {
        #[command(flatten)]
        read: ReadArgs,
        /// The village.
        #[arg(long)]
        village: String,
        /// Only claims in this status.
        #[arg(long)]
        status: Option<StatusArg>,
        /// Only claims of this household (a resident must give theirs).
        #[arg(long, default_value = "")]
        household: String,
        /// Claims per page (1 to 500; 0 = 100).
        #[arg(long, default_value_t = 0)]
        page_size: u32,
        /// The token printed after the previous page.
        #[arg(long, default_value = "")]
        page_token: String,
    },
    /// Show a village's red and black boards (红黑榜) with star levels.
    Board {
        #[command(flatten)]
        read: ReadArgs,
        /// The village.
        #[arg(long)]
        village: String,
        /// YYYY-MM, YYYY-Q1 to YYYY-Q4, or YYYY [default: this month by the server's clock].
        #[arg(long, default_value = "")]
        period: String,
        /// Households on each side (1 to 100; 0 = 10).
        #[arg(long, default_value_t = 0)]
        top: u32,
    },
    /// Show a notice batch with its claims and objections.
    Notice {
        #[command(flatten)]
        read: ReadArgs,
        /// The batch.
        #[arg(long)]
        batch: String,
    },
    /// Show a volunteer activity a bureau program recorded, and whether it was awarded.
    VolunteerActivity {
        #[command(flatten)]
        read: ReadArgs,
        /// The activity's id.
        #[arg(long)]
        activity: String,
    },
}

fn governance(operation: G) -> Operation {
    Operation::Governance(pb::GovernanceOperation {
        operation: Some(operation),
    })
}

impl ClaimsCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        use ClaimsCommand as C;
        let (write, operation) = match self {
            C::VolunteerActivity { read, activity } => {
                let (signer, mut client) = read.open().await?;
                let a = client
                    .volunteer_activity(&signer, &activity)
                    .await
                    .map_err(status_error)?;
                println!(
                    "{} {} of {} at {} on {}: volunteer {}, {} units, recorded by {} at entry {}",
                    a.activity_id,
                    a.kind,
                    a.program,
                    a.site,
                    super::catalogue_file::date_text(a.day),
                    hex::encode(&a.volunteer_id),
                    a.units,
                    a.recorded_by_key_id,
                    a.recorded_at_sequence
                );
                match a.awarded {
                    true => println!("awarded at entry {}", a.awarded_at_sequence),
                    false => println!("not awarded yet"),
                }
                return Ok(());
            }
            C::Claim { read, id } => {
                let (signer, mut client) = read.open().await?;
                let claim = client.claim(&signer, &id).await.map_err(status_error)?;
                print_claim(&claim, true);
                return Ok(());
            }
            C::Claims {
                read,
                village,
                status,
                household,
                page_size,
                page_token,
            } => {
                let (signer, mut client) = read.open().await?;
                let request = pb::ListClaimsRequest {
                    village_id: village,
                    status: status
                        .map_or(pb::ClaimStatus::Unspecified, status_pb)
                        .into(),
                    household_id: household,
                    page_size,
                    page_token,
                };
                let page = client
                    .claims(&signer, request)
                    .await
                    .map_err(status_error)?;
                for claim in &page.claims {
                    print_claim(claim, false);
                }
                if !page.next_page_token.is_empty() {
                    println!("next page: --page-token {}", page.next_page_token);
                }
                return Ok(());
            }
            C::Board {
                read,
                village,
                period,
                top,
            } => {
                let (signer, mut client) = read.open().await?;
                let request = pb::GetBoardRequest {
                    village_id: village.clone(),
                    period,
                    top,
                };
                let board = client.board(&signer, request).await.map_err(status_error)?;
                println!("boards of village {village}, {}", board.period);
                println!("red (highest earned score):");
                for (rank, line) in board.red.iter().enumerate() {
                    println!(
                        "  {}. {}  score {}  stars {}",
                        rank + 1,
                        line.household_id,
                        line.score,
                        line.stars
                    );
                }
                println!("black (deductions):");
                for line in &board.black {
                    println!(
                        "  {}  deducted {}  score {}",
                        line.household_id, line.deducted, line.score
                    );
                }
                return Ok(());
            }
            C::Notice { read, batch } => {
                let (signer, mut client) = read.open().await?;
                let notice = client.notice(&signer, &batch).await.map_err(status_error)?;
                print_notice(&notice);
                return Ok(());
            }
            C::SubmitClaim { write, claim } => {
                let evidence_sha256 = match (&claim.evidence_sha256, &claim.evidence_file) {
                    (Some(hex), _) => sha256_hex("--evidence-sha256", hex)?,
                    (None, Some(path)) => {
                        let bytes = std::fs::read(path)
                            .with_context(|| format!("cannot read {}", path.display()))?;
                        shanzhi::crypto::sha256(&bytes).to_vec()
                    }
                    (None, None) => Vec::new(),
                };
                let op = G::SubmitClaim(pb::SubmitClaim {
                    claim_id: claim.id,
                    household_id: claim.household,
                    member_id: match &claim.member {
                        Some(text) => member_id(text)?,
                        None => Vec::new(),
                    },
                    rule_code: claim.rule,
                    quantity: claim.quantity,
                    deed_date: date_or_today(&write, "--deed-date", &claim.deed_date).await?,
                    evidence_sha256,
                    memo: claim.memo,
                });
                (write, governance(op))
            }
            C::ReviewClaim {
                write,
                claim,
                decision,
                adjust_quantity,
                reason,
            } => {
                use pb::review_claim::Decision as D;
                let decision = match (decision, adjust_quantity) {
                    (_, Some(quantity)) => D::AdjustQuantity(quantity),
                    (Some(DecisionArg::Reject), None) => D::Reject(pb::Reject {}),
                    _ => D::Approve(pb::Approve {}),
                };
                let op = G::ReviewClaim(pb::ReviewClaim {
                    claim_id: claim,
                    decision: Some(decision),
                    reason,
                });
                (write, governance(op))
            }
            C::WithdrawClaim {
                write,
                claim,
                reason,
            } => {
                let op = G::WithdrawClaim(pb::WithdrawClaim {
                    claim_id: claim,
                    reason,
                });
                (write, governance(op))
            }
            C::OpenNotice {
                write,
                batch,
                village,
                claims,
            } => {
                let op = G::OpenNotice(pb::OpenNotice {
                    batch_id: batch,
                    village_id: village,
                    claim_ids: claims,
                });
                (write, governance(op))
            }
            C::FileObjection {
                write,
                id,
                claim,
                reason,
            } => {
                let op = G::FileObjection(pb::FileObjection {
                    objection_id: id,
                    claim_id: claim,
                    reason,
                });
                (write, governance(op))
            }
            C::ResolveObjection {
                write,
                objection,
                upheld,
                reason,
                ..
            } => {
                use pb::resolve_objection::Decision as D;
                let decision = if upheld {
                    D::Upheld(pb::Upheld {})
                } else {
                    D::Dismissed(pb::Dismissed {})
                };
                let op = G::ResolveObjection(pb::ResolveObjection {
                    objection_id: objection,
                    decision: Some(decision),
                    reason,
                });
                (write, governance(op))
            }
            C::AwardByRule {
                write,
                program,
                activity,
                household,
                rule,
                quantity,
                deed_date,
                evidence_sha256,
                memo,
            } => {
                let op = G::AwardByRule(pb::AwardByRule {
                    program_id: program,
                    activity_id: activity,
                    household_id: household,
                    rule_code: rule,
                    quantity,
                    deed_date: date_or_today(&write, "--deed-date", &deed_date).await?,
                    evidence_sha256: match &evidence_sha256 {
                        Some(hex) => sha256_hex("--evidence-sha256", hex)?,
                        None => Vec::new(),
                    },
                    memo,
                });
                (write, governance(op))
            }
            C::ExpireLots {
                write,
                village,
                up_to,
            } => {
                let up_to = date_or_today(&write, "--up-to", &up_to).await?;
                let (signer, mut client) = write.open().await?;
                // A run moves at most 100 households per entry: go on until nothing is left.
                loop {
                    let op = G::ExpireLots(pb::ExpireLots {
                        village_id: village.clone(),
                        up_to,
                    });
                    match write.submit_on(&mut client, &signer, governance(op)).await {
                        Ok(()) if !write.emits_json() => continue,
                        Ok(()) => return Ok(()),
                        Err(error) if error.to_string().contains(" NOTHING_EXPIRED: ") => {
                            println!(
                                "nothing (more) expired in village {village} by {}",
                                date_text(up_to)
                            );
                            return Ok(());
                        }
                        Err(error) => return Err(error),
                    }
                }
            }
            C::ReverseClaim {
                write,
                claim,
                reason,
            } => {
                let op = G::ReverseClaim(pb::ReverseClaim {
                    claim_id: claim,
                    reason,
                });
                (write, governance(op))
            }
            C::FinalizeNotice { write, batch } => {
                let op = G::FinalizeNotice(pb::FinalizeNotice { batch_id: batch });
                (write, governance(op))
            }
            C::RequireClaims { write } => {
                (write, governance(G::RequireClaims(pb::RequireClaims {})))
            }
        };
        let (signer, mut client) = write.open().await?;
        write.submit_on(&mut client, &signer, operation).await
    }
}

fn status_pb(status: StatusArg) -> pb::ClaimStatus {
    match status {
        StatusArg::UnderReview => pb::ClaimStatus::UnderReview,
        StatusArg::Approved => pb::ClaimStatus::Approved,
        StatusArg::InNotice => pb::ClaimStatus::InNotice,
        StatusArg::Posted => pb::ClaimStatus::Posted,
        StatusArg::Rejected => pb::ClaimStatus::Rejected,
        StatusArg::Withdrawn => pb::ClaimStatus::Withdrawn,
        StatusArg::Reversed => pb::ClaimStatus::Reversed,
    }
}
