//! The `shanzhi` command: run the server, create a ledger, make keys, and act on a ledger as a
//! bureau, village, shop, resident or auditor. Wiring only; the work is in the library.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use prost::Message;

use shanzhi::client::{self, LedgerClient, Signer, new_body};
use shanzhi::config::{self, ServerConfig};
use shanzhi::crypto::KeyFile;
use shanzhi::genesis;
use shanzhi::ledger::{LedgerParameters, LocalTime};
use shanzhi::pb::points as pb;
use shanzhi::pb::points::transaction_body::Operation;

#[derive(Parser)]
#[command(
    name = "shanzhi",
    version,
    about = "善治 shanzhi: the signed, verifiable points ledger of Yidu's points-governance pilot"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
    },
    /// Load-test a fresh in-process server on loopback and print a Markdown report.
    Bench {
        /// Transactions per phase.
        #[arg(long, default_value_t = 5000)]
        transactions: usize,
        /// Client concurrencies, one phase each.
        #[arg(long, value_delimiter = ',', default_value = "1,8,64")]
        concurrency: Vec<usize>,
    },
    /// Act on a running ledger.
    #[command(flatten)]
    Client(ClientCommand),
}

#[derive(Args)]
struct ParameterArgs {
    /// Longest allowed validity of a transaction (not_after - commit time), in seconds.
    #[arg(long, default_value_t = LedgerParameters::DEFAULT_MAX_TRANSACTION_WINDOW_MS / 1000)]
    max_transaction_window_secs: u64,
    /// Longest allowed validity of a payment code, in seconds.
    #[arg(long, default_value_t = LedgerParameters::DEFAULT_MAX_SPEND_AUTHORIZATION_WINDOW_MS / 1000)]
    max_payment_code_window_secs: u64,
    /// How long after a sale the shop's terminal may refund it, in seconds.
    #[arg(long, default_value_t = LedgerParameters::DEFAULT_MAX_REFUND_WINDOW_MS / 1000)]
    max_refund_window_secs: u64,
}

impl ParameterArgs {
    fn parameters(&self) -> LedgerParameters {
        LedgerParameters {
            max_transaction_window_ms: self.max_transaction_window_secs * 1000,
            max_spend_authorization_window_ms: self.max_payment_code_window_secs * 1000,
            max_refund_window_ms: self.max_refund_window_secs * 1000,
        }
    }
}

#[derive(Args)]
struct ServeArgs {
    /// Data directory holding the ledger store and genesis keys.
    #[arg(long, env = "SHANZHI_DATA", default_value = config::DEFAULT_DATA_DIR)]
    data: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "SHANZHI_LISTEN", default_value = config::DEFAULT_LISTEN)]
    listen: std::net::SocketAddr,
    /// Largest gRPC message accepted or sent, in bytes.
    #[arg(long, env = "SHANZHI_MAX_MESSAGE_BYTES", default_value_t = config::DEFAULT_MAX_MESSAGE_BYTES)]
    max_message_bytes: usize,
    /// Deadline for one request, in milliseconds.
    #[arg(long, env = "SHANZHI_REQUEST_TIMEOUT_MS", default_value_t = config::DEFAULT_REQUEST_TIMEOUT.as_millis() as u64)]
    request_timeout_ms: u64,
    /// Requests one connection may have in flight.
    #[arg(long, env = "SHANZHI_CONCURRENCY_PER_CONNECTION", default_value_t = config::DEFAULT_CONCURRENCY_PER_CONNECTION)]
    concurrency_per_connection: usize,
    /// Largest accepted clock difference of a read credential, in seconds.
    #[arg(long, env = "SHANZHI_READ_CREDENTIAL_MAX_SKEW_SECS", default_value_t = config::DEFAULT_READ_CREDENTIAL_MAX_SKEW.as_secs())]
    read_credential_max_skew_secs: u64,
    /// Ledger parameters, used only when this command creates the ledger.
    #[command(flatten)]
    parameters: ParameterArgs,
}

#[derive(Args)]
struct Connection {
    /// The server's URL.
    #[arg(
        long,
        global = true,
        env = "SHANZHI_SERVER",
        default_value = "http://127.0.0.1:50051"
    )]
    server: String,
}

#[derive(Args)]
struct Signing {
    /// The key file to sign with.
    #[arg(long, env = "SHANZHI_KEY")]
    key: PathBuf,
}

#[derive(Args)]
struct TxOptions {
    /// Request id (32 hex characters). Reuse the one printed by a failed attempt to retry it
    /// safely; a new random one by default.
    #[arg(long)]
    request_id: Option<String>,
    /// How long the signed transaction stays valid, in seconds.
    #[arg(long, default_value_t = 600)]
    valid_for_secs: u64,
    /// Sign, but print the SubmitRequest as JSON for `grpcurl -d @` instead of sending it.
    #[arg(long)]
    emit_json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    BureauAdmin,
    VillageOfficer,
    ProgramIssuer,
    ShopTerminal,
    Resident,
    Auditor,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct AccountArgs {
    /// A household account.
    #[arg(long)]
    household: Option<String>,
    /// A village or program issuer account.
    #[arg(long)]
    issuer: Option<String>,
    /// A shop account.
    #[arg(long)]
    shop: Option<String>,
    /// The bureau fund.
    #[arg(long)]
    bureau_fund: bool,
}

#[derive(Args)]
#[group(required = false, multiple = false)]
struct OptionalAccountArgs {
    /// Only entries of this household.
    #[arg(long)]
    household: Option<String>,
    /// Only entries of this issuer.
    #[arg(long)]
    issuer: Option<String>,
    /// Only entries of this shop.
    #[arg(long)]
    shop: Option<String>,
    /// Only entries of the bureau fund.
    #[arg(long)]
    bureau_fund: bool,
}

fn account_ref(
    household: Option<&String>,
    issuer: Option<&String>,
    shop: Option<&String>,
    bureau_fund: bool,
) -> Option<pb::AccountRef> {
    match (household, issuer, shop, bureau_fund) {
        (Some(h), _, _, _) => Some(client::household(h)),
        (_, Some(i), _, _) => Some(client::issuer(i)),
        (_, _, Some(s), _) => Some(client::shop(s)),
        (_, _, _, true) => Some(client::bureau_fund()),
        _ => None,
    }
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Show the ledger id, parameters and size (no key needed).
    Info {
        #[command(flatten)]
        connection: Connection,
    },
    /// Register a public key with a role (bureau admin; village officers for resident keys).
    RegisterKey {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        tx: TxOptions,
        /// The public key (64 hex characters, from `shanzhi keygen`).
        #[arg(long)]
        public_key: String,
        /// The role.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The village, program, shop or household the key acts for.
        #[arg(long, default_value = "")]
        scope: String,
        /// A short description (no personal data).
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke a key.
    RevokeKey {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        tx: TxOptions,
        /// The key id to revoke.
        #[arg(long)]
        key_id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Register a village committee as an issuer (bureau admin).
    RegisterVillage {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        tx: TxOptions,
        /// The village id.
        #[arg(long)]
        id: String,
        /// The village's name.
        #[arg(long)]
        name: String,
    },
    /// Register a bureau program as an issuer (bureau admin).
    RegisterProgram {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        tx: TxOptions,
        /// The program id.
        #[arg(long)]
        id: String,
        /// The program's name.
        #[arg(long)]
        name: String,
    },
    /// Register a household in a village (bureau admin or the village's officer).
    RegisterHousehold {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        tx: TxOptions,
        /// The household id (not a resident ID number).
        #[arg(long)]
        id: String,
        /// The village it belongs to.
        #[arg(long)]
        village: String,
        /// A resident's public key (64 hex characters); repeat for several.
        #[arg(long)]
        resident_key: Vec<String>,
    },
    /// Register a partner shop (bureau admin).
    RegisterShop {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        tx: TxOptions,
        /// The shop id.
        #[arg(long)]
        id: String,
        /// The shop's name.
        #[arg(long)]
        name: String,
    },
    /// Allocate budget from the bureau fund to an issuer (bureau admin).
    Allocate {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        tx: TxOptions,
        /// The issuer.
        #[arg(long)]
        issuer: String,
        /// Points.
        #[arg(long)]
        points: u64,
        /// Why.
        #[arg(long, default_value = "")]
        memo: String,
    },
    /// Award points to a household (the issuer's officer).
    Issue {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        tx: TxOptions,
        #[command(flatten)]
        action: PointsArgs,
    },
    /// Deduct points from a household (the issuer's officer).
    Deduct {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        tx: TxOptions,
        #[command(flatten)]
        action: PointsArgs,
    },
    /// Reverse an entry with a compensating entry (once per entry).
    Reverse {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        tx: TxOptions,
        /// The sequence of the entry to reverse.
        #[arg(long)]
        sequence: u64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Spend household points at a shop (the shop's terminal, with the resident's payment code).
    Redeem {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        tx: TxOptions,
        /// The shop.
        #[arg(long)]
        shop: String,
        /// The household paying.
        #[arg(long)]
        household: String,
        /// Points.
        #[arg(long)]
        points: u64,
        /// The payment code printed by `shanzhi payment-code` (hex).
        #[arg(long)]
        payment_code: String,
        /// The terminal's counter; must increase with every sale. Default: the time in ms.
        #[arg(long)]
        counter: Option<u64>,
        /// What was sold.
        #[arg(long, default_value = "")]
        memo: String,
    },
    /// Show an account.
    Account {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        account: AccountArgs,
    },
    /// Show history, oldest first, one page at a time.
    History {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        #[command(flatten)]
        account: OptionalAccountArgs,
        /// Only entries of this kind (e.g. issue-points, redeem).
        #[arg(long)]
        kind: Option<String>,
        /// Only entries committed at or after this Unix time in ms.
        #[arg(long, default_value_t = 0)]
        since_ms: u64,
        /// Only entries committed before this Unix time in ms.
        #[arg(long, default_value_t = 0)]
        until_ms: u64,
        /// Entries per page (1 to 500; 0 = 50).
        #[arg(long, default_value_t = 0)]
        page_size: u32,
        /// The token printed after the previous page.
        #[arg(long, default_value = "")]
        page_token: String,
    },
    /// Show one entry.
    Entry {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        /// The entry's sequence.
        #[arg(long)]
        sequence: u64,
    },
    /// Show the receipt of a transaction by its request id.
    Receipt {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        signing: Signing,
        /// The request id (32 hex characters).
        #[arg(long)]
        request_id: String,
    },
}

#[derive(Args)]
struct PointsArgs {
    /// The issuer (village or program).
    #[arg(long)]
    issuer: String,
    /// The household.
    #[arg(long)]
    household: String,
    /// The catalogue rule code.
    #[arg(long)]
    rule: String,
    /// Points.
    #[arg(long)]
    points: u64,
    /// What happened (no personal data).
    #[arg(long, default_value = "")]
    memo: String,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let default_level = match cli.command {
        Command::Serve(_) => "info",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let result = tokio::runtime::Runtime::new()
        .context("cannot start the async runtime")
        .and_then(|runtime| runtime.block_on(run(cli.command)));
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
            let report = genesis::init(&data, parameters.parameters())?;
            print_genesis(&data, &report);
            Ok(())
        }
        Command::Serve(args) => serve(args).await,
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
        } => {
            let signer = load_signer(&key)?;
            let ledger_id = match ledger_id {
                Some(hex) => shanzhi::ledger::LedgerId::from_hex(&hex)?,
                None => connect(&connection).await?.ledger_id,
            };
            let code =
                signer.payment_code(&ledger_id, &household, max_points, valid_for_secs * 1000);
            println!("{}", hex::encode(code.encode_to_vec()));
            Ok(())
        }
        Command::Bench {
            transactions,
            concurrency,
        } => {
            let report = shanzhi::bench::run(transactions, &concurrency).await?;
            print!("{}", report.to_markdown());
            Ok(())
        }
        Command::Client(command) => client_command(command).await,
    }
}

fn print_genesis(data: &Path, report: &genesis::GenesisReport) {
    println!("created a new ledger in {}", data.display());
    println!("  ledger id:       {}", report.ledger_id);
    println!("  bureau admin key: {}", report.admin_key_path.display());
    println!("  log key:          {}", report.log_key_path.display());
    println!(
        "Sign bureau transactions with --key {}; keep a copy off this machine.",
        report.admin_key_path.display()
    );
}

async fn serve(args: ServeArgs) -> Result<()> {
    if !genesis::exists(&args.data) {
        let report = genesis::init(&args.data, args.parameters.parameters())?;
        print_genesis(&args.data, &report);
    }
    let config = ServerConfig {
        listen: args.listen,
        data_dir: args.data,
        max_message_bytes: args.max_message_bytes,
        request_timeout: Duration::from_millis(args.request_timeout_ms),
        concurrency_per_connection: args.concurrency_per_connection,
        read_credential_max_skew: Duration::from_secs(args.read_credential_max_skew_secs),
    };
    let server = shanzhi::server::start(config).await?;
    println!("shanzhi listening on {}", server.local_addr);
    shutdown_signal().await;
    server.stop().await?;
    tracing::info!("stopped cleanly");
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("SIGTERM handler can be installed");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

fn load_signer(path: &Path) -> Result<Signer> {
    Ok(Signer::new(KeyFile::read(path)?))
}

async fn connect(connection: &Connection) -> Result<LedgerClient> {
    Ok(LedgerClient::connect(&connection.server).await?)
}

fn status_error(status: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!("{:?}: {}", status.code(), status.message())
}

async fn submit(
    connection: &Connection,
    signing: &Signing,
    tx: &TxOptions,
    operation: Operation,
) -> Result<()> {
    let signer = load_signer(&signing.key)?;
    let mut client = connect(connection).await?;
    let mut body = new_body(operation, tx.valid_for_secs * 1000);
    if let Some(request_id) = &tx.request_id {
        body.request_id = shanzhi::ledger::RequestId::from_hex(request_id)?.0.to_vec();
    }
    if tx.emit_json {
        println!(
            "{}",
            submit_request_json(&signer.sign(&client.ledger_id, &body))
        );
        return Ok(());
    }
    let request_id = hex::encode(&body.request_id);
    match client.submit_body(&signer, &body).await {
        Ok(response) => {
            let receipt = response.receipt.context("the server sent no receipt")?;
            if response.duplicate {
                println!("already committed earlier; original receipt:");
            }
            print_receipt(&receipt);
            Ok(())
        }
        Err(status) if status.code() == tonic::Code::Unavailable => bail!(
            "{}\nretry safely with --request-id {request_id}",
            status_error(status)
        ),
        Err(status) => Err(status_error(status)),
    }
}

async fn client_command(command: ClientCommand) -> Result<()> {
    use ClientCommand as C;
    match command {
        C::Info { connection } => {
            let mut client = connect(&connection).await?;
            let info = client
                .transactions
                .get_ledger_info(pb::GetLedgerInfoRequest {})
                .await
                .map_err(status_error)?
                .into_inner();
            println!("ledger id:      {}", hex::encode(&info.ledger_id));
            println!("log size:       {}", info.log_size);
            println!("log public key: {}", hex::encode(&info.log_public_key));
            if let Some(p) = info.parameters {
                println!(
                    "max transaction window: {} s",
                    p.max_transaction_window_ms / 1000
                );
                println!(
                    "max payment code window: {} s",
                    p.max_spend_authorization_window_ms / 1000
                );
                println!(
                    "terminal refund window: {} s",
                    p.max_refund_window_ms / 1000
                );
            }
            println!(
                "server time:    {}",
                LocalTime::from_unix_ms(info.server_time_unix_ms)
            );
            Ok(())
        }
        C::RegisterKey {
            connection,
            signing,
            tx,
            public_key,
            role,
            scope,
            label,
        } => {
            let role = match role {
                RoleArg::BureauAdmin => pb::Role::BureauAdmin,
                RoleArg::VillageOfficer => pb::Role::VillageOfficer,
                RoleArg::ProgramIssuer => pb::Role::ProgramIssuer,
                RoleArg::ShopTerminal => pb::Role::ShopTerminal,
                RoleArg::Resident => pb::Role::Resident,
                RoleArg::Auditor => pb::Role::Auditor,
            };
            let operation = Operation::RegisterKey(pb::RegisterKey {
                public_key: hex::decode(&public_key).context("--public-key: expected hex")?,
                role: role.into(),
                scope,
                label,
            });
            submit(&connection, &signing, &tx, operation).await
        }
        C::RevokeKey {
            connection,
            signing,
            tx,
            key_id,
            reason,
        } => {
            let operation = Operation::RevokeKey(pb::RevokeKey { key_id, reason });
            submit(&connection, &signing, &tx, operation).await
        }
        C::RegisterVillage {
            connection,
            signing,
            tx,
            id,
            name,
        } => {
            let operation = register_issuer(id, name, pb::IssuerKind::Village);
            submit(&connection, &signing, &tx, operation).await
        }
        C::RegisterProgram {
            connection,
            signing,
            tx,
            id,
            name,
        } => {
            let operation = register_issuer(id, name, pb::IssuerKind::Program);
            submit(&connection, &signing, &tx, operation).await
        }
        C::RegisterHousehold {
            connection,
            signing,
            tx,
            id,
            village,
            resident_key,
        } => {
            let resident_public_keys = resident_key
                .iter()
                .map(|k| hex::decode(k).context("--resident-key: expected hex"))
                .collect::<Result<_>>()?;
            let operation = Operation::RegisterHousehold(pb::RegisterHousehold {
                household_id: id,
                village_id: village,
                resident_public_keys,
            });
            submit(&connection, &signing, &tx, operation).await
        }
        C::RegisterShop {
            connection,
            signing,
            tx,
            id,
            name,
        } => {
            let operation = Operation::RegisterShop(pb::RegisterShop { shop_id: id, name });
            submit(&connection, &signing, &tx, operation).await
        }
        C::Allocate {
            connection,
            signing,
            tx,
            issuer,
            points,
            memo,
        } => {
            let operation = Operation::AllocateBudget(pb::AllocateBudget {
                issuer_id: issuer,
                points,
                memo,
            });
            submit(&connection, &signing, &tx, operation).await
        }
        C::Issue {
            connection,
            signing,
            tx,
            action,
        } => {
            let operation = Operation::IssuePoints(pb::IssuePoints {
                issuer_id: action.issuer,
                household_id: action.household,
                rule_code: action.rule,
                points: action.points,
                memo: action.memo,
            });
            submit(&connection, &signing, &tx, operation).await
        }
        C::Deduct {
            connection,
            signing,
            tx,
            action,
        } => {
            let operation = Operation::DeductPoints(pb::DeductPoints {
                issuer_id: action.issuer,
                household_id: action.household,
                rule_code: action.rule,
                points: action.points,
                memo: action.memo,
            });
            submit(&connection, &signing, &tx, operation).await
        }
        C::Reverse {
            connection,
            signing,
            tx,
            sequence,
            reason,
        } => {
            let operation = Operation::ReverseEntry(pb::ReverseEntry { sequence, reason });
            submit(&connection, &signing, &tx, operation).await
        }
        C::Redeem {
            connection,
            signing,
            tx,
            shop,
            household,
            points,
            payment_code,
            counter,
            memo,
        } => {
            let code = hex::decode(payment_code.trim())
                .ok()
                .and_then(|bytes| pb::SignedSpendAuthorization::decode(bytes.as_slice()).ok())
                .context("--payment-code: expected the hex printed by `shanzhi payment-code`")?;
            let operation = Operation::Redeem(pb::Redeem {
                shop_id: shop,
                household_id: household,
                points,
                payment_code: Some(code),
                terminal_counter: counter.unwrap_or_else(shanzhi::writer::now_unix_ms),
                memo,
            });
            submit(&connection, &signing, &tx, operation).await
        }
        C::Account {
            connection,
            signing,
            account,
        } => {
            let signer = load_signer(&signing.key)?;
            let mut client = connect(&connection).await?;
            let reference = account_ref(
                account.household.as_ref(),
                account.issuer.as_ref(),
                account.shop.as_ref(),
                account.bureau_fund,
            )
            .context("name an account: --household, --issuer, --shop or --bureau-fund")?;
            let account = client
                .account(&signer, reference)
                .await
                .map_err(status_error)?;
            print_account(&account);
            Ok(())
        }
        C::History {
            connection,
            signing,
            account,
            kind,
            since_ms,
            until_ms,
            page_size,
            page_token,
        } => {
            let signer = load_signer(&signing.key)?;
            let mut client = connect(&connection).await?;
            let kind = match kind {
                None => pb::OperationKind::Unspecified,
                Some(name) => {
                    let wanted =
                        format!("OPERATION_KIND_{}", name.to_uppercase().replace('-', "_"));
                    pb::OperationKind::from_str_name(&wanted)
                        .with_context(|| format!("--kind: unknown kind {name:?}"))?
                }
            };
            let page = client
                .history(
                    &signer,
                    pb::ListHistoryRequest {
                        account: account_ref(
                            account.household.as_ref(),
                            account.issuer.as_ref(),
                            account.shop.as_ref(),
                            account.bureau_fund,
                        ),
                        kind: kind.into(),
                        since_unix_ms: since_ms,
                        until_unix_ms: until_ms,
                        page_size,
                        page_token,
                    },
                )
                .await
                .map_err(status_error)?;
            for receipt in &page.entries {
                print_receipt(receipt);
            }
            if page.next_page_token.is_empty() {
                println!("(end of history)");
            } else {
                println!("more: --page-token {}", page.next_page_token);
            }
            Ok(())
        }
        C::Entry {
            connection,
            signing,
            sequence,
        } => {
            let signer = load_signer(&signing.key)?;
            let mut client = connect(&connection).await?;
            let entry = client
                .entry(&signer, sequence)
                .await
                .map_err(status_error)?;
            if let Some(receipt) = &entry.receipt {
                print_receipt(receipt);
            }
            println!("stored bytes: {}", hex::encode(&entry.log_entry));
            Ok(())
        }
        C::Receipt {
            connection,
            signing,
            request_id,
        } => {
            let signer = load_signer(&signing.key)?;
            let mut client = connect(&connection).await?;
            let request_id = hex::decode(&request_id).context("--request-id: expected hex")?;
            let receipt = client
                .receipt(&signer, request_id)
                .await
                .map_err(status_error)?;
            print_receipt(&receipt);
            Ok(())
        }
    }
}

/// The SubmitRequest in the protobuf JSON mapping (bytes as base64), as grpcurl reads it.
fn submit_request_json(transaction: &pb::SignedTransaction) -> String {
    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let signatures: Vec<String> = transaction
        .signatures
        .iter()
        .map(|s| {
            format!(
                r#"{{"keyId":"{}","signature":"{}"}}"#,
                s.key_id,
                b64(&s.signature)
            )
        })
        .collect();
    format!(
        r#"{{"transaction":{{"body":"{}","signatures":[{}]}}}}"#,
        b64(&transaction.body),
        signatures.join(",")
    )
}

fn register_issuer(id: String, name: String, kind: pb::IssuerKind) -> Operation {
    Operation::RegisterIssuer(pb::RegisterIssuer {
        issuer_id: id,
        kind: kind.into(),
        name,
    })
}

fn account_name(account: Option<&pb::AccountRef>) -> String {
    match account {
        None => "?".into(),
        Some(a) => match pb::AccountKind::try_from(a.kind) {
            Ok(pb::AccountKind::BureauFund) => "bureau-fund".into(),
            Ok(pb::AccountKind::Issuer) => format!("issuer:{}", a.id),
            Ok(pb::AccountKind::Household) => format!("household:{}", a.id),
            Ok(pb::AccountKind::Shop) => format!("shop:{}", a.id),
            _ => format!("?:{}", a.id),
        },
    }
}

fn print_receipt(receipt: &pb::Receipt) {
    let kind = pb::OperationKind::try_from(receipt.kind)
        .map(|k| {
            k.as_str_name()
                .trim_start_matches("OPERATION_KIND_")
                .to_lowercase()
                .replace('_', "-")
        })
        .unwrap_or_else(|_| "unknown".into());
    println!(
        "#{} {} {} request {} signer {}",
        receipt.sequence,
        LocalTime::from_unix_ms(receipt.committed_at_unix_ms),
        kind,
        hex::encode(&receipt.request_id),
        receipt.signer_key_id
    );
    for p in &receipt.postings {
        let whose = if p.issuer_id.is_empty() {
            String::new()
        } else {
            format!(" (points of issuer {})", p.issuer_id)
        };
        println!(
            "    {} -> {}: {} points{whose}",
            account_name(p.debit.as_ref()),
            account_name(p.credit.as_ref()),
            p.points
        );
    }
    if let Some(by) = receipt.reversed_by {
        println!("    reversed by #{by}");
    }
    if let Some(target) = receipt.reverses {
        println!("    reverses #{target}");
    }
}

fn print_account(account: &pb::Account) {
    println!("account: {}", account_name(account.account.as_ref()));
    if !account.name.is_empty() {
        println!("name:    {}", account.name);
    }
    if !account.detail.is_empty() {
        println!("detail:  {}", account.detail);
    }
    println!("balance: {}", account.balance);
    if account.account.as_ref().map(|a| a.kind) == Some(pb::AccountKind::Household.into()) {
        println!("earned score: {}", account.earned_score);
        for s in &account.period_scores {
            println!("  {}: {}", s.period, s.score);
        }
    }
    for h in &account.holdings {
        println!("  points of issuer {}: {}", h.issuer_id, h.points);
    }
}
