//! The auditor's commands: verify the whole ledger, and keep and check receipts offline.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;
use prost::Message;

use shanzhi::client::ServerSource;
use shanzhi::ledger::LocalTime;
use shanzhi::ledger::parse_public_key;
use shanzhi::pb::audit as audit_pb;
use shanzhi::store::write_durably;
use shanzhi::verifier::{verify, verify_receipt};

use super::print::print_receipt;
use super::{ReadArgs, status_error};

/// The audit commands.
#[derive(Subcommand)]
pub enum AuditCommand {
    /// Verify the ledger against the log's public key: checkpoint signature, consistency with
    /// the checkpoint verified last time, every entry's hash and signature, a full replay, and
    /// every balance. Exits non-zero on any mismatch.
    Verify {
        #[command(flatten)]
        read: ReadArgs,
        /// The log's public key (64 hex characters, `log public key` in `shanzhi info`; get it
        /// from the bureau, not from the server you are checking).
        #[arg(long)]
        log_key: String,
        /// Where the last verified checkpoint is kept between runs.
        #[arg(long, default_value = "shanzhi-verify.checkpoint")]
        state: PathBuf,
    },
    /// Fetch a transaction's receipt (entry, inclusion proof, checkpoint) into a file to keep.
    SaveReceipt {
        #[command(flatten)]
        read: ReadArgs,
        /// The transaction's request id (32 hex characters).
        #[arg(long)]
        request_id: String,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a saved receipt offline with the log's public key.
    VerifyReceipt {
        /// The receipt file written by `save-receipt`.
        file: PathBuf,
        /// The log's public key (64 hex characters).
        #[arg(long)]
        log_key: String,
    },
}

fn log_key(hex_key: &str) -> Result<ed25519_dalek::VerifyingKey> {
    let bytes = hex::decode(hex_key.trim()).context("--log-key: expected 64 hex characters")?;
    Ok(parse_public_key("log_key", &bytes)?)
}

fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    write_durably(path, contents).with_context(|| format!("cannot write {}", path.display()))
}

impl AuditCommand {
    /// Runs the command.
    pub async fn run(self) -> Result<()> {
        match self {
            AuditCommand::Verify {
                read,
                log_key: key,
                state,
            } => {
                let key = log_key(&key)?;
                let previous = match std::fs::read_to_string(&state) {
                    Ok(note) => Some(note),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => return Err(e).context(format!("cannot read {}", state.display())),
                };
                let (signer, mut client) = read.open().await?;
                let mut source = ServerSource {
                    client: &mut client,
                    signer: &signer,
                };
                let report = verify(&mut source, &key, previous.as_deref()).await?;
                println!(
                    "checkpoint: {} entries, root {}, signed by the log key",
                    report.size,
                    hex::encode(report.root)
                );
                match report.consistent_with {
                    Some(size) => println!(
                        "consistency: the checkpoint of {size} entries verified last time is a \
                         prefix of this one"
                    ),
                    None => println!(
                        "consistency: no earlier checkpoint in {} (first run)",
                        state.display()
                    ),
                }
                println!(
                    "entries: {} downloaded; their Merkle root matches the checkpoint",
                    report.size
                );
                println!(
                    "signatures: {} transaction signatures and {} payment codes verified \
                     (verify_strict, keys valid at each position)",
                    report.signatures, report.payment_codes
                );
                println!(
                    "replay: every entry replayed; {} accounts equal to the server's",
                    report.accounts
                );
                write_atomically(&state, report.checkpoint_note.as_bytes())?;
                println!("OK: kept this checkpoint in {}", state.display());
                Ok(())
            }
            AuditCommand::SaveReceipt {
                read,
                request_id,
                out,
            } => {
                let (signer, mut client) = read.open().await?;
                let request_id = hex::decode(&request_id).context("--request-id: expected hex")?;
                let receipt = client
                    .transaction_receipt(&signer, request_id)
                    .await
                    .map_err(status_error)?;
                write_atomically(&out, &receipt.encode_to_vec())?;
                if let Some(points) = &receipt.receipt {
                    print_receipt(points);
                }
                println!("receipt saved to {}", out.display());
                Ok(())
            }
            AuditCommand::VerifyReceipt { file, log_key: key } => {
                let key = log_key(&key)?;
                let bytes = std::fs::read(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let receipt = audit_pb::TransactionReceipt::decode(bytes.as_slice())
                    .context("not a receipt file")?;
                let report = verify_receipt(&receipt, &key)?;
                println!(
                    "OK: entry #{} ({}) is in the log of {} entries signed by the log key",
                    report.sequence,
                    LocalTime::from_unix_ms(report.committed_at),
                    report.tree_size
                );
                println!(
                    "signed by key {}; request {}",
                    report.signer,
                    hex::encode(&report.body.request_id)
                );
                if let Some(operation) = &report.body.operation {
                    println!("operation: {operation:?}");
                }
                Ok(())
            }
        }
    }
}
