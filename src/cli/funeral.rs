//! Funeral commands: death cases and their certificates, bookings of the six scenes,
//! cemeteries and plots, the funeral subsidy, scattered graves, and reading a case, the
//! cemeteries, a plot and an area's scattered graves.

use anyhow::Result;
use clap::Subcommand;

use shanzhi::client::{
    advance_scattered_grave, allocate_plot, book_funeral_service, define_cemetery, define_plots,
    grant_funeral_subsidy, identify_scattered_grave, record_death_certificate, register_death,
    release_plot, renew_plot,
};
use shanzhi::pb::funeral as fpb;

use super::projects::{date, digest, yuan};
use super::write::WriteArgs;
use super::{ReadArgs, id16};

/// The funeral commands.
#[derive(Subcommand)]
pub enum FuneralCommand {
    /// Open the death case of a registered person. Prints the case id.
    RegisterDeath {
        #[command(flatten)]
        write: WriteArgs,
        /// The person (their subject id).
        #[arg(long)]
        person: String,
        /// When they died, YYYY-MM-DD.
        #[arg(long)]
        died_on: String,
        /// SHA-256 of the death certificate, if at hand (64 hex characters).
        #[arg(long)]
        certificate_sha256: Option<String>,
    },
    /// Record the death certificate of a case opened without one.
    RecordDeathCertificate {
        #[command(flatten)]
        write: WriteArgs,
        /// The case.
        #[arg(long)]
        case: String,
        /// SHA-256 of the certificate.
        #[arg(long)]
        certificate_sha256: String,
    },
    /// Book one of the six scenes: transport, vigil, farewell, cremation, ash-placement or
    /// memorial.
    BookFuneralService {
        #[command(flatten)]
        write: WriteArgs,
        /// The case.
        #[arg(long)]
        case: String,
        /// The scene.
        #[arg(long)]
        scene: String,
        /// The day, YYYY-MM-DD (today by the server's clock if not given).
        #[arg(long)]
        on: Option<String>,
        /// Where.
        #[arg(long)]
        facility: String,
    },
    /// Define a cemetery (bureau admin).
    DefineCemetery {
        #[command(flatten)]
        write: WriteArgs,
        /// Its id: 1 to 64 characters from [A-Za-z0-9._-].
        #[arg(long)]
        cemetery: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// The registered area it serves (a village for a village public cemetery).
        #[arg(long)]
        area: String,
        /// village-public, public-welfare or operating.
        #[arg(long)]
        kind: String,
        /// The years a plot is held (0: 20).
        #[arg(long, default_value_t = 0)]
        cycle_years: u32,
    },
    /// Add plots of one size to a cemetery.
    DefinePlots {
        #[command(flatten)]
        write: WriteArgs,
        /// The cemetery.
        #[arg(long)]
        cemetery: String,
        /// A plot's code; repeat for each (at most 100).
        #[arg(long = "plot", required = true)]
        plots: Vec<String>,
        /// Each plot's area in square decimetres (at most 100: 1 m²).
        #[arg(long)]
        area_dm2: u32,
    },
    /// Allocate a free plot to a death case.
    AllocatePlot {
        #[command(flatten)]
        write: WriteArgs,
        /// The cemetery.
        #[arg(long)]
        cemetery: String,
        /// The plot.
        #[arg(long)]
        plot: String,
        /// The death case.
        #[arg(long)]
        case: String,
    },
    /// Renew a held plot for another cycle (in the last year of its term or after).
    RenewPlot {
        #[command(flatten)]
        write: WriteArgs,
        /// The cemetery.
        #[arg(long)]
        cemetery: String,
        /// The plot.
        #[arg(long)]
        plot: String,
        /// SHA-256 of the renewal agreement.
        #[arg(long)]
        agreement_sha256: String,
    },
    /// Release a held plot once the remains are moved; it is free again.
    ReleasePlot {
        #[command(flatten)]
        write: WriteArgs,
        /// The cemetery.
        #[arg(long)]
        cemetery: String,
        /// The plot.
        #[arg(long)]
        plot: String,
        /// SHA-256 of the record of the remains' removal.
        #[arg(long)]
        removal_sha256: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Grant the funeral subsidy of a death case (once per deceased).
    GrantFuneralSubsidy {
        #[command(flatten)]
        write: WriteArgs,
        /// The case.
        #[arg(long)]
        case: String,
        /// In fen.
        #[arg(long)]
        amount_fen: u64,
        /// What it pays for.
        #[arg(long)]
        basis: String,
    },
    /// Record a scattered grave in a no-burial zone. Prints the grave id.
    IdentifyScatteredGrave {
        #[command(flatten)]
        write: WriteArgs,
        /// The registered area it is in.
        #[arg(long)]
        area: String,
        /// Where (no personal data).
        #[arg(long)]
        location: String,
        /// SHA-256 of the photographs or survey.
        #[arg(long)]
        evidence_sha256: String,
    },
    /// Move a scattered grave on: cleared, then verified (by another key).
    AdvanceScatteredGrave {
        #[command(flatten)]
        write: WriteArgs,
        /// The grave.
        #[arg(long)]
        grave: String,
        /// cleared or verified.
        #[arg(long)]
        to: String,
        /// SHA-256 of the evidence.
        #[arg(long)]
        evidence_sha256: String,
        /// A note (no personal data).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Print a death case: certificate, bookings, plot, subsidy.
    DeathCase {
        #[command(flatten)]
        read: ReadArgs,
        /// The case.
        #[arg(long)]
        case: String,
    },
    /// Print the cemeteries with their plots allocated and free.
    Cemeteries {
        #[command(flatten)]
        read: ReadArgs,
        /// Only cemeteries of this area or below.
        #[arg(long, default_value = "")]
        area: String,
    },
    /// Print a plot.
    Plot {
        #[command(flatten)]
        read: ReadArgs,
        /// The cemetery.
        #[arg(long)]
        cemetery: String,
        /// The plot.
        #[arg(long)]
        plot: String,
    },
    /// Print an area's scattered graves and their counts.
    ScatteredGraves {
        #[command(flatten)]
        read: ReadArgs,
        /// The registered area.
        #[arg(long)]
        area: String,
    },
}

impl FuneralCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        use FuneralCommand as C;
        let (write, operation, printed) = match self {
            C::RegisterDeath {
                write,
                person,
                died_on,
                certificate_sha256,
            } => {
                let id = shanzhi::crypto::random_bytes::<16>();
                let certificate = certificate_sha256
                    .map(|c| digest("--certificate-sha256", &c))
                    .transpose()?;
                (
                    write,
                    register_death(
                        id,
                        id16("--person", &person)?,
                        date("--died-on", &died_on)?,
                        certificate,
                    ),
                    Some(format!("case id: {}", hex::encode(id))),
                )
            }
            C::RecordDeathCertificate {
                write,
                case,
                certificate_sha256,
            } => (
                write,
                record_death_certificate(
                    id16("--case", &case)?,
                    digest("--certificate-sha256", &certificate_sha256)?,
                ),
                None,
            ),
            C::BookFuneralService {
                write,
                case,
                scene,
                on,
                facility,
            } => {
                let on = match on {
                    Some(on) => date("--on", &on)?,
                    None => write.server_today().await?,
                };
                (
                    write,
                    book_funeral_service(id16("--case", &case)?, &scene, on, &facility),
                    None,
                )
            }
            C::DefineCemetery {
                write,
                cemetery,
                name,
                area,
                kind,
                cycle_years,
            } => (
                write,
                define_cemetery(fpb::DefineCemetery {
                    cemetery_id: cemetery,
                    name,
                    area_code: area,
                    kind,
                    cycle_years,
                }),
                None,
            ),
            C::DefinePlots {
                write,
                cemetery,
                plots,
                area_dm2,
            } => {
                let codes: Vec<&str> = plots.iter().map(String::as_str).collect();
                (write, define_plots(&cemetery, &codes, area_dm2), None)
            }
            C::AllocatePlot {
                write,
                cemetery,
                plot,
                case,
            } => (
                write,
                allocate_plot(&cemetery, &plot, id16("--case", &case)?),
                None,
            ),
            C::RenewPlot {
                write,
                cemetery,
                plot,
                agreement_sha256,
            } => (
                write,
                renew_plot(
                    &cemetery,
                    &plot,
                    digest("--agreement-sha256", &agreement_sha256)?,
                ),
                None,
            ),
            C::ReleasePlot {
                write,
                cemetery,
                plot,
                removal_sha256,
                reason,
            } => (
                write,
                release_plot(
                    &cemetery,
                    &plot,
                    digest("--removal-sha256", &removal_sha256)?,
                    &reason,
                ),
                None,
            ),
            C::GrantFuneralSubsidy {
                write,
                case,
                amount_fen,
                basis,
            } => (
                write,
                grant_funeral_subsidy(id16("--case", &case)?, amount_fen, &basis),
                None,
            ),
            C::IdentifyScatteredGrave {
                write,
                area,
                location,
                evidence_sha256,
            } => {
                let id = shanzhi::crypto::random_bytes::<16>();
                let grave = fpb::IdentifyScatteredGrave {
                    grave_id: id.to_vec(),
                    area_code: area,
                    location,
                    evidence_sha256: digest("--evidence-sha256", &evidence_sha256)?.to_vec(),
                };
                (
                    write,
                    identify_scattered_grave(grave),
                    Some(format!("grave id: {}", hex::encode(id))),
                )
            }
            C::AdvanceScatteredGrave {
                write,
                grave,
                to,
                evidence_sha256,
                note,
            } => (
                write,
                advance_scattered_grave(
                    id16("--grave", &grave)?,
                    &to,
                    digest("--evidence-sha256", &evidence_sha256)?,
                    &note,
                ),
                None,
            ),
            C::DeathCase { read, case } => {
                let (signer, mut client) = read.open().await?;
                let c = client
                    .death_case(&signer, id16("--case", &case)?)
                    .await
                    .map_err(super::status_error)?;
                println!(
                    "death case {} of person {} in {}, died {}; certificate {}",
                    hex::encode(&c.case_id),
                    hex::encode(&c.person_id),
                    c.area_code,
                    c.died_on,
                    if c.certificate_sha256.is_empty() {
                        "not recorded"
                    } else {
                        "recorded"
                    }
                );
                for b in &c.bookings {
                    println!("booked {} on {} at {}", b.scene, b.on, b.facility);
                }
                if !c.cemetery_id.is_empty() {
                    println!("plot {}/{}", c.cemetery_id, c.plot_code);
                }
                if c.subsidy_fen > 0 {
                    println!("subsidy {}: {}", yuan(c.subsidy_fen), c.subsidy_basis);
                }
                return Ok(());
            }
            C::Cemeteries { read, area } => {
                let (signer, mut client) = read.open().await?;
                let list = client
                    .cemeteries(&signer, &area)
                    .await
                    .map_err(super::status_error)?;
                for c in &list.cemeteries {
                    println!(
                        "cemetery {} {} ({}, {}, {}-year cycle): {} of {} plots allocated, {} terms ended",
                        c.cemetery_id,
                        c.name,
                        c.kind,
                        c.area_code,
                        c.cycle_years,
                        c.plots_allocated,
                        c.plots,
                        c.plots_term_ended
                    );
                }
                println!(
                    "plots allocated: {} of {}",
                    list.plots_allocated, list.plots
                );
                return Ok(());
            }
            C::Plot {
                read,
                cemetery,
                plot,
            } => {
                let (signer, mut client) = read.open().await?;
                let p = client
                    .plot(&signer, &cemetery, &plot)
                    .await
                    .map_err(super::status_error)?;
                let holder = if p.case_id.is_empty() {
                    String::from("free")
                } else {
                    format!(
                        "held by case {} from {} until {} ({} renewals)",
                        hex::encode(&p.case_id),
                        p.allocated_on,
                        p.held_until,
                        p.renewals
                    )
                };
                println!(
                    "plot {}/{} ({} dm²): {holder}",
                    p.cemetery_id, p.plot_code, p.area_dm2
                );
                return Ok(());
            }
            C::ScatteredGraves { read, area } => {
                let (signer, mut client) = read.open().await?;
                let mut ask = fpb::ListScatteredGravesRequest {
                    area_code: area,
                    page_size: 0,
                    page_token: String::new(),
                };
                loop {
                    let page = client
                        .scattered_graves(&signer, ask.clone())
                        .await
                        .map_err(super::status_error)?;
                    for g in &page.graves {
                        println!(
                            "grave {} in {}: {} ({})",
                            hex::encode(&g.grave_id),
                            g.area_code,
                            g.state,
                            g.location
                        );
                    }
                    if page.next_page_token.is_empty() {
                        println!(
                            "identified {}, cleared {}, verified {}",
                            page.identified, page.cleared, page.verified
                        );
                        return Ok(());
                    }
                    ask.page_token = page.next_page_token;
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
