//! The lake: a `natural=water` polygon, a ferry across it and an island of streets in it.
//!
//! The ferry (`route=ferry`, `motor_vehicle=yes`, `duration` as given) runs from a pier on the
//! west shore to one on the east shore, passing north of the island; each pier is joined by
//! an `unclassified` road to the nearest place. The island is a 3 × 3 grid of residential
//! streets, 80 m apart, joined to nothing: the graph build must find and prune it.

use super::canvas::{tags, Canvas, RoadShape};
use super::places::Place;
use super::plane::{add, dist, ring, unit, P};
use super::rng::SplitMix64;
use super::spec::{LakeSpec, RoadNetworkSpec};
use super::streets::PlaceNet;

/// Spacing of the island's streets, metres.
const ISLAND_BLOCK_M: f64 = 80.0;

/// Index of the place whose centre is nearest to `p`.
pub fn nearest_place(places: &[Place], p: P) -> usize {
    let mut best = 0;
    for (i, pl) in places.iter().enumerate() {
        if dist(pl.c, p) < dist(places[best].c, p) {
            best = i;
        }
    }
    best
}

/// Draws the lake of `spec`: its outline, its island and its ferry.
pub fn lake(
    cv: &mut Canvas,
    spec: &RoadNetworkSpec,
    lake: &LakeSpec,
    places: &[Place],
    nets: &[PlaceNet],
) {
    let mut rng = SplitMix64::derive(spec.seed, 2);
    let c = cv.frame().from_deg(lake.lon, lake.lat);
    let r = lake.radius_m;
    let shore: Vec<i64> = ring(c, r, [1.0, 0.0], 24)
        .into_iter()
        .map(|p| cv.node(p))
        .collect();
    let mut refs = shore.clone();
    refs.push(shore[0]);
    cv.way(
        refs,
        tags(&[
            ("natural", "water"),
            ("water", "lake"),
            ("name", "Lac de la Dhuis"),
        ]),
    );
    if lake.island {
        let id = |cv: &mut Canvas, i: i32, j: i32| {
            cv.node([
                c[0] + f64::from(j) * ISLAND_BLOCK_M,
                c[1] + f64::from(i) * ISLAND_BLOCK_M,
            ])
        };
        let mut grid = [[0i64; 3]; 3];
        for (i, row) in grid.iter_mut().enumerate() {
            for (j, cell) in row.iter_mut().enumerate() {
                *cell = id(cv, i as i32 - 1, j as i32 - 1);
            }
        }
        for (k, row) in grid.iter().enumerate() {
            let name = format!("Rue de l'Île {}", k + 1);
            cv.way(
                row.to_vec(),
                tags(&[("highway", "residential"), ("name", &name)]),
            );
            let col = vec![grid[0][k], grid[1][k], grid[2][k]];
            cv.way(
                col,
                tags(&[
                    ("highway", "residential"),
                    ("name", &format!("Allée de l'Île {}", k + 1)),
                ]),
            );
        }
    }
    if let Some(duration) = &lake.ferry_duration {
        let shore_road = RoadShape {
            spacing_m: 250.0,
            bow: 0.05,
            split_m: f64::INFINITY,
            driveways_per_km: 0.0,
        };
        let mut piers = Vec::new();
        for dx in [-1.0, 1.0] {
            let p = add(c, unit([dx, 0.5]), r + 40.0);
            let id = cv.node(p);
            let pl = nearest_place(places, p);
            let gate = nets[pl].gate(places[pl].c, p);
            cv.road(
                &mut rng,
                gate,
                (p, id),
                &shore_road,
                &tags(&[("highway", "unclassified")]),
            );
            piers.push(id);
        }
        let mid = cv.node(add(c, [0.0, 1.0], 0.7 * r));
        cv.way(
            vec![piers[0], mid, piers[1]],
            tags(&[
                ("route", "ferry"),
                ("motor_vehicle", "yes"),
                ("duration", duration),
                ("name", "Bac du lac"),
            ]),
        );
    }
}
