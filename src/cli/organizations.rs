//! Social organizations commands: annual reports and inspections, the abnormal and serious
//! lists, enforcement cases (zombie clean-up, illegal organizations), charity venture contests
//! and their grants, and reading an organization's record, a list, a case and a contest.

use anyhow::Result;
use clap::Subcommand;

use shanzhi::client::{
    award_grant, close_enforcement_case, define_contest, file_annual_report, list_abnormal,
    list_serious, open_enforcement_case, record_annual_inspection, remove_from_abnormal_list,
};
use shanzhi::pb::organizations as opb;

use super::projects::{digest, yuan};
use super::write::WriteArgs;
use super::{ReadArgs, id16};

/// The social organizations commands.
#[derive(Subcommand)]
pub enum OrganizationsCommand {
    /// File an organization's annual work report for a year that has ended.
    FileAnnualReport {
        #[command(flatten)]
        write: WriteArgs,
        /// The organization (its subject id).
        #[arg(long)]
        organization: String,
        /// The year reported on.
        #[arg(long)]
        year: u32,
        /// SHA-256 of the report (64 hex characters).
        #[arg(long)]
        report_sha256: String,
    },
    /// Record the annual inspection of a filed report.
    RecordAnnualInspection {
        #[command(flatten)]
        write: WriteArgs,
        /// The organization.
        #[arg(long)]
        organization: String,
        /// The year inspected.
        #[arg(long)]
        year: u32,
        /// qualified, basically-qualified or unqualified.
        #[arg(long)]
        result: String,
        /// SHA-256 of the conclusion.
        #[arg(long)]
        conclusion_sha256: String,
    },
    /// Put an organization on the abnormal list: for a missing report (--missing-year) or as
    /// unreachable (--unreachable with the failed contacts' record).
    ListAbnormal {
        #[command(flatten)]
        write: WriteArgs,
        /// The organization.
        #[arg(long)]
        organization: String,
        /// The year whose annual report is missing (due by 31 May of the year after).
        #[arg(long, conflicts_with = "unreachable")]
        missing_year: Option<u32>,
        /// It cannot be reached at its registered address.
        #[arg(long, requires = "evidence_sha256")]
        unreachable: bool,
        /// For --unreachable: SHA-256 of the record of the failed contacts.
        #[arg(long)]
        evidence_sha256: Option<String>,
    },
    /// Remove an organization from the abnormal list once its ground is cured.
    RemoveFromAbnormalList {
        #[command(flatten)]
        write: WriteArgs,
        /// The organization.
        #[arg(long)]
        organization: String,
        /// For an unreachable organization: SHA-256 of the record of contact restored.
        #[arg(long)]
        evidence_sha256: Option<String>,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Move an organization on the abnormal list for two years to the serious-violation list
    /// (bureau admin).
    ListSerious {
        #[command(flatten)]
        write: WriteArgs,
        /// The organization.
        #[arg(long)]
        organization: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Open an enforcement case: a zombie clean-up of a registered organization
    /// (--organization) or a report of an illegal one (--area, --name). Prints the case id.
    OpenEnforcementCase {
        #[command(flatten)]
        write: WriteArgs,
        /// zombie-cleanup or illegal-organization.
        #[arg(long)]
        kind: String,
        /// For a zombie clean-up: the organization.
        #[arg(long)]
        organization: Option<String>,
        /// For an illegal organization: the area it operates in.
        #[arg(long, default_value = "")]
        area: String,
        /// For an illegal organization: the name it uses.
        #[arg(long, default_value = "")]
        name: String,
        /// What was found or reported (no personal data).
        #[arg(long)]
        ground: String,
        /// SHA-256 of the evidence.
        #[arg(long)]
        evidence_sha256: String,
    },
    /// Close an enforcement case with its outcome.
    CloseEnforcementCase {
        #[command(flatten)]
        write: WriteArgs,
        /// The case.
        #[arg(long)]
        case: String,
        /// rectified, deregistered or revoked (clean-up); banned, not-illegal or referred.
        #[arg(long)]
        outcome: String,
        /// SHA-256 of the decision document.
        #[arg(long)]
        decision_sha256: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Define a charity venture contest with its budget (bureau admin).
    DefineContest {
        #[command(flatten)]
        write: WriteArgs,
        /// Its id: 1 to 64 characters from [A-Za-z0-9._-].
        #[arg(long)]
        contest: String,
        /// Its title.
        #[arg(long)]
        title: String,
        /// Its year.
        #[arg(long)]
        year: u32,
        /// The area whose organizations may be granted.
        #[arg(long)]
        area: String,
        /// The budget, in fen.
        #[arg(long)]
        budget_fen: u64,
    },
    /// Award a contest's grant to an organization's project (bureau admin).
    AwardGrant {
        #[command(flatten)]
        write: WriteArgs,
        /// The contest.
        #[arg(long)]
        contest: String,
        /// The organization.
        #[arg(long)]
        organization: String,
        /// In fen.
        #[arg(long)]
        amount_fen: u64,
        /// The project's title.
        #[arg(long)]
        title: String,
        /// SHA-256 of the application.
        #[arg(long)]
        application_sha256: String,
    },
    /// Print an organization's record: status, list, reports, inspections, grants.
    Organization {
        #[command(flatten)]
        read: ReadArgs,
        /// The organization.
        #[arg(long)]
        organization: String,
    },
    /// Print the organizations on the abnormal or the serious list.
    Listed {
        #[command(flatten)]
        read: ReadArgs,
        /// abnormal or serious.
        #[arg(long)]
        list: String,
        /// Only organizations of this area or below.
        #[arg(long, default_value = "")]
        area: String,
    },
    /// Print an enforcement case.
    EnforcementCase {
        #[command(flatten)]
        read: ReadArgs,
        /// The case.
        #[arg(long)]
        case: String,
    },
    /// Print a contest with its grants.
    Contest {
        #[command(flatten)]
        read: ReadArgs,
        /// The contest.
        #[arg(long)]
        contest: String,
    },
}

fn optional_digest(option: &str, hex: Option<String>) -> Result<Option<[u8; 32]>> {
    hex.map(|h| digest(option, &h)).transpose()
}

impl OrganizationsCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        use OrganizationsCommand as C;
        let org = |text: &str| id16("--organization", text);
        let (write, operation, printed) = match self {
            C::FileAnnualReport {
                write,
                organization,
                year,
                report_sha256,
            } => (
                write,
                file_annual_report(
                    org(&organization)?,
                    year,
                    digest("--report-sha256", &report_sha256)?,
                ),
                None,
            ),
            C::RecordAnnualInspection {
                write,
                organization,
                year,
                result,
                conclusion_sha256,
            } => (
                write,
                record_annual_inspection(
                    org(&organization)?,
                    year,
                    &result,
                    digest("--conclusion-sha256", &conclusion_sha256)?,
                ),
                None,
            ),
            C::ListAbnormal {
                write,
                organization,
                missing_year,
                unreachable,
                evidence_sha256,
            } => {
                if missing_year.is_none() && !unreachable {
                    anyhow::bail!("give --missing-year YEAR, or --unreachable");
                }
                (
                    write,
                    list_abnormal(
                        org(&organization)?,
                        missing_year,
                        optional_digest("--evidence-sha256", evidence_sha256)?,
                    ),
                    None,
                )
            }
            C::RemoveFromAbnormalList {
                write,
                organization,
                evidence_sha256,
                reason,
            } => (
                write,
                remove_from_abnormal_list(
                    org(&organization)?,
                    optional_digest("--evidence-sha256", evidence_sha256)?,
                    &reason,
                ),
                None,
            ),
            C::ListSerious {
                write,
                organization,
                reason,
            } => (write, list_serious(org(&organization)?, &reason), None),
            C::OpenEnforcementCase {
                write,
                kind,
                organization,
                area,
                name,
                ground,
                evidence_sha256,
            } => {
                let id = shanzhi::crypto::random_bytes::<16>();
                let case = opb::OpenEnforcementCase {
                    case_id: id.to_vec(),
                    kind,
                    organization_id: organization
                        .map(|o| org(&o))
                        .transpose()?
                        .map(|o| o.to_vec())
                        .unwrap_or_default(),
                    area_code: area,
                    name,
                    ground,
                    evidence_sha256: digest("--evidence-sha256", &evidence_sha256)?.to_vec(),
                };
                (
                    write,
                    open_enforcement_case(case),
                    Some(format!("case id: {}", hex::encode(id))),
                )
            }
            C::CloseEnforcementCase {
                write,
                case,
                outcome,
                decision_sha256,
                reason,
            } => (
                write,
                close_enforcement_case(
                    id16("--case", &case)?,
                    &outcome,
                    digest("--decision-sha256", &decision_sha256)?,
                    &reason,
                ),
                None,
            ),
            C::DefineContest {
                write,
                contest,
                title,
                year,
                area,
                budget_fen,
            } => (
                write,
                define_contest(opb::DefineContest {
                    contest_id: contest,
                    title,
                    year,
                    area_code: area,
                    budget_fen,
                }),
                None,
            ),
            C::AwardGrant {
                write,
                contest,
                organization,
                amount_fen,
                title,
                application_sha256,
            } => (
                write,
                award_grant(opb::AwardGrant {
                    contest_id: contest,
                    organization_id: org(&organization)?.to_vec(),
                    amount_fen,
                    project_title: title,
                    application_sha256: digest("--application-sha256", &application_sha256)?
                        .to_vec(),
                }),
                None,
            ),
            C::Organization { read, organization } => {
                let (signer, mut client) = read.open().await?;
                let o = client
                    .organization(&signer, org(&organization)?)
                    .await
                    .map_err(super::status_error)?;
                print_organization(&o);
                return Ok(());
            }
            C::Listed { read, list, area } => {
                let (signer, mut client) = read.open().await?;
                let mut ask = opb::ListListedRequest {
                    list: list.clone(),
                    area_code: area,
                    page_size: 0,
                    page_token: String::new(),
                };
                loop {
                    let page = client
                        .listed(&signer, ask.clone())
                        .await
                        .map_err(super::status_error)?;
                    for l in &page.organizations {
                        let ground = match l.ground_year {
                            0 => l.ground.clone(),
                            year => format!("{} {year}", l.ground),
                        };
                        println!(
                            "{list} {} in {} since {} ({ground})",
                            hex::encode(&l.organization_id),
                            l.area_code,
                            l.since
                        );
                    }
                    if page.next_page_token.is_empty() {
                        println!("on the {list} list: {}", page.total);
                        return Ok(());
                    }
                    ask.page_token = page.next_page_token;
                }
            }
            C::EnforcementCase { read, case } => {
                let (signer, mut client) = read.open().await?;
                let c = client
                    .enforcement_case(&signer, id16("--case", &case)?)
                    .await
                    .map_err(super::status_error)?;
                let about = if c.name.is_empty() {
                    format!("organization {}", hex::encode(&c.organization_id))
                } else {
                    format!("{:?}", c.name)
                };
                let state = if c.outcome.is_empty() {
                    String::from("open")
                } else {
                    format!(
                        "closed {} on {}: {}",
                        c.outcome, c.closed_on, c.closing_reason
                    )
                };
                println!(
                    "case {} {} of {about} in {}, opened {}: {}; {state}",
                    hex::encode(&c.case_id),
                    c.kind,
                    c.area_code,
                    c.opened_on,
                    c.ground
                );
                return Ok(());
            }
            C::Contest { read, contest } => {
                let (signer, mut client) = read.open().await?;
                let c = client
                    .contest(&signer, &contest)
                    .await
                    .map_err(super::status_error)?;
                println!(
                    "contest {} {} ({}, {}): budget {}, granted {}",
                    c.contest_id,
                    c.title,
                    c.year,
                    c.area_code,
                    yuan(c.budget_fen),
                    yuan(c.granted_fen)
                );
                for g in &c.grants {
                    println!(
                        "grant {} to {}: {}",
                        yuan(g.amount_fen),
                        hex::encode(&g.organization_id),
                        g.project_title
                    );
                }
                return Ok(());
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

fn print_organization(o: &opb::Organization) {
    let list = match o.list.as_str() {
        "" => String::from("on no list"),
        "abnormal" => format!(
            "on the abnormal list since {} ({}{}), serious list possible from {}",
            o.abnormal_since,
            o.ground,
            match o.ground_year {
                0 => String::new(),
                year => format!(" {year}"),
            },
            o.serious_from
        ),
        _ => format!(
            "on the serious list since {} (abnormal since {})",
            o.serious_since, o.abnormal_since
        ),
    };
    println!(
        "organization {} in {}: {}, {list}",
        hex::encode(&o.organization_id),
        o.area_code,
        o.status
    );
    for r in &o.reports {
        println!(
            "report {} filed {}{}",
            r.year,
            r.filed_on,
            if r.late { " (late)" } else { "" }
        );
    }
    for i in &o.inspections {
        println!("inspection {}: {}", i.year, i.result);
    }
    for e in &o.history {
        println!("{} on {} {}", e.event, e.on, e.reason);
    }
    for g in &o.grants {
        println!(
            "grant {} of contest {}: {}",
            yuan(g.amount_fen),
            g.contest_id,
            g.project_title
        );
    }
}
