//! `--out postgresql://user@host:port/db#schema.table` for `table`, `fca` and `icc`: the
//! command writes its CSV files into a private temporary folder as usual, then they go to
//! the database in one transaction — the main file as `schema.table`, each companion file
//! (rejects, sites) as `schema.table_{suffix}`. The server, the login and PostGIS are
//! checked before any computation.

use crate::export::postgis::{self, target};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// A database destination of `--out`, with the folder its files are written to first.
#[derive(Debug)]
pub struct PgOut {
    url: String,
    schema: String,
    table: String,
    dir: PathBuf,
}

impl PgOut {
    /// `Some` when `out` is a `postgresql://…#schema.table` URL, after checking the URL, the
    /// server, the login and PostGIS; `None` for a file.
    pub fn from_out(out: &Path) -> anyhow::Result<Option<PgOut>> {
        let Some(parsed) = target::parse_out(&out.to_string_lossy()) else {
            return Ok(None);
        };
        let (url, schema, table) = parsed?;
        target::check_postgis(&url)?;
        let dir = std::env::temp_dir().join(format!("recours-pg-out-{}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Some(PgOut {
            url,
            schema,
            table,
            dir,
        }))
    }

    /// The CSV file the command writes its main output to.
    pub fn csv(&self) -> PathBuf {
        self.dir.join(format!("{}.csv", self.table))
    }

    /// `--out` for a command: the temporary CSV for a database destination, else `out`.
    pub fn file_or(pg: &Option<PgOut>, out: &Path) -> PathBuf {
        pg.as_ref()
            .map(PgOut::csv)
            .unwrap_or_else(|| out.to_path_buf())
    }

    /// Sends the main file and the companions that exist (`(file, suffix)`) to the database
    /// in one transaction; returns a line saying where they went.
    pub fn publish(self, companions: &[(&Path, &str)]) -> anyhow::Result<String> {
        let mut files = vec![(self.csv(), self.table.clone())];
        for (file, suffix) in companions {
            if file.is_file() {
                files.push((file.to_path_buf(), format!("{}_{suffix}", self.table)));
            }
        }
        let rows = postgis::publish_tables(&self.url, &self.schema, &files)?;
        let said: Vec<String> = files
            .iter()
            .zip(rows)
            .map(|((_, t), n)| format!("{}.{t} ({n} rows)", self.schema))
            .collect();
        Ok(format!("written to {}: {}", self.url, said.join(", ")))
    }
}

impl Drop for PgOut {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            tracing::warn!("could not remove {}: {e}", self.dir.display());
        }
    }
}
