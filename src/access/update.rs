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
//! - nearest (and *k*-th nearest) sites of a category whose sites were removed, added or
//!   moved are updated from the baseline's node labels ([`edit_nearest`]): only the nodes
//!   whose *k* nearest sites change are searched, only the origins that depart from them
//!   (or stand on a changed site's road piece) are recomputed, and the result is
//!   bit-identical to a full search; a change of supply alone leaves them as they were.

use super::{
    nearest_categories, of_category, placed, requests_of, supply_of, swept_categories,
    AccessEngine, AccessError, AccessResults, AccessSpec, Baseline, CategoryOut, CategoryState,
    NearestLayer,
};
use crate::indicators::catchment::{Catchments, NetworkCatchments, Reach, SWEEP_CHUNK};
use crate::indicators::coverage::CoverageCounter;
use crate::indicators::fca::SiteShare;
use crate::indicators::nearest::{edit_nearest, NearestEdit};
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
    /// Nodes whose nearest sites changed (all categories updated incrementally).
    pub nearest_nodes: usize,
    /// Origins whose nearest sites were searched again (the others kept theirs).
    pub nearest_origins: usize,
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
    /// The baseline lacks a layer its state says it computed (an engine invariant broken).
    #[error("the baseline has no {0} layer")]
    MissingLayer(String),
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
        let nearest_layers = || -> Result<(Vec<NearestLayer>, [usize; 2]), AccessError> {
            let mut counts = [0; 2];
            let layers = nearest_categories(spec, sites)
                .into_iter()
                .map(|cat| {
                    let before = base
                        .results
                        .nearest
                        .iter()
                        .find(|l| l.category == cat)
                        .filter(|_| nearest_same);
                    Ok(match before {
                        Some(l) if !touched.contains(cat.as_str()) => NearestLayer {
                            category: cat,
                            sites: remap(&l.sites, &in_variant),
                            nearest: l.nearest.clone(),
                        },
                        Some(l) => {
                            let edited =
                                self.edit_layer(base, base_sites, variant, snaps, &moved, l)?;
                            if let Some((_, c)) = &edited {
                                counts[0] += c[0];
                                counts[1] += c[1];
                            }
                            match edited {
                                Some((layer, _)) => layer,
                                None => self.nearest_layer(&cat, sites, snaps)?.0,
                            }
                        }
                        None => self.nearest_layer(&cat, sites, snaps)?.0,
                    })
                })
                .collect::<Result<_, AccessError>>()?;
            Ok((layers, counts))
        };
        let change = Change {
            base,
            base_sites,
            variant,
            variant_snaps: snaps,
            out_b: &out_b,
            in_v: &in_v,
        };
        let category_states =
            || -> Result<(BTreeMap<String, CategoryOut>, UpdateStats), AccessError> {
                let mut stats = UpdateStats::default();
                let mut outs = BTreeMap::new();
                for cat in swept_categories(spec) {
                    let same_params = same_category_params(&self.spec, spec, &cat);
                    let out = match base.states.get(&cat) {
                        Some(s) if same_params && !touched.contains(cat.as_str()) => {
                            self.base_out(base, spec, &cat, s)?
                        }
                        Some(s) if same_params => {
                            stats.updated.push(cat.clone());
                            let (out, searches) = self.update_category(spec, s, &cat, &change)?;
                            stats.searches += searches;
                            out
                        }
                        _ => {
                            stats.reswept.push(cat.clone());
                            CategoryOut::of(&self.sweep_category(spec, &cat, sites, snaps)?)
                        }
                    };
                    outs.insert(cat, out);
                }
                Ok((outs, stats))
            };
        let (nearest, swept) = rayon::join(nearest_layers, category_states);
        let (nearest, [nearest_nodes, nearest_origins]) = nearest?;
        out.nearest = nearest;
        stats.nearest_nodes = nearest_nodes;
        stats.nearest_origins = nearest_origins;
        let (states, swept_stats) = swept?;
        stats.updated = swept_stats.updated;
        stats.reswept = swept_stats.reswept;
        stats.searches = swept_stats.searches;
        super::collect(spec, &mut out, sites, states);
        stats.seconds = t.elapsed().as_secs_f64();
        out.timings.fca = stats.seconds;
        Ok(Update {
            results: out,
            stats,
        })
    }

    /// The nearest layer of `base_layer`'s category after `variant`, updated from the
    /// baseline's node labels, with the nodes and origins recomputed; `None` when it must be
    /// searched in full (no labels kept, or kept sites reordered).
    fn edit_layer(
        &self,
        base: &Baseline,
        base_sites: &[Site],
        variant: &Variant,
        snaps: &[Result<Snapped, Unsnapped>],
        moved: &[bool],
        base_layer: &NearestLayer,
    ) -> Result<Option<(NearestLayer, [usize; 2])>, AccessError> {
        let cat = base_layer.category.as_str();
        let Some(labels) = base.labels.get(cat) else {
            return Ok(None);
        };
        let base_idx = of_category(base_sites, cat);
        let idx = of_category(&variant.sites, cat);
        let kept_from: Vec<Option<usize>> = idx
            .iter()
            .map(|&j| {
                let b = variant.from_base[j].filter(|_| !moved[j])?;
                base_idx.binary_search(&b).ok()
            })
            .collect();
        if kept_from.len() == base_idx.len() && (0..idx.len()).all(|p| kept_from[p] == Some(p)) {
            // Supply changed, not where the sites stand.
            let layer = NearestLayer {
                sites: idx,
                ..base_layer.clone()
            };
            return Ok(Some((layer, [0, 0])));
        }
        let edit = NearestEdit {
            base_sites: &placed(&base.results.site_snaps, &base_idx),
            base_labels: labels,
            base_nearest: &base_layer.nearest,
            sites: &placed(snaps, &idx),
            kept_from: &kept_from,
        };
        let edited = edit_nearest(
            self.graph,
            self.catchments.origins(),
            &edit,
            self.nearest_max_ms(),
        )?;
        Ok(edited.map(|e| {
            let layer = NearestLayer {
                category: cat.to_string(),
                sites: idx,
                nearest: e.nearest,
            };
            (layer, [e.nodes, e.origins])
        }))
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

    /// Category `cat`'s results (`base_state` in the baseline) after `change`; returns them
    /// and the catchment searches made. A few changed sites (up to a sweep chunk) patch
    /// the baseline's results where their catchments reach, without copying its state;
    /// more are swept out of and into a copy of it.
    fn update_category(
        &self,
        spec: &AccessSpec,
        base_state: &CategoryState,
        cat: &str,
        change: &Change,
    ) -> Result<(CategoryOut, usize), AccessError> {
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
        // In: the variant's new and changed sites of this category.
        let coming: Vec<usize> = change
            .in_v
            .iter()
            .copied()
            .filter(|&j| sites[j].category == cat)
            .collect();
        let requests = requests_of(spec, cat);
        let sides = Sides {
            gone_at: gone.iter().map(|&k| base_idx[k]).collect(),
            gone_supply: gone.iter().map(|&k| base_state.supply[k].clone()).collect(),
            gone_capacity: gone
                .iter()
                .map(|&k| base_sites[base_idx[k]].capacity)
                .collect(),
            coming_supply: coming
                .iter()
                .map(|&j| supply_of(spec, &requests, &sites[j]))
                .collect(),
            coming_capacity: coming.iter().map(|&j| sites[j].capacity).collect(),
            coming,
        };
        let (mut out, coming_shares) = if gone.len() + sides.coming.len() <= SWEEP_CHUNK {
            let out = self.base_out(change.base, spec, cat, base_state)?;
            self.patch_category(base_state, out, change, &sides)?
        } else {
            resweep_changes(&self.catchments, base_state, change, &sides)?
        };
        out.requests = requests;
        // The variant's order: its sites of this category as they come in its list.
        let new_at: BTreeMap<usize, usize> = sides
            .coming
            .iter()
            .enumerate()
            .map(|(c, &j)| (j, c))
            .collect();
        out.shares.clear();
        for j in of_category(sites, cat) {
            if let Some(&c) = new_at.get(&j) {
                out.shares.push(coming_shares[c].clone());
            } else {
                let k = change.variant.from_base[j]
                    .and_then(|b| local_b.get(&b).copied())
                    .ok_or(UpdateError::Inconsistent {
                        site: j,
                        reason: "has no baseline site",
                    })?;
                out.shares.push(base_state.shares[k].clone());
            }
        }
        Ok((out, gone.len() + sides.coming.len()))
    }

    /// The baseline's results of category `cat` (state `state`), under `spec`'s request
    /// indices.
    fn base_out(
        &self,
        base: &Baseline,
        spec: &AccessSpec,
        cat: &str,
        state: &CategoryState,
    ) -> Result<CategoryOut, UpdateError> {
        let access = requests_of(&self.spec, cat)
            .into_iter()
            .map(|r| {
                let layer = base
                    .results
                    .fca
                    .iter()
                    .find(|l| l.request == self.spec.fca[r])
                    .ok_or_else(|| UpdateError::MissingLayer(self.spec.fca[r].name.clone()))?;
                Ok((layer.result.access.clone(), layer.result.reached.clone()))
            })
            .collect::<Result<_, UpdateError>>()?;
        let coverage = match state.coverage {
            Some(_) => Some(
                base.results
                    .coverage
                    .iter()
                    .find(|l| l.category == cat)
                    .ok_or_else(|| UpdateError::MissingLayer(format!("{cat} coverage")))?
                    .coverage
                    .clone(),
            ),
            None => None,
        };
        Ok(CategoryOut {
            requests: requests_of(spec, cat),
            shares: state.shares.clone(),
            access,
            coverage,
        })
    }

    /// `out` (the baseline's results of a category, state `state`) with the sites of
    /// `sides` taken out and put in, rewritten only at the origins their catchments reach;
    /// returns it and what each coming site gives.
    fn patch_category(
        &self,
        state: &CategoryState,
        mut out: CategoryOut,
        change: &Change,
        sides: &Sides,
    ) -> Result<(CategoryOut, Vec<Vec<SiteShare>>), AccessError> {
        let radius = state
            .coverage
            .as_ref()
            .and_then(CoverageCounter::radius)
            .map_or(state.fca.radius(), |r| r.max(state.fca.radius()));
        let reaches = |snaps: &[Result<Snapped, Unsnapped>], idx: &[usize]| {
            if idx.is_empty() {
                return Ok(Vec::new());
            }
            self.catchments
                .with_sites(placed(snaps, idx))
                .reaches(0, idx.len(), radius)
        };
        let gone_reach = reaches(&change.base.results.site_snaps, &sides.gone_at)?;
        let coming_reach = reaches(change.variant_snaps, &sides.coming)?;
        let (coming_shares, patched) = state.fca.patch(
            &pairs(&sides.gone_supply, &gone_reach),
            &pairs(&sides.coming_supply, &coming_reach),
        );
        for ((access, reached), origins) in out.access.iter_mut().zip(patched) {
            for (i, a, r) in origins {
                access[i as usize] = a;
                reached[i as usize] = r;
            }
        }
        if let (Some(counter), Some(cov)) = (&state.coverage, out.coverage.as_mut()) {
            let counted: Vec<(f64, &Reach, bool)> = sides
                .gone_capacity
                .iter()
                .zip(&gone_reach)
                .map(|(&c, r)| (c, r, false))
                .chain(
                    sides
                        .coming_capacity
                        .iter()
                        .zip(&coming_reach)
                        .map(|(&c, r)| (c, r, true)),
                )
                .collect();
            counter.patch(cov, &counted);
        }
        Ok((out, coming_shares))
    }
}

/// The sites a variant takes out of and puts into one category.
struct Sides {
    /// Baseline indices of the sites taken out.
    gone_at: Vec<usize>,
    /// Their supply, one value per request.
    gone_supply: Vec<Vec<f64>>,
    /// Their capacity.
    gone_capacity: Vec<f64>,
    /// Variant indices of the sites put in, increasing.
    coming: Vec<usize>,
    /// Their supply, one value per request.
    coming_supply: Vec<Vec<f64>>,
    /// Their capacity.
    coming_capacity: Vec<f64>,
}

/// The results of a category (state `base_state`) with the sites of `sides` swept out of
/// and into a copy of its state, and what each coming site gives.
fn resweep_changes(
    catchments: &NetworkCatchments,
    base_state: &CategoryState,
    change: &Change,
    sides: &Sides,
) -> Result<(CategoryOut, Vec<Vec<SiteShare>>), AccessError> {
    let mut state = base_state.clone();
    let gone = catchments.with_sites(placed(&change.base.results.site_snaps, &sides.gone_at));
    state.fca.sweep_out(
        &gone,
        &sides.gone_supply,
        state
            .coverage
            .as_mut()
            .map(|c| (c, sides.gone_capacity.as_slice())),
    )?;
    let coming = catchments.with_sites(placed(change.variant_snaps, &sides.coming));
    let coming_shares = state.fca.sweep_in(
        &coming,
        &sides.coming_supply,
        state
            .coverage
            .as_mut()
            .map(|c| (c, sides.coming_capacity.as_slice())),
    )?;
    Ok((CategoryOut::of(&state), coming_shares))
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

/// `(supply, reach)` of each site.
fn pairs<'a>(supply: &'a [Vec<f64>], reach: &'a [Reach]) -> Vec<(&'a [f64], &'a Reach)> {
    supply.iter().map(Vec::as_slice).zip(reach).collect()
}
