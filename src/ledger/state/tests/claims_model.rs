//! The property test of governance: random sequences of catalogue changes, claims,
//! reviews, withdrawals, notices, objections, finalizations, spends and days passing. After
//! every step: points are conserved, a refusal changed nothing, no cap is exceeded (counted
//! from the claims themselves, not the ledger's counters), no issuer has promised more
//! budget than it holds, and each household's spendable balance, arrears and earned score
//! equal a reference model that only learns of points when a notice posts them, so pending
//! points are never spendable (a spend the model cannot cover must be refused). At the end,
//! replaying the log reaches the same state and the same claims.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::prelude::*;
use crate::pb::governance as gov;

const DAY_MS: u64 = 86_400_000;
const HOUSEHOLDS: [&str; 3] = ["h1", "h2", "h3"];
/// (code, cap per household per month)
const RULES: [(&str, Option<u64>); 3] = [
    ("ENV-01", Some(20)),
    ("HELP-01", Some(60)),
    ("LITTER-01", None),
];

#[derive(Clone, Debug)]
enum Step {
    Submit {
        household: usize,
        rule: usize,
        quantity: u32,
        days_back: u32,
    },
    Review {
        claim: usize,
        reviewer: usize,
        decision: u8,
        quantity: u32,
    },
    Withdraw {
        claim: usize,
    },
    /// Puts claims on notice: the first `take` approved ones, or (`random`) arbitrary ones.
    Notice {
        take: usize,
        random: Vec<usize>,
    },
    Object {
        claim: usize,
        resident: usize,
    },
    Resolve {
        objection: usize,
        resolver: usize,
        upheld: bool,
    },
    Finalize {
        notice: usize,
    },
    Spend {
        household: usize,
        points: u64,
    },
    NewCatalogue {
        points: u64,
    },
    Wait {
        days: u64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..3usize, 0..3usize, 0..4u32, 0..4u32).prop_map(|(household, rule, quantity, days_back)| {
            Step::Submit { household, rule, quantity, days_back }
        }),
        6 => (
            0..40usize,
            prop_oneof![4 => Just(0usize), 1 => Just(1), 1 => Just(2)],
            prop_oneof![6 => Just(0u8), 1 => Just(1), 2 => Just(2)],
            0..4u32
        )
            .prop_map(|(claim, reviewer, decision, quantity)| Step::Review {
                claim,
                reviewer,
                decision,
                quantity
            }),
        1 => (0..40usize).prop_map(|claim| Step::Withdraw { claim }),
        3 => (1..4usize, proptest::collection::vec(0..40usize, 0..2))
            .prop_map(|(take, random)| Step::Notice { take, random }),
        1 => (0..40usize, 0..3usize).prop_map(|(claim, resident)| Step::Object { claim, resident }),
        2 => (0..20usize, 0..3usize, any::<bool>()).prop_map(|(objection, resolver, upheld)| {
            Step::Resolve { objection, resolver, upheld }
        }),
        3 => (0..10usize).prop_map(|notice| Step::Finalize { notice }),
        2 => (0..3usize, 1..40u64).prop_map(|(household, points)| Step::Spend { household, points }),
        1 => (1..6u64).prop_map(|points| Step::NewCatalogue { points }),
        2 => (0..9u64).prop_map(|days| Step::Wait { days }),
    ]
}

/// What the reference model holds of a household.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Held {
    balance: u64,
    arrears: u64,
    score: i64,
}

struct Harness {
    ledger: Ledger,
    proposer: Signer,
    /// Reviewers: of no household, of h2, and the proposer (who may never review).
    reviewers: Vec<Signer>,
    residents: Vec<Signer>,
    terminal: Signer,
    claims: Vec<String>,
    notices: Vec<String>,
    objections: Vec<String>,
    catalogue_version: u32,
    model: BTreeMap<&'static str, Held>,
    budget: u64,
    counter: u64,
}

fn rules(env_points: u64) -> Vec<gov::Rule> {
    let mut env = award_rule("ENV-01", env_points, 3);
    env.caps = vec![household_cap(gov::CapPeriod::Month, 20)];
    let mut help = award_rule("HELP-01", 30, 1);
    help.caps = vec![household_cap(gov::CapPeriod::Month, 60)];
    vec![env, help, deduction_rule("LITTER-01", 10, 2)]
}

impl Harness {
    fn new() -> Self {
        let mut ledger = Ledger::new();
        let budget = 400;
        let proposer = ledger.issuer("v1", pb::IssuerKind::Village, budget);
        let mut reviewers = Vec::new();
        for _ in 0..2 {
            let reviewer = Signer::generate();
            ledger.admin_does(register_key(&reviewer, pb::Role::VillageOfficer, "v1"));
            reviewers.push(reviewer);
        }
        reviewers.push(proposer.clone());
        let mut residents = Vec::new();
        for household in HOUSEHOLDS {
            let resident = Signer::generate();
            ledger.admin_does(register_household(household, "v1", &[&resident]));
            residents.push(resident);
        }
        ledger.admin_does(set_officer_household(&proposer, Some("h1")));
        ledger.admin_does(set_officer_household(&reviewers[0], None));
        ledger.admin_does(set_officer_household(&reviewers[1], Some("h2")));
        let terminal = ledger.shop("s1");
        let today = ledger.today();
        ledger.admin_does(set_policy(default_policy("v1", 1, today)));
        if let Err(refusal) = ledger.adopt(&proposer, village("v1"), 1, today, &rules(5)) {
            panic!("the model's catalogue was refused: {refusal}");
        }
        // Deeds of the last days are claimable.
        ledger.now += 10 * DAY_MS;
        Self {
            ledger,
            proposer,
            reviewers,
            residents,
            terminal,
            claims: Vec::new(),
            notices: Vec::new(),
            objections: Vec::new(),
            catalogue_version: 1,
            model: HOUSEHOLDS.iter().map(|h| (*h, Held::default())).collect(),
            budget,
            counter: 0,
        }
    }

    fn pick(list: &[String], index: usize) -> String {
        list.get(index % list.len().max(1))
            .cloned()
            .unwrap_or_else(|| "none".into())
    }

    fn run(&mut self, step: &Step) -> Result<(), TestCaseError> {
        let before = self.ledger.snapshot();
        let today = self.ledger.today();
        let result = match step.clone() {
            Step::Wait { days } => {
                self.ledger.now += days * DAY_MS;
                return Ok(());
            }
            Step::Submit {
                household,
                rule,
                quantity,
                days_back,
            } => {
                let id = format!("c{}", self.claims.len());
                let deed = today.saturating_sub(days_back);
                let op = submit_claim(&id, HOUSEHOLDS[household], RULES[rule].0, quantity, deed);
                let result = self.apply_as(&self.proposer.clone(), op);
                if result.is_ok() {
                    self.claims.push(id);
                }
                result
            }
            Step::Review {
                claim,
                reviewer,
                decision,
                quantity,
            } => {
                let claim = Self::pick(&self.claims, claim);
                let op = match decision {
                    0 => approve(&claim),
                    1 => reject(&claim),
                    _ => adjust(&claim, quantity),
                };
                self.apply_as(&self.reviewers[reviewer].clone(), op)
            }
            Step::Withdraw { claim } => {
                let claim = Self::pick(&self.claims, claim);
                self.apply_as(&self.proposer.clone(), withdraw(&claim))
            }
            Step::Notice { take, random } => {
                let id = format!("n{}", self.notices.len());
                let mut picked: Vec<String> = if random.is_empty() {
                    self.claims
                        .iter()
                        .filter(|c| {
                            let id = ClaimId::parse("c", c).unwrap();
                            self.ledger.state.claim(&id).map(|c| c.status.clone())
                                == Ok(ClaimStatus::Approved)
                        })
                        .take(take)
                        .cloned()
                        .collect()
                } else {
                    random
                        .iter()
                        .map(|c| Self::pick(&self.claims, *c))
                        .collect()
                };
                picked.dedup();
                let names: Vec<&str> = picked.iter().map(String::as_str).collect();
                let result = self.apply_as(&self.proposer.clone(), open_notice(&id, "v1", &names));
                if result.is_ok() {
                    self.notices.push(id);
                }
                result
            }
            Step::Object { claim, resident } => {
                let id = format!("o{}", self.objections.len());
                let claim = Self::pick(&self.claims, claim);
                let result = self.apply_as(
                    &self.residents[resident].clone(),
                    file_objection(&id, &claim),
                );
                if result.is_ok() {
                    self.objections.push(id);
                }
                result
            }
            Step::Resolve {
                objection,
                resolver,
                upheld,
            } => {
                let objection = Self::pick(&self.objections, objection);
                self.apply_as(
                    &self.reviewers[resolver].clone(),
                    resolve_objection(&objection, upheld),
                )
            }
            Step::Finalize { notice } => {
                let notice = Self::pick(&self.notices, notice);
                let result = self.apply_as(&self.proposer.clone(), finalize_notice(&notice));
                if let Ok(entry) = &result {
                    self.post(&notice, entry.sequence);
                }
                result
            }
            Step::Spend { household, points } => {
                let name = HOUSEHOLDS[household];
                let resident = self.residents[household].clone();
                let code = self.ledger.payment_code(&resident, name, points);
                self.counter += 1;
                let terminal = self.terminal.clone();
                let result =
                    self.apply_as(&terminal, redeem("s1", name, points, code, self.counter));
                let held = self.model.entry(name).or_default();
                // Only posted points are spendable: the model knows no other.
                prop_assert_eq!(
                    result.is_ok(),
                    points <= held.balance,
                    "spend {} of {:?}",
                    points,
                    held
                );
                if result.is_ok() {
                    held.balance -= points;
                }
                result
            }
            Step::NewCatalogue { points } => {
                let version = self.catalogue_version + 1;
                let result = self.ledger.adopt(
                    &self.proposer.clone(),
                    village("v1"),
                    version,
                    today + 1,
                    &rules(points),
                );
                // Whatever happened, the version number is used (an open draft is abandoned).
                self.catalogue_version = version;
                result
            }
        };
        if result.is_err() {
            // Steps of several entries (a catalogue) may have applied their first entries.
            if !matches!(step, Step::NewCatalogue { .. }) {
                prop_assert_eq!(
                    self.ledger.snapshot(),
                    before,
                    "a refusal changed nothing: {:?}",
                    step
                );
            }
        }
        self.check()
    }

    fn apply_as(&mut self, signer: &Signer, op: Op) -> Result<EntryRecord, Refusal> {
        self.ledger.apply(signer, op)
    }

    /// The model learns of a posting: each claim of the batch posted by `at`, in order.
    fn post(&mut self, notice: &str, at: Sequence) {
        let Ok(view) = self
            .ledger
            .state
            .notice(&NoticeId::parse("n", notice).unwrap())
        else {
            return;
        };
        for claim in view
            .claims
            .iter()
            .filter(|c| c.status == ClaimStatus::Posted(at))
        {
            let held = self
                .model
                .entry(
                    HOUSEHOLDS
                        .iter()
                        .find(|h| **h == claim.household.as_str())
                        .copied()
                        .unwrap_or("h1"),
                )
                .or_default();
            let points = claim.points.get();
            match claim.rule.sign {
                Sign::Award => {
                    let paid = held.arrears.min(points);
                    held.arrears -= paid;
                    held.balance += points - paid;
                    held.score += points as i64;
                    self.budget -= points - paid;
                }
                Sign::Deduction => {
                    let taken = held.balance.min(points);
                    held.balance -= taken;
                    held.arrears += points - taken;
                    held.score -= points as i64;
                    self.budget += taken;
                }
            }
        }
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let state = &self.ledger.state;
        prop_assert_eq!(state.total_balance(), 0, "points are conserved");
        // Caps, counted from the claims: approved, pending and posted.
        let village = IssuerId::parse("v", "v1").unwrap();
        let page = state.claims_page(&village, None, None, None, 10_000);
        let mut counted: BTreeMap<(String, String, (i64, u8)), u64> = BTreeMap::new();
        let mut reserved = 0u64;
        for claim in &page.claims {
            let counts = matches!(
                claim.status,
                ClaimStatus::Approved | ClaimStatus::InNotice(_) | ClaimStatus::Posted(_)
            );
            if !counts {
                continue;
            }
            let (year, month, _) = claim.deed_date.ymd();
            *counted
                .entry((
                    claim.household.to_string(),
                    claim.rule.code.to_string(),
                    (year, month),
                ))
                .or_default() += claim.points.get();
            if claim.rule.sign == Sign::Award && !matches!(claim.status, ClaimStatus::Posted(_)) {
                reserved += claim.points.get();
            }
        }
        for ((household, rule, period), points) in &counted {
            if let Some((_, Some(cap))) = RULES.iter().find(|(code, _)| code == rule) {
                prop_assert!(
                    points <= cap,
                    "{} {} {:?}: {} counted, cap {}",
                    household,
                    rule,
                    period,
                    points,
                    cap
                );
            }
        }
        let budget = state
            .account(&AccountId::Issuer(village.clone()))
            .unwrap()
            .balance();
        prop_assert_eq!(
            budget,
            i64::try_from(self.budget).unwrap(),
            "the village's budget"
        );
        prop_assert!(
            reserved <= self.budget,
            "reserved {} of a budget of {}",
            reserved,
            self.budget
        );
        for (household, held) in &self.model {
            let account = AccountId::Household(HouseholdId::parse("h", household).unwrap());
            let AccountView::Household {
                balance,
                arrears,
                earned_score,
                ..
            } = state.account(&account).unwrap()
            else {
                return Err(TestCaseError::fail("a household's view"));
            };
            prop_assert_eq!(
                (balance.get(), arrears.get(), earned_score),
                (held.balance, held.arrears, held.score),
                "{}",
                household
            );
        }
        Ok(())
    }
}

proptest! {
    // 64 cases in CI; PROPTEST_CASES=N for a longer run by hand.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64)
    ))]

    #[test]
    fn random_governance_keeps_caps_budgets_pending_points_and_the_model(
        steps in proptest::collection::vec(step(), 1..120)
    ) {
        let mut harness = Harness::new();
        for step in &steps {
            harness.run(step)?;
        }
        let replayed = harness
            .ledger
            .replay()
            .map_err(|e| TestCaseError::fail(format!("replay refused: {e}")))?;
        for claim in &harness.claims {
            let id = ClaimId::parse("c", claim).unwrap();
            prop_assert_eq!(replayed.claim(&id).ok(), harness.ledger.state.claim(&id).ok());
        }
        let live = harness.ledger.snapshot();
        harness.ledger.state = replayed;
        prop_assert_eq!(harness.ledger.snapshot(), live, "replay equals live state");
    }
}
