//! The place names' refusals (`shanzhi.places.v1`): names unique in their scope and given
//! only by an approved application, door numbers once per road; nested in
//! [`Refusal::Places`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;

/// Why a place names operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlacesRefusal {
    /// The name is another place's in an overlapping scope.
    #[error(
        "name: expected a name no other place holds within or above the place's area, found {name:?}, the name of a place of area {area}"
    )]
    NameTaken {
        /// The name.
        name: String,
        /// The area of the place holding it.
        area: String,
    },
    /// A rename to the current name.
    #[error("name: expected a new name, found {0:?}, the place's current name")]
    NameUnchanged(String),
    /// No approved place has this id.
    #[error("expected an approved place, found {0}, which no approved naming application named")]
    UnknownPlace(String),
    /// No application has this id.
    #[error("application_id: expected a naming application, found {0}, which no ApplyForName made")]
    UnknownApplication(String),
    /// The application was decided already.
    #[error(
        "application {0}: expected a pending application, found it decided (a decision is final)"
    )]
    ApplicationDecided(String),
    /// An address on a place that is not a road or street.
    #[error("road_id: expected a road or street, found {name:?}, a {kind}")]
    NotARoad {
        /// The place's name.
        name: String,
        /// Its kind.
        kind: &'static str,
    },
    /// The door number is in use on the road.
    #[error("door_number: expected a door number not in use on {road:?}, found {door:?}, in use")]
    DoorNumberTaken {
        /// The door number.
        door: String,
        /// The road's name.
        road: String,
    },
    /// No address has this id.
    #[error("address_id: expected an address, found {0}, which no AssignAddress made")]
    UnknownAddress(String),
    /// The address was retired already.
    #[error("address {0}: expected an address in use, found it retired")]
    AddressRetired(String),
    /// The ledger or a place holds as many of something as it may.
    #[error("{what}: the most the ledger keeps is {max}")]
    Full {
        /// What is full.
        what: &'static str,
        /// How many it holds.
        max: usize,
    },
}

impl PlacesRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        use PlacesRefusal::*;
        match self {
            UnknownPlace(_) | UnknownApplication(_) | UnknownAddress(_) => RefusalClass::NotFound,
            NameTaken { .. } | DoorNumberTaken { .. } => RefusalClass::AlreadyExists,
            Full { .. } => RefusalClass::ResourceExhausted,
            _ => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use PlacesRefusal::*;
        match self {
            NameTaken { .. } => "NAME_TAKEN",
            NameUnchanged(_) => "NAME_UNCHANGED",
            UnknownPlace(_) => "UNKNOWN_PLACE",
            UnknownApplication(_) => "UNKNOWN_APPLICATION",
            ApplicationDecided(_) => "APPLICATION_DECIDED",
            NotARoad { .. } => "NOT_A_ROAD",
            DoorNumberTaken { .. } => "DOOR_NUMBER_TAKEN",
            UnknownAddress(_) => "UNKNOWN_ADDRESS",
            AddressRetired(_) => "ADDRESS_RETIRED",
            Full { .. } => "PLACES_FULL",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use PlacesRefusal::*;
        let s = || "x".to_owned();
        [
            NameTaken {
                name: s(),
                area: s(),
            },
            NameUnchanged(s()),
            UnknownPlace(s()),
            UnknownApplication(s()),
            ApplicationDecided(s()),
            NotARoad {
                name: s(),
                kind: "x",
            },
            DoorNumberTaken {
                door: s(),
                road: s(),
            },
            UnknownAddress(s()),
            AddressRetired(s()),
            Full { what: "x", max: 1 },
        ]
        .into_iter()
        .map(Refusal::Places)
        .collect()
    }
}
