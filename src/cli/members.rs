//! Members commands: a household's members joining and leaving, a household leaving its
//! village, the household an officer's key belongs to, and a member's link to the person they
//! are in the programs.

use anyhow::Result;
use clap::Subcommand;

use shanzhi::pb::points::transaction_body::Operation;
use shanzhi::pb::registry as registry_pb;
use shanzhi::pb::registry::registry_operation::Operation as R;

use super::catalogue_file::date;
use super::write::WriteArgs;

/// A 16-byte member id, as 32 hex characters.
pub(super) fn member_id(text: &str) -> Result<Vec<u8>> {
    Ok(super::id16("--member", text)?.to_vec())
}

/// A date flag, by default today by the server's clock.
pub(super) async fn date_or_today(
    write: &WriteArgs,
    flag: &'static str,
    text: &Option<String>,
) -> Result<u32> {
    match text {
        Some(text) => date(flag, text),
        None => write.server_today().await,
    }
}

/// The members commands.
#[derive(Subcommand)]
pub enum MembersCommand {
    /// Register a member of a household (officer of its village).
    RegisterMember {
        #[command(flatten)]
        write: WriteArgs,
        /// The household.
        #[arg(long)]
        household: String,
        /// The member's subject id (32 hex characters); a new random one if not given.
        #[arg(long)]
        member: Option<String>,
        /// The date the member joined (YYYY-MM-DD) [default: today].
        #[arg(long)]
        joined_on: Option<String>,
    },
    /// Record that a member left their household.
    MemberLeft {
        #[command(flatten)]
        write: WriteArgs,
        /// The member (32 hex characters).
        #[arg(long)]
        member: String,
        /// The first date no longer in it [default: today].
        #[arg(long)]
        left_on: Option<String>,
    },
    /// Record that a household left its village.
    HouseholdLeft {
        #[command(flatten)]
        write: WriteArgs,
        /// The household.
        #[arg(long)]
        household: String,
        /// The first date no longer in the village [default: today].
        #[arg(long)]
        left_on: Option<String>,
    },
    /// Record the household a village officer's key belongs to (another officer of the
    /// village or the bureau; never the key itself).
    SetOfficerHousehold {
        #[command(flatten)]
        write: WriteArgs,
        /// The officer's key id (32 hex characters).
        #[arg(long)]
        officer_key_id: String,
        /// Its household; leave out with --none.
        #[arg(long, required_unless_present = "none")]
        household: Option<String>,
        /// The officer belongs to no household of the village.
        #[arg(long, conflicts_with = "household")]
        none: bool,
    },
    /// Link a household member to the registered person they are in the bureau's programs,
    /// for good, so that points for their volunteering reach their household (the bureau or
    /// the village's officer).
    LinkMemberPerson {
        #[command(flatten)]
        write: WriteArgs,
        /// The member id (32 hex characters).
        #[arg(long)]
        member: String,
        /// The person id (32 hex characters).
        #[arg(long)]
        person: String,
    },
}

fn registry(operation: R) -> Operation {
    Operation::Registry(registry_pb::RegistryOperation {
        operation: Some(operation),
    })
}

impl MembersCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        use MembersCommand as M;
        let (write, operation) = match self {
            M::RegisterMember {
                write,
                household,
                member,
                joined_on,
            } => {
                let member_id = match member {
                    Some(text) => member_id(&text)?,
                    None => {
                        let id = shanzhi::crypto::random_bytes::<16>().to_vec();
                        println!("member id: {}", hex::encode(&id));
                        id
                    }
                };
                let joined_on = date_or_today(&write, "--joined-on", &joined_on).await?;
                let op = R::RegisterMember(registry_pb::RegisterMember {
                    household_id: household,
                    member_id,
                    joined_on,
                });
                (write, registry(op))
            }
            M::MemberLeft {
                write,
                member,
                left_on,
            } => {
                let op = R::MemberLeft(registry_pb::MemberLeft {
                    member_id: member_id(&member)?,
                    left_on: date_or_today(&write, "--left-on", &left_on).await?,
                });
                (write, registry(op))
            }
            M::HouseholdLeft {
                write,
                household,
                left_on,
            } => {
                let op = R::HouseholdLeft(registry_pb::HouseholdLeft {
                    household_id: household,
                    left_on: date_or_today(&write, "--left-on", &left_on).await?,
                });
                (write, registry(op))
            }
            M::SetOfficerHousehold {
                write,
                officer_key_id,
                household,
                ..
            } => {
                use registry_pb::set_officer_household::Household;
                let household = match household {
                    Some(h) => Household::HouseholdId(h),
                    None => Household::None(registry_pb::NoHousehold {}),
                };
                let op = R::SetOfficerHousehold(registry_pb::SetOfficerHousehold {
                    key_id: officer_key_id,
                    household: Some(household),
                });
                (write, registry(op))
            }
            M::LinkMemberPerson {
                write,
                member,
                person,
            } => {
                let op = R::LinkMemberPerson(registry_pb::LinkMemberPerson {
                    member_id: member_id(&member)?,
                    person_id: super::id16("--person", &person)?.to_vec(),
                });
                (write, registry(op))
            }
        };
        let (signer, mut client) = write.open().await?;
        write.submit_on(&mut client, &signer, operation).await
    }
}
