//! Governance commands: adopt a rule catalogue from a file (open, add its rules, seal, and
//! resume where an interrupted run stopped), set a village policy with the documented
//! defaults, and read both back.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};

use prost::Message;

use shanzhi::client::{LedgerClient, Signer, new_body};
use shanzhi::ledger::{MAX_BODY_BYTES, MAX_RULES_PER_ADD};
use shanzhi::pb::governance as pb;
use shanzhi::pb::governance::governance_operation::Operation as G;
use shanzhi::pb::points::transaction_body::Operation;
use shanzhi::proposals;

use super::catalogue_file::{
    CatalogueFile, date, date_text, holder_name, parse_scope, period_name, scope_text, sha256_hex,
};
use super::write::WriteArgs;
use super::{ReadArgs, status_error};

/// Which version a read asks for.
#[derive(Args)]
pub struct WhichArgs {
    /// The version in force on this date (YYYY-MM-DD) [default: today, China Standard Time].
    #[arg(long, conflicts_with = "version")]
    on: Option<String>,
    /// This version number (also an open or abandoned one).
    #[arg(long)]
    version: Option<u32>,
}

/// The adopting resolution of a policy.
#[derive(Args)]
pub struct ResolutionArgs {
    /// The resolution's title, e.g. "2027年积分管理办法".
    #[arg(long)]
    resolution_title: String,
    /// Its date (YYYY-MM-DD) [default: today, or the effective date if that is earlier].
    #[arg(long)]
    resolution_date: Option<String>,
    /// The SHA-256 of its document, 64 hex characters.
    #[arg(
        long,
        conflicts_with = "resolution_document",
        required_unless_present = "resolution_document"
    )]
    resolution_sha256: Option<String>,
    /// The document itself (its SHA-256 is computed; the file stays with the village).
    #[arg(long)]
    resolution_document: Option<PathBuf>,
}

/// The governance commands.
#[derive(Subcommand)]
pub enum GovernanceCommand {
    /// Adopt a catalogue version from a JSON file (see the README): open it, add its rules
    /// 20 at a time and seal it. Run again after an interruption to go on where it stopped.
    AdoptCatalogue {
        #[command(flatten)]
        write: WriteArgs,
        /// The catalogue file.
        #[arg(long)]
        file: PathBuf,
    },
    /// Show a catalogue version with its rules.
    Catalogue {
        #[command(flatten)]
        read: ReadArgs,
        /// city, township:<code>, village:<id> or program:<id>.
        #[arg(long)]
        scope: String,
        #[command(flatten)]
        which: WhichArgs,
        /// Print it as a catalogue file (to adopt an edited copy).
        #[arg(long)]
        json: bool,
    },
    /// Set the next version of a village's policy; unset values take the documented defaults
    /// (notice 7 days, 1 reviewer, claims at most 90 days old, no stars, lots expire at the
    /// end of the following year).
    SetPolicy {
        #[command(flatten)]
        write: WriteArgs,
        /// The village issuer.
        #[arg(long)]
        village: String,
        /// The version: 1 for the first, then one more than the last.
        #[arg(long)]
        version: u32,
        /// The first date in force (YYYY-MM-DD) [default: today].
        #[arg(long)]
        effective_from: Option<String>,
        #[command(flatten)]
        resolution: ResolutionArgs,
        /// Days of public notice (1 to 90).
        #[arg(long, default_value_t = proposals::NOTICE_DAYS)]
        notice_days: u32,
        /// Distinct reviewers per claim (1 to 9).
        #[arg(long, default_value_t = proposals::REVIEWERS_REQUIRED)]
        reviewers: u32,
        /// How many days old a deed may be when claimed (1 to 366).
        #[arg(long, default_value_t = proposals::MAX_CLAIM_AGE_DAYS)]
        max_claim_age_days: u32,
        /// Yearly scores for 1, 2, … stars, ascending, e.g. 100,300,600 [default: none].
        #[arg(long, value_delimiter = ',')]
        stars: Vec<u64>,
        /// When lots expire: end-of-following-year, never, or a number of months.
        #[arg(long, default_value = "end-of-following-year")]
        lot_expiry: String,
        /// The most points a household may spend a day at all shops together (0: no limit).
        #[arg(long, default_value_t = proposals::DAILY_REDEMPTION_LIMIT)]
        daily_redemption_limit: u64,
    },
    /// Show a village's policy.
    Policy {
        #[command(flatten)]
        read: ReadArgs,
        /// The village issuer.
        #[arg(long)]
        village: String,
        #[command(flatten)]
        which: WhichArgs,
    },
}

fn governance(operation: G) -> Operation {
    Operation::Governance(pb::GovernanceOperation {
        operation: Some(operation),
    })
}

impl WhichArgs {
    /// `today`: the server's, the default date.
    fn catalogue(&self, today: u32) -> Result<pb::get_catalogue_request::Which> {
        use pb::get_catalogue_request::Which as W;
        Ok(match (&self.on, self.version) {
            (_, Some(version)) => W::Version(version),
            (Some(on), None) => W::InForceOn(date("--on", on)?),
            (None, None) => W::InForceOn(today),
        })
    }

    fn policy(&self, today: u32) -> Result<pb::get_policy_request::Which> {
        use pb::get_catalogue_request::Which as C;
        use pb::get_policy_request::Which as W;
        Ok(match self.catalogue(today)? {
            C::Version(version) => W::Version(version),
            C::InForceOn(days) => W::InForceOn(days),
        })
    }
}

impl GovernanceCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        match self {
            GovernanceCommand::AdoptCatalogue { write, file } => adopt(&write, &file).await,
            GovernanceCommand::Catalogue {
                read,
                scope,
                which,
                json,
            } => {
                let (signer, mut client) = read.open().await?;
                let request = pb::GetCatalogueRequest {
                    scope: Some(parse_scope(&scope)?),
                    which: Some(which.catalogue(client.server_today())?),
                };
                let catalogue = client
                    .catalogue(&signer, request)
                    .await
                    .map_err(status_error)?;
                if json {
                    let file = CatalogueFile::from_wire(&catalogue);
                    println!("{}", serde_json::to_string_pretty(&file)?);
                } else {
                    print_catalogue(&catalogue);
                }
                Ok(())
            }
            GovernanceCommand::SetPolicy {
                write,
                village,
                version,
                effective_from,
                resolution,
                notice_days,
                reviewers,
                max_claim_age_days,
                stars,
                lot_expiry,
                daily_redemption_limit,
            } => {
                let (signer, mut client) = write.open().await?;
                let today = client.server_today();
                let from = match effective_from {
                    Some(text) => date("--effective-from", &text)?,
                    None => today,
                };
                let mut policy = proposals::village_policy(
                    &village,
                    version,
                    from,
                    resolution.wire(from, today)?,
                );
                policy.notice_days = notice_days;
                policy.reviewers_required = reviewers;
                policy.max_claim_age_days = max_claim_age_days;
                policy.star_thresholds = stars;
                policy.lot_expiry = Some(parse_lot_expiry(&lot_expiry)?);
                policy.daily_redemption_limit = daily_redemption_limit;
                write
                    .submit_on(
                        &mut client,
                        &signer,
                        governance(G::SetVillagePolicy(policy)),
                    )
                    .await
            }
            GovernanceCommand::Policy {
                read,
                village,
                which,
            } => {
                let (signer, mut client) = read.open().await?;
                let request = pb::GetPolicyRequest {
                    village_id: village,
                    which: Some(which.policy(client.server_today())?),
                };
                let answer = client
                    .policy(&signer, request)
                    .await
                    .map_err(status_error)?;
                print_policy(&answer);
                Ok(())
            }
        }
    }
}

impl ResolutionArgs {
    fn wire(&self, effective_from: u32, today: u32) -> Result<pb::Resolution> {
        let document_sha256 = match (&self.resolution_sha256, &self.resolution_document) {
            (Some(hex), _) => sha256_hex("--resolution-sha256", hex)?,
            (None, Some(path)) => {
                let bytes = std::fs::read(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                shanzhi::crypto::sha256(&bytes).to_vec()
            }
            (None, None) => bail!("--resolution-sha256 or --resolution-document is required"),
        };
        Ok(pb::Resolution {
            date: match &self.resolution_date {
                Some(text) => date("--resolution-date", text)?,
                None => effective_from.min(today),
            },
            document_sha256,
            title: self.resolution_title.clone(),
        })
    }
}

fn parse_lot_expiry(text: &str) -> Result<pb::LotExpiry> {
    use pb::lot_expiry::Rule;
    let rule = match text {
        "end-of-following-year" => Rule::EndOfFollowingYear(pb::EndOfFollowingYear {}),
        "never" => Rule::Never(pb::Never {}),
        months => Rule::Months(months.parse().with_context(|| {
            format!(
                "--lot-expiry: expected end-of-following-year, never or a number of months, \
                 found {months:?}"
            )
        })?),
    };
    Ok(pb::LotExpiry { rule: Some(rule) })
}

/// Adopts the catalogue of `file`, going on after the steps the ledger already holds.
async fn adopt(write: &WriteArgs, file: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let catalogue: CatalogueFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a catalogue file", file.display()))?;
    let open = catalogue.open()?;
    let rules = catalogue.rules()?;
    let reference = pb::CatalogueRef {
        scope: open.scope.clone(),
        version: open.version,
    };
    let (signer, mut client) = write.open().await?;
    let done = if write.emits_json() {
        write
            .submit_on(&mut client, &signer, governance(G::OpenCatalogue(open)))
            .await?;
        0
    } else {
        match already_adopted(&mut client, &signer, &open, &rules).await? {
            Some(done) => done,
            None => {
                write
                    .submit_on(&mut client, &signer, governance(G::OpenCatalogue(open)))
                    .await?;
                0
            }
        }
    };
    if done == rules.len() + 1 {
        return Ok(());
    }
    for add in batches(&reference, &rules[done..])? {
        write
            .submit_on(&mut client, &signer, governance(G::AddCatalogueRules(add)))
            .await?;
    }
    let seal = pb::SealCatalogue {
        catalogue: Some(reference),
    };
    write
        .submit_on(&mut client, &signer, governance(G::SealCatalogue(seal)))
        .await
}

/// The rules in `AddCatalogueRules` bodies, in order: as many per body as fit in
/// [`MAX_BODY_BYTES`] (long titles take room), at most [`MAX_RULES_PER_ADD`].
fn batches(reference: &pb::CatalogueRef, rules: &[pb::Rule]) -> Result<Vec<pb::AddCatalogueRules>> {
    let fits = |add: &pb::AddCatalogueRules| {
        let body = new_body(governance(G::AddCatalogueRules(add.clone())), u64::MAX / 2);
        body.encoded_len() <= MAX_BODY_BYTES
    };
    let mut batches: Vec<pb::AddCatalogueRules> = Vec::new();
    let empty = || pb::AddCatalogueRules {
        catalogue: Some(reference.clone()),
        rules: Vec::new(),
    };
    let mut current = empty();
    for rule in rules {
        current.rules.push(rule.clone());
        if current.rules.len() > MAX_RULES_PER_ADD || !fits(&current) {
            current.rules.pop();
            if current.rules.is_empty() {
                bail!(
                    "rule {} alone does not fit in a transaction of {MAX_BODY_BYTES} bytes: \
                     shorten its title, category or unit",
                    rule.code
                );
            }
            batches.push(std::mem::replace(&mut current, empty()));
            current.rules.push(rule.clone());
        }
    }
    if !current.rules.is_empty() {
        batches.push(current);
    }
    Ok(batches)
}

/// How far the ledger already holds this version: `None` if it does not exist, the number of
/// rules added if it is open with the same declaration and a prefix of the same rules, or
/// `rules + 1` if it is sealed with the same content. Anything else is an error.
async fn already_adopted(
    client: &mut LedgerClient,
    signer: &Signer,
    open: &pb::OpenCatalogue,
    rules: &[pb::Rule],
) -> Result<Option<usize>> {
    let request = pb::GetCatalogueRequest {
        scope: open.scope.clone(),
        which: Some(pb::get_catalogue_request::Which::Version(open.version)),
    };
    let existing = match client.catalogue(signer, request).await {
        Ok(existing) => existing,
        Err(status) if status.code() == tonic::Code::NotFound => return Ok(None),
        Err(status) => return Err(status_error(status)),
    };
    let what = format!(
        "version {} of {}",
        open.version,
        scope_text(open.scope.as_ref())
    );
    let same_declaration = existing.effective_from == open.effective_from
        && existing.effective_to == open.effective_to
        && existing.resolution == open.resolution
        && existing.rule_count == open.rule_count
        && existing.rules_sha256 == open.rules_sha256;
    let prefix = rules.get(..existing.rules.len()) == Some(existing.rules.as_slice());
    if !same_declaration || !prefix {
        bail!(
            "{what} already exists (opened at entry {}) with other content; a version is never \
             edited: adopt version {} instead",
            existing.opened_at,
            open.version + 1
        );
    }
    match existing.status() {
        pb::CatalogueStatus::Sealed => {
            println!(
                "{what} is already adopted: sealed at entry {}",
                existing.sealed_at
            );
            Ok(Some(rules.len() + 1))
        }
        pb::CatalogueStatus::Open if existing.effective_from < client.server_today() => bail!(
            "{what} is open but starts on {}, before today: it can no longer be sealed; adopt \
             version {} with a later effective_from instead",
            date_text(existing.effective_from),
            open.version + 1
        ),
        pb::CatalogueStatus::Open => {
            println!(
                "{what} is open with {} of {} rules; going on",
                existing.rules.len(),
                rules.len()
            );
            Ok(Some(existing.rules.len()))
        }
        _ => bail!(
            "{what} was abandoned (a later version was opened); adopt the next version instead"
        ),
    }
}

fn print_catalogue(catalogue: &pb::Catalogue) {
    let status = match catalogue.status() {
        pb::CatalogueStatus::Sealed => format!("sealed at entry {}", catalogue.sealed_at),
        pb::CatalogueStatus::Open => "open: not in force until sealed".into(),
        _ => "abandoned: never in force".into(),
    };
    let to = match catalogue.effective_to {
        0 => "open-ended".into(),
        days => format!("until {} (exclusive)", date_text(days)),
    };
    println!(
        "catalogue version {} of {}: {status}; in force from {}, {to}",
        catalogue.version,
        scope_text(catalogue.scope.as_ref()),
        date_text(catalogue.effective_from)
    );
    if let Some(r) = &catalogue.resolution {
        println!(
            "resolution: {} of {} (document sha256 {})",
            r.title,
            date_text(r.date),
            hex::encode(&r.document_sha256)
        );
    }
    println!(
        "rules: {} of {}",
        catalogue.rules.len(),
        catalogue.rule_count
    );
    for rule in &catalogue.rules {
        let sign = match rule.sign() {
            pb::Sign::Deduction => "-",
            _ => "+",
        };
        let evidence = if rule.evidence_required {
            ", evidence required"
        } else {
            ""
        };
        let caps: Vec<String> = rule
            .caps
            .iter()
            .map(|c| {
                format!(
                    "{} per {} per {}",
                    c.max_points,
                    holder_name(c.per()),
                    period_name(c.period())
                )
            })
            .collect();
        let caps = if caps.is_empty() {
            String::new()
        } else {
            format!(", caps {}", caps.join(", "))
        };
        println!(
            "  {}  {sign}{} per {}, at most {} per claim{evidence}{caps}  [{}] {}",
            rule.code,
            rule.points_per_unit,
            rule.unit,
            rule.max_quantity,
            rule.category,
            rule.title
        );
    }
}

fn print_policy(answer: &pb::GetPolicyResponse) {
    let Some(policy) = &answer.policy else {
        return;
    };
    println!(
        "policy version {} of village {}: set at entry {}, in force from {}",
        policy.version,
        policy.village_id,
        answer.set_at,
        date_text(policy.effective_from)
    );
    if let Some(r) = &policy.resolution {
        println!("resolution: {} of {}", r.title, date_text(r.date));
    }
    println!("notice days: {}", policy.notice_days);
    println!("reviewers per claim: {}", policy.reviewers_required);
    println!(
        "claims at most {} days after the deed",
        policy.max_claim_age_days
    );
    let stars: Vec<String> = policy.star_thresholds.iter().map(u64::to_string).collect();
    println!(
        "star thresholds: {}",
        if stars.is_empty() {
            "none".into()
        } else {
            stars.join(", ")
        }
    );
    use pb::lot_expiry::Rule;
    let expiry = match policy.lot_expiry.as_ref().and_then(|e| e.rule.as_ref()) {
        Some(Rule::EndOfFollowingYear(_)) => "at the end of the following year".into(),
        Some(Rule::Months(months)) => format!("after {months} months"),
        Some(Rule::Never(_)) | None => "never".into(),
    };
    println!("lots expire: {expiry}");
    match policy.daily_redemption_limit {
        0 => println!("daily redemption limit: none"),
        limit => println!("daily redemption limit: {limit} points a household"),
    }
}
