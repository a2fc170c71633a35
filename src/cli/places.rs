//! Place names commands: applying for a name or a rename (with what the announcement must
//! say), the bureau's decision with the announcement's digest, standard addresses on approved
//! roads, boundary inspections, and reading a place, an application and a boundary.

use anyhow::Result;
use clap::Subcommand;

use shanzhi::client::{
    apply_for_name, assign_address, decide_name_application, record_boundary_inspection,
    retire_address,
};
use shanzhi::ledger::CivilDate;
use shanzhi::pb::places as lpb;

use super::catalogue_file::sha256_hex;
use super::write::WriteArgs;
use super::{ReadArgs, id16};

/// The place names commands.
#[derive(Subcommand)]
pub enum PlacesCommand {
    /// Apply to name a new place (--kind, --area) or rename one (--place): prints the
    /// application id (a new place's id).
    ApplyForName {
        #[command(flatten)]
        write: WriteArgs,
        /// The place renamed; without it, a new place.
        #[arg(long)]
        place: Option<String>,
        /// A new place's kind: road, street, bridge, community, square or building.
        #[arg(long, default_value = "")]
        kind: String,
        /// A new place's registered area: the scope its name is unique in.
        #[arg(long, default_value = "")]
        area: String,
        /// The name.
        #[arg(long)]
        name: String,
        /// Its Hanyu Pinyin spelling.
        #[arg(long)]
        pinyin: String,
        /// What it means and why it was chosen.
        #[arg(long)]
        meaning: String,
        /// Where the place is and its extent.
        #[arg(long)]
        location: String,
    },
    /// Decide a naming application (bureau admin): approve with the published
    /// announcement's digest, or reject.
    DecideNameApplication {
        #[command(flatten)]
        write: WriteArgs,
        /// The application.
        #[arg(long)]
        application: String,
        /// Approve, with the SHA-256 of the published announcement (64 hex characters).
        #[arg(long, conflicts_with = "reject")]
        announcement_sha256: Option<String>,
        /// Reject.
        #[arg(long)]
        reject: bool,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Assign a standard address: a door number on an approved road or street. Prints the
    /// address id.
    AssignAddress {
        #[command(flatten)]
        write: WriteArgs,
        /// The road or street (a place id).
        #[arg(long)]
        road: String,
        /// The door number, e.g. 18 or 18-1.
        #[arg(long)]
        door: String,
        /// The registered area the address is in.
        #[arg(long)]
        area: String,
    },
    /// Retire an address; its door number may be assigned again.
    RetireAddress {
        #[command(flatten)]
        write: WriteArgs,
        /// The address.
        #[arg(long)]
        address: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Record an inspection of the boundary between two areas of one level.
    InspectBoundary {
        #[command(flatten)]
        write: WriteArgs,
        /// One area.
        #[arg(long)]
        area: String,
        /// The other.
        #[arg(long)]
        other_area: String,
        /// When, YYYY-MM-DD.
        #[arg(long)]
        on: String,
        /// intact, damaged or disputed.
        #[arg(long)]
        outcome: String,
        /// What was found.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Print a place: its name, former names, addresses.
    Place {
        #[command(flatten)]
        read: ReadArgs,
        /// The place.
        #[arg(long)]
        place: String,
    },
    /// Print the inspections of a boundary.
    Boundary {
        #[command(flatten)]
        read: ReadArgs,
        /// One area.
        #[arg(long)]
        area: String,
        /// The other.
        #[arg(long)]
        other_area: String,
    },
}

impl PlacesCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        let (write, operation, printed) = match self {
            PlacesCommand::ApplyForName {
                write,
                place,
                kind,
                area,
                name,
                pinyin,
                meaning,
                location,
            } => {
                let id = shanzhi::crypto::random_bytes::<16>();
                let place_id = place.map(|p| id16("--place", &p)).transpose()?;
                let application = lpb::ApplyForName {
                    application_id: id.to_vec(),
                    place_id: place_id.map(|p| p.to_vec()).unwrap_or_default(),
                    kind,
                    name,
                    pinyin,
                    meaning,
                    location,
                    area_code: area,
                };
                (
                    write,
                    apply_for_name(application),
                    Some(format!("application id: {}", hex::encode(id))),
                )
            }
            PlacesCommand::DecideNameApplication {
                write,
                application,
                announcement_sha256,
                reject,
                reason,
            } => {
                let announcement = match (announcement_sha256, reject) {
                    (Some(hex), false) => Some(
                        <[u8; 32]>::try_from(sha256_hex("--announcement-sha256", &hex)?)
                            .map_err(|_| anyhow::anyhow!("--announcement-sha256: 32 bytes"))?,
                    ),
                    (None, true) => None,
                    _ => anyhow::bail!("give --announcement-sha256 to approve, or --reject"),
                };
                (
                    write,
                    decide_name_application(
                        id16("--application", &application)?,
                        announcement,
                        &reason,
                    ),
                    None,
                )
            }
            PlacesCommand::AssignAddress {
                write,
                road,
                door,
                area,
            } => {
                let id = shanzhi::crypto::random_bytes::<16>();
                (
                    write,
                    assign_address(id, id16("--road", &road)?, &door, &area),
                    Some(format!("address id: {}", hex::encode(id))),
                )
            }
            PlacesCommand::RetireAddress {
                write,
                address,
                reason,
            } => (
                write,
                retire_address(id16("--address", &address)?, &reason),
                None,
            ),
            PlacesCommand::InspectBoundary {
                write,
                area,
                other_area,
                on,
                outcome,
                note,
            } => {
                let on = CivilDate::parse("on", &on)
                    .map_err(|e| anyhow::anyhow!("--on: {e}"))?
                    .days();
                let inspection = lpb::RecordBoundaryInspection {
                    inspection_id: shanzhi::crypto::random_bytes::<16>().to_vec(),
                    area_code: area,
                    other_area_code: other_area,
                    inspected_on: on,
                    outcome,
                    note,
                };
                (write, record_boundary_inspection(inspection), None)
            }
            PlacesCommand::Place { read, place } => {
                let (signer, mut client) = read.open().await?;
                let p = client
                    .place(&signer, id16("--place", &place)?)
                    .await
                    .map_err(super::status_error)?;
                println!(
                    "place {} {} ({}, {}) in {}: {}; {}",
                    hex::encode(&p.place_id),
                    p.name,
                    p.pinyin,
                    p.kind,
                    p.area_code,
                    p.meaning,
                    p.location
                );
                for f in &p.former_names {
                    println!(
                        "former name {} (renamed at entry {})",
                        f.name, f.renamed_at_sequence
                    );
                }
                for a in &p.addresses {
                    let state = if a.retired_reason.is_empty() {
                        String::from("in use")
                    } else {
                        format!("retired: {}", a.retired_reason)
                    };
                    println!(
                        "address {} No. {} in {}: {state}",
                        hex::encode(&a.address_id),
                        a.door_number,
                        a.area_code
                    );
                }
                return Ok(());
            }
            PlacesCommand::Boundary {
                read,
                area,
                other_area,
            } => {
                let (signer, mut client) = read.open().await?;
                let b = client
                    .boundary(&signer, &area, &other_area)
                    .await
                    .map_err(super::status_error)?;
                for i in &b.inspections {
                    println!(
                        "boundary {}|{} inspected {}: {} by {} (entry {}) {}",
                        b.area_code,
                        b.other_area_code,
                        i.inspected_on,
                        i.outcome,
                        i.by,
                        i.sequence,
                        i.note
                    );
                }
                println!("inspections: {}", b.inspections.len());
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
