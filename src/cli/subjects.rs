//! Subjects commands: the identity tag of an identity number, and registering the persons
//! and organizations of the bureau's programs with it (the number itself never reaches the
//! log).

use anyhow::Result;
use clap::Subcommand;

use shanzhi::client::{IdentityNumber, register_organization, register_person, review_near_match};
use shanzhi::pb::registry::NearMatchFinding;

use super::write::WriteArgs;
use super::{ReadArgs, id16};

/// A near match's finding, as the CLI spells it.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FindingArg {
    /// Two people.
    Distinct,
    /// One person registered twice.
    SamePerson,
}

/// The subjects commands.
#[derive(Subcommand)]
pub enum SubjectsCommand {
    /// Check a resident identity number or credit code and print its identity tag and the
    /// subject registered with it, if any (bureau admin or caseworker).
    IdentityTag {
        #[command(flatten)]
        write: WriteArgs,
        /// A resident identity number (18 characters, GB 11643); `-` reads it from stdin.
        #[arg(long, required_unless_present = "credit_code")]
        id_number: Option<String>,
        /// A unified social credit code (18 characters, GB 32100).
        #[arg(long, conflicts_with = "id_number")]
        credit_code: Option<String>,
    },
    /// Register a person by their resident identity number, in an area (bureau admin or a
    /// caseworker of the area): prints the new person id.
    RegisterPerson {
        #[command(flatten)]
        write: WriteArgs,
        /// The resident identity number (18 characters, GB 11643); `-` reads it from stdin.
        #[arg(long)]
        id_number: String,
        /// The area the person is registered in (a registered area code).
        #[arg(long)]
        area: String,
    },
    /// List the groups of persons whose records share a name, birth date and residence area,
    /// not yet reviewed (bureau admin, auditor, or a caseworker for their area).
    NearMatches {
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Print the access log (every read of a person's record: who, when, why) and check its
    /// hash chain from the first event (bureau admin or auditor).
    AccessLog {
        #[command(flatten)]
        read: ReadArgs,
        /// An event's hash kept from an earlier run, `SEQUENCE:HASH` (repeatable): the
        /// command fails unless the log still holds that event with that hash.
        #[arg(long)]
        expect: Vec<String>,
    },
    /// Record the review of a near match of two persons (bureau admin or a caseworker of both
    /// persons' areas); never merges them.
    ReviewNearMatch {
        #[command(flatten)]
        write: WriteArgs,
        /// One person (32 hex characters).
        #[arg(long)]
        first: String,
        /// The other.
        #[arg(long)]
        second: String,
        /// What the review found.
        #[arg(long, value_enum)]
        finding: FindingArg,
    },
    /// Register an organization by its unified social credit code, in an area: prints the new
    /// organization id.
    RegisterOrganization {
        #[command(flatten)]
        write: WriteArgs,
        /// The unified social credit code (18 characters, GB 32100).
        #[arg(long)]
        credit_code: String,
        /// The area the organization is registered in.
        #[arg(long)]
        area: String,
    },
}

/// The number as given, or, for `-`, the first line of standard input (so it stays out of
/// the process list and the shell's history).
pub(super) fn number(text: String) -> Result<String> {
    if text != "-" {
        return Ok(text);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

impl SubjectsCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        let (write, identity, area) = match self {
            SubjectsCommand::NearMatches { read } => {
                let (signer, mut client) = read.open().await?;
                let mut after = Vec::new();
                loop {
                    let page = client
                        .near_matches(&signer, after)
                        .await
                        .map_err(super::status_error)?;
                    for group in &page.matches {
                        let ids: Vec<String> = group.person_ids.iter().map(hex::encode).collect();
                        println!("near match: {}", ids.join(" "));
                    }
                    if page.next_cursor.is_empty() {
                        return Ok(());
                    }
                    after = page.next_cursor;
                }
            }
            SubjectsCommand::AccessLog { read, expect } => {
                let mut expected = std::collections::BTreeMap::new();
                for text in &expect {
                    let parsed = text.split_once(':').and_then(|(sequence, hash)| {
                        Some((sequence.parse::<u64>().ok()?, hex::decode(hash).ok()?))
                    });
                    let (sequence, hash) = parsed.ok_or_else(|| {
                        anyhow::anyhow!("--expect: expected SEQUENCE:HASH (hex), found {text:?}")
                    })?;
                    expected.insert(sequence, hash);
                }
                let (signer, mut client) = read.open().await?;
                let (mut from, mut previous, mut counted) = (0, [0u8; 32], 0u64);
                loop {
                    let page = client
                        .access_events(&signer, from, 0)
                        .await
                        .map_err(super::status_error)?;
                    for event in &page.events {
                        let subject = event.subject.clone().unwrap_or_default();
                        let hash = shanzhi::directory::access_hash(
                            &previous,
                            event.sequence,
                            shanzhi::ledger::UnixMs(event.at_unix_ms),
                            &shanzhi::ledger::KeyId::from_hex(&event.reader)?,
                            &prost::Message::encode_to_vec(&subject),
                            &event.purpose,
                        );
                        anyhow::ensure!(
                            event.sequence == counted,
                            "the access log skips from event {counted} to {}: the log was changed",
                            event.sequence
                        );
                        counted += 1;
                        anyhow::ensure!(
                            event.hash == hash,
                            "access log event {} does not chain to the one before: the log was \
                             changed",
                            event.sequence
                        );
                        if let Some(kept) = expected.remove(&event.sequence) {
                            anyhow::ensure!(
                                kept == event.hash,
                                "access log event {} is not the one kept: the log was changed",
                                event.sequence
                            );
                        }
                        previous = hash;
                        let who = match subject.subject {
                            Some(shanzhi::pb::directory::subject::Subject::PersonId(id)) => {
                                hex::encode(id)
                            }
                            _ => "?".into(),
                        };
                        println!(
                            "#{} {} ms  reader {}  person {who}  purpose {:?}  hash {}",
                            event.sequence,
                            event.at_unix_ms,
                            event.reader,
                            event.purpose,
                            hex::encode(&event.hash)
                        );
                    }
                    if page.events.is_empty() {
                        if let Some((sequence, _)) = expected.first_key_value() {
                            anyhow::bail!(
                                "access log event {sequence} kept from an earlier run is gone: \
                                 the log was cut"
                            );
                        }
                        println!(
                            "chain checked: {} events, last hash {}",
                            from,
                            hex::encode(previous)
                        );
                        return Ok(());
                    }
                    from = page.next_sequence;
                }
            }
            SubjectsCommand::ReviewNearMatch {
                write,
                first,
                second,
                finding,
            } => {
                let finding = match finding {
                    FindingArg::Distinct => NearMatchFinding::Distinct,
                    FindingArg::SamePerson => NearMatchFinding::SamePerson,
                };
                let operation = review_near_match(
                    id16("--first", &first)?,
                    id16("--second", &second)?,
                    finding,
                );
                let (signer, mut client) = write.open().await?;
                return write.submit_on(&mut client, &signer, operation).await;
            }
            SubjectsCommand::IdentityTag {
                write,
                id_number,
                credit_code,
            } => {
                let identity = match (id_number, credit_code) {
                    (Some(id), _) => IdentityNumber::Resident(number(id)?),
                    (None, Some(code)) => IdentityNumber::Credit(number(code)?),
                    (None, None) => anyhow::bail!("give --id-number or --credit-code"),
                };
                let (signer, mut client) = write.open().await?;
                let tag = client
                    .identity_tag(&signer, identity)
                    .await
                    .map_err(super::status_error)?;
                println!("identity tag: {}", hex::encode(&tag.tag));
                if tag.birth_date != 0 {
                    println!("birth date: {}, sex: {}", tag.birth_date, tag.sex);
                }
                match tag.registered_id.is_empty() {
                    true => println!("registered: no"),
                    false => println!("registered: {}", hex::encode(&tag.registered_id)),
                }
                return Ok(());
            }
            SubjectsCommand::RegisterPerson {
                write,
                id_number,
                area,
            } => (write, IdentityNumber::Resident(number(id_number)?), area),
            SubjectsCommand::RegisterOrganization {
                write,
                credit_code,
                area,
            } => (write, IdentityNumber::Credit(number(credit_code)?), area),
        };
        let (signer, mut client) = write.open().await?;
        let person = matches!(identity, IdentityNumber::Resident(_));
        let tag = client
            .identity_tag(&signer, identity)
            .await
            .map_err(super::status_error)?;
        let id = shanzhi::crypto::random_bytes::<16>();
        let (operation, kind) = if person {
            (register_person(id, tag.tag, &area), "person")
        } else {
            (register_organization(id, tag.tag, &area), "organization")
        };
        write.submit_on(&mut client, &signer, operation).await?;
        println!("{kind} id: {}", hex::encode(id));
        Ok(())
    }
}
