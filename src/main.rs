//! The `recours` command line: parses arguments, calls the library, prints summaries.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use recours::network::builder::{BuildOptions, BuildReport};
use recours::network::source::{obtain_graph, NetworkSource, ObtainedGraph};
use recours::network::store;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

/// Writes a line on stderr; a closed stderr (`… 2>&1 | head -1`) is not an error: the run
/// goes on and its outputs are still written.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// Writes a line on stdout; a closed stdout is not an error (see [`say!`]).
macro_rules! show {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Stderr for the logs, where a write that fails (stderr closed) is dropped instead of
/// reported: the logging library would report it on stderr again, and fail the process.
struct QuietStderr;

impl Write for QuietStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

/// Access to care on road networks: travel-time graphs, nearest care, coverage,
/// floating-catchment indicators (2SFCA, E2SFCA, APL) and their maps.
#[derive(Parser)]
#[command(name = "recours", version, propagate_version = true)]
struct Cli {
    /// Worker threads (default: all cores). Results are identical whatever the number.
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// Make any rejected row, point or feature fatal: non-zero exit with the count and the
    /// first rejects (outputs and rejects files are still written).
    #[arg(long, global = true)]
    strict: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a study file end to end: inputs, network, indicators, per-territory summaries,
    /// layers and tables (see docs/study.md).
    ///
    /// Every setting is checked before any computation. Categories of care: gp, radiology,
    /// gastroenterology, gynaecology, ophthalmology, cardiology, dermatology, pharmacist,
    /// dentist, midwife, nurse, physiotherapist, speech_therapist (Annuaire Santé);
    /// health_centre, msp, hospital, pharmacy, imaging, laboratory, ehpad, cpts (FINESS);
    /// aliases such as gastro are read as the category present. The result replaces the
    /// output folder in one step; timings go to the manifest's `run` section.
    Run(RunArgs),
    /// Build, save and inspect road network graphs.
    #[command(subcommand)]
    Network(NetworkCommand),
    /// Travel times between two sets of points (like the INSEE distancier or OSRM's table).
    ///
    /// Points are snapped onto the nearest eligible road; the output CSV has one row
    /// `source_id,destination_id,minutes,km,access_m,egress_m` per reachable pair, sorted by
    /// source then destination id. `minutes` is the whole trip: the walk from the source to
    /// the road (`access_m` metres, at 4.5 km/h), the drive (`km`, network only), and the
    /// walk from the road to the destination (`egress_m` metres, at 4.5 km/h). Unsnapped
    /// points and unreachable pairs are summarised on stderr and listed in the rejects file.
    Table(TableArgs),
    /// Floating-catchment accessibility (2SFCA, E2SFCA, APL, kernels) from a travel-time
    /// table you bring (INSEE Metric, OSRM, Valhalla exports).
    ///
    /// Writes one row per origin `origin,access,in_catchment` (access empty for an origin in
    /// no catchment) and one per site `site,weighted_demand,ratio`; rejected rows go to the
    /// rejects file with their line and reason.
    Fca(FcaArgs),
    /// Run the bundled demo territory end to end (generated, in real formats).
    Demo(DemoArgs),
    /// Detect what each file is (Annuaire Santé, FINESS, Filosofi, BAN, communes / IRIS /
    /// QPV polygons, membership table, OSM, generic points), read it, and print rows read
    /// and rejected with the main reasons, CRS, WGS84 bounding box and categories.
    Inspect(InspectArgs),
    /// ICC (indice comparatif de consommation) per territory and specialty: observed against
    /// expected consumption at reference rates by age band × sex (age only with a population
    /// from Filosofi cells, --filosofi), exact Poisson, Byar, log-normal or auto interval,
    /// missing consumption and doctors, statistical secrecy, URPS summaries.
    ///
    /// Writes --out, `<out>.summary.csv`, `<out>.rejects.csv` and, with --access,
    /// `<out>.typology.csv` (ICC joined with access indicators).
    Icc(IccArgs),
    /// Zonage of units (TVS, communes…): the 2017 GP rule on the APL (ZIP A, vivier picked
    /// into ZIP B / ZAC / vigilance within population quotas, outside), a weighted
    /// multi-criteria ranking with population-share classes (the 2025 approach), and
    /// population-share classes for other professions, as set in a TOML file.
    ///
    /// Writes --out (one row per unit), `<out>.summary.csv` (units and population per
    /// class) and `<out>.rejects.csv`.
    Zonage(ZonageArgs),
}

#[derive(Args)]
struct IccArgs {
    /// Observed consumption: CSV `code,specialty,age_band,sex,count[,sector]`.
    #[arg(long, value_name = "CSV")]
    consumption: PathBuf,
    /// Population: CSV `code,age_band,sex,population` (age_band and sex optional).
    #[arg(
        long,
        value_name = "CSV",
        conflicts_with = "filosofi",
        required_unless_present = "filosofi"
    )]
    population: Option<PathBuf>,
    /// Population from Filosofi 200 m cells (CSV or GeoPackage), summed per commune and
    /// re-banded into the consumption's age bands: standardisation on age only.
    #[arg(long, value_name = "FILE")]
    filosofi: Option<PathBuf>,
    /// Commune polygons placing the Filosofi cells (else each cell's `lcog_geo`).
    #[arg(long, value_name = "LAYER", requires = "filosofi")]
    communes: Option<PathBuf>,
    /// Reference rates: CSV `specialty,age_band,sex,rate[,sector]`.
    #[arg(
        long,
        value_name = "CSV",
        conflicts_with = "reference",
        required_unless_present = "reference"
    )]
    rates: Option<PathBuf>,
    /// Compute reference rates from a set of units: `all` (every unit of --population).
    #[arg(long, value_name = "SET", value_parser = ["all"])]
    reference: Option<String>,
    /// Territories: membership CSV (CPTS, TVS… → communes).
    #[arg(long, value_name = "CSV")]
    territories: PathBuf,
    /// Acts per full-time specialist: `specialty=acts,…`.
    #[arg(long, value_name = "LIST")]
    acts_per_fte: Option<String>,
    /// Cells with fewer observations are suppressed.
    #[arg(long, default_value_t = 10.0, value_name = "N")]
    secrecy: f64,
    /// Interval method: exact (Garwood), byar, normal (log-normal) or auto (exact below
    /// --ci-threshold observations, normal from it).
    #[arg(long, default_value = "exact", value_parser = ["exact", "byar", "normal", "auto"])]
    ci: String,
    /// With --ci auto: count from which the normal interval is used.
    #[arg(long, default_value_t = recours::indicators::icc::DEFAULT_AUTO_THRESHOLD, value_name = "N")]
    ci_threshold: u32,
    /// Confidence level of the interval.
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    level: f64,
    /// Access indicators per territory: CSV `code,<indicators…>` (with --typology).
    #[arg(long, value_name = "CSV", requires = "typology")]
    access: Option<PathBuf>,
    /// Typology rule `indicator:threshold[:above|below]` (side where access is poor).
    #[arg(long, value_name = "RULE", requires = "access")]
    typology: Option<String>,
    /// Output CSV.
    #[arg(long, value_name = "CSV")]
    out: PathBuf,
}

#[derive(Args)]
struct InspectArgs {
    /// Files to inspect.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// CRS of layers declaring none and of x/y columns (`EPSG:2154`…); never guessed.
    #[arg(long, value_name = "CRS")]
    crs: Option<String>,
}

#[derive(Subcommand)]
enum NetworkCommand {
    /// Read OSM or a line layer through a profile and save the routing graph.
    Build(BuildArgs),
    /// Print what a saved graph holds.
    Info {
        /// Saved graph file.
        #[arg(long)]
        graph: PathBuf,
    },
}

/// Where the road network comes from: exactly one of --graph, --osm, --lines.
#[derive(Args, Clone)]
#[group(required = true, multiple = false)]
struct SourceArgs {
    /// A graph saved by `recours network build` (fastest).
    #[arg(long, value_name = "GRAPH")]
    graph: Option<PathBuf>,
    /// An OpenStreetMap file: `.osm.pbf` or `.osm` XML.
    #[arg(long, value_name = "FILE")]
    osm: Option<PathBuf>,
    /// Any GDAL line layer (GeoJSON, GeoPackage, Shapefile: BD TOPO, ROUTE 500, Overpass).
    #[arg(long, value_name = "FILE")]
    lines: Option<PathBuf>,
}

/// How to build a graph from a source.
#[derive(Args, Clone)]
struct ProfileArgs {
    /// Travel profile: `car`, `walk`, or a profile TOML file (see profiles/).
    #[arg(long, default_value = "car", value_name = "NAME|FILE")]
    profile: String,
    /// Layer to read from a multi-layer --lines file.
    #[arg(long, value_name = "NAME")]
    layer: Option<String>,
    /// Strongly connected components with fewer nodes are pruned (the largest is kept).
    #[arg(long, default_value_t = BuildOptions::default().min_component_nodes, value_name = "NODES")]
    min_component: usize,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    profile: ProfileArgs,
    /// Where to save the graph.
    #[arg(long, value_name = "GRAPH")]
    out: PathBuf,
}

#[derive(Args)]
struct TableArgs {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    profile: ProfileArgs,
    /// Origins: CSV with header `id,lon,lat` (WGS84).
    #[arg(long, value_name = "CSV")]
    sources: PathBuf,
    /// Destinations: CSV with header `id,lon,lat` (WGS84).
    #[arg(long, value_name = "CSV")]
    destinations: PathBuf,
    /// Only pairs within this many minutes are searched and written.
    #[arg(long, value_name = "MINUTES")]
    max_minutes: Option<f64>,
    /// Points farther than this from any eligible road are not snapped (reported).
    #[arg(long, default_value_t = 1000.0, value_name = "METRES")]
    max_snap_m: f64,
    /// Output CSV.
    #[arg(long, value_name = "CSV")]
    out: PathBuf,
    /// Rejects CSV (unsnapped points, unreachable pairs); default: beside --out.
    #[arg(long, value_name = "CSV")]
    rejects: Option<PathBuf>,
}

#[derive(Args)]
struct ZonageArgs {
    /// Units: table `code,population,‹criteria…>`: CSV (any of `,` `;` tab `|`, decimal
    /// comma, thousands separators, UTF-8 or Latin-1) or a sheet of an .xlsx/.ods workbook
    /// such as DREES's APL workbook (header row found below the title lines).
    #[arg(long, value_name = "TABLE")]
    units: PathBuf,
    /// Sheet of a workbook to read (e.g. `APL 2023`); required when it has several.
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// Column of unit codes (e.g. `Code commune INSEE`).
    #[arg(long, value_name = "NAME", default_value = "code")]
    code_column: String,
    /// Column of populations (e.g. `Population totale 2021`).
    #[arg(long, value_name = "NAME", default_value = "population")]
    population_column: String,
    /// Settings: TOML with `[rule_2017]`, `[ranking]` and `[[shares]]` sections.
    #[arg(long, value_name = "TOML")]
    config: PathBuf,
    /// Output CSV.
    #[arg(long, value_name = "CSV")]
    out: PathBuf,
}

#[derive(Args)]
struct RunArgs {
    /// The study file (TOML).
    #[arg(value_name = "STUDY.toml")]
    study: PathBuf,
    /// Output folder, instead of the study's `[output] dir`.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Language of the report (`fr` or `en`), instead of the study's `[output] lang`.
    #[arg(long, value_name = "fr|en")]
    lang: Option<recours::export::report::lang::Lang>,
}

#[derive(Args)]
struct FcaArgs {
    /// Travel times: a table with an origin, a destination and a time column, e.g.
    /// `origin,destination,minutes`, `recours table`'s `source_id,destination_id,minutes,km`,
    /// OSRM/Valhalla-like `source,target,duration_s` (seconds), INSEE Metric-like
    /// `idSrc,idDst,duree` (give --time-unit for a bare `duration`/`duree`/`time`). Any
    /// of `,` `;` tab `|`, decimal comma, UTF-8 or Latin-1, or an .xlsx/.ods sheet.
    #[arg(long, value_name = "TABLE")]
    times: PathBuf,
    /// Unit of the time column when its name does not say it (or to override it).
    #[arg(long, value_enum, value_name = "UNIT")]
    time_unit: Option<recours::inputs::times::TimeUnit>,
    /// Demand: table `id,population` (+ Filosofi age bands `ind_0_3`…`ind_80p`, used with
    /// --age-weights).
    #[arg(long, value_name = "TABLE")]
    demand: PathBuf,
    /// Supply: table `id,capacity` (+ `activity` acts a year and `age` years, used by APL).
    #[arg(long, value_name = "TABLE")]
    supply: PathBuf,
    /// Sheet to read when a table is an .xlsx/.ods workbook of several sheets.
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// Method: 2sfca, e2sfca, apl, gaussian, exponential, linear or gravity.
    #[arg(long, default_value = "2sfca", value_name = "NAME")]
    method: String,
    /// Catchment radius, minutes (default 30; APL ends with its bands, 20).
    #[arg(long, value_name = "MINUTES")]
    max_minutes: Option<f64>,
    /// Step bands `minutes:weight,…`, e.g. `10:1,20:0.68,30:0.22` (2sfca, e2sfca, apl).
    #[arg(long, value_name = "BANDS")]
    bands: Option<String>,
    /// A trip lasting exactly a band bound is in the band below it (default) or above.
    #[arg(long, value_enum, default_value_t = Side::UpperInclusive)]
    bound_side: Side,
    /// Gaussian σ, minutes (default 10).
    #[arg(long, value_name = "MINUTES")]
    sigma: Option<f64>,
    /// Exponential decay β, per minute (default 0.1).
    #[arg(long, value_name = "PER_MINUTE")]
    beta: Option<f64>,
    /// Gravity power (default 1.5).
    #[arg(long)]
    power: Option<f64>,
    /// Gravity: times below this count as this, minutes (default 1).
    #[arg(long, value_name = "MINUTES")]
    min_minutes: Option<f64>,
    /// Gravity time unit, minutes (default 1; changes site ratios, not access).
    #[arg(long, value_name = "MINUTES")]
    scale_minutes: Option<f64>,
    /// APL: oldest GPs counted, years (65; 62 and 60 are DREES variants), or `none`.
    #[arg(long, value_name = "YEARS|none")]
    max_age: Option<String>,
    /// Standardise demand with these ten age-band weights (`ind_0_3` … `ind_80p`),
    /// comma-separated.
    #[arg(long, value_name = "W1,…,W10")]
    age_weights: Option<String>,
    /// Also write access divided by its population-weighted mean.
    #[arg(long)]
    normalize: bool,
    /// Output CSV, one row per origin.
    #[arg(long, value_name = "CSV")]
    out: PathBuf,
    /// Per-site output CSV; default: beside --out, `.sites.csv`.
    #[arg(long, value_name = "CSV")]
    sites_out: Option<PathBuf>,
    /// Rejects CSV; default: beside --out, `.rejects.csv`.
    #[arg(long, value_name = "CSV")]
    rejects: Option<PathBuf>,
}

/// Side of a band bound a trip of exactly that time falls on.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Side {
    /// `t ≤ bound` is in the band ending at the bound.
    UpperInclusive,
    /// `t < bound` is in the band ending at the bound.
    UpperExclusive,
}

#[derive(Args)]
struct DemoArgs {
    /// Output folder.
    #[arg(long, default_value = "out/demo", value_name = "DIR")]
    out: PathBuf,
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(|| QuietStderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            say!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(n) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("setting up the thread pool")?;
    }
    match cli.command {
        Command::Run(a) => run_study(a, cli.strict),
        Command::Network(NetworkCommand::Build(a)) => network_build(a),
        Command::Network(NetworkCommand::Info { graph }) => network_info(graph),
        Command::Table(a) => table(a, cli.strict),
        Command::Fca(a) => fca(a, cli.strict),
        Command::Demo(a) => demo(a),
        Command::Inspect(a) => inspect(a, cli.strict),
        Command::Icc(a) => icc(a, cli.strict),
        Command::Zonage(a) => zonage(a, cli.strict),
    }
}

fn source_of(s: &SourceArgs, p: &ProfileArgs) -> NetworkSource {
    match (&s.graph, &s.osm, &s.lines) {
        (Some(g), _, _) => NetworkSource::Graph(g.clone()),
        (_, Some(o), _) => NetworkSource::Osm(o.clone()),
        (_, _, Some(l)) => NetworkSource::Lines {
            path: l.clone(),
            layer: p.layer.clone(),
        },
        _ => unreachable!("clap requires one source"),
    }
}

fn obtain(s: &SourceArgs, p: &ProfileArgs) -> anyhow::Result<ObtainedGraph> {
    let source = source_of(s, p);
    let spinner = recours::support::progress::spinner("reading the road network");
    let got = obtain_graph(
        &source,
        &p.profile,
        &BuildOptions {
            min_component_nodes: p.min_component,
        },
    );
    spinner.finish_and_clear();
    let got = got?;
    if let Some(rep) = &got.build {
        print_build_report(rep, got.read_seconds);
    }
    Ok(got)
}

fn network_build(a: BuildArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        !a.out.is_dir(),
        "--out {} is a folder; give a file name such as {}",
        a.out.display(),
        a.out.join("graph.bin").display()
    );
    let got = obtain(&a.source, &a.profile)?;
    let start = Instant::now();
    store::save_graph(&got.graph, &a.out)?;
    let size = std::fs::metadata(&a.out).map(|m| m.len()).unwrap_or(0);
    say!(
        "saved {} ({:.1} MB) in {:.2} s",
        a.out.display(),
        size as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn print_build_report(rep: &BuildReport, read_seconds: f64) {
    say!(
        "graph: {} nodes, {} directed edges, {} road pieces (read {:.2} s, build {:.2} s)",
        rep.nodes,
        rep.edges,
        rep.pieces,
        read_seconds,
        rep.seconds
    );
    for (class, km) in &rep.km_by_class {
        say!("  {class:<16} {km:>10.1} km");
    }
    let p = &rep.prune;
    say!(
        "components: {} found, largest {} nodes; pruned {} small islands ({} nodes, {} pieces)",
        p.components,
        p.largest_nodes,
        p.pruned_components,
        p.pruned_nodes,
        p.pruned_pieces
    );
    let t = &rep.turns;
    say!(
        "turn restrictions: {} applied at {} split junctions ({} allowed turns)",
        t.applied,
        t.junctions,
        t.turn_edges
    );
    for (reason, n) in t.left_out.iter().chain(&rep.skipped) {
        say!("  skipped {n:>8}  {reason}");
    }
}

fn network_info(path: PathBuf) -> anyhow::Result<()> {
    let start = Instant::now();
    let g = store::load_graph(&path)?;
    show!(
        "{}: profile {}, loaded in {:.2} s",
        path.display(),
        g.profile_name,
        start.elapsed().as_secs_f64()
    );
    show!(
        "nodes {}, directed edges {}, pieces {}",
        g.node_count(),
        g.edge_count(),
        g.pieces.len()
    );
    let routable = (0..g.pieces.len())
        .filter(|&p| g.pieces.is_routable(p))
        .count();
    show!("pieces on pruned islands: {}", g.pieces.len() - routable);
    for (c, s) in g.class_names.iter().zip(&g.class_snappable) {
        show!("  class {c:<16} snappable: {s}");
    }
    Ok(())
}

use recours::cli::pg_out::PgOut;

fn table(a: TableArgs, strict: bool) -> anyhow::Result<()> {
    let pg = PgOut::from_out(&a.out)?;
    let out = PgOut::file_or(&pg, &a.out);
    let rejects_path = a
        .rejects
        .clone()
        .unwrap_or_else(|| recours::cli::table::default_rejects_path(&out));
    let job = recours::cli::table::TableJob {
        sources: a.sources,
        destinations: a.destinations,
        max_minutes: a.max_minutes,
        max_snap_m: a.max_snap_m,
        out,
        rejects: rejects_path,
    };
    job.check()?;
    let got = obtain(&a.source, &a.profile)?;
    let run = recours::cli::table::run_table_job(&got.graph, &job)?;
    say!("{}", run.summary);
    if let Some(pg) = pg {
        say!("{}", pg.publish(&[(&job.rejects, "rejects")])?);
    }
    if strict {
        run.rejects.ensure_empty(STRICT_SHOWN)?;
    }
    Ok(())
}

/// Rejects listed in a `--strict` failure.
const STRICT_SHOWN: usize = 5;

fn inspect(a: InspectArgs, strict: bool) -> anyhow::Result<()> {
    let opts = recours::cli::inspect::InspectOptions { crs: a.crs };
    let run = recours::cli::inspect::inspect_files(&a.files, &opts);
    for line in &run.printed {
        show!("{line}");
    }
    for e in &run.failed {
        say!("error: {e}");
    }
    if !run.failed.is_empty() {
        anyhow::bail!(
            "{} of {} files could not be inspected",
            run.failed.len(),
            a.files.len()
        );
    }
    if strict && !run.unread_layers.is_empty() {
        anyhow::bail!(
            "{} layers could not be read (--strict): {}",
            run.unread_layers.len(),
            run.unread_layers.join("; ")
        );
    }
    if strict {
        run.rejects.ensure_empty(STRICT_SHOWN)?;
    }
    Ok(())
}

fn fca(a: FcaArgs, strict: bool) -> anyhow::Result<()> {
    use recours::cli::fca::{parse_age_weights, run_fca_job, FcaJob};
    use recours::indicators::kernel::BoundSide;
    use recours::indicators::method::{method_from, MethodParams};
    let max_age = match a.max_age.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(v) => Some(Some(v.parse().with_context(|| {
            format!("--max-age {v:?}: expected a whole number of years or `none`")
        })?)),
    };
    let params = MethodParams {
        max_minutes: a.max_minutes,
        bands: a.bands,
        side: match a.bound_side {
            Side::UpperInclusive => BoundSide::UpperInclusive,
            Side::UpperExclusive => BoundSide::UpperExclusive,
        },
        sigma_minutes: a.sigma,
        beta_per_minute: a.beta,
        power: a.power,
        min_minutes: a.min_minutes,
        scale_minutes: a.scale_minutes,
        max_age,
    };
    let pg = PgOut::from_out(&a.out)?;
    let out = PgOut::file_or(&pg, &a.out);
    let beside = |suffix: &str| recours::support::atomic::beside(&out, suffix);
    let job = FcaJob {
        times: a.times.clone(),
        time_unit: a.time_unit,
        sheet: a.sheet.clone(),
        demand: a.demand.clone(),
        supply: a.supply.clone(),
        method: method_from(&a.method, &params)?,
        age_weights: a
            .age_weights
            .as_deref()
            .map(parse_age_weights)
            .transpose()?,
        normalize: a.normalize,
        sites_out: a.sites_out.clone().unwrap_or_else(|| beside("sites")),
        rejects: a.rejects.clone().unwrap_or_else(|| beside("rejects")),
        out,
    };
    let mut rejects = recours::support::rejects::Rejects::default();
    let summary = run_fca_job(&job, &mut rejects)?;
    if let Some(pg) = pg {
        say!(
            "{}",
            pg.publish(&[(&job.sites_out, "sites"), (&job.rejects, "rejects")])?
        );
    }
    finish(&rejects, &summary, strict)
}

/// Prints the reject counts and the summary; with `--strict`, fails on any reject.
fn finish(
    rejects: &recours::support::rejects::Rejects,
    summary: &dyn std::fmt::Display,
    strict: bool,
) -> anyhow::Result<()> {
    for (file, reason, n) in rejects.summary() {
        say!("rejected {n:>6}  {file}: {reason}");
    }
    say!("{summary}");
    if strict {
        rejects.ensure_empty(STRICT_SHOWN)?;
    }
    Ok(())
}

fn run_study(a: RunArgs, strict: bool) -> anyhow::Result<()> {
    let out = recours::study::run_study_in(&a.study, a.out.as_deref(), a.lang)?;
    finish(&out.rejects, &out.summary, strict)
}

fn icc(a: IccArgs, strict: bool) -> anyhow::Result<()> {
    use recours::indicators::icc::{CiMethod, IccConfig};
    use recours::study::icc_job::{
        parse_acts_per_fte, run_icc_job, AccessInput, IccJob, PopulationSource, Typology,
    };
    let pg = PgOut::from_out(&a.out)?;
    let mut rejects = recours::support::rejects::Rejects::default();
    let config = IccConfig {
        level: a.level,
        ci: CiMethod::parse(&a.ci, a.ci_threshold).with_context(|| format!("--ci {}", a.ci))?,
        secrecy_threshold: a.secrecy,
        acts_per_fte: a
            .acts_per_fte
            .as_deref()
            .map(parse_acts_per_fte)
            .transpose()?
            .unwrap_or_default(),
    };
    let access = match (a.access, a.typology.as_deref()) {
        (Some(p), Some(t)) => Some((AccessInput::File(p), vec![Typology::parse(t)?])),
        _ => None,
    };
    let population = match (a.population, a.filosofi) {
        (Some(p), _) => PopulationSource::Csv(p),
        (None, Some(cells)) => PopulationSource::Filosofi {
            cells,
            layer: None,
            crs: None,
            communes: a
                .communes
                .map(|p| {
                    recours::inputs::territory::read_units(
                        &p,
                        None,
                        "commune",
                        None,
                        None,
                        None,
                        &mut rejects,
                    )
                    .with_context(|| format!("reading communes {}", p.display()))
                })
                .transpose()?,
            record_rejects: true,
        },
        (None, None) => anyhow::bail!("give --population or --filosofi"),
    };
    let job = IccJob {
        consumption: a.consumption,
        population,
        rates: a.rates,
        territories: a.territories,
        columns: Default::default(),
        config,
        access,
        out: PgOut::file_or(&pg, &a.out),
    };
    let summary = run_icc_job(&job, &mut rejects)?;
    if let Some(pg) = pg {
        let beside = |suffix: &str| recours::support::atomic::beside(&job.out, suffix);
        say!(
            "{}",
            pg.publish(&[
                (&beside("summary"), "summary"),
                (&beside("rejects"), "rejects"),
                (&beside("typology"), "typology"),
            ])?
        );
    }
    finish(&rejects, &summary, strict)
}

fn zonage(a: ZonageArgs, strict: bool) -> anyhow::Result<()> {
    use recours::cli::zonage::{read_config, run_zonage_job, ZonageJob};
    let job = ZonageJob {
        units: a.units,
        columns: recours::inputs::units::UnitColumns {
            sheet: a.sheet,
            code: a.code_column,
            population: a.population_column,
        },
        config: read_config(&a.config)?,
        out: a.out,
    };
    let mut rejects = recours::support::rejects::Rejects::default();
    let summary = run_zonage_job(&job, &mut rejects)?;
    finish(&rejects, &summary, strict)
}

fn demo(a: DemoArgs) -> anyhow::Result<()> {
    let summary = recours::cli::demo::run_demo(&a.out)?;
    say!("{summary}");
    Ok(())
}
