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

use super::write::{WriteArgs, send};
use super::{Connection, ReadArgs, status_error};

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
    /// Close a month that has ended (bureau admin): no posting may touch it afterwards, and
    /// its statements may be settled.
    ClosePeriod {
        #[command(flatten)]
        write: WriteArgs,
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
    },
    /// Mark an issuer's part of a shop's statement of a closed month paid (an officer of the
    /// issuer, or a bureau admin), for exactly its receivable.
    SettleStatement {
        #[command(flatten)]
        write: WriteArgs,
        /// The shop.
        #[arg(long)]
        shop: String,
        /// The closed month, YYYY-MM.
        #[arg(long)]
        month: String,
        /// The issuer paying.
        #[arg(long)]
        issuer: String,
        /// The points paid for: the statement's receivable of the issuer.
        #[arg(long)]
        points: u64,
        /// The payment's reference (e.g. the bank transfer number).
        #[arg(long)]
        reference: String,
    },
    /// Show a shop's statement of a month: per issuer, sold, refunded, receivable, settled.
    Statement {
        #[command(flatten)]
        read: ReadArgs,
        /// The shop.
        #[arg(long)]
        shop: String,
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
        /// Print CSV (UTF-8 with a byte-order mark, so spreadsheet programs read it right).
        #[arg(long)]
        csv: bool,
    },
    /// Show what moved through an issuer's points in a month (budget, issued, deducted,
    /// redeemed per shop, refunded, settled, expired) and what households hold of them now.
    IssuerReport {
        #[command(flatten)]
        read: ReadArgs,
        /// The issuer (village or program).
        #[arg(long)]
        issuer: String,
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
        /// Print CSV (UTF-8 with a byte-order mark, so spreadsheet programs read it right).
        #[arg(long)]
        csv: bool,
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

fn print_statement(statement: &pb::Statement, csv: bool) {
    if csv {
        println!("\u{feff}shop,month,issuer,sold,refunded,receivable,settled_at,payment_reference");
        for line in &statement.lines {
            println!(
                "{},{},{},{},{},{},{},{}",
                statement.shop_id,
                statement.month,
                line.issuer_id,
                line.sold,
                line.refunded,
                line.receivable,
                line.settled_at,
                csv_field(&line.payment_reference)
            );
        }
        return;
    }
    println!(
        "statement of shop {} for {} ({}): {} entries, hash {}",
        statement.shop_id,
        statement.month,
        if statement.closed { "closed" } else { "open" },
        statement.entries,
        hex::encode(&statement.entries_hash)
    );
    for line in &statement.lines {
        let settled = match line.settled_at {
            0 => "not settled".to_owned(),
            at => format!("settled by entry {at} ({})", line.payment_reference),
        };
        println!(
            "  issuer {}: sold {}, refunded {}, receivable {}; {settled}",
            line.issuer_id, line.sold, line.refunded, line.receivable
        );
    }
}

fn print_issuer_report(report: &pb::IssuerReport, csv: bool) {
    let redeemed: i64 = report.redeemed.iter().map(|r| r.points).sum();
    let figures = [
        ("budget", report.budget),
        ("issued", report.issued),
        ("deducted", report.deducted),
        ("redeemed", redeemed),
        ("refunded", report.refunded),
        ("settled", report.settled),
        ("expired", report.expired),
    ];
    if csv {
        println!("\u{feff}issuer,month,figure,shop,points");
        for (figure, points) in figures {
            println!("{},{},{figure},,{points}", report.issuer_id, report.month);
        }
        for shop in &report.redeemed {
            println!(
                "{},{},redeemed,{},{}",
                report.issuer_id, report.month, shop.shop_id, shop.points
            );
        }
        println!(
            "{},{},outstanding now,,{}",
            report.issuer_id, report.month, report.outstanding
        );
        return;
    }
    println!("report of issuer {} for {}", report.issuer_id, report.month);
    for (figure, points) in figures {
        println!("  {figure}: {points}");
    }
    for shop in &report.redeemed {
        println!("    redeemed at shop {}: {}", shop.shop_id, shop.points);
    }
    println!(
        "  outstanding now (held by households): {}",
        report.outstanding
    );
}

/// A CSV field, quoted when it holds a comma, a quote or a line break, and with a leading `'`
/// when it starts like a spreadsheet formula (`= + - @`), so opening the file runs nothing.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
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
                // Printed first: once its hash is committed (even by a resubmission after an
                // unknown outcome, or by sending the --emit-json request), only this text can
                // use it.
                let text = activation_code_text(&code);
                if write.emits_json() {
                    eprintln!("activation code: {text}");
                } else {
                    println!("activation code: {text}");
                }
                write.submit_on(&mut client, &signer, operation).await
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
            ShopsCommand::ClosePeriod { write, month } => {
                let (signer, mut client) = write.open().await?;
                let operation = shops(S::ClosePeriod(pb::ClosePeriod { month }));
                write.submit_on(&mut client, &signer, operation).await
            }
            ShopsCommand::SettleStatement {
                write,
                shop,
                month,
                issuer,
                points,
                reference,
            } => {
                let (signer, mut client) = write.open().await?;
                let operation = shops(S::SettleStatement(pb::SettleStatement {
                    shop_id: shop,
                    month,
                    issuer_id: issuer,
                    points,
                    payment_reference: reference,
                }));
                write.submit_on(&mut client, &signer, operation).await
            }
            ShopsCommand::Statement {
                read,
                shop,
                month,
                csv,
            } => {
                let (signer, mut client) = read.open().await?;
                let statement = client
                    .statement(&signer, &shop, &month)
                    .await
                    .map_err(status_error)?;
                print_statement(&statement, csv);
                Ok(())
            }
            ShopsCommand::IssuerReport {
                read,
                issuer,
                month,
                csv,
            } => {
                let (signer, mut client) = read.open().await?;
                let report = client
                    .issuer_report(&signer, &issuer, &month)
                    .await
                    .map_err(status_error)?;
                print_issuer_report(&report, csv);
                Ok(())
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

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_never_start_a_formula() {
        assert_eq!(csv_field("BANK-1"), "BANK-1");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("@x,y"), "\"'@x,y\"");
    }
}
