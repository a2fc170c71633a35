//! The `shanzhi` command: run the server, create a ledger, make keys, and act on a ledger as a
//! bureau, village, shop, resident or auditor. Wiring only; the work is in the library.

mod cli;

/// mimalloc instead of glibc's allocator: the writer's persistent maps allocate and free
/// small nodes on every entry, and glibc's free lists were a third of the writer's time under
/// load (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use shanzhi::client::Signer;
use shanzhi::config;
use shanzhi::genesis;
use shanzhi::ledger::LedgerId;

use cli::serve::{ParameterArgs, ServeArgs};
use cli::{
    AssistanceCommand, AuditCommand, BenefitsCommand, CaseworkCommand, ChildrenCommand,
    ClaimsCommand, Connection, DashboardArgs, DirectoryCommand, ElderlyCommand, FuneralCommand,
    GovernanceCommand, MembersCommand, OrganizationsCommand, PlacesCommand, ProjectsCommand,
    ReadCommand, RescueCommand, ShopsCommand, SubjectsCommand, WriteCommand,
};

#[derive(Parser)]
#[command(
    name = "shanzhi",
    version,
    about = "善治 shanzhi: the signed, verifiable points ledger of Yidu's points-governance pilot"
)]
struct Cli {
    /// Log lines on stderr: `text`, or `json` (one object a line) for log shippers.
    #[arg(long, global = true, env = "SHANZHI_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// The format of log lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    // Human-readable lines (coloured on a terminal).
    Text,
    // One JSON object per line: timestamp, level, target, message, fields, and the current
    // span (a request's method, request id, code, reason, latency).
    Json,
}

/// What `shanzhi config` does.
#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the settings `serve` would run with (the same flags, environment and --config
    /// file), one `name = value  # source` a line, where source is flag, env, file or
    /// default; the output is itself a valid config file.
    Print(ServeArgs),
}

#[derive(Subcommand)]
enum Command {
    /// Create a new ledger in an empty data directory (ledger id, bureau admin key, log key).
    Init {
        /// Data directory; refused if it already holds a ledger.
        #[arg(long, env = "SHANZHI_DATA", default_value = config::DEFAULT_DATA_DIR)]
        data: PathBuf,
        #[command(flatten)]
        parameters: ParameterArgs,
    },
    /// Run the gRPC server; creates the ledger first if the data directory has none.
    Serve(ServeArgs),
    /// The server's settings.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Create an empty directory of personal data (names) for a ledger whose directory was
    /// lost or never created: the ledger is then served without names. Refused if one exists.
    InitDirectory {
        /// Data directory holding the ledger.
        #[arg(long, env = "SHANZHI_DATA", default_value = config::DEFAULT_DATA_DIR)]
        data: PathBuf,
        /// The lost directory's identity key (kept with the log key); required when the log
        /// registers persons or organizations.
        #[arg(long)]
        identity_key: Option<PathBuf>,
    },
    /// Ask a server's gRPC health service whether it is serving (exit 0) or not (exit 1):
    /// for container health checks and probes.
    Health {
        #[command(flatten)]
        connection: Connection,
        /// The service to ask about; the server as a whole when empty.
        #[arg(long, default_value = "")]
        service: String,
    },
    /// Copy a running server's log, up to its latest signed checkpoint, into one file
    /// (checked against that checkpoint's root), and its directory of personal data into a
    /// second file of its own; the bureau admin signs the reads (an auditor may back up the
    /// log alone, with --no-personal-data).
    Backup {
        #[command(flatten)]
        read: cli::ReadArgs,
        /// The log's backup file to create (refused if it exists).
        #[arg(long)]
        out: PathBuf,
        /// The personal data's backup file to create (refused if it exists); default: OUT
        /// with `.personal-data` appended.
        #[arg(long, conflicts_with = "no_personal_data")]
        personal_data_out: Option<PathBuf>,
        /// Back up the log alone (the directory of personal data is then backed up under its
        /// own rules, or not at all).
        #[arg(long)]
        no_personal_data: bool,
    },
    /// Rebuild a new data directory from a backup by replaying every entry (signatures
    /// verified, every rule applied); then `shanzhi serve --data DIR` serves it.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// The data directory to create (must not exist, or be empty).
        #[arg(long)]
        data: PathBuf,
        /// The ledger's log key file (keys/log.key of the original data directory), which
        /// signs the restored server's checkpoints; the genesis entry must name it.
        #[arg(long)]
        log_key: PathBuf,
        /// The personal data's backup file (`shanzhi backup` wrote it beside the log's);
        /// without it the restored directory of personal data is empty.
        #[arg(long)]
        personal_data: Option<PathBuf>,
        /// The directory's identity key file (directory/identity.key of the original data
        /// directory, kept with the log key): needed when the log registers persons or
        /// organizations, whose identity tags were made with it; without it a new key is made.
        #[arg(long)]
        identity_key: Option<PathBuf>,
    },
    /// Generate a new key pair into a key file (mode 0600) and print its public key and id.
    Keygen {
        /// Where to write the key file; never overwritten.
        #[arg(long)]
        out: PathBuf,
    },
    /// A resident signs a payment code (spend authorization) to show a shop terminal.
    PaymentCode {
        /// The resident's key file.
        #[arg(long, env = "SHANZHI_KEY")]
        key: PathBuf,
        /// The ledger id (32 hex characters, from `shanzhi info`); asked from --server when
        /// not given, so a phone that is offline can still sign with a known id.
        #[arg(long)]
        ledger_id: Option<String>,
        #[command(flatten)]
        connection: Connection,
        /// The household whose points may be spent.
        #[arg(long)]
        household: String,
        /// The most points the shop may take.
        #[arg(long)]
        max_points: u64,
        /// How long the code is valid, in seconds.
        #[arg(long, default_value_t = 300)]
        valid_for_secs: u64,
        /// Only this shop may take the code [default: any partner shop].
        #[arg(long)]
        shop: Option<String>,
        /// Print only the text, without the QR code (which goes to stderr).
        #[arg(long)]
        no_qr: bool,
    },
    /// Load-test a fresh in-process server on loopback and print a Markdown report.
    Bench {
        /// Transactions per phase.
        #[arg(long, default_value_t = 5000)]
        transactions: usize,
        /// Client concurrencies, one phase each.
        #[arg(long, value_delimiter = ',', default_value = "1,8,64")]
        concurrency: Vec<usize>,
        /// Grow the log to this many entries, then compare write latency with and without a
        /// concurrent reader paging through the whole history (0: skip).
        #[arg(long, default_value_t = 0)]
        history_entries: u64,
        /// Transactions per SubmitBatch call in the batched phase (0: skip it).
        #[arg(long, default_value_t = shanzhi::writer::MAX_BATCH_TRANSACTIONS)]
        batch_size: usize,
        /// Concurrent callers in the batched phase.
        #[arg(long, default_value_t = 4)]
        batch_clients: usize,
        /// Entries of the log the engine alone replays, with and without signature checks
        /// (0: skip).
        #[arg(long, default_value_t = 1_000_000)]
        replay_entries: u64,
        /// Households registered in that log.
        #[arg(long, default_value_t = 100_000)]
        replay_households: u64,
        /// Signatures verified to measure the machine's raw rate.
        #[arg(long, default_value_t = 40_000)]
        verify_samples: usize,
        /// Redemptions (two signatures each) per redemption phase, one per request and in
        /// batches (0: skip).
        #[arg(long, default_value_t = 5000)]
        redemptions: usize,
        /// Issues offered at half the best single-request throughput (open loop), alone and
        /// again with a reader paging through the history (0: skip).
        #[arg(long, default_value_t = 5000)]
        open_loop_transactions: usize,
    },
    /// Sign and submit a transaction.
    #[command(flatten)]
    Write(WriteCommand),
    /// Read from a running ledger.
    #[command(flatten)]
    Read(ReadCommand),
    /// Verify the ledger and its receipts.
    #[command(flatten)]
    Audit(AuditCommand),
    /// Rule catalogues and village policies.
    #[command(flatten)]
    Governance(GovernanceCommand),
    /// The programs' subjects: persons and organizations, by identity number.
    #[command(flatten)]
    Subjects(SubjectsCommand),
    /// The programs' cases: opening, moving, objections, lists.
    #[command(flatten)]
    Casework(CaseworkCommand),
    /// The programs' benefits: schemes, enrollments, payments, units.
    #[command(flatten)]
    Benefits(BenefitsCommand),
    /// Social assistance: commitments, alerts, care agreements, tasks.
    #[command(flatten)]
    Assistance(AssistanceCommand),
    /// The children's program: categories, visits, concern reports, files, tasks.
    #[command(flatten)]
    Children(ChildrenCommand),
    /// Capital projects: plans, progress, audited corrections, milestones, the portfolio.
    #[command(flatten)]
    Projects(ProjectsCommand),
    /// Place names: naming applications and decisions, addresses, boundary inspections.
    #[command(flatten)]
    Places(PlacesCommand),
    /// Social organizations: reports, inspections, the abnormal and serious lists,
    /// enforcement cases, charity venture contests and grants.
    #[command(flatten)]
    Organizations(OrganizationsCommand),
    /// Funeral: death cases, bookings, cemeteries and plots, subsidies, scattered graves.
    #[command(flatten)]
    Funeral(FuneralCommand),
    /// Elderly care: institutions, certificates, assessments, canteens and meals, home
    /// adaptations, insurance, the indicators.
    #[command(flatten)]
    Elderly(ElderlyCommand),
    /// The bureau's dashboard: each program's indicators for the city or an area (nursing-bed
    /// ratio, cases overdue, plots allocated, organizations on each list, projects'
    /// completion).
    Dashboard(DashboardArgs),
    /// Rescue and disability: campaigns, encounters, admissions, discharges, rehabilitation.
    #[command(flatten)]
    Rescue(RescueCommand),
    /// Members of households and officers' households.
    #[command(flatten)]
    Members(MembersCommand),
    /// Claims, reviews, notices and objections.
    #[command(flatten)]
    Claims(ClaimsCommand),
    /// Display names in the directory of personal data (outside the log).
    #[command(flatten)]
    Directory(DirectoryCommand),
    /// Shops' terminals: activation codes, activation, status.
    #[command(flatten)]
    Shops(ShopsCommand),
}

fn main() -> std::process::ExitCode {
    let (matches, from_file) = match cli::serve::parse_with_file(Cli::command()) {
        Ok(parsed) => parsed,
        Err(error) => {
            eprintln!("error: {error:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    if let Command::Config {
        command: ConfigCommand::Print(_),
    } = &cli.command
    {
        let command = Cli::command();
        let print = command
            .find_subcommand("config")
            .and_then(|config| config.find_subcommand("print"));
        let given = matches
            .subcommand_matches("config")
            .and_then(|config| config.subcommand_matches("print"));
        if let (Some(print), Some(given)) = (print, given) {
            print!("{}", cli::serve::print(given, &from_file, print));
        }
        return std::process::ExitCode::SUCCESS;
    }
    let default_level = match cli.command {
        Command::Serve(_) => "info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    let result = tokio::runtime::Runtime::new()
        .context("cannot start the async runtime")
        .and_then(|runtime| {
            let result = runtime.block_on(run(cli.command));
            // A writer stuck in a failed store never returns; exit without it.
            runtime.shutdown_timeout(Duration::from_secs(1));
            result
        });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<()> {
    match command {
        Command::Init { data, parameters } => {
            let report = genesis::init(&data, parameters.parameters()?)?;
            cli::serve::print_genesis(&data, &report);
            Ok(())
        }
        Command::Serve(args) => cli::serve::serve(args).await,
        // Printed before the runtime starts.
        Command::Config { .. } => Ok(()),
        Command::InitDirectory { data, identity_key } => {
            let ledger_id = genesis::init_directory(&data, identity_key.as_deref())?;
            println!(
                "created an empty directory of personal data in {} for ledger {ledger_id}",
                shanzhi::directory::path(&data).display()
            );
            Ok(())
        }
        Command::Health {
            connection,
            service,
        } => health(&connection, service).await,
        Command::Backup {
            read,
            out,
            personal_data_out,
            no_personal_data,
        } => {
            let personal_data = (!no_personal_data).then(|| {
                personal_data_out.unwrap_or_else(|| shanzhi::backup::personal_data_path(&out))
            });
            let (signer, mut client) = read.open().await?;
            let report =
                shanzhi::backup::backup(&mut client, &signer, &out, personal_data.as_deref())
                    .await?;
            println!(
                "backed up {} entries (to the signed checkpoint of that size) into {}, {} bytes",
                report.entries,
                report.path.display(),
                report.bytes
            );
            match report.personal_data {
                Some(personal) => println!(
                    "backed up the directory of personal data ({} records with a name, {} \
                     erased) into {}, {} bytes: it holds the names in clear; keep it under the \
                     rules for personal data",
                    personal.present,
                    personal.erased,
                    personal.path.display(),
                    personal.bytes
                ),
                None => println!("the directory of personal data was not backed up"),
            }
            Ok(())
        }
        Command::Restore {
            from,
            data,
            log_key,
            personal_data,
            identity_key,
        } => {
            let report = shanzhi::backup::restore(
                &from,
                &data,
                &log_key,
                personal_data.as_deref(),
                identity_key.as_deref(),
            )?;
            println!(
                "restored ledger {} ({} entries) into {}",
                report.ledger_id,
                report.entries,
                report.data_dir.display()
            );
            match report.personal_data {
                Some(personal) => {
                    println!(
                        "restored {} records with a name and {} erased into its directory of \
                         personal data, as they were at {} ms since the Unix epoch: apply again \
                         every correction and erasure made since",
                        personal.present, personal.erased, personal.taken_at_unix_ms
                    );
                    if personal.left_out > 0 {
                        println!(
                            "left out {} records of households or members registered after the \
                             log's checkpoint (not in the restored log)",
                            personal.left_out
                        );
                    }
                }
                None => println!(
                    "its directory of personal data is empty: restore the names with \
                     --personal-data or enter them again"
                ),
            }
            println!(
                "then run `shanzhi serve --data {}`",
                report.data_dir.display()
            );
            Ok(())
        }
        Command::Keygen { out } => {
            let signer = Signer::generate();
            signer.key_file().write_new(&out)?;
            println!("key file:   {}", out.display());
            println!("key id:     {}", signer.key_id());
            println!("public key: {}", hex::encode(signer.public_key()));
            Ok(())
        }
        Command::PaymentCode {
            key,
            ledger_id,
            household,
            max_points,
            valid_for_secs,
            connection,
            shop,
            no_qr,
        } => {
            let signer = cli::load_signer(&key)?;
            let ledger_id = match ledger_id {
                Some(hex) => LedgerId::from_hex(&hex)?,
                None => connection.connect().await?.ledger_id,
            };
            let valid_ms = valid_for_secs
                .checked_mul(1000)
                .context("--valid-for-secs is too large")?;
            let authorization = shanzhi::pb::points::SpendAuthorization {
                household_id: household,
                max_points,
                nonce: shanzhi::crypto::random_bytes::<16>().to_vec(),
                not_after_unix_ms: shanzhi::writer::now_unix_ms().saturating_add(valid_ms),
                shop_id: shop.unwrap_or_default(),
            };
            let code = signer.sign_spend_authorization(&ledger_id, &authorization);
            let text = shanzhi::client::payment_code_text(&code);
            if !no_qr {
                match shanzhi::client::payment_code_qr(&text) {
                    Ok(qr) => eprintln!("{qr}"),
                    Err(e) => eprintln!("(no QR code: {e})"),
                }
            }
            println!("{text}");
            Ok(())
        }
        Command::Bench {
            transactions,
            concurrency,
            history_entries,
            batch_size,
            batch_clients,
            replay_entries,
            replay_households,
            verify_samples,
            redemptions,
            open_loop_transactions,
        } => {
            let options = shanzhi::bench::Options {
                transactions,
                concurrencies: concurrency,
                batch_size,
                batch_clients,
                history_entries,
                replay_entries,
                replay_households,
                verify_samples,
                redemptions,
                open_loop_transactions,
            };
            let report = shanzhi::bench::run(&options).await?;
            print!("{}", report.to_markdown());
            Ok(())
        }
        Command::Write(command) => command.run().await,
        Command::Read(command) => command.run().await,
        Command::Audit(command) => command.run().await,
        Command::Governance(command) => command.run().await,
        Command::Members(command) => command.run().await,
        Command::Subjects(command) => command.run().await,
        Command::Casework(command) => command.run().await,
        Command::Benefits(command) => command.run().await,
        Command::Assistance(command) => command.run().await,
        Command::Children(command) => command.run().await,
        Command::Projects(command) => command.run().await,
        Command::Places(command) => command.run().await,
        Command::Organizations(command) => command.run().await,
        Command::Funeral(command) => command.run().await,
        Command::Elderly(command) => command.run().await,
        Command::Dashboard(args) => args.run().await,
        Command::Rescue(command) => command.run().await,
        Command::Directory(command) => command.run().await,
        Command::Shops(command) => command.run().await,
        Command::Claims(command) => command.run().await,
    }
}

async fn health(connection: &Connection, service: String) -> Result<()> {
    use tonic_health::pb::health_check_response::ServingStatus;
    let channel = connection.channel().await?;
    let answer = tokio::time::timeout(
        Duration::from_secs(5),
        tonic_health::pb::health_client::HealthClient::new(channel)
            .check(tonic_health::pb::HealthCheckRequest { service }),
    )
    .await
    .context("the health service did not answer within 5 s")?
    .map_err(cli::status_error)?
    .into_inner();
    match answer.status() {
        ServingStatus::Serving => {
            println!("SERVING");
            Ok(())
        }
        other => anyhow::bail!("the server is {}", other.as_str_name()),
    }
}
