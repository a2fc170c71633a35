//! The fixed inputs of every vector: the ledger id, the times, the nonce, the secret keys, and
//! the transactions of the vector ledger.

use ed25519_dalek::SigningKey;
use shanzhi::client::Signer;
use shanzhi::crypto::KeyFile;
use shanzhi::ledger::LedgerParameters;
use shanzhi::pb::points as pb;
use shanzhi::pb::points::transaction_body::Operation as Op;

use super::payment_code::PaymentCode;
use shanzhi::pb::governance as gov;
use shanzhi::pb::governance::governance_operation::Operation as Governance;
use shanzhi::pb::registry as reg;
use shanzhi::pb::registry::registry_operation::Operation as Registry;

/// The first day of the city catalogue and the village policy: 2027-01-16 (days since
/// 1970-01-01), the day after the vector ledger's entries commit.
const CATALOGUE_FROM: u32 = 20_834;

fn governance(operation: Governance) -> Op {
    Op::Governance(gov::GovernanceOperation {
        operation: Some(operation),
    })
}

fn city_resolution() -> gov::Resolution {
    gov::Resolution {
        date: CATALOGUE_FROM - 1,
        document_sha256: vec![0x5a; 32],
        title: "宜都市积分管理目录".into(),
    }
}

/// The member of hh-001 in the claims: a subject id of 16 bytes.
const MEMBER: [u8; 16] = [0x11; 16];

fn registry(operation: Registry) -> Op {
    Op::Registry(reg::RegistryOperation {
        operation: Some(operation),
    })
}

/// The volunteer program's catalogue: one award rule.
fn program_rules() -> Vec<gov::Rule> {
    vec![gov::Rule {
        code: "VOL-01".into(),
        title: "volunteers for the village".into(),
        category: "志愿服务".into(),
        sign: gov::Sign::Award.into(),
        points_per_unit: 10,
        unit: "次".into(),
        max_quantity: 2,
        evidence_required: false,
        caps: vec![shanzhi::testkit::household_cap(gov::CapPeriod::Month, 40)],
    }]
}

/// gaoba's catalogue: the city's rules, ENV-01 narrowed to 4 points per unit.
fn village_rules() -> Vec<gov::Rule> {
    let mut rules = city_rules();
    rules[0].points_per_unit = 4;
    rules
}

/// The city catalogue's two rules.
fn city_rules() -> Vec<gov::Rule> {
    vec![
        gov::Rule {
            code: "ENV-01".into(),
            title: "keeps the lane in front of the house clean".into(),
            category: "环境卫生".into(),
            sign: gov::Sign::Award.into(),
            points_per_unit: 5,
            unit: "次".into(),
            max_quantity: 3,
            evidence_required: true,
            caps: vec![shanzhi::testkit::household_cap(gov::CapPeriod::Month, 30)],
        },
        gov::Rule {
            code: "LITTER-01".into(),
            title: "litters in a public place".into(),
            category: "环境卫生".into(),
            sign: gov::Sign::Deduction.into(),
            points_per_unit: 10,
            unit: "次".into(),
            max_quantity: 1,
            evidence_required: false,
            caps: vec![],
        },
    ]
}

/// The ledger id of every vector: raw bytes a0 a1 … af.
pub(super) const LEDGER_ID: [u8; 16] = [
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
];
/// Commit time of entry 0 (2027-01-15 08:00:00 UTC); entry `n` commits at `T0 + n * 1000`.
const T0: u64 = 1_800_000_000_000;
/// Every body is valid for 10 minutes after its commit time (the CLI's default).
pub(super) const VALID_FOR_MS: u64 = 600_000;
/// When the read credentials are made: after the last entry.
pub(super) const READ_AT: u64 = T0 + 60_000;
/// The payment code's nonce: 00 01 … 0f.
pub(super) const NONCE: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/// The fixed keys: (name, 32-byte secret key filled with one byte).
pub(super) const KEYS: [(&str, u8); 6] = [
    ("bureau_admin", 0x01),
    ("log", 0x02),
    ("village_officer", 0x03),
    ("resident", 0x04),
    ("shop_terminal", 0x05),
    ("program_issuer", 0x06),
];

pub(super) fn secret(name: &str) -> [u8; 32] {
    let (_, byte) = KEYS.iter().find(|(n, _)| *n == name).expect("a fixed key");
    [*byte; 32]
}

pub(super) fn signer(name: &str) -> Signer {
    Signer::new(KeyFile::new(SigningKey::from_bytes(&secret(name))))
}

pub(super) fn request_id(sequence: u64) -> Vec<u8> {
    vec![0x10 + u8::try_from(sequence).expect("few entries"); 16]
}

pub(super) fn committed_at(sequence: u64) -> u64 {
    // Claims start the day after the catalogue and policy were adopted; the notice is
    // finalized once its 7 days have run.
    let days_later = if sequence >= FINALIZED_AT {
        8
    } else if sequence >= CLAIMS_FROM {
        1
    } else {
        0
    };
    T0 + sequence * 1000 + days_later * DAY_MS
}

const DAY_MS: u64 = 86_400_000;
/// The first entry committed on 2027-01-16, the day the catalogues and the policy start.
pub(super) const CLAIMS_FROM: u64 = 24;
/// The entry that finalizes the notice, 7 days after it opened.
pub(super) const FINALIZED_AT: u64 = 31;

/// One transaction of the vector ledger.
pub(super) struct Step {
    pub(super) name: &'static str,
    pub(super) description: &'static str,
    pub(super) signer: &'static str,
    pub(super) operation: Op,
}

fn public_key(name: &str) -> Vec<u8> {
    signer(name).public_key()
}
pub(super) fn steps(code: &PaymentCode) -> Vec<Step> {
    vec![
        Step {
            name: "genesis",
            description: "Entry 0: creates the ledger; signed by the bureau admin key it names. \
                          Every parameter is the default.",
            signer: "bureau_admin",
            operation: Op::Genesis(pb::Genesis {
                ledger_id: LEDGER_ID.to_vec(),
                admin_public_key: public_key("bureau_admin"),
                log_public_key: public_key("log"),
                parameters: Some(pb::LedgerParameters {
                    max_transaction_window_ms: LedgerParameters::DEFAULT_MAX_TRANSACTION_WINDOW_MS,
                    max_spend_authorization_window_ms:
                        LedgerParameters::DEFAULT_MAX_SPEND_AUTHORIZATION_WINDOW_MS,
                    max_refund_window_ms: LedgerParameters::DEFAULT_MAX_REFUND_WINDOW_MS,
                }),
            }),
        },
        Step {
            name: "register_village",
            description: "The bureau registers a village issuer; the name is UTF-8 (7 \
                          characters, 21 bytes).",
            signer: "bureau_admin",
            operation: Op::RegisterIssuer(pb::RegisterIssuer {
                issuer_id: "gaoba".into(),
                kind: pb::IssuerKind::Village.into(),
                name: "高坝洲镇高坝村".into(),
                program: String::new(),
            }),
        },
        Step {
            name: "register_officer_key_without_label",
            description: "The bureau registers the village officer's key. The label is empty, \
                          so the field is omitted: RegisterKey has fields 1, 2 and 3 only.",
            signer: "bureau_admin",
            operation: Op::RegisterKey(pb::RegisterKey {
                public_key: public_key("village_officer"),
                role: pb::Role::VillageOfficer.into(),
                scope: "gaoba".into(),
                label: String::new(),
            }),
        },
        Step {
            name: "register_household_with_resident_key",
            description: "The village officer registers a household with one resident key \
                          (registered with ROLE_RESIDENT, scope hh-001).",
            signer: "village_officer",
            operation: Op::RegisterHousehold(pb::RegisterHousehold {
                household_id: "hh-001".into(),
                village_id: "gaoba".into(),
                resident_public_keys: vec![public_key("resident")],
            }),
        },
        Step {
            name: "allocate_budget",
            description: "The bureau moves 1000 points of budget to the village.",
            signer: "bureau_admin",
            operation: Op::AllocateBudget(pb::AllocateBudget {
                issuer_id: "gaoba".into(),
                points: 1000,
                memo: "2026 Q4".into(),
            }),
        },
        Step {
            name: "issue_points_with_memo",
            description: "The village officer awards 30 points with a memo. The worked example \
                          of docs/clients.md.",
            signer: "village_officer",
            operation: Op::IssuePoints(pb::IssuePoints {
                issuer_id: "gaoba".into(),
                household_id: "hh-001".into(),
                rule_code: "ENV-01".into(),
                points: 30,
                memo: "cleaned the lane".into(),
            }),
        },
        Step {
            name: "deduct_points_without_memo",
            description: "The village officer deducts 5 points with no memo: the memo field \
                          (5) is omitted, not written as an empty string.",
            signer: "village_officer",
            operation: Op::DeductPoints(pb::DeductPoints {
                issuer_id: "gaoba".into(),
                household_id: "hh-001".into(),
                rule_code: "LITTER-01".into(),
                points: 5,
                memo: String::new(),
            }),
        },
        Step {
            name: "register_shop",
            description: "The bureau registers a partner shop.",
            signer: "bureau_admin",
            operation: Op::RegisterShop(pb::RegisterShop {
                shop_id: "shop-1".into(),
                name: "积分超市".into(),
            }),
        },
        Step {
            name: "register_terminal_key",
            description: "The bureau registers the shop's terminal key, with a label.",
            signer: "bureau_admin",
            operation: Op::RegisterKey(pb::RegisterKey {
                public_key: public_key("shop_terminal"),
                role: pb::Role::ShopTerminal.into(),
                scope: "shop-1".into(),
                label: "terminal 1".into(),
            }),
        },
        Step {
            name: "redeem_with_payment_code",
            description: "The terminal takes 12 points with the resident's payment code \
                          (payment_code.json), embedded as a SignedSpendAuthorization message, \
                          for two lines (1 × 10 + 2 × 1 points); memo omitted.",
            signer: "shop_terminal",
            operation: Op::Redeem(pb::Redeem {
                shop_id: "shop-1".into(),
                household_id: "hh-001".into(),
                points: 12,
                payment_code: Some(code.signed.clone()),
                terminal_counter: 1,
                memo: String::new(),
                lines: vec![
                    pb::SaleLine {
                        item_code: "RICE-5KG".into(),
                        name: "大米 5 kg".into(),
                        quantity: 1,
                        unit_points: 10,
                    },
                    pb::SaleLine {
                        item_code: "SOAP".into(),
                        name: "肥皂".into(),
                        quantity: 2,
                        unit_points: 1,
                    },
                ],
            }),
        },
        Step {
            name: "reverse_deduction",
            description: "The village officer reverses its deduction (entry 6).",
            signer: "village_officer",
            operation: Op::ReverseEntry(pb::ReverseEntry {
                sequence: 6,
                reason: "entered for the wrong household".into(),
            }),
        },
        Step {
            name: "register_city_area",
            description: "The bureau registers Yidu's area (a 6-digit city code): a registry \
                          operation, nested in TransactionBody field 31.",
            signer: "bureau_admin",
            operation: shanzhi::testkit::register_area("420581", "宜都市"),
        },
        Step {
            name: "register_township_area",
            description: "The bureau registers a township (9 digits, under the city).",
            signer: "bureau_admin",
            operation: shanzhi::testkit::register_area("420581102", "高坝洲镇"),
        },
        Step {
            name: "register_village_area",
            description: "The bureau registers a village area (12 digits, under the township).",
            signer: "bureau_admin",
            operation: shanzhi::testkit::register_area("420581102001", "高坝村"),
        },
        Step {
            name: "set_village_area",
            description: "The bureau places the village issuer gaoba in its village area.",
            signer: "bureau_admin",
            operation: shanzhi::testkit::set_village_area("gaoba", "420581102001"),
        },
        Step {
            name: "open_city_catalogue",
            description: "The bureau opens version 1 of the city's rule catalogue, in force \
                          from 2027-01-16 (day 20834), declaring 2 rules and their SHA-256 \
                          (each rule's encoding prefixed by its length as a varint): a \
                          governance operation, nested in TransactionBody field 30.",
            signer: "bureau_admin",
            operation: governance(Governance::OpenCatalogue(gov::OpenCatalogue {
                scope: Some(shanzhi::testkit::city()),
                version: 1,
                effective_from: CATALOGUE_FROM,
                effective_to: 0,
                resolution: Some(city_resolution()),
                rule_count: 2,
                rules_sha256: shanzhi::wire::rules_sha256(&city_rules()).to_vec(),
            })),
        },
        Step {
            name: "add_city_catalogue_rules",
            description: "The bureau adds both rules, in order: an award with a cap and \
                          evidence required, and a deduction.",
            signer: "bureau_admin",
            operation: shanzhi::testkit::add_rules(shanzhi::testkit::city(), 1, &city_rules()),
        },
        Step {
            name: "seal_city_catalogue",
            description: "The bureau seals version 1: every rule arrived and the hash matches.",
            signer: "bureau_admin",
            operation: shanzhi::testkit::seal_catalogue(shanzhi::testkit::city(), 1),
        },
        Step {
            name: "set_village_policy",
            description: "The village officer sets gaoba's first policy: notice 7 days, 1 \
                          reviewer, claims at most 90 days old, three star levels (a packed \
                          repeated field), lots expiring at the end of the following year (an \
                          empty message in a oneof).",
            signer: "village_officer",
            operation: shanzhi::testkit::set_policy(gov::SetVillagePolicy {
                star_thresholds: vec![100, 300, 600],
                ..shanzhi::proposals::village_policy("gaoba", 1, CATALOGUE_FROM, city_resolution())
            }),
        },
        Step {
            name: "open_village_catalogue",
            description: "The village officer opens version 1 of gaoba's own catalogue, from \
                          2027-01-16: it narrows the city's ENV-01 (4 points instead of 5) and \
                          keeps its LITTER-01 deduction as it is.",
            signer: "village_officer",
            operation: governance(Governance::OpenCatalogue(gov::OpenCatalogue {
                scope: Some(shanzhi::testkit::village("gaoba")),
                version: 1,
                effective_from: CATALOGUE_FROM,
                effective_to: 0,
                resolution: Some(city_resolution()),
                rule_count: 2,
                rules_sha256: shanzhi::wire::rules_sha256(&village_rules()).to_vec(),
            })),
        },
        Step {
            name: "add_village_catalogue_rules",
            description: "The village officer adds both rules.",
            signer: "village_officer",
            operation: shanzhi::testkit::add_rules(
                shanzhi::testkit::village("gaoba"),
                1,
                &village_rules(),
            ),
        },
        Step {
            name: "seal_village_catalogue",
            description: "The village officer seals it; the seal checks that it narrows the \
                          city's catalogue.",
            signer: "village_officer",
            operation: shanzhi::testkit::seal_catalogue(shanzhi::testkit::village("gaoba"), 1),
        },
        Step {
            name: "register_member",
            description: "The village officer registers a member of hh-001 by a pseudonymous \
                          16-byte subject id (the name stays out of the log): a registry \
                          operation.",
            signer: "village_officer",
            operation: registry(Registry::RegisterMember(reg::RegisterMember {
                household_id: "hh-001".into(),
                member_id: MEMBER.to_vec(),
                joined_on: CATALOGUE_FROM - 1,
            })),
        },
        Step {
            name: "set_officer_household",
            description: "The bureau records that the village officer belongs to none of the \
                          village's households (an empty message as a oneof case).",
            signer: "bureau_admin",
            operation: registry(Registry::SetOfficerHousehold(reg::SetOfficerHousehold {
                key_id: signer("village_officer").key_id().to_string(),
                household: Some(reg::set_officer_household::Household::None(
                    reg::NoHousehold {},
                )),
            })),
        },
        Step {
            name: "submit_claim",
            description: "The next day, the bureau claims 2 units of ENV-01 for hh-001's \
                          member, with the evidence's SHA-256; the points are the rule's.",
            signer: "bureau_admin",
            operation: governance(Governance::SubmitClaim(gov::SubmitClaim {
                claim_id: "c-001".into(),
                household_id: "hh-001".into(),
                member_id: MEMBER.to_vec(),
                rule_code: "ENV-01".into(),
                quantity: 2,
                deed_date: CATALOGUE_FROM,
                evidence_sha256: vec![0x77; 32],
                memo: "cleaned the lane".into(),
            })),
        },
        Step {
            name: "review_claim_adjust",
            description: "The village officer approves it with 3 units instead (a uint32 oneof \
                          case).",
            signer: "village_officer",
            operation: governance(Governance::ReviewClaim(gov::ReviewClaim {
                claim_id: "c-001".into(),
                decision: Some(gov::review_claim::Decision::AdjustQuantity(3)),
                reason: "three sections of the lane".into(),
            })),
        },
        Step {
            name: "submit_claim_deduction",
            description: "The bureau claims a LITTER-01 deduction from hh-001, without member, \
                          evidence or memo.",
            signer: "bureau_admin",
            operation: shanzhi::testkit::submit_claim(
                "c-002",
                "hh-001",
                "LITTER-01",
                1,
                CATALOGUE_FROM,
            ),
        },
        Step {
            name: "withdraw_claim",
            description: "The bureau withdraws it before any notice.",
            signer: "bureau_admin",
            operation: governance(Governance::WithdrawClaim(gov::WithdrawClaim {
                claim_id: "c-002".into(),
                reason: "recorded for the wrong household".into(),
            })),
        },
        Step {
            name: "open_notice",
            description: "The village officer puts c-001 on public notice for the policy's 7 \
                          days.",
            signer: "village_officer",
            operation: shanzhi::testkit::open_notice("n-1", "gaoba", &["c-001"]),
        },
        Step {
            name: "file_objection",
            description: "The resident objects to c-001 while the notice runs.",
            signer: "resident",
            operation: governance(Governance::FileObjection(gov::FileObjection {
                objection_id: "o-1".into(),
                claim_id: "c-001".into(),
                reason: "only two sections were cleaned".into(),
            })),
        },
        Step {
            name: "resolve_objection",
            description: "The village officer dismisses it.",
            signer: "village_officer",
            operation: governance(Governance::ResolveObjection(gov::ResolveObjection {
                objection_id: "o-1".into(),
                decision: Some(gov::resolve_objection::Decision::Dismissed(
                    gov::Dismissed {},
                )),
                reason: "the photo shows three".into(),
            })),
        },
        Step {
            name: "finalize_notice",
            description: "Seven days after the notice opened, the village officer finalizes \
                          it: c-001's 12 points are posted to hh-001.",
            signer: "village_officer",
            operation: shanzhi::testkit::finalize_notice("n-1"),
        },
        Step {
            name: "require_claims",
            description: "The bureau requires claims from now on (an empty message).",
            signer: "bureau_admin",
            operation: shanzhi::testkit::require_claims(),
        },
        Step {
            name: "register_program",
            description: "The bureau registers a program issuer (volunteer service).",
            signer: "bureau_admin",
            operation: Op::RegisterIssuer(pb::RegisterIssuer {
                issuer_id: "vol".into(),
                kind: pb::IssuerKind::Program.into(),
                name: "志愿服务".into(),
                program: String::new(),
            }),
        },
        Step {
            name: "register_program_key",
            description: "The bureau registers the program's issuing key.",
            signer: "bureau_admin",
            operation: Op::RegisterKey(pb::RegisterKey {
                public_key: public_key("program_issuer"),
                role: pb::Role::ProgramIssuer.into(),
                scope: "vol".into(),
                label: String::new(),
            }),
        },
        Step {
            name: "allocate_program_budget",
            description: "The bureau allocates the program a budget.",
            signer: "bureau_admin",
            operation: Op::AllocateBudget(pb::AllocateBudget {
                issuer_id: "vol".into(),
                points: 100,
                memo: String::new(),
            }),
        },
        Step {
            name: "open_program_catalogue",
            description: "The bureau opens the program's catalogue (scope program:vol), one \
                          award rule capped per household and month.",
            signer: "bureau_admin",
            operation: governance(Governance::OpenCatalogue(gov::OpenCatalogue {
                scope: Some(shanzhi::testkit::program("vol")),
                version: 1,
                effective_from: CATALOGUE_FROM + 7,
                effective_to: 0,
                resolution: Some(city_resolution()),
                rule_count: 1,
                rules_sha256: shanzhi::wire::rules_sha256(&program_rules()).to_vec(),
            })),
        },
        Step {
            name: "add_program_catalogue_rules",
            description: "The bureau adds its rule.",
            signer: "bureau_admin",
            operation: shanzhi::testkit::add_rules(
                shanzhi::testkit::program("vol"),
                1,
                &program_rules(),
            ),
        },
        Step {
            name: "seal_program_catalogue",
            description: "The bureau seals it.",
            signer: "bureau_admin",
            operation: shanzhi::testkit::seal_catalogue(shanzhi::testkit::program("vol"), 1),
        },
        Step {
            name: "award_by_rule",
            description: "The program awards hh-001 two units of VOL-01 for an activity it \
                          records, posted at once (no points in the body: the rule's).",
            signer: "program_issuer",
            operation: governance(Governance::AwardByRule(gov::AwardByRule {
                program_id: "vol".into(),
                activity_id: "act-2027-01-23".into(),
                household_id: "hh-001".into(),
                rule_code: "VOL-01".into(),
                quantity: 2,
                deed_date: CATALOGUE_FROM + 7,
                evidence_sha256: vec![0x66; 32],
                memo: "helped at the village fair".into(),
            })),
        },
        Step {
            name: "reverse_claim",
            description: "The bureau corrects the posted claim c-001 once: its 12 points go \
                          back to the village.",
            signer: "bureau_admin",
            operation: governance(Governance::ReverseClaim(gov::ReverseClaim {
                claim_id: "c-001".into(),
                reason: "the lane was cleaned by the neighbour".into(),
            })),
        },
        Step {
            name: "member_left",
            description: "The member leaves hh-001.",
            signer: "village_officer",
            operation: registry(Registry::MemberLeft(reg::MemberLeft {
                member_id: MEMBER.to_vec(),
                left_on: CATALOGUE_FROM + 7,
            })),
        },
        Step {
            name: "household_left",
            description: "hh-001 leaves the village.",
            signer: "village_officer",
            operation: registry(Registry::HouseholdLeft(reg::HouseholdLeft {
                household_id: "hh-001".into(),
                left_on: CATALOGUE_FROM + 7,
            })),
        },
    ]
}
