//! Model-based property tests: random sequences of operations against a simple reference
//! model of who may do what and how balances move. After every step: points are
//! conserved, no balance is negative, balances equal the sum of the postings reported,
//! a refusal changed nothing, and a retried transaction returns its original entry.
//! At the end, replaying the log reaches the same state.

use proptest::prelude::*;

use super::prelude::*;

const ISSUERS: [&str; 3] = ["v1", "v2", "p"];
/// (household, village)
const HOUSEHOLDS: [(&str, &str); 3] = [("h1", "v1"), ("h2", "v1"), ("h3", "v2")];
const SHOPS: [&str; 2] = ["s1", "s2"];

#[derive(Clone, Debug)]
enum Step {
    Allocate {
        issuer: usize,
        points: u64,
    },
    Issue {
        officer: usize,
        issuer: usize,
        household: usize,
        points: u64,
    },
    Deduct {
        officer: usize,
        issuer: usize,
        household: usize,
        points: u64,
    },
    Redeem {
        terminal: usize,
        shop: usize,
        household: usize,
        resident: usize,
        points: u64,
        max: u64,
    },
    Reverse {
        target: usize,
    },
    Retry {
        target: usize,
    },
    Wait {
        ms: u64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..3usize, 0..300u64).prop_map(|(issuer, points)| Step::Allocate { issuer, points }),
        (0..3usize, 0..3usize, 0..3usize, 0..60u64).prop_map(
            |(officer, issuer, household, points)| {
                Step::Issue {
                    officer,
                    issuer,
                    household,
                    points,
                }
            }
        ),
        (0..3usize, 0..3usize, 0..3usize, 0..40u64).prop_map(
            |(officer, issuer, household, points)| {
                Step::Deduct {
                    officer,
                    issuer,
                    household,
                    points,
                }
            }
        ),
        (
            0..2usize,
            0..2usize,
            0..3usize,
            0..3usize,
            0..40u64,
            0..40u64
        )
            .prop_map(|(terminal, shop, household, resident, points, max)| {
                Step::Redeem {
                    terminal,
                    shop,
                    household,
                    resident,
                    points,
                    max,
                }
            }),
        (0..1000usize).prop_map(|target| Step::Reverse { target }),
        (0..1000usize).prop_map(|target| Step::Retry { target }),
        (0..5_000u64).prop_map(|ms| Step::Wait { ms }),
    ]
}

struct Harness {
    ledger: Ledger,
    officers: Vec<Signer>,
    terminals: Vec<Signer>,
    residents: Vec<Signer>,
    /// Balances as the reported postings say they should be.
    model: BTreeMap<AccountId, i128>,
    counter: u64,
}

fn issuer_id(i: usize) -> AccountId {
    AccountId::Issuer(IssuerId::parse("id", ISSUERS[i]).unwrap())
}

impl Harness {
    fn new() -> Self {
        let mut ledger = Ledger::new();
        let officers = vec![
            ledger.issuer("v1", pb::IssuerKind::Village, 0),
            ledger.issuer("v2", pb::IssuerKind::Village, 0),
            ledger.issuer("p", pb::IssuerKind::Program, 0),
        ];
        let mut residents = Vec::new();
        for (household, village) in HOUSEHOLDS {
            let resident = Signer::generate();
            ledger.admin_does(Op::RegisterHousehold(pb::RegisterHousehold {
                household_id: household.into(),
                village_id: village.into(),
                resident_public_keys: vec![resident.public_key()],
            }));
            residents.push(resident);
        }
        let mut terminals = Vec::new();
        for shop in SHOPS {
            ledger.admin_does(Op::RegisterShop(pb::RegisterShop {
                shop_id: shop.into(),
                name: shop.into(),
            }));
            let terminal = Signer::generate();
            ledger.admin_does(Op::RegisterKey(pb::RegisterKey {
                public_key: terminal.public_key(),
                role: pb::Role::ShopTerminal.into(),
                scope: shop.into(),
                label: String::new(),
            }));
            terminals.push(terminal);
        }
        let model = ledger
            .state
            .accounts()
            .into_iter()
            .map(|a| {
                let balance = i128::from(ledger.state.account(&a).unwrap().balance());
                (a, balance)
            })
            .collect();
        Self {
            ledger,
            officers,
            terminals,
            residents,
            model,
            counter: 0,
        }
    }

    fn balance(&self, account: &AccountId) -> i128 {
        self.model.get(account).copied().unwrap_or(0)
    }

    /// The model's verdict on an issue or deduction by `officer` for `issuer` and a
    /// household, where `paying` must hold the points: an officer acts only for its own
    /// issuer, a village only for its own households.
    fn expect_points(
        &self,
        officer: usize,
        issuer: usize,
        household: usize,
        points: u64,
        paying: AccountId,
    ) -> Option<RefusalClass> {
        let village = HOUSEHOLDS[household].1;
        let authorized =
            officer == issuer && (ISSUERS[issuer] == "p" || ISSUERS[issuer] == village);
        if points == 0 {
            Some(RefusalClass::InvalidArgument)
        } else if !authorized {
            Some(RefusalClass::PermissionDenied)
        } else if self.balance(&paying) < i128::from(points) {
            Some(RefusalClass::FailedPrecondition)
        } else {
            None
        }
    }

    /// What the model expects: `None` for accepted, or the refusal class.
    fn run(&mut self, step: &Step) -> Result<(), TestCaseError> {
        let before = self.ledger.snapshot();
        let (result, expected) = match step.clone() {
            Step::Wait { ms } => {
                self.ledger.now += ms;
                return Ok(());
            }
            Step::Allocate { issuer, points } => {
                let expected = (points == 0).then_some(RefusalClass::InvalidArgument);
                let admin = self.ledger.admin_signer();
                let op = Op::AllocateBudget(pb::AllocateBudget {
                    issuer_id: ISSUERS[issuer].into(),
                    points,
                    memo: String::new(),
                });
                (self.ledger.apply(&admin, op), Some(expected))
            }
            Step::Issue {
                officer,
                issuer,
                household,
                points,
            } => {
                // Issuing is paid from the issuer's budget.
                let expected =
                    self.expect_points(officer, issuer, household, points, issuer_id(issuer));
                let signer = self.officers[officer].clone();
                let op = issue(ISSUERS[issuer], HOUSEHOLDS[household].0, points);
                (self.ledger.apply(&signer, op), Some(expected))
            }
            Step::Deduct {
                officer,
                issuer,
                household,
                points,
            } => {
                // A deduction is paid from the household's balance.
                let h = HOUSEHOLDS[household].0;
                let account = AccountId::Household(HouseholdId::parse("id", h).unwrap());
                let expected = self.expect_points(officer, issuer, household, points, account);
                let signer = self.officers[officer].clone();
                let op = deduct(ISSUERS[issuer], h, points);
                (self.ledger.apply(&signer, op), Some(expected))
            }
            Step::Redeem {
                terminal,
                shop,
                household,
                resident,
                points,
                max,
            } => {
                let h = HOUSEHOLDS[household].0;
                let account = AccountId::Household(HouseholdId::parse("id", h).unwrap());
                let expected = if points == 0 || max == 0 {
                    Some(RefusalClass::InvalidArgument)
                } else if terminal != shop {
                    Some(RefusalClass::PermissionDenied)
                } else if resident != household
                    || points > max
                    || self.balance(&account) < i128::from(points)
                {
                    Some(RefusalClass::FailedPrecondition)
                } else {
                    None
                };
                self.counter += 1;
                let code = self.ledger.payment_code(&self.residents[resident], h, max);
                let signer = self.terminals[terminal].clone();
                let op = redeem(SHOPS[shop], h, points, code, self.counter);
                (self.ledger.apply(&signer, op), Some(expected))
            }
            Step::Reverse { target } => {
                let target = target as u64 % self.ledger.state.len();
                let admin = self.ledger.admin_signer();
                // The bureau may reverse anything reversible it can pay for; the model
                // does not predict which, only that a refusal is a precondition.
                (self.ledger.apply(&admin, reverse(Sequence(target))), None)
            }
            Step::Retry { target } => {
                let (_, signed) = self.ledger.log[target % self.ledger.log.len()].clone();
                let state = &mut self.ledger.state;
                let (record, duplicate) = state
                    .verify(signed.clone())
                    .and_then(|admitted| state.admit(UnixMs(self.ledger.now), &admitted))
                    .map(|(r, d)| (r.clone(), d))
                    .map_err(|e| TestCaseError::fail(format!("retry refused: {e}")))?;
                prop_assert!(duplicate, "a retry must not commit again");
                prop_assert_eq!(record.body_sha256, crate::crypto::sha256(&signed.body));
                prop_assert_eq!(self.ledger.snapshot(), before);
                return Ok(());
            }
        };
        match (&result, expected) {
            (Ok(_), Some(Some(class))) => {
                return Err(TestCaseError::fail(format!(
                    "{step:?} accepted, model expected {class:?}"
                )));
            }
            (Err(refusal), Some(None)) => {
                return Err(TestCaseError::fail(format!(
                    "{step:?} refused ({refusal}), model expected it to commit"
                )));
            }
            (Err(refusal), Some(Some(class))) => {
                prop_assert_eq!(refusal.class(), class, "{}", refusal)
            }
            (Err(refusal), None) => prop_assert_eq!(
                refusal.class(),
                RefusalClass::FailedPrecondition,
                "{}",
                refusal
            ),
            (Ok(_), _) => {}
        }
        match result {
            Ok(entry) => {
                for posting in &entry.postings {
                    *self.model.entry(posting.debit.clone()).or_default() -= posting.points.wide();
                    *self.model.entry(posting.credit.clone()).or_default() += posting.points.wide();
                }
            }
            Err(_) => prop_assert_eq!(
                self.ledger.snapshot(),
                before,
                "a refusal changed the state"
            ),
        }
        self.check_invariants()
    }

    fn check_invariants(&self) -> Result<(), TestCaseError> {
        let state = &self.ledger.state;
        prop_assert_eq!(state.total_balance(), 0, "points are conserved");
        for account in state.accounts() {
            let view = state.account(&account).unwrap();
            prop_assert_eq!(
                i128::from(view.balance()),
                self.balance(&account),
                "{} follows its postings",
                account
            );
            if account != AccountId::BureauFund {
                prop_assert!(view.balance() >= 0, "{} is negative", account);
            }
            if let AccountView::Household { holdings, .. } | AccountView::Shop { holdings, .. } =
                &view
            {
                let held: i128 = holdings.iter().map(|(_, p)| p.wide()).sum();
                prop_assert_eq!(
                    held,
                    i128::from(view.balance()),
                    "{} holdings add up",
                    account
                );
            }
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
    fn random_operations_keep_every_invariant_and_replay_to_the_same_state(
        steps in proptest::collection::vec(step(), 1..60)
    ) {
        let mut harness = Harness::new();
        for step in &steps {
            harness.run(step)?;
        }
        let replayed = harness
            .ledger
            .replay()
            .map_err(|e| TestCaseError::fail(format!("replay refused: {e}")))?;
        let live = harness.ledger.snapshot();
        harness.ledger.state = replayed;
        prop_assert_eq!(harness.ledger.snapshot(), live, "replay equals live state");
    }
}
