//! Shops commands: a manager's activation codes for new terminals, a terminal activating
//! itself with one, and blocking, unblocking or retiring a terminal.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};
use clap::{Subcommand, ValueEnum};

use shanzhi::client::{
    Signer, activate_terminal_operation, activation_code_text, new_activation_code,
    parse_activation_code,
};
use shanzhi::ledger::activation_code_hash;
use shanzhi::pb::points::transaction_body::Operation;
use shanzhi::pb::shops as pb;
use shanzhi::pb::shops::shops_operation::Operation as S;

use super::Connection;
use super::write::{WriteArgs, send};

/// How long a new activation code stays valid by default: 24 hours (at most 168).
pub const DEFAULT_ACTIVATION_HOURS: u64 = 24;

/// A terminal's status, as the CLI spells it.
#[derive(Clone, Copy, ValueEnum)]
pub enum StatusArg {
    Active,
    Blocked,
    Retired,
}

/// The shops commands.
#[derive(Subcommand)]
pub enum ShopsCommand {
    /// Create a one-time activation code for a new terminal of a shop (its manager, or a
    /// bureau admin); prints the code to give to whoever installs the terminal.
    CreateActivationCode {
        #[command(flatten)]
        write: WriteArgs,
        /// The shop.
        #[arg(long)]
        shop: String,
        /// Hours the code stays valid (at most 168).
        #[arg(long, default_value_t = DEFAULT_ACTIVATION_HOURS)]
        valid_for_hours: u64,
        /// What the terminal is (e.g. "checkout 2"); no personal data.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// On a new terminal: generate its key into a key file and activate it for the shop with
    /// the code the manager gave (the transaction is signed by the new key).
    ActivateTerminal {
        #[command(flatten)]
        connection: Connection,
        /// The shop.
        #[arg(long)]
        shop: String,
        /// The activation code, e.g. MFRG-GZDF-MZTW-Q2LK-NNWG-23TP.
        #[arg(long)]
        code: String,
        /// Where to write the terminal's new key file; never overwritten.
        #[arg(long)]
        out: PathBuf,
    },
    /// Give back part or all of what remains of a sale (a terminal or the manager of its shop
    /// within the refund window, or a bureau admin): to the household that paid, to the
    /// sale's issuers in proportion.
    RefundSale {
        #[command(flatten)]
        write: WriteArgs,
        /// The sale's log sequence (its receipt's sequence).
        #[arg(long)]
        sale: u64,
        /// Points to give back.
        #[arg(long)]
        points: u64,
        /// Why; no personal data.
        #[arg(long)]
        reason: String,
    },
    /// Block, unblock or retire a terminal (its shop's manager, or a bureau admin). A blocked
    /// terminal can do nothing; a retired one never again.
    SetTerminalStatus {
        #[command(flatten)]
        write: WriteArgs,
        /// The terminal's key id (32 hex characters).
        #[arg(long)]
        terminal_key_id: String,
        /// Its new status.
        #[arg(long, value_enum)]
        status: StatusArg,
        /// Why; no personal data.
        #[arg(long)]
        reason: String,
    },
}

fn shops(operation: S) -> Operation {
    Operation::Shops(pb::ShopsOperation {
        operation: Some(operation),
    })
}

impl ShopsCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        match self {
            ShopsCommand::CreateActivationCode {
                write,
                shop,
                valid_for_hours,
                label,
            } => {
                let (signer, mut client) = write.open().await?;
                let code = new_activation_code();
                let valid_ms = valid_for_hours
                    .checked_mul(3_600_000)
                    .context("--valid-for-hours is too large")?;
                let operation = shops(S::CreateActivationCode(pb::CreateActivationCode {
                    shop_id: shop,
                    code_hash: activation_code_hash(&client.ledger_id, &code).to_vec(),
                    not_after_unix_ms: client.server_now_unix_ms().saturating_add(valid_ms),
                    label,
                }));
                write.submit_on(&mut client, &signer, operation).await?;
                if !write.emits_json() {
                    println!("activation code: {}", activation_code_text(&code));
                }
                Ok(())
            }
            ShopsCommand::ActivateTerminal {
                connection,
                shop,
                code,
                out,
            } => {
                let code = parse_activation_code(&code).map_err(|e| anyhow!("--code: {e}"))?;
                let mut client = connection.connect().await?;
                let terminal = Signer::generate();
                terminal.key_file().write_new(&out)?;
                println!("terminal key file: {}", out.display());
                println!("terminal key id:   {}", terminal.key_id());
                let body = client.body(
                    activate_terminal_operation(&shop, &code, &terminal),
                    600_000,
                );
                let signed = terminal.sign(&client.ledger_id, &body);
                send(&mut client, signed).await
            }
            ShopsCommand::RefundSale {
                write,
                sale,
                points,
                reason,
            } => {
                let (signer, mut client) = write.open().await?;
                let operation = shops(S::RefundSale(pb::RefundSale {
                    sale_sequence: sale,
                    points,
                    reason,
                }));
                write.submit_on(&mut client, &signer, operation).await
            }
            ShopsCommand::SetTerminalStatus {
                write,
                terminal_key_id,
                status,
                reason,
            } => {
                let status = match status {
                    StatusArg::Active => pb::TerminalStatus::Active,
                    StatusArg::Blocked => pb::TerminalStatus::Blocked,
                    StatusArg::Retired => pb::TerminalStatus::Retired,
                };
                let (signer, mut client) = write.open().await?;
                let operation = shops(S::SetTerminalStatus(pb::SetTerminalStatus {
                    key_id: terminal_key_id,
                    status: status.into(),
                    reason,
                }));
                write.submit_on(&mut client, &signer, operation).await
            }
        }
    }
}
