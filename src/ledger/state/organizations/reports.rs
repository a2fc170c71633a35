//! Annual reports (年度工作报告), once per organization and year that has ended, late ones
//! included; and their annual inspections (年检), once per year and only of a filed report.

use super::{AnnualInspection, AnnualReport, OrganizationsOp, Plan, reach, require_active};
use crate::ledger::state::{Context, State};
use crate::ledger::{CivilDate, OrganizationsRefusal, Refusal};

use super::FIRST_REPORT_YEAR as FIRST_YEAR;

pub(super) fn check(state: &State, ctx: &Context, op: &OrganizationsOp) -> Result<Plan, Refusal> {
    match op {
        OrganizationsOp::FileReport {
            organization,
            year,
            report,
        } => {
            let (_, mut record) = reach(state, ctx, organization, "filing an annual report")?;
            require_active(organization, &record)?;
            let today = CivilDate::of(ctx.committed_at);
            let this_year = u32::try_from(today.ymd().0).unwrap_or(u32::MAX);
            if *year < FIRST_YEAR || *year >= this_year {
                return Err(OrganizationsRefusal::YearNotEnded {
                    first: FIRST_YEAR,
                    this_year,
                    found: *year,
                }
                .into());
            }
            if let Some(filed) = record.report(*year) {
                return Err(OrganizationsRefusal::ReportFiled {
                    organization: organization.to_string(),
                    year: *year,
                    on: filed.filed_on.to_string(),
                }
                .into());
            }
            record.reports.push(AnnualReport {
                year: *year,
                report: *report,
                filed_on: today,
                by: ctx.signer,
                sequence: ctx.sequence,
            });
            record.reports.sort_by_key(|r| r.year);
            Ok(Plan::organization(*organization, record))
        }
        OrganizationsOp::Inspect {
            organization,
            year,
            result,
            conclusion,
        } => {
            let (_, mut record) =
                reach(state, ctx, organization, "recording an annual inspection")?;
            require_active(organization, &record)?;
            if record.report(*year).is_none() {
                return Err(OrganizationsRefusal::NoReport {
                    organization: organization.to_string(),
                    year: *year,
                }
                .into());
            }
            if record.inspections.iter().any(|i| i.year == *year) {
                return Err(OrganizationsRefusal::InspectionRecorded {
                    organization: organization.to_string(),
                    year: *year,
                }
                .into());
            }
            record.inspections.push(AnnualInspection {
                year: *year,
                result,
                conclusion: *conclusion,
                by: ctx.signer,
                sequence: ctx.sequence,
            });
            record.inspections.sort_by_key(|i| i.year);
            Ok(Plan::organization(*organization, record))
        }
        _ => unreachable!("dispatched by organizations::check"),
    }
}
