//! Benefits commands: the programs' schemes and their parameters, enrollments, monthly
//! payment batches (with the bank's CSV), recoveries, and units held by one holder at a time.
//! Months default to the server's current month (China Standard Time).

use anyhow::{Context, Result};
use clap::Subcommand;

use shanzhi::client::{
    LedgerClient, allocate_unit, define_scheme, define_unit, end_enrollment, enroll,
    issue_payment_batch, record_recovery, release_unit, set_scheme_parameters,
};
use shanzhi::ledger::Period;

use super::write::WriteArgs;
use super::{ReadArgs, id16};

/// The benefits commands.
#[derive(Subcommand)]
pub enum BenefitsCommand {
    /// Define a benefit scheme of a program (bureau admin, or a city-wide officer of the
    /// program).
    DefineScheme {
        #[command(flatten)]
        write: WriteArgs,
        /// Its code, e.g. `dibao`.
        #[arg(long)]
        scheme: String,
        /// Its program, e.g. `assistance`.
        #[arg(long)]
        program: String,
        /// A case type whose confirmed cases it enrolls, e.g. `dibao/2` (repeatable).
        #[arg(long = "case-type")]
        case_types: Vec<String>,
        /// Schemes of one group exclude each other (低保 and 特困: `basic-livelihood`).
        #[arg(long, default_value = "")]
        exclusive_group: String,
    },
    /// Set the next version of a scheme's parameters: the standard, in fen a month.
    SetSchemeParameters {
        #[command(flatten)]
        write: WriteArgs,
        /// The scheme.
        #[arg(long)]
        scheme: String,
        /// One more than the scheme's last version (1 for its first).
        #[arg(long)]
        version: u32,
        /// The first month it applies to, `YYYY-MM` [default: the server's month].
        #[arg(long)]
        effective_from: Option<String>,
        /// The standard: the most a month's entitlement may be, in fen (72000 = 720 yuan).
        #[arg(long)]
        monthly_fen: u64,
    },
    /// Enroll the person of a confirmed case in a scheme: prints the enrollment id.
    Enroll {
        #[command(flatten)]
        write: WriteArgs,
        /// The scheme.
        #[arg(long)]
        scheme: String,
        /// The confirmed case (32 hex characters).
        #[arg(long)]
        case: String,
        /// The first month, `YYYY-MM` [default: the server's month].
        #[arg(long)]
        from: Option<String>,
        /// The monthly amount, in fen: at most the scheme's standard.
        #[arg(long)]
        monthly_fen: u64,
    },
    /// End an enrollment after its last month; months paid after it are owed back.
    EndEnrollment {
        #[command(flatten)]
        write: WriteArgs,
        /// The enrollment.
        #[arg(long)]
        enrollment: String,
        /// Its last month, `YYYY-MM` [default: the server's month].
        #[arg(long)]
        last: Option<String>,
        /// Why (no personal data).
        #[arg(long)]
        reason: String,
    },
    /// Pay a scheme's entitlements of a month in an area (and below): prints the batch id
    /// and total, and with `--csv-out` writes the bank's file.
    Pay {
        #[command(flatten)]
        write: WriteArgs,
        /// The scheme.
        #[arg(long)]
        scheme: String,
        /// The area.
        #[arg(long)]
        area: String,
        /// The month, `YYYY-MM` [default: the server's month].
        #[arg(long)]
        period: Option<String>,
        /// Write the batch for the bank (CSV) to this file, which must not exist.
        #[arg(long)]
        csv_out: Option<std::path::PathBuf>,
    },
    /// Record money recovered of an overpaid enrollment.
    RecordRecovery {
        #[command(flatten)]
        write: WriteArgs,
        /// The enrollment.
        #[arg(long)]
        enrollment: String,
        /// The amount recovered, in fen.
        #[arg(long)]
        amount_fen: u64,
        /// How (no personal data).
        #[arg(long)]
        reason: String,
    },
    /// Print every scheme and its parameters.
    Schemes {
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Print an enrollment.
    Enrollment {
        #[command(flatten)]
        read: ReadArgs,
        /// The enrollment.
        #[arg(long)]
        enrollment: String,
    },
    /// Print a payment batch as the bank's CSV.
    PaymentBatch {
        #[command(flatten)]
        read: ReadArgs,
        /// The batch.
        #[arg(long)]
        batch: String,
    },
    /// Define a unit held by one holder at a time: prints the unit id.
    DefineUnit {
        #[command(flatten)]
        write: WriteArgs,
        /// `bed`, `plot`, `niche` or `meal-slot`.
        #[arg(long)]
        kind: String,
        /// Its label, e.g. `Bed 12` (no personal data).
        #[arg(long)]
        label: String,
        /// The program it serves, e.g. `elderly-care`.
        #[arg(long)]
        program: String,
        /// Its area.
        #[arg(long)]
        area: String,
        /// The registered organization (facility) it belongs to.
        #[arg(long)]
        organization: Option<String>,
    },
    /// Allocate a free unit to a registered person.
    AllocateUnit {
        #[command(flatten)]
        write: WriteArgs,
        /// The unit.
        #[arg(long)]
        unit: String,
        /// The person.
        #[arg(long)]
        person: String,
    },
    /// Release a held unit.
    ReleaseUnit {
        #[command(flatten)]
        write: WriteArgs,
        /// The unit.
        #[arg(long)]
        unit: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Print a unit and its holder.
    Unit {
        #[command(flatten)]
        read: ReadArgs,
        /// The unit.
        #[arg(long)]
        unit: String,
    },
}

/// `given`, or the server's month.
fn month_or_now(client: &LedgerClient, given: Option<String>) -> String {
    given.unwrap_or_else(|| Period::containing(client.server_now_unix_ms()).to_string())
}

/// Fen as yuan with two decimals.
fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

impl BenefitsCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        match self {
            BenefitsCommand::DefineScheme {
                write,
                scheme,
                program,
                case_types,
                exclusive_group,
            } => {
                let types: Vec<&str> = case_types.iter().map(String::as_str).collect();
                let operation = define_scheme(&scheme, &program, &types, &exclusive_group);
                let (signer, mut client) = write.open().await?;
                write.submit_on(&mut client, &signer, operation).await
            }
            BenefitsCommand::SetSchemeParameters {
                write,
                scheme,
                version,
                effective_from,
                monthly_fen,
            } => {
                let (signer, mut client) = write.open().await?;
                let from = month_or_now(&client, effective_from);
                let operation = set_scheme_parameters(&scheme, version, &from, monthly_fen);
                write.submit_on(&mut client, &signer, operation).await
            }
            BenefitsCommand::Enroll {
                write,
                scheme,
                case,
                from,
                monthly_fen,
            } => {
                let (signer, mut client) = write.open().await?;
                let from = month_or_now(&client, from);
                let id = shanzhi::crypto::random_bytes::<16>();
                let operation = enroll(id, &scheme, id16("--case", &case)?, &from, monthly_fen);
                write.submit_on(&mut client, &signer, operation).await?;
                println!("enrollment id: {}", hex::encode(id));
                Ok(())
            }
            BenefitsCommand::EndEnrollment {
                write,
                enrollment,
                last,
                reason,
            } => {
                let (signer, mut client) = write.open().await?;
                let last = month_or_now(&client, last);
                let operation = end_enrollment(id16("--enrollment", &enrollment)?, &last, &reason);
                write.submit_on(&mut client, &signer, operation).await
            }
            BenefitsCommand::Pay {
                write,
                scheme,
                area,
                period,
                csv_out,
            } => {
                let (signer, mut client) = write.open().await?;
                let period = month_or_now(&client, period);
                let id = shanzhi::crypto::random_bytes::<16>();
                let operation = issue_payment_batch(id, &scheme, &area, &period);
                write.submit_on(&mut client, &signer, operation).await?;
                println!("batch id: {}", hex::encode(id));
                if write.emits_json() {
                    return Ok(());
                }
                let batch = client
                    .payment_batch(&signer, id)
                    .await
                    .map_err(super::status_error)?;
                println!(
                    "paid {} for {period}: payments: {}, total: {} yuan",
                    batch.scheme,
                    batch.lines.len(),
                    yuan(batch.total_fen)
                );
                if let Some(path) = csv_out {
                    use std::io::Write;
                    let mut file = std::fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .open(&path)
                        .with_context(|| format!("cannot create {}", path.display()))?;
                    file.write_all(batch.csv.as_bytes())?;
                    file.sync_all()?;
                    println!("bank file: {}", path.display());
                }
                Ok(())
            }
            BenefitsCommand::RecordRecovery {
                write,
                enrollment,
                amount_fen,
                reason,
            } => {
                let operation =
                    record_recovery(id16("--enrollment", &enrollment)?, amount_fen, &reason);
                let (signer, mut client) = write.open().await?;
                write.submit_on(&mut client, &signer, operation).await
            }
            BenefitsCommand::Schemes { read } => {
                let (signer, mut client) = read.open().await?;
                for s in client.schemes(&signer).await.map_err(super::status_error)? {
                    let group = if s.exclusive_group.is_empty() {
                        String::new()
                    } else {
                        format!(", excludes the others of {}", s.exclusive_group)
                    };
                    println!(
                        "scheme {} ({}): cases of {}{group}",
                        s.scheme,
                        s.program,
                        s.case_types.join(", ")
                    );
                    for v in &s.versions {
                        println!(
                            "  version {} from {}: standard {} yuan a month",
                            v.version,
                            v.effective_from,
                            yuan(v.monthly_fen)
                        );
                    }
                }
                Ok(())
            }
            BenefitsCommand::Enrollment { read, enrollment } => {
                let (signer, mut client) = read.open().await?;
                let e = client
                    .enrollment(&signer, id16("--enrollment", &enrollment)?)
                    .await
                    .map_err(super::status_error)?;
                println!(
                    "enrollment {} in {}: person {} case {} area {} from {} at {} yuan a month",
                    hex::encode(&e.enrollment_id),
                    e.scheme,
                    hex::encode(&e.person_id),
                    hex::encode(&e.case_id),
                    e.area_code,
                    e.from_period,
                    yuan(e.monthly_fen)
                );
                if !e.last_period.is_empty() {
                    println!(
                        "  ended after {} ({}); overpaid {} yuan, recovered {} yuan",
                        e.last_period,
                        e.end_reason,
                        yuan(e.overpaid_fen),
                        yuan(e.recovered_fen)
                    );
                }
                Ok(())
            }
            BenefitsCommand::PaymentBatch { read, batch } => {
                let (signer, mut client) = read.open().await?;
                let batch = client
                    .payment_batch(&signer, id16("--batch", &batch)?)
                    .await
                    .map_err(super::status_error)?;
                print!("{}", batch.csv);
                Ok(())
            }
            BenefitsCommand::DefineUnit {
                write,
                kind,
                label,
                program,
                area,
                organization,
            } => {
                let id = shanzhi::crypto::random_bytes::<16>();
                let organization = organization
                    .map(|o| id16("--organization", &o))
                    .transpose()?;
                let operation = define_unit(id, &kind, &label, &program, &area, organization);
                let (signer, mut client) = write.open().await?;
                write.submit_on(&mut client, &signer, operation).await?;
                println!("unit id: {}", hex::encode(id));
                Ok(())
            }
            BenefitsCommand::AllocateUnit {
                write,
                unit,
                person,
            } => {
                let operation = allocate_unit(id16("--unit", &unit)?, id16("--person", &person)?);
                let (signer, mut client) = write.open().await?;
                write.submit_on(&mut client, &signer, operation).await
            }
            BenefitsCommand::ReleaseUnit {
                write,
                unit,
                reason,
            } => {
                let operation = release_unit(id16("--unit", &unit)?, &reason);
                let (signer, mut client) = write.open().await?;
                write.submit_on(&mut client, &signer, operation).await
            }
            BenefitsCommand::Unit { read, unit } => {
                let (signer, mut client) = read.open().await?;
                let u = client
                    .unit(&signer, id16("--unit", &unit)?)
                    .await
                    .map_err(super::status_error)?;
                let holder = if u.holder_person_id.is_empty() {
                    "free".to_owned()
                } else {
                    format!("held by person {}", hex::encode(&u.holder_person_id))
                };
                println!(
                    "unit {} {} {:?} ({}, area {}): {holder}; allocated {} times",
                    hex::encode(&u.unit_id),
                    u.kind,
                    u.label,
                    u.program,
                    u.area_code,
                    u.allocations
                );
                Ok(())
            }
        }
    }
}
