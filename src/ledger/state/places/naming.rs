//! Naming and renaming applications and the bureau's decisions: a place has a name only once
//! its application is approved, never the current name of another place whose area lies
//! within its own or contains it, and a renamed place keeps its former names.

use imbl::{OrdMap, OrdSet};

use super::super::{Context, State, authority};
use super::{
    ApplicationState, MAX_FORMER_NAMES, MAX_PENDING_APPLICATIONS, MAX_PLACES, NameApplication,
    NameFields, PlaceView, Plan, place,
};
use crate::ledger::state::require_new;
use crate::ledger::{AreaCode, PlaceId, PlacesRefusal, Refusal};

/// `NAME_TAKEN` if `name` is the current name of another place whose area lies within `area`
/// or contains it.
fn require_name_free(
    state: &State,
    name: &str,
    area: &AreaCode,
    place: &PlaceId,
) -> Result<(), Refusal> {
    let Some(holders) = state.places.by_name.get(name) else {
        return Ok(());
    };
    for other in holders.iter().filter(|p| *p != place) {
        if let Some(view) = state.places.places.get(other)
            && (view.area.is_within(area) || area.is_within(&view.area))
        {
            return Err(PlacesRefusal::NameTaken {
                name: name.to_owned(),
                area: view.area.to_string(),
            }
            .into());
        }
    }
    Ok(())
}

/// `PLACES_FULL` if `view` holds as many former names as a place may.
fn require_room_for_former_name(view: &PlaceView) -> Result<(), Refusal> {
    if view.former.len() >= MAX_FORMER_NAMES {
        return Err(PlacesRefusal::Full {
            what: "a place's former names",
            max: MAX_FORMER_NAMES,
        }
        .into());
    }
    Ok(())
}

/// Checks an application to name a new place or rename one.
pub(super) fn apply(
    state: &State,
    ctx: &Context,
    application: &PlaceId,
    renamed: Option<&PlaceId>,
    new: Option<&(&'static str, AreaCode)>,
    fields: &NameFields,
) -> Result<Plan, Refusal> {
    let places = &state.places;
    let operation = "applying for a place name";
    authority::require_places_officer(&ctx.role, operation, None)?;
    require_new(&places.applications, application, "name application")?;
    if places.applications.len() >= MAX_PLACES {
        return Err(PlacesRefusal::Full {
            what: "name applications",
            max: MAX_PLACES,
        }
        .into());
    }
    if places.pending >= MAX_PENDING_APPLICATIONS {
        return Err(PlacesRefusal::Full {
            what: "pending name applications (the bureau decides some first)",
            max: MAX_PENDING_APPLICATIONS,
        }
        .into());
    }
    let (place, kind, area) = match (renamed, new) {
        (Some(id), _) => {
            let current = place(state, id)?;
            if current.fields.name == fields.name {
                return Err(PlacesRefusal::NameUnchanged(fields.name.clone()).into());
            }
            require_room_for_former_name(&current)?;
            (*id, current.kind, current.area.clone())
        }
        (None, Some((kind, area))) => {
            state.areas.require(area)?;
            (*application, *kind, area.clone())
        }
        (None, None) => return Err(Refusal::MissingOperation),
    };
    authority::require_places_officer(&ctx.role, operation, Some(&area))?;
    require_name_free(state, &fields.name, &area, &place)?;
    Ok(Plan::Application(
        *application,
        NameApplication {
            place,
            rename: renamed.is_some(),
            kind,
            area,
            fields: fields.clone(),
            state: ApplicationState::Pending,
            applied_by: ctx.signer,
            decided: None,
            sequence: ctx.sequence,
        },
        None,
    ))
}

/// Checks a decision on a pending application.
pub(super) fn decide(
    state: &State,
    ctx: &Context,
    id: &PlaceId,
    approve: Option<&[u8; 32]>,
    reason: &str,
) -> Result<Plan, Refusal> {
    let places = &state.places;
    authority::require_admin(&ctx.role, "deciding a naming application")?;
    let application = places
        .applications
        .get(id)
        .ok_or_else(|| PlacesRefusal::UnknownApplication(id.to_string()))?;
    if application.state != ApplicationState::Pending {
        return Err(PlacesRefusal::ApplicationDecided(id.to_string()).into());
    }
    let mut decided = NameApplication::clone(application);
    decided.decided = Some((ctx.signer, reason.to_owned()));
    let Some(announcement) = approve else {
        decided.state = ApplicationState::Rejected;
        return Ok(Plan::Application(*id, decided, None));
    };
    decided.state = ApplicationState::Approved(*announcement);
    require_name_free(state, &decided.fields.name, &decided.area, &decided.place)?;
    let (view, former) = if decided.rename {
        let mut view = PlaceView::clone(&*place(state, &decided.place)?);
        if view.fields.name == decided.fields.name {
            return Err(PlacesRefusal::NameUnchanged(view.fields.name.clone()).into());
        }
        let former = std::mem::replace(&mut view.fields, decided.fields.clone());
        require_room_for_former_name(&view)?;
        view.former.push((former.name.clone(), ctx.sequence));
        view.application = *id;
        view.announcement = *announcement;
        (view, Some(former.name))
    } else {
        let view = PlaceView {
            kind: decided.kind,
            area: decided.area.clone(),
            fields: decided.fields.clone(),
            application: *id,
            announcement: *announcement,
            former: Vec::new(),
            doors: OrdMap::new(),
            addresses: OrdSet::new(),
        };
        (view, None)
    };
    let place = decided.place;
    Ok(Plan::Application(
        *id,
        decided,
        Some((place, Box::new(view), former)),
    ))
}
