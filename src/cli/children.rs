//! Children's program commands: categories (set by the township's child supervisor) and the
//! child director's visits, concern reports from report to close, a child's file (its read
//! recorded with its purpose) and the lists of what is due.

use anyhow::Result;
use clap::Subcommand;

use shanzhi::client::{
    close_concern, end_child_category, record_child_visit, report_concern, set_child_category,
    verify_concern,
};
use shanzhi::ledger::LocalTime;
use shanzhi::pb::children as cpb;

use super::assistance::print_task;
use super::catalogue_file::sha256_hex;
use super::write::WriteArgs;
use super::{ReadArgs, id16};

/// Which tasks `shanzhi child-tasks` lists.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ChildTaskArg {
    /// Children whose next visit is due.
    VisitsDue,
    /// Concern reports not yet closed.
    OpenConcerns,
}

/// The children's program commands.
#[derive(Subcommand)]
pub enum ChildrenCommand {
    /// Confirm a registered child's category, followed up in the child's village (one
    /// active at a time; under 18, under 16 for left-behind, by the directory record).
    SetChildCategory {
        #[command(flatten)]
        write: WriteArgs,
        /// The child (a registered person).
        #[arg(long)]
        child: String,
        /// `orphan`, `de-facto-unsupported`, `in-difficulty` or `left-behind`.
        #[arg(long)]
        category: String,
        /// The child's village (12 digits).
        #[arg(long)]
        area: String,
        /// SHA-256 of the salted evidence the category was decided on (64 hex characters;
        /// the evidence stays with the bureau).
        #[arg(long)]
        evidence_sha256: String,
    },
    /// End a child's active category.
    EndChildCategory {
        #[command(flatten)]
        write: WriteArgs,
        /// The child.
        #[arg(long)]
        child: String,
        /// Why (no personal data).
        #[arg(long)]
        reason: String,
    },
    /// Record a concern about a child: prints the report id.
    ReportConcern {
        #[command(flatten)]
        write: WriteArgs,
        /// The child.
        #[arg(long)]
        child: String,
        /// `mandatory-reporter`, `public` or `data-match`.
        #[arg(long)]
        source: String,
        /// The village it is followed up in.
        #[arg(long)]
        area: String,
    },
    /// Start verifying a concern report.
    VerifyConcern {
        #[command(flatten)]
        write: WriteArgs,
        /// The report.
        #[arg(long)]
        report: String,
    },
    /// Close a concern being verified, naming the child-protection case opened if any
    /// (final).
    CloseConcern {
        #[command(flatten)]
        write: WriteArgs,
        /// The report.
        #[arg(long)]
        report: String,
        /// The child-protection case opened for it.
        #[arg(long)]
        case: Option<String>,
        /// Why (no personal data).
        #[arg(long)]
        reason: String,
    },
    /// Record a visit to a child with an active category.
    RecordChildVisit {
        #[command(flatten)]
        write: WriteArgs,
        /// The child.
        #[arg(long)]
        child: String,
        /// What was seen (no personal data).
        #[arg(long)]
        note: String,
    },
    /// Print a child's file: categories, visits, concern reports. The read is recorded in the
    /// access log with its purpose.
    Child {
        #[command(flatten)]
        read: ReadArgs,
        /// The child.
        #[arg(long)]
        child: String,
        /// Why it is read (no personal data).
        #[arg(long)]
        purpose: String,
    },
    /// List what is due: children's visits, concern reports open.
    ChildTasks {
        #[command(flatten)]
        read: ReadArgs,
        /// Which tasks.
        #[arg(long, value_enum)]
        kind: ChildTaskArg,
        /// Only tasks in this area or below.
        #[arg(long, default_value = "")]
        area: String,
    },
}

impl ChildrenCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        let (write, operation, printed) = match self {
            ChildrenCommand::SetChildCategory {
                write,
                child,
                category,
                area,
                evidence_sha256,
            } => {
                let evidence: [u8; 32] = sha256_hex("--evidence-sha256", &evidence_sha256)?
                    .try_into()
                    .map_err(|_| anyhow::anyhow!("--evidence-sha256: expected 32 bytes"))?;
                let child = id16("--child", &child)?;
                (
                    write,
                    set_child_category(child, &category, &area, evidence),
                    None,
                )
            }
            ChildrenCommand::EndChildCategory {
                write,
                child,
                reason,
            } => (
                write,
                end_child_category(id16("--child", &child)?, &reason),
                None,
            ),
            ChildrenCommand::ReportConcern {
                write,
                child,
                source,
                area,
            } => {
                let id = shanzhi::crypto::random_bytes::<16>();
                let operation = report_concern(id, id16("--child", &child)?, &source, &area);
                (
                    write,
                    operation,
                    Some(format!("report id: {}", hex::encode(id))),
                )
            }
            ChildrenCommand::VerifyConcern { write, report } => {
                (write, verify_concern(id16("--report", &report)?), None)
            }
            ChildrenCommand::CloseConcern {
                write,
                report,
                case,
                reason,
            } => {
                let case = case.map(|c| id16("--case", &c)).transpose()?;
                (
                    write,
                    close_concern(id16("--report", &report)?, case, &reason),
                    None,
                )
            }
            ChildrenCommand::RecordChildVisit { write, child, note } => (
                write,
                record_child_visit(id16("--child", &child)?, &note),
                None,
            ),
            ChildrenCommand::Child {
                read,
                child,
                purpose,
            } => {
                let (signer, mut client) = read.open().await?;
                let file = client
                    .child_file(&signer, id16("--child", &child)?, &purpose)
                    .await
                    .map_err(super::status_error)?;
                print_file(&file);
                return Ok(());
            }
            ChildrenCommand::ChildTasks { read, kind, area } => {
                let kind = match kind {
                    ChildTaskArg::VisitsDue => cpb::ChildTaskKind::VisitsDue,
                    ChildTaskArg::OpenConcerns => cpb::ChildTaskKind::OpenConcerns,
                };
                let (signer, mut client) = read.open().await?;
                let (mut page_token, mut count) = (String::new(), 0);
                loop {
                    let asked = cpb::ListChildTasksRequest {
                        kind: kind.into(),
                        area_code: area.clone(),
                        page_size: 0,
                        page_token,
                    };
                    let page = client
                        .child_tasks(&signer, asked)
                        .await
                        .map_err(super::status_error)?;
                    for t in &page.tasks {
                        print_task(&t.id, ("child", &t.child_id), &t.area_code, t.due_unix_ms);
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

/// A child's file, one line per category, visit and report.
fn print_file(file: &cpb::ChildFile) {
    println!("child {}", hex::encode(&file.child_id));
    match &file.active {
        Some(active) => println!(
            "active category: {} in {}, next visit due {}",
            active.category,
            active.area_code,
            LocalTime::from_unix_ms(file.visit_due_unix_ms)
        ),
        None => println!("active category: none"),
    }
    for c in &file.categories {
        let ended = if c.ended_by.is_empty() {
            String::from("active")
        } else {
            format!(
                "ended {} by {}: {}",
                LocalTime::from_unix_ms(c.ended_at_unix_ms),
                c.ended_by,
                c.end_reason
            )
        };
        println!(
            "category {} in {} set {} by {}, a visit every {} days, {ended}",
            c.category,
            c.area_code,
            LocalTime::from_unix_ms(c.set_at_unix_ms),
            c.set_by,
            c.visit_every_days
        );
    }
    for v in &file.visits {
        println!(
            "visit {} by {} (entry {}): {}",
            LocalTime::from_unix_ms(v.at_unix_ms),
            v.by,
            v.sequence,
            v.note
        );
    }
    for r in &file.reports {
        let case = if r.case_id.is_empty() {
            String::new()
        } else {
            format!(" case {}", hex::encode(&r.case_id))
        };
        println!(
            "report {} from {} in {} reported {}: {}{case}{}",
            hex::encode(&r.report_id),
            r.source,
            r.area_code,
            LocalTime::from_unix_ms(r.reported_at_unix_ms),
            r.state,
            if r.close_reason.is_empty() {
                String::new()
            } else {
                format!(" ({})", r.close_reason)
            }
        );
    }
}
