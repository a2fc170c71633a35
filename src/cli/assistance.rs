//! Social assistance commands: the 告知承诺 fast track's commitments and their verification,
//! monitoring alerts, care agreements for dispersed 特困 persons and their visits, and the
//! lists of what is due.

use anyhow::Result;
use clap::Subcommand;

use shanzhi::client::{
    complete_verification, raise_alert, record_commitment, record_visit, record_volunteer_visit,
    resolve_alert, sign_care_agreement,
};
use shanzhi::ledger::LocalTime;
use shanzhi::pb::assistance as apb;

use super::write::WriteArgs;
use super::{ReadArgs, id16};

/// The start of a task's line: its id, whom it concerns, its area and when it was due (the
/// assistance and children's lists print alike).
pub(super) fn print_task(id: &[u8], (who, subject): (&str, &[u8]), area: &str, due_unix_ms: u64) {
    print!(
        "{} {who} {} area {area} due {}: ",
        hex::encode(id),
        hex::encode(subject),
        LocalTime::from_unix_ms(due_unix_ms)
    );
}

/// Which tasks `shanzhi assistance-tasks` lists.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum TaskArg {
    /// Alerts not yet resolved.
    OpenAlerts,
    /// Commitments whose verification is due.
    VerificationsDue,
    /// Care agreements whose visit is due.
    VisitsDue,
}

/// The social assistance commands.
#[derive(Subcommand)]
pub enum AssistanceCommand {
    /// Record the applicant's signed commitment (告知承诺) on an undecided assistance case:
    /// opens a verification due within the days given.
    RecordCommitment {
        #[command(flatten)]
        write: WriteArgs,
        /// The case.
        #[arg(long)]
        case: String,
        /// Days the verification may take (1 to 60).
        #[arg(long, default_value_t = 30)]
        verify_within_days: u32,
    },
    /// Record whether a case's commitment held (final).
    CompleteVerification {
        #[command(flatten)]
        write: WriteArgs,
        /// The case.
        #[arg(long)]
        case: String,
        /// The commitment did not hold (a false statement).
        #[arg(long)]
        untruthful: bool,
        /// What was found (no personal data).
        #[arg(long)]
        reason: String,
    },
    /// Raise a monitoring alert about a person: prints the alert id.
    RaiseAlert {
        #[command(flatten)]
        write: WriteArgs,
        /// The person.
        #[arg(long)]
        person: String,
        /// `medical-expense`, `disability`, `unemployment` or `grid-report`.
        #[arg(long)]
        kind: String,
        /// The area it is followed up in.
        #[arg(long)]
        area: String,
    },
    /// Resolve an alert, naming the case opened for the person if any (final).
    ResolveAlert {
        #[command(flatten)]
        write: WriteArgs,
        /// The alert.
        #[arg(long)]
        alert: String,
        /// The case it led to.
        #[arg(long)]
        case: Option<String>,
        /// Why (no personal data).
        #[arg(long)]
        reason: String,
    },
    /// Sign a care agreement for the person of a confirmed 特困 case: prints its id.
    SignCareAgreement {
        #[command(flatten)]
        write: WriteArgs,
        /// The 特困 case.
        #[arg(long)]
        case: String,
        /// A caregiver, a registered person (repeatable, 1 to 4).
        #[arg(long = "caregiver", required = true)]
        caregivers: Vec<String>,
        /// Days between visits (1 to 90).
        #[arg(long)]
        visit_every_days: u32,
    },
    /// Record a visit under a care agreement.
    RecordVisit {
        #[command(flatten)]
        write: WriteArgs,
        /// The agreement.
        #[arg(long)]
        agreement: String,
        /// What was seen (no personal data).
        #[arg(long)]
        note: String,
        /// A volunteer's visit: the volunteer (a registered person's 32 hex characters).
        #[arg(long, requires = "activity")]
        volunteer: Option<String>,
        /// With --volunteer: the activity's id, which the program's issuer awards points for.
        #[arg(long, requires = "volunteer")]
        activity: Option<String>,
    },
    /// List what is due: alerts open, verifications due, visits due.
    AssistanceTasks {
        #[command(flatten)]
        read: ReadArgs,
        /// Which tasks.
        #[arg(long, value_enum)]
        kind: TaskArg,
        /// Only tasks in this area or below.
        #[arg(long, default_value = "")]
        area: String,
    },
}

impl AssistanceCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        let (write, operation, printed) = match self {
            AssistanceCommand::RecordCommitment {
                write,
                case,
                verify_within_days,
            } => (
                write,
                record_commitment(id16("--case", &case)?, verify_within_days),
                None,
            ),
            AssistanceCommand::CompleteVerification {
                write,
                case,
                untruthful,
                reason,
            } => (
                write,
                complete_verification(id16("--case", &case)?, !untruthful, &reason),
                None,
            ),
            AssistanceCommand::RaiseAlert {
                write,
                person,
                kind,
                area,
            } => {
                let id = shanzhi::crypto::random_bytes::<16>();
                let operation = raise_alert(id, id16("--person", &person)?, &kind, &area);
                (
                    write,
                    operation,
                    Some(format!("alert id: {}", hex::encode(id))),
                )
            }
            AssistanceCommand::ResolveAlert {
                write,
                alert,
                case,
                reason,
            } => {
                let case = case.map(|c| id16("--case", &c)).transpose()?;
                (
                    write,
                    resolve_alert(id16("--alert", &alert)?, case, &reason),
                    None,
                )
            }
            AssistanceCommand::SignCareAgreement {
                write,
                case,
                caregivers,
                visit_every_days,
            } => {
                let id = shanzhi::crypto::random_bytes::<16>();
                let caregivers = caregivers
                    .iter()
                    .map(|c| id16("--caregiver", c))
                    .collect::<Result<Vec<_>>>()?;
                let operation =
                    sign_care_agreement(id, id16("--case", &case)?, &caregivers, visit_every_days);
                (
                    write,
                    operation,
                    Some(format!("agreement id: {}", hex::encode(id))),
                )
            }
            AssistanceCommand::RecordVisit {
                write,
                agreement,
                note,
                volunteer,
                activity,
            } => {
                let agreement = id16("--agreement", &agreement)?;
                let operation = match (volunteer, activity) {
                    (Some(volunteer), Some(activity)) => record_volunteer_visit(
                        agreement,
                        &note,
                        id16("--volunteer", &volunteer)?,
                        &activity,
                    ),
                    _ => record_visit(agreement, &note),
                };
                (write, operation, None)
            }
            AssistanceCommand::AssistanceTasks { read, kind, area } => {
                let kind = match kind {
                    TaskArg::OpenAlerts => apb::TaskKind::OpenAlerts,
                    TaskArg::VerificationsDue => apb::TaskKind::VerificationsDue,
                    TaskArg::VisitsDue => apb::TaskKind::VisitsDue,
                };
                let (signer, mut client) = read.open().await?;
                let (mut page_token, mut count) = (String::new(), 0);
                loop {
                    let asked = apb::ListTasksRequest {
                        kind: kind.into(),
                        area_code: area.clone(),
                        page_size: 0,
                        page_token,
                    };
                    let page = client
                        .assistance_tasks(&signer, asked)
                        .await
                        .map_err(super::status_error)?;
                    for t in &page.tasks {
                        print_task(&t.id, ("person", &t.person_id), &t.area_code, t.due_unix_ms);
                        println!("{}", t.detail);
                    }
                    count += page.tasks.len();
                    if page.next_page_token.is_empty() {
                        println!("tasks listed: {count}");
                        return Ok(());
                    }
                    page_token = page.next_page_token;
                }
            }
        };
        let (signer, mut client) = write.open().await?;
        write.submit_on(&mut client, &signer, operation).await?;
        if let Some(line) = printed {
            println!("{line}");
        }
        Ok(())
    }
}
