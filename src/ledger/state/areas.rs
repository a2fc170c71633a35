//! The areas family: administrative areas (行政区划) by division code, and which village area
//! each village issuer is in, so catalogues can be layered city → township → village. Part of
//! the shared registry (`shanzhi.registry.v1`) the bureau's programs extend.

use std::sync::Arc;

use imbl::OrdMap;

use super::authority;
use super::journal::Effects;
use super::{Context, State};
use crate::ledger::{AccountId, AreaCode, AreaLevel, IssuerId, IssuerKind, Refusal, Sequence};

/// The areas family's operations.
#[derive(Clone, Debug)]
pub enum AreasOp {
    /// Registers an area; its parent (by its code's prefix) must be registered.
    RegisterArea {
        /// The division code.
        code: AreaCode,
        /// The official name, 1 to 128 characters.
        name: String,
    },
    /// Places a village issuer in its village area, or moves it to another (a mistake
    /// corrected, a redistricting); the log keeps every placement.
    SetVillageArea {
        /// A village issuer.
        village: IssuerId,
        /// A 12-digit village area.
        area: AreaCode,
    },
}

/// The kinds of areas operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AreasKind {
    /// [`AreasOp::RegisterArea`].
    RegisterArea,
    /// [`AreasOp::SetVillageArea`].
    SetVillageArea,
}

impl AreasOp {
    /// The operation's kind.
    pub fn kind(&self) -> AreasKind {
        match self {
            AreasOp::RegisterArea { .. } => AreasKind::RegisterArea,
            AreasOp::SetVillageArea { .. } => AreasKind::SetVillageArea,
        }
    }
}

impl AreasKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            AreasKind::RegisterArea => "register-area",
            AreasKind::SetVillageArea => "set-village-area",
        }
    }
}

/// A registered area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AreaView {
    /// The division code.
    pub code: AreaCode,
    /// The official name.
    pub name: String,
    /// The village issuer placed in it (village areas only).
    pub village: Option<IssuerId>,
    /// The entry that registered it.
    pub registered_at: Sequence,
}

#[derive(Clone, Debug)]
struct Area {
    name: String,
    village: Option<IssuerId>,
    registered_at: Sequence,
}

/// Every registered area, and each village issuer's area.
#[derive(Clone, Debug, Default)]
pub(super) struct Areas {
    areas: OrdMap<AreaCode, Arc<Area>>,
    village_areas: OrdMap<IssuerId, AreaCode>,
}

impl Areas {
    /// The area a village issuer is in.
    pub(super) fn of_village(&self, village: &IssuerId) -> Option<&AreaCode> {
        self.village_areas.get(village)
    }

    /// The ledger's one county-level city, once registered.
    pub(super) fn city(&self) -> Option<&AreaCode> {
        self.areas.keys().find(|c| c.level() == AreaLevel::City)
    }

    /// Refuses a code that is not registered.
    pub(super) fn require(&self, code: &AreaCode) -> Result<(), Refusal> {
        if self.areas.contains_key(code) {
            Ok(())
        } else {
            Err(Refusal::UnknownArea(code.clone()))
        }
    }

    /// One page of the areas within `within` (all for `None`), in code order, after `after`:
    /// at most `limit`, and where the next page starts.
    pub(super) fn page(
        &self,
        within: Option<&AreaCode>,
        after: Option<&AreaCode>,
        limit: usize,
    ) -> (Vec<AreaView>, Option<AreaCode>) {
        use std::ops::Bound;
        let mut views = Vec::new();
        // Codes within an area sort right after it, so a page is one range of the map.
        let start = match (after, within) {
            (Some(after), Some(within)) if after < within => Bound::Included(within.clone()),
            (Some(after), _) => Bound::Excluded(after.clone()),
            (None, Some(within)) => Bound::Included(within.clone()),
            (None, None) => Bound::Unbounded,
        };
        let candidates = self
            .areas
            .range((start, Bound::Unbounded))
            .take_while(|(code, _)| within.is_none_or(|within| code.is_within(within)));
        for (code, area) in candidates {
            if views.len() == limit {
                let next = views.last().map(|v: &AreaView| v.code.clone());
                return (views, next);
            }
            views.push(AreaView {
                code: code.clone(),
                name: area.name.clone(),
                village: area.village.clone(),
                registered_at: area.registered_at,
            });
        }
        (views, None)
    }
}

/// An areas operation checked to fit.
#[derive(Debug)]
pub(super) enum Plan {
    Register { code: AreaCode, name: String },
    Place { village: IssuerId, area: AreaCode },
}

impl Plan {
    pub(super) fn commit(self, state: &mut State, ctx: &Context) -> Effects {
        match self {
            Plan::Register { code, name } => {
                state.areas.areas.insert(
                    code,
                    Arc::new(Area {
                        name,
                        village: None,
                        registered_at: ctx.sequence,
                    }),
                );
                Effects::default()
            }
            Plan::Place { village, area } => {
                // A move frees the area the village was in.
                if let Some(previous) = state.areas.village_areas.get(&village).cloned()
                    && let Some(existing) = state.areas.areas.get(&previous)
                {
                    let mut freed = Area::clone(existing);
                    freed.village = None;
                    state.areas.areas.insert(previous, Arc::new(freed));
                }
                if let Some(existing) = state.areas.areas.get(&area) {
                    let mut placed = Area::clone(existing);
                    placed.village = Some(village.clone());
                    state.areas.areas.insert(area.clone(), Arc::new(placed));
                }
                state.areas.village_areas.insert(village.clone(), area);
                Effects::involving(vec![AccountId::Issuer(village)])
            }
        }
    }
}

/// Checks an areas operation: bureau admin only.
pub(super) fn check(state: &State, ctx: &Context, op: &AreasOp) -> Result<Plan, Refusal> {
    match op {
        AreasOp::RegisterArea { code, name } => {
            authority::require_admin(&ctx.role, "registering an area")?;
            if state.areas.areas.contains_key(code) {
                return Err(Refusal::AlreadyRegistered {
                    kind: "area",
                    id: code.to_string(),
                });
            }
            // The ledger serves one county-level city: catalogues' city scope names it.
            if code.level() == AreaLevel::City
                && let Some((city, _)) = state
                    .areas
                    .areas
                    .iter()
                    .find(|(c, _)| c.level() == AreaLevel::City)
            {
                return Err(Refusal::CityAlreadyRegistered { city: city.clone() });
            }
            if let Some(parent) = code.parent()
                && !state.areas.areas.contains_key(&parent)
            {
                return Err(Refusal::ParentAreaMissing {
                    code: code.clone(),
                    parent,
                });
            }
            Ok(Plan::Register {
                code: code.clone(),
                name: name.clone(),
            })
        }
        AreasOp::SetVillageArea { village, area } => {
            authority::require_admin(&ctx.role, "placing a village in its area")?;
            state
                .accounts
                .expect_issuer_kind(village, IssuerKind::Village)?;
            let registered = state
                .areas
                .areas
                .get(area)
                .ok_or_else(|| Refusal::UnknownArea(area.clone()))?;
            if area.level() != AreaLevel::Village {
                return Err(Refusal::WrongAreaLevel {
                    code: area.clone(),
                    expected: AreaLevel::Village.name(),
                    found: area.level().name(),
                });
            }
            if state.areas.village_areas.get(village) == Some(area) {
                return Err(Refusal::VillageAreaAlreadySet {
                    village: village.clone(),
                    area: area.clone(),
                });
            }
            if let Some(other) = &registered.village {
                return Err(Refusal::AreaTaken {
                    area: area.clone(),
                    village: other.clone(),
                });
            }
            Ok(Plan::Place {
                village: village.clone(),
                area: area.clone(),
            })
        }
    }
}
