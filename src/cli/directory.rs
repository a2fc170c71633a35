//! Directory commands: set, correct and erase the display names of households and members
//! (kept outside the log), and read them.

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use shanzhi::client::{Signer, household_subject, member_subject};
use shanzhi::pb::directory as pb;

use super::members::member_id;
use super::{Connection, ReadArgs, Signing, status_error};

/// Whose record: exactly one of a household or a member.
#[derive(Args)]
pub struct SubjectArgs {
    /// The household.
    #[arg(long, required_unless_present = "member", conflicts_with = "member")]
    household: Option<String>,
    /// The member (32 hex characters).
    #[arg(long)]
    member: Option<String>,
}

impl SubjectArgs {
    fn subject(&self) -> Result<pb::Subject> {
        match (&self.household, &self.member) {
            (Some(household), None) => Ok(household_subject(household)),
            (None, Some(member)) => Ok(member_subject(&member_id(member)?)),
            _ => bail!("expected exactly one of --household or --member"),
        }
    }
}

/// What a change command takes.
#[derive(Args)]
pub struct ChangeArgs {
    #[command(flatten)]
    connection: Connection,
    #[command(flatten)]
    signing: Signing,
    #[command(flatten)]
    subject: SubjectArgs,
    /// Why (no personal data in an erasure's reason: it stays).
    #[arg(long)]
    reason: String,
    /// The revision the change replaces [default: the record's current revision, read
    /// first].
    #[arg(long)]
    revision: Option<u64>,
}

/// The directory commands.
#[derive(Subcommand)]
pub enum DirectoryCommand {
    /// Set or correct the display name of a household or member (officer of its village or
    /// bureau admin).
    SetName {
        #[command(flatten)]
        change: ChangeArgs,
        /// The display name.
        #[arg(long)]
        name: String,
    },
    /// Erase the record of a household or member: the name is gone for good.
    EraseName {
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Show the directory records of households and members.
    Names {
        #[command(flatten)]
        read: ReadArgs,
        /// Households (repeatable).
        #[arg(long)]
        household: Vec<String>,
        /// Members, 32 hex characters (repeatable).
        #[arg(long)]
        member: Vec<String>,
    },
}

fn print_record(record: &pb::Record) {
    let subject = match record.subject.as_ref().and_then(|s| s.subject.as_ref()) {
        Some(pb::subject::Subject::HouseholdId(id)) => format!("household {id}"),
        Some(pb::subject::Subject::MemberId(id)) => format!("member {}", hex::encode(id)),
        None => "?".into(),
    };
    let state = match record.state() {
        pb::RecordState::Present => format!("{:?}", record.display_name),
        pb::RecordState::Erased => "(erased)".into(),
        pb::RecordState::Absent | pb::RecordState::Unspecified => "(no record)".into(),
    };
    println!("{subject}: {state}  revision {}", record.revision);
    if !record.changed_by.is_empty() {
        println!(
            "    last change by {} at {} ms: {}",
            record.changed_by, record.changed_at_unix_ms, record.reason
        );
    }
}

impl ChangeArgs {
    async fn send(&self, change: pb::change_body::Change) -> Result<()> {
        let signer: Signer = self.signing.signer()?;
        let mut client = self.connection.connect().await?;
        let record = client
            .change_subject(
                &signer,
                self.subject.subject()?,
                self.revision,
                change,
                &self.reason,
            )
            .await
            .map_err(status_error)?;
        print_record(&record);
        Ok(())
    }
}

impl DirectoryCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        match self {
            DirectoryCommand::SetName { change, name } => {
                change
                    .send(pb::change_body::Change::SetName(pb::SetName {
                        display_name: name,
                    }))
                    .await
            }
            DirectoryCommand::EraseName { change } => {
                change
                    .send(pb::change_body::Change::Erase(pb::Erase {}))
                    .await
            }
            DirectoryCommand::Names {
                read,
                household,
                member,
            } => {
                let mut subjects: Vec<pb::Subject> =
                    household.iter().map(|h| household_subject(h)).collect();
                for m in &member {
                    subjects.push(member_subject(&member_id(m)?));
                }
                let (signer, mut client) = read.open().await?;
                for record in client
                    .records(&signer, subjects)
                    .await
                    .map_err(status_error)?
                {
                    print_record(&record);
                }
                Ok(())
            }
        }
    }
}
