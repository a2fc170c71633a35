//! Elderly care institutions (registered organizations): their total and nursing beds and
//! status, recorded and updated by the area's elderly-care officer; their grade, by the
//! bureau; their staff certificates, counted while unexpired.

use imbl::OrdMap;

use super::{ElderlyOp, MAX_CERTIFICATES, MAX_INSTITUTIONS, Plan, Stamp};

/// How far ahead a certificate may be valid, in days (ten years).
const MAX_CERTIFICATE_DAYS: u32 = 3_653;
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{AreaCode, CivilDate, ElderlyRefusal, OrganizationId, Refusal, SubjectRefusal};

/// A staff certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// Its kind.
    pub kind: String,
    /// Its last valid day.
    pub valid_until: CivilDate,
    /// SHA-256 of the certificate.
    pub digest: [u8; 32],
    /// Who recorded it.
    pub stamp: Stamp,
}

/// An institution as the log made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstitutionView {
    /// Its registered area.
    pub area: AreaCode,
    /// Its beds.
    pub total_beds: u32,
    /// Its nursing beds.
    pub nursing_beds: u32,
    /// Operating, suspended or closed.
    pub status: &'static str,
    /// Its grade, 0 until graded.
    pub grade: u8,
    /// How many certificates it has.
    pub certificates: u32,
    /// How many of its certificates end on each day (their last valid day).
    pub certificate_ends: OrdMap<CivilDate, u32>,
    /// Who last recorded it.
    pub stamp: Stamp,
}

impl InstitutionView {
    /// How many certificates are valid on `today`. The walk is over the distinct last days
    /// from `today` on.
    pub fn certificates_valid_on(&self, today: CivilDate) -> u32 {
        self.certificate_ends.range(today..).map(|(_, n)| *n).sum()
    }
}

fn institution_of(
    state: &State,
    ctx: &Context,
    id: &OrganizationId,
    operation: &'static str,
) -> Result<(AreaCode, Option<InstitutionView>), Refusal> {
    authority::require_elderly_officer(&ctx.role, operation, None)?;
    let registered = state
        .organization(id)
        .ok_or(SubjectRefusal::UnknownOrganization(*id))?;
    authority::require_elderly_officer(&ctx.role, operation, Some(&registered.area))?;
    let status = state.organization_record(id).status;
    if status != crate::ledger::OrganizationStatus::Active {
        return Err(crate::ledger::OrganizationsRefusal::Dissolved {
            organization: id.to_string(),
            status: status.name(),
        }
        .into());
    }
    Ok((registered.area, state.institution(id)))
}

pub(super) fn check(state: &State, ctx: &Context, op: &ElderlyOp) -> Result<Plan, Refusal> {
    let stamp = Stamp {
        by: ctx.signer,
        sequence: ctx.sequence,
    };
    let unknown =
        |id: &OrganizationId| Refusal::from(ElderlyRefusal::UnknownInstitution(id.to_string()));
    let (id, institution) = match op {
        ElderlyOp::RecordInstitution {
            organization,
            total_beds,
            nursing_beds,
            status,
        } => {
            let (area, existing) =
                institution_of(state, ctx, organization, "recording an institution")?;
            if existing.is_none() && state.elderly.institutions.len() >= MAX_INSTITUTIONS {
                return Err(ElderlyRefusal::Full {
                    what: "institutions",
                    max: MAX_INSTITUTIONS,
                }
                .into());
            }
            let mut institution = existing.unwrap_or(InstitutionView {
                area,
                total_beds: 0,
                nursing_beds: 0,
                status,
                grade: 0,
                certificates: 0,
                certificate_ends: OrdMap::new(),
                stamp,
            });
            institution.total_beds = *total_beds;
            institution.nursing_beds = *nursing_beds;
            institution.status = status;
            institution.stamp = stamp;
            (*organization, institution)
        }
        ElderlyOp::Grade {
            organization,
            grade,
            conclusion: _,
        } => {
            authority::require_admin(&ctx.role, "grading an institution")?;
            institution_of(state, ctx, organization, "grading an institution")?;
            let mut institution = state
                .institution(organization)
                .ok_or_else(|| unknown(organization))?;
            institution.grade = *grade;
            institution.stamp = stamp;
            (*organization, institution)
        }
        ElderlyOp::Certificate {
            certificate,
            organization,
            valid_until,
            ..
        } => {
            let (_, institution) =
                institution_of(state, ctx, organization, "recording a staff certificate")?;
            let mut institution = institution.ok_or_else(|| unknown(organization))?;
            let today = CivilDate::of(ctx.committed_at);
            let last = today.add_days(MAX_CERTIFICATE_DAYS);
            if *valid_until < today || *valid_until > last {
                return Err(crate::ledger::GovernanceRefusal::DateOutOfRange {
                    field: "valid_until",
                    expected: format!("a day from {today} to {last}"),
                    found: *valid_until,
                }
                .into());
            }
            if state.elderly.certificates.contains(certificate) {
                return Err(Refusal::AlreadyRegistered {
                    kind: "staff certificate",
                    id: certificate.to_string(),
                });
            }
            if institution.certificates as usize >= MAX_CERTIFICATES {
                return Err(ElderlyRefusal::Full {
                    what: "an institution's certificates",
                    max: MAX_CERTIFICATES,
                }
                .into());
            }
            institution.certificates += 1;
            *institution
                .certificate_ends
                .entry(*valid_until)
                .or_insert(0) += 1;
            return Ok(Plan {
                institution: Some((*organization, institution)),
                certificate: Some(*certificate),
                ..Plan::default()
            });
        }
        _ => unreachable!("dispatched by elderly::check"),
    };
    Ok(Plan {
        institution: Some((id, institution)),
        ..Plan::default()
    })
}
