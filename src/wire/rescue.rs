//! The rescue part of the wire: `RescueOperation` into its operations.

use super::children::one_of;
use super::governance::parse_sha256;
use crate::ledger::{
    ADMISSION_GROUPS, AdmissionId, AreaCode, CAMPAIGN_KINDS, CampaignId, CivilDate, ESCORTS,
    EncounterId, MAX_CAMPAIGN_DAYS, Operation, PersonId, Refusal, RescueOp, parse_code, parse_memo,
};
use crate::pb::rescue as pb;

fn campaign(d: &pb::DefineCampaign) -> Result<RescueOp, Refusal> {
    let starts_on = CivilDate::from_wire("starts_on", d.starts_on)?;
    let ends_on = CivilDate::from_wire("ends_on", d.ends_on)?;
    if ends_on < starts_on || ends_on.days() - starts_on.days() > MAX_CAMPAIGN_DAYS {
        return Err(Refusal::InvalidField {
            field: "ends_on",
            expected: format!("a day from {starts_on} to {MAX_CAMPAIGN_DAYS} days after it"),
            found: ends_on.to_string(),
        });
    }
    Ok(RescueOp::DefineCampaign {
        campaign: CampaignId::parse("campaign_id", &d.campaign_id)?,
        kind: one_of("kind", &d.kind, CAMPAIGN_KINDS)?,
        area: AreaCode::parse("area_code", &d.area_code)?,
        starts_on,
        ends_on,
    })
}

fn discharge(d: &pb::Discharge) -> Result<RescueOp, Refusal> {
    let escort = one_of("escort", &d.escort, ESCORTS)?;
    match (escort, d.handover_sha256.is_empty()) {
        ("none", false) => {
            return Err(Refusal::InvalidField {
                field: "handover_sha256",
                expected: "empty for an unescorted discharge".into(),
                found: format!("{} bytes", d.handover_sha256.len()),
            });
        }
        ("none", true) => {}
        _ => {
            parse_sha256("handover_sha256", &d.handover_sha256)?;
        }
    }
    parse_memo("note", &d.note, false)?;
    Ok(RescueOp::Discharge {
        admission: AdmissionId::from_slice(&d.admission_id)?,
        escort,
    })
}

impl TryFrom<&pb::RescueOperation> for Operation {
    type Error = Refusal;

    fn try_from(operation: &pb::RescueOperation) -> Result<Self, Refusal> {
        use pb::rescue_operation::Operation as Op;
        Ok(Operation::Rescue(
            match operation
                .operation
                .as_ref()
                .ok_or(Refusal::MissingOperation)?
            {
                Op::DefineCampaign(d) => campaign(d)?,
                Op::RecordEncounter(e) => {
                    parse_memo("note", &e.note, false)?;
                    RescueOp::Encounter {
                        encounter: EncounterId::from_slice(&e.encounter_id)?,
                        area: AreaCode::parse("area_code", &e.area_code)?,
                        accepted: one_of("help", &e.help, &["accepted", "declined"])? == "accepted",
                        campaign: match e.campaign_id.as_str() {
                            "" => None,
                            id => Some(CampaignId::parse("campaign_id", id)?),
                        },
                    }
                }
                Op::Admit(a) => RescueOp::Admit {
                    admission: AdmissionId::from_slice(&a.admission_id)?,
                    area: AreaCode::parse("area_code", &a.area_code)?,
                    person: match a.person_id.as_slice() {
                        [] => None,
                        bytes => Some(PersonId::from_slice(bytes)?),
                    },
                    group: one_of("group", &a.group, ADMISSION_GROUPS)?,
                    encounter: match a.encounter_id.as_slice() {
                        [] => None,
                        bytes => Some(EncounterId::from_slice(bytes)?),
                    },
                },
                Op::PublishTracingNotice(p) => RescueOp::TracingNotice {
                    admission: AdmissionId::from_slice(&p.admission_id)?,
                    notice: parse_sha256("notice_sha256", &p.notice_sha256)?,
                },
                Op::ExtendStay(x) => RescueOp::ExtendStay {
                    admission: AdmissionId::from_slice(&x.admission_id)?,
                    reason: parse_memo("reason", &x.reason, true)?,
                },
                Op::Discharge(d) => discharge(d)?,
                Op::RecordConsent(c) => {
                    parse_sha256("consent_sha256", &c.consent_sha256)?;
                    RescueOp::Consent {
                        person: PersonId::from_slice(&c.person_id)?,
                    }
                }
                Op::WithdrawConsent(w) => {
                    parse_memo("note", &w.note, false)?;
                    RescueOp::Withdraw {
                        person: PersonId::from_slice(&w.person_id)?,
                    }
                }
                Op::RecordSession(s) => {
                    parse_memo("note", &s.note, false)?;
                    RescueOp::Session {
                        person: PersonId::from_slice(&s.person_id)?,
                        kind: parse_code("kind", &s.kind)?,
                    }
                }
            },
        ))
    }
}
