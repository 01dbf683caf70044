//! The `recours table` job: read two point files, snap them, compute the travel-time table,
//! write `source_id,destination_id,minutes,km,access_m,egress_m` and a rejects file.
//!
//! Output rows are sorted by source id then destination id (byte order of the ids), times in
//! minutes and lengths in kilometres with three decimals: the same inputs give the same
//! bytes whatever the number of threads. Network km exclude the access legs from the points
//! to the road; their walking time (4.5 km/h) is included in the minutes and their lengths
//! are the last two columns, in metres with one decimal: `access_m` from the source to the
//! road, `egress_m` from the road to the destination (see [`crate::snap`]).

use crate::inputs::points::read_points_csv;
use crate::network::graph::Graph;
use crate::routing::points::point_table;
use crate::support::rejects::Rejects;
use std::fmt;
use std::path::{Path, PathBuf};

/// What to compute and where to write it.
#[derive(Clone, Debug, PartialEq)]
pub struct TableJob {
    /// Origins CSV (`id,lon,lat`).
    pub sources: PathBuf,
    /// Destinations CSV (`id,lon,lat`).
    pub destinations: PathBuf,
    /// Bound on the searches, minutes; pairs beyond it are reported, not written.
    pub max_minutes: Option<f64>,
    /// Snap radius, metres.
    pub max_snap_m: f64,
    /// Output CSV.
    pub out: PathBuf,
    /// Rejects CSV.
    pub rejects: PathBuf,
}

impl TableJob {
    /// Checks the settings before any work (the network is read after): `max_minutes`
    /// finite and above 0, `max_snap_m` finite and above 0, the input files present, and
    /// the outputs neither folders nor one another.
    pub fn check(&self) -> anyhow::Result<()> {
        if let Some(m) = self.max_minutes {
            anyhow::ensure!(
                m.is_finite() && m > 0.0,
                "--max-minutes {m}: expected a finite number of minutes above 0"
            );
        }
        let snap = self.max_snap_m;
        anyhow::ensure!(
            snap.is_finite() && snap > 0.0,
            "--max-snap-m {snap}: expected a finite number of metres above 0"
        );
        for p in [&self.sources, &self.destinations] {
            anyhow::ensure!(p.is_file(), "input not found: {}", p.display());
        }
        for p in [&self.out, &self.rejects] {
            anyhow::ensure!(!p.is_dir(), "{} is a folder; give a file name", p.display());
        }
        anyhow::ensure!(
            self.out != self.rejects,
            "--out and --rejects are the same file {}",
            self.out.display()
        );
        Ok(())
    }
}

/// Counts of a finished table job.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableSummary {
    /// Source points read / snapped.
    pub sources: (usize, usize),
    /// Destination points read / snapped.
    pub destinations: (usize, usize),
    /// Pairs written.
    pub pairs: usize,
    /// Pairs between snapped points with no path (within the bound, if any).
    pub unreachable_pairs: usize,
    /// Rows of the input files rejected while reading.
    pub rejected_rows: usize,
    /// Output and rejects files.
    pub files: (PathBuf, PathBuf),
}

impl fmt::Display for TableSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "sources: {} read, {} snapped; destinations: {} read, {} snapped",
            self.sources.0, self.sources.1, self.destinations.0, self.destinations.1
        )?;
        writeln!(
            f,
            "pairs written: {}; unreachable pairs: {}; rejected input rows: {}",
            self.pairs, self.unreachable_pairs, self.rejected_rows
        )?;
        write!(
            f,
            "wrote {} (rejects: {})",
            self.files.0.display(),
            self.files.1.display()
        )
    }
}

/// Default rejects path beside an output: `OUT.rejects.csv`.
pub fn default_rejects_path(out: &Path) -> PathBuf {
    crate::support::atomic::beside(out, "rejects")
}

/// One written row of a table: ids, time in milliseconds, network length in decimetres.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TableRow {
    /// Source point id.
    pub source_id: String,
    /// Destination point id.
    pub destination_id: String,
    /// Travel time, milliseconds.
    pub time_ms: u32,
    /// Network length, decimetres.
    pub len_dm: u32,
    /// Walked access leg from the source to the road, decimetres.
    pub access_dm: u32,
    /// Walked leg from the road to the destination, decimetres.
    pub egress_dm: u32,
}

/// A finished table job: its counts, and the rows it wrote (exact values, in file order)
/// for callers that go on from the table without reading the CSV back.
#[derive(Clone, Debug)]
pub struct TableRun {
    /// Counts and files.
    pub summary: TableSummary,
    /// Rows as written, sorted by (source id, destination id).
    pub rows: Vec<TableRow>,
    /// Everything left out (input rows, unsnapped points, unreachable pairs), as written to
    /// the rejects file.
    pub rejects: Rejects,
}

/// Runs the job on `graph`.
pub fn run_table_job(graph: &Graph, job: &TableJob) -> anyhow::Result<TableRun> {
    job.check()?;
    let mut rejects = Rejects::default();
    let sources = read_points_csv(&job.sources, &mut rejects)?;
    let destinations = read_points_csv(&job.destinations, &mut rejects)?;
    let rejected_rows = rejects.len();
    let max_ms = job
        .max_minutes
        .map(|m| (m * 60_000.0).round().clamp(0.0, f64::from(u32::MAX - 1)) as u32);
    let t = point_table(graph, &sources, &destinations, max_ms, job.max_snap_m)?;
    for (file, points, unsnapped) in [
        (&job.sources, &sources, &t.unsnapped_sources),
        (&job.destinations, &destinations, &t.unsnapped_destinations),
    ] {
        let file = file.display().to_string();
        for (i, why) in unsnapped {
            rejects.push(&file, points[*i].line, &points[*i].id, why.to_string());
        }
    }
    let beyond = match job.max_minutes {
        Some(m) => format!("no path within {m} min"),
        None => "no path".to_string(),
    };
    for &(s, d) in &t.unreachable {
        let id = format!("{} -> {}", sources[s].id, destinations[d].id);
        rejects.push("table", 0, &id, beyond.as_str());
    }
    let mut rows: Vec<TableRow> = t
        .cells
        .iter()
        .map(|&(s, d, ms, dm)| TableRow {
            source_id: sources[s].id.clone(),
            destination_id: destinations[d].id.clone(),
            time_ms: ms,
            len_dm: dm,
            access_dm: t.source_walk_dm[s],
            egress_dm: t.destination_walk_dm[d],
        })
        .collect();
    rows.sort_unstable();
    crate::support::atomic::write_with(&job.out, |w| {
        writeln!(w, "source_id,destination_id,minutes,km,access_m,egress_m")?;
        let mut csv = csv::WriterBuilder::new().has_headers(false).from_writer(w);
        for r in &rows {
            csv.write_record([
                r.source_id.as_str(),
                r.destination_id.as_str(),
                &format_minutes(r.time_ms),
                &format_km(r.len_dm),
                &format_m(r.access_dm),
                &format_m(r.egress_dm),
            ])?;
        }
        csv.flush()?;
        Ok(())
    })?;
    rejects.write_csv(&job.rejects)?;
    let summary = TableSummary {
        sources: (sources.len(), sources.len() - t.unsnapped_sources.len()),
        destinations: (
            destinations.len(),
            destinations.len() - t.unsnapped_destinations.len(),
        ),
        pairs: rows.len(),
        unreachable_pairs: t.unreachable.len(),
        rejected_rows,
        files: (job.out.clone(), job.rejects.clone()),
    };
    Ok(TableRun {
        summary,
        rows,
        rejects,
    })
}

/// Milliseconds as minutes with three decimals.
pub fn format_minutes(ms: u32) -> String {
    format!("{:.3}", f64::from(ms) / 60_000.0)
}

/// Decimetres as metres with one decimal.
pub fn format_m(dm: u32) -> String {
    format!("{:.1}", f64::from(dm) / 10.0)
}

/// Decimetres as kilometres with three decimals.
pub fn format_km(dm: u32) -> String {
    format!("{:.3}", f64::from(dm) / 10_000.0)
}
