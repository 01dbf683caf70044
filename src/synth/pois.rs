//! Points of interest: one `place=*` node per place, and care in proportion to population.
//!
//! Per place of population P: `round(P / 3,500)` pharmacies (France has about one per
//! 3,300 inhabitants), `round(P / 1,800)` GP practices, `1 + P / 60,000` radiology practices
//! from 15,000 inhabitants, and a hospital from 30,000. Each stands 15–30 m off a random
//! junction of the place's grid (off the road, as a building would).

use super::canvas::{tags, Canvas};
use super::places::Place;
use super::plane::add;
use super::rng::SplitMix64;
use super::spec::RoadNetworkSpec;
use super::streets::{random_direction, PlaceNet};

/// Inhabitants per pharmacy.
const PER_PHARMACY: u32 = 3_500;
/// Inhabitants per GP practice.
const PER_GP: u32 = 1_800;

/// How many points of one kind a place gets, their tags and the start of their names.
type CareKind<'a> = (u32, &'a [(&'a str, &'a str)], &'a str);

/// Draws the place nodes and care points of every place.
pub fn pois(cv: &mut Canvas, spec: &RoadNetworkSpec, places: &[Place], nets: &[PlaceNet]) {
    for (i, (place, net)) in places.iter().zip(nets).enumerate() {
        let mut rng = SplitMix64::derive(spec.seed, 200_000_000 + i as u64);
        let town = &place.town;
        cv.tagged_node(
            place.c,
            tags(&[
                ("place", town.kind.osm_value()),
                ("name", &town.name),
                ("population", &town.population.to_string()),
            ]),
        );
        let pop = town.population;
        let radiology = if pop >= 15_000 { 1 + pop / 60_000 } else { 0 };
        let kinds: [CareKind; 4] = [
            (
                (pop + PER_PHARMACY / 2) / PER_PHARMACY,
                &[("amenity", "pharmacy"), ("healthcare", "pharmacy")],
                "Pharmacie",
            ),
            (
                (pop + PER_GP / 2) / PER_GP,
                &[
                    ("amenity", "doctors"),
                    ("healthcare", "doctor"),
                    ("healthcare:speciality", "general"),
                ],
                "Cabinet médical",
            ),
            (
                radiology,
                &[
                    ("amenity", "doctors"),
                    ("healthcare", "doctor"),
                    ("healthcare:speciality", "radiology"),
                ],
                "Cabinet de radiologie",
            ),
            (
                u32::from(pop >= 30_000),
                &[
                    ("amenity", "hospital"),
                    ("healthcare", "hospital"),
                    ("emergency", "yes"),
                ],
                "Centre hospitalier",
            ),
        ];
        for (count, kv, label) in kinds {
            for k in 0..count {
                let (p, _) = *rng.pick(&net.junctions);
                let at = add(p, random_direction(&mut rng), rng.range(15.0, 30.0));
                let mut t = tags(kv);
                t.push((
                    "name".to_string(),
                    format!("{label} {} {}", town.name, k + 1),
                ));
                t.push(("addr:city".to_string(), town.name.clone()));
                cv.tagged_node(at, t);
            }
        }
    }
}
