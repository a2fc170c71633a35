//! The county's elderly care indicators for an area: operating institutions and their beds,
//! the nursing-bed ratio against its 60% target, staff certificates valid today, canteens,
//! diners and meals, home adaptations, and elders insured for a year. Each figure is a sum over
//! the ledger's institutions (each certificate count over its distinct last days, at most ten
//! years' worth) and canteens, or one kept count. A deregistered or revoked organization's
//! institution counts no more.

use super::{NURSING_BED_TARGET_PER_MILLE, State};
use crate::ledger::{AreaCode, CivilDate};

/// The indicators of an area.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ElderlyIndicators {
    /// Operating institutions.
    pub institutions_operating: u32,
    /// Their beds.
    pub total_beds: u64,
    /// Their nursing beds.
    pub nursing_beds: u64,
    /// nursing × 1000 / total, rounded down.
    pub nursing_bed_per_mille: u32,
    /// Whether it reaches the target.
    pub target_met: bool,
    /// Staff certificates valid today, at the area's institutions.
    pub certificates_valid: u64,
    /// Canteens.
    pub canteens: u32,
    /// Diners enrolled.
    pub diners: u64,
    /// Subsidized meals served.
    pub meals: u64,
    /// Their subsidy, in fen.
    pub meal_subsidy_fen: u64,
    /// Home adaptation cases open.
    pub adaptations_open: u64,
    /// Home adaptation cases completed.
    pub adaptations_completed: u64,
    /// Elders insured for the year asked.
    pub insured: u64,
}

impl State {
    /// The indicators within `within` (every area if `None`) on `today`, with the insured of
    /// `year`.
    pub fn elderly_indicators(
        &self,
        within: Option<&AreaCode>,
        today: CivilDate,
        year: u32,
    ) -> ElderlyIndicators {
        let e = &self.elderly;
        let inside = |area: &AreaCode| within.is_none_or(|w| area.is_within(w));
        let mut out = ElderlyIndicators::default();
        let active = |id: &crate::ledger::OrganizationId| {
            self.organization_record(id).status == crate::ledger::OrganizationStatus::Active
        };
        for (_, institution) in e
            .institutions
            .iter()
            .filter(|(id, i)| inside(&i.area) && active(id))
        {
            out.certificates_valid += u64::from(institution.certificates_valid_on(today));
            if institution.status == "operating" {
                out.institutions_operating += 1;
                out.total_beds += u64::from(institution.total_beds);
                out.nursing_beds += u64::from(institution.nursing_beds);
            }
        }
        out.nursing_bed_per_mille =
            u32::try_from(out.nursing_beds * 1000 / out.total_beds.max(1)).unwrap_or(u32::MAX);
        out.target_met =
            out.total_beds > 0 && out.nursing_bed_per_mille >= NURSING_BED_TARGET_PER_MILLE;
        for canteen in e.canteens.values().filter(|c| inside(&c.area)) {
            out.canteens += 1;
            out.diners += canteen.diners;
            out.meals += canteen.meals;
            out.meal_subsidy_fen += canteen.subsidy_fen;
        }
        // The counts are kept per area (and the areas above); the whole ledger's are its
        // city's.
        let area = within.or(self.areas.city());
        let count = |f: &dyn Fn(&AreaCode) -> u64| area.map_or(0, f);
        out.adaptations_open = count(&|a| {
            e.adaptation_counts
                .get(&(a.clone(), false))
                .copied()
                .unwrap_or(0)
        });
        out.adaptations_completed = count(&|a| {
            e.adaptation_counts
                .get(&(a.clone(), true))
                .copied()
                .unwrap_or(0)
        });
        out.insured = count(&|a| {
            e.insured_counts
                .get(&(a.clone(), year))
                .copied()
                .unwrap_or(0)
        });
        out
    }
}
