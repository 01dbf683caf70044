//! Per-origin indicator columns as CSV: `id,lon,lat,population,` then one column per
//! indicator ([`super::columns`]), numbers in fixed formats so that outputs are
//! byte-identical from run to run.

use super::columns::Column;
use crate::inputs::demand::Origin;
use std::path::Path;

/// Writes one row per origin with its indicator columns.
pub fn write_origins_csv(
    path: &Path,
    origins: &[Origin],
    columns: &[Column],
) -> Result<(), crate::support::atomic::WriteError> {
    crate::support::atomic::write_with(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        let mut header = vec![
            "id".to_string(),
            "lon".into(),
            "lat".into(),
            "population".into(),
        ];
        header.extend(columns.iter().map(|c| c.name.clone()));
        csv.write_record(&header)?;
        for (i, o) in origins.iter().enumerate() {
            let mut row = vec![
                o.id.clone(),
                format!("{:.6}", o.lon),
                format!("{:.6}", o.lat),
                o.population.to_string(),
            ];
            row.extend(columns.iter().map(|c| c.text(i)));
            csv.write_record(&row)?;
        }
        csv.flush()?;
        Ok(())
    })
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
