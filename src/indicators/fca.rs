//! The floating-catchment family: 2SFCA (Luo & Wang 2003, *Environment and Planning B*
//! 30(6)), E2SFCA (Luo & Qi 2009, *Health & Place* 15(4)), kernel variants, and APL's core
//! (see [`super::apl`]):
//!
//! ```text
//! R_j = S_j / Σ_i f(t_ij) · D_i        supply-to-demand ratio of site j
//! A_i = Σ_j f(t_ij) · R_j              accessibility of origin i
//! ```
//!
//! with *S_j* the capacity of site *j* (professionals, ETP, acts a year…), *D_i* the demand
//! of origin *i* (inhabitants, plain or age-standardised), *t_ij* the trip in minutes and
//! *f* a [`Kernel`]. *A_i* is in capacity units per unit of demand (doctors per
//! inhabitant; consultations a year per standardised inhabitant for APL).
//!
//! A site reached by no demand (Σ f·D = 0) has no ratio and gives nothing; an origin within
//! no catchment has *A_i* = 0 and is flagged (`reached = false`) so that it is reported,
//! not mistaken for a computed zero. Supply is conserved: when every site with capacity is
//! reached by some demand, Σ_i D_i · A_i = Σ_j S_j.
//!
//! Worked example (asserted in the tests): origins D = (100, 200, 300), sites
//! S = (2, 1), times o0→s0 10 min, o1→s0 20, o1→s1 25, o2→s1 5, o0→s1 40.
//! - 2SFCA at 30 min: R0 = 2 / (100 + 200) = 1/150, R1 = 1 / (200 + 300) = 1/500;
//!   A = (1/150, 1/150 + 1/500, 1/500) = (0.006667, 0.008667, 0.002);
//!   Σ D·A = 0.6667 + 1.7333 + 0.6 = 3 = S0 + S1.
//! - E2SFCA 1 / 0.68 / 0.22 over 10 / 20 / 30 min (bounds inclusive):
//!   R0 = 2 / (100 + 0.68·200) = 2/236, R1 = 1 / (0.22·200 + 300) = 1/344;
//!   A = (2/236, 0.68·2/236 + 0.22/344, 1/344) = (0.008475, 0.006402, 0.002907).
//!
//! One sweep suffices: *R_j* depends on site *j*'s own catchment only, so each site's reach
//! gives its ratio and is then shared out at once. Weighted demands are summed in origin
//! order; accessibilities are exact sums ([`FcaState`]) correctly rounded once, so results
//! are bit-identical whatever the number of threads or the order sites are added in — which
//! lets scenarios update a state site by site ([`FcaState::sweep_in`], [`FcaState::sweep_out`]) and
//! get exactly the numbers of a full recomputation.

use super::catchment::{sweep_chunks, Catchments, Reach};
use super::coverage::CoverageCounter;
use super::kernel::{Kernel, KernelError};
use crate::routing::dijkstra::SearchError;
use crate::support::exact_sum::ExactSum;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// One floating-catchment computation: a kernel, a capacity per site and a demand per
/// origin.
#[derive(Clone, Debug, PartialEq)]
pub struct FcaSpec {
    /// Distance decay and catchment radius.
    pub kernel: Kernel,
    /// Capacity *S_j* of each site, in the study's supply unit.
    pub supply: Vec<f64>,
    /// Demand *D_i* of each origin (inhabitants, plain or standardised).
    pub demand: Vec<f64>,
}

/// Results of one [`FcaSpec`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FcaResult {
    /// *A_i* per origin, supply units per unit of demand (0 when `reached[i]` is false).
    pub access: Vec<f64>,
    /// Whether origin *i* lies in the catchment (weight > 0) of at least one site.
    pub reached: Vec<bool>,
    /// Weighted demand Σ_i f(t_ij)·D_i reaching each site.
    pub site_demand: Vec<f64>,
    /// *R_j* per site; `None` when no demand reaches the site.
    pub ratio: Vec<Option<f64>>,
}

/// Why a floating-catchment computation could not run.
#[derive(Debug, thiserror::Error)]
pub enum FcaError {
    /// The kernel's parameters are unusable.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// Supply or demand vector of the wrong length, or a negative / non-finite value.
    #[error("floating catchment: {0}")]
    Input(String),
    /// A network search failed.
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// Computes every spec of `specs` over `catchments` in one sweep shared by all of them
/// (radius = the largest of their kernels): each site's reach gives its weighted demand,
/// hence its ratio, which is then shared out to the same reach.
///
/// The module's worked example, 2SFCA at 30 minutes:
///
/// ```
/// use recours::indicators::{floating_catchment, FcaSpec, Kernel, TimesCatchments};
///
/// // Origins D = (100, 200, 300), sites S = (2, 1); trips (origin, site, minutes).
/// let trips = [(0, 0, 10.0), (1, 0, 20.0), (1, 1, 25.0), (2, 1, 5.0), (0, 1, 40.0)];
/// let demand = vec![100.0, 200.0, 300.0];
/// let spec = FcaSpec { kernel: Kernel::binary(30.0), supply: vec![2.0, 1.0], demand: demand.clone() };
/// let r = &floating_catchment(&TimesCatchments::new(3, 2, &trips), &[spec])?[0];
/// // R0 = 2 / (100 + 200), R1 = 1 / (200 + 300): origin 1 is in both catchments.
/// assert_eq!(r.ratio, [Some(2.0 / 300.0), Some(1.0 / 500.0)]);
/// assert!((r.access[1] - (2.0 / 300.0 + 1.0 / 500.0)).abs() < 1e-15);
/// // Supply is conserved: Σ D·A = S0 + S1 = 3 doctors.
/// let served: f64 = r.access.iter().zip(&demand).map(|(a, d)| a * d).sum();
/// assert!((served - 3.0).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn floating_catchment<C: Catchments + ?Sized>(
    catchments: &C,
    specs: &[FcaSpec],
) -> Result<Vec<FcaResult>, FcaError> {
    floating_catchment_and(catchments, specs, None)
}

/// As [`floating_catchment`], also counting coverage in the same sweep (whose radius then
/// covers the counter's largest threshold), site `j` counting `capacity[j]`.
pub fn floating_catchment_and<C: Catchments + ?Sized>(
    catchments: &C,
    specs: &[FcaSpec],
    coverage: Option<(&mut CoverageCounter, &[f64])>,
) -> Result<Vec<FcaResult>, FcaError> {
    let (n_o, n_s) = (catchments.origin_count(), catchments.site_count());
    for spec in specs {
        check(spec, n_o, n_s)?;
    }
    let mut state = FcaState::new(
        n_o,
        specs
            .iter()
            .map(|s| (s.kernel.clone(), s.demand.clone()))
            .collect(),
    );
    let supply: Vec<Vec<f64>> = (0..n_s)
        .map(|j| specs.iter().map(|s| s.supply[j]).collect())
        .collect();
    let sites = state.sweep_in(catchments, &supply, coverage)?;
    Ok(state.results(sites))
}

/// Origins whose accessibility a patch changes: `(origin, accessibility, reached)`, by
/// increasing origin.
pub type PatchedOrigins = Vec<(u32, f64, bool)>;

/// What one site gives under one spec: its weighted demand and ratio.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SiteShare {
    /// Weighted demand Σ_i f(t_ij)·D_i of its catchment.
    pub demand: f64,
    /// *R_j* = S_j / demand; `None` when no demand reaches the site.
    pub ratio: Option<f64>,
}

/// The accessibility of every origin under several specs (sharing their sites), held as
/// exact sums that sites can be added to and taken out of one at a time. The result is the
/// correctly rounded Σ_j f(t_ij)·R_j whatever the order of the sites, so a state updated
/// site by site (a scenario that removes, adds or changes sites) is bit-identical to the
/// state of the final sites computed afresh.
#[derive(Clone, Debug, PartialEq)]
pub struct FcaState {
    /// Kernel and demand per origin, per spec.
    specs: Vec<(Kernel, Vec<f64>)>,
    /// Exact Σ_j f(t_ij)·R_j, per spec, per origin.
    access: Vec<Vec<ExactSum>>,
    /// Sites whose catchment (weight > 0) holds the origin, per spec, per origin.
    reached: Vec<Vec<u32>>,
}

impl FcaState {
    /// An empty state (no site) for `origins` origins and `(kernel, demand)` per spec.
    pub fn new(origins: usize, specs: Vec<(Kernel, Vec<f64>)>) -> FcaState {
        FcaState {
            access: vec![vec![ExactSum::default(); origins]; specs.len()],
            reached: vec![vec![0; origins]; specs.len()],
            specs,
        }
    }

    /// The sweep radius the kernels need, minutes.
    pub fn radius(&self) -> f64 {
        self.specs
            .iter()
            .map(|s| s.0.max_minutes())
            .fold(0.0, f64::max)
    }

    /// What a site of `supply` (one value per spec) reached from `reach` gives under each
    /// spec: its weighted demand (summed in origin order) and ratio.
    fn shares(&self, supply: &[f64], reach: &Reach) -> Vec<SiteShare> {
        self.specs
            .iter()
            .enumerate()
            .map(|(k, (kernel, demand))| {
                let mut d = 0.0;
                for &(i, t) in reach {
                    d += kernel.weight(t) * demand[i as usize];
                }
                let ratio = (d > 0.0).then(|| supply.get(k).copied().unwrap_or(0.0) / d);
                SiteShare { demand: d, ratio }
            })
            .collect()
    }

    /// Adds every site of `catchments` (site `j` of `supply[j]`, one value per spec) in one
    /// sweep, counting coverage on the way when a counter is given (site `j` of capacity
    /// `capacity[j]`); returns what each site gives, per site then per spec. Each chunk of
    /// sites is searched in parallel, then shared out in parallel over stripes of origins
    /// (sums are exact, so the split changes nothing).
    pub fn sweep_in<C: Catchments + ?Sized>(
        &mut self,
        catchments: &C,
        supply: &[Vec<f64>],
        coverage: Option<(&mut CoverageCounter, &[f64])>,
    ) -> Result<Vec<Vec<SiteShare>>, FcaError> {
        self.sweep_apply(catchments, supply, coverage, true)
    }

    /// Takes out every site of `catchments`, as added by [`FcaState::sweep_in`] (same
    /// supply, capacity and catchments), in one sweep.
    pub fn sweep_out<C: Catchments + ?Sized>(
        &mut self,
        catchments: &C,
        supply: &[Vec<f64>],
        coverage: Option<(&mut CoverageCounter, &[f64])>,
    ) -> Result<Vec<Vec<SiteShare>>, FcaError> {
        self.sweep_apply(catchments, supply, coverage, false)
    }

    fn sweep_apply<C: Catchments + ?Sized>(
        &mut self,
        catchments: &C,
        supply: &[Vec<f64>],
        mut coverage: Option<(&mut CoverageCounter, &[f64])>,
        add: bool,
    ) -> Result<Vec<Vec<SiteShare>>, FcaError> {
        let radius = coverage
            .as_ref()
            .and_then(|c| c.0.radius())
            .map_or(self.radius(), |r| r.max(self.radius()));
        let mut shares = vec![Vec::new(); catchments.site_count()];
        if self.specs.is_empty() && coverage.is_none() {
            return Ok(shares);
        }
        let stripe = stripe_len(self.access.first().map_or(0, Vec::len));
        sweep_chunks(catchments, radius, |first, reaches| {
            let supply_of = |j: usize| supply.get(j).map_or(&[][..], Vec::as_slice);
            let chunk: Vec<Vec<SiteShare>> = reaches
                .par_iter()
                .enumerate()
                .map(|(k, r)| self.shares(supply_of(first + k), r))
                .collect();
            if let Some((c, capacity)) = coverage.as_mut() {
                let sites: Vec<(f64, &Reach)> = reaches
                    .iter()
                    .enumerate()
                    .map(|(k, r)| (capacity.get(first + k).copied().unwrap_or(0.0), r))
                    .collect();
                c.count_all(&sites, add);
            }
            let FcaState {
                specs,
                access,
                reached,
            } = &mut *self;
            for (k, (kernel, _)) in specs.iter().enumerate() {
                access[k]
                    .par_chunks_mut(stripe)
                    .zip(reached[k].par_chunks_mut(stripe))
                    .enumerate()
                    .for_each(|(s, (acc, rch))| {
                        for (reach, sh) in reaches.iter().zip(&chunk) {
                            scatter(kernel, sh[k].ratio, reach, s * stripe, acc, rch, add);
                        }
                    });
            }
            for (k, sh) in chunk.into_iter().enumerate() {
                shares[first + k] = sh;
            }
        })?;
        Ok(shares)
    }

    /// What a few sites change, computed without changing the state: the sites `out`
    /// taken out (as added: same supply, one value per spec, and reach) and the sites
    /// `into` put in. Returns what each site of `into` gives, per spec, and per spec the
    /// origins whose sums change, increasing, with their new accessibility and whether a
    /// site still reaches them — what [`FcaState::sweep_out`] then
    /// [`FcaState::sweep_in`] would leave, bit for bit, touching only those origins.
    pub fn patch(
        &self,
        out: &[(&[f64], &Reach)],
        into: &[(&[f64], &Reach)],
    ) -> (Vec<Vec<SiteShare>>, Vec<PatchedOrigins>) {
        let shares = |sites: &[(&[f64], &Reach)]| -> Vec<Vec<SiteShare>> {
            sites.iter().map(|(s, r)| self.shares(s, r)).collect()
        };
        let (gone, coming) = (shares(out), shares(into));
        let changes: Vec<(&Reach, &Vec<SiteShare>, bool)> = out
            .iter()
            .zip(&gone)
            .map(|((_, r), sh)| (*r, sh, false))
            .chain(into.iter().zip(&coming).map(|((_, r), sh)| (*r, sh, true)))
            .collect();
        let origins = (0..self.specs.len())
            .map(|k| {
                let kernel = &self.specs[k].0;
                let mut touched: BTreeMap<u32, (ExactSum, u32)> = BTreeMap::new();
                for &(reach, sh, add) in &changes {
                    for &(i, t) in reach {
                        let w = if t > kernel.max_minutes() {
                            0.0
                        } else {
                            kernel.weight(t)
                        };
                        if w <= 0.0 {
                            continue;
                        }
                        let (sum, n) = touched.entry(i).or_insert_with(|| {
                            (
                                self.access[k][i as usize].clone(),
                                self.reached[k][i as usize],
                            )
                        });
                        *n = if add {
                            n.saturating_add(1)
                        } else {
                            n.saturating_sub(1)
                        };
                        match (sh[k].ratio, add) {
                            (Some(r), true) => sum.add(w * r),
                            (Some(r), false) => sum.sub(w * r),
                            (None, _) => {}
                        }
                    }
                }
                touched
                    .into_iter()
                    .map(|(i, (sum, n))| (i, sum.value(), n > 0))
                    .collect()
            })
            .collect();
        (coming, origins)
    }

    /// Accessibility per origin and whether it is reached, per spec.
    pub fn access(&self, spec: usize) -> (Vec<f64>, Vec<bool>) {
        (
            self.access[spec].iter().map(ExactSum::value).collect(),
            self.reached[spec].iter().map(|&n| n > 0).collect(),
        )
    }

    /// The results per spec, with `sites[j][spec]` what site `j` gives.
    pub fn results(&self, sites: Vec<Vec<SiteShare>>) -> Vec<FcaResult> {
        (0..self.specs.len())
            .map(|k| {
                let (access, reached) = self.access(k);
                FcaResult {
                    access,
                    reached,
                    site_demand: sites
                        .iter()
                        .map(|s| s.get(k).map_or(0.0, |x| x.demand))
                        .collect(),
                    ratio: sites
                        .iter()
                        .map(|s| s.get(k).and_then(|x| x.ratio))
                        .collect(),
                }
            })
            .collect()
    }
}

/// Origins per stripe when sites are shared out in parallel: a few stripes per thread.
pub(crate) fn stripe_len(origins: usize) -> usize {
    origins
        .div_ceil(4 * rayon::current_num_threads().max(1))
        .max(1)
}

/// Shares out (or takes back, `add = false`) a site of `ratio` reached from `reach` to the
/// origins `from..from + access.len()` (`access` and `reached` are that stripe).
fn scatter(
    kernel: &Kernel,
    ratio: Option<f64>,
    reach: &Reach,
    from: usize,
    access: &mut [ExactSum],
    reached: &mut [u32],
    add: bool,
) {
    let (lo, hi) = (from as u32, (from + access.len()) as u32);
    let first = reach.partition_point(|p| p.0 < lo);
    for &(i, t) in &reach[first..] {
        if i >= hi {
            break;
        }
        if t > kernel.max_minutes() {
            continue;
        }
        let w = kernel.weight(t);
        if w > 0.0 {
            let i = (i - lo) as usize;
            reached[i] = if add {
                reached[i].saturating_add(1)
            } else {
                reached[i].saturating_sub(1)
            };
            if let Some(r) = ratio {
                if add {
                    access[i].add(w * r);
                } else {
                    access[i].sub(w * r);
                }
            }
        }
    }
}

/// Checks a spec's lengths and values.
fn check(spec: &FcaSpec, origins: usize, sites: usize) -> Result<(), FcaError> {
    spec.kernel.validate()?;
    if spec.supply.len() != sites {
        return Err(FcaError::Input(format!(
            "{} capacities for {sites} sites",
            spec.supply.len()
        )));
    }
    if spec.demand.len() != origins {
        return Err(FcaError::Input(format!(
            "{} demands for {origins} origins",
            spec.demand.len()
        )));
    }
    let bad = |v: &f64| !(v.is_finite() && *v >= 0.0);
    if let Some(j) = spec.supply.iter().position(bad) {
        return Err(FcaError::Input(format!(
            "site {j}: capacity {} is not a finite number ≥ 0",
            spec.supply[j]
        )));
    }
    if let Some(i) = spec.demand.iter().position(bad) {
        return Err(FcaError::Input(format!(
            "origin {i}: demand {} is not a finite number ≥ 0",
            spec.demand[i]
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::catchment::TimesCatchments;
    use proptest::prelude::*;

    /// The worked example of the module documentation.
    fn example() -> TimesCatchments {
        TimesCatchments::new(
            3,
            2,
            &[
                (0, 0, 10.0),
                (1, 0, 20.0),
                (1, 1, 25.0),
                (2, 1, 5.0),
                (0, 1, 40.0),
            ],
        )
    }

    fn spec(kernel: Kernel) -> FcaSpec {
        FcaSpec {
            kernel,
            supply: vec![2.0, 1.0],
            demand: vec![100.0, 200.0, 300.0],
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
    }

    #[test]
    fn worked_example_2sfca() {
        let r = &floating_catchment(&example(), &[spec(Kernel::binary(30.0))]).unwrap()[0];
        let want = [1.0 / 150.0, 1.0 / 150.0 + 1.0 / 500.0, 1.0 / 500.0];
        for (a, w) in r.access.iter().zip(want) {
            assert!(close(*a, w), "{a} vs {w}");
        }
        assert_eq!(r.site_demand, vec![300.0, 500.0]);
        assert_eq!(r.ratio, vec![Some(2.0 / 300.0), Some(1.0 / 500.0)]);
        assert_eq!(r.reached, vec![true; 3]);
        let total: f64 = r
            .access
            .iter()
            .zip([100.0, 200.0, 300.0])
            .map(|(a, d)| a * d)
            .sum();
        assert!(close(total, 3.0));
    }

    #[test]
    fn worked_example_e2sfca() {
        let r = &floating_catchment(&example(), &[spec(Kernel::e2sfca(30.0))]).unwrap()[0];
        let want = [2.0 / 236.0, 0.68 * 2.0 / 236.0 + 0.22 / 344.0, 1.0 / 344.0];
        for (a, w) in r.access.iter().zip(want) {
            assert!(close(*a, w), "{a} vs {w}");
        }
    }

    #[test]
    fn outside_every_catchment_is_zero_and_flagged() {
        let r = &floating_catchment(&example(), &[spec(Kernel::binary(8.0))]).unwrap()[0];
        assert_eq!(r.reached, vec![false, false, true]);
        assert_eq!(r.access[..2], [0.0, 0.0]);
        assert_eq!(r.ratio[0], None);
        assert!(close(r.access[2], 1.0 / 300.0));
    }

    #[test]
    fn several_specs_share_the_sweeps_and_match_single_runs() {
        let specs = [spec(Kernel::binary(30.0)), spec(Kernel::apl())];
        let both = floating_catchment(&example(), &specs).unwrap();
        for (k, s) in specs.iter().enumerate() {
            let alone = floating_catchment(&example(), std::slice::from_ref(s)).unwrap();
            assert_eq!(both[k], alone[0]);
        }
    }

    #[test]
    fn coverage_counted_in_the_sweep_equals_its_own_sweep() {
        let c = example();
        let capacity = [2.0, 1.0];
        let alone =
            crate::indicators::coverage::coverage(&c, &capacity, &[5.0, 25.0, 45.0]).unwrap();
        let mut counter = CoverageCounter::new(3, &[5.0, 25.0, 45.0]);
        let with = floating_catchment_and(
            &c,
            &[spec(Kernel::binary(30.0))],
            Some((&mut counter, &capacity)),
        )
        .unwrap();
        assert_eq!(counter.finish(), alone);
        // The wider coverage radius (45 min) does not leak into the 30-minute catchments.
        assert_eq!(
            with,
            floating_catchment(&c, &[spec(Kernel::binary(30.0))]).unwrap()
        );
        assert_eq!(alone.sites_within(0, 2), 2);
    }

    #[test]
    fn bad_inputs_are_refused() {
        let mut s = spec(Kernel::binary(30.0));
        s.supply.pop();
        assert!(floating_catchment(&example(), &[s])
            .unwrap_err()
            .to_string()
            .contains("1 capacities for 2 sites"));
        let mut s = spec(Kernel::binary(30.0));
        s.demand[1] = f64::NAN;
        assert!(floating_catchment(&example(), &[s])
            .unwrap_err()
            .to_string()
            .contains("origin 1"));
    }

    /// A random instance: `(origins, sites, pairs, demand, supply)`.
    type Instance = (usize, usize, Vec<(u32, u32, f64)>, Vec<f64>, Vec<f64>);

    /// Random catchments.
    fn instance() -> impl Strategy<Value = Instance> {
        (1usize..12, 1usize..6).prop_flat_map(|(o, s)| {
            (
                Just(o),
                Just(s),
                proptest::collection::vec((0..o as u32, 0..s as u32, 0.0f64..45.0), 0..40),
                proptest::collection::vec(0.0f64..1000.0, o),
                proptest::collection::vec(0.0f64..10.0, s),
            )
        })
    }

    /// Brute force over a dense matrix, straight from the formulas.
    fn dense(
        o: usize,
        s: usize,
        pairs: &[(u32, u32, f64)],
        d: &[f64],
        sup: &[f64],
        k: &Kernel,
    ) -> Vec<f64> {
        let mut t = vec![vec![f64::INFINITY; s]; o];
        for &(i, j, m) in pairs {
            let c = &mut t[i as usize][j as usize];
            *c = c.min(m);
        }
        let r: Vec<f64> = (0..s)
            .map(|j| {
                let den: f64 = (0..o).map(|i| k.weight(t[i][j]) * d[i]).sum();
                if den > 0.0 {
                    sup[j] / den
                } else {
                    0.0
                }
            })
            .collect();
        (0..o)
            .map(|i| (0..s).map(|j| k.weight(t[i][j]) * r[j]).sum())
            .collect()
    }

    proptest! {
        #[test]
        fn matches_the_dense_formula_and_conserves_supply((o, s, pairs, d, sup) in instance()) {
            let c = TimesCatchments::new(o, s, &pairs);
            for k in [Kernel::binary(30.0), Kernel::e2sfca(30.0), Kernel::Gaussian { sigma_minutes: 12.0, max_minutes: 30.0 }] {
                let spec = FcaSpec { kernel: k.clone(), supply: sup.clone(), demand: d.clone() };
                let r = &floating_catchment(&c, &[spec]).unwrap()[0];
                let want = dense(o, s, &pairs, &d, &sup, &k);
                for (a, w) in r.access.iter().zip(&want) {
                    prop_assert!((a - w).abs() <= 1e-9 * w.abs().max(1e-12), "{} vs {}", a, w);
                }
                let distributed: f64 = r.access.iter().zip(&d).map(|(a, d)| a * d).sum();
                let served: f64 = (0..s).filter(|&j| r.ratio[j].is_some()).map(|j| sup[j]).sum();
                prop_assert!((distributed - served).abs() <= 1e-9 * served.max(1.0));
                for i in 0..o {
                    if !r.reached[i] {
                        prop_assert_eq!(r.access[i], 0.0);
                    }
                }
            }
        }

        #[test]
        fn more_supply_at_a_site_never_lowers_anyone((o, s, pairs, d, sup) in instance(), j in 0usize..6, extra in 0.0f64..5.0) {
            let c = TimesCatchments::new(o, s, &pairs);
            let j = j % s;
            let base = FcaSpec { kernel: Kernel::binary(30.0), supply: sup.clone(), demand: d.clone() };
            let mut more = base.clone();
            more.supply[j] += extra;
            let r = floating_catchment(&c, &[base, more]).unwrap();
            for i in 0..o {
                prop_assert!(r[1].access[i] >= r[0].access[i] - 1e-12);
            }
        }
    }
}
