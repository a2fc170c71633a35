//! Cemeteries and their plots: a plot is held by one deceased from its allocation for the
//! cemetery's cycle (the day before the same date `cycle_years` later is its last), a deceased
//! holds one plot, a plot is at most 1 m² (an ash grave), and a village public cemetery
//! (农村公益性公墓) takes only its own villagers.

use imbl::OrdMap;

use super::cases::{reach, require_certificate};
use super::{DEFAULT_CYCLE_YEARS, FuneralOp, MAX_CEMETERIES, MAX_PLOTS_PER_CEMETERY, Plan};
use crate::ledger::state::require_new;
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{
    AreaCode, CemeteryId, CivilDate, DeathCaseId, FuneralRefusal, KeyId, Refusal, Sequence,
};

/// A cemetery as the log made it, with its plots' counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CemeteryView {
    /// Its name.
    pub name: String,
    /// The area it serves.
    pub area: AreaCode,
    /// One of the cemetery kinds.
    pub kind: &'static str,
    /// The years a plot is held.
    pub cycle_years: u32,
    /// How many plots it has.
    pub plots: u64,
    /// How many plots are held (allocated and not released).
    pub held: u64,
    /// How many held plots end their term on each date (the last day of the term).
    pub terms: OrdMap<CivilDate, u64>,
    /// Who defined it.
    pub defined_by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

impl CemeteryView {
    /// How many held plots' terms have ended by `today` (to be renewed or released). The walk
    /// is over the distinct last days before `today`.
    pub fn terms_ended_by(&self, today: CivilDate) -> u64 {
        self.terms.range(..today).map(|(_, n)| *n).sum()
    }

    fn count_term(&mut self, last_day: CivilDate, add: bool) {
        let n = self.terms.get(&last_day).copied().unwrap_or(0);
        let n = if add { n + 1 } else { n.saturating_sub(1) };
        if n == 0 {
            self.terms.remove(&last_day);
        } else {
            self.terms.insert(last_day, n);
        }
    }
}

/// Who holds a plot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlotHolder {
    /// The death case.
    pub case: DeathCaseId,
    /// When it was allocated.
    pub allocated_on: CivilDate,
    /// The last day of its term.
    pub held_until: CivilDate,
    /// How many times the term was renewed.
    pub renewals: u32,
    /// Who allocated it.
    pub by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

/// A plot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlotView {
    /// Its area, in dm².
    pub area_dm2: u32,
    /// Its holder until released (the term may have ended).
    pub holder: Option<PlotHolder>,
    /// How many times it was allocated.
    pub allocations: u32,
}

/// How many days before its term's end a plot may be renewed.
const RENEWABLE_DAYS: u32 = 365;

/// The last day of a term of `years` from `from`: the day before the same date `years` later
/// (1 March for 29 February).
fn term_end(from: CivilDate, years: u32) -> CivilDate {
    let (year, month, day) = from.ymd();
    let year = year + i64::from(years);
    let anniversary = CivilDate::from_ymd(year, month, day)
        .or_else(|| CivilDate::from_ymd(year, 3, 1))
        .unwrap_or(CivilDate::MAX);
    CivilDate::from_days(anniversary.days().saturating_sub(1)).unwrap_or(anniversary)
}

fn cemetery_of(state: &State, id: &CemeteryId) -> Result<CemeteryView, Refusal> {
    state
        .funeral
        .cemeteries
        .get(id)
        .map(|c| CemeteryView::clone(c))
        .ok_or_else(|| FuneralRefusal::UnknownCemetery(id.to_string()).into())
}

pub(super) fn check(state: &State, ctx: &Context, op: &FuneralOp) -> Result<Plan, Refusal> {
    match op {
        FuneralOp::DefineCemetery {
            cemetery,
            name,
            area,
            kind,
            cycle_years,
        } => {
            authority::require_admin(&ctx.role, "defining a cemetery")?;
            state.areas.require(area)?;
            if *kind == "village-public" && area.level() != crate::ledger::AreaLevel::Village {
                return Err(Refusal::InvalidField {
                    field: "area_code",
                    expected: "a village area for a village public cemetery".into(),
                    found: format!("{area}, a {} area", area.level().name()),
                });
            }
            let cemeteries = &state.funeral.cemeteries;
            require_new(cemeteries, cemetery, "cemetery")?;
            if cemeteries.len() >= MAX_CEMETERIES {
                return Err(FuneralRefusal::Full {
                    what: "cemeteries",
                    max: MAX_CEMETERIES,
                }
                .into());
            }
            Ok(Plan {
                cemetery: Some((
                    cemetery.clone(),
                    CemeteryView {
                        name: name.clone(),
                        area: area.clone(),
                        kind,
                        cycle_years: match *cycle_years {
                            0 => DEFAULT_CYCLE_YEARS,
                            years => years,
                        },
                        plots: 0,
                        held: 0,
                        terms: OrdMap::new(),
                        defined_by: ctx.signer,
                        sequence: ctx.sequence,
                    },
                )),
                ..Plan::default()
            })
        }
        FuneralOp::DefinePlots {
            cemetery: id,
            codes,
            area_dm2,
        } => {
            const OPERATION: &str = "defining plots";
            authority::require_funeral_officer(&ctx.role, OPERATION, None)?;
            let mut cemetery = cemetery_of(state, id)?;
            authority::require_funeral_officer(&ctx.role, OPERATION, Some(&cemetery.area))?;
            let count = u64::try_from(codes.len()).unwrap_or(u64::MAX);
            if cemetery.plots.saturating_add(count) > MAX_PLOTS_PER_CEMETERY {
                return Err(FuneralRefusal::Full {
                    what: "a cemetery's plots",
                    max: usize::try_from(MAX_PLOTS_PER_CEMETERY).unwrap_or(usize::MAX),
                }
                .into());
            }
            let mut plots = Vec::with_capacity(codes.len());
            for code in codes {
                let key = (id.clone(), code.clone());
                if state.funeral.plots.contains_key(&key) {
                    return Err(Refusal::AlreadyRegistered {
                        kind: "plot",
                        id: format!("{id}/{code}"),
                    });
                }
                plots.push((
                    key,
                    PlotView {
                        area_dm2: *area_dm2,
                        holder: None,
                        allocations: 0,
                    },
                ));
            }
            cemetery.plots += count;
            Ok(Plan {
                cemetery: Some((id.clone(), cemetery)),
                plots,
                ..Plan::default()
            })
        }
        FuneralOp::AllocatePlot {
            cemetery: cemetery_id,
            plot: code,
            case: case_id,
        } => {
            const OPERATION: &str = "allocating a plot";
            authority::require_funeral_officer(&ctx.role, OPERATION, None)?;
            let mut cemetery = cemetery_of(state, cemetery_id)?;
            authority::require_funeral_officer(&ctx.role, OPERATION, Some(&cemetery.area))?;
            let key = (cemetery_id.clone(), code.clone());
            let mut plot = state
                .funeral
                .plots
                .get(&key)
                .map(|p| PlotView::clone(p))
                .ok_or_else(|| FuneralRefusal::UnknownPlot {
                    cemetery: cemetery_id.to_string(),
                    plot: code.clone(),
                })?;
            let mut case = reach(state, ctx, case_id, OPERATION)?;
            require_certificate(case_id, &case, "a plot")?;
            if let Some((held, held_code)) = &case.plot {
                return Err(FuneralRefusal::DeceasedHasPlot {
                    case: case_id.to_string(),
                    plot: format!("{held}/{held_code}"),
                }
                .into());
            }
            if cemetery.kind == "village-public" && !case.area.is_within(&cemetery.area) {
                return Err(FuneralRefusal::NotAVillager {
                    cemetery: cemetery_id.to_string(),
                    village: cemetery.area.to_string(),
                    found: case.area.to_string(),
                }
                .into());
            }
            let today = CivilDate::of(ctx.committed_at);
            if let Some(holder) = &plot.holder {
                return Err(FuneralRefusal::PlotAllocated {
                    plot: format!("{cemetery_id}/{code}"),
                    until: holder.held_until.to_string(),
                }
                .into());
            }
            cemetery.held += 1;
            let held_until = term_end(today, cemetery.cycle_years);
            cemetery.count_term(held_until, true);
            plot.holder = Some(PlotHolder {
                case: *case_id,
                allocated_on: today,
                held_until,
                renewals: 0,
                by: ctx.signer,
                sequence: ctx.sequence,
            });
            plot.allocations = plot.allocations.saturating_add(1);
            case.plot = Some(key.clone());
            Ok(Plan {
                case: Some((*case_id, case)),
                cemetery: Some((cemetery_id.clone(), cemetery)),
                plots: vec![(key, plot)],
                grave: None,
            })
        }
        FuneralOp::RenewPlot {
            cemetery: cemetery_id,
            plot: code,
            agreement: _,
        }
        | FuneralOp::ReleasePlot {
            cemetery: cemetery_id,
            plot: code,
            ..
        } => {
            let renew = matches!(op, FuneralOp::RenewPlot { .. });
            let operation = if renew {
                "renewing a plot"
            } else {
                "releasing a plot"
            };
            authority::require_funeral_officer(&ctx.role, operation, None)?;
            let mut cemetery = cemetery_of(state, cemetery_id)?;
            authority::require_funeral_officer(&ctx.role, operation, Some(&cemetery.area))?;
            let key = (cemetery_id.clone(), code.clone());
            let name = format!("{cemetery_id}/{code}");
            let mut plot = state
                .funeral
                .plots
                .get(&key)
                .map(|p| PlotView::clone(p))
                .ok_or_else(|| FuneralRefusal::UnknownPlot {
                    cemetery: cemetery_id.to_string(),
                    plot: code.clone(),
                })?;
            let Some(mut holder) = plot.holder.clone() else {
                return Err(FuneralRefusal::PlotNotHeld(name).into());
            };
            let today = CivilDate::of(ctx.committed_at);
            let mut plan = Plan::default();
            cemetery.count_term(holder.held_until, false);
            if renew {
                let from =
                    CivilDate::from_days(holder.held_until.days().saturating_sub(RENEWABLE_DAYS))
                        .unwrap_or(holder.held_until);
                if today < from {
                    return Err(FuneralRefusal::RenewalNotDue {
                        plot: name,
                        from: from.to_string(),
                    }
                    .into());
                }
                holder.held_until = term_end(holder.held_until.add_days(1), cemetery.cycle_years);
                holder.renewals = holder.renewals.saturating_add(1);
                cemetery.count_term(holder.held_until, true);
                plot.holder = Some(holder);
            } else {
                cemetery.held = cemetery.held.saturating_sub(1);
                plot.holder = None;
                if let Some(mut case) = state.death_case(&holder.case) {
                    case.plot = None;
                    plan.case = Some((holder.case, case));
                }
            }
            plan.cemetery = Some((cemetery_id.clone(), cemetery));
            plan.plots = vec![(key, plot)];
            Ok(plan)
        }
        _ => unreachable!("dispatched by funeral::check"),
    }
}

impl State {
    /// The cemeteries whose area lies within `within` (every one if `None`) that `sees`
    /// admits, in id order.
    pub fn cemeteries(
        &self,
        within: Option<&AreaCode>,
        sees: impl Fn(&AreaCode) -> bool,
    ) -> Vec<(CemeteryId, CemeteryView)> {
        self.funeral
            .cemeteries
            .iter()
            .filter(|(_, c)| within.is_none_or(|w| c.area.is_within(w)) && sees(&c.area))
            .map(|(id, c)| (id.clone(), CemeteryView::clone(c)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_ends_the_day_before_its_anniversary() {
        let on = |y, m, d| CivilDate::from_ymd(y, m, d).unwrap();
        assert_eq!(term_end(on(2026, 12, 4), 20), on(2046, 12, 3));
        assert_eq!(
            term_end(on(2028, 2, 29), 20),
            on(2048, 2, 28),
            "2048 is a leap year"
        );
        assert_eq!(
            term_end(on(2028, 2, 29), 1),
            on(2029, 2, 28),
            "1 March less a day"
        );
        assert_eq!(term_end(on(2026, 1, 1), 1), on(2026, 12, 31));
    }
}
