//! The rescue refusals (`shanzhi.rescue.v1`): a declined encounter never followed by an
//! admission, campaigns running where and when they are, one open admission per person, the
//! tracing notice once and before an unidentified person's discharge, an adult's stay past 10
//! days only with a reason, no unescorted discharge of the vulnerable, consent before a
//! session; nested in [`Refusal::Rescue`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;

/// Why a rescue operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RescueRefusal {
    /// No campaign has this id.
    #[error("campaign_id: expected a campaign, found {0}, which no DefineCampaign made")]
    UnknownCampaign(String),
    /// An encounter outside the campaign's days or area.
    #[error("campaign {campaign}: expected {expected}, found {found}")]
    CampaignNotRunning {
        /// The campaign.
        campaign: String,
        /// Its days and area.
        expected: String,
        /// The encounter's.
        found: String,
    },
    /// No encounter has this id.
    #[error("encounter_id: expected an encounter, found {0}, which no RecordEncounter recorded")]
    UnknownEncounter(String),
    /// An admission from an encounter whose help was declined.
    #[error(
        "encounter {0}: expected an encounter whose help was accepted, found it declined (help is voluntary; the refusal stands)"
    )]
    HelpDeclined(String),
    /// A second admission from one encounter.
    #[error("encounter {0}: expected an encounter not yet followed by an admission, found one")]
    EncounterAdmitted(String),
    /// A person admitted twice at once.
    #[error(
        "person {person}: expected a person not admitted now, found admission {admission} open"
    )]
    AlreadyAdmitted {
        /// The person.
        person: String,
        /// Their open admission.
        admission: String,
    },
    /// No admission has this id.
    #[error("admission_id: expected an admission, found {0}, which no Admit made")]
    UnknownAdmission(String),
    /// An operation on a discharged admission.
    #[error(
        "admission {admission}: expected an open admission, found it discharged ({escort}) at {at} ms"
    )]
    Discharged {
        /// The admission.
        admission: String,
        /// The escort.
        escort: &'static str,
        /// When.
        at: u64,
    },
    /// A tracing notice for an identified person.
    #[error(
        "admission {0}: expected an unidentified person's admission, found a registered person's (no tracing notice is needed)"
    )]
    Identified(String),
    /// A second tracing notice.
    #[error("admission {0}: expected no tracing notice yet, found one published")]
    NoticePublished(String),
    /// An unidentified person discharged before the notice.
    #[error(
        "admission {0}: expected the family-tracing notice published before an unidentified person's discharge, found none"
    )]
    NoticeRequired(String),
    /// An extension of a stay that has no limit.
    #[error(
        "admission {admission}: expected an adult's admission (only adults' stays are limited to 10 days), found a {group}'s"
    )]
    StayNotLimited {
        /// The admission.
        admission: String,
        /// Its group.
        group: &'static str,
    },
    /// A second extension.
    #[error("admission {0}: expected no reason for a longer stay yet, found one recorded")]
    StayExtended(String),
    /// An adult discharged past 10 days without a reason.
    #[error(
        "admission {0}: expected the reason for a stay past 10 days recorded (ExtendStay) before the discharge, found none"
    )]
    StayReasonRequired(String),
    /// A vulnerable person discharged unescorted.
    #[error(
        "escort: expected an escort for a {group} (admission {admission}), found none: minors, elderly and disabled people are never discharged unescorted"
    )]
    Unescorted {
        /// The admission.
        admission: String,
        /// Its group.
        group: &'static str,
    },
    /// A group the person's record does not give.
    #[error("group: expected {expected} by the person's directory record, found {found}")]
    GroupMismatch {
        /// The group the record allows.
        expected: &'static str,
        /// The group given.
        found: String,
    },
    /// Consent recorded while it stands.
    #[error("person {0}: expected no standing consent, found one recorded")]
    ConsentStands(String),
    /// A session or withdrawal without consent.
    #[error(
        "person {0}: expected consent to rehabilitation recorded before any session, found none standing"
    )]
    ConsentRequired(String),
    /// The ledger holds as many of something as it may.
    #[error("{what}: the most the ledger keeps is {max}")]
    Full {
        /// What is full.
        what: &'static str,
        /// How many it holds.
        max: usize,
    },
}

impl RescueRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        use RescueRefusal::*;
        match self {
            UnknownCampaign(_) | UnknownEncounter(_) | UnknownAdmission(_) => {
                RefusalClass::NotFound
            }
            EncounterAdmitted(_)
            | AlreadyAdmitted { .. }
            | NoticePublished(_)
            | StayExtended(_)
            | ConsentStands(_) => RefusalClass::AlreadyExists,
            Full { .. } => RefusalClass::ResourceExhausted,
            _ => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use RescueRefusal::*;
        match self {
            UnknownCampaign(_) => "UNKNOWN_CAMPAIGN",
            CampaignNotRunning { .. } => "CAMPAIGN_NOT_RUNNING",
            UnknownEncounter(_) => "UNKNOWN_ENCOUNTER",
            HelpDeclined(_) => "HELP_DECLINED",
            EncounterAdmitted(_) => "ENCOUNTER_ADMITTED",
            AlreadyAdmitted { .. } => "ALREADY_ADMITTED",
            UnknownAdmission(_) => "UNKNOWN_ADMISSION",
            Discharged { .. } => "ADMISSION_DISCHARGED",
            Identified(_) => "TRACING_NOT_NEEDED",
            NoticePublished(_) => "TRACING_NOTICE_PUBLISHED",
            NoticeRequired(_) => "TRACING_NOTICE_REQUIRED",
            StayNotLimited { .. } => "STAY_NOT_LIMITED",
            StayExtended(_) => "STAY_ALREADY_EXTENDED",
            StayReasonRequired(_) => "STAY_REASON_REQUIRED",
            Unescorted { .. } => "UNESCORTED_DISCHARGE",
            GroupMismatch { .. } => "ADMISSION_GROUP_MISMATCH",
            ConsentStands(_) => "CONSENT_RECORDED",
            ConsentRequired(_) => "CONSENT_REQUIRED",
            Full { .. } => "RESCUE_FULL",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use RescueRefusal::*;
        let s = || "x".to_owned();
        [
            UnknownCampaign(s()),
            CampaignNotRunning {
                campaign: s(),
                expected: s(),
                found: s(),
            },
            UnknownEncounter(s()),
            HelpDeclined(s()),
            EncounterAdmitted(s()),
            AlreadyAdmitted {
                person: s(),
                admission: s(),
            },
            UnknownAdmission(s()),
            Discharged {
                admission: s(),
                escort: "family",
                at: 1,
            },
            Identified(s()),
            NoticePublished(s()),
            NoticeRequired(s()),
            StayNotLimited {
                admission: s(),
                group: "minor",
            },
            StayExtended(s()),
            StayReasonRequired(s()),
            Unescorted {
                admission: s(),
                group: "minor",
            },
            GroupMismatch {
                expected: "minor",
                found: s(),
            },
            ConsentStands(s()),
            ConsentRequired(s()),
            Full { what: "x", max: 1 },
        ]
        .into_iter()
        .map(Refusal::Rescue)
        .collect()
    }
}
