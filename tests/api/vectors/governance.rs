//! Governance operations (`shanzhi.governance.v1`), encoded by hand and in the proto3 JSON
//! mapping, for the vectors' cross-checks.

use shanzhi::pb::governance as pb;
use shanzhi::pb::governance::governance_operation::Operation as G;

use super::json::{Json, Obj};
use super::protobuf::wire;

fn scope_by_hand(scope: &pb::CatalogueScope) -> Vec<u8> {
    use pb::catalogue_scope::Scope;
    let mut m = Vec::new();
    match &scope.scope {
        Some(Scope::City(pb::City {})) => wire::message(1, &[], &mut m),
        Some(Scope::TownshipCode(code)) => wire::message(2, code.as_bytes(), &mut m),
        Some(Scope::VillageId(id)) => wire::message(3, id.as_bytes(), &mut m),
        Some(Scope::ProgramId(id)) => wire::message(4, id.as_bytes(), &mut m),
        None => {}
    }
    m
}

fn reference_by_hand(r: &pb::CatalogueRef) -> Vec<u8> {
    let mut m = Vec::new();
    if let Some(scope) = &r.scope {
        wire::message(1, &scope_by_hand(scope), &mut m);
    }
    wire::uint(2, u64::from(r.version), &mut m);
    m
}

fn resolution_by_hand(r: &pb::Resolution) -> Vec<u8> {
    let mut m = Vec::new();
    wire::uint(1, u64::from(r.date), &mut m);
    wire::bytes(2, &r.document_sha256, &mut m);
    wire::bytes(3, r.title.as_bytes(), &mut m);
    m
}

/// One rule, as the catalogue's `rules_sha256` frames it (without the length prefix).
pub(super) fn rule_by_hand(r: &pb::Rule) -> Vec<u8> {
    let mut m = Vec::new();
    wire::bytes(1, r.code.as_bytes(), &mut m);
    wire::bytes(2, r.title.as_bytes(), &mut m);
    wire::bytes(3, r.category.as_bytes(), &mut m);
    wire::uint(4, r.sign as u64, &mut m);
    wire::uint(5, r.points_per_unit, &mut m);
    wire::bytes(6, r.unit.as_bytes(), &mut m);
    wire::uint(7, u64::from(r.max_quantity), &mut m);
    wire::uint(8, u64::from(r.evidence_required), &mut m);
    for cap in &r.caps {
        let mut c = Vec::new();
        wire::uint(1, cap.per as u64, &mut c);
        wire::uint(2, cap.period as u64, &mut c);
        wire::uint(3, cap.max_points, &mut c);
        wire::message(9, &c, &mut m);
    }
    m
}

/// A `GovernanceOperation`'s encoding, by hand.
pub(super) fn governance_by_hand(operation: &pb::GovernanceOperation) -> Vec<u8> {
    let mut inner = Vec::new();
    let case = match &operation.operation {
        Some(G::OpenCatalogue(o)) => {
            if let Some(scope) = &o.scope {
                wire::message(1, &scope_by_hand(scope), &mut inner);
            }
            wire::uint(2, u64::from(o.version), &mut inner);
            wire::uint(3, u64::from(o.effective_from), &mut inner);
            wire::uint(4, u64::from(o.effective_to), &mut inner);
            if let Some(r) = &o.resolution {
                wire::message(5, &resolution_by_hand(r), &mut inner);
            }
            wire::uint(6, u64::from(o.rule_count), &mut inner);
            wire::bytes(7, &o.rules_sha256, &mut inner);
            1
        }
        Some(G::AddCatalogueRules(a)) => {
            if let Some(r) = &a.catalogue {
                wire::message(1, &reference_by_hand(r), &mut inner);
            }
            for rule in &a.rules {
                wire::message(2, &rule_by_hand(rule), &mut inner);
            }
            2
        }
        Some(G::SealCatalogue(s)) => {
            if let Some(r) = &s.catalogue {
                wire::message(1, &reference_by_hand(r), &mut inner);
            }
            3
        }
        Some(G::SetVillagePolicy(p)) => {
            use pb::lot_expiry::Rule as R;
            wire::bytes(1, p.village_id.as_bytes(), &mut inner);
            wire::uint(2, u64::from(p.version), &mut inner);
            wire::uint(3, u64::from(p.effective_from), &mut inner);
            if let Some(r) = &p.resolution {
                wire::message(4, &resolution_by_hand(r), &mut inner);
            }
            wire::uint(5, u64::from(p.notice_days), &mut inner);
            wire::uint(6, u64::from(p.reviewers_required), &mut inner);
            wire::uint(7, u64::from(p.max_claim_age_days), &mut inner);
            if !p.star_thresholds.is_empty() {
                // proto3 packs repeated scalars.
                let mut packed = Vec::new();
                for t in &p.star_thresholds {
                    wire::varint(*t, &mut packed);
                }
                wire::message(8, &packed, &mut inner);
            }
            if let Some(e) = &p.lot_expiry {
                let mut x = Vec::new();
                match &e.rule {
                    Some(R::EndOfFollowingYear(_)) => wire::message(1, &[], &mut x),
                    Some(R::Months(n)) => {
                        // A oneof case is written even when 0.
                        wire::varint(2 << 3, &mut x);
                        wire::varint(u64::from(*n), &mut x);
                    }
                    Some(R::Never(_)) => wire::message(3, &[], &mut x),
                    None => {}
                }
                wire::message(9, &x, &mut inner);
            }
            wire::uint(10, p.daily_redemption_limit, &mut inner);
            4
        }
        Some(G::SubmitClaim(c)) => {
            wire::bytes(1, c.claim_id.as_bytes(), &mut inner);
            wire::bytes(2, c.household_id.as_bytes(), &mut inner);
            wire::bytes(3, &c.member_id, &mut inner);
            wire::bytes(4, c.rule_code.as_bytes(), &mut inner);
            wire::uint(5, u64::from(c.quantity), &mut inner);
            wire::uint(6, u64::from(c.deed_date), &mut inner);
            wire::bytes(7, &c.evidence_sha256, &mut inner);
            wire::bytes(8, c.memo.as_bytes(), &mut inner);
            5
        }
        Some(G::ReviewClaim(r)) => {
            use pb::review_claim::Decision as D;
            wire::bytes(1, r.claim_id.as_bytes(), &mut inner);
            match &r.decision {
                Some(D::Approve(_)) => wire::message(2, &[], &mut inner),
                Some(D::Reject(_)) => wire::message(3, &[], &mut inner),
                Some(D::AdjustQuantity(q)) => {
                    wire::varint(4 << 3, &mut inner);
                    wire::varint(u64::from(*q), &mut inner);
                }
                None => {}
            }
            wire::bytes(5, r.reason.as_bytes(), &mut inner);
            6
        }
        Some(G::WithdrawClaim(w)) => {
            wire::bytes(1, w.claim_id.as_bytes(), &mut inner);
            wire::bytes(2, w.reason.as_bytes(), &mut inner);
            7
        }
        Some(G::OpenNotice(o)) => {
            wire::bytes(1, o.batch_id.as_bytes(), &mut inner);
            wire::bytes(2, o.village_id.as_bytes(), &mut inner);
            for id in &o.claim_ids {
                wire::message(3, id.as_bytes(), &mut inner);
            }
            8
        }
        Some(G::FileObjection(o)) => {
            wire::bytes(1, o.objection_id.as_bytes(), &mut inner);
            wire::bytes(2, o.claim_id.as_bytes(), &mut inner);
            wire::bytes(3, o.reason.as_bytes(), &mut inner);
            9
        }
        Some(G::ResolveObjection(r)) => {
            use pb::resolve_objection::Decision as D;
            wire::bytes(1, r.objection_id.as_bytes(), &mut inner);
            match &r.decision {
                Some(D::Upheld(_)) => wire::message(2, &[], &mut inner),
                Some(D::Dismissed(_)) => wire::message(3, &[], &mut inner),
                None => {}
            }
            wire::bytes(4, r.reason.as_bytes(), &mut inner);
            10
        }
        Some(G::FinalizeNotice(f)) => {
            wire::bytes(1, f.batch_id.as_bytes(), &mut inner);
            11
        }
        Some(G::RequireClaims(_)) => 12,
        Some(G::AwardByRule(a)) => {
            wire::bytes(1, a.program_id.as_bytes(), &mut inner);
            wire::bytes(2, a.activity_id.as_bytes(), &mut inner);
            wire::bytes(3, a.household_id.as_bytes(), &mut inner);
            wire::bytes(4, a.rule_code.as_bytes(), &mut inner);
            wire::uint(5, u64::from(a.quantity), &mut inner);
            wire::uint(6, u64::from(a.deed_date), &mut inner);
            wire::bytes(7, &a.evidence_sha256, &mut inner);
            wire::bytes(8, a.memo.as_bytes(), &mut inner);
            13
        }
        Some(G::ReverseClaim(r)) => {
            wire::bytes(1, r.claim_id.as_bytes(), &mut inner);
            wire::bytes(2, r.reason.as_bytes(), &mut inner);
            15
        }
        Some(G::ExpireLots(e)) => {
            wire::bytes(1, e.village_id.as_bytes(), &mut inner);
            wire::uint(2, u64::from(e.up_to), &mut inner);
            14
        }
        None => return Vec::new(),
    };
    let mut m = Vec::new();
    wire::message(case, &inner, &mut m);
    m
}

fn scope_json(scope: &pb::CatalogueScope) -> Obj {
    use pb::catalogue_scope::Scope;
    match &scope.scope {
        Some(Scope::City(pb::City {})) => Obj::new().put("city", Obj::new()),
        Some(Scope::TownshipCode(code)) => Obj::new().put("townshipCode", code.as_str()),
        Some(Scope::VillageId(id)) => Obj::new().put("villageId", id.as_str()),
        Some(Scope::ProgramId(id)) => Obj::new().put("programId", id.as_str()),
        None => Obj::new(),
    }
}

fn reference_json(r: &pb::CatalogueRef) -> Obj {
    let mut obj = Obj::new();
    if let Some(scope) = &r.scope {
        obj = obj.put("scope", scope_json(scope));
    }
    obj.p_u32("version", r.version)
}

fn resolution_json(r: &pb::Resolution) -> Obj {
    Obj::new()
        .p_u32("date", r.date)
        .p_bytes("documentSha256", &r.document_sha256)
        .p_str("title", &r.title)
}

fn rule_json(r: &pb::Rule) -> Json {
    let sign = pb::Sign::try_from(r.sign).map_or("", |s| s.as_str_name());
    let mut obj = Obj::new()
        .p_str("code", &r.code)
        .p_str("title", &r.title)
        .p_str("category", &r.category)
        .p_enum("sign", r.sign, sign)
        .p_u64("pointsPerUnit", r.points_per_unit)
        .p_str("unit", &r.unit)
        .p_u32("maxQuantity", r.max_quantity)
        .p_bool("evidenceRequired", r.evidence_required);
    if !r.caps.is_empty() {
        let caps = r
            .caps
            .iter()
            .map(|c| {
                let per = pb::CapHolder::try_from(c.per).map_or("", |p| p.as_str_name());
                let period = pb::CapPeriod::try_from(c.period).map_or("", |p| p.as_str_name());
                Obj::new()
                    .p_enum("per", c.per, per)
                    .p_enum("period", c.period, period)
                    .p_u64("maxPoints", c.max_points)
                    .into()
            })
            .collect::<Vec<Json>>();
        obj = obj.put("caps", caps);
    }
    obj.into()
}

/// A `GovernanceOperation` in the proto3 JSON mapping.
pub(super) fn governance_json(operation: &pb::GovernanceOperation) -> Json {
    let obj = match &operation.operation {
        Some(G::OpenCatalogue(o)) => {
            let mut inner = Obj::new();
            if let Some(scope) = &o.scope {
                inner = inner.put("scope", scope_json(scope));
            }
            inner = inner
                .p_u32("version", o.version)
                .p_u32("effectiveFrom", o.effective_from)
                .p_u32("effectiveTo", o.effective_to);
            if let Some(r) = &o.resolution {
                inner = inner.put("resolution", resolution_json(r));
            }
            inner = inner
                .p_u32("ruleCount", o.rule_count)
                .p_bytes("rulesSha256", &o.rules_sha256);
            Obj::new().put("openCatalogue", inner)
        }
        Some(G::AddCatalogueRules(a)) => {
            let mut inner = Obj::new();
            if let Some(r) = &a.catalogue {
                inner = inner.put("catalogue", reference_json(r));
            }
            if !a.rules.is_empty() {
                inner = inner.put("rules", a.rules.iter().map(rule_json).collect::<Vec<_>>());
            }
            Obj::new().put("addCatalogueRules", inner)
        }
        Some(G::SealCatalogue(s)) => {
            let mut inner = Obj::new();
            if let Some(r) = &s.catalogue {
                inner = inner.put("catalogue", reference_json(r));
            }
            Obj::new().put("sealCatalogue", inner)
        }
        Some(G::SetVillagePolicy(p)) => {
            use pb::lot_expiry::Rule as R;
            let mut inner = Obj::new()
                .p_str("villageId", &p.village_id)
                .p_u32("version", p.version)
                .p_u32("effectiveFrom", p.effective_from);
            if let Some(r) = &p.resolution {
                inner = inner.put("resolution", resolution_json(r));
            }
            inner = inner
                .p_u32("noticeDays", p.notice_days)
                .p_u32("reviewersRequired", p.reviewers_required)
                .p_u32("maxClaimAgeDays", p.max_claim_age_days);
            if !p.star_thresholds.is_empty() {
                let thresholds = p
                    .star_thresholds
                    .iter()
                    .map(|t| Json::from(t.to_string()))
                    .collect::<Vec<_>>();
                inner = inner.put("starThresholds", thresholds);
            }
            if let Some(e) = &p.lot_expiry {
                let expiry = match &e.rule {
                    Some(R::EndOfFollowingYear(_)) => {
                        Obj::new().put("endOfFollowingYear", Obj::new())
                    }
                    Some(R::Months(n)) => Obj::new().put("months", u64::from(*n)),
                    Some(R::Never(_)) => Obj::new().put("never", Obj::new()),
                    None => Obj::new(),
                };
                inner = inner.put("lotExpiry", expiry);
            }
            inner = inner.p_u64("dailyRedemptionLimit", p.daily_redemption_limit);
            Obj::new().put("setVillagePolicy", inner)
        }
        Some(G::SubmitClaim(c)) => Obj::new().put(
            "submitClaim",
            Obj::new()
                .p_str("claimId", &c.claim_id)
                .p_str("householdId", &c.household_id)
                .p_bytes("memberId", &c.member_id)
                .p_str("ruleCode", &c.rule_code)
                .p_u32("quantity", c.quantity)
                .p_u32("deedDate", c.deed_date)
                .p_bytes("evidenceSha256", &c.evidence_sha256)
                .p_str("memo", &c.memo),
        ),
        Some(G::ReviewClaim(r)) => {
            use pb::review_claim::Decision as D;
            let inner = Obj::new().p_str("claimId", &r.claim_id);
            let inner = match &r.decision {
                Some(D::Approve(_)) => inner.put("approve", Obj::new()),
                Some(D::Reject(_)) => inner.put("reject", Obj::new()),
                Some(D::AdjustQuantity(q)) => inner.put("adjustQuantity", u64::from(*q)),
                None => inner,
            };
            Obj::new().put("reviewClaim", inner.p_str("reason", &r.reason))
        }
        Some(G::WithdrawClaim(w)) => Obj::new().put(
            "withdrawClaim",
            Obj::new()
                .p_str("claimId", &w.claim_id)
                .p_str("reason", &w.reason),
        ),
        Some(G::OpenNotice(o)) => {
            let mut inner = Obj::new()
                .p_str("batchId", &o.batch_id)
                .p_str("villageId", &o.village_id);
            if !o.claim_ids.is_empty() {
                let ids: Vec<Json> = o.claim_ids.iter().map(|c| Json::from(c.as_str())).collect();
                inner = inner.put("claimIds", ids);
            }
            Obj::new().put("openNotice", inner)
        }
        Some(G::FileObjection(o)) => Obj::new().put(
            "fileObjection",
            Obj::new()
                .p_str("objectionId", &o.objection_id)
                .p_str("claimId", &o.claim_id)
                .p_str("reason", &o.reason),
        ),
        Some(G::ResolveObjection(r)) => {
            use pb::resolve_objection::Decision as D;
            let inner = Obj::new().p_str("objectionId", &r.objection_id);
            let inner = match &r.decision {
                Some(D::Upheld(_)) => inner.put("upheld", Obj::new()),
                Some(D::Dismissed(_)) => inner.put("dismissed", Obj::new()),
                None => inner,
            };
            Obj::new().put("resolveObjection", inner.p_str("reason", &r.reason))
        }
        Some(G::FinalizeNotice(f)) => {
            Obj::new().put("finalizeNotice", Obj::new().p_str("batchId", &f.batch_id))
        }
        Some(G::RequireClaims(_)) => Obj::new().put("requireClaims", Obj::new()),
        Some(G::AwardByRule(a)) => Obj::new().put(
            "awardByRule",
            Obj::new()
                .p_str("programId", &a.program_id)
                .p_str("activityId", &a.activity_id)
                .p_str("householdId", &a.household_id)
                .p_str("ruleCode", &a.rule_code)
                .p_u32("quantity", a.quantity)
                .p_u32("deedDate", a.deed_date)
                .p_bytes("evidenceSha256", &a.evidence_sha256)
                .p_str("memo", &a.memo),
        ),
        Some(G::ReverseClaim(r)) => Obj::new().put(
            "reverseClaim",
            Obj::new()
                .p_str("claimId", &r.claim_id)
                .p_str("reason", &r.reason),
        ),
        Some(G::ExpireLots(e)) => Obj::new().put(
            "expireLots",
            Obj::new()
                .p_str("villageId", &e.village_id)
                .p_u32("upTo", e.up_to),
        ),
        None => Obj::new(),
    };
    obj.into()
}
