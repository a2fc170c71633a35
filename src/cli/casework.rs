//! Casework commands: opening a case of the bureau's programs, moving it as its case type's
//! table allows, objections to its public notice, and reading cases, the lists caseworkers
//! work from (overdue, due for review, on notice) and the case types' tables.

use anyhow::Result;
use clap::Subcommand;

use shanzhi::client::{file_case_objection, open_case, resolve_case_objection, transition_case};
use shanzhi::ledger::LocalTime;
use shanzhi::pb::casework as cw;

use super::write::WriteArgs;
use super::{ReadArgs, id16};

/// Which cases `shanzhi cases` lists.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum CaseFilterArg {
    /// Every case.
    All,
    /// Cases whose state's deadline has passed.
    Overdue,
    /// Cases due for their periodic review.
    ReviewDue,
    /// Cases on public notice.
    OnNotice,
}

/// The casework commands.
#[derive(Subcommand)]
pub enum CaseworkCommand {
    /// Open a case of a case type for a registered person whose directory record is set
    /// (bureau admin, or a caseworker of the area): prints the new case id.
    OpenCase {
        #[command(flatten)]
        write: WriteArgs,
        /// The case type and version, e.g. `dibao/2` (`shanzhi case-types` lists them).
        #[arg(long)]
        case_type: String,
        /// The person (32 hex characters).
        #[arg(long)]
        person: String,
        /// The area the case is handled in (where the person applies).
        #[arg(long)]
        area: String,
    },
    /// Move a case to another state, as its case type's table allows (the table's actor).
    MoveCase {
        #[command(flatten)]
        write: WriteArgs,
        /// The case (32 hex characters).
        #[arg(long)]
        case: String,
        /// The state it moves to, e.g. `investigating`.
        #[arg(long)]
        to: String,
        /// Why (no personal data: it stays in the log).
        #[arg(long)]
        reason: String,
        /// How often it is reviewed, when it enters its reviewed state (`yearly`,
        /// `half-yearly` for 低保).
        #[arg(long, default_value = "")]
        review_cadence: String,
    },
    /// Record an objection to a case on public notice (a caseworker or reviewer of its
    /// area): prints the objection's number.
    CaseObjection {
        #[command(flatten)]
        write: WriteArgs,
        /// The case.
        #[arg(long)]
        case: String,
        /// What is objected (no personal data, not the objector's name).
        #[arg(long)]
        ground: String,
    },
    /// Resolve an objection to a case (the actor the case type names: a township reviewer
    /// for 低保); upheld sends the case back to investigating.
    ResolveCaseObjection {
        #[command(flatten)]
        write: WriteArgs,
        /// The case.
        #[arg(long)]
        case: String,
        /// The objection's number (`shanzhi case` lists them).
        #[arg(long)]
        objection: u32,
        /// Uphold it (without: dismiss it).
        #[arg(long)]
        upheld: bool,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Print a case with every step and objection.
    Case {
        #[command(flatten)]
        read: ReadArgs,
        /// The case.
        #[arg(long)]
        case: String,
        /// Why it is read (no personal data): required for a children's case, whose read is
        /// recorded in the access log.
        #[arg(long, default_value = "")]
        purpose: String,
    },
    /// List the cases the key sees: all, overdue, due for review, or on notice.
    Cases {
        #[command(flatten)]
        read: ReadArgs,
        /// Which cases.
        #[arg(long, value_enum, default_value = "all")]
        filter: CaseFilterArg,
        /// Only cases in this area or below it.
        #[arg(long, default_value = "")]
        area: String,
        /// Only cases of this case type.
        #[arg(long, default_value = "")]
        case_type: String,
    },
    /// Print every case type's table: states, transitions and who takes them, notice and
    /// review cadences.
    CaseTypes {
        #[command(flatten)]
        read: ReadArgs,
    },
}

impl CaseworkCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        match self {
            CaseworkCommand::OpenCase {
                write,
                case_type,
                person,
                area,
            } => {
                let case = shanzhi::crypto::random_bytes::<16>();
                let operation = open_case(case, &case_type, id16("--person", &person)?, &area);
                let (signer, mut client) = write.open().await?;
                write.submit_on(&mut client, &signer, operation).await?;
                println!("case id: {}", hex::encode(case));
                Ok(())
            }
            CaseworkCommand::MoveCase {
                write,
                case,
                to,
                reason,
                review_cadence,
            } => {
                let operation =
                    transition_case(id16("--case", &case)?, &to, &reason, &review_cadence);
                let (signer, mut client) = write.open().await?;
                write.submit_on(&mut client, &signer, operation).await
            }
            CaseworkCommand::CaseObjection {
                write,
                case,
                ground,
            } => {
                let case = id16("--case", &case)?;
                let (signer, mut client) = write.open().await?;
                write
                    .submit_on(&mut client, &signer, file_case_objection(case, &ground))
                    .await?;
                if !write.emits_json() {
                    // The objection is committed: a failed read only loses its number.
                    match client.case(&signer, case).await {
                        Ok(read) => {
                            if let Some(last) = read.objections.last() {
                                println!("objection {} filed", last.number);
                            }
                        }
                        Err(status) => eprintln!(
                            "objection filed; its number could not be read ({}): see \
                             `shanzhi case --case {}`",
                            status.message(),
                            hex::encode(case)
                        ),
                    }
                }
                Ok(())
            }
            CaseworkCommand::ResolveCaseObjection {
                write,
                case,
                objection,
                upheld,
                reason,
            } => {
                let operation =
                    resolve_case_objection(id16("--case", &case)?, objection, upheld, &reason);
                let (signer, mut client) = write.open().await?;
                write.submit_on(&mut client, &signer, operation).await
            }
            CaseworkCommand::Case {
                read,
                case,
                purpose,
            } => {
                let (signer, mut client) = read.open().await?;
                let case = client
                    .case_for(&signer, id16("--case", &case)?, &purpose)
                    .await
                    .map_err(super::status_error)?;
                print_case(&case);
                for step in &case.steps {
                    println!(
                        "  #{} {} {} -> {} by {}{}",
                        step.sequence,
                        LocalTime::from_unix_ms(step.at_unix_ms),
                        if step.from_state.is_empty() {
                            "(opened)"
                        } else {
                            &step.from_state
                        },
                        step.to_state,
                        step.by,
                        if step.reason.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", step.reason)
                        }
                    );
                }
                for o in &case.objections {
                    let outcome = match (o.resolved, o.upheld) {
                        (false, _) => "unresolved".to_owned(),
                        (true, upheld) => format!(
                            "{} by {}: {}",
                            if upheld { "upheld" } else { "dismissed" },
                            o.resolved_by,
                            o.resolution_reason
                        ),
                    };
                    println!("  objection {}: {} ({outcome})", o.number, o.ground);
                }
                Ok(())
            }
            CaseworkCommand::Cases {
                read,
                filter,
                area,
                case_type,
            } => {
                let filter = match filter {
                    CaseFilterArg::All => cw::CaseFilter::All,
                    CaseFilterArg::Overdue => cw::CaseFilter::Overdue,
                    CaseFilterArg::ReviewDue => cw::CaseFilter::ReviewDue,
                    CaseFilterArg::OnNotice => cw::CaseFilter::OnNotice,
                };
                let (signer, mut client) = read.open().await?;
                let mut page_token = String::new();
                let mut count = 0;
                loop {
                    let asked = cw::ListCasesRequest {
                        filter: filter.into(),
                        area_code: area.clone(),
                        case_type: case_type.clone(),
                        page_size: 0,
                        page_token,
                    };
                    let page = client
                        .cases(&signer, asked)
                        .await
                        .map_err(super::status_error)?;
                    for case in &page.cases {
                        print_case(case);
                    }
                    count += page.cases.len();
                    if page.next_page_token.is_empty() {
                        println!("cases listed: {count}");
                        return Ok(());
                    }
                    page_token = page.next_page_token;
                }
            }
            CaseworkCommand::CaseTypes { read } => {
                let (signer, mut client) = read.open().await?;
                let types = client
                    .case_types(&signer)
                    .await
                    .map_err(super::status_error)?;
                for t in &types.case_types {
                    println!("{} ({})", t.code, t.program);
                    for s in &t.states {
                        let deadline = match s.deadline_days {
                            0 => String::new(),
                            days => format!(", due within {days} days"),
                        };
                        let decided = if s.decided { ", decided" } else { "" };
                        println!("  state {}{deadline}{decided}", s.name);
                    }
                    for m in &t.transitions {
                        let after = match m.after_days {
                            0 => String::new(),
                            days => format!(" after {days} days"),
                        };
                        println!(
                            "  {} -> {} by a {}{after}",
                            m.from_state, m.to_state, m.actor
                        );
                    }
                    if !t.notice_state.is_empty() {
                        println!(
                            "  objections in {}, resolved by a {}; upheld -> {}",
                            t.notice_state, t.objections_resolved_by, t.objection_upheld_to
                        );
                    }
                    if !t.review_state.is_empty() {
                        let cadences: Vec<String> = t
                            .review_cadences
                            .iter()
                            .map(|c| format!("{} ({} days)", c.name, c.days))
                            .collect();
                        println!("  reviewed in {}: {}", t.review_state, cadences.join(", "));
                    }
                }
                Ok(())
            }
        }
    }
}

/// A case's line: id, type, area, state and its dates.
fn print_case(case: &cw::Case) {
    let mut line = format!(
        "case {} {} area {} person {} state {} since {}",
        hex::encode(&case.case_id),
        case.case_type,
        case.area_code,
        hex::encode(&case.person_id),
        case.state,
        LocalTime::from_unix_ms(case.since_unix_ms)
    );
    if case.due_unix_ms != 0 {
        line += &format!(" due {}", LocalTime::from_unix_ms(case.due_unix_ms));
    }
    if case.review_due_unix_ms != 0 {
        line += &format!(
            " review {} due {}",
            case.review_cadence,
            LocalTime::from_unix_ms(case.review_due_unix_ms)
        );
    }
    println!("{line}");
}
