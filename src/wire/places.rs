//! The place names part of the wire: `PlacesOperation` into its operations.

use super::children::one_of;
use super::governance::parse_sha256;
use crate::ledger::{
    AddressId, AreaCode, CivilDate, INSPECTION_OUTCOMES, Inspection, InspectionId, KeyId,
    NameFields, Operation, PLACE_KINDS, PlaceId, PlacesOp, Refusal, Sequence, parse_memo,
    parse_text,
};
use crate::pb::places as pb;

/// The most characters of a place name.
const MAX_PLACE_NAME_CHARS: usize = 64;
/// The most characters of a name's pinyin.
const MAX_PINYIN_CHARS: usize = 128;
/// The most characters of a door number.
const MAX_DOOR_NUMBER_CHARS: usize = 16;

/// A place id of request field `field` (a place's, an application's or a road's).
pub fn place_id(field: &'static str, bytes: &[u8]) -> Result<PlaceId, Refusal> {
    PlaceId::from_slice(bytes).map_err(|_| Refusal::InvalidField {
        field,
        expected: "exactly 16 bytes".into(),
        found: format!("{} bytes", bytes.len()),
    })
}

/// The name and the announcement's fields of an application.
fn fields(a: &pb::ApplyForName) -> Result<NameFields, Refusal> {
    let name = parse_text("name", &a.name)?;
    // One spelling per name, so that uniqueness means something: no spaces of any kind, no
    // invisible format characters, no full-width forms of ASCII (write 1 and A, not １ and Ａ).
    if let Some(c) = name.chars().find(|c| {
        c.is_whitespace()
            || matches!(*c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
            || ('\u{FF01}'..='\u{FF5E}').contains(c)
    }) {
        return Err(Refusal::InvalidField {
            field: "name",
            expected: "a name without spaces, invisible characters or full-width ASCII forms"
                .into(),
            found: format!("U+{:04X} in {name:?}", u32::from(c)),
        });
    }
    if name.chars().count() > MAX_PLACE_NAME_CHARS {
        return Err(Refusal::InvalidField {
            field: "name",
            expected: format!("1 to {MAX_PLACE_NAME_CHARS} characters"),
            found: format!("{} characters", name.chars().count()),
        });
    }
    let pinyin = &a.pinyin;
    if pinyin.trim().is_empty()
        || pinyin.chars().count() > MAX_PINYIN_CHARS
        || !pinyin
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '\'')
    {
        return Err(Refusal::InvalidField {
            field: "pinyin",
            expected: format!(
                "the Hanyu Pinyin spelling: 1 to {MAX_PINYIN_CHARS} ASCII letters, spaces and \
                 apostrophes"
            ),
            found: format!("{:?}", pinyin.chars().take(32).collect::<String>()),
        });
    }
    Ok(NameFields {
        name,
        pinyin: pinyin.clone(),
        meaning: parse_memo("meaning", &a.meaning, true)?,
        location: parse_memo("location", &a.location, true)?,
    })
}

fn door_number(text: &str) -> Result<String, Refusal> {
    if text.is_empty()
        || text.len() > MAX_DOOR_NUMBER_CHARS
        || !text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(Refusal::InvalidField {
            field: "door_number",
            expected: format!("1 to {MAX_DOOR_NUMBER_CHARS} characters from [0-9A-Za-z-]"),
            found: format!("{:?}", text.chars().take(32).collect::<String>()),
        });
    }
    Ok(text.to_owned())
}

/// A boundary: two distinct areas of the same level, in code order.
fn boundary(a: &str, b: &str) -> Result<(AreaCode, AreaCode), Refusal> {
    let a = AreaCode::parse("area_code", a)?;
    let b = AreaCode::parse("other_area_code", b)?;
    if a == b || a.level() != b.level() {
        return Err(Refusal::InvalidField {
            field: "other_area_code",
            expected: format!(
                "another {} area than {a} (a boundary joins two)",
                a.level().name()
            ),
            found: if a == b {
                format!("{b} again")
            } else {
                format!("a {} area", b.level().name())
            },
        });
    }
    Ok(if a < b { (a, b) } else { (b, a) })
}

impl TryFrom<&pb::PlacesOperation> for Operation {
    type Error = Refusal;

    fn try_from(operation: &pb::PlacesOperation) -> Result<Self, Refusal> {
        use pb::places_operation::Operation as Op;
        Ok(Operation::Places(
            match operation
                .operation
                .as_ref()
                .ok_or(Refusal::MissingOperation)?
            {
                Op::ApplyForName(a) => {
                    let application = place_id("application_id", &a.application_id)?;
                    let (place, new) = if a.place_id.is_empty() {
                        let kind = one_of("kind", &a.kind, PLACE_KINDS)?;
                        (
                            None,
                            Some((kind, AreaCode::parse("area_code", &a.area_code)?)),
                        )
                    } else {
                        if !a.kind.is_empty() || !a.area_code.is_empty() {
                            return Err(Refusal::InvalidField {
                                field: if a.kind.is_empty() {
                                    "area_code"
                                } else {
                                    "kind"
                                },
                                expected: "empty for a rename (the place keeps its kind and \
                                           area)"
                                    .into(),
                                found: "a value".into(),
                            });
                        }
                        (Some(place_id("place_id", &a.place_id)?), None)
                    };
                    PlacesOp::Apply {
                        application,
                        place,
                        new,
                        fields: fields(a)?,
                    }
                }
                Op::DecideNameApplication(d) => PlacesOp::Decide {
                    application: place_id("application_id", &d.application_id)?,
                    approve: match (d.approve, d.announcement_sha256.is_empty()) {
                        (true, _) => {
                            Some(parse_sha256("announcement_sha256", &d.announcement_sha256)?)
                        }
                        (false, true) => None,
                        (false, false) => {
                            return Err(Refusal::InvalidField {
                                field: "announcement_sha256",
                                expected: "empty when rejecting".into(),
                                found: format!("{} bytes", d.announcement_sha256.len()),
                            });
                        }
                    },
                    reason: parse_memo("reason", &d.reason, true)?,
                },
                Op::AssignAddress(a) => PlacesOp::AssignAddress {
                    address: AddressId::from_slice(&a.address_id)?,
                    road: place_id("road_id", &a.road_id)?,
                    door: door_number(&a.door_number)?,
                    area: AreaCode::parse("area_code", &a.area_code)?,
                },
                Op::RetireAddress(r) => PlacesOp::RetireAddress {
                    address: AddressId::from_slice(&r.address_id)?,
                    reason: parse_memo("reason", &r.reason, true)?,
                },
                Op::RecordBoundaryInspection(i) => {
                    let outcome = one_of("outcome", &i.outcome, INSPECTION_OUTCOMES)?;
                    PlacesOp::Inspect {
                        boundary: boundary(&i.area_code, &i.other_area_code)?,
                        inspection: Inspection {
                            id: InspectionId::from_slice(&i.inspection_id)?,
                            on: CivilDate::from_wire("inspected_on", i.inspected_on)?,
                            outcome,
                            note: parse_memo("note", &i.note, false)?,
                            // Set by the state machine from the entry.
                            by: KeyId([0; 16]),
                            sequence: Sequence(0),
                        },
                    }
                }
            },
        ))
    }
}
