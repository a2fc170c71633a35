//! The redemption family: a shop's terminal takes a household's points with the resident's
//! consent (a payment code, 付款码), each code once, each terminal's counter increasing.

mod refund;

use imbl::{HashMap, HashSet, OrdMap};

use super::authority;
use super::journal::Effects;
use super::staged::AccountChanges;
use super::{Context, State};
use crate::crypto::{self, SigningContext};
use crate::ledger::{
    AccountId, CivilDate, HouseholdId, KeyId, PaymentNonce, Points, Posting, Refusal, Role,
    SaleRefusal, Sequence, ShopId, UnixMs,
};
use refund::{RefundPlan, Refunded};

/// A resident's payment code, parsed.
#[derive(Clone, Debug)]
pub struct PaymentCode {
    /// The household whose points may be spent.
    pub household: HouseholdId,
    /// The most points the shop may take.
    pub max_points: Points,
    /// Single-use nonce.
    pub nonce: PaymentNonce,
    /// Void after this time.
    pub not_after: UnixMs,
    /// The one shop that may take it, if the resident named one.
    pub shop: Option<ShopId>,
    /// The exact encoded authorization bytes the resident signed.
    pub authorization_bytes: Vec<u8>,
    /// The resident key that signed.
    pub resident_key: KeyId,
    /// The resident's 64-byte signature.
    pub resident_signature: Vec<u8>,
}

/// The redemption family's operations.
#[derive(Clone, Debug)]
pub enum RedemptionOp {
    /// Household → shop, with the resident's consent.
    Redeem {
        /// The shop whose terminal signs, and which receives the points.
        shop: ShopId,
        /// The household that pays.
        household: HouseholdId,
        /// Points, 1 ..= [`MAX_POINTS_PER_TRANSACTION`](crate::ledger::MAX_POINTS_PER_TRANSACTION),
        /// at most the payment code's `max_points`.
        points: Points,
        /// The resident's consent.
        payment_code: Box<PaymentCode>,
        /// The terminal's own counter; it must be above the last one its key used.
        terminal_counter: u64,
        /// Free text for people, no personal data; at most 280 bytes.
        memo: String,
        /// What was sold; their total is `points`.
        lines: Vec<SaleLine>,
    },
    /// Shop → household: part or all of what remains of a sale.
    Refund {
        /// The sale's log sequence.
        sale: Sequence,
        /// Points, 1 ..= what remains of the sale.
        points: Points,
        /// Why: free text, no personal data; 1 to 280 bytes.
        reason: String,
    },
}

/// The most lines one sale may carry.
pub const MAX_SALE_LINES: usize = 100;

/// The most units of one line.
pub const MAX_LINE_QUANTITY: u32 = 10_000;

/// One line of a sale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaleLine {
    /// The shop's item code.
    pub item_code: String,
    /// What it is.
    pub name: String,
    /// How many, 1 ..= [`MAX_LINE_QUANTITY`].
    pub quantity: u32,
    /// Points per unit, at least 1.
    pub unit_points: Points,
}

/// The kinds of redemption operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RedemptionKind {
    /// [`RedemptionOp::Redeem`].
    Redeem,
    /// [`RedemptionOp::Refund`].
    Refund,
}

impl RedemptionOp {
    /// The operation's kind.
    pub fn kind(&self) -> RedemptionKind {
        match self {
            RedemptionOp::Redeem { .. } => RedemptionKind::Redeem,
            RedemptionOp::Refund { .. } => RedemptionKind::Refund,
        }
    }
}

impl RedemptionKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            RedemptionKind::Redeem => "redeem",
            RedemptionKind::Refund => "refund-sale",
        }
    }
}

/// Checks a redemption operation.
pub(super) fn check(state: &State, ctx: &Context, op: &RedemptionOp) -> Result<Plan, Refusal> {
    match op {
        RedemptionOp::Redeem {
            shop,
            household,
            points,
            payment_code,
            terminal_counter,
            ..
        } => redeem(
            state,
            ctx,
            &Sale {
                shop,
                household,
                points: *points,
                payment_code,
                terminal_counter: *terminal_counter,
            },
        )
        .map(Plan::Sale),
        RedemptionOp::Refund { sale, points, .. } => {
            refund::refund(state, ctx, *sale, *points).map(Plan::Refund)
        }
    }
}

/// Refuses a refund (or a terminal's reversal) of the sale `original` past the ledger's
/// refund window.
pub(super) fn require_within_refund_window(
    ctx: &Context,
    original: &super::EntryRecord,
) -> Result<(), Refusal> {
    let age = ctx.committed_at.since(original.committed_at);
    let window = ctx.facts.parameters.max_refund_window_ms;
    if age > window {
        return Err(Refusal::RefundWindowPassed {
            sequence: original.sequence.get(),
            age_ms: age,
            window_ms: window,
        });
    }
    Ok(())
}

/// What redemptions used up (payment codes, terminal counters) and what refunds gave back.
#[derive(Clone, Debug, Default)]
pub(super) struct Redemptions {
    used_nonces: HashSet<PaymentNonce>,
    terminal_counters: HashMap<KeyId, u64>,
    /// Per sale with refunds, what they gave back.
    refunded: OrdMap<Sequence, Refunded>,
    /// Per household, the day of its last sale and what it spent that day.
    spent: HashMap<HouseholdId, (CivilDate, Points)>,
}

impl Redemptions {
    /// Whether the sale at `sale` has refunds.
    pub(super) fn has_refunds(&self, sale: Sequence) -> bool {
        self.refunded.contains_key(&sale)
    }
}

/// A redemption operation checked to fit.
#[derive(Debug)]
pub(super) enum Plan {
    Sale(SalePlan),
    Refund(RefundPlan),
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        match self {
            Plan::Sale(plan) => plan.commit(state),
            Plan::Refund(plan) => plan.commit(state),
        }
    }
}

/// A sale checked to fit.
#[derive(Debug)]
pub(super) struct SalePlan {
    changes: AccountChanges,
    lots_taken: Vec<super::staged::TakenLot>,
    postings: Vec<Posting>,
    nonce: PaymentNonce,
    terminal: KeyId,
    counter: u64,
    household: HouseholdId,
    spent_today: (CivilDate, Points),
}

impl SalePlan {
    fn commit(self, state: &mut State) -> Effects {
        self.changes.commit(&mut state.accounts);
        state.redemptions.used_nonces.insert(self.nonce);
        state
            .redemptions
            .terminal_counters
            .insert(self.terminal, self.counter);
        state
            .redemptions
            .spent
            .insert(self.household, self.spent_today);
        Effects {
            postings: self.postings,
            lots_taken: self.lots_taken,
            ..Effects::default()
        }
    }
}

/// The sale's fields, as the transaction carries them.
struct Sale<'a> {
    shop: &'a ShopId,
    household: &'a HouseholdId,
    points: Points,
    payment_code: &'a PaymentCode,
    terminal_counter: u64,
}

/// Household → shop: a terminal of the shop, a valid payment code of the household for at
/// least the points, a terminal counter above the last one; the oldest lots are spent first.
fn redeem(state: &State, ctx: &Context, sale: &Sale<'_>) -> Result<SalePlan, Refusal> {
    authority::require_terminal_of(&ctx.role, sale.shop)?;
    state.accounts.shop(sale.shop)?;
    let household = state.accounts.household(sale.household)?;
    check_payment_code(state, ctx, sale)?;
    if let Some(&last) = state.redemptions.terminal_counters.get(&ctx.signer)
        && sale.terminal_counter <= last
    {
        return Err(SaleRefusal::TerminalCounter {
            key_id: ctx.signer,
            last,
            found: sale.terminal_counter,
        }
        .into());
    }
    // The household's village caps what it may spend a day, at every shop together.
    let today = CivilDate::of(ctx.committed_at);
    let spent = match state.redemptions.spent.get(sale.household) {
        Some((day, points)) if *day == today => *points,
        _ => Points::ZERO,
    };
    let limit = state
        .policies
        .in_force(&household.village, today)
        .and_then(|view| view.policy.daily_redemption_limit);
    let spent_today = Points(spent.get().saturating_add(sale.points.get()));
    if let Some(limit) = limit
        && spent_today > limit
    {
        return Err(SaleRefusal::DailyLimit {
            household: sale.household.clone(),
            limit: limit.get(),
            spent: spent.get(),
            requested: sale.points.get(),
        }
        .into());
    }
    let postings: Vec<Posting> = household
        .plan_take(sale.points, None, today)?
        .into_iter()
        .map(|(issuer, points)| Posting {
            debit: AccountId::Household(sale.household.clone()),
            credit: AccountId::Shop(sale.shop.clone()),
            points,
            issuer,
        })
        .collect();
    let mut staged = state.stage(ctx);
    for posting in &postings {
        staged.debit(posting, "spendable balance")?;
        staged.credit(posting, "the shop's balance")?;
    }
    let (changes, lots_taken) = staged.into_changes_and_taken();
    Ok(SalePlan {
        changes,
        lots_taken,
        postings,
        nonce: sale.payment_code.nonce,
        terminal: ctx.signer,
        counter: sale.terminal_counter,
        household: sale.household.clone(),
        spent_today: (today, spent_today),
    })
}

/// The resident's consent: signed by an unrevoked resident key of this household, for this
/// household, for at least the points, not expired, not valid for longer than the ledger
/// allows, and never used before.
fn check_payment_code(state: &State, ctx: &Context, sale: &Sale<'_>) -> Result<(), Refusal> {
    let code = sale.payment_code;
    let resident = state
        .keys
        .get(&code.resident_key)
        .ok_or(Refusal::UnknownKey {
            key_id: code.resident_key,
        })?;
    if ctx.spend_unchecked {
        crypto::verify(
            &resident.public_key,
            code.resident_key,
            SigningContext::SpendAuthorization,
            &ctx.facts.ledger_id,
            &code.authorization_bytes,
            &code.resident_signature,
        )?;
    }
    match (&resident.role, resident.revoked_at) {
        (_, Some(revoked_at)) => {
            return Err(Refusal::KeyRevoked {
                key_id: code.resident_key,
                revoked_at: revoked_at.get(),
            });
        }
        (Role::Resident(h), None) if h == sale.household => {}
        (other, None) => {
            return Err(SaleRefusal::PaymentCodeNotResident {
                role: other.to_string(),
                household: sale.household.clone(),
            }
            .into());
        }
    }
    if &code.household != sale.household {
        return Err(SaleRefusal::PaymentCodeOtherHousehold {
            code_household: code.household.clone(),
            household: sale.household.clone(),
        }
        .into());
    }
    if let Some(code_shop) = &code.shop
        && code_shop != sale.shop
    {
        return Err(SaleRefusal::PaymentCodeOtherShop {
            code_shop: code_shop.clone(),
            shop: sale.shop.clone(),
        }
        .into());
    }
    if sale.points > code.max_points {
        return Err(SaleRefusal::PaymentCodeOverMaximum {
            max_points: code.max_points.get(),
            points: sale.points.get(),
        }
        .into());
    }
    let now = ctx.committed_at;
    if now > code.not_after {
        return Err(SaleRefusal::PaymentCodeExpired {
            not_after: code.not_after.get(),
            now: now.get(),
        }
        .into());
    }
    let window = ctx.facts.parameters.max_spend_authorization_window_ms;
    if code.not_after.since(now) > window {
        return Err(SaleRefusal::PaymentCodeTooLong {
            not_after: code.not_after.get(),
            window_ms: window,
        }
        .into());
    }
    if state.redemptions.used_nonces.contains(&code.nonce) {
        return Err(SaleRefusal::PaymentCodeReused {
            nonce: code.nonce.to_string(),
        }
        .into());
    }
    Ok(())
}
