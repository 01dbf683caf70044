//! Scenarios recomputed incrementally give exactly what a full recomputation gives: on a
//! street grid, random baselines (GPs and radiologists with random capacity, activity and
//! age) and random edits (sites removed, changed, moved, added; a kernel changed), the
//! variant computed from the baseline's state ([`AccessEngine::update`]) equals, bit for
//! bit, the indicators computed afresh on the variant's sites ([`compute_access`]).

mod common;

use common::grid_osm;
use proptest::prelude::*;
use recours::access::{
    compute_access, AccessEngine, AccessResults, AccessSpec, FcaRequest, Variant,
};
use recours::indicators::method::{method_from, MethodParams};
use recours::inputs::demand::Origin;
use recours::inputs::supply::Site;
use recours::network::builder::{build_graph, BuildOptions};
use recours::network::graph::Graph;
use recours::network::osm::read_osm_xml_str;
use recours::network::profile::Profile;
use std::sync::OnceLock;

fn graph() -> &'static Graph {
    static G: OnceLock<Graph> = OnceLock::new();
    G.get_or_init(|| {
        let raw = read_osm_xml_str(&grid_osm(), &Profile::builtin("car").unwrap()).unwrap();
        build_graph(raw, &BuildOptions::default()).0
    })
}

/// A point of the grid's area (the grid spans 2.470–2.481 E, 48.900–48.911 N), with a
/// margin so that some points cannot be snapped within 60 m.
fn place() -> impl Strategy<Value = (f64, f64)> {
    (2.4695f64..2.4815, 48.8995f64..48.9115)
}

fn origins() -> impl Strategy<Value = Vec<Origin>> {
    prop::collection::vec((place(), 0.0f64..500.0), 1..25).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, ((lon, lat), p))| Origin {
                id: format!("o{i}"),
                lon,
                lat,
                population: p.round(),
                ages: None,
                income: None,
                source: format!("origins.csv:{}", i + 2),
            })
            .collect()
    })
}

fn site(n: usize) -> impl Strategy<Value = Site> {
    (
        place(),
        prop_oneof![Just("gp"), Just("radiology")],
        prop_oneof![Just(1.0), Just(0.5), 0.1f64..3.0],
        prop::option::of(2_000.0f64..8_000.0),
        prop::option::of(30u32..75),
    )
        .prop_map(move |((lon, lat), cat, capacity, activity, age)| Site {
            id: format!("s{n}-{lon:.5}-{lat:.5}"),
            category: cat.to_string(),
            lon,
            lat,
            capacity,
            activity,
            age,
            source: "sites.csv:2".into(),
        })
}

/// One edit of a baseline site.
#[derive(Clone, Debug)]
enum Edit {
    Keep,
    Remove,
    Capacity(f64),
    Move((f64, f64)),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => Just(Edit::Keep),
        2 => Just(Edit::Remove),
        1 => (0.0f64..4.0).prop_map(Edit::Capacity),
        1 => place().prop_map(Edit::Move),
    ]
}

fn spec(bands: &str, thresholds: Vec<f64>) -> AccessSpec {
    let params = |bands: &str| MethodParams {
        bands: Some(bands.to_string()),
        ..MethodParams::default()
    };
    AccessSpec {
        nearest: vec![],
        kth: Some(2),
        nearest_max_minutes: None,
        coverage: vec!["gp".into(), "radiology".into()],
        thresholds,
        fca: vec![
            FcaRequest {
                name: "gp_e2sfca".into(),
                category: "gp".into(),
                method: method_from("e2sfca", &params(bands)).unwrap(),
            },
            FcaRequest {
                name: "gp_apl".into(),
                category: "gp".into(),
                method: method_from("apl", &params("0.5:1,1:0.66,1.5:0.33")).unwrap(),
            },
            FcaRequest {
                name: "radiology_2sfca".into(),
                category: "radiology".into(),
                method: method_from("2sfca", &params("1.5:1")).unwrap(),
            },
        ],
        age_weights: None,
        max_snap_m: 60.0,
    }
}

/// Results without their timings.
fn plain(mut r: AccessResults) -> AccessResults {
    r.timings = Default::default();
    r
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn incremental_equals_full(
        origins in origins(),
        base in prop::collection::vec(site(0), 0..10),
        edits in prop::collection::vec(edit(), 10),
        added in prop::collection::vec(site(1), 0..4),
        new_kernel in any::<bool>(),
    ) {
        let g = graph();
        let base_spec = spec("0.5:1,1:0.6,2:0.2", vec![0.5, 1.0, 2.5]);
        let engine = AccessEngine::new(g, &origins, &base_spec).unwrap();
        let baseline = engine.baseline(&base).unwrap();
        prop_assert_eq!(
            plain(baseline.results.clone()),
            plain(compute_access(g, &origins, &base, &base_spec).unwrap())
        );

        let mut variant = Variant::default();
        for (b, (s, e)) in base.iter().zip(&edits).enumerate() {
            let mut s = s.clone();
            match e {
                Edit::Keep => {}
                Edit::Remove => continue,
                Edit::Capacity(c) => s.capacity = *c,
                Edit::Move((lon, lat)) => {
                    s.lon = *lon;
                    s.lat = *lat;
                }
            }
            variant.sites.push(s);
            variant.from_base.push(Some(b));
        }
        for s in &added {
            variant.sites.push(s.clone());
            variant.from_base.push(None);
        }
        let variant_spec = if new_kernel {
            spec("0.7:1,1.4:0.5", vec![0.5, 1.0, 2.5])
        } else {
            base_spec.clone()
        };
        let update = engine
            .update(&baseline, &base, &variant, Some(&variant_spec))
            .unwrap();
        let full = compute_access(g, &origins, &variant.sites, &variant_spec).unwrap();
        prop_assert_eq!(plain(update.results), plain(full));
        let changed = update.stats.removed + update.stats.added + update.stats.changed;
        prop_assert!(update.stats.searches <= 2 * changed);
        if new_kernel {
            prop_assert!(update.stats.reswept.contains(&"gp".to_string()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Adding sites never lowers anyone's coverage or floating-catchment accessibility (a
    /// new site changes no other site's ratio).
    #[test]
    fn adding_sites_never_lowers_coverage_or_access(
        origins in origins(),
        base in prop::collection::vec(site(0), 0..8),
        added in prop::collection::vec(site(1), 1..4),
    ) {
        let g = graph();
        let s = spec("0.5:1,1:0.6,2:0.2", vec![0.5, 1.0, 2.5]);
        let engine = AccessEngine::new(g, &origins, &s).unwrap();
        let baseline = engine.baseline(&base).unwrap();
        let mut variant = Variant {
            sites: base.clone(),
            from_base: (0..base.len()).map(Some).collect(),
        };
        variant.sites.extend(added.iter().cloned());
        variant.from_base.extend(added.iter().map(|_| None));
        let u = engine.update(&baseline, &base, &variant, None).unwrap();
        for (b, a) in baseline.results.coverage.iter().zip(&u.results.coverage) {
            prop_assert_eq!(&b.category, &a.category);
            for (x, y) in b.coverage.sites.iter().zip(&a.coverage.sites) {
                prop_assert!(y >= x);
            }
            for (x, y) in b.coverage.capacity.iter().zip(&a.coverage.capacity) {
                prop_assert!(y >= x);
            }
        }
        for (b, a) in baseline.results.fca.iter().zip(&u.results.fca) {
            for (x, y) in b.result.access.iter().zip(&a.result.access) {
                prop_assert!(y >= x, "{}: {} then {}", b.request.name, x, y);
            }
        }
    }
}

#[test]
fn a_variant_without_changes_searches_nothing() {
    let g = graph();
    let origins: Vec<Origin> = (0..5)
        .map(|i| Origin {
            id: format!("o{i}"),
            lon: 2.471 + 0.002 * f64::from(i),
            lat: 48.905,
            population: 100.0,
            ages: None,
            income: None,
            source: "o.csv:2".into(),
        })
        .collect();
    let sites = vec![Site {
        id: "gp1".into(),
        category: "gp".into(),
        lon: 2.4755,
        lat: 48.9051,
        capacity: 1.0,
        activity: Some(5_000.0),
        age: Some(50),
        source: "s.csv:2".into(),
    }];
    let s = spec("0.5:1,1:0.6,2:0.2", vec![1.0]);
    let engine = AccessEngine::new(g, &origins, &s).unwrap();
    let baseline = engine.baseline(&sites).unwrap();
    let variant = Variant {
        sites: sites.clone(),
        from_base: vec![Some(0)],
    };
    let u = engine.update(&baseline, &sites, &variant, None).unwrap();
    assert_eq!(u.stats.searches, 0);
    assert!(u.stats.updated.is_empty() && u.stats.reswept.is_empty());
    assert_eq!(plain(u.results), plain(baseline.results.clone()));
    // Taking the only GP out leaves every origin unreached with access 0.
    let none = Variant::default();
    let u = engine.update(&baseline, &sites, &none, None).unwrap();
    assert_eq!(u.stats.removed, 1);
    assert_eq!(u.stats.searches, 1);
    let e2sfca = &u.results.fca[0].result;
    assert!(e2sfca.access.iter().all(|&a| a == 0.0));
    assert!(e2sfca.reached.iter().all(|&r| !r));
}

#[test]
fn a_new_site_beside_people_becomes_their_nearest() {
    let g = graph();
    let origins = vec![Origin {
        id: "o".into(),
        lon: 2.4805,
        lat: 48.9105,
        population: 100.0,
        ages: None,
        income: None,
        source: "o.csv:2".into(),
    }];
    let far = Site {
        id: "gp-far".into(),
        category: "gp".into(),
        lon: 2.4705,
        lat: 48.9005,
        capacity: 1.0,
        activity: None,
        age: None,
        source: "s.csv:2".into(),
    };
    let s = spec("0.5:1,1:0.6,2:0.2", vec![1.0]);
    let engine = AccessEngine::new(g, &origins, &s).unwrap();
    let baseline = engine.baseline(std::slice::from_ref(&far)).unwrap();
    let before = baseline.results.nearest[0].nearest[0][0].time_ms;
    let near = Site {
        id: "gp-near".into(),
        lon: 2.4805,
        lat: 48.9104,
        ..far.clone()
    };
    let variant = Variant {
        sites: vec![far.clone(), near],
        from_base: vec![Some(0), None],
    };
    let u = engine
        .update(&baseline, std::slice::from_ref(&far), &variant, None)
        .unwrap();
    let gp = u
        .results
        .nearest
        .iter()
        .find(|l| l.category == "gp")
        .unwrap();
    let after = &gp.nearest[0][0];
    assert_eq!(
        gp.sites[after.site as usize], 1,
        "the new site is the nearest"
    );
    assert!(after.time_ms < before / 2, "{} vs {before}", after.time_ms);
}

#[test]
fn many_changes_are_swept_and_equal_a_full_computation() {
    // More changed sites than a sweep chunk (1,024): the category's state is copied and
    // swept rather than patched origin by origin; both must give the full computation.
    let g = graph();
    let mut x = 7u64;
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut at = move |n: usize, cat: &str| Site {
        id: format!("{cat}{n}"),
        category: cat.into(),
        lon: 2.4695 + 0.012 * next(),
        lat: 48.8995 + 0.012 * next(),
        capacity: 1.0,
        activity: Some(4_000.0),
        age: Some(50),
        source: "s.csv:2".into(),
    };
    let origins: Vec<Origin> = (0..40)
        .map(|i| {
            let s = at(i, "o");
            Origin {
                id: s.id,
                lon: s.lon,
                lat: s.lat,
                population: 100.0,
                ages: None,
                income: None,
                source: "o.csv:2".into(),
            }
        })
        .collect();
    let base: Vec<Site> = (0..1_200)
        .map(|n| at(n, if n % 7 == 0 { "radiology" } else { "gp" }))
        .collect();
    let s = spec("0.5:1,1:0.6,2:0.2", vec![0.5, 1.0, 2.5]);
    let engine = AccessEngine::new(g, &origins, &s).unwrap();
    let baseline = engine.baseline(&base).unwrap();
    let mut variant = Variant::default();
    for (b, site) in base.iter().enumerate() {
        if b % 2 == 1 {
            variant.sites.push(site.clone());
            variant.from_base.push(Some(b));
        }
    }
    for n in 0..500 {
        variant.sites.push(at(2_000 + n, "gp"));
        variant.from_base.push(None);
    }
    let u = engine.update(&baseline, &base, &variant, None).unwrap();
    assert!(u.stats.searches > 1_024, "{:?}", u.stats);
    let full = compute_access(g, &origins, &variant.sites, &s).unwrap();
    assert_eq!(plain(u.results), plain(full));
}
