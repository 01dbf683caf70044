//! Per-origin indicator columns as CSV: `id,lon,lat,population,` then one column per
//! indicator ([`super::columns`]), numbers in fixed formats so that outputs are
//! byte-identical from run to run.
//!
//! Rows are formatted in chunks of [`CHUNK_ROWS`] on every core (rayon), each chunk into
//! its own buffer through its own `csv::Writer` (the same quoting as one writer for the
//! file), numbers by [`super::numbers`]; the buffers are written in row order, a batch of
//! chunks at a time, so the bytes are the same whatever the number of threads and the
//! memory held is one batch, not the file.

use super::columns::Column;
use super::numbers::{fixed, shortest};
use crate::inputs::demand::Origin;
use rayon::prelude::*;
use std::path::Path;

/// Rows formatted by one task.
pub const CHUNK_ROWS: usize = 8_192;

/// Chunks formatted before their bytes are written (≈ 40 MB for a national study's row).
const BATCH_CHUNKS: usize = 32;

/// Writes one row per origin with its indicator columns.
pub fn write_origins_csv(
    path: &Path,
    origins: &[Origin],
    columns: &[Column],
) -> Result<(), crate::support::atomic::WriteError> {
    crate::support::atomic::write_with(path, |w| {
        let mut header = csv::Writer::from_writer(Vec::new());
        header.write_record(
            ["id", "lon", "lat", "population"]
                .into_iter()
                .chain(columns.iter().map(|c| c.name.as_str())),
        )?;
        w.write_all(&header.into_inner().map_err(|e| e.into_error())?)?;
        let starts: Vec<usize> = (0..origins.len()).step_by(CHUNK_ROWS).collect();
        for batch in starts.chunks(BATCH_CHUNKS) {
            let parts: Vec<Result<Vec<u8>, csv::Error>> = batch
                .par_iter()
                .map(|&start| {
                    let end = (start + CHUNK_ROWS).min(origins.len());
                    origin_rows(origins, columns, start..end)
                })
                .collect();
            for part in parts {
                w.write_all(&part?)?;
            }
        }
        Ok(())
    })
}

/// The CSV bytes of origins `rows`.
fn origin_rows(
    origins: &[Origin],
    columns: &[Column],
    rows: std::ops::Range<usize>,
) -> Result<Vec<u8>, csv::Error> {
    let mut csv = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 160));
    let mut cell = Vec::with_capacity(64);
    for i in rows {
        let o = &origins[i];
        csv.write_field(&o.id)?;
        for (x, k) in [(o.lon, 6), (o.lat, 6)] {
            cell.clear();
            fixed(x, k, false, &mut cell);
            csv.write_field(&cell)?;
        }
        cell.clear();
        shortest(o.population, &mut cell);
        csv.write_field(&cell)?;
        for c in columns {
            cell.clear();
            c.write_cell(i, &mut cell);
            csv.write_field(&cell)?;
        }
        csv.write_record(None::<&[u8]>)?;
    }
    csv.into_inner().map_err(|e| e.into_error().into())
}

/// Writes `rows` under `header` as CSV at `path`, atomically ([`crate::support::atomic`]).
pub fn write_table<H: AsRef<str>>(
    path: &Path,
    header: &[H],
    rows: &[Vec<String>],
) -> Result<(), crate::support::atomic::WriteError> {
    crate::support::atomic::write_with(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(header.iter().map(AsRef::as_ref))?;
        for r in rows {
            csv.write_record(r)?;
        }
        csv.flush()?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::columns::{Format, Values};
    use crate::synth::rng::SplitMix64;

    /// The writer before issue 19, kept here as the reference of the bytes: one
    /// `csv::Writer`, every cell through `format!`.
    fn reference(origins: &[Origin], columns: &[Column]) -> Vec<u8> {
        let mut csv = csv::Writer::from_writer(Vec::new());
        let mut header = vec![
            "id".to_string(),
            "lon".into(),
            "lat".into(),
            "population".into(),
        ];
        header.extend(columns.iter().map(|c| c.name.clone()));
        csv.write_record(&header).unwrap();
        let text = |c: &Column, i: usize| match &c.values {
            Values::Number(v, f) => v[i]
                .map(|x| match f {
                    Format::Fixed(d) => {
                        let s = format!("{x:.d$}");
                        if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
                            s[1..].to_string()
                        } else {
                            s
                        }
                    }
                    Format::Shortest => x.to_string(),
                })
                .unwrap_or_default(),
            Values::Text(v) => v[i].clone().unwrap_or_default(),
        };
        for (i, o) in origins.iter().enumerate() {
            let mut row = vec![
                o.id.clone(),
                format!("{:.6}", o.lon),
                format!("{:.6}", o.lat),
                o.population.to_string(),
            ];
            row.extend(columns.iter().map(|c| text(c, i)));
            csv.write_record(&row).unwrap();
        }
        csv.into_inner().unwrap()
    }

    #[test]
    fn parallel_chunks_write_the_bytes_of_the_reference_writer() {
        let mut rng = SplitMix64::new(11);
        let n = 3 * CHUNK_ROWS + 17;
        let value = |rng: &mut SplitMix64| -> Option<f64> {
            match rng.below(8) {
                0 => None,
                1 => Some(f64::from_bits(rng.next_u64())),
                2 => Some(-rng.unit() * 1e-4),
                3 => Some(rng.below(1 << 12) as f64 / 64.0),
                _ => Some(rng.range(-100.0, 100.0)),
            }
        };
        let origins: Vec<Origin> = (0..n)
            .map(|i| Origin {
                id: match i % 5 {
                    0 => format!("o,{i}"),
                    1 => format!("o\"{i}\""),
                    2 => format!("é {i}\n"),
                    _ => format!("o{i}"),
                },
                lon: if i == 3 { -0.0 } else { rng.range(-5.0, 9.0) },
                lat: if i == 4 { -1e-9 } else { rng.range(41.0, 51.0) },
                population: rng.below(100) as f64 / 3.0,
                ages: None,
                income: None,
                source: String::new(),
            })
            .collect();
        let mut columns: Vec<Column> = [
            Format::Fixed(0),
            Format::Fixed(1),
            Format::Fixed(3),
            Format::Shortest,
        ]
        .into_iter()
        .enumerate()
        .map(|(k, f)| Column {
            name: format!("c{k}"),
            values: Values::Number((0..n).map(|_| value(&mut rng)).collect(), f),
        })
        .collect();
        columns.push(Column {
            name: "site, \"quoted\"".into(),
            values: Values::Text(
                (0..n)
                    .map(|i| {
                        (i % 3 != 0).then(|| ["s1", "a;b", "x,y", "q\"", ""][i % 5].to_string())
                    })
                    .collect(),
            ),
        });
        let dir = tempfile::tempdir().unwrap();
        let want = reference(&origins, &columns);
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let p = dir.path().join(format!("o{threads}.csv"));
            pool.install(|| write_origins_csv(&p, &origins, &columns))
                .unwrap();
            let got = std::fs::read(&p).unwrap();
            assert!(got == want, "{threads} threads: bytes differ");
        }
        let p = dir.path().join("empty.csv");
        write_origins_csv(&p, &[], &columns).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), reference(&[], &columns));
    }
}
