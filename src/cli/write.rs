//! Commands that sign and submit a transaction. Each builds one operation; they share how a
//! body is made, signed, sent (or printed for grpcurl) and its receipt shown.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use prost::Message;

use std::path::{Path, PathBuf};

use shanzhi::client::{LedgerClient, Signer};
use shanzhi::pb::points as pb;
use shanzhi::pb::points::transaction_body::Operation;
use shanzhi::pb::registry as registry_pb;
use shanzhi::pb::registry::registry_operation::Operation as RegistryOp;

use super::print::print_receipt;
use super::{Connection, Signing, status_error};

/// What every write command takes.
#[derive(Args)]
pub struct WriteArgs {
    #[command(flatten)]
    connection: Connection,
    #[command(flatten)]
    signing: Signing,
    /// How long the signed transaction stays valid, in seconds from the server's clock (as
    /// it answered when connecting).
    #[arg(long, default_value_t = 600)]
    valid_for_secs: u64,
    /// Sign, but print the SubmitRequest as JSON for `grpcurl -d @` instead of sending it.
    #[arg(long)]
    emit_json: bool,
}

/// A key role, as the CLI spells it.
#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    BureauAdmin,
    VillageOfficer,
    ProgramIssuer,
    ShopTerminal,
    Resident,
    Auditor,
    ShopManager,
    Caseworker,
    Reviewer,
    ProgramOfficer,
    ChildDirector,
    ChildSupervisor,
    FacilityOperator,
}

/// Who and what an issue or deduction is about.
#[derive(Args)]
pub struct PointsArgs {
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

/// The write commands.
#[derive(Subcommand)]
pub enum WriteCommand {
    /// Send again, byte for byte, a transaction whose outcome was unknown (saved by a failed
    /// write); it commits exactly once either way.
    Resubmit {
        #[command(flatten)]
        connection: Connection,
        /// The file the failed write named.
        #[arg(long)]
        file: PathBuf,
    },
    /// Register a public key with a role (bureau admin; village officers for resident keys).
    RegisterKey {
        #[command(flatten)]
        write: WriteArgs,
        /// The public key (64 hex characters, from `shanzhi keygen`).
        #[arg(long)]
        public_key: String,
        /// The role.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The village, program, shop or household the key acts for; for the programs' roles
        /// an area code, `PROGRAM/AREA` (program officer) or an organization id
        /// (facility operator).
        #[arg(long, default_value = "")]
        scope: String,
        /// A short description (no personal data).
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke a key.
    RevokeKey {
        #[command(flatten)]
        write: WriteArgs,
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
        write: WriteArgs,
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
        write: WriteArgs,
        /// The program id.
        #[arg(long)]
        id: String,
        /// The program's name.
        #[arg(long)]
        name: String,
        /// The bureau program it awards for (assistance, elderly-care, ...): its awards then
        /// each cite the program's record of a volunteer's activity. Leave out for another
        /// department's program, whose awards cite no record.
        #[arg(long = "for-program")]
        for_program: Option<String>,
    },
    /// Register a household in a village (bureau admin or the village's officer).
    RegisterHousehold {
        #[command(flatten)]
        write: WriteArgs,
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
        write: WriteArgs,
        /// The shop id.
        #[arg(long)]
        id: String,
        /// The shop's name.
        #[arg(long)]
        name: String,
    },
    /// Register an administrative area by its division code: 6 digits for a city, 9 for a
    /// township, 12 for a village; the parent first (bureau admin).
    RegisterArea {
        #[command(flatten)]
        write: WriteArgs,
        /// The division code, e.g. 420581101.
        #[arg(long)]
        code: String,
        /// The official name, e.g. 红花套镇.
        #[arg(long)]
        name: String,
    },
    /// Place a village issuer in its 12-digit village area, or move it to another (bureau
    /// admin).
    SetVillageArea {
        #[command(flatten)]
        write: WriteArgs,
        /// The village issuer.
        #[arg(long)]
        village: String,
        /// The village area's code.
        #[arg(long)]
        area: String,
    },
    /// Allocate budget from the bureau fund to an issuer (bureau admin).
    Allocate {
        #[command(flatten)]
        write: WriteArgs,
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
        write: WriteArgs,
        #[command(flatten)]
        action: PointsArgs,
    },
    /// Deduct points from a household (the issuer's officer).
    Deduct {
        #[command(flatten)]
        write: WriteArgs,
        #[command(flatten)]
        action: PointsArgs,
    },
    /// Reverse an entry with a compensating entry (once per entry).
    Reverse {
        #[command(flatten)]
        write: WriteArgs,
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
        write: WriteArgs,
        /// The shop.
        #[arg(long)]
        shop: String,
        /// The household paying.
        #[arg(long)]
        household: String,
        /// A line of the sale, CODE:QUANTITY:UNIT_POINTS:NAME (e.g. "RICE-5KG:1:10:大米 5 kg");
        /// repeat for each item.
        #[arg(long = "item", required = true, value_parser = parse_sale_line)]
        items: Vec<pb::SaleLine>,
        /// The total, if the terminal states it: refused unless it is the lines' sum
        /// [default: the lines' sum].
        #[arg(long)]
        points: Option<u64>,
        /// The resident's payment code, as `shanzhi payment-code` prints it (SZP1.…).
        #[arg(long)]
        payment_code: String,
        /// The terminal's counter; must increase with every sale. Default: the time in ms.
        #[arg(long)]
        counter: Option<u64>,
        /// Free text for people (e.g. a receipt number); no personal data.
        #[arg(long, default_value = "")]
        memo: String,
    },
}

/// One `--item CODE:QUANTITY:UNIT_POINTS:NAME`.
fn parse_sale_line(text: &str) -> Result<pb::SaleLine, String> {
    let mut parts = text.splitn(4, ':');
    let (Some(code), Some(quantity), Some(unit), Some(name)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!(
            "expected CODE:QUANTITY:UNIT_POINTS:NAME (e.g. RICE-5KG:1:10:大米), found {text:?}"
        ));
    };
    Ok(pb::SaleLine {
        item_code: code.to_owned(),
        name: name.to_owned(),
        quantity: quantity
            .parse()
            .map_err(|_| format!("quantity: expected a whole number, found {quantity:?}"))?,
        unit_points: unit
            .parse()
            .map_err(|_| format!("unit points: expected a whole number, found {unit:?}"))?,
    })
}

fn register_issuer(
    id: String,
    name: String,
    kind: pb::IssuerKind,
    program: Option<String>,
) -> Operation {
    Operation::RegisterIssuer(pb::RegisterIssuer {
        issuer_id: id,
        kind: kind.into(),
        name,
        program: program.unwrap_or_default(),
    })
}

fn decode_hex(flag: &str, text: &str) -> Result<Vec<u8>> {
    hex::decode(text.trim()).with_context(|| format!("--{flag}: expected hex"))
}

impl WriteCommand {
    /// Signs and submits the command's transaction, printing its receipt.
    pub async fn run(self) -> Result<()> {
        if let WriteCommand::Resubmit { connection, file } = self {
            return resubmit(&connection, &file).await;
        }
        let (write, operation) = self.into_parts()?;
        write.submit(operation).await
    }

    fn into_parts(self) -> Result<(WriteArgs, Operation)> {
        use WriteCommand as W;
        Ok(match self {
            W::Resubmit { .. } => bail!("resubmit carries no new operation"),
            W::RegisterKey {
                write,
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
                    RoleArg::ShopManager => pb::Role::ShopManager,
                    RoleArg::Caseworker => pb::Role::Caseworker,
                    RoleArg::Reviewer => pb::Role::Reviewer,
                    RoleArg::ProgramOfficer => pb::Role::ProgramOfficer,
                    RoleArg::ChildDirector => pb::Role::ChildDirector,
                    RoleArg::ChildSupervisor => pb::Role::ChildSupervisor,
                    RoleArg::FacilityOperator => pb::Role::FacilityOperator,
                };
                let operation = Operation::RegisterKey(pb::RegisterKey {
                    public_key: decode_hex("public-key", &public_key)?,
                    role: role.into(),
                    scope,
                    label,
                });
                (write, operation)
            }
            W::RevokeKey {
                write,
                key_id,
                reason,
            } => (
                write,
                Operation::RevokeKey(pb::RevokeKey { key_id, reason }),
            ),
            W::RegisterVillage { write, id, name } => (
                write,
                register_issuer(id, name, pb::IssuerKind::Village, None),
            ),
            W::RegisterProgram {
                write,
                id,
                name,
                for_program,
            } => (
                write,
                register_issuer(id, name, pb::IssuerKind::Program, for_program),
            ),
            W::RegisterHousehold {
                write,
                id,
                village,
                resident_key,
            } => {
                let resident_public_keys = resident_key
                    .iter()
                    .map(|k| decode_hex("resident-key", k))
                    .collect::<Result<_>>()?;
                let operation = Operation::RegisterHousehold(pb::RegisterHousehold {
                    household_id: id,
                    village_id: village,
                    resident_public_keys,
                });
                (write, operation)
            }
            W::RegisterShop { write, id, name } => (
                write,
                Operation::RegisterShop(pb::RegisterShop { shop_id: id, name }),
            ),
            W::RegisterArea { write, code, name } => (
                write,
                registry(RegistryOp::RegisterArea(registry_pb::RegisterArea {
                    code,
                    name,
                })),
            ),
            W::SetVillageArea {
                write,
                village,
                area,
            } => (
                write,
                registry(RegistryOp::SetVillageArea(registry_pb::SetVillageArea {
                    village_id: village,
                    area_code: area,
                })),
            ),
            W::Allocate {
                write,
                issuer,
                points,
                memo,
            } => (
                write,
                Operation::AllocateBudget(pb::AllocateBudget {
                    issuer_id: issuer,
                    points,
                    memo,
                }),
            ),
            W::Issue { write, action } => (
                write,
                Operation::IssuePoints(pb::IssuePoints {
                    issuer_id: action.issuer,
                    household_id: action.household,
                    rule_code: action.rule,
                    points: action.points,
                    memo: action.memo,
                }),
            ),
            W::Deduct { write, action } => (
                write,
                Operation::DeductPoints(pb::DeductPoints {
                    issuer_id: action.issuer,
                    household_id: action.household,
                    rule_code: action.rule,
                    points: action.points,
                    memo: action.memo,
                }),
            ),
            W::Reverse {
                write,
                sequence,
                reason,
            } => (
                write,
                Operation::ReverseEntry(pb::ReverseEntry { sequence, reason }),
            ),
            W::Redeem {
                write,
                shop,
                household,
                items,
                points,
                payment_code,
                counter,
                memo,
            } => {
                let code = shanzhi::client::parse_payment_code(&payment_code)
                    .map_err(|e| anyhow::anyhow!("--payment-code: {e}"))?;
                let sum = items
                    .iter()
                    .try_fold(0u64, |sum, line| {
                        u64::from(line.quantity)
                            .checked_mul(line.unit_points)
                            .and_then(|points| sum.checked_add(points))
                    })
                    .context("--item: the lines' total is too large")?;
                let operation = Operation::Redeem(pb::Redeem {
                    shop_id: shop,
                    household_id: household,
                    points: points.unwrap_or(sum),
                    payment_code: Some(code),
                    terminal_counter: counter.unwrap_or_else(shanzhi::writer::now_unix_ms),
                    memo,
                    lines: items,
                });
                (write, operation)
            }
        })
    }
}

impl WriteArgs {
    /// Loads the key and connects.
    pub(super) async fn open(&self) -> Result<(Signer, LedgerClient)> {
        Ok((self.signing.signer()?, self.connection.connect().await?))
    }

    /// Signs `operation`, then sends it and prints its receipt (or prints the SubmitRequest
    /// with `--emit-json`).
    pub(super) async fn submit_on(
        &self,
        client: &mut LedgerClient,
        signer: &Signer,
        operation: Operation,
    ) -> Result<()> {
        let valid_for_ms = self
            .valid_for_secs
            .checked_mul(1000)
            .context("--valid-for-secs is too large")?;
        let body = client.body(operation, valid_for_ms);
        let signed = signer.sign(&client.ledger_id, &body);
        if self.emit_json {
            println!("{}", submit_request_json(&signed));
            return Ok(());
        }
        send(client, signed).await
    }

    /// Today by the server's clock (China Standard Time), as days: the default of date flags.
    pub(super) async fn server_today(&self) -> Result<u32> {
        Ok(self.connection.connect().await?.server_today())
    }

    /// Whether transactions are printed instead of sent.
    pub(super) fn emits_json(&self) -> bool {
        self.emit_json
    }

    async fn submit(&self, operation: Operation) -> Result<()> {
        let (signer, mut client) = self.open().await?;
        self.submit_on(&mut client, &signer, operation).await
    }
}

/// Whether a failed submission may still have committed (the server may have received it).
fn outcome_unknown(code: tonic::Code) -> bool {
    use tonic::Code::*;
    matches!(
        code,
        Unavailable | Cancelled | DeadlineExceeded | Unknown | Internal | Aborted
    )
}

/// Sends a signed transaction and prints its receipt. If the outcome is unknown, saves the
/// exact signed bytes so `resubmit` can settle it exactly once.
pub(super) async fn send(client: &mut LedgerClient, signed: pb::SignedTransaction) -> Result<()> {
    let request_id = pb::TransactionBody::decode(signed.body.as_slice())
        .map(|b| hex::encode(b.request_id))
        .unwrap_or_default();
    match client.submit_signed(signed.clone()).await {
        Ok(response) => {
            let receipt = response.receipt.context("the server sent no receipt")?;
            if response.duplicate {
                println!("already committed earlier; original receipt:");
            }
            print_receipt(&receipt);
            Ok(())
        }
        Err(status) if outcome_unknown(status.code()) => {
            let path = PathBuf::from(format!("shanzhi-pending-{request_id}.tx"));
            std::fs::write(&path, hex::encode(signed.encode_to_vec()))
                .with_context(|| format!("cannot save the transaction to {}", path.display()))?;
            bail!(
                "{}\nthe transaction may or may not have committed; settle it exactly once \
                 with: shanzhi resubmit --file {}",
                status_error(status),
                path.display()
            )
        }
        Err(status) => Err(status_error(status)),
    }
}

async fn resubmit(connection: &Connection, file: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let signed = hex::decode(text.trim())
        .ok()
        .and_then(|bytes| pb::SignedTransaction::decode(bytes.as_slice()).ok())
        .with_context(|| format!("{} does not hold a saved transaction", file.display()))?;
    let mut client = connection.connect().await?;
    send(&mut client, signed).await?;
    std::fs::remove_file(file).ok();
    Ok(())
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

/// A registry operation as a transaction's operation.
fn registry(operation: RegistryOp) -> Operation {
    Operation::Registry(registry_pb::RegistryOperation {
        operation: Some(operation),
    })
}
