//! A variant of the baseline — sites removed, added, moved or changed, indicator parameters
//! changed — recomputed from the baseline's state, touching only what the changes touch:
//!
//! - a category none of whose sites changed, under unchanged parameters, keeps its layers;
//! - a category whose sites changed, under unchanged parameters, takes the changed sites out
//!   of its exact sums and puts the new ones in ([`FcaState::sweep_out`],
//!   [`FcaState::sweep_in`], [`CoverageCounter::count_all`]): one catchment search per changed site, none for the
//!   others. The floating-catchment family is linear in each site's ratio, and a site's
//!   ratio depends only on its own catchment, so this is exact: the numbers are
//!   bit-identical to a full recomputation (asserted by a property test);
//! - a category whose floating-catchment requests or coverage thresholds changed is swept
//!   afresh;
//! - nearest sites of a category whose sites changed are searched again (one multi-source
//!   search, a small cost next to the catchment sweeps).

use super::{
    nearest_categories, of_category, placed, requests_of, supply_of, swept_categories,
    AccessEngine, AccessError, AccessResults, AccessSpec, Baseline, CategoryState, NearestLayer,
};
use crate::inputs::supply::Site;
use crate::snap::{Snapped, Unsnapped};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// The sites of a variant: the baseline's kept sites, in baseline order, then new ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Variant {
    /// The variant's sites.
    pub sites: Vec<Site>,
    /// For each of them, the baseline site it stands for (`None`: a new site). A site kept
    /// with another position, capacity, activity or age is a changed site.
    pub from_base: Vec<Option<usize>>,
}

/// What an update recomputed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpdateStats {
    /// Baseline sites taken out.
    pub removed: usize,
    /// New sites.
    pub added: usize,
    /// Kept sites whose position or supply changed.
    pub changed: usize,
    /// Categories updated site by site.
    pub updated: Vec<String>,
    /// Categories swept afresh (parameters changed).
    pub reswept: Vec<String>,
    /// Catchment searches made (changed sites, in the categories updated).
    pub searches: usize,
    /// Wall-clock time, seconds.
    pub seconds: f64,
}

/// A variant's indicators and what it took.
pub struct Update {
    /// The indicators, as a full computation of the variant would give them.
    pub results: AccessResults,
    /// What was recomputed.
    pub stats: UpdateStats,
}

/// Why a variant cannot be derived from a baseline.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// The variant's list refers to a baseline site that does not exist, or twice to one.
    #[error("variant site {site}: baseline site {base} does not exist or is used twice")]
    BadBase {
        /// Index in the variant.
        site: usize,
        /// Baseline index given.
        base: usize,
    },
    /// The variant changes what every origin's demand or snap depends on.
    #[error("a variant cannot change {0}: compute a new baseline instead")]
    Unsupported(&'static str),
    /// A variant's site does not match its baseline (an engine invariant broken).
    #[error("variant site {site} {reason}")]
    Inconsistent {
        /// Index of the site in the variant's list.
        site: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

impl AccessEngine<'_> {
    /// The indicators of `variant` (of the baseline `base` computed on `base_sites`) under
    /// `spec` (the engine's own when `None`).
    pub fn update(
        &self,
        base: &Baseline,
        base_sites: &[Site],
        variant: &Variant,
        spec: Option<&AccessSpec>,
    ) -> Result<Update, AccessError> {
        let t = Instant::now();
        let spec = spec.unwrap_or(&self.spec);
        if spec.age_weights != self.spec.age_weights {
            return Err(UpdateError::Unsupported("the age weights of demand").into());
        }
        if spec.max_snap_m != self.spec.max_snap_m {
            return Err(UpdateError::Unsupported("the snap radius").into());
        }
        let sites = &variant.sites;
        let mut stats = UpdateStats::default();
        let SiteDiff {
            in_variant,
            out_b,
            in_v,
            moved,
        } = SiteDiff::new(base_sites, variant, &mut stats)?;
        let touched: BTreeSet<&str> = out_b
            .iter()
            .map(|&b| base_sites[b].category.as_str())
            .chain(in_v.iter().map(|&j| sites[j].category.as_str()))
            .collect();
        let site_snaps = self.snap_variant(base, variant, &moved)?;

        let mut out = AccessResults {
            origin_snaps: base.results.origin_snaps.clone(),
            site_snaps,
            kth: spec.kth.filter(|&k| k > 1),
            demand: base.results.demand.clone(),
            plain_demand: base.results.plain_demand,
            ..AccessResults::default()
        };
        let nearest_same =
            spec.kth == self.spec.kth && spec.nearest_max_minutes == self.spec.nearest_max_minutes;
        // Nearest-site searches are sequential: they run beside the catchment sweeps.
        let snaps = &out.site_snaps;
        let nearest_layers = || -> Result<Vec<NearestLayer>, AccessError> {
            nearest_categories(spec, sites)
                .into_iter()
                .map(|cat| {
                    let kept = base
                        .results
                        .nearest
                        .iter()
                        .find(|l| l.category == cat)
                        .filter(|_| nearest_same && !touched.contains(cat.as_str()));
                    Ok(match kept {
                        Some(l) => NearestLayer {
                            category: cat,
                            sites: remap(&l.sites, &in_variant),
                            nearest: l.nearest.clone(),
                        },
                        None => self.nearest_layer(&cat, sites, snaps)?,
                    })
                })
                .collect()
        };
        let category_states =
            || -> Result<(BTreeMap<String, CategoryState>, UpdateStats), AccessError> {
                let mut stats = UpdateStats::default();
                let mut states = BTreeMap::new();
                for cat in swept_categories(spec) {
                    let same_params = same_category_params(&self.spec, spec, &cat);
                    let state = match base.states.get(&cat) {
                        Some(s) if same_params && !touched.contains(cat.as_str()) => {
                            CategoryState {
                                requests: requests_of(spec, &cat),
                                ..s.clone()
                            }
                        }
                        Some(s) if same_params => {
                            stats.updated.push(cat.clone());
                            let change = Change {
                                base,
                                base_sites,
                                variant,
                                variant_snaps: snaps,
                                out_b: &out_b,
                                in_v: &in_v,
                            };
                            let (state, searches) = self.update_category(spec, s, &cat, &change)?;
                            stats.searches += searches;
                            state
                        }
                        _ => {
                            stats.reswept.push(cat.clone());
                            self.sweep_category(spec, &cat, sites, snaps)?
                        }
                    };
                    states.insert(cat, state);
                }
                Ok((states, stats))
            };
        let (nearest, swept) = rayon::join(nearest_layers, category_states);
        out.nearest = nearest?;
        let (states, swept_stats) = swept?;
        stats.updated = swept_stats.updated;
        stats.reswept = swept_stats.reswept;
        stats.searches = swept_stats.searches;
        super::collect(spec, &mut out, sites, &states);
        stats.seconds = t.elapsed().as_secs_f64();
        out.timings.fca = stats.seconds;
        Ok(Update {
            results: out,
            stats,
        })
    }

    /// The snap of every site of `variant`: the baseline's for a site kept in place, a new
    /// one for the sites `moved` (added or moved).
    fn snap_variant(
        &self,
        base: &Baseline,
        variant: &Variant,
        moved: &[bool],
    ) -> Result<Vec<Result<Snapped, Unsnapped>>, UpdateError> {
        let sites = &variant.sites;
        let to_snap: Vec<Site> = (0..sites.len())
            .filter(|&j| moved[j])
            .map(|j| sites[j].clone())
            .collect();
        let mut fresh = self.snap_sites(&to_snap).into_iter();
        let mut site_snaps = Vec::with_capacity(sites.len());
        for (j, b) in variant.from_base.iter().enumerate() {
            site_snaps.push(match (moved[j], b) {
                (false, Some(b)) => base.results.site_snaps[*b].clone(),
                _ => fresh.next().ok_or(UpdateError::Inconsistent {
                    site: j,
                    reason: "was not snapped",
                })?,
            });
        }
        Ok(site_snaps)
    }

    /// Category `cat`'s state (`base_state` in the baseline) after `change`; returns it and
    /// the catchment searches made.
    fn update_category(
        &self,
        spec: &AccessSpec,
        base_state: &CategoryState,
        cat: &str,
        change: &Change,
    ) -> Result<(CategoryState, usize), AccessError> {
        let mut state = CategoryState {
            requests: requests_of(spec, cat),
            ..base_state.clone()
        };
        let (base_sites, sites) = (change.base_sites, &change.variant.sites);
        let base_idx = of_category(base_sites, cat);
        let local_b: BTreeMap<usize, usize> =
            base_idx.iter().enumerate().map(|(k, &b)| (b, k)).collect();
        // Out: this category's baseline sites taken out, with their baseline supply and
        // snap, hence the very reach they were added with.
        let gone: Vec<usize> = change
            .out_b
            .iter()
            .filter_map(|b| local_b.get(b).copied())
            .collect();
        let catchments = self.catchments.with_sites(placed(
            &change.base.results.site_snaps,
            &gone.iter().map(|&k| base_idx[k]).collect::<Vec<_>>(),
        ));
        let gone_supply: Vec<Vec<f64>> = gone.iter().map(|&k| state.supply[k].clone()).collect();
        let gone_capacity: Vec<f64> = gone
            .iter()
            .map(|&k| base_sites[base_idx[k]].capacity)
            .collect();
        state.fca.sweep_out(
            &catchments,
            &gone_supply,
            state
                .coverage
                .as_mut()
                .map(|c| (c, gone_capacity.as_slice())),
        )?;
        // In: the variant's new and changed sites of this category.
        let coming: Vec<usize> = change
            .in_v
            .iter()
            .copied()
            .filter(|&j| sites[j].category == cat)
            .collect();
        let coming_supply: Vec<Vec<f64>> = coming
            .iter()
            .map(|&j| supply_of(spec, &state.requests, &sites[j]))
            .collect();
        let catchments = self
            .catchments
            .with_sites(placed(change.variant_snaps, &coming));
        let coming_capacity: Vec<f64> = coming.iter().map(|&j| sites[j].capacity).collect();
        let coming_shares = state.fca.sweep_in(
            &catchments,
            &coming_supply,
            state
                .coverage
                .as_mut()
                .map(|c| (c, coming_capacity.as_slice())),
        )?;
        // The variant's order: its sites of this category as they come in its list.
        let new_at: BTreeMap<usize, usize> =
            coming.iter().enumerate().map(|(c, &j)| (j, c)).collect();
        state.supply.clear();
        state.shares.clear();
        for j in of_category(sites, cat) {
            if let Some(&c) = new_at.get(&j) {
                state.supply.push(coming_supply[c].clone());
                state.shares.push(coming_shares[c].clone());
            } else {
                let k = change.variant.from_base[j]
                    .and_then(|b| local_b.get(&b).copied())
                    .ok_or(UpdateError::Inconsistent {
                        site: j,
                        reason: "has no baseline site",
                    })?;
                state.supply.push(base_state.supply[k].clone());
                state.shares.push(base_state.shares[k].clone());
            }
        }
        Ok((state, gone.len() + coming.len()))
    }
}

/// What a variant changes, for the categories it touches.
struct Change<'a> {
    base: &'a Baseline,
    base_sites: &'a [Site],
    variant: &'a Variant,
    /// Snaps of the variant's sites.
    variant_snaps: &'a [Result<Snapped, Unsnapped>],
    /// Baseline sites taken out (all categories).
    out_b: &'a [usize],
    /// Variant sites put in (all categories), increasing.
    in_v: &'a [usize],
}

/// Baseline site indices `idx` as variant indices (all kept).
fn remap(idx: &[usize], in_variant: &[Option<usize>]) -> Vec<usize> {
    idx.iter().filter_map(|&b| in_variant[b]).collect()
}

/// Whether category `cat` has the same floating-catchment requests and coverage under
/// `a` and `b`.
fn same_category_params(a: &AccessSpec, b: &AccessSpec, cat: &str) -> bool {
    let requests = |s: &AccessSpec| -> Vec<_> {
        requests_of(s, cat)
            .into_iter()
            .map(|r| s.fca[r].method.clone())
            .collect()
    };
    let covered = |s: &AccessSpec| s.coverage.iter().any(|c| c == cat);
    requests(a) == requests(b)
        && covered(a) == covered(b)
        && (!covered(a) || a.thresholds == b.thresholds)
}

/// How a variant's sites differ from the baseline's.
struct SiteDiff {
    /// Variant index of each baseline site, `None` when removed.
    in_variant: Vec<Option<usize>>,
    /// Baseline sites to take out: removed or changed.
    out_b: Vec<usize>,
    /// Variant sites to put in: changed or added, sorted.
    in_v: Vec<usize>,
    /// Per variant site, whether it must be snapped again (added or moved).
    moved: Vec<bool>,
}

impl SiteDiff {
    /// Compares `variant` with `base_sites`, counting removed, changed and added sites in
    /// `stats`; fails when the variant names a baseline site that does not exist or twice.
    fn new(
        base_sites: &[Site],
        variant: &Variant,
        stats: &mut UpdateStats,
    ) -> Result<SiteDiff, UpdateError> {
        let sites = &variant.sites;
        let mut in_variant: Vec<Option<usize>> = vec![None; base_sites.len()];
        for (j, b) in variant.from_base.iter().enumerate() {
            if let Some(b) = *b {
                match in_variant.get_mut(b) {
                    Some(slot @ None) => *slot = Some(j),
                    _ => return Err(UpdateError::BadBase { site: j, base: b }),
                }
            }
        }
        let mut out_b: Vec<usize> = Vec::new();
        let mut in_v: Vec<usize> = Vec::new();
        let mut moved = vec![false; sites.len()];
        for (b, v) in in_variant.iter().enumerate() {
            match v {
                None => {
                    stats.removed += 1;
                    out_b.push(b);
                }
                Some(j) if sites[*j] != base_sites[b] => {
                    stats.changed += 1;
                    out_b.push(b);
                    in_v.push(*j);
                    moved[*j] =
                        sites[*j].lon != base_sites[b].lon || sites[*j].lat != base_sites[b].lat;
                }
                Some(_) => {}
            }
        }
        for (j, b) in variant.from_base.iter().enumerate() {
            if b.is_none() {
                stats.added += 1;
                in_v.push(j);
                moved[j] = true;
            }
        }
        in_v.sort_unstable();
        Ok(SiteDiff {
            in_variant,
            out_b,
            in_v,
            moved,
        })
    }
}
