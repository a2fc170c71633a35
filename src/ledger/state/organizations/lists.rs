//! The abnormal list (活动异常名录) and the serious-violation list (严重违法失信名单): an
//! organization goes on the abnormal list for a report missing after its due date or for
//! being unreachable, comes off it once the ground is cured, and after two years on it may be
//! moved to the serious list by the bureau. Pages of each list for readers.

use std::ops::Bound;

use super::{
    AbnormalGround, FIRST_REPORT_YEAR, Listing, ListingChange, ListingEvent, MAX_LISTING_EVENTS,
    OrganizationRecord, OrganizationsOp, Plan, reach, report_due, require_active, serious_from,
};
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{AreaCode, CivilDate, OrganizationId, OrganizationsRefusal, Refusal};

pub(super) fn check(state: &State, ctx: &Context, op: &OrganizationsOp) -> Result<Plan, Refusal> {
    let today = CivilDate::of(ctx.committed_at);
    let (organization, change, evidence, reason) = match op {
        OrganizationsOp::ListAbnormal {
            organization,
            ground,
            evidence,
        } => (organization, ListingChange::Abnormal(*ground), evidence, ""),
        OrganizationsOp::RemoveAbnormal {
            organization,
            evidence,
            reason,
        } => (
            organization,
            ListingChange::Removed,
            evidence,
            reason.as_str(),
        ),
        OrganizationsOp::ListSerious {
            organization,
            reason,
        } => {
            authority::require_admin(&ctx.role, "moving an organization to the serious list")?;
            (organization, ListingChange::Serious, &None, reason.as_str())
        }
        _ => unreachable!("dispatched by organizations::check"),
    };
    let operation = match change {
        ListingChange::Abnormal(_) => "putting an organization on the abnormal list",
        ListingChange::Removed => "removing an organization from the abnormal list",
        ListingChange::Serious | ListingChange::Dissolved => {
            "moving an organization to the serious list"
        }
    };
    let (_, mut record) = reach(state, ctx, organization, operation)?;
    let id = organization.to_string();
    let listing = match (change, record.listing) {
        (ListingChange::Abnormal(ground), None) => {
            require_active(organization, &record)?;
            if let AbnormalGround::MissingReport(year) = ground {
                let this_year = u32::try_from(today.ymd().0).unwrap_or(u32::MAX);
                if year < FIRST_REPORT_YEAR || year >= this_year {
                    return Err(OrganizationsRefusal::YearNotEnded {
                        first: FIRST_REPORT_YEAR,
                        this_year,
                        found: year,
                    }
                    .into());
                }
                if let Some(filed) = record.report(year) {
                    return Err(OrganizationsRefusal::ReportNotMissing {
                        organization: id,
                        year,
                        on: filed.filed_on.to_string(),
                    }
                    .into());
                }
                let due = report_due(year);
                if today <= due {
                    return Err(OrganizationsRefusal::ReportNotDue {
                        year,
                        due: due.to_string(),
                        today: today.to_string(),
                    }
                    .into());
                }
            }
            Some(Listing::Abnormal {
                ground,
                since: today,
            })
        }
        (ListingChange::Abnormal(_), Some(listing)) => {
            return Err(already_listed(id, listing));
        }
        (ListingChange::Removed, Some(Listing::Abnormal { ground, .. })) => {
            cured(&record, &id, ground, evidence.is_some())?;
            None
        }
        (ListingChange::Serious, Some(Listing::Abnormal { ground, since })) => {
            // A missing report filed since cures the ground, even before the removal.
            if let AbnormalGround::MissingReport(year) = ground
                && let Some(filed) = record.report(year)
            {
                return Err(OrganizationsRefusal::ReportNotMissing {
                    organization: id,
                    year,
                    on: filed.filed_on.to_string(),
                }
                .into());
            }
            let from = serious_from(since);
            if today < from {
                return Err(OrganizationsRefusal::ListedTooRecently {
                    organization: id,
                    since: since.to_string(),
                    from: from.to_string(),
                }
                .into());
            }
            Some(Listing::Serious {
                ground,
                abnormal_since: since,
                since: today,
            })
        }
        (_, listing) => {
            return Err(OrganizationsRefusal::NotAbnormal {
                organization: id,
                found: match listing {
                    Some(Listing::Serious { since, .. }) => {
                        format!("on the serious list since {since}")
                    }
                    _ => "on no list".into(),
                },
            }
            .into());
        }
    };
    record.listing = listing;
    push(record, *organization, change, today, reason, *evidence, ctx)
}

fn already_listed(id: String, listing: Listing) -> Refusal {
    let since = match listing {
        Listing::Abnormal { since, .. } | Listing::Serious { since, .. } => since,
    };
    OrganizationsRefusal::AlreadyListed {
        organization: id,
        list: listing.name(),
        since: since.to_string(),
    }
    .into()
}

/// Whether the abnormal listing's `ground` is cured: a missing report filed since (and no
/// evidence cited), or for an unreachable organization the record of contact restored.
fn cured(
    record: &OrganizationRecord,
    id: &str,
    ground: AbnormalGround,
    evidence: bool,
) -> Result<(), Refusal> {
    match (ground, evidence) {
        (AbnormalGround::MissingReport(year), false) => match record.report(year) {
            Some(_) => Ok(()),
            None => Err(OrganizationsRefusal::ReportStillMissing {
                organization: id.to_owned(),
                year,
            }
            .into()),
        },
        (AbnormalGround::Unreachable, true) => Ok(()),
        (AbnormalGround::MissingReport(_), true) => Err(Refusal::InvalidField {
            field: "evidence_sha256",
            expected: "empty for a missing report (the filed report cures it)".into(),
            found: "32 bytes".into(),
        }),
        (AbnormalGround::Unreachable, false) => Err(Refusal::InvalidField {
            field: "evidence_sha256",
            expected: "the SHA-256 of the record of contact restored, for an unreachable \
                       organization"
                .into(),
            found: "empty".into(),
        }),
    }
}

fn push(
    mut record: OrganizationRecord,
    organization: OrganizationId,
    change: ListingChange,
    on: CivilDate,
    reason: &str,
    evidence: Option<[u8; 32]>,
    ctx: &Context,
) -> Result<Plan, Refusal> {
    record_event(&mut record, change, on, reason, evidence, ctx);
    Ok(Plan::organization(organization, record))
}

/// Appends a listing event to `record`'s history, which keeps the latest
/// [`MAX_LISTING_EVENTS`] (the current listing is in the record itself).
pub(super) fn record_event(
    record: &mut OrganizationRecord,
    change: ListingChange,
    on: CivilDate,
    reason: &str,
    evidence: Option<[u8; 32]>,
    ctx: &Context,
) {
    if record.history.len() >= MAX_LISTING_EVENTS {
        record.history.remove(0);
    }
    record.history.push(ListingEvent {
        change,
        on,
        reason: reason.to_owned(),
        evidence,
        by: ctx.signer,
        sequence: ctx.sequence,
    });
}

/// An organization on a list, as its pages show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// The organization.
    pub organization: OrganizationId,
    /// Its registered area.
    pub area: AreaCode,
    /// Its listing.
    pub listing: Listing,
}

/// One page of a list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListedPage {
    /// The organizations, in id order.
    pub organizations: Vec<Listed>,
    /// The last id of the page when more follow.
    pub next: Option<OrganizationId>,
    /// How many (within the area) are on the list.
    pub total: u64,
}

impl State {
    /// One page of at most `size` organizations on the serious list (`serious`) or the
    /// abnormal one, within `within` if given, after `after` (in area, then id, order), with
    /// how many are on it there. The walk is the page's own entries: an area's organizations
    /// are one range of the index, and its count is kept.
    pub fn listed(
        &self,
        serious: bool,
        within: Option<&AreaCode>,
        after: Option<OrganizationId>,
        size: usize,
    ) -> ListedPage {
        let o = &self.organizations;
        let set = &o.listed[usize::from(serious)];
        let cursor = after.and_then(|a| self.organization(&a).map(|s| (s.area, a)));
        let from = match (cursor, within) {
            (Some(key), _) => Bound::Excluded(key),
            (None, Some(area)) => Bound::Included((area.clone(), OrganizationId([0; 16]))),
            (None, None) => Bound::Unbounded,
        };
        let mut page = ListedPage {
            total: match within {
                Some(area) => o
                    .listed_counts
                    .get(&(serious, area.clone()))
                    .copied()
                    .unwrap_or(0),
                None => u64::try_from(set.len()).unwrap_or(u64::MAX),
            },
            ..ListedPage::default()
        };
        for (area, id) in set.range((from, Bound::Unbounded)) {
            if within.is_some_and(|w| !area.is_within(w)) {
                break;
            }
            if page.organizations.len() == size {
                page.next = page.organizations.last().map(|l| l.organization);
                break;
            }
            if let Some(listing) = o.records.get(id).and_then(|r| r.listing) {
                page.organizations.push(Listed {
                    organization: *id,
                    area: area.clone(),
                    listing,
                });
            }
        }
        page
    }
}
