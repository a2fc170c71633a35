//! The shared registry: the wire's `RegistryOperation` into the areas and members families'
//! operations, and area views into their wire form.

use crate::ledger::{
    AreaCode, AreaView, AreasOp, CivilDate, HouseholdId, IdTag, IssuerId, KeyId, MemberId,
    MembersOp, NearMatchFinding, OfficerHousehold, Operation, OrganizationId, PersonId, Refusal,
    SubjectsOp, parse_name,
};
use crate::pb::registry as pb;

impl TryFrom<&pb::RegistryOperation> for Operation {
    type Error = Refusal;

    fn try_from(operation: &pb::RegistryOperation) -> Result<Self, Refusal> {
        use pb::registry_operation::Operation as Op;
        Ok(
            match operation
                .operation
                .as_ref()
                .ok_or(Refusal::MissingOperation)?
            {
                Op::RegisterArea(a) => Operation::Areas(AreasOp::RegisterArea {
                    code: AreaCode::parse("code", &a.code)?,
                    name: parse_name(&a.name)?,
                }),
                Op::SetVillageArea(v) => Operation::Areas(AreasOp::SetVillageArea {
                    village: IssuerId::parse("village_id", &v.village_id)?,
                    area: AreaCode::parse("area_code", &v.area_code)?,
                }),
                Op::RegisterMember(m) => Operation::Members(MembersOp::RegisterMember {
                    household: HouseholdId::parse("household_id", &m.household_id)?,
                    member: MemberId::from_slice(&m.member_id)?,
                    joined_on: CivilDate::from_wire("joined_on", m.joined_on)?,
                }),
                Op::MemberLeft(m) => Operation::Members(MembersOp::MemberLeft {
                    member: MemberId::from_slice(&m.member_id)?,
                    left_on: CivilDate::from_wire("left_on", m.left_on)?,
                }),
                Op::HouseholdLeft(h) => Operation::Members(MembersOp::HouseholdLeft {
                    household: HouseholdId::parse("household_id", &h.household_id)?,
                    left_on: CivilDate::from_wire("left_on", h.left_on)?,
                }),
                Op::RegisterPerson(p) => Operation::Subjects(SubjectsOp::RegisterPerson {
                    person: PersonId::from_slice(&p.person_id)?,
                    tag: IdTag::from_slice("id_tag", &p.id_tag)?,
                    area: AreaCode::parse("area_code", &p.area_code)?,
                }),
                Op::ReviewNearMatch(r) => {
                    let first = PersonId::from_slice(&r.first_person_id)?;
                    let second = PersonId::from_slice(&r.second_person_id)?;
                    if first == second {
                        return Err(Refusal::InvalidField {
                            field: "second_person_id",
                            expected: "another person than first_person_id".into(),
                            found: "the same person".into(),
                        });
                    }
                    let finding = match pb::NearMatchFinding::try_from(r.finding) {
                        Ok(pb::NearMatchFinding::Distinct) => NearMatchFinding::Distinct,
                        Ok(pb::NearMatchFinding::SamePerson) => NearMatchFinding::SamePerson,
                        _ => {
                            return Err(Refusal::InvalidField {
                                field: "finding",
                                expected: "NEAR_MATCH_FINDING_DISTINCT or \
                                           NEAR_MATCH_FINDING_SAME_PERSON"
                                    .into(),
                                found: r.finding.to_string(),
                            });
                        }
                    };
                    let pair = if first < second {
                        (first, second)
                    } else {
                        (second, first)
                    };
                    Operation::Subjects(SubjectsOp::ReviewNearMatch { pair, finding })
                }
                Op::RegisterOrganization(o) => {
                    Operation::Subjects(SubjectsOp::RegisterOrganization {
                        organization: OrganizationId::from_slice(&o.organization_id)?,
                        tag: IdTag::from_slice("code_tag", &o.code_tag)?,
                        area: AreaCode::parse("area_code", &o.area_code)?,
                    })
                }
                Op::LinkMemberPerson(l) => Operation::Members(MembersOp::LinkPerson {
                    member: MemberId::from_slice(&l.member_id)?,
                    person: PersonId::from_slice(&l.person_id)?,
                }),
                Op::SetOfficerHousehold(o) => {
                    use pb::set_officer_household::Household;
                    Operation::Members(MembersOp::SetOfficerHousehold {
                        key: KeyId::from_hex(&o.key_id)?,
                        household: match &o.household {
                            Some(Household::HouseholdId(h)) => {
                                OfficerHousehold::Household(HouseholdId::parse("household_id", h)?)
                            }
                            Some(Household::None(pb::NoHousehold {})) => OfficerHousehold::None,
                            None => {
                                return Err(Refusal::InvalidField {
                                    field: "household",
                                    expected: "household_id or none".into(),
                                    found: "nothing".into(),
                                });
                            }
                        },
                    })
                }
            },
        )
    }
}

impl From<AreaView> for pb::Area {
    fn from(area: AreaView) -> Self {
        pb::Area {
            parent_code: area
                .code
                .parent()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            code: area.code.to_string(),
            name: area.name,
            village_id: area.village.map(|v| v.to_string()).unwrap_or_default(),
            registered_at: area.registered_at.get(),
        }
    }
}
