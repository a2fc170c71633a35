//! Elderly care commands: institutions, their grades and staff certificates, ability
//! assessments, happiness canteens, diners and meals, home adaptations, accident insurance,
//! and reading an institution, an elder and the county's indicators.

use anyhow::Result;
use clap::Subcommand;

use shanzhi::client::{
    assess_ability, complete_adaptation, define_canteen, enroll_diner, enroll_insurance,
    grade_institution, open_adaptation, record_institution, record_staff_certificate,
    record_volunteer_shift, serve_meal,
};
use shanzhi::pb::elderly as epb;

use super::projects::{date, digest, yuan};
use super::write::WriteArgs;
use super::{ReadArgs, id16};

/// The elderly care commands.
#[derive(Subcommand)]
pub enum ElderlyCommand {
    /// Record an elderly care institution (a registered organization), or update its beds and
    /// status.
    RecordInstitution {
        #[command(flatten)]
        write: WriteArgs,
        /// The organization.
        #[arg(long)]
        organization: String,
        /// Its beds.
        #[arg(long)]
        total_beds: u32,
        /// Its nursing beds (护理型床位).
        #[arg(long)]
        nursing_beds: u32,
        /// operating, suspended or closed (always given: an update sets it too).
        #[arg(long)]
        status: String,
    },
    /// Grade an institution, 1 to 5 (bureau admin).
    GradeInstitution {
        #[command(flatten)]
        write: WriteArgs,
        /// The organization.
        #[arg(long)]
        organization: String,
        /// 1 to 5.
        #[arg(long)]
        grade: u32,
        /// SHA-256 of the grading committee's conclusion.
        #[arg(long)]
        conclusion_sha256: String,
    },
    /// Record a staff certificate at an institution. Prints the certificate id.
    RecordStaffCertificate {
        #[command(flatten)]
        write: WriteArgs,
        /// The organization.
        #[arg(long)]
        organization: String,
        /// Its kind, e.g. elderly-care-worker.
        #[arg(long)]
        kind: String,
        /// Its last valid day, YYYY-MM-DD.
        #[arg(long)]
        valid_until: String,
        /// SHA-256 of the certificate.
        #[arg(long)]
        certificate_sha256: String,
    },
    /// Record an ability assessment of an elder.
    AssessAbility {
        #[command(flatten)]
        write: WriteArgs,
        /// The elder (a registered person).
        #[arg(long)]
        person: String,
        /// able, mildly-impaired, moderately-impaired, severely-impaired or totally-impaired.
        #[arg(long)]
        level: String,
        /// SHA-256 of the assessment report.
        #[arg(long)]
        report_sha256: String,
    },
    /// Define a happiness canteen.
    DefineCanteen {
        #[command(flatten)]
        write: WriteArgs,
        /// Its id: 1 to 64 characters from [A-Za-z0-9._-].
        #[arg(long)]
        canteen: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// The registered area it serves.
        #[arg(long)]
        area: String,
    },
    /// Enroll an elder as a canteen's diner, in their age tier (checked against the
    /// directory's birth date).
    EnrollDiner {
        #[command(flatten)]
        write: WriteArgs,
        /// The canteen.
        #[arg(long)]
        canteen: String,
        /// The elder.
        #[arg(long)]
        person: String,
        /// 60-69, 70-79, 80-89 or 90+.
        #[arg(long)]
        age_tier: String,
    },
    /// Record a volunteer's shift at a canteen (cooking, serving, delivering meals): the
    /// activity the program's issuer may then award points for, once (`shanzhi award`).
    RecordVolunteerShift {
        #[command(flatten)]
        write: WriteArgs,
        /// The activity's id, unique among every program's volunteer activities.
        #[arg(long)]
        activity: String,
        /// The canteen.
        #[arg(long)]
        canteen: String,
        /// The volunteer (a registered person).
        #[arg(long)]
        volunteer: String,
        /// The day of the shift (YYYY-MM-DD) [default: today].
        #[arg(long)]
        day: Option<String>,
        /// Hours, 1 to 12.
        #[arg(long)]
        hours: u32,
    },
    /// Serve a subsidized meal to an enrolled diner, today.
    ServeMeal {
        #[command(flatten)]
        write: WriteArgs,
        /// The canteen.
        #[arg(long)]
        canteen: String,
        /// The diner.
        #[arg(long)]
        person: String,
        /// breakfast (until 10:00), lunch (until 15:00) or dinner; the slot open now by the
        /// server's clock if not given.
        #[arg(long)]
        slot: Option<String>,
    },
    /// Open a home adaptation case for an elder. Prints the case id.
    OpenAdaptation {
        #[command(flatten)]
        write: WriteArgs,
        /// The elder.
        #[arg(long)]
        person: String,
        /// The budget, in fen.
        #[arg(long)]
        budget_fen: u64,
        /// SHA-256 of the plan.
        #[arg(long)]
        plan_sha256: String,
    },
    /// Complete a home adaptation case with its cost.
    CompleteAdaptation {
        #[command(flatten)]
        write: WriteArgs,
        /// The case.
        #[arg(long)]
        case: String,
        /// The cost, in fen (at most the budget).
        #[arg(long)]
        cost_fen: u64,
        /// SHA-256 of the acceptance record.
        #[arg(long)]
        acceptance_sha256: String,
    },
    /// Enroll an elder in the accident insurance of a policy year (this year or the next).
    EnrollInsurance {
        #[command(flatten)]
        write: WriteArgs,
        /// The elder.
        #[arg(long)]
        person: String,
        /// The policy year.
        #[arg(long)]
        year: u32,
        /// SHA-256 of the policy.
        #[arg(long)]
        policy_sha256: String,
    },
    /// Print an institution.
    Institution {
        #[command(flatten)]
        read: ReadArgs,
        /// The organization.
        #[arg(long)]
        organization: String,
    },
    /// Print an elder's record.
    Elder {
        #[command(flatten)]
        read: ReadArgs,
        /// The elder.
        #[arg(long)]
        person: String,
    },
    /// Print the elderly care indicators: the nursing-bed ratio and the rest.
    ElderlyIndicators {
        #[command(flatten)]
        read: ReadArgs,
        /// Only this area or below.
        #[arg(long, default_value = "")]
        area: String,
        /// The insurance's policy year (0: this year).
        #[arg(long, default_value_t = 0)]
        year: u32,
    },
}

impl ElderlyCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        use ElderlyCommand as C;
        let org = |text: &str| id16("--organization", text).map(|o| o.to_vec());
        let person = |text: &str| id16("--person", text).map(|p| p.to_vec());
        let (write, operation, printed) = match self {
            C::RecordInstitution {
                write,
                organization,
                total_beds,
                nursing_beds,
                status,
            } => {
                let message = epb::RecordInstitution {
                    organization_id: org(&organization)?,
                    total_beds,
                    nursing_beds,
                    status,
                };
                (write, record_institution(message), None)
            }
            C::GradeInstitution {
                write,
                organization,
                grade,
                conclusion_sha256,
            } => {
                let message = epb::GradeInstitution {
                    organization_id: org(&organization)?,
                    grade,
                    conclusion_sha256: digest("--conclusion-sha256", &conclusion_sha256)?.to_vec(),
                };
                (write, grade_institution(message), None)
            }
            C::RecordStaffCertificate {
                write,
                organization,
                kind,
                valid_until,
                certificate_sha256,
            } => {
                let id = shanzhi::crypto::random_bytes::<16>();
                let message = epb::RecordStaffCertificate {
                    certificate_id: id.to_vec(),
                    organization_id: org(&organization)?,
                    kind,
                    valid_until: date("--valid-until", &valid_until)?,
                    certificate_sha256: digest("--certificate-sha256", &certificate_sha256)?
                        .to_vec(),
                };
                let line = format!("certificate id: {}", hex::encode(id));
                (write, record_staff_certificate(message), Some(line))
            }
            C::AssessAbility {
                write,
                person: p,
                level,
                report_sha256,
            } => {
                let message = epb::AssessAbility {
                    person_id: person(&p)?,
                    level,
                    report_sha256: digest("--report-sha256", &report_sha256)?.to_vec(),
                };
                (write, assess_ability(message), None)
            }
            C::DefineCanteen {
                write,
                canteen,
                name,
                area,
            } => {
                let message = epb::DefineCanteen {
                    canteen_id: canteen,
                    name,
                    area_code: area,
                };
                (write, define_canteen(message), None)
            }
            C::EnrollDiner {
                write,
                canteen,
                person: p,
                age_tier,
            } => {
                let message = epb::EnrollDiner {
                    canteen_id: canteen,
                    person_id: person(&p)?,
                    age_tier,
                };
                (write, enroll_diner(message), None)
            }
            C::ServeMeal {
                write,
                canteen,
                person: p,
                slot,
            } => {
                let slot = match slot {
                    Some(slot) => slot,
                    None => {
                        let (_, client) = write.open().await?;
                        let now = shanzhi::ledger::UnixMs(client.server_now_unix_ms());
                        shanzhi::ledger::MEAL_SLOTS[shanzhi::ledger::meal_slot_at(now)].to_owned()
                    }
                };
                let message = epb::ServeMeal {
                    canteen_id: canteen,
                    person_id: person(&p)?,
                    slot,
                };
                (write, serve_meal(message), None)
            }
            C::RecordVolunteerShift {
                write,
                activity,
                canteen,
                volunteer,
                day,
                hours,
            } => {
                let day = match day {
                    Some(day) => date("--day", &day)?,
                    None => write.server_today().await?,
                };
                let message = epb::RecordVolunteerShift {
                    activity_id: activity,
                    canteen_id: canteen,
                    volunteer_id: id16("--volunteer", &volunteer)?.to_vec(),
                    day,
                    hours,
                };
                (write, record_volunteer_shift(message), None)
            }
            C::OpenAdaptation {
                write,
                person: p,
                budget_fen,
                plan_sha256,
            } => {
                let id = shanzhi::crypto::random_bytes::<16>();
                let message = epb::OpenAdaptation {
                    case_id: id.to_vec(),
                    person_id: person(&p)?,
                    budget_fen,
                    plan_sha256: digest("--plan-sha256", &plan_sha256)?.to_vec(),
                };
                let line = format!("case id: {}", hex::encode(id));
                (write, open_adaptation(message), Some(line))
            }
            C::CompleteAdaptation {
                write,
                case,
                cost_fen,
                acceptance_sha256,
            } => {
                let message = epb::CompleteAdaptation {
                    case_id: id16("--case", &case)?.to_vec(),
                    cost_fen,
                    acceptance_sha256: digest("--acceptance-sha256", &acceptance_sha256)?.to_vec(),
                };
                (write, complete_adaptation(message), None)
            }
            C::EnrollInsurance {
                write,
                person: p,
                year,
                policy_sha256,
            } => {
                let message = epb::EnrollInsurance {
                    person_id: person(&p)?,
                    policy_year: year,
                    policy_sha256: digest("--policy-sha256", &policy_sha256)?.to_vec(),
                };
                (write, enroll_insurance(message), None)
            }
            C::Institution { read, organization } => {
                let (signer, mut client) = read.open().await?;
                let i = client
                    .institution(&signer, id16("--organization", &organization)?)
                    .await
                    .map_err(super::status_error)?;
                println!(
                    "institution {} in {} ({}, grade {}): {} nursing beds of {}; {} of {} certificates valid",
                    hex::encode(&i.organization_id),
                    i.area_code,
                    i.status,
                    i.grade,
                    i.nursing_beds,
                    i.total_beds,
                    i.certificates_valid,
                    i.certificates
                );
                return Ok(());
            }
            C::Elder { read, person: p } => {
                let (signer, mut client) = read.open().await?;
                let e = client
                    .elder(&signer, id16("--person", &p)?)
                    .await
                    .map_err(super::status_error)?;
                println!(
                    "elder {} in {}: ability {} ({} assessments); canteen {} ({}), {} meals, {}; adaptation {}; insured {:?}",
                    hex::encode(&e.person_id),
                    e.area_code,
                    if e.ability_level.is_empty() {
                        "not assessed"
                    } else {
                        &e.ability_level
                    },
                    e.assessments,
                    if e.canteen_id.is_empty() {
                        "none"
                    } else {
                        &e.canteen_id
                    },
                    e.age_tier,
                    e.meals,
                    yuan(e.meal_subsidy_fen),
                    if e.adaptation_state.is_empty() {
                        "none"
                    } else {
                        &e.adaptation_state
                    },
                    e.insured_years
                );
                return Ok(());
            }
            C::ElderlyIndicators { read, area, year } => {
                let (signer, mut client) = read.open().await?;
                let i = client
                    .elderly_indicators(&signer, &area, year)
                    .await
                    .map_err(super::status_error)?;
                print_indicators(&i);
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

/// Prints the elderly care indicators (also the dashboard's elderly care lines).
pub fn print_indicators(i: &epb::Indicators) {
    println!(
        "nursing beds {} of {} ({}.{}%, target 60%: {}) in {} operating institutions",
        i.nursing_beds,
        i.total_beds,
        i.nursing_bed_per_mille / 10,
        i.nursing_bed_per_mille % 10,
        if i.nursing_bed_target_met {
            "met"
        } else {
            "not met"
        },
        i.institutions_operating
    );
    println!(
        "staff certificates valid: {}; canteens {}, diners {}, subsidized meals {} ({})",
        i.certificates_valid,
        i.canteens,
        i.diners,
        i.meals,
        yuan(i.meal_subsidy_fen)
    );
    println!(
        "home adaptations open {}, completed {}; insured in {}: {}",
        i.adaptations_open, i.adaptations_completed, i.year, i.insured
    );
}
