//! The shared registry's areas: the wire's `RegistryOperation` into [`AreasOp`], and area
//! views into their wire form.

use crate::ledger::{AreaCode, AreaView, AreasOp, IssuerId, Refusal, parse_name};
use crate::pb::registry as pb;

impl TryFrom<&pb::RegistryOperation> for AreasOp {
    type Error = Refusal;

    fn try_from(operation: &pb::RegistryOperation) -> Result<Self, Refusal> {
        use pb::registry_operation::Operation as Op;
        Ok(
            match operation
                .operation
                .as_ref()
                .ok_or(Refusal::MissingOperation)?
            {
                Op::RegisterArea(a) => AreasOp::RegisterArea {
                    code: AreaCode::parse("code", &a.code)?,
                    name: parse_name(&a.name)?,
                },
                Op::SetVillageArea(v) => AreasOp::SetVillageArea {
                    village: IssuerId::parse("village_id", &v.village_id)?,
                    area: AreaCode::parse("area_code", &v.area_code)?,
                },
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
