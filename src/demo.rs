//! The bundled demo territory, end to end: `recours demo --out DIR`.
//!
//! Everything the demo reads is generated here, deterministically, and written in the
//! formats the engine reads in real studies, then read back through the real readers:
//!
//! 1. a road network ([`crate::synth`]: towns, villages, a motorway, a ferry, an island)
//!    written as an OpenStreetMap PBF file, `input/territory.osm.pbf`;
//! 2. the car graph built from it through `profiles/car.toml`, saved to
//!    `network/car.rgraph` and loaded back (the `--graph` path of every command);
//! 3. population points (`input/population.csv`, `id,lon,lat,population`) spread over the
//!    towns in proportion to their population, plus one point far out at sea that cannot be
//!    snapped (it must show up in the rejects, not vanish);
//! 4. GP practices (`input/gp_practices.csv`, `id,lon,lat`) in the towns;
//! 5. the travel-time table population → GP practices within 60 minutes
//!    (`times_to_gp.csv`, with `times_to_gp.rejects.csv`), and from it the nearest practice
//!    of every point (`nearest_gp.csv`) and a summary (`summary.txt`).
//!
//! Same seed, same bytes: the demo's outputs are identical on every run and machine,
//! whatever the number of threads.

use crate::network::builder::{build_graph, BuildOptions, BuildReport};
use crate::network::osm::read_osm;
use crate::network::profile::Profile;
use crate::network::store::{load_graph, save_graph};
use crate::odtable::{format_km, format_minutes, run_table_job, TableJob, TableRow, TableSummary};
use crate::synth::{generate, write_pbf, RoadNetworkSpec, Town};
use anyhow::Context;
use std::fmt;
use std::path::{Path, PathBuf};

/// Seed of the demo territory.
pub const DEMO_SEED: u64 = 2026;

/// Bound of the demo's table, minutes.
const MAX_MINUTES: f64 = 60.0;

/// Thresholds of the summary's coverage counts, minutes.
const THRESHOLDS_MIN: [f64; 4] = [5.0, 10.0, 20.0, 30.0];

/// What the demo produced.
#[derive(Clone, Debug)]
pub struct DemoSummary {
    /// Output folder.
    pub out: PathBuf,
    /// Graph build report.
    pub build: BuildReport,
    /// Size of the saved graph, bytes.
    pub graph_bytes: u64,
    /// Table job counts.
    pub table: TableSummary,
    /// Population points and their total population.
    pub population_points: (usize, f64),
    /// Population (persons) whose nearest GP is within each of [`THRESHOLDS_MIN`].
    pub population_within: Vec<(f64, f64)>,
    /// Population with no GP within the table's bound, or not snapped.
    pub population_without: f64,
    /// Median time to the nearest GP over the population reached, minutes.
    pub median_minutes: f64,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.build;
        writeln!(
            f,
            "recours demo territory (seed {DEMO_SEED}) in {}",
            self.out.display()
        )?;
        writeln!(
            f,
            "road graph: {} nodes, {} directed edges, {} pieces; {} islands pruned; saved {:.1} kB",
            b.nodes,
            b.edges,
            b.pieces,
            b.prune.pruned_components,
            self.graph_bytes as f64 / 1e3
        )?;
        writeln!(f, "{}", self.table)?;
        let (n, pop) = self.population_points;
        writeln!(f, "population: {n} points, {pop:.0} persons")?;
        writeln!(
            f,
            "median time to the nearest GP: {:.1} min",
            self.median_minutes
        )?;
        for (t, p) in &self.population_within {
            writeln!(
                f,
                "  within {t:>4.0} min of a GP: {p:>8.0} persons ({:.1} %)",
                100.0 * p / pop
            )?;
        }
        write!(
            f,
            "  no GP within {MAX_MINUTES:.0} min or not on the network: {:.0} persons",
            self.population_without
        )
    }
}

/// A population point of the demo.
struct PopulationPoint {
    id: String,
    lon: f64,
    lat: f64,
    population: f64,
}

/// Runs the demo into `out` and returns its summary (also written to `summary.txt`).
pub fn run_demo(out: &Path) -> anyhow::Result<DemoSummary> {
    let input = out.join("input");
    std::fs::create_dir_all(&input).with_context(|| format!("creating {}", input.display()))?;

    let osm = generate(&RoadNetworkSpec::small(DEMO_SEED));
    let pbf = input.join("territory.osm.pbf");
    write_pbf(&osm, &pbf).with_context(|| format!("writing {}", pbf.display()))?;

    let profile = Profile::builtin("car")?;
    let raw = read_osm(&pbf, &profile).with_context(|| format!("reading {}", pbf.display()))?;
    let (graph, build) = build_graph(raw, &BuildOptions::default());
    let graph_path = out.join("network").join("car.rgraph");
    save_graph(&graph, &graph_path)?;
    let graph_bytes = std::fs::metadata(&graph_path).map(|m| m.len()).unwrap_or(0);
    let graph =
        load_graph(&graph_path).with_context(|| format!("loading {}", graph_path.display()))?;

    let population = population_points(&osm.towns);
    let population_csv = input.join("population.csv");
    crate::atomic::write_with(&population_csv, |w| {
        writeln!(w, "id,lon,lat,population")?;
        for p in &population {
            writeln!(w, "{},{:.7},{:.7},{:.1}", p.id, p.lon, p.lat, p.population)?;
        }
        Ok(())
    })?;
    let gp_csv = input.join("gp_practices.csv");
    crate::atomic::write_with(&gp_csv, |w| {
        writeln!(w, "id,lon,lat")?;
        for (id, lon, lat) in gp_practices(&osm.towns) {
            writeln!(w, "{id},{lon:.7},{lat:.7}")?;
        }
        Ok(())
    })?;

    let times = out.join("times_to_gp.csv");
    let job = TableJob {
        sources: population_csv,
        destinations: gp_csv,
        max_minutes: Some(MAX_MINUTES),
        max_snap_m: 1000.0,
        out: times.clone(),
        rejects: crate::odtable::default_rejects_path(&times),
    };
    let run = run_table_job(&graph, &job)?;
    let nearest = nearest_of_each_source(&run.rows);
    crate::atomic::write_with(&out.join("nearest_gp.csv"), |w| {
        writeln!(w, "source_id,gp_id,minutes,km")?;
        for (src, (gp, ms, dm)) in &nearest {
            writeln!(w, "{src},{gp},{},{}", format_minutes(*ms), format_km(*dm))?;
        }
        Ok(())
    })?;

    let total: f64 = population.iter().map(|p| p.population).sum();
    let mut reached: Vec<(u32, f64)> = population
        .iter()
        .filter_map(|p| nearest.get(&p.id).map(|&(_, ms, _)| (ms, p.population)))
        .collect();
    reached.sort_by_key(|&(ms, _)| ms);
    let population_within = THRESHOLDS_MIN
        .iter()
        .map(|&t| {
            let limit = (t * 60_000.0) as u32;
            (
                t,
                reached
                    .iter()
                    .filter(|(ms, _)| *ms <= limit)
                    .map(|(_, p)| p)
                    .sum(),
            )
        })
        .collect();
    let reached_pop: f64 = reached.iter().map(|(_, p)| p).sum();
    let summary = DemoSummary {
        out: out.to_path_buf(),
        build,
        graph_bytes,
        table: run.summary,
        population_points: (population.len(), total),
        population_within,
        population_without: total - reached_pop,
        median_minutes: weighted_median_minutes(&reached),
    };
    crate::atomic::write_with(&out.join("summary.txt"), |w| {
        writeln!(w, "{summary}")?;
        Ok(())
    })?;
    Ok(summary)
}

/// Population points: each town gets points on a sunflower (Vogel) spiral filling its
/// radius, one point per started 250 inhabitants, sharing the town's population; plus the
/// unsnappable point at sea.
fn population_points(towns: &[Town]) -> Vec<PopulationPoint> {
    let mut points = Vec::new();
    for (t, town) in towns.iter().enumerate() {
        let n = (f64::from(town.population) / 250.0).ceil().max(1.0) as usize;
        let share = f64::from(town.population) / n as f64;
        for (k, (lon, lat)) in spiral(town, n).into_iter().enumerate() {
            points.push(PopulationPoint {
                id: format!("T{t:02}-P{k:04}"),
                lon,
                lat,
                population: share,
            });
        }
    }
    let east = towns.iter().map(|t| t.lon).fold(f64::MIN, f64::max);
    let lat = towns.first().map_or(48.9, |t| t.lat);
    points.push(PopulationPoint {
        id: "SEA-0001".into(),
        lon: east + 0.5,
        lat,
        population: 10.0,
    });
    points
}

/// GP practices: one per full 1,500 inhabitants of each place (villages below that have
/// none: their people drive to a town), on the inner half of the place's spiral (practices
/// cluster in town centres).
fn gp_practices(towns: &[Town]) -> Vec<(String, f64, f64)> {
    let mut sites = Vec::new();
    for (t, town) in towns.iter().enumerate() {
        let n = (town.population / 1500) as usize;
        let inner = Town {
            radius_m: town.radius_m * 0.5,
            ..town.clone()
        };
        for (k, (lon, lat)) in spiral(&inner, n).into_iter().enumerate() {
            sites.push((format!("GP-T{t:02}-{k:02}"), lon, lat));
        }
    }
    sites
}

/// `n` points on Vogel's sunflower spiral over the town's disc (radius in metres, converted
/// with the local degree lengths: 111,320 m per degree of latitude, × cos(lat) in longitude).
fn spiral(town: &Town, n: usize) -> Vec<(f64, f64)> {
    let golden = std::f64::consts::PI * (3.0 - 5f64.sqrt());
    let m_per_deg_lat = 111_320.0;
    let m_per_deg_lon = m_per_deg_lat * town.lat.to_radians().cos();
    (0..n)
        .map(|k| {
            let r = town.radius_m * ((k as f64 + 0.5) / n as f64).sqrt();
            let a = k as f64 * golden;
            (
                town.lon + r * a.cos() / m_per_deg_lon,
                town.lat + r * a.sin() / m_per_deg_lat,
            )
        })
        .collect()
}

/// Nearest destination of each source among a table's rows: `source → (destination, ms,
/// dm)`, ties broken by destination id.
fn nearest_of_each_source(
    rows: &[TableRow],
) -> std::collections::BTreeMap<String, (String, u32, u32)> {
    let mut best: std::collections::BTreeMap<String, (String, u32, u32)> = Default::default();
    for r in rows {
        let cand = (r.destination_id.clone(), r.time_ms, r.len_dm);
        best.entry(r.source_id.clone())
            .and_modify(|b| {
                if (cand.1, &cand.0) < (b.1, &b.0) {
                    *b = cand.clone();
                }
            })
            .or_insert(cand);
    }
    best
}

/// Population-weighted median of `(ms, weight)` sorted by time, in minutes (NaN if empty).
fn weighted_median_minutes(sorted: &[(u32, f64)]) -> f64 {
    let total: f64 = sorted.iter().map(|(_, w)| w).sum();
    let mut acc = 0.0;
    for &(ms, w) in sorted {
        acc += w;
        if acc >= total / 2.0 {
            return f64::from(ms) / 60_000.0;
        }
    }
    f64::NAN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_median_takes_the_weight_into_account() {
        assert_eq!(
            weighted_median_minutes(&[(60_000, 1.0), (120_000, 1.0), (600_000, 5.0)]),
            10.0
        );
        assert_eq!(
            weighted_median_minutes(&[(60_000, 3.0), (120_000, 1.0), (600_000, 1.0)]),
            1.0
        );
        assert!(weighted_median_minutes(&[]).is_nan());
    }

    #[test]
    fn spiral_points_stay_within_the_town() {
        let town = Town {
            name: "t".into(),
            lon: 2.45,
            lat: 48.9,
            radius_m: 1000.0,
            population: 1000,
            kind: crate::synth::PlaceKind::Village,
        };
        for (lon, lat) in spiral(&town, 50) {
            let dx = (lon - town.lon) * 111_320.0 * town.lat.to_radians().cos();
            let dy = (lat - town.lat) * 111_320.0;
            assert!((dx * dx + dy * dy).sqrt() <= 1000.0 + 1e-6);
        }
    }
}
