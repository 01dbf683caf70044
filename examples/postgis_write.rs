//! Time to write an origins layer of N points with 30 indicator columns to a GeoPackage
//! (`export::gpkg`) and then, from that GeoPackage, to a PostGIS schema
//! (`export::postgis::publish_folder`, one transaction, COPY, GiST index, comments).
//!
//! `cargo run --profile test --example postgis_write -- 2000000 postgresql://user@host:port/db`
//! (password from `PGPASSWORD`); prints both times and sizes.

use recours::export::postgis::{publish_folder, target, IfExists, Target};
use recours::export::{gpkg::GpkgWriter, Column, Format, Values};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().unwrap_or_else(|| "200000".into()).parse()?;
    let url = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("give N and a postgresql:// URL"))?;
    let dir = std::env::temp_dir().join(format!("recours-postgis-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let coords: Vec<(f64, f64)> = (0..n)
        .map(|_| (-4.5 + 12.0 * next(), 42.5 + 8.5 * next()))
        .collect();
    let ids: Vec<String> = (0..n).map(|i| format!("CRS3035RES200mN{i:012}")).collect();
    let columns: Vec<Column> = (0..30)
        .map(|k| Column {
            name: format!("indicator_{k}_minutes"),
            values: Values::Number(
                (0..n)
                    .map(|_| {
                        let x = next();
                        (x > 0.02).then_some(60.0 * x)
                    })
                    .collect(),
                Format::Fixed(2),
            ),
        })
        .collect();
    let t = Instant::now();
    let path = dir.join("results.gpkg");
    let mut g = GpkgWriter::create(&path)?;
    g.add_points("origins", &coords, &ids, &columns)?;
    g.finish()?;
    let gpkg_s = t.elapsed().as_secs_f64();
    let gpkg_mb = std::fs::metadata(&path)?.len() as f64 / 1e6;
    let t = Instant::now();
    let written = publish_folder(
        &dir,
        &Target {
            url: url.clone(),
            schema: "bench_origins".into(),
            if_exists: IfExists::Replace,
        },
    )?;
    let pg_s = t.elapsed().as_secs_f64();
    let ds = target::check_postgis(&url)?;
    let size = target::query_one(
        &ds,
        &url,
        "SELECT pg_total_relation_size('bench_origins.origins')",
    )?
    .unwrap_or_default();
    println!(
        "{n} origins × 30 columns: GeoPackage {gpkg_s:.1} s ({gpkg_mb:.0} MB); PostGIS {pg_s:.1} s ({} MB with its index; {:?})",
        size.parse::<f64>().unwrap_or(0.0) / 1e6,
        written.tables
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
