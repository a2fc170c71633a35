//! A property test of redemption everywhere: random sales, partial refunds, reversals of
//! sales, issues, days passing, months closed and statements settled (correctly or not), then
//! every month closed and every statement settled (each of which must go in). After every
//! step each shop holds, of each issuer, exactly what its statements' sales took less what
//! refunds gave back less what was settled, and points are conserved; at the end the shops
//! hold nothing, every statement recomputed from the entries' postings equals the one the
//! state keeps, and the log replays to the same statements and accounts. (The recomputation
//! reads the journal's postings, which the other tests check against the log's bodies; it
//! re-derives the statements' rule, so it checks their bookkeeping, not the rule itself.)

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::prelude::*;

const ISSUERS: [&str; 2] = ["v1", "p"];
const HOUSEHOLDS: [&str; 2] = ["h1", "h2"];
const SHOPS: [&str; 2] = ["s1", "s2"];
const DAY_MS: u64 = 86_400_000;

#[derive(Clone, Debug)]
enum Step {
    Issue {
        issuer: usize,
        household: usize,
        points: u64,
    },
    Sale {
        household: usize,
        shop: usize,
        points: u64,
    },
    Refund {
        sale: usize,
        points: u64,
    },
    ReverseSale {
        sale: usize,
    },
    Wait {
        days: u64,
    },
    Close {
        months_back: u8,
    },
    Settle {
        shop: usize,
        issuer: usize,
        months_back: u8,
        off_by: u64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => (0..2usize, 0..2usize, 1..80u64).prop_map(|(issuer, household, points)| Step::Issue {
            issuer,
            household,
            points
        }),
        1 => (0..20usize).prop_map(|sale| Step::ReverseSale { sale }),
        3 => (0..2usize, 0..2usize, 1..60u64).prop_map(|(household, shop, points)| Step::Sale {
            household,
            shop,
            points
        }),
        2 => (0..20usize, 1..30u64).prop_map(|(sale, points)| Step::Refund { sale, points }),
        1 => (0..25u64).prop_map(|days| Step::Wait { days }),
        1 => (0..3u8).prop_map(|months_back| Step::Close { months_back }),
        2 => (0..2usize, 0..2usize, 0..3u8, prop_oneof![3 => Just(0u64), 1 => 1..5u64]).prop_map(
            |(shop, issuer, months_back, off_by)| Step::Settle {
                shop,
                issuer,
                months_back,
                off_by
            }
        ),
    ]
}

/// A statement as the log gives it: per issuer (sold, refunded), entries, hash.
type Recomputed = (BTreeMap<String, (u64, u64)>, u64, [u8; 32]);

struct World {
    ledger: Ledger,
    officers: Vec<Signer>,
    residents: Vec<Signer>,
    terminals: Vec<Signer>,
    sales: Vec<u64>,
    counter: u64,
}

fn world() -> World {
    let mut ledger = Ledger::new();
    let officers: Vec<Signer> = ISSUERS
        .iter()
        .zip([pb::IssuerKind::Village, pb::IssuerKind::Program])
        .map(|(id, kind)| ledger.issuer(id, kind, 100_000))
        .collect();
    let residents: Vec<Signer> = HOUSEHOLDS
        .iter()
        .map(|h| {
            let resident = Signer::generate();
            ledger.admin_does(register_household(h, "v1", &[&resident]));
            resident
        })
        .collect();
    let terminals = SHOPS.iter().map(|s| ledger.shop(s)).collect();
    World {
        ledger,
        officers,
        residents,
        terminals,
        sales: Vec::new(),
        counter: 0,
    }
}

/// The month `back` months before the current one.
fn month_back(now: u64, back: u8) -> Period {
    let mut month = Period::containing(now);
    for _ in 0..back {
        month = match month.month {
            1 => Period {
                year: month.year - 1,
                month: 12,
            },
            m => Period {
                year: month.year,
                month: m - 1,
            },
        };
    }
    month
}

impl World {
    fn apply(&mut self, step: &Step) {
        let admin = self.ledger.admin_signer();
        match *step {
            Step::Issue {
                issuer,
                household,
                points,
            } => {
                let officer = self.officers[issuer].clone();
                let _ = self.ledger.apply(
                    &officer,
                    issue(ISSUERS[issuer], HOUSEHOLDS[household], points),
                );
            }
            Step::Sale {
                household,
                shop,
                points,
            } => {
                self.counter += 1;
                let code = self.ledger.payment_code(
                    &self.residents[household],
                    HOUSEHOLDS[household],
                    points,
                );
                let terminal = self.terminals[shop].clone();
                let sale = redeem(
                    SHOPS[shop],
                    HOUSEHOLDS[household],
                    points,
                    code,
                    self.counter,
                );
                if let Ok(entry) = self.ledger.apply(&terminal, sale) {
                    self.sales.push(entry.sequence.get());
                }
            }
            Step::Refund { sale, points } => {
                if let Some(&sequence) = self.sales.get(sale % self.sales.len().max(1)) {
                    // The bureau refunds, so the refund window never stands in the way; the
                    // closed periods and the sale's remainder do.
                    let _ = self.ledger.apply(&admin, refund_sale(sequence, points));
                }
            }
            Step::ReverseSale { sale } => {
                if let Some(&sequence) = self.sales.get(sale % self.sales.len().max(1)) {
                    let _ = self.ledger.apply(&admin, reverse(Sequence(sequence)));
                }
            }
            Step::Wait { days } => self.ledger.now += days * DAY_MS + 1,
            Step::Close { months_back } => {
                let month = month_back(self.ledger.now, months_back).to_string();
                let _ = self.ledger.apply(&admin, close_period(&month));
            }
            Step::Settle {
                shop,
                issuer,
                months_back,
                off_by,
            } => {
                let month = month_back(self.ledger.now, months_back);
                let shop_id = id(ShopId::parse, SHOPS[shop]);
                let (statement, _) = self.ledger.state.statement(&shop_id, month);
                let owed = statement
                    .lines
                    .get(&id(IssuerId::parse, ISSUERS[issuer]))
                    .map_or(0, |line| line.receivable().get());
                let officer = self.officers[issuer].clone();
                let settled = self.ledger.apply(
                    &officer,
                    settle_statement(
                        SHOPS[shop],
                        &month.to_string(),
                        ISSUERS[issuer],
                        owed + off_by,
                    ),
                );
                if off_by > 0 && owed > 0 {
                    assert!(
                        settled.is_err(),
                        "a settlement of {} for {owed} went in",
                        owed + off_by
                    );
                }
            }
        }
    }

    /// Every (shop, month) a sale, refund or reversal was committed in.
    fn statement_keys(&self) -> BTreeSet<(String, Period)> {
        let state = &self.ledger.state;
        (0..state.len())
            .filter_map(|s| state.entry(Sequence(s)).ok())
            .filter(|e| {
                matches!(
                    e.kind,
                    OperationKind::Redemption(_) | OperationKind::Reversal(_)
                )
            })
            .flat_map(|e| {
                let sale = e.refunds.or(e.reverses).unwrap_or(e.sequence);
                let month = Period::containing(state.entry(sale).unwrap().committed_at.get());
                e.accounts.iter().filter_map(move |a| match a {
                    AccountId::Shop(s) => Some((s.to_string(), month)),
                    _ => None,
                })
            })
            .collect()
    }

    /// Each shop holds, of each issuer, what its statements' sales took, less refunds, less
    /// settlements; and every account's balance sums to zero with the bureau fund's.
    fn check_invariants(&self) {
        let state = &self.ledger.state;
        let mut owed: BTreeMap<(String, String), i128> = BTreeMap::new();
        for (shop, month) in self.statement_keys() {
            let (statement, _) = state.statement(&id(ShopId::parse, &shop), month);
            for (issuer, line) in &statement.lines {
                let settled = if line.settled.is_some() {
                    line.receivable().wide()
                } else {
                    0
                };
                *owed.entry((shop.clone(), issuer.to_string())).or_default() +=
                    line.receivable().wide() - settled;
            }
        }
        for shop in SHOPS {
            let AccountView::Shop { holdings, .. } = state
                .account(&AccountId::Shop(id(ShopId::parse, shop)))
                .unwrap()
            else {
                panic!("{shop} is not a shop");
            };
            for issuer in ISSUERS {
                let held = holdings
                    .iter()
                    .find(|(i, _)| i.to_string() == issuer)
                    .map_or(0, |(_, p)| p.wide());
                let expected = owed
                    .get(&(shop.to_owned(), issuer.to_owned()))
                    .copied()
                    .unwrap_or(0);
                assert_eq!(held, expected, "shop {shop}, issuer {issuer}");
            }
        }
        let total: i128 = state
            .accounts()
            .iter()
            .map(|a| self.ledger.balance(a.clone()))
            .sum();
        assert_eq!(total, 0, "points are not conserved");
    }

    /// Every statement recomputed from the log's entries, as an auditor would.
    fn check_statements_from_the_log(&self) {
        let state = &self.ledger.state;
        let mut recomputed: BTreeMap<(String, Period), Recomputed> = BTreeMap::new();
        for sequence in 0..state.len() {
            let entry = state.entry(Sequence(sequence)).unwrap();
            let counts = matches!(entry.kind, OperationKind::Redemption(_))
                || (matches!(entry.kind, OperationKind::Reversal(_))
                    && entry
                        .postings
                        .iter()
                        .any(|p| matches!(p.debit, AccountId::Shop(_))));
            let Some(shop) = entry.accounts.iter().find_map(|a| match a {
                AccountId::Shop(s) => Some(s.to_string()),
                _ => None,
            }) else {
                continue;
            };
            if !counts {
                continue;
            }
            let sale = entry.refunds.or(entry.reverses).unwrap_or(entry.sequence);
            let sold_at = state.entry(sale).unwrap().committed_at;
            let key = (shop, Period::containing(sold_at.get()));
            let (lines, count, hash) = recomputed
                .entry(key)
                .or_insert_with(|| (BTreeMap::new(), 0, [0; 32]));
            for posting in &entry.postings {
                let line = lines.entry(posting.issuer.to_string()).or_default();
                if matches!(posting.credit, AccountId::Shop(_)) {
                    line.0 += posting.points.get();
                } else {
                    line.1 += posting.points.get();
                }
            }
            *count += 1;
            *hash = crate::crypto::sha256(
                &[hash.as_slice(), &sequence.to_be_bytes(), &entry.body_sha256].concat(),
            );
        }
        for ((shop, month), (lines, count, hash)) in &recomputed {
            let (statement, _) = state.statement(&id(ShopId::parse, shop), *month);
            assert_eq!(statement.entries, *count, "{shop} {month}");
            assert_eq!(statement.entries_hash, *hash, "{shop} {month}");
            let kept: BTreeMap<String, (u64, u64)> = statement
                .lines
                .iter()
                .map(|(i, l)| (i.to_string(), (l.sold.get(), l.refunded.get())))
                .collect();
            assert_eq!(&kept, lines, "{shop} {month}");
        }
        let replayed = self.ledger.replay().unwrap();
        for (shop, month) in recomputed.keys() {
            let shop = id(ShopId::parse, shop);
            assert_eq!(
                replayed.statement(&shop, *month),
                state.statement(&shop, *month)
            );
        }
        for account in state.accounts() {
            assert_eq!(replayed.account(&account), state.account(&account));
        }
    }
}

proptest! {
    // 64 cases in CI; PROPTEST_CASES=N for a longer run by hand.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64)
    ))]

    #[test]
    fn receivables_are_sales_less_refunds_less_settlements_and_statements_match_the_log(
        steps in proptest::collection::vec(step(), 1..60)
    ) {
        let mut w = world();
        for household in 0..HOUSEHOLDS.len() {
            for issuer in 0..ISSUERS.len() {
                w.apply(&Step::Issue { issuer, household, points: 200 });
            }
        }
        for step in &steps {
            w.apply(step);
            w.check_invariants();
        }
        // Then every month so far is closed and every statement settled, each of which must
        // go in: settlements are exercised in every case, not only when drawn.
        w.ledger.now += 45 * DAY_MS;
        let admin = w.ledger.admin_signer();
        let keys = w.statement_keys();
        let months: BTreeSet<Period> = keys.iter().map(|(_, m)| *m).collect();
        for month in months {
            let (_, closed) = w.ledger.state.statement(&id(ShopId::parse, SHOPS[0]), month);
            if !closed {
                w.ledger.apply(&admin, close_period(&month.to_string())).unwrap();
            }
        }
        for (shop, month) in keys {
            let (statement, closed) = w.ledger.state.statement(&id(ShopId::parse, &shop), month);
            prop_assert!(closed);
            for (issuer, line) in &statement.lines {
                if line.settled.is_some() || line.receivable() == Points::ZERO {
                    continue;
                }
                let at = ISSUERS.iter().position(|i| *i == issuer.to_string()).unwrap();
                let officer = w.officers[at].clone();
                let settle = settle_statement(
                    &shop,
                    &month.to_string(),
                    &issuer.to_string(),
                    line.receivable().get(),
                );
                w.ledger.apply(&officer, settle).unwrap();
            }
            w.check_invariants();
        }
        for shop in SHOPS {
            // Everything is settled: the shops hold nothing.
            prop_assert_eq!(w.ledger.balance(AccountId::Shop(id(ShopId::parse, shop))), 0);
        }
        w.check_statements_from_the_log();
    }
}
