//! The log's wire format into the domain: a decoded `TransactionBody` into a [`Transaction`],
//! checking every field that does not depend on the ledger's state.

use crate::ledger::{
    AreaCode, AreaLevel, BudgetOp, Genesis, HouseholdId, IssuerId, IssuerKind, KeyId, LedgerId,
    LedgerParameters, MAX_LINE_QUANTITY, MAX_POINTS_PER_TRANSACTION, MAX_RESIDENT_KEYS,
    MAX_SALE_LINES, Operation, OrganizationId, PaymentCode, PaymentNonce, Points, PointsAction,
    PointsOp, Program, RedemptionOp, Refusal, RegistryOp, RequestId, ReversalOp, Role, RuleCode,
    SaleLine, SaleRefusal, Sequence, ShopId, Transaction, UnixMs, decode_canonical, parse_code,
    parse_memo, parse_name, parse_public_key, parse_text,
};
use crate::pb::points as pb;

pub(super) fn parse_points(points: u64) -> Result<Points, Refusal> {
    if points == 0 || points > MAX_POINTS_PER_TRANSACTION {
        return Err(Refusal::PointsOutOfRange {
            found: points,
            max: MAX_POINTS_PER_TRANSACTION,
        });
    }
    Ok(Points(points))
}

/// An area code of one level, as a scope.
fn area_of_level(scope: &str, level: AreaLevel) -> Result<AreaCode, Refusal> {
    let area = AreaCode::parse("scope", scope)?;
    if area.level() != level {
        return Err(Refusal::InvalidField {
            field: "scope",
            expected: format!("a {} area code", level.name()),
            found: format!("the {} area {area}", area.level().name()),
        });
    }
    Ok(area)
}

fn parse_role(role: i32, scope: &str) -> Result<Role, Refusal> {
    let no_scope = |role: Role| {
        if scope.is_empty() {
            Ok(role)
        } else {
            Err(Refusal::InvalidField {
                field: "scope",
                expected: "empty for bureau admin and auditor keys".into(),
                found: format!("{scope:?}"),
            })
        }
    };
    match pb::Role::try_from(role) {
        Ok(pb::Role::BureauAdmin) => no_scope(Role::BureauAdmin),
        Ok(pb::Role::Auditor) => no_scope(Role::Auditor),
        Ok(pb::Role::VillageOfficer) => Ok(Role::VillageOfficer(IssuerId::parse("scope", scope)?)),
        Ok(pb::Role::ProgramIssuer) => Ok(Role::ProgramIssuer(IssuerId::parse("scope", scope)?)),
        Ok(pb::Role::ShopTerminal) => Ok(Role::ShopTerminal(ShopId::parse("scope", scope)?)),
        Ok(pb::Role::Resident) => Ok(Role::Resident(HouseholdId::parse("scope", scope)?)),
        Ok(pb::Role::ShopManager) => Ok(Role::ShopManager(ShopId::parse("scope", scope)?)),
        Ok(pb::Role::Caseworker) => Ok(Role::Caseworker(AreaCode::parse("scope", scope)?)),
        Ok(pb::Role::Reviewer) => Ok(Role::Reviewer(AreaCode::parse("scope", scope)?)),
        Ok(pb::Role::ProgramOfficer) => {
            let (program, area) = scope.split_once('/').ok_or_else(|| Refusal::InvalidField {
                field: "scope",
                expected: "a program and an area, e.g. \"assistance/420581102\"".into(),
                found: format!("{scope:?}"),
            })?;
            Ok(Role::ProgramOfficer(
                Program::parse("scope", program)?,
                AreaCode::parse("scope", area)?,
            ))
        }
        Ok(pb::Role::ChildDirector) => Ok(Role::ChildDirector(area_of_level(
            scope,
            AreaLevel::Village,
        )?)),
        Ok(pb::Role::ChildSupervisor) => Ok(Role::ChildSupervisor(area_of_level(
            scope,
            AreaLevel::Township,
        )?)),
        Ok(pb::Role::FacilityOperator) => {
            Ok(Role::FacilityOperator(OrganizationId::from_hex(scope)?))
        }
        Ok(pb::Role::Unspecified) | Err(_) => Err(Refusal::InvalidField {
            field: "role",
            expected: "one of bureau admin, village officer, program issuer, shop terminal, \
                       resident, auditor, shop manager, caseworker, reviewer, program officer, \
                       child director, child supervisor, facility operator"
                .into(),
            found: role.to_string(),
        }),
    }
}

fn parse_points_action(
    issuer_id: &str,
    household_id: &str,
    rule_code: &str,
    points: u64,
    memo: &str,
) -> Result<PointsAction, Refusal> {
    Ok(PointsAction {
        issuer: IssuerId::parse("issuer_id", issuer_id)?,
        household: HouseholdId::parse("household_id", household_id)?,
        rule: RuleCode::parse_code(rule_code)?,
        points: parse_points(points)?,
        memo: parse_memo("memo", memo, false)?,
    })
}

/// A resident's payment code (its exact authorization bytes, decoded, and the signature).
impl TryFrom<&pb::SignedSpendAuthorization> for PaymentCode {
    type Error = Refusal;

    fn try_from(code: &pb::SignedSpendAuthorization) -> Result<Self, Refusal> {
        let authorization: pb::SpendAuthorization =
            decode_canonical("payment_code.authorization", &code.authorization)?;
        let signature = code
            .resident_signature
            .as_ref()
            .ok_or(Refusal::InvalidField {
                field: "payment_code.resident_signature",
                expected: "the resident key's signature".into(),
                found: "nothing".into(),
            })?;
        Ok(PaymentCode {
            household: HouseholdId::parse(
                "payment_code.household_id",
                &authorization.household_id,
            )?,
            max_points: parse_points(authorization.max_points)?,
            nonce: PaymentNonce::from_slice(&authorization.nonce)?,
            not_after: UnixMs(authorization.not_after_unix_ms),
            shop: match authorization.shop_id.as_str() {
                "" => None,
                shop => Some(ShopId::parse("payment_code.shop_id", shop)?),
            },
            authorization_bytes: code.authorization.clone(),
            resident_key: KeyId::from_hex(&signature.key_id)?,
            resident_signature: signature.signature.clone(),
        })
    }
}

/// A sale's lines: 1 to [`MAX_SALE_LINES`], each well-formed, totalling `points`.
fn parse_sale_lines(points: u64, lines: &[pb::SaleLine]) -> Result<Vec<SaleLine>, Refusal> {
    if lines.is_empty() || lines.len() > MAX_SALE_LINES {
        return Err(Refusal::InvalidField {
            field: "lines",
            expected: format!("1 to {MAX_SALE_LINES} sale lines"),
            found: lines.len().to_string(),
        });
    }
    let parsed = lines
        .iter()
        .map(|line| {
            if line.quantity == 0 || line.quantity > MAX_LINE_QUANTITY {
                return Err(Refusal::InvalidField {
                    field: "lines.quantity",
                    expected: format!("1 to {MAX_LINE_QUANTITY}"),
                    found: line.quantity.to_string(),
                });
            }
            Ok(SaleLine {
                item_code: parse_code("lines.item_code", &line.item_code)?,
                name: parse_text("lines.name", &line.name)?,
                quantity: line.quantity,
                unit_points: parse_points(line.unit_points)?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let total: u128 = parsed
        .iter()
        .map(|l| u128::from(l.quantity) * u128::from(l.unit_points.get()))
        .sum();
    if total != u128::from(points) {
        return Err(SaleRefusal::TotalMismatch {
            lines: total,
            points,
        }
        .into());
    }
    Ok(parsed)
}

impl TryFrom<&pb::TransactionBody> for Transaction {
    type Error = Refusal;

    /// Parses a decoded body: every field checked, nothing that depends on the state.
    fn try_from(body: &pb::TransactionBody) -> Result<Self, Refusal> {
        use pb::transaction_body::Operation as Op;
        let request_id = RequestId::from_slice(&body.request_id)?;
        let operation = match body.operation.as_ref().ok_or(Refusal::MissingOperation)? {
            Op::Genesis(g) => {
                let parameters = g.parameters.unwrap_or_default();
                if parameters.max_transaction_window_ms == 0
                    || parameters.max_spend_authorization_window_ms == 0
                {
                    return Err(Refusal::InvalidField {
                        field: "parameters",
                        expected: "non-zero windows".into(),
                        found: format!("{parameters:?}"),
                    });
                }
                Operation::Genesis(Genesis {
                    ledger_id: LedgerId::from_slice(&g.ledger_id)?,
                    admin_key: parse_public_key("admin_public_key", &g.admin_public_key)?,
                    log_key: parse_public_key("log_public_key", &g.log_public_key)?,
                    parameters: LedgerParameters {
                        max_transaction_window_ms: parameters.max_transaction_window_ms,
                        max_spend_authorization_window_ms: parameters
                            .max_spend_authorization_window_ms,
                        max_refund_window_ms: parameters.max_refund_window_ms,
                    },
                })
            }
            Op::RegisterKey(k) => Operation::Registry(RegistryOp::RegisterKey {
                public_key: parse_public_key("public_key", &k.public_key)?,
                role: parse_role(k.role, &k.scope)?,
                label: parse_memo("label", &k.label, false)?,
            }),
            Op::RevokeKey(k) => Operation::Registry(RegistryOp::RevokeKey {
                key_id: KeyId::from_hex(&k.key_id)?,
                reason: parse_memo("reason", &k.reason, true)?,
            }),
            Op::RegisterIssuer(i) => Operation::Registry(RegistryOp::RegisterIssuer {
                issuer: IssuerId::parse("issuer_id", &i.issuer_id)?,
                kind: match pb::IssuerKind::try_from(i.kind) {
                    Ok(pb::IssuerKind::Village) => IssuerKind::Village,
                    Ok(pb::IssuerKind::Program) => IssuerKind::Program,
                    _ => {
                        return Err(Refusal::InvalidField {
                            field: "kind",
                            expected: "ISSUER_KIND_VILLAGE or ISSUER_KIND_PROGRAM".into(),
                            found: i.kind.to_string(),
                        });
                    }
                },
                name: parse_name(&i.name)?,
                program: match i.program.as_str() {
                    "" => None,
                    text => Some(Program::parse("program", text)?),
                },
            }),
            Op::RegisterHousehold(h) if h.resident_public_keys.len() > MAX_RESIDENT_KEYS => {
                return Err(Refusal::TooManyResidentKeys {
                    found: h.resident_public_keys.len(),
                    max: MAX_RESIDENT_KEYS,
                });
            }
            Op::RegisterHousehold(h) => Operation::Registry(RegistryOp::RegisterHousehold {
                household: HouseholdId::parse("household_id", &h.household_id)?,
                village: IssuerId::parse("village_id", &h.village_id)?,
                resident_keys: h
                    .resident_public_keys
                    .iter()
                    .map(|k| parse_public_key("resident_public_keys", k))
                    .collect::<Result<_, _>>()?,
            }),
            Op::RegisterShop(s) => Operation::Registry(RegistryOp::RegisterShop {
                shop: ShopId::parse("shop_id", &s.shop_id)?,
                name: parse_name(&s.name)?,
            }),
            Op::AllocateBudget(a) => Operation::Budget(BudgetOp::Allocate {
                issuer: IssuerId::parse("issuer_id", &a.issuer_id)?,
                points: parse_points(a.points)?,
                memo: parse_memo("memo", &a.memo, false)?,
            }),
            Op::IssuePoints(i) => Operation::Points(PointsOp::Issue(parse_points_action(
                &i.issuer_id,
                &i.household_id,
                &i.rule_code,
                i.points,
                &i.memo,
            )?)),
            Op::DeductPoints(d) => Operation::Points(PointsOp::Deduct(parse_points_action(
                &d.issuer_id,
                &d.household_id,
                &d.rule_code,
                d.points,
                &d.memo,
            )?)),
            Op::ReverseEntry(r) => Operation::Reversal(ReversalOp::Reverse {
                sequence: Sequence(r.sequence),
                reason: parse_memo("reason", &r.reason, true)?,
            }),
            Op::Registry(r) => r.try_into()?,
            Op::Governance(g) => g.try_into()?,
            Op::Shops(s) => s.try_into()?,
            Op::Casework(c) => c.try_into()?,
            Op::Benefits(b) => b.try_into()?,
            Op::Assistance(a) => a.try_into()?,
            Op::Children(c) => c.try_into()?,
            Op::Projects(p) => p.try_into()?,
            Op::Places(p) => p.try_into()?,
            Op::Organizations(o) => o.try_into()?,
            Op::Funeral(f) => f.try_into()?,
            Op::Elderly(e) => e.try_into()?,
            Op::Rescue(r) => r.try_into()?,
            Op::Redeem(r) => Operation::Redemption(RedemptionOp::Redeem {
                shop: ShopId::parse("shop_id", &r.shop_id)?,
                household: HouseholdId::parse("household_id", &r.household_id)?,
                points: parse_points(r.points)?,
                payment_code: r
                    .payment_code
                    .as_ref()
                    .ok_or(Refusal::InvalidField {
                        field: "payment_code",
                        expected: "the resident's signed spend authorization".into(),
                        found: "nothing".into(),
                    })?
                    .try_into()
                    .map(Box::new)?,
                terminal_counter: r.terminal_counter,
                memo: parse_memo("memo", &r.memo, false)?,
                lines: parse_sale_lines(r.points, &r.lines)?,
            }),
        };
        Ok(Self {
            request_id,
            not_after: UnixMs(body.not_after_unix_ms),
            operation,
        })
    }
}
