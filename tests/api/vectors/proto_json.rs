//! Messages in the proto3 JSON mapping.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use shanzhi::pb::points as pb;
use shanzhi::pb::points::transaction_body::Operation as Op;

use super::json::{Json, Obj};

fn signature_json(s: &pb::Signature) -> Json {
    Obj::new()
        .p_str("keyId", &s.key_id)
        .p_bytes("signature", &s.signature)
        .into()
}

pub(super) fn authorization_json(a: &pb::SpendAuthorization) -> Json {
    Obj::new()
        .p_str("householdId", &a.household_id)
        .p_u64("maxPoints", a.max_points)
        .p_bytes("nonce", &a.nonce)
        .p_u64("notAfterUnixMs", a.not_after_unix_ms)
        .p_str("shopId", &a.shop_id)
        .into()
}

pub(super) fn payment_code_json(c: &pb::SignedSpendAuthorization) -> Json {
    let mut obj = Obj::new().p_bytes("authorization", &c.authorization);
    if let Some(s) = &c.resident_signature {
        obj = obj.put("residentSignature", signature_json(s));
    }
    obj.into()
}

fn points_action_json(issuer: &str, household: &str, rule: &str, points: u64, memo: &str) -> Obj {
    Obj::new()
        .p_str("issuerId", issuer)
        .p_str("householdId", household)
        .p_str("ruleCode", rule)
        .p_u64("points", points)
        .p_str("memo", memo)
}

fn operation_json(operation: &Op) -> (&'static str, Json) {
    match operation {
        Op::Genesis(g) => {
            let mut obj = Obj::new()
                .p_bytes("ledgerId", &g.ledger_id)
                .p_bytes("adminPublicKey", &g.admin_public_key)
                .p_bytes("logPublicKey", &g.log_public_key);
            if let Some(p) = &g.parameters {
                let params = Obj::new()
                    .p_u64("maxTransactionWindowMs", p.max_transaction_window_ms)
                    .p_u64(
                        "maxSpendAuthorizationWindowMs",
                        p.max_spend_authorization_window_ms,
                    )
                    .p_u64("maxRefundWindowMs", p.max_refund_window_ms);
                obj = obj.put("parameters", params);
            }
            ("genesis", obj.into())
        }
        Op::RegisterKey(k) => {
            let role = pb::Role::try_from(k.role).map_or("", |r| r.as_str_name());
            let obj = Obj::new()
                .p_bytes("publicKey", &k.public_key)
                .p_enum("role", k.role, role)
                .p_str("scope", &k.scope)
                .p_str("label", &k.label);
            ("registerKey", obj.into())
        }
        Op::RevokeKey(k) => {
            let obj = Obj::new()
                .p_str("keyId", &k.key_id)
                .p_str("reason", &k.reason);
            ("revokeKey", obj.into())
        }
        Op::RegisterIssuer(i) => {
            let kind = pb::IssuerKind::try_from(i.kind).map_or("", |k| k.as_str_name());
            let obj = Obj::new()
                .p_str("issuerId", &i.issuer_id)
                .p_enum("kind", i.kind, kind)
                .p_str("name", &i.name)
                .p_str("program", &i.program);
            ("registerIssuer", obj.into())
        }
        Op::RegisterHousehold(h) => {
            let mut obj = Obj::new()
                .p_str("householdId", &h.household_id)
                .p_str("villageId", &h.village_id);
            if !h.resident_public_keys.is_empty() {
                let keys: Vec<Json> = h
                    .resident_public_keys
                    .iter()
                    .map(|k| BASE64.encode(k).into())
                    .collect();
                obj = obj.put("residentPublicKeys", keys);
            }
            ("registerHousehold", obj.into())
        }
        Op::RegisterShop(s) => {
            let obj = Obj::new()
                .p_str("shopId", &s.shop_id)
                .p_str("name", &s.name);
            ("registerShop", obj.into())
        }
        Op::AllocateBudget(a) => {
            let obj = Obj::new()
                .p_str("issuerId", &a.issuer_id)
                .p_u64("points", a.points)
                .p_str("memo", &a.memo);
            ("allocateBudget", obj.into())
        }
        Op::IssuePoints(i) => (
            "issuePoints",
            points_action_json(
                &i.issuer_id,
                &i.household_id,
                &i.rule_code,
                i.points,
                &i.memo,
            )
            .into(),
        ),
        Op::DeductPoints(d) => (
            "deductPoints",
            points_action_json(
                &d.issuer_id,
                &d.household_id,
                &d.rule_code,
                d.points,
                &d.memo,
            )
            .into(),
        ),
        Op::ReverseEntry(r) => {
            let obj = Obj::new()
                .p_u64("sequence", r.sequence)
                .p_str("reason", &r.reason);
            ("reverseEntry", obj.into())
        }
        Op::Redeem(r) => {
            let mut obj = Obj::new()
                .p_str("shopId", &r.shop_id)
                .p_str("householdId", &r.household_id)
                .p_u64("points", r.points);
            if let Some(code) = &r.payment_code {
                obj = obj.put("paymentCode", payment_code_json(code));
            }
            let lines: Vec<Json> = r
                .lines
                .iter()
                .map(|line| {
                    Obj::new()
                        .p_str("itemCode", &line.item_code)
                        .p_str("name", &line.name)
                        .p_u32("quantity", line.quantity)
                        .p_u64("unitPoints", line.unit_points)
                        .into()
                })
                .collect();
            let obj = obj
                .p_u64("terminalCounter", r.terminal_counter)
                .p_str("memo", &r.memo)
                .put("lines", Json::Arr(lines));
            ("redeem", obj.into())
        }
        Op::Registry(r) => {
            use shanzhi::pb::registry::registry_operation::Operation as R;
            let obj = match &r.operation {
                Some(R::RegisterArea(a)) => Obj::new().put(
                    "registerArea",
                    Obj::new().p_str("code", &a.code).p_str("name", &a.name),
                ),
                Some(R::SetVillageArea(v)) => Obj::new().put(
                    "setVillageArea",
                    Obj::new()
                        .p_str("villageId", &v.village_id)
                        .p_str("areaCode", &v.area_code),
                ),
                Some(R::RegisterMember(r)) => Obj::new().put(
                    "registerMember",
                    Obj::new()
                        .p_str("householdId", &r.household_id)
                        .p_bytes("memberId", &r.member_id)
                        .p_u32("joinedOn", r.joined_on),
                ),
                Some(R::RegisterPerson(p)) => Obj::new().put(
                    "registerPerson",
                    Obj::new()
                        .p_bytes("personId", &p.person_id)
                        .p_bytes("idTag", &p.id_tag)
                        .p_str("areaCode", &p.area_code),
                ),
                Some(R::RegisterOrganization(o)) => Obj::new().put(
                    "registerOrganization",
                    Obj::new()
                        .p_bytes("organizationId", &o.organization_id)
                        .p_bytes("codeTag", &o.code_tag)
                        .p_str("areaCode", &o.area_code),
                ),
                Some(R::ReviewNearMatch(r)) => Obj::new().put(
                    "reviewNearMatch",
                    Obj::new()
                        .p_bytes("firstPersonId", &r.first_person_id)
                        .p_bytes("secondPersonId", &r.second_person_id)
                        .p_enum(
                            "finding",
                            r.finding,
                            shanzhi::pb::registry::NearMatchFinding::try_from(r.finding)
                                .map_or("", |f| f.as_str_name()),
                        ),
                ),
                Some(R::MemberLeft(r)) => Obj::new().put(
                    "memberLeft",
                    Obj::new()
                        .p_bytes("memberId", &r.member_id)
                        .p_u32("leftOn", r.left_on),
                ),
                Some(R::HouseholdLeft(r)) => Obj::new().put(
                    "householdLeft",
                    Obj::new()
                        .p_str("householdId", &r.household_id)
                        .p_u32("leftOn", r.left_on),
                ),
                Some(R::LinkMemberPerson(l)) => Obj::new().put(
                    "linkMemberPerson",
                    Obj::new()
                        .p_bytes("memberId", &l.member_id)
                        .p_bytes("personId", &l.person_id),
                ),
                Some(R::SetOfficerHousehold(o)) => {
                    use shanzhi::pb::registry::set_officer_household::Household;
                    let inner = Obj::new().p_str("keyId", &o.key_id);
                    let inner = match &o.household {
                        Some(Household::HouseholdId(h)) => inner.put("householdId", h.as_str()),
                        Some(Household::None(_)) => inner.put("none", Obj::new()),
                        None => inner,
                    };
                    Obj::new().put("setOfficerHousehold", inner)
                }
                None => Obj::new(),
            };
            ("registry", obj.into())
        }
        Op::Governance(g) => ("governance", super::governance::governance_json(g)),
        Op::Shops(s) => ("shops", super::shops::shops_json(s)),
        Op::Casework(c) => {
            use shanzhi::pb::casework::casework_operation::Operation as C;
            let obj = match &c.operation {
                Some(C::OpenCase(o)) => Obj::new().put(
                    "openCase",
                    Obj::new()
                        .p_bytes("caseId", &o.case_id)
                        .p_str("caseType", &o.case_type)
                        .p_bytes("personId", &o.person_id)
                        .p_str("areaCode", &o.area_code),
                ),
                Some(C::TransitionCase(t)) => Obj::new().put(
                    "transitionCase",
                    Obj::new()
                        .p_bytes("caseId", &t.case_id)
                        .p_str("toState", &t.to_state)
                        .p_str("reason", &t.reason)
                        .p_str("reviewCadence", &t.review_cadence),
                ),
                Some(C::FileObjection(f)) => Obj::new().put(
                    "fileObjection",
                    Obj::new()
                        .p_bytes("caseId", &f.case_id)
                        .p_str("ground", &f.ground),
                ),
                Some(C::ResolveObjection(r)) => Obj::new().put(
                    "resolveObjection",
                    Obj::new()
                        .p_bytes("caseId", &r.case_id)
                        .p_u32("objection", r.objection)
                        .p_bool("upheld", r.upheld)
                        .p_str("reason", &r.reason),
                ),
                None => Obj::new(),
            };
            ("casework", obj.into())
        }
        Op::Benefits(b) => ("benefits", super::benefits::benefits_json(b)),
        Op::Assistance(a) => ("assistance", super::assistance::assistance_json(a)),
        Op::Children(c) => ("children", super::children::children_json(c)),
        Op::Projects(p) => ("projects", super::projects::projects_json(p)),
        Op::Places(p) => ("places", super::places::places_json(p)),
        Op::Organizations(o) => ("organizations", super::organizations::organizations_json(o)),
        Op::Funeral(f) => ("funeral", super::funeral::funeral_json(f)),
        Op::Elderly(e) => ("elderly", super::elderly::elderly_json(e)),
        Op::Rescue(r) => ("rescue", super::rescue::rescue_json(r)),
    }
}

pub(super) fn body_json(body: &pb::TransactionBody) -> Json {
    let mut obj = Obj::new()
        .p_bytes("requestId", &body.request_id)
        .p_u64("notAfterUnixMs", body.not_after_unix_ms);
    if let Some(operation) = &body.operation {
        let (name, value) = operation_json(operation);
        obj = obj.put(name, value);
    }
    obj.into()
}

pub(super) fn account_ref_json(a: &pb::AccountRef) -> Json {
    let kind = pb::AccountKind::try_from(a.kind).map_or("", |k| k.as_str_name());
    Obj::new()
        .p_enum("kind", a.kind, kind)
        .p_str("id", &a.id)
        .into()
}
