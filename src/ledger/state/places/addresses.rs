//! Standard addresses (标准地址): a door number once per approved road or street in use,
//! freed when its address is retired; and boundary inspections (界线联检) between two areas of
//! one level.

use super::super::{Context, State, authority};
use super::{
    AddressView, Inspection, MAX_ADDRESSES, MAX_ADDRESSES_PER_ROAD, MAX_INSPECTIONS, PlaceView,
    Plan, ROAD_KINDS, place,
};
use crate::ledger::state::require_new;
use crate::ledger::{
    AddressId, AreaCode, CivilDate, GovernanceRefusal, PlaceId, PlacesRefusal, Refusal,
};

/// Checks an address assigned on a road.
pub(super) fn assign(
    state: &State,
    ctx: &Context,
    address: &AddressId,
    road: &PlaceId,
    door: &str,
    area: &AreaCode,
) -> Result<Plan, Refusal> {
    let places = &state.places;
    let operation = "assigning an address";
    authority::require_places_officer(&ctx.role, operation, None)?;
    state.areas.require(area)?;
    authority::require_places_officer(&ctx.role, operation, Some(area))?;
    require_new(&places.addresses, address, "address")?;
    if places.addresses.len() >= MAX_ADDRESSES {
        return Err(PlacesRefusal::Full {
            what: "addresses",
            max: MAX_ADDRESSES,
        }
        .into());
    }
    let mut view = PlaceView::clone(&*place(state, road)?);
    if !ROAD_KINDS.contains(&view.kind) {
        return Err(PlacesRefusal::NotARoad {
            name: view.fields.name.clone(),
            kind: view.kind,
        }
        .into());
    }
    if !(area.is_within(&view.area) || view.area.is_within(area)) {
        return Err(Refusal::InvalidField {
            field: "area_code",
            expected: format!(
                "an area on the road's path ({} or an area within it or above it)",
                view.area
            ),
            found: area.to_string(),
        });
    }
    if view.doors.contains_key(door) {
        return Err(PlacesRefusal::DoorNumberTaken {
            door: door.to_owned(),
            road: view.fields.name.clone(),
        }
        .into());
    }
    if view.addresses.len() >= MAX_ADDRESSES_PER_ROAD {
        return Err(PlacesRefusal::Full {
            what: "a road's addresses in use",
            max: MAX_ADDRESSES_PER_ROAD,
        }
        .into());
    }
    view.doors.insert(door.to_owned(), *address);
    view.addresses.insert(*address);
    Ok(Plan::Address(
        *address,
        AddressView {
            road: *road,
            door: door.to_owned(),
            area: area.clone(),
            retired: None,
        },
        view,
    ))
}

/// Checks an address retired.
pub(super) fn retire(
    state: &State,
    ctx: &Context,
    id: &AddressId,
    reason: &str,
) -> Result<Plan, Refusal> {
    let places = &state.places;
    let operation = "retiring an address";
    authority::require_places_officer(&ctx.role, operation, None)?;
    let address = places
        .addresses
        .get(id)
        .ok_or_else(|| PlacesRefusal::UnknownAddress(id.to_string()))?;
    authority::require_places_officer(&ctx.role, operation, Some(&address.area))?;
    if address.retired.is_some() {
        return Err(PlacesRefusal::AddressRetired(id.to_string()).into());
    }
    let mut road = PlaceView::clone(&*place(state, &address.road)?);
    road.doors.remove(&address.door);
    road.addresses.remove(id);
    let mut retired = AddressView::clone(address);
    retired.retired = Some(reason.to_owned());
    Ok(Plan::Address(*id, retired, road))
}

/// Checks a boundary inspection.
pub(super) fn inspect(
    state: &State,
    ctx: &Context,
    boundary: &(AreaCode, AreaCode),
    inspection: &Inspection,
) -> Result<Plan, Refusal> {
    let places = &state.places;
    let operation = "recording a boundary inspection";
    authority::require_places_officer(&ctx.role, operation, None)?;
    let (a, b) = boundary;
    state.areas.require(a)?;
    state.areas.require(b)?;
    if authority::require_places_officer(&ctx.role, operation, Some(a)).is_err() {
        authority::require_places_officer(&ctx.role, operation, Some(b))?;
    }
    let today = CivilDate::of(ctx.committed_at);
    if inspection.on > today {
        return Err(GovernanceRefusal::DateOutOfRange {
            field: "inspected_on",
            expected: format!("a date not after {today}"),
            found: inspection.on,
        }
        .into());
    }
    let mut inspections = places
        .boundaries
        .get(boundary)
        .map(|i| Vec::clone(i))
        .unwrap_or_default();
    if inspections.iter().any(|i| i.id == inspection.id) {
        return Err(Refusal::AlreadyRegistered {
            kind: "boundary inspection",
            id: inspection.id.to_string(),
        });
    }
    if inspections.len() >= MAX_INSPECTIONS {
        inspections.remove(0);
    }
    let mut recorded = inspection.clone();
    recorded.by = ctx.signer;
    recorded.sequence = ctx.sequence;
    inspections.push(recorded);
    Ok(Plan::Boundary(boundary.clone(), inspections))
}
