//! The hand-written protobuf writer that encodes every body a second time, following the
//! canonical rules of the document, to cross-check prost.

use shanzhi::pb::points as pb;
use shanzhi::pb::points::transaction_body::Operation as Op;

/// A protobuf writer that follows the document's canonical rules: fields in field-number
/// order, scalars holding their default value (0, "", empty bytes) omitted, embedded messages
/// written whenever present (even when empty), each repeated element written.
pub(super) mod wire {
    pub fn varint(mut value: u64, out: &mut Vec<u8>) {
        while value >= 0x80 {
            out.push((value as u8 & 0x7f) | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }

    fn key(field: u64, wire_type: u64, out: &mut Vec<u8>) {
        varint((field << 3) | wire_type, out);
    }

    /// A uint64 or enum field; nothing when 0.
    pub fn uint(field: u64, value: u64, out: &mut Vec<u8>) {
        if value != 0 {
            key(field, 0, out);
            varint(value, out);
        }
    }

    /// A string or bytes field; nothing when empty.
    pub fn bytes(field: u64, value: &[u8], out: &mut Vec<u8>) {
        if !value.is_empty() {
            message(field, value, out);
        }
    }

    /// An embedded message (or one repeated element): always written.
    pub fn message(field: u64, value: &[u8], out: &mut Vec<u8>) {
        key(field, 2, out);
        varint(value.len() as u64, out);
        out.extend_from_slice(value);
    }
}

fn encode_signature_by_hand(s: &pb::Signature) -> Vec<u8> {
    let mut out = Vec::new();
    wire::bytes(1, s.key_id.as_bytes(), &mut out);
    wire::bytes(2, &s.signature, &mut out);
    out
}

pub(super) fn encode_authorization_by_hand(a: &pb::SpendAuthorization) -> Vec<u8> {
    let mut out = Vec::new();
    wire::bytes(1, a.household_id.as_bytes(), &mut out);
    wire::uint(2, a.max_points, &mut out);
    wire::bytes(3, &a.nonce, &mut out);
    wire::uint(4, a.not_after_unix_ms, &mut out);
    wire::bytes(5, a.shop_id.as_bytes(), &mut out);
    out
}

pub(super) fn encode_payment_code_by_hand(c: &pb::SignedSpendAuthorization) -> Vec<u8> {
    let mut out = Vec::new();
    wire::bytes(1, &c.authorization, &mut out);
    if let Some(s) = &c.resident_signature {
        wire::message(2, &encode_signature_by_hand(s), &mut out);
    }
    out
}

pub(super) fn encode_operation_by_hand(operation: &Op) -> (u64, Vec<u8>) {
    let mut m = Vec::new();
    let field = match operation {
        Op::Genesis(g) => {
            wire::bytes(1, &g.ledger_id, &mut m);
            wire::bytes(2, &g.admin_public_key, &mut m);
            wire::bytes(3, &g.log_public_key, &mut m);
            if let Some(p) = &g.parameters {
                let mut params = Vec::new();
                wire::uint(1, p.max_transaction_window_ms, &mut params);
                wire::uint(2, p.max_spend_authorization_window_ms, &mut params);
                wire::uint(3, p.max_refund_window_ms, &mut params);
                wire::message(4, &params, &mut m);
            }
            10
        }
        Op::RegisterKey(k) => {
            wire::bytes(1, &k.public_key, &mut m);
            wire::uint(2, k.role as u64, &mut m);
            wire::bytes(3, k.scope.as_bytes(), &mut m);
            wire::bytes(4, k.label.as_bytes(), &mut m);
            11
        }
        Op::RevokeKey(k) => {
            wire::bytes(1, k.key_id.as_bytes(), &mut m);
            wire::bytes(2, k.reason.as_bytes(), &mut m);
            12
        }
        Op::RegisterIssuer(i) => {
            wire::bytes(1, i.issuer_id.as_bytes(), &mut m);
            wire::uint(2, i.kind as u64, &mut m);
            wire::bytes(3, i.name.as_bytes(), &mut m);
            wire::bytes(4, i.program.as_bytes(), &mut m);
            13
        }
        Op::RegisterHousehold(h) => {
            wire::bytes(1, h.household_id.as_bytes(), &mut m);
            wire::bytes(2, h.village_id.as_bytes(), &mut m);
            for key in &h.resident_public_keys {
                wire::message(3, key, &mut m);
            }
            14
        }
        Op::RegisterShop(s) => {
            wire::bytes(1, s.shop_id.as_bytes(), &mut m);
            wire::bytes(2, s.name.as_bytes(), &mut m);
            15
        }
        Op::AllocateBudget(a) => {
            wire::bytes(1, a.issuer_id.as_bytes(), &mut m);
            wire::uint(2, a.points, &mut m);
            wire::bytes(3, a.memo.as_bytes(), &mut m);
            16
        }
        Op::IssuePoints(i) => {
            points_action_by_hand(
                &i.issuer_id,
                &i.household_id,
                &i.rule_code,
                i.points,
                &i.memo,
                &mut m,
            );
            17
        }
        Op::DeductPoints(d) => {
            points_action_by_hand(
                &d.issuer_id,
                &d.household_id,
                &d.rule_code,
                d.points,
                &d.memo,
                &mut m,
            );
            18
        }
        Op::ReverseEntry(r) => {
            wire::uint(1, r.sequence, &mut m);
            wire::bytes(2, r.reason.as_bytes(), &mut m);
            19
        }
        Op::Redeem(r) => {
            wire::bytes(1, r.shop_id.as_bytes(), &mut m);
            wire::bytes(2, r.household_id.as_bytes(), &mut m);
            wire::uint(3, r.points, &mut m);
            if let Some(code) = &r.payment_code {
                wire::message(4, &encode_payment_code_by_hand(code), &mut m);
            }
            wire::uint(5, r.terminal_counter, &mut m);
            wire::bytes(6, r.memo.as_bytes(), &mut m);
            for line in &r.lines {
                let mut l = Vec::new();
                wire::bytes(1, line.item_code.as_bytes(), &mut l);
                wire::bytes(2, line.name.as_bytes(), &mut l);
                wire::uint(3, u64::from(line.quantity), &mut l);
                wire::uint(4, line.unit_points, &mut l);
                wire::message(7, &l, &mut m);
            }
            20
        }
        Op::Registry(r) => {
            use shanzhi::pb::registry::registry_operation::Operation as R;
            let mut inner = Vec::new();
            let case = match &r.operation {
                Some(R::RegisterArea(a)) => {
                    wire::bytes(1, a.code.as_bytes(), &mut inner);
                    wire::bytes(2, a.name.as_bytes(), &mut inner);
                    1
                }
                Some(R::SetVillageArea(v)) => {
                    wire::bytes(1, v.village_id.as_bytes(), &mut inner);
                    wire::bytes(2, v.area_code.as_bytes(), &mut inner);
                    2
                }
                Some(R::RegisterMember(r)) => {
                    wire::bytes(1, r.household_id.as_bytes(), &mut inner);
                    wire::bytes(2, &r.member_id, &mut inner);
                    wire::uint(3, u64::from(r.joined_on), &mut inner);
                    3
                }
                Some(R::RegisterPerson(p)) => {
                    wire::bytes(1, &p.person_id, &mut inner);
                    wire::bytes(2, &p.id_tag, &mut inner);
                    wire::bytes(3, p.area_code.as_bytes(), &mut inner);
                    7
                }
                Some(R::RegisterOrganization(o)) => {
                    wire::bytes(1, &o.organization_id, &mut inner);
                    wire::bytes(2, &o.code_tag, &mut inner);
                    wire::bytes(3, o.area_code.as_bytes(), &mut inner);
                    8
                }
                Some(R::ReviewNearMatch(r)) => {
                    wire::bytes(1, &r.first_person_id, &mut inner);
                    wire::bytes(2, &r.second_person_id, &mut inner);
                    wire::uint(3, r.finding as u64, &mut inner);
                    9
                }
                Some(R::MemberLeft(r)) => {
                    wire::bytes(1, &r.member_id, &mut inner);
                    wire::uint(2, u64::from(r.left_on), &mut inner);
                    4
                }
                Some(R::HouseholdLeft(r)) => {
                    wire::bytes(1, r.household_id.as_bytes(), &mut inner);
                    wire::uint(2, u64::from(r.left_on), &mut inner);
                    5
                }
                Some(R::LinkMemberPerson(l)) => {
                    wire::bytes(1, &l.member_id, &mut inner);
                    wire::bytes(2, &l.person_id, &mut inner);
                    10
                }
                Some(R::SetOfficerHousehold(o)) => {
                    use shanzhi::pb::registry::set_officer_household::Household;
                    wire::bytes(1, o.key_id.as_bytes(), &mut inner);
                    match &o.household {
                        // A oneof case is written even when empty.
                        Some(Household::HouseholdId(h)) => {
                            wire::message(2, h.as_bytes(), &mut inner)
                        }
                        Some(Household::None(_)) => wire::message(3, &[], &mut inner),
                        None => {}
                    }
                    6
                }
                None => 0,
            };
            if case != 0 {
                wire::message(case, &inner, &mut m);
            }
            31
        }
        Op::Governance(g) => {
            m = super::governance::governance_by_hand(g);
            30
        }
        Op::Shops(s) => {
            m = super::shops::shops_by_hand(s);
            32
        }
        Op::Casework(c) => {
            use shanzhi::pb::casework::casework_operation::Operation as C;
            let mut inner = Vec::new();
            let case = match &c.operation {
                Some(C::OpenCase(o)) => {
                    wire::bytes(1, &o.case_id, &mut inner);
                    wire::bytes(2, o.case_type.as_bytes(), &mut inner);
                    wire::bytes(3, &o.person_id, &mut inner);
                    wire::bytes(4, o.area_code.as_bytes(), &mut inner);
                    1
                }
                Some(C::TransitionCase(t)) => {
                    wire::bytes(1, &t.case_id, &mut inner);
                    wire::bytes(2, t.to_state.as_bytes(), &mut inner);
                    wire::bytes(3, t.reason.as_bytes(), &mut inner);
                    wire::bytes(4, t.review_cadence.as_bytes(), &mut inner);
                    2
                }
                Some(C::FileObjection(f)) => {
                    wire::bytes(1, &f.case_id, &mut inner);
                    wire::bytes(2, f.ground.as_bytes(), &mut inner);
                    3
                }
                Some(C::ResolveObjection(r)) => {
                    wire::bytes(1, &r.case_id, &mut inner);
                    wire::uint(2, u64::from(r.objection), &mut inner);
                    wire::uint(3, u64::from(r.upheld), &mut inner);
                    wire::bytes(4, r.reason.as_bytes(), &mut inner);
                    4
                }
                None => 0,
            };
            if case != 0 {
                wire::message(case, &inner, &mut m);
            }
            33
        }
        Op::Benefits(b) => {
            m = super::benefits::benefits_by_hand(b);
            34
        }
        Op::Assistance(a) => {
            m = super::assistance::assistance_by_hand(a);
            35
        }
        Op::Children(c) => {
            m = super::children::children_by_hand(c);
            36
        }
        Op::Projects(p) => {
            m = super::projects::projects_by_hand(p);
            37
        }
        Op::Places(p) => {
            m = super::places::places_by_hand(p);
            38
        }
        Op::Organizations(o) => {
            m = super::organizations::organizations_by_hand(o);
            39
        }
        Op::Funeral(f) => {
            m = super::funeral::funeral_by_hand(f);
            40
        }
        Op::Elderly(e) => {
            m = super::elderly::elderly_by_hand(e);
            41
        }
        Op::Rescue(r) => {
            m = super::rescue::rescue_by_hand(r);
            42
        }
    };
    (field, m)
}

fn points_action_by_hand(
    issuer: &str,
    household: &str,
    rule: &str,
    points: u64,
    memo: &str,
    out: &mut Vec<u8>,
) {
    wire::bytes(1, issuer.as_bytes(), out);
    wire::bytes(2, household.as_bytes(), out);
    wire::bytes(3, rule.as_bytes(), out);
    wire::uint(4, points, out);
    wire::bytes(5, memo.as_bytes(), out);
}

pub(super) fn encode_body_by_hand(body: &pb::TransactionBody) -> Vec<u8> {
    let mut out = Vec::new();
    wire::bytes(1, &body.request_id, &mut out);
    wire::uint(2, body.not_after_unix_ms, &mut out);
    if let Some(operation) = &body.operation {
        let (field, message) = encode_operation_by_hand(operation);
        wire::message(field, &message, &mut out);
    }
    out
}
