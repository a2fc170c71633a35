//! Commands that read: ledger facts (public), and accounts, history, entries and receipts
//! (signed read credentials, scoped by the key's role).

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use shanzhi::client;
use shanzhi::ledger::LocalTime;
use shanzhi::pb::points as pb;

use super::print::{print_account, print_receipt};
use super::{Connection, ReadArgs, status_error};

/// Names one account.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct AccountArgs {
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

/// Optionally names one account.
#[derive(Args)]
#[group(required = false, multiple = false)]
pub struct OptionalAccountArgs {
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

/// The read commands.
#[derive(Subcommand)]
pub enum ReadCommand {
    /// Show the ledger id, parameters and size (no key needed).
    Info {
        #[command(flatten)]
        connection: Connection,
    },
    /// Show an account.
    Account {
        #[command(flatten)]
        read: ReadArgs,
        #[command(flatten)]
        account: AccountArgs,
    },
    /// Show history, oldest first, one page at a time.
    History {
        #[command(flatten)]
        read: ReadArgs,
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
        read: ReadArgs,
        /// The entry's sequence.
        #[arg(long)]
        sequence: u64,
    },
    /// List the registered areas in code order, one page at a time.
    Areas {
        #[command(flatten)]
        read: ReadArgs,
        /// Only areas within this code (e.g. a township's 9 digits).
        #[arg(long, default_value = "")]
        within: String,
        /// Areas per page (1 to 500; 0 = 100).
        #[arg(long, default_value_t = 0)]
        page_size: u32,
        /// The token printed after the previous page.
        #[arg(long, default_value = "")]
        page_token: String,
    },
    /// Show the receipt of a transaction by its request id.
    Receipt {
        #[command(flatten)]
        read: ReadArgs,
        /// The request id (32 hex characters).
        #[arg(long)]
        request_id: String,
    },
}

impl ReadCommand {
    /// Runs the query and prints the answer.
    pub async fn run(self) -> Result<()> {
        match self {
            ReadCommand::Info { connection } => {
                let mut client = connection.connect().await?;
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
                    let secs = |ms: u64| ms / 1000;
                    println!(
                        "max transaction window: {} s",
                        secs(p.max_transaction_window_ms)
                    );
                    println!(
                        "max payment code window: {} s",
                        secs(p.max_spend_authorization_window_ms)
                    );
                    println!("terminal refund window: {} s", secs(p.max_refund_window_ms));
                }
                println!(
                    "server time:    {}",
                    LocalTime::from_unix_ms(info.server_time_unix_ms)
                );
            }
            ReadCommand::Account { read, account } => {
                let (signer, mut client) = read.open().await?;
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
            }
            ReadCommand::History {
                read,
                account,
                kind,
                since_ms,
                until_ms,
                page_size,
                page_token,
            } => {
                let (signer, mut client) = read.open().await?;
                let kind = match kind {
                    None => pb::OperationKind::Unspecified,
                    Some(name) => {
                        let wanted =
                            format!("OPERATION_KIND_{}", name.to_uppercase().replace('-', "_"));
                        pb::OperationKind::from_str_name(&wanted)
                            .with_context(|| format!("--kind: unknown kind {name:?}"))?
                    }
                };
                let request = pb::ListHistoryRequest {
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
                };
                let page = client
                    .history(&signer, request)
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
            }
            ReadCommand::Entry { read, sequence } => {
                let (signer, mut client) = read.open().await?;
                let entry = client
                    .entry(&signer, sequence)
                    .await
                    .map_err(status_error)?;
                if let Some(receipt) = &entry.receipt {
                    print_receipt(receipt);
                }
                println!("stored bytes: {}", hex::encode(&entry.log_entry));
            }
            ReadCommand::Areas {
                read,
                within,
                page_size,
                page_token,
            } => {
                let (signer, mut client) = read.open().await?;
                let page = client
                    .areas(
                        &signer,
                        shanzhi::pb::registry::ListAreasRequest {
                            within,
                            page_size,
                            page_token,
                        },
                    )
                    .await
                    .map_err(status_error)?;
                for area in &page.areas {
                    let village = match area.village_id.as_str() {
                        "" => String::new(),
                        village => format!("  village {village}"),
                    };
                    println!("{}  {}{village}", area.code, area.name);
                }
                if !page.next_page_token.is_empty() {
                    println!("next page: --page-token {}", page.next_page_token);
                }
            }
            ReadCommand::Receipt { read, request_id } => {
                let (signer, mut client) = read.open().await?;
                let request_id = hex::decode(&request_id).context("--request-id: expected hex")?;
                let receipt = client
                    .receipt(&signer, request_id)
                    .await
                    .map_err(status_error)?;
                print_receipt(&receipt);
            }
        }
        Ok(())
    }
}
