//! Travel-time tables between named points: both sides snapped onto the graph (see
//! [`crate::snap`]), then one sparse table ([`super::table::compute_table`]) whose pairs are
//! given back by the points' input indices, with what could not be snapped or reached.
//!
//! Units: times in **milliseconds**, network lengths and walked legs in **decimetres**.

use super::dijkstra::SearchError;
use super::table::compute_table;
use crate::inputs::points::NamedPoint;
use crate::network::graph::Graph;
use crate::snap::{SnapError, SnapIndex, SnapOptions, Snapped, Unsnapped};
use crate::support::crs::{CrsError, MetricCrs};

/// Why a point table could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum PointTableError {
    /// No metric projection fits the graph's extent.
    #[error("choosing a metric projection for snapping")]
    Crs(#[source] CrsError),
    /// The snapping index could not be built.
    #[error("building the snapping index")]
    Snap(#[source] SnapError),
    /// A search failed.
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// Travel times between named points, with what could not be snapped or reached.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PointTable {
    /// Reachable pairs `(source index, destination index, time ms, length dm)`, indices into
    /// the point slices given, sorted by (source, destination).
    pub cells: Vec<(usize, usize, u32, u32)>,
    /// Pairs of snapped points with no path (within the bound, if any), sorted.
    pub unreachable: Vec<(usize, usize)>,
    /// Sources that could not be snapped, with why.
    pub unsnapped_sources: Vec<(usize, Unsnapped)>,
    /// Destinations that could not be snapped, with why.
    pub unsnapped_destinations: Vec<(usize, Unsnapped)>,
    /// Walked access leg of each source from the point to the road, decimetres, by input
    /// index (0 for an unsnapped source).
    pub source_walk_dm: Vec<u32>,
    /// Walked leg of each destination from the road to the point, decimetres, by input
    /// index (0 for an unsnapped destination).
    pub destination_walk_dm: Vec<u32>,
}

/// Snaps `sources` and `destinations` onto `graph` and computes the time (ms) and network
/// length (dm) of the best path of every pair, within `max_ms` when given.
///
/// A street of 0.001° of latitude (111.2 m) walked at the walking profile's 4.5 km/h
/// (1.25 m/s) takes 89 s:
///
/// ```
/// use recours::inputs::points::NamedPoint;
/// use recours::network::builder::{build_graph, BuildOptions};
/// use recours::network::osm::read_osm_xml_str;
/// use recours::network::profile::Profile;
/// use recours::routing::points::point_table;
///
/// let osm = "<osm version='0.6'>
///   <node id='1' lat='48.900' lon='2.480'/>
///   <node id='2' lat='48.901' lon='2.480'/>
///   <way id='10'><nd ref='1'/><nd ref='2'/><tag k='highway' v='residential'/></way>
/// </osm>";
/// let raw = read_osm_xml_str(osm, &Profile::builtin("walk")?)?;
/// let (graph, _report) = build_graph(raw, &BuildOptions::default());
/// let point = |id: &str, lat: f64| NamedPoint { id: id.into(), line: 0, lon: 2.48, lat };
/// let table = point_table(&graph, &[point("a", 48.900)], &[point("b", 48.901)], None, 50.0)?;
/// let (_, _, time_ms, len_dm) = table.cells[0];
/// assert_eq!(len_dm, 1112); // 111.2 m
/// assert!((f64::from(time_ms) / 1000.0 - 111.195 / 1.25).abs() < 0.01);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn point_table(
    graph: &Graph,
    sources: &[NamedPoint],
    destinations: &[NamedPoint],
    max_ms: Option<u32>,
    max_snap_m: f64,
) -> Result<PointTable, PointTableError> {
    let crs = MetricCrs::for_graph(graph).map_err(PointTableError::Crs)?;
    let index = SnapIndex::new(graph, &crs).map_err(PointTableError::Snap)?;
    let opts = SnapOptions {
        max_distance_m: max_snap_m,
        ..SnapOptions::for_graph(graph)
    };
    let SnappedPoints {
        ok: src,
        failed: unsnapped_sources,
    } = snap_points(&index, graph, sources, &opts);
    let SnappedPoints {
        ok: dst,
        failed: unsnapped_destinations,
    } = snap_points(&index, graph, destinations, &opts);
    let src_seeds: Vec<_> = src.iter().map(|(_, s)| s.departures(graph)).collect();
    let dst_seeds: Vec<_> = dst.iter().map(|(_, s)| s.arrivals(graph)).collect();
    let walk_dm = |n: usize, ok: &[(usize, Snapped)]| {
        let mut dm = vec![0u32; n];
        for (i, s) in ok {
            dm[*i] = (s.distance_m * 10.0).round() as u32;
        }
        dm
    };
    let source_walk_dm = walk_dm(sources.len(), &src);
    let destination_walk_dm = walk_dm(destinations.len(), &dst);
    let direct = |i: usize, j: usize| src[i].1.direct_to(&dst[j].1, graph);
    let table = compute_table(graph, &src_seeds, &dst_seeds, max_ms, Some(&direct))?;
    Ok(PointTable {
        cells: table
            .cells
            .iter()
            .map(|c| {
                (
                    src[c.source as usize].0,
                    dst[c.destination as usize].0,
                    c.time_ms,
                    c.len_dm,
                )
            })
            .collect(),
        unreachable: table
            .unreachable
            .iter()
            .map(|&(s, d)| (src[s as usize].0, dst[d as usize].0))
            .collect(),
        unsnapped_sources,
        unsnapped_destinations,
        source_walk_dm,
        destination_walk_dm,
    })
}

/// Points of one side of a table, split by snapping outcome; `usize` indexes the input.
struct SnappedPoints {
    ok: Vec<(usize, Snapped)>,
    failed: Vec<(usize, Unsnapped)>,
}

/// Snaps every point (in parallel; the result is in input order).
fn snap_points(
    index: &SnapIndex,
    graph: &Graph,
    points: &[NamedPoint],
    opts: &SnapOptions,
) -> SnappedPoints {
    let coords: Vec<(f64, f64)> = points.iter().map(|p| (p.lon, p.lat)).collect();
    let mut out = SnappedPoints {
        ok: Vec::with_capacity(points.len()),
        failed: Vec::new(),
    };
    for (i, r) in index.snap_all(graph, &coords, opts).into_iter().enumerate() {
        match r {
            Ok(s) => out.ok.push((i, s)),
            Err(why) => out.failed.push((i, why)),
        }
    }
    out
}
