//! What a synthetic territory should contain: the knobs of [`super::generate`] and the two
//! ready-made territories (the small demo one and a France-sized one).

/// A spec parameter outside the range [`super::generate`] can work with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("synthetic network spec: {field} = {value}: {reason}")]
pub struct SpecError {
    /// Name of the offending field.
    pub field: &'static str,
    /// Its value, as written by `{:?}`.
    pub value: String,
    /// What it should be.
    pub reason: &'static str,
}

/// A lake with, optionally, a ferry across it and a small island of streets in it.
#[derive(Clone, Debug, PartialEq)]
pub struct LakeSpec {
    /// Centre longitude, degrees.
    pub lon: f64,
    /// Centre latitude, degrees.
    pub lat: f64,
    /// Radius, metres; no place or road link is laid inside it.
    pub radius_m: f64,
    /// OSM `duration` of the ferry across it (`HH:MM`); `None` for no ferry.
    pub ferry_duration: Option<String>,
    /// Whether a tiny grid of streets, connected to nothing, sits on an island in it (the
    /// graph build must prune it).
    pub island: bool,
}

/// Parameters of a synthetic road network (see [`super::generate`] for what each produces).
#[derive(Clone, Debug, PartialEq)]
pub struct RoadNetworkSpec {
    /// Seed of every random draw: same spec, same bytes.
    pub seed: u64,
    /// Bounding box `[min lon, min lat, max lon, max lat]`, degrees; places lie inside it.
    pub bbox: [f64; 4],
    /// Land outline (lon, lat vertices, open ring): place centres are drawn inside it.
    /// Empty means the whole bounding box.
    pub outline: Vec<[f64; 2]>,
    /// Inhabitants of each place (town or village), largest first.
    pub populations: Vec<u32>,
    /// Street spacing of town grids, metres.
    pub block_m: f64,
    /// Grid junctions of every place whatever its size.
    pub base_junctions: f64,
    /// Inhabitants per extra grid junction (the grid grows with the population).
    pub inhabitants_per_junction: f64,
    /// Probability that a block side gets a dead-end street (cul-de-sac) in its middle.
    pub cul_de_sac_share: f64,
    /// Probability that a block side of a side street (a row that is not an avenue) is
    /// missing: fewer loops, more T-junctions, as in real street networks.
    pub street_gap_share: f64,
    /// Probability that a block side bends (one extra shape point, not a junction).
    pub shape_point_share: f64,
    /// Probability that an eligible residential street is one-way.
    pub oneway_share: f64,
    /// Mean number of hamlets (a lane and a few houses) around each place.
    pub hamlets_per_place: f64,
    /// Each place is linked by road to this many nearest places.
    pub neighbour_links: usize,
    /// The largest places are also linked to their nearest other large place (a primary
    /// network between them): how many.
    pub hub_towns: usize,
    /// Roads between places are split into separate ways about this often, metres.
    pub road_split_m: f64,
    /// Dead-end farm lanes per kilometre of road between places.
    pub driveways_per_km: f64,
    /// Places with at least this population get a roundabout at their centre.
    pub roundabout_min_population: u32,
    /// Private service roads (`access=private`) in each place of at least 5,000 inhabitants.
    pub private_roads_per_town: usize,
    /// The largest places joined by motorways (0 or 1: none).
    pub motorway_towns: usize,
    /// Distance between motorway interchanges along a motorway, metres.
    pub interchange_spacing_m: f64,
    /// Optional lake with ferry and island.
    pub lake: Option<LakeSpec>,
}

/// A rough outline of mainland metropolitan France (lon, lat), 34 vertices.
const FRANCE: [[f64; 2]; 34] = [
    [2.54, 51.09],
    [3.2, 50.75],
    [4.15, 49.98],
    [4.85, 50.15],
    [5.8, 49.55],
    [6.4, 49.46],
    [7.6, 49.05],
    [8.2, 48.97],
    [7.55, 47.58],
    [6.9, 47.45],
    [6.05, 46.4],
    [6.8, 45.9],
    [7.0, 45.2],
    [6.65, 44.5],
    [7.5, 43.78],
    [6.2, 43.1],
    [4.8, 43.35],
    [3.3, 43.2],
    [3.15, 42.43],
    [1.7, 42.5],
    [-0.5, 42.8],
    [-1.78, 43.37],
    [-1.25, 44.6],
    [-1.2, 46.2],
    [-2.2, 47.2],
    [-4.4, 47.8],
    [-4.75, 48.35],
    [-3.5, 48.82],
    [-1.6, 48.65],
    [-1.9, 49.7],
    [-1.1, 49.35],
    [0.1, 49.45],
    [1.6, 50.2],
    [1.85, 50.95],
];

impl RoadNetworkSpec {
    /// Checks that every parameter is in the range the generator works with: positive,
    /// finite lengths and rates, shares in [0, 1], a non-empty box, positive populations.
    pub fn check(&self) -> Result<(), SpecError> {
        let bad = |field, value: &dyn std::fmt::Debug, reason| {
            Err(SpecError {
                field,
                value: format!("{value:?}"),
                reason,
            })
        };
        let b = self.bbox;
        if !(b.iter().all(|v| v.is_finite())
            && b[0] < b[2]
            && b[1] < b[3]
            && b[1] > -80.0
            && b[3] < 80.0)
        {
            return bad("bbox", &b, "finite, min < max, latitudes within ±80°");
        }
        for (field, v) in [
            ("block_m", self.block_m),
            ("inhabitants_per_junction", self.inhabitants_per_junction),
            ("road_split_m", self.road_split_m),
            ("interchange_spacing_m", self.interchange_spacing_m),
        ] {
            if !(v.is_finite() && v >= 10.0) {
                return bad(field, &v, "finite and at least 10");
            }
        }
        for (field, v) in [
            ("base_junctions", self.base_junctions),
            ("hamlets_per_place", self.hamlets_per_place),
            ("driveways_per_km", self.driveways_per_km),
        ] {
            if !(v.is_finite() && (0.0..=1_000.0).contains(&v)) {
                return bad(field, &v, "between 0 and 1,000");
            }
        }
        for (field, v) in [
            ("cul_de_sac_share", self.cul_de_sac_share),
            ("street_gap_share", self.street_gap_share),
            ("shape_point_share", self.shape_point_share),
            ("oneway_share", self.oneway_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return bad(field, &v, "a share between 0 and 1");
            }
        }
        if self.populations.is_empty() || self.populations.contains(&0) {
            return bad(
                "populations",
                &self.populations.len(),
                "at least one place, none empty",
            );
        }
        if let Some(l) = &self.lake {
            if !(l.radius_m.is_finite()
                && l.radius_m > 0.0
                && l.lon.is_finite()
                && l.lat.is_finite())
            {
                return bad("lake", l, "finite centre and positive radius");
            }
        }
        Ok(())
    }

    /// The demo territory: 3 towns (42,000, 17,000 and 8,500 inhabitants) and 9 villages over
    /// about 20 × 15 km around lon 2.45, lat 48.90 (Seine-Saint-Denis-like coordinates, so
    /// Lambert-93 applies), with one motorway between the two largest towns, a lake crossed
    /// by a ferry and holding a street island, and about 4,000 junctions.
    pub fn small(seed: u64) -> Self {
        RoadNetworkSpec {
            seed,
            bbox: [2.313, 48.8325, 2.587, 48.9675],
            outline: Vec::new(),
            populations: vec![
                42_000, 17_000, 8_500, 1_400, 1_100, 900, 700, 600, 450, 400, 300, 250,
            ],
            block_m: 120.0,
            base_junctions: 12.0,
            inhabitants_per_junction: 40.0,
            cul_de_sac_share: 0.15,
            street_gap_share: 0.2,
            shape_point_share: 0.3,
            oneway_share: 0.5,
            hamlets_per_place: 2.0,
            neighbour_links: 2,
            hub_towns: 3,
            road_split_m: 2_000.0,
            driveways_per_km: 0.8,
            roundabout_min_population: 5_000,
            private_roads_per_town: 3,
            motorway_towns: 2,
            interchange_spacing_m: 2_000.0,
            lake: Some(LakeSpec {
                lon: 2.52,
                lat: 48.86,
                radius_m: 1_300.0,
                ferry_duration: Some("00:12".to_string()),
                island: true,
            }),
        }
    }

    /// A France-sized network: 35,000 places over the mainland outline (lon −4.8..8.2,
    /// lat 42.3..51.1) with Zipf-distributed populations (the place of rank r has
    /// 6,000,000 / r inhabitants, floored at 80: about 66 M in all), a primary network
    /// between the 300 largest and motorways joining the 60 largest; about 4.5 M junctions
    /// and 10 M directed edges once built.
    pub fn national(seed: u64) -> Self {
        RoadNetworkSpec {
            seed,
            bbox: [-4.8, 42.3, 8.2, 51.1],
            outline: FRANCE.to_vec(),
            populations: (1..=35_000u32).map(|r| (6_000_000 / r).max(80)).collect(),
            block_m: 120.0,
            base_junctions: 12.0,
            inhabitants_per_junction: 40.0,
            cul_de_sac_share: 0.3,
            street_gap_share: 0.65,
            shape_point_share: 0.3,
            oneway_share: 0.5,
            hamlets_per_place: 4.0,
            neighbour_links: 3,
            hub_towns: 300,
            road_split_m: 3_000.0,
            driveways_per_km: 0.8,
            roundabout_min_population: 5_000,
            private_roads_per_town: 2,
            motorway_towns: 60,
            interchange_spacing_m: 15_000.0,
            lake: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_populations_follow_zipf_and_sum_to_france() {
        let s = RoadNetworkSpec::national(1);
        assert_eq!(s.populations[0], 6_000_000);
        assert_eq!(s.populations[9], 600_000);
        let total: u64 = s.populations.iter().map(|&p| u64::from(p)).sum();
        assert!((60_000_000..72_000_000).contains(&total), "{total}");
        assert!(s.populations.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn ready_made_specs_pass_the_check_and_bad_values_are_named() {
        assert_eq!(RoadNetworkSpec::small(1).check(), Ok(()));
        assert_eq!(RoadNetworkSpec::national(1).check(), Ok(()));
        let mut s = RoadNetworkSpec::small(1);
        s.block_m = f64::NAN;
        assert_eq!(s.check().unwrap_err().field, "block_m");
        let mut s = RoadNetworkSpec::small(1);
        s.oneway_share = 1.5;
        assert_eq!(s.check().unwrap_err().field, "oneway_share");
        let mut s = RoadNetworkSpec::small(1);
        s.populations.clear();
        assert!(s.check().unwrap_err().to_string().contains("populations"));
    }

    #[test]
    fn outline_is_inside_the_bbox_and_holds_paris_not_london() {
        let s = RoadNetworkSpec::national(1);
        for v in &s.outline {
            assert!(
                v[0] >= s.bbox[0] && v[0] <= s.bbox[2] && v[1] >= s.bbox[1] && v[1] <= s.bbox[3]
            );
        }
        assert!(crate::synth::plane::inside(&s.outline, [2.35, 48.86]));
        assert!(!crate::synth::plane::inside(&s.outline, [-0.12, 51.5]));
    }
}
