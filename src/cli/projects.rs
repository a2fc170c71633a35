//! Capital projects commands: defining a project (planned investment, yearly plans,
//! milestones), reporting its monthly progress, correcting it after an audit, recording
//! milestones reached, and reading a project and the portfolio. Amounts are in fen
//! (100 fen = 1 yuan), as in the log.

use anyhow::{Context as _, Result, bail};
use clap::Subcommand;

use shanzhi::client::{correct_investment, define_project, reach_milestone, report_progress};
use shanzhi::ledger::{CivilDate, LocalTime};
use shanzhi::pb::projects as ppb;

use super::ReadArgs;
use super::catalogue_file::sha256_hex;
use super::write::WriteArgs;

/// The capital projects commands.
#[derive(Subcommand)]
pub enum ProjectsCommand {
    /// Define a capital project (bureau admin).
    DefineProject {
        #[command(flatten)]
        write: WriteArgs,
        /// Its id: 1 to 64 characters from [A-Za-z0-9._-].
        #[arg(long)]
        project: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// The registered area it is built in or serves (city, township or village code).
        #[arg(long)]
        area: String,
        /// The total planned investment, in fen (138280000 yuan = 13828000000 fen).
        #[arg(long)]
        planned_fen: u64,
        /// A year's plan, `YEAR:FEN` (e.g. `2023:3000000000`); repeat for each year.
        #[arg(long = "year-plan")]
        year_plans: Vec<String>,
        /// A milestone, `CODE,YYYY-MM-DD,TITLE` (the date it is due); repeat for each.
        #[arg(long = "milestone")]
        milestones: Vec<String>,
        /// SHA-256 of the approval document (64 hex characters).
        #[arg(long)]
        approval_sha256: String,
    },
    /// Report a project's cumulative investment at the end of a month (once per month, in
    /// order, never less than the current one).
    ReportProgress {
        #[command(flatten)]
        write: WriteArgs,
        /// The project.
        #[arg(long)]
        project: String,
        /// The month, YYYY-MM.
        #[arg(long)]
        period: String,
        /// The cumulative investment since the project began, in fen.
        #[arg(long)]
        cumulative_fen: u64,
        /// What was built (no personal data).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Correct a project's current cumulative investment after an audit (bureau admin).
    CorrectInvestment {
        #[command(flatten)]
        write: WriteArgs,
        /// The project.
        #[arg(long)]
        project: String,
        /// The corrected cumulative investment, in fen.
        #[arg(long)]
        cumulative_fen: u64,
        /// SHA-256 of the audit report (64 hex characters).
        #[arg(long)]
        audit_sha256: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Record that a project reached one of its milestones.
    ReachMilestone {
        #[command(flatten)]
        write: WriteArgs,
        /// The project.
        #[arg(long)]
        project: String,
        /// The milestone's code.
        #[arg(long)]
        milestone: String,
        /// When, YYYY-MM-DD (not after today).
        #[arg(long)]
        on: String,
    },
    /// Print a project: plans, milestones, every report and correction.
    Project {
        #[command(flatten)]
        read: ReadArgs,
        /// The project.
        #[arg(long)]
        project: String,
    },
    /// Print the portfolio: planned against invested, in all and for a year.
    Portfolio {
        #[command(flatten)]
        read: ReadArgs,
        /// Only projects in this area or below.
        #[arg(long, default_value = "")]
        area: String,
        /// The year of the year columns (0: this year).
        #[arg(long, default_value_t = 0)]
        year: u32,
    },
}

/// A date of an option, as days since 1970-01-01.
pub(super) fn date(option: &str, text: &str) -> Result<u32> {
    CivilDate::parse("date", text)
        .map(CivilDate::days)
        .map_err(|e| anyhow::anyhow!("{option}: {e}"))
}

pub(super) fn digest(option: &str, hex: &str) -> Result<[u8; 32]> {
    sha256_hex(option, hex)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("{option}: expected 32 bytes"))
}

fn year_plan(text: &str) -> Result<ppb::YearPlan> {
    let (year, fen) = text
        .split_once(':')
        .with_context(|| format!("--year-plan {text:?}: expected YEAR:FEN"))?;
    Ok(ppb::YearPlan {
        year: year
            .parse()
            .with_context(|| format!("--year-plan {text:?}: the year"))?,
        planned_fen: fen
            .parse()
            .with_context(|| format!("--year-plan {text:?}: the amount in fen"))?,
    })
}

fn milestone(text: &str) -> Result<ppb::Milestone> {
    let mut parts = text.splitn(3, ',');
    let (Some(code), Some(due), Some(title)) = (parts.next(), parts.next(), parts.next()) else {
        bail!("--milestone {text:?}: expected CODE,YYYY-MM-DD,TITLE");
    };
    Ok(ppb::Milestone {
        code: code.into(),
        title: title.into(),
        due_date: date("--milestone", due)?,
    })
}

/// An amount in fen as yuan, e.g. `1234.56 yuan`.
pub fn yuan(fen: u64) -> String {
    format!("{}.{:02} yuan", fen / 100, fen % 100)
}

fn signed_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}", yuan(fen.unsigned_abs()))
}

impl ProjectsCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        let (write, operation) = match self {
            ProjectsCommand::DefineProject {
                write,
                project,
                name,
                area,
                planned_fen,
                year_plans,
                milestones,
                approval_sha256,
            } => {
                let definition = ppb::DefineProject {
                    project_id: project,
                    name,
                    area_code: area,
                    planned_fen,
                    years: year_plans
                        .iter()
                        .map(|y| year_plan(y))
                        .collect::<Result<_>>()?,
                    milestones: milestones
                        .iter()
                        .map(|m| milestone(m))
                        .collect::<Result<_>>()?,
                    approval_sha256: digest("--approval-sha256", &approval_sha256)?.to_vec(),
                };
                (write, define_project(definition))
            }
            ProjectsCommand::ReportProgress {
                write,
                project,
                period,
                cumulative_fen,
                note,
            } => (
                write,
                report_progress(&project, &period, cumulative_fen, &note),
            ),
            ProjectsCommand::CorrectInvestment {
                write,
                project,
                cumulative_fen,
                audit_sha256,
                reason,
            } => (
                write,
                correct_investment(
                    &project,
                    cumulative_fen,
                    digest("--audit-sha256", &audit_sha256)?,
                    &reason,
                ),
            ),
            ProjectsCommand::ReachMilestone {
                write,
                project,
                milestone,
                on,
            } => (
                write,
                reach_milestone(&project, &milestone, date("--on", &on)?),
            ),
            ProjectsCommand::Project { read, project } => {
                let (signer, mut client) = read.open().await?;
                let p = client
                    .project(&signer, &project)
                    .await
                    .map_err(super::status_error)?;
                print_project(&p);
                return Ok(());
            }
            ProjectsCommand::Portfolio { read, area, year } => {
                let (signer, mut client) = read.open().await?;
                let portfolio = client
                    .portfolio(&signer, &area, year)
                    .await
                    .map_err(super::status_error)?;
                print_portfolio(&portfolio);
                return Ok(());
            }
        };
        let (signer, mut client) = write.open().await?;
        write.submit_on(&mut client, &signer, operation).await?;
        Ok(())
    }
}

fn print_project(p: &ppb::Project) {
    println!(
        "project {} ({}) in {}: planned {}, invested {}",
        p.project_id,
        p.name,
        p.area_code,
        yuan(p.planned_fen),
        yuan(p.invested_fen)
    );
    for y in &p.years {
        println!("year {}: planned {}", y.year, yuan(y.planned_fen));
    }
    for m in &p.milestones {
        let reached = if m.reached_on.is_empty() {
            String::from("not reached")
        } else {
            format!("reached {} (recorded by {})", m.reached_on, m.reached_by)
        };
        println!(
            "milestone {} ({}) due {}: {reached}",
            m.code, m.title, m.due_date
        );
    }
    for f in &p.figures {
        let kind = if f.correction {
            format!("correction (audit {})", hex::encode(&f.audit_sha256))
        } else {
            String::from("report")
        };
        println!(
            "{} {kind}: cumulative {} by {} at {} (entry {}){}",
            f.period,
            yuan(f.cumulative_fen),
            f.by,
            LocalTime::from_unix_ms(f.at_unix_ms),
            f.sequence,
            if f.text.is_empty() {
                String::new()
            } else {
                format!(": {}", f.text)
            }
        );
    }
}

fn print_portfolio(p: &ppb::Portfolio) {
    for l in &p.lines {
        println!(
            "{} ({}) in {}: planned {}, invested {} ({}.{}%); {}: planned {}, invested {}; \
             milestones {}/{} reached, {} overdue; last reported {}",
            l.project_id,
            l.name,
            l.area_code,
            yuan(l.planned_fen),
            yuan(l.invested_fen),
            l.completion_per_mille / 10,
            l.completion_per_mille % 10,
            p.year,
            yuan(l.year_planned_fen),
            signed_yuan(l.year_invested_fen),
            l.milestones_reached,
            l.milestones_total,
            l.milestones_overdue,
            if l.last_period.is_empty() {
                "never"
            } else {
                &l.last_period
            }
        );
    }
    println!(
        "total: {} projects, planned {}, invested {}; {}: planned {}, invested {}",
        p.lines.len(),
        yuan(p.planned_fen),
        yuan(p.invested_fen),
        p.year,
        yuan(p.year_planned_fen),
        signed_yuan(p.year_invested_fen)
    );
}
