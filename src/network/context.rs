//! Built-up areas and the speeds that depend on them.
//!
//! French speed limits depend on whether a road is inside an *agglomération* (Code de la
//! route R413-2 and R413-3: 50 km/h inside, 80 km/h on two-lane roads outside), and real
//! urban speeds are lower still (junctions, lights, parking). OSM rarely says which roads
//! are inside: most streets carry no `maxspeed`. Like Valhalla's graph enhancer
//! (`mjolnir/graphenhancer.cc`, urban when the road density around a node exceeds
//! `kMaxRuralDensity`), the context is read from the network itself:
//!
//! density(w) = Σ length of roads in the window around w (km) ÷ window area (km²)
//!
//! with every road counted once (ferries excluded), the window a square of the same area
//! as the disc of the profile's `urban.radius_m` centred on the way's middle segment (seven
//! cells across) on a sinusoidal (equal-area) projection, summed through a 2-D prefix-sum
//! table, so the pass is linear in the network's size. A way is urban when density ≥
//! `urban.min_km_per_km2` (a square grid of streets `s` km apart has 2 / `s` km/km²).
//!
//! Then, for every non-ferry way: an untagged speed ([`super::raw::WayAttrs::class_speed`])
//! inside a built-up area becomes the profile's urban default for the class (times the
//! factors set at read time: global `speed_factor`, `end_only`), and the speed is multiplied by the class's delay factor for its
//! context (`urban.factors` inside, `class_factors` outside). Closed directions stay
//! closed.

use super::profile::{Profile, FERRY_CLASS};
use super::raw::{to_degrees, RawNetwork};

/// Mean Earth radius in metres (IUGG), for the sinusoidal projection.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Most cells of the density grid; beyond it cells grow (a continent-wide extract keeps
/// the table below 256 MB of `u64`).
const MAX_CELLS: usize = 32_000_000;

/// How many ways of each context a pass found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContextCounts {
    /// Ways inside built-up areas.
    pub urban: usize,
    /// Ways outside built-up areas (all ways when the profile has no `[urban]` table).
    pub rural: usize,
}

/// Sets the speeds of `raw`'s ways for their context (see the module doc).
pub fn apply_context(raw: &mut RawNetwork, profile: &Profile) -> ContextCounts {
    let ferry = raw.class_names.iter().position(|c| c == FERRY_CLASS);
    let urban = match &profile.urban {
        Some(u) => urban_ways(raw, ferry, u.radius_m, u.min_km_per_km2),
        None => vec![false; raw.way_count()],
    };
    let mut counts = ContextCounts::default();
    for (w, attrs) in raw.way_attrs.iter_mut().enumerate() {
        if Some(usize::from(attrs.class)) == ferry {
            continue;
        }
        let class = raw.class_names[usize::from(attrs.class)].as_str();
        let in_town = urban[w];
        if in_town {
            counts.urban += 1;
        } else {
            counts.rural += 1;
        }
        let town = profile.urban.as_ref().filter(|_| in_town);
        if let Some(kmh) = town
            .filter(|_| attrs.class_speed)
            .and_then(|u| u.speeds.get(class))
        {
            // The untagged speed is the class default × factors set at read time (global,
            // end-only): the urban default takes the class default's place.
            let ratio = (kmh / profile.speeds[class]) as f32;
            attrs.speed_fwd_kmh *= ratio;
            attrs.speed_bwd_kmh *= ratio;
        }
        let factor = town
            .and_then(|u| u.factors.get(class))
            .or_else(|| profile.class_factors.get(class))
            .copied()
            .unwrap_or(1.0);
        attrs.speed_fwd_kmh *= factor as f32;
        attrs.speed_bwd_kmh *= factor as f32;
    }
    tracing::info!(
        urban = counts.urban,
        rural = counts.rural,
        "ways by built-up context"
    );
    counts
}

/// Whether each way of `raw` is in a built-up area: road density (km/km²) in the square
/// window of the same area as the disc of `radius_m` around its middle segment is at least
/// `min_km_per_km2`. Ways of class `ferry` are not counted as road.
pub fn urban_ways(
    raw: &RawNetwork,
    ferry: Option<usize>,
    radius_m: f64,
    min_km_per_km2: f64,
) -> Vec<bool> {
    if raw.way_count() == 0 {
        return Vec::new();
    }
    let lon0 = {
        let (lo, hi) = raw
            .vertices
            .iter()
            .fold((i32::MAX, i32::MIN), |(lo, hi), v| {
                (lo.min(v[0]), hi.max(v[0]))
            });
        (to_degrees(lo) + to_degrees(hi)) / 2.0
    };
    let project = |v: [i32; 2]| -> [f64; 2] {
        let (lon, lat) = (to_degrees(v[0]), to_degrees(v[1]));
        let phi = lat.to_radians();
        [
            EARTH_RADIUS_M * (lon - lon0).to_radians() * phi.cos(),
            EARTH_RADIUS_M * phi,
        ]
    };
    // Projected on the fly (no array of projected vertices: national networks have millions).
    let xy = |v: u32| project(raw.vertices[v as usize]);
    let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in raw.vertices.iter().map(|&v| project(v)) {
        for k in 0..2 {
            min[k] = min[k].min(p[k]);
            max[k] = max[k].max(p[k]);
        }
    }
    // Square window with the disc's area: half-side r·√π / 2.
    let half_side = radius_m * std::f64::consts::PI.sqrt() / 2.0;
    // Seven cells across the window, so that its area is the disc's exactly.
    let mut cell = 2.0 * half_side / 7.0;
    let dims = |cell: f64| {
        [
            ((max[0] - min[0]) / cell) as usize + 1,
            ((max[1] - min[1]) / cell) as usize + 1,
        ]
    };
    while dims(cell)[0].saturating_mul(dims(cell)[1]) > MAX_CELLS {
        cell *= 2.0;
    }
    let [nx, ny] = dims(cell);
    let cell_of = |p: [f64; 2]| {
        [
            (((p[0] - min[0]) / cell) as usize).min(nx - 1),
            (((p[1] - min[1]) / cell) as usize).min(ny - 1),
        ]
    };
    // Road length in decimetres per cell, at each segment's midpoint.
    let mut sums = vec![0u64; (nx + 1) * (ny + 1)];
    let at = |x: usize, y: usize| y * (nx + 1) + x;
    for w in 0..raw.way_count() {
        if Some(usize::from(raw.way_attrs[w].class)) == ferry {
            continue;
        }
        for s in raw.way(w).windows(2) {
            let (a, b) = (xy(s[0]), xy(s[1]));
            let len_dm = ((a[0] - b[0]).hypot(a[1] - b[1]) * 10.0).round() as u64;
            let [cx, cy] = cell_of([(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]);
            sums[at(cx + 1, cy + 1)] += len_dm;
        }
    }
    // Inclusive 2-D prefix sums: sums[at(x, y)] = Σ cells (< x, < y).
    for y in 1..=ny {
        for x in 1..=nx {
            sums[at(x, y)] += sums[at(x - 1, y)] + sums[at(x, y - 1)] - sums[at(x - 1, y - 1)];
        }
    }
    let k = ((2.0 * half_side / cell - 1.0) / 2.0).round().max(0.0) as usize;
    let window_km2 = ((2 * k + 1) as f64 * cell / 1000.0).powi(2);
    (0..raw.way_count())
        .map(|w| {
            let vs = raw.way(w);
            let m = (vs.len() - 1) / 2;
            let (a, b) = (xy(vs[m]), xy(vs[m + 1]));
            let [cx, cy] = cell_of([(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]);
            let (x0, y0) = (cx.saturating_sub(k), cy.saturating_sub(k));
            let (x1, y1) = ((cx + k + 1).min(nx), (cy + k + 1).min(ny));
            let dm = sums[at(x1, y1)] + sums[at(x0, y0)] - sums[at(x0, y1)] - sums[at(x1, y0)];
            dm as f64 / 10_000.0 / window_km2 >= min_km_per_km2
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::raw::{to_fixed, WayAttrs};

    /// A profile with urban defaults: residential 30 → 20 in town, delay 0.5 in town and
    /// 0.9 outside for `primary`.
    fn profile() -> Profile {
        Profile::from_toml_str(
            r#"
name = "t"
access_keys = ["access"]
access_denied = ["no"]
honour_oneway = true
honour_maxspeed = true
[speeds]
primary = 80
residential = 30
[class_factors]
primary = 0.9
[urban]
radius_m = 500
min_km_per_km2 = 10
[urban.speeds]
primary = 50
[urban.factors]
primary = 0.5
"#,
            "test",
        )
        .unwrap()
    }

    /// A town: a 21 × 21 grid of 50 m blocks (≈ 40 km of streets per km²) near (0, 45°),
    /// and one road 20 km east of it in the countryside.
    fn town_and_country(p: &Profile) -> (RawNetwork, usize, usize) {
        let mut raw = RawNetwork::new("t", p.class_names.clone(), Vec::new());
        let step = 50.0 / 111_320.0;
        let primary = p.class_index("primary").unwrap();
        let residential = p.class_index("residential").unwrap();
        let attrs = |class, class_speed, kmh: f32| WayAttrs {
            class,
            speed_fwd_kmh: kmh,
            speed_bwd_kmh: kmh,
            duration_s: None,
            class_speed,
        };
        let vertex = |raw: &mut RawNetwork, lon: f64, lat: f64| {
            raw.vertices.push([to_fixed(lon), to_fixed(lat)]);
            (raw.vertices.len() - 1) as u32
        };
        for i in 0..21 {
            let a = vertex(&mut raw, 0.0, 45.0 + i as f64 * step);
            let b = vertex(&mut raw, 20.0 * step * 1.414, 45.0 + i as f64 * step);
            raw.push_way(i, &[a, b], attrs(residential, true, 30.0));
            let c = vertex(&mut raw, i as f64 * step * 1.414, 45.0);
            let d = vertex(&mut raw, i as f64 * step * 1.414, 45.0 + 20.0 * step);
            raw.push_way(100 + i, &[c, d], attrs(residential, true, 30.0));
        }
        let town_primary = raw.way_count();
        let a = vertex(&mut raw, 10.0 * step, 45.0 + 10.0 * step);
        let b = vertex(&mut raw, 11.0 * step, 45.0 + 10.0 * step);
        raw.push_way(500, &[a, b], attrs(primary, true, 80.0));
        let country = raw.way_count();
        let a = vertex(&mut raw, 0.25, 45.0);
        let b = vertex(&mut raw, 0.26, 45.0);
        raw.push_way(600, &[a, b], attrs(primary, true, 80.0));
        (raw, town_primary, country)
    }

    #[test]
    fn dense_streets_are_urban_and_a_lone_road_is_rural() {
        let p = profile();
        let (raw, town, country) = town_and_country(&p);
        let urban = urban_ways(&raw, None, 500.0, 10.0);
        assert!(urban[town], "road inside the street grid");
        assert!(!urban[country], "road 20 km away");
        assert!(urban[..town].iter().all(|&u| u));
    }

    #[test]
    fn untagged_speeds_take_the_urban_default_and_every_speed_its_delay_factor() {
        let p = profile();
        let (mut raw, town, country) = town_and_country(&p);
        raw.way_attrs[country].class_speed = false;
        raw.way_attrs[town].speed_bwd_kmh = 0.0;
        let counts = apply_context(&mut raw, &p);
        assert_eq!(
            counts,
            ContextCounts {
                urban: 43,
                rural: 1
            }
        );
        // Town primary, untagged: urban default 50 × urban factor 0.5; closed stays closed.
        assert_eq!(raw.way_attrs[town].speed_fwd_kmh, 25.0);
        assert_eq!(raw.way_attrs[town].speed_bwd_kmh, 0.0);
        // Country primary (speed from maxspeed 80): rural factor 0.9 only.
        assert_eq!(raw.way_attrs[country].speed_fwd_kmh, 72.0);
        // Town residential: no urban default nor factor listed → unchanged.
        assert_eq!(raw.way_attrs[0].speed_fwd_kmh, 30.0);
    }

    #[test]
    fn without_an_urban_table_every_way_takes_its_class_factor() {
        let mut p = profile();
        p.urban = None;
        let (mut raw, town, _) = town_and_country(&p);
        let counts = apply_context(&mut raw, &p);
        assert_eq!(counts.urban, 0);
        assert_eq!(raw.way_attrs[town].speed_fwd_kmh, 72.0);
    }
}
