//! Rescue commands: campaigns, patrols' encounters, admissions and their tracing notices,
//! stays and discharges, rehabilitation consent and sessions, and reading an admission, a
//! campaign, a rehabilitation and an area's open admissions.

use anyhow::Result;
use clap::Subcommand;

use shanzhi::client::{
    admit, define_campaign, discharge, extend_stay, publish_tracing_notice, record_consent,
    record_encounter, record_session, withdraw_consent,
};
use shanzhi::pb::rescue as rpb;

use super::projects::{date, digest};
use super::write::WriteArgs;
use super::{ReadArgs, id16};

/// The rescue commands.
#[derive(Subcommand)]
pub enum RescueCommand {
    /// Define a seasonal campaign: summer-cool or winter-warmth.
    DefineCampaign {
        #[command(flatten)]
        write: WriteArgs,
        /// Its id.
        #[arg(long)]
        campaign: String,
        /// summer-cool or winter-warmth.
        #[arg(long)]
        kind: String,
        /// Its registered area.
        #[arg(long)]
        area: String,
        /// Its first day, YYYY-MM-DD.
        #[arg(long)]
        starts_on: String,
        /// Its last day, YYYY-MM-DD.
        #[arg(long)]
        ends_on: String,
    },
    /// Record a patrol's encounter: help accepted, or declined (and never overridden).
    /// Prints the encounter id.
    RecordEncounter {
        #[command(flatten)]
        write: WriteArgs,
        /// Where.
        #[arg(long)]
        area: String,
        /// The person's answer to the offer of help: accepted or declined.
        #[arg(long)]
        answer: String,
        /// The campaign, if any.
        #[arg(long, default_value = "")]
        campaign: String,
        /// What was given or offered (no personal data).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Admit a registered person (--person) or an unidentified one. Prints the admission id.
    Admit {
        #[command(flatten)]
        write: WriteArgs,
        /// The station's area.
        #[arg(long)]
        area: String,
        /// The registered person; without it, an unidentified one.
        #[arg(long)]
        person: Option<String>,
        /// adult, minor, elderly or disabled.
        #[arg(long)]
        group: String,
        /// The encounter it follows, if any.
        #[arg(long)]
        encounter: Option<String>,
    },
    /// Record an unidentified person's family-tracing notice (due within 24 hours).
    PublishTracingNotice {
        #[command(flatten)]
        write: WriteArgs,
        /// The admission.
        #[arg(long)]
        admission: String,
        /// SHA-256 of the notice as published.
        #[arg(long)]
        notice_sha256: String,
    },
    /// Record why an adult's stay passes 10 days.
    ExtendStay {
        #[command(flatten)]
        write: WriteArgs,
        /// The admission.
        #[arg(long)]
        admission: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Discharge an admission: family, guardian, institution, police, or none (unescorted,
    /// adults only).
    Discharge {
        #[command(flatten)]
        write: WriteArgs,
        /// The admission.
        #[arg(long)]
        admission: String,
        /// The escort.
        #[arg(long)]
        escort: String,
        /// SHA-256 of the hand-over record (unless unescorted).
        #[arg(long)]
        handover_sha256: Option<String>,
        /// A note (no personal data).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record a person's consent to community rehabilitation.
    RecordConsent {
        #[command(flatten)]
        write: WriteArgs,
        /// The person.
        #[arg(long)]
        person: String,
        /// SHA-256 of the signed consent.
        #[arg(long)]
        consent_sha256: String,
    },
    /// Record a person's consent withdrawn.
    WithdrawConsent {
        #[command(flatten)]
        write: WriteArgs,
        /// The person.
        #[arg(long)]
        person: String,
        /// A note (no personal data).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record a rehabilitation session (only while consent stands).
    RecordSession {
        #[command(flatten)]
        write: WriteArgs,
        /// The person.
        #[arg(long)]
        person: String,
        /// Its kind, e.g. skills-training.
        #[arg(long)]
        kind: String,
        /// A note (no personal data).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Print an admission (the read is recorded in the access log).
    Admission {
        #[command(flatten)]
        read: ReadArgs,
        /// The admission.
        #[arg(long)]
        admission: String,
        /// Why it is read.
        #[arg(long)]
        purpose: String,
    },
    /// Print a campaign's counts.
    Campaign {
        #[command(flatten)]
        read: ReadArgs,
        /// The campaign.
        #[arg(long)]
        campaign: String,
    },
    /// Print a person's rehabilitation (the read is recorded in the access log).
    Rehabilitation {
        #[command(flatten)]
        read: ReadArgs,
        /// The person.
        #[arg(long)]
        person: String,
        /// Why it is read.
        #[arg(long)]
        purpose: String,
    },
    /// Print an area's open admissions with their deadlines (each registered person's read
    /// is recorded in the access log).
    OpenAdmissions {
        #[command(flatten)]
        read: ReadArgs,
        /// The registered area.
        #[arg(long)]
        area: String,
        /// Why they are read.
        #[arg(long)]
        purpose: String,
    },
}

fn print_admission(a: &rpb::Admission) {
    let who = if a.person_id.is_empty() {
        String::from("an unidentified person")
    } else {
        format!("person {}", hex::encode(&a.person_id))
    };
    let state = if a.escort.is_empty() {
        String::from("open")
    } else {
        format!("discharged to {}", a.escort)
    };
    println!(
        "admission {} of {who} ({}) in {}: {state}{}{}",
        hex::encode(&a.admission_id),
        a.group,
        a.area_code,
        if a.tracing_overdue {
            "; tracing notice overdue"
        } else {
            ""
        },
        if a.stay_overdue {
            "; stay past 10 days without a reason"
        } else {
            ""
        }
    );
}

impl RescueCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        use RescueCommand as C;
        let person = |text: &str| id16("--person", text).map(|p| p.to_vec());
        let admission = |text: &str| id16("--admission", text).map(|a| a.to_vec());
        let (write, operation, printed) = match self {
            C::DefineCampaign {
                write,
                campaign,
                kind,
                area,
                starts_on,
                ends_on,
            } => {
                let message = rpb::DefineCampaign {
                    campaign_id: campaign,
                    kind,
                    area_code: area,
                    starts_on: date("--starts-on", &starts_on)?,
                    ends_on: date("--ends-on", &ends_on)?,
                };
                (write, define_campaign(message), None)
            }
            C::RecordEncounter {
                write,
                area,
                answer: help,
                campaign,
                note,
            } => {
                let id = shanzhi::crypto::random_bytes::<16>();
                let message = rpb::RecordEncounter {
                    encounter_id: id.to_vec(),
                    area_code: area,
                    help,
                    campaign_id: campaign,
                    note,
                };
                let line = format!("encounter id: {}", hex::encode(id));
                (write, record_encounter(message), Some(line))
            }
            C::Admit {
                write,
                area,
                person: p,
                group,
                encounter,
            } => {
                let id = shanzhi::crypto::random_bytes::<16>();
                let message = rpb::Admit {
                    admission_id: id.to_vec(),
                    area_code: area,
                    person_id: p.map(|p| person(&p)).transpose()?.unwrap_or_default(),
                    group,
                    encounter_id: encounter
                        .map(|e| id16("--encounter", &e).map(|e| e.to_vec()))
                        .transpose()?
                        .unwrap_or_default(),
                };
                let line = format!("admission id: {}", hex::encode(id));
                (write, admit(message), Some(line))
            }
            C::PublishTracingNotice {
                write,
                admission: a,
                notice_sha256,
            } => {
                let message = rpb::PublishTracingNotice {
                    admission_id: admission(&a)?,
                    notice_sha256: digest("--notice-sha256", &notice_sha256)?.to_vec(),
                };
                (write, publish_tracing_notice(message), None)
            }
            C::ExtendStay {
                write,
                admission: a,
                reason,
            } => {
                let message = rpb::ExtendStay {
                    admission_id: admission(&a)?,
                    reason,
                };
                (write, extend_stay(message), None)
            }
            C::Discharge {
                write,
                admission: a,
                escort,
                handover_sha256,
                note,
            } => {
                let message = rpb::Discharge {
                    admission_id: admission(&a)?,
                    escort,
                    handover_sha256: handover_sha256
                        .map(|h| digest("--handover-sha256", &h).map(|d| d.to_vec()))
                        .transpose()?
                        .unwrap_or_default(),
                    note,
                };
                (write, discharge(message), None)
            }
            C::RecordConsent {
                write,
                person: p,
                consent_sha256,
            } => {
                let message = rpb::RecordConsent {
                    person_id: person(&p)?,
                    consent_sha256: digest("--consent-sha256", &consent_sha256)?.to_vec(),
                };
                (write, record_consent(message), None)
            }
            C::WithdrawConsent {
                write,
                person: p,
                note,
            } => {
                let message = rpb::WithdrawConsent {
                    person_id: person(&p)?,
                    note,
                };
                (write, withdraw_consent(message), None)
            }
            C::RecordSession {
                write,
                person: p,
                kind,
                note,
            } => {
                let message = rpb::RecordSession {
                    person_id: person(&p)?,
                    kind,
                    note,
                };
                (write, record_session(message), None)
            }
            C::Admission {
                read,
                admission: a,
                purpose,
            } => {
                let (signer, mut client) = read.open().await?;
                let found = client
                    .admission(&signer, id16("--admission", &a)?, &purpose)
                    .await
                    .map_err(super::status_error)?;
                print_admission(&found);
                return Ok(());
            }
            C::Campaign { read, campaign } => {
                let (signer, mut client) = read.open().await?;
                let c = client
                    .campaign(&signer, &campaign)
                    .await
                    .map_err(super::status_error)?;
                println!(
                    "campaign {} ({}, {} to {}) in {}: {} encounters, {} accepted, {} declined, {} admissions",
                    c.campaign_id,
                    c.kind,
                    c.starts_on,
                    c.ends_on,
                    c.area_code,
                    c.encounters,
                    c.accepted,
                    c.declined,
                    c.admissions
                );
                return Ok(());
            }
            C::Rehabilitation {
                read,
                person: p,
                purpose,
            } => {
                let (signer, mut client) = read.open().await?;
                let r = client
                    .rehabilitation(&signer, id16("--person", &p)?, &purpose)
                    .await
                    .map_err(super::status_error)?;
                println!(
                    "rehabilitation of {} in {}: consent {}, {} sessions",
                    hex::encode(&r.person_id),
                    r.area_code,
                    if r.consent { "stands" } else { "not given" },
                    r.sessions
                );
                return Ok(());
            }
            C::OpenAdmissions {
                read,
                area,
                purpose,
            } => {
                let (signer, mut client) = read.open().await?;
                let mut ask = rpb::ListOpenAdmissionsRequest {
                    area_code: area,
                    page_size: 0,
                    page_token: String::new(),
                    purpose,
                };
                loop {
                    let page = client
                        .open_admissions(&signer, ask.clone())
                        .await
                        .map_err(super::status_error)?;
                    page.admissions.iter().for_each(print_admission);
                    if page.next_page_token.is_empty() {
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
