//! Time to write a national study's origins layer (issue 19: outputs of 2 M origins under
//! 10 s): N origins (2,000,000 by default) with the columns a national study writes per
//! origin — `demand`, `snap_m`; for GP, radiology, gastro-enterology and pharmacy the time,
//! length and id of the nearest site and the time to the 3rd nearest; GP coverage at 5, 10,
//! 15, 20 and 30 min (sites and capacity); GP E2SFCA 30 min and APL — written through the
//! run's own writers: `origins.csv` ([`write_origins_csv`]) and the `origins` layer of the
//! GeoPackage ([`GpkgWriter`], population first, as the study writes it).
//!
//! ```sh
//! cargo run --release --example outputs_national -- [N] [DIR]
//! ```
//!
//! Values are drawn with a fixed seed in the ranges and number formats of the real columns,
//! 2 % of them empty (origins out of reach). Prints one Markdown row: each file's time and
//! size; the files stay in `DIR` (default: the system's temporary folder) for `md5sum`.

mod common;

use common::peak_mb;
use recours::export::columns::kth_column;
use recours::export::csv::write_origins_csv;
use recours::export::{gpkg::GpkgWriter, Column, Format, Values};
use recours::inputs::demand::Origin;
use recours::synth::rng::SplitMix64;
use std::time::Instant;

/// A number column of `n` values drawn by `draw`, 2 % empty.
fn numbers(
    rng: &mut SplitMix64,
    name: String,
    n: usize,
    format: Format,
    draw: impl Fn(&mut SplitMix64) -> f64,
) -> Column {
    let values = (0..n)
        .map(|_| (rng.below(50) != 0).then(|| draw(rng)))
        .collect();
    Column {
        name,
        values: Values::Number(values, format),
    }
}

/// The per-origin columns of a national study, `n` rows.
fn study_columns(rng: &mut SplitMix64, n: usize) -> Vec<Column> {
    let minutes = |r: &mut SplitMix64| f64::from(r.below(5_400_000) as u32) / 60_000.0;
    let mut cols = vec![
        numbers(rng, "demand".into(), n, Format::Shortest, |r| {
            (1.0 + r.below(67) as f64) * 0.97 + r.below(1000) as f64 / 3.0e4
        }),
        numbers(rng, "snap_m".into(), n, Format::Fixed(1), |r| {
            r.below(1_000_000) as f64 / 997.0
        }),
    ];
    for cat in ["gp", "radiology", "gastro", "pharmacy"] {
        cols.push(numbers(
            rng,
            format!("{cat}_minutes"),
            n,
            Format::Fixed(3),
            minutes,
        ));
        cols.push(numbers(
            rng,
            format!("{cat}_km"),
            n,
            Format::Fixed(3),
            |r| f64::from(r.below(2_000_000) as u32) / 10_000.0,
        ));
        let sites = (0..n)
            .map(|_| (rng.below(50) != 0).then(|| format!("s{}", rng.below(100_000))))
            .collect();
        cols.push(Column {
            name: format!("{cat}_site"),
            values: Values::Text(sites),
        });
        cols.push(numbers(
            rng,
            kth_column(cat, 3),
            n,
            Format::Fixed(3),
            minutes,
        ));
    }
    for t in [5, 10, 15, 20, 30] {
        cols.push(numbers(
            rng,
            format!("gp_sites_{t}min"),
            n,
            Format::Fixed(0),
            |r| r.below(200) as f64,
        ));
        cols.push(numbers(
            rng,
            format!("gp_capacity_{t}min"),
            n,
            Format::Shortest,
            |r| r.below(400) as f64 * 0.5,
        ));
    }
    cols.push(numbers(
        rng,
        "gp_e2sfca_30".into(),
        n,
        Format::Shortest,
        |r| r.below(1 << 40) as f64 / (1u64 << 40) as f64 * 1.6e-3,
    ));
    cols.push(numbers(rng, "apl".into(), n, Format::Shortest, |r| {
        r.below(1 << 40) as f64 / (1u64 << 40) as f64 * 7.0
    }));
    cols
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(Ok(2_000_000), |v| v.parse())?;
    let dir = args.next().map_or_else(
        || std::env::temp_dir().join("recours-outputs-bench"),
        std::path::PathBuf::from,
    );
    std::fs::create_dir_all(&dir)?;
    let mut rng = SplitMix64::new(19);
    let origins: Vec<Origin> = (0..n)
        .map(|i| Origin {
            id: format!(
                "CRS3035RES200mN{:07}E{:07}",
                2_000_000 + 200 * rng.below(5_000),
                3_200_000 + 200 * rng.below(5_000)
            ) + &format!("_{i}"),
            lon: -4.5 + 12.0 * rng.below(1 << 40) as f64 / (1u64 << 40) as f64,
            lat: 42.5 + 8.5 * rng.below(1 << 40) as f64 / (1u64 << 40) as f64,
            population: 1.0 + rng.below(67) as f64,
            ages: None,
            income: None,
            source: "synthetic".into(),
        })
        .collect();
    let columns = study_columns(&mut rng, n);

    let csv = dir.join("origins.csv");
    let t = Instant::now();
    write_origins_csv(&csv, &origins, &columns)?;
    let csv_s = t.elapsed().as_secs_f64();

    let gpkg = dir.join("results.gpkg");
    let t = Instant::now();
    let mut g = GpkgWriter::create(&gpkg)?;
    let coords: Vec<(f64, f64)> = origins.iter().map(|o| (o.lon, o.lat)).collect();
    let ids: Vec<String> = origins.iter().map(|o| o.id.clone()).collect();
    let mut layer = vec![Column {
        name: "population".into(),
        values: Values::Number(
            origins.iter().map(|o| Some(o.population)).collect(),
            Format::Shortest,
        ),
    }];
    layer.extend(columns);
    g.add_points("origins", &coords, &ids, &layer)?;
    g.finish()?;
    let gpkg_s = t.elapsed().as_secs_f64();
    let mb = |p: &std::path::Path| std::fs::metadata(p).map_or(0.0, |m| m.len() as f64 / 1e6);
    println!("| origins | columns | CSV | GeoPackage | both | sizes | peak RSS | threads |");
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| {n} | {} | {csv_s:.2} s | {gpkg_s:.2} s | {:.2} s | {:.0} MB CSV, {:.0} MB GeoPackage | {:.0} MB | {} |",
        layer.len() - 1,
        csv_s + gpkg_s,
        mb(&csv),
        mb(&gpkg),
        peak_mb(),
        rayon::current_num_threads()
    );
    Ok(())
}
