//! The national benchmark's inputs, shared by `national_access` and `sweep_profile`: about
//! 2 M weighted origins and 100 k sites placed near graph nodes drawn at random (fixed
//! seed), and the study's specification.

use recours::access::{AccessSpec, FcaRequest};
use recours::indicators::apl::AplRules;
use recours::indicators::kernel::Kernel;
use recours::indicators::method::FcaMethod;
use recours::inputs::demand::standardise::AgeWeights;
use recours::inputs::demand::Origin;
use recours::inputs::supply::Site;
use recours::network::graph::Graph;
use recours::synth::rng::SplitMix64;

/// A small offset in degrees (up to ≈ 150 m).
fn jitter(rng: &mut SplitMix64) -> f64 {
    (rng.below(2001) as f64 - 1000.0) * 1.5e-6
}

/// `n_origins` origins of 1–67 inhabitants (34 on average) with Filosofi-like age bands,
/// and `n_sites` sites: 55 % GPs (activity 2,000–8,000 acts, ages 30–74), 10 % radiology,
/// 5 % gastro-enterology, 20 % pharmacies, 10 % other; all near nodes of `graph` drawn
/// with seed 2026, so they follow the network's density.
pub fn national_points(
    graph: &Graph,
    n_origins: usize,
    n_sites: usize,
) -> (Vec<Origin>, Vec<Site>) {
    let n = graph.node_count() as u64;
    let mut rng = SplitMix64::new(2026);
    let near_node = |rng: &mut SplitMix64| {
        let (lon, lat) = graph.node_lonlat(rng.below(n) as u32);
        (lon + jitter(rng), lat + jitter(rng))
    };
    let origins: Vec<Origin> = (0..n_origins)
        .map(|i| {
            let (lon, lat) = near_node(&mut rng);
            let population = 1.0 + rng.below(67) as f64;
            let mut ages = [0.0; 10];
            let shares = [0.04, 0.025, 0.06, 0.08, 0.08, 0.18, 0.2, 0.12, 0.15, 0.065];
            for (a, s) in ages.iter_mut().zip(shares) {
                *a = population * s;
            }
            Origin {
                id: format!("o{i}"),
                lon,
                lat,
                population,
                ages: Some(ages),
                income: None,
                source: "synthetic".into(),
            }
        })
        .collect();
    let sites: Vec<Site> = (0..n_sites)
        .map(|j| {
            let (lon, lat) = near_node(&mut rng);
            let category = match rng.below(100) {
                0..=54 => "gp",
                55..=64 => "radiology",
                65..=69 => "gastro",
                70..=89 => "pharmacy",
                _ => "other",
            };
            Site {
                id: format!("s{j}"),
                category: category.into(),
                lon,
                lat,
                capacity: 1.0,
                activity: Some(2_000.0 + rng.below(6_001) as f64),
                age: Some(30 + rng.below(45) as u32),
                source: "synthetic".into(),
            }
        })
        .collect();
    (origins, sites)
}

/// The national study: nearest GP, radiology and gastro with the 3rd nearest, GP coverage
/// at 5, 10, 15, 20 and 30 min, GP E2SFCA at 30 min and APL at 20 min (one shared sweep).
pub fn national_spec() -> AccessSpec {
    AccessSpec {
        nearest: vec!["gp".into(), "radiology".into(), "gastro".into()],
        kth: Some(3),
        nearest_max_minutes: None,
        coverage: vec!["gp".into()],
        thresholds: vec![5.0, 10.0, 15.0, 20.0, 30.0],
        fca: vec![
            FcaRequest {
                name: "gp_e2sfca_30".into(),
                category: "gp".into(),
                method: FcaMethod::Kernel(Kernel::e2sfca(30.0)),
            },
            FcaRequest {
                name: "apl".into(),
                category: "gp".into(),
                method: FcaMethod::Apl(AplRules::default()),
            },
        ],
        age_weights: Some(AgeWeights([
            0.9, 0.7, 0.6, 0.5, 0.6, 0.8, 0.9, 1.1, 1.5, 2.0,
        ])),
        max_snap_m: 1000.0,
    }
}
