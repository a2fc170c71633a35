//! Place names (区划地名): **naming and renaming applications**, decided by the bureau, the
//! only way a place gets a name; an approved name is never the current name of another place
//! whose area lies within the place's or contains it, and a renamed place keeps its former
//! names; the application carries what the naming announcement must say, and its approval the
//! announcement's digest. **Standard addresses** (标准地址): a door number once per approved
//! road or street. **Boundary inspections** (界线联检) between two areas of the same level.

mod addresses;
mod naming;

use std::sync::Arc;

use imbl::{OrdMap, OrdSet};

use super::journal::Effects;
use super::{Context, State};
use crate::ledger::{
    AddressId, AreaCode, CivilDate, InspectionId, KeyId, PlaceId, PlacesRefusal, Refusal, Sequence,
};

/// The kinds of places named here.
pub const PLACE_KINDS: &[&str] = &[
    "road",
    "street",
    "bridge",
    "community",
    "square",
    "building",
];
/// The kinds that carry door numbers.
pub const ROAD_KINDS: &[&str] = &["road", "street"];
/// A boundary inspection's outcomes.
pub const INSPECTION_OUTCOMES: &[&str] = &["intact", "damaged", "disputed"];
/// The most naming applications the ledger holds, decided ones included (and so the most
/// places).
pub const MAX_PLACES: usize = 1_000_000;
/// The most applications pending at once: past it, an application waits until the bureau
/// decides some (rejecting frees a place as well as approving).
pub const MAX_PENDING_APPLICATIONS: usize = 1_000;
/// The most addresses in use on one road.
pub const MAX_ADDRESSES_PER_ROAD: usize = 5_000;
/// The most addresses the ledger holds, retired ones included.
pub const MAX_ADDRESSES: usize = 1_000_000;
/// The most former names of a place.
pub const MAX_FORMER_NAMES: usize = 64;
/// The most inspections kept of one boundary.
pub const MAX_INSPECTIONS: usize = 1_024;

/// What an application asks and the announcement says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameFields {
    /// The name.
    pub name: String,
    /// Its Hanyu Pinyin.
    pub pinyin: String,
    /// Its meaning and why it was chosen.
    pub meaning: String,
    /// Where the place is, its extent.
    pub location: String,
}

/// A naming application's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplicationState {
    /// Not yet decided.
    Pending,
    /// Approved, with the announcement's digest.
    Approved([u8; 32]),
    /// Rejected.
    Rejected,
}

/// A naming or renaming application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameApplication {
    /// The place named (a new place's id is the application's).
    pub place: PlaceId,
    /// Whether it renames an approved place.
    pub rename: bool,
    /// The place's kind.
    pub kind: &'static str,
    /// The place's area.
    pub area: AreaCode,
    /// The name and the announcement's fields.
    pub fields: NameFields,
    /// Its state.
    pub state: ApplicationState,
    /// Who applied.
    pub applied_by: KeyId,
    /// Who decided, why.
    pub decided: Option<(KeyId, String)>,
    /// Its entry.
    pub sequence: Sequence,
}

/// An address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressView {
    /// The road.
    pub road: PlaceId,
    /// Its door number.
    pub door: String,
    /// Its area.
    pub area: AreaCode,
    /// Why it was retired, if it was.
    pub retired: Option<String>,
}

/// An approved place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceView {
    /// Its kind.
    pub kind: &'static str,
    /// Its area: the scope its name is unique in.
    pub area: AreaCode,
    /// Its current name and announcement fields.
    pub fields: NameFields,
    /// The application that gave the current name.
    pub application: PlaceId,
    /// That announcement's digest.
    pub announcement: [u8; 32],
    /// Former names and the entries that renamed them.
    pub former: Vec<(String, Sequence)>,
    /// The door numbers in use on it (a road or street), and their addresses.
    pub doors: OrdMap<String, AddressId>,
    /// The addresses in use on it.
    pub addresses: OrdSet<AddressId>,
}

/// A boundary inspection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    /// Its id.
    pub id: InspectionId,
    /// When.
    pub on: CivilDate,
    /// Its outcome.
    pub outcome: &'static str,
    /// What was found.
    pub note: String,
    /// Who recorded it.
    pub by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

/// The place names operations.
#[derive(Clone, Debug)]
pub enum PlacesOp {
    /// Applies to name or rename a place.
    Apply {
        /// The application's id.
        application: PlaceId,
        /// The place renamed, or `None` for a new place.
        place: Option<PlaceId>,
        /// A new place's kind and area.
        new: Option<(&'static str, AreaCode)>,
        /// The name and the announcement's fields.
        fields: NameFields,
    },
    /// Decides an application.
    Decide {
        /// The application.
        application: PlaceId,
        /// The announcement's digest if approved; `None` rejects.
        approve: Option<[u8; 32]>,
        /// Why.
        reason: String,
    },
    /// Assigns an address.
    AssignAddress {
        /// Its id.
        address: AddressId,
        /// The road.
        road: PlaceId,
        /// The door number.
        door: String,
        /// Its area.
        area: AreaCode,
    },
    /// Retires an address.
    RetireAddress {
        /// The address.
        address: AddressId,
        /// Why.
        reason: String,
    },
    /// Records a boundary inspection.
    Inspect {
        /// The boundary's two areas, in code order.
        boundary: (AreaCode, AreaCode),
        /// The inspection.
        inspection: Inspection,
    },
}

/// The kinds of place names operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlacesKind {
    /// [`PlacesOp::Apply`].
    Apply,
    /// [`PlacesOp::Decide`].
    Decide,
    /// [`PlacesOp::AssignAddress`].
    AssignAddress,
    /// [`PlacesOp::RetireAddress`].
    RetireAddress,
    /// [`PlacesOp::Inspect`].
    Inspect,
}

impl PlacesOp {
    /// The operation's kind.
    pub fn kind(&self) -> PlacesKind {
        match self {
            PlacesOp::Apply { .. } => PlacesKind::Apply,
            PlacesOp::Decide { .. } => PlacesKind::Decide,
            PlacesOp::AssignAddress { .. } => PlacesKind::AssignAddress,
            PlacesOp::RetireAddress { .. } => PlacesKind::RetireAddress,
            PlacesOp::Inspect { .. } => PlacesKind::Inspect,
        }
    }
}

impl PlacesKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            PlacesKind::Apply => "apply-for-name",
            PlacesKind::Decide => "decide-name-application",
            PlacesKind::AssignAddress => "assign-address",
            PlacesKind::RetireAddress => "retire-address",
            PlacesKind::Inspect => "record-boundary-inspection",
        }
    }
}

/// Everything the place names hold.
#[derive(Clone, Debug, Default)]
pub(super) struct Places {
    applications: OrdMap<PlaceId, Arc<NameApplication>>,
    places: OrdMap<PlaceId, Arc<PlaceView>>,
    /// The approved places of each current name.
    by_name: OrdMap<String, OrdSet<PlaceId>>,
    addresses: OrdMap<AddressId, Arc<AddressView>>,
    boundaries: OrdMap<(AreaCode, AreaCode), Arc<Vec<Inspection>>>,
    /// How many applications are pending.
    pending: usize,
}

/// A checked place names operation.
#[derive(Debug)]
pub(super) enum Plan {
    Application(
        PlaceId,
        NameApplication,
        Option<(PlaceId, Box<PlaceView>, Option<String>)>,
    ),
    Address(AddressId, AddressView, PlaceView),
    Boundary((AreaCode, AreaCode), Vec<Inspection>),
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        let places = &mut state.places;
        match self {
            Plan::Application(id, application, named) => {
                let pending = application.state == ApplicationState::Pending;
                let was_pending = places
                    .applications
                    .get(&id)
                    .is_some_and(|a| a.state == ApplicationState::Pending);
                places.pending = places.pending + usize::from(pending) - usize::from(was_pending);
                places.applications.insert(id, Arc::new(application));
                if let Some((place, view, former)) = named {
                    if let Some(former) = former
                        && let Some(holders) = places.by_name.get_mut(&former)
                    {
                        holders.remove(&place);
                        if holders.is_empty() {
                            places.by_name.remove(&former);
                        }
                    }
                    places
                        .by_name
                        .entry(view.fields.name.clone())
                        .or_default()
                        .insert(place);
                    places.places.insert(place, Arc::new(*view));
                }
            }
            Plan::Address(id, address, road) => {
                places.places.insert(address.road, Arc::new(road));
                places.addresses.insert(id, Arc::new(address));
            }
            Plan::Boundary(boundary, inspections) => {
                places.boundaries.insert(boundary, Arc::new(inspections));
            }
        }
        Effects::default()
    }
}

fn place(state: &State, id: &PlaceId) -> Result<Arc<PlaceView>, Refusal> {
    state
        .places
        .places
        .get(id)
        .cloned()
        .ok_or_else(|| PlacesRefusal::UnknownPlace(id.to_string()).into())
}

/// Checks a place names operation.
pub(super) fn check(state: &State, ctx: &Context, op: &PlacesOp) -> Result<Plan, Refusal> {
    match op {
        PlacesOp::Apply {
            application,
            place,
            new,
            fields,
        } => naming::apply(
            state,
            ctx,
            application,
            place.as_ref(),
            new.as_ref(),
            fields,
        ),
        PlacesOp::Decide {
            application,
            approve,
            reason,
        } => naming::decide(state, ctx, application, approve.as_ref(), reason),
        PlacesOp::AssignAddress {
            address,
            road,
            door,
            area,
        } => addresses::assign(state, ctx, address, road, door, area),
        PlacesOp::RetireAddress { address, reason } => {
            addresses::retire(state, ctx, address, reason)
        }
        PlacesOp::Inspect {
            boundary,
            inspection,
        } => addresses::inspect(state, ctx, boundary, inspection),
    }
}

impl State {
    /// An approved place.
    pub fn place(&self, id: &PlaceId) -> Option<PlaceView> {
        self.places.places.get(id).map(|p| (**p).clone())
    }

    /// A naming application.
    pub fn name_application(&self, id: &PlaceId) -> Option<NameApplication> {
        self.places.applications.get(id).map(|a| (**a).clone())
    }

    /// An address.
    pub fn address(&self, id: &AddressId) -> Option<AddressView> {
        self.places.addresses.get(id).map(|a| (**a).clone())
    }

    /// The inspections of the boundary between two areas, given in code order.
    pub fn boundary_inspections(&self, boundary: &(AreaCode, AreaCode)) -> Vec<Inspection> {
        self.places
            .boundaries
            .get(boundary)
            .map(|i| Vec::clone(i))
            .unwrap_or_default()
    }
}
