//! The place names operations (`shanzhi.places.v1`), encoded by hand and in the proto3 JSON
//! mapping, for the vectors' cross-checks.

use shanzhi::pb::places as pb;
use shanzhi::pb::places::places_operation::Operation as L;

use super::json::{Json, Obj};
use super::protobuf::wire;

/// A `PlacesOperation`'s bytes, by hand.
pub(super) fn places_by_hand(operation: &pb::PlacesOperation) -> Vec<u8> {
    let mut inner = Vec::new();
    let case = match &operation.operation {
        Some(L::ApplyForName(a)) => {
            wire::bytes(1, &a.application_id, &mut inner);
            wire::bytes(2, &a.place_id, &mut inner);
            wire::bytes(3, a.kind.as_bytes(), &mut inner);
            wire::bytes(4, a.name.as_bytes(), &mut inner);
            wire::bytes(5, a.pinyin.as_bytes(), &mut inner);
            wire::bytes(6, a.meaning.as_bytes(), &mut inner);
            wire::bytes(7, a.location.as_bytes(), &mut inner);
            wire::bytes(8, a.area_code.as_bytes(), &mut inner);
            1
        }
        Some(L::DecideNameApplication(d)) => {
            wire::bytes(1, &d.application_id, &mut inner);
            wire::uint(2, u64::from(d.approve), &mut inner);
            wire::bytes(3, d.reason.as_bytes(), &mut inner);
            wire::bytes(4, &d.announcement_sha256, &mut inner);
            2
        }
        Some(L::AssignAddress(a)) => {
            wire::bytes(1, &a.address_id, &mut inner);
            wire::bytes(2, &a.road_id, &mut inner);
            wire::bytes(3, a.door_number.as_bytes(), &mut inner);
            wire::bytes(4, a.area_code.as_bytes(), &mut inner);
            3
        }
        Some(L::RetireAddress(r)) => {
            wire::bytes(1, &r.address_id, &mut inner);
            wire::bytes(2, r.reason.as_bytes(), &mut inner);
            4
        }
        Some(L::RecordBoundaryInspection(i)) => {
            wire::bytes(1, &i.inspection_id, &mut inner);
            wire::bytes(2, i.area_code.as_bytes(), &mut inner);
            wire::bytes(3, i.other_area_code.as_bytes(), &mut inner);
            wire::uint(4, u64::from(i.inspected_on), &mut inner);
            wire::bytes(5, i.outcome.as_bytes(), &mut inner);
            wire::bytes(6, i.note.as_bytes(), &mut inner);
            5
        }
        None => 0,
    };
    let mut m = Vec::new();
    if case != 0 {
        wire::message(case, &inner, &mut m);
    }
    m
}

/// A `PlacesOperation` in the proto3 JSON mapping.
pub(super) fn places_json(operation: &pb::PlacesOperation) -> Json {
    let obj = match &operation.operation {
        Some(L::ApplyForName(a)) => Obj::new().put(
            "applyForName",
            Obj::new()
                .p_bytes("applicationId", &a.application_id)
                .p_bytes("placeId", &a.place_id)
                .p_str("kind", &a.kind)
                .p_str("name", &a.name)
                .p_str("pinyin", &a.pinyin)
                .p_str("meaning", &a.meaning)
                .p_str("location", &a.location)
                .p_str("areaCode", &a.area_code),
        ),
        Some(L::DecideNameApplication(d)) => Obj::new().put(
            "decideNameApplication",
            Obj::new()
                .p_bytes("applicationId", &d.application_id)
                .p_bool("approve", d.approve)
                .p_str("reason", &d.reason)
                .p_bytes("announcementSha256", &d.announcement_sha256),
        ),
        Some(L::AssignAddress(a)) => Obj::new().put(
            "assignAddress",
            Obj::new()
                .p_bytes("addressId", &a.address_id)
                .p_bytes("roadId", &a.road_id)
                .p_str("doorNumber", &a.door_number)
                .p_str("areaCode", &a.area_code),
        ),
        Some(L::RetireAddress(r)) => Obj::new().put(
            "retireAddress",
            Obj::new()
                .p_bytes("addressId", &r.address_id)
                .p_str("reason", &r.reason),
        ),
        Some(L::RecordBoundaryInspection(i)) => Obj::new().put(
            "recordBoundaryInspection",
            Obj::new()
                .p_bytes("inspectionId", &i.inspection_id)
                .p_str("areaCode", &i.area_code)
                .p_str("otherAreaCode", &i.other_area_code)
                .p_u32("inspectedOn", i.inspected_on)
                .p_str("outcome", &i.outcome)
                .p_str("note", &i.note),
        ),
        None => Obj::new(),
    };
    obj.into()
}
