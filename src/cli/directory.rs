//! Directory commands: set, correct and erase the display names of households and members,
//! and the records of persons and organizations (kept outside the log), and read them.

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use shanzhi::client::{
    Signer, household_subject, member_subject, organization_subject, person_subject,
};
use shanzhi::pb::directory as pb;

use super::members::member_id;
use super::{Connection, ReadArgs, Signing, id16, status_error};

/// Whose record: exactly one of a household, a member, a person or an organization.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct SubjectArgs {
    /// The household.
    #[arg(long)]
    household: Option<String>,
    /// The member (32 hex characters).
    #[arg(long)]
    member: Option<String>,
    /// The person (32 hex characters, as register-person printed it).
    #[arg(long)]
    person: Option<String>,
    /// The organization (32 hex characters).
    #[arg(long)]
    organization: Option<String>,
}

impl SubjectArgs {
    fn subject(&self) -> Result<pb::Subject> {
        match (
            &self.household,
            &self.member,
            &self.person,
            &self.organization,
        ) {
            (Some(household), None, None, None) => Ok(household_subject(household)),
            (None, Some(member), None, None) => Ok(member_subject(&member_id(member)?)),
            (None, None, Some(person), None) => Ok(person_subject(&id16("--person", person)?)),
            (None, None, None, Some(org)) => {
                Ok(organization_subject(&id16("--organization", org)?))
            }
            _ => bail!("expected exactly one of --household, --member, --person or --organization"),
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
    /// Erase the record of a household, member, person or organization: its name (and a
    /// person's number, phone and areas) are gone for good.
    EraseName {
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Set or correct a person's record (bureau admin or a caseworker of the person's area):
    /// the identity number must be the one the person was registered with.
    SetPerson {
        #[command(flatten)]
        change: ChangeArgs,
        /// The person's name.
        #[arg(long)]
        name: String,
        /// The resident identity number; `-` reads it from stdin.
        #[arg(long)]
        id_number: String,
        /// A phone number.
        #[arg(long, default_value = "")]
        phone: String,
        /// The hukou area's division code.
        #[arg(long)]
        hukou_area: String,
        /// The residence area's division code.
        #[arg(long)]
        residence_area: String,
    },
    /// Set or correct an organization's record; the credit code must be the registered one.
    SetOrganization {
        #[command(flatten)]
        change: ChangeArgs,
        /// The organization's name.
        #[arg(long)]
        name: String,
        /// The unified social credit code.
        #[arg(long)]
        credit_code: String,
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
        /// Persons, 32 hex characters (repeatable).
        #[arg(long)]
        person: Vec<String>,
        /// Organizations, 32 hex characters (repeatable).
        #[arg(long)]
        organization: Vec<String>,
        /// Why (required for persons, whose reads the access log records; no personal data).
        #[arg(long, default_value = "")]
        purpose: String,
    },
}

fn print_record(record: &pb::Record) {
    let subject = match record.subject.as_ref().and_then(|s| s.subject.as_ref()) {
        Some(pb::subject::Subject::HouseholdId(id)) => format!("household {id}"),
        Some(pb::subject::Subject::MemberId(id)) => format!("member {}", hex::encode(id)),
        Some(pb::subject::Subject::PersonId(id)) => format!("person {}", hex::encode(id)),
        Some(pb::subject::Subject::OrganizationId(id)) => {
            format!("organization {}", hex::encode(id))
        }
        None => "?".into(),
    };
    let state = match record.state() {
        pb::RecordState::Present => format!("{:?}", record.display_name),
        pb::RecordState::Erased => "(erased)".into(),
        pb::RecordState::Absent | pb::RecordState::Unspecified => "(no record)".into(),
    };
    println!("{subject}: {state}  revision {}", record.revision);
    if let Some(person) = &record.person {
        println!(
            "    identity number {}, born {}, {}, phone {:?}, hukou {}, lives in {}",
            person.resident_id_number,
            person.birth_date,
            person.sex,
            person.phone,
            person.hukou_area,
            person.residence_area
        );
    }
    if let Some(organization) = &record.organization {
        println!("    credit code {}", organization.credit_code);
    }
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
            DirectoryCommand::SetPerson {
                change,
                name,
                id_number,
                phone,
                hukou_area,
                residence_area,
            } => {
                change
                    .send(pb::change_body::Change::SetPerson(pb::SetPerson {
                        name,
                        resident_id_number: super::subjects::number(id_number)?,
                        phone,
                        hukou_area,
                        residence_area,
                    }))
                    .await
            }
            DirectoryCommand::SetOrganization {
                change,
                name,
                credit_code,
            } => {
                change
                    .send(pb::change_body::Change::SetOrganization(
                        pb::SetOrganization { name, credit_code },
                    ))
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
                person,
                organization,
                purpose,
            } => {
                let mut subjects: Vec<pb::Subject> =
                    household.iter().map(|h| household_subject(h)).collect();
                for m in &member {
                    subjects.push(member_subject(&member_id(m)?));
                }
                for p in &person {
                    subjects.push(person_subject(&id16("--person", p)?));
                }
                for o in &organization {
                    subjects.push(organization_subject(&id16("--organization", o)?));
                }
                let (signer, mut client) = read.open().await?;
                for record in client
                    .records_for(&signer, subjects, &purpose)
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
