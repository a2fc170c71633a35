//! Scattered graves (散埋乱葬) in no-burial zones: identified, then cleared (moved to a
//! cemetery or levelled), then verified on site by another key than the one that recorded the
//! clearing. Pages of an area's graves with the counts in each state.

use std::ops::Bound;

use super::{FuneralOp, MAX_GRAVES, Plan};
use crate::ledger::state::require_new;
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{AreaCode, CivilDate, FuneralRefusal, GraveId, KeyId, Refusal, Sequence};

/// A scattered grave's states, in order.
pub const GRAVE_STATES: &[&str] = &["identified", "cleared", "verified"];

/// A step of a scattered grave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraveStep {
    /// The state it entered.
    pub state: &'static str,
    /// SHA-256 of the evidence.
    pub evidence: [u8; 32],
    /// A note.
    pub note: String,
    /// When.
    pub on: CivilDate,
    /// Who.
    pub by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

/// A scattered grave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScatteredGraveView {
    /// Its area.
    pub area: AreaCode,
    /// Where.
    pub location: String,
    /// Its steps: identified, then cleared, then verified.
    pub steps: Vec<GraveStep>,
}

impl ScatteredGraveView {
    /// Its state: the last step's.
    pub fn state(&self) -> &'static str {
        self.steps.last().map_or("identified", |s| s.state)
    }
}

/// One page of an area's scattered graves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GravePage {
    /// The graves, in id order.
    pub graves: Vec<(GraveId, ScatteredGraveView)>,
    /// The last id of the page when more follow.
    pub next: Option<GraveId>,
    /// How many graves of the area are in each of [`GRAVE_STATES`].
    pub counts: [u64; 3],
}

pub(super) fn check(state: &State, ctx: &Context, op: &FuneralOp) -> Result<Plan, Refusal> {
    let graves = &state.funeral.graves;
    let on = CivilDate::of(ctx.committed_at);
    let (id, grave) = match op {
        FuneralOp::IdentifyGrave {
            grave,
            area,
            location,
            evidence,
        } => {
            authority::require_funeral_officer(
                &ctx.role,
                "recording a scattered grave",
                Some(area),
            )?;
            state.areas.require(area)?;
            require_new(graves, grave, "scattered grave")?;
            if graves.len() >= MAX_GRAVES {
                return Err(FuneralRefusal::Full {
                    what: "scattered graves",
                    max: MAX_GRAVES,
                }
                .into());
            }
            (
                *grave,
                ScatteredGraveView {
                    area: area.clone(),
                    location: location.clone(),
                    steps: vec![GraveStep {
                        state: "identified",
                        evidence: *evidence,
                        note: String::new(),
                        on,
                        by: ctx.signer,
                        sequence: ctx.sequence,
                    }],
                },
            )
        }
        FuneralOp::AdvanceGrave {
            grave: id,
            to,
            evidence,
            note,
        } => {
            const OPERATION: &str = "moving a scattered grave on";
            authority::require_funeral_officer(&ctx.role, OPERATION, None)?;
            let mut grave = graves
                .get(id)
                .map(|g| ScatteredGraveView::clone(g))
                .ok_or_else(|| FuneralRefusal::UnknownGrave(id.to_string()))?;
            authority::require_funeral_officer(&ctx.role, OPERATION, Some(&grave.area))?;
            let from = grave.state();
            let expected = match from {
                "identified" => "cleared",
                "cleared" => "verified",
                _ => "no further state",
            };
            if *to != expected {
                return Err(FuneralRefusal::GraveStep {
                    grave: id.to_string(),
                    from,
                    expected,
                    found: to,
                }
                .into());
            }
            if *to == "verified" && grave.steps.last().is_some_and(|s| s.by == ctx.signer) {
                return Err(FuneralRefusal::VerifierIsClearer(id.to_string()).into());
            }
            grave.steps.push(GraveStep {
                state: to,
                evidence: *evidence,
                note: note.clone(),
                on,
                by: ctx.signer,
                sequence: ctx.sequence,
            });
            (*id, grave)
        }
        _ => unreachable!("dispatched by funeral::check"),
    };
    Ok(Plan {
        grave: Some((id, grave)),
        ..Plan::default()
    })
}

impl State {
    /// One page of at most `size` scattered graves within `area`, after `after` (in area, then
    /// id, order), with the area's counts. The walk is the page's own entries: an area's
    /// graves are one range of the index, and its counts are kept.
    pub fn scattered_graves(
        &self,
        area: &AreaCode,
        after: Option<GraveId>,
        size: usize,
    ) -> GravePage {
        let f = &self.funeral;
        let mut page = GravePage::default();
        for (i, count) in page.counts.iter_mut().enumerate() {
            *count = f.grave_counts.get(&(area.clone(), i)).copied().unwrap_or(0);
        }
        let from = match after.and_then(|a| f.graves.get(&a).map(|g| (g.area.clone(), a))) {
            Some(key) => Bound::Excluded(key),
            None => Bound::Included((area.clone(), GraveId([0; 16]))),
        };
        for (grave_area, id) in f.graves_by_area.range((from, Bound::Unbounded)) {
            if !grave_area.is_within(area) {
                break;
            }
            if page.graves.len() == size {
                page.next = page.graves.last().map(|(g, _)| *g);
                break;
            }
            if let Some(grave) = f.graves.get(id) {
                page.graves.push((*id, ScatteredGraveView::clone(grave)));
            }
        }
        page
    }
}
