//! Where a run's tables go: a PostgreSQL URL, a schema and the policy for a schema that
//! already exists; and the checks a run makes before any computation.
//!
//! The URL is libpq's (`postgresql://user@host:port/db?sslmode=…`) and never holds a
//! password: libpq takes it from `PGPASSWORD`, `~/.pgpass` or a service file, so the URL can
//! be written to the manifest and the logs as it is.

use crate::support::pg::redact;
use gdal::vector::LayerAccess;
use gdal::Dataset;

/// Why PostGIS could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The URL or the schema/table name is not usable.
    #[error("{what} {given:?}: {reason}")]
    Setting {
        /// Which setting (`[output] postgis`, `--out`…).
        what: String,
        /// The value given.
        given: String,
        /// What is wrong and what to give instead.
        reason: String,
    },
    /// The server could not be reached, refused the login, or lacks PostGIS.
    #[error("PostGIS {url}: {reason}")]
    Connect {
        /// The URL (it holds no password).
        url: String,
        /// What happened, in words.
        reason: String,
    },
    /// A file of the output folder could not be read.
    #[error("{file}: {reason}")]
    Source {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// The database refused a statement or a row.
    #[error("PostGIS {url}, table {table}: {reason}")]
    Write {
        /// The URL.
        url: String,
        /// Table concerned (`schema.table`), empty for the transaction itself.
        table: String,
        /// GDAL's or PostgreSQL's message.
        reason: String,
    },
}

/// What to do when the target schema already exists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IfExists {
    /// Refuse to run (the default): a schema is only replaced when asked.
    #[default]
    Fail,
    /// Drop the previous schema and its tables in the same transaction that creates the new.
    Replace,
}

/// A PostGIS destination: database URL, schema and existing-schema policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// libpq URL without password.
    pub url: String,
    /// Schema the tables go to.
    pub schema: String,
    /// Policy for an existing schema.
    pub if_exists: IfExists,
}

/// Checks a `postgresql://` URL: the scheme, and no password in it.
pub fn check_url(what: &str, url: &str) -> Result<(), PgError> {
    let err = |reason: &str| PgError::Setting {
        what: what.into(),
        given: redact(url),
        reason: reason.into(),
    };
    let rest = url
        .strip_prefix("postgresql://")
        .or_else(|| url.strip_prefix("postgres://"))
        .ok_or_else(|| err("give a URL postgresql://user@host:port/database"))?;
    if crate::support::pg::has_password(rest) || crate::support::pg::has_password(url) {
        return Err(err(
            "the URL holds a password: remove it and set PGPASSWORD or ~/.pgpass instead (a password in the URL would be written to the manifest and the logs)",
        ));
    }
    Ok(())
}

/// Checks a schema or table name: PostgreSQL's unquoted identifiers (lower-case ASCII
/// letters, digits, `_`, not starting with a digit, at most 63 bytes), so that dashboards
/// query them without quotes.
pub fn check_identifier(what: &str, name: &str) -> Result<(), PgError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(PgError::Setting {
            what: what.into(),
            given: name.into(),
            reason: "give a lower-case name of letters, digits and _ (at most 63 bytes, not starting with a digit): PostgreSQL folds or truncates others".into(),
        })
    }
}

/// Splits `--out postgresql://…#schema.table` into the URL, the schema and the table;
/// `None` when `out` is not a database URL.
pub fn parse_out(out: &str) -> Option<Result<(String, String, String), PgError>> {
    if !(out.starts_with("postgresql://") || out.starts_with("postgres://")) {
        return None;
    }
    let err = |reason: &str| PgError::Setting {
        what: "--out".into(),
        given: redact(out),
        reason: reason.into(),
    };
    Some((|| {
        let (url, name) = out
            .split_once('#')
            .ok_or_else(|| err("end the URL with #schema.table"))?;
        let (schema, table) = name
            .split_once('.')
            .ok_or_else(|| err("end the URL with #schema.table"))?;
        check_url("--out", url)?;
        check_identifier("--out schema", schema)?;
        check_identifier("--out table", table)?;
        Ok((url.to_string(), schema.to_string(), table.to_string()))
    })())
}

/// The first column of the first row of `sql` as text, `None` when no row.
pub fn query_one(ds: &Dataset, url: &str, sql: &str) -> Result<Option<String>, PgError> {
    let rs = ds
        .execute_sql(sql, None, gdal::vector::sql::Dialect::DEFAULT)
        .map_err(|e| PgError::Connect {
            url: url.into(),
            reason: format!("{sql}: {e}"),
        })?;
    let Some(mut rs) = rs else { return Ok(None) };
    let value = rs
        .features()
        .next()
        .and_then(|f| f.field_as_string(0).ok().flatten());
    Ok(value)
}

/// Checks that the server of `url` answers, accepts the login and has PostGIS.
pub fn check_postgis(url: &str) -> Result<Dataset, PgError> {
    let ds = crate::support::pg::open(url, true).map_err(|reason| PgError::Connect {
        url: redact(url),
        reason,
    })?;
    let version = query_one(
        &ds,
        url,
        "SELECT extversion FROM pg_extension WHERE extname = 'postgis'",
    )?;
    if version.is_none() {
        return Err(PgError::Connect {
            url: url.into(),
            reason: "the PostGIS extension is not installed in this database: run CREATE EXTENSION postgis (as its owner)".into(),
        });
    }
    Ok(ds)
}

/// Whether schema `name` exists in the database of `ds`.
pub fn schema_exists(ds: &Dataset, url: &str, name: &str) -> Result<bool, PgError> {
    Ok(query_one(
        ds,
        url,
        &format!("SELECT nspname FROM pg_namespace WHERE nspname = '{name}'"),
    )?
    .is_some())
}

impl Target {
    /// Checks the target before any computation: the URL and the schema name, the server,
    /// the login, PostGIS, and the existing-schema policy.
    pub fn check(&self) -> Result<(), PgError> {
        check_url("[output] postgis", &self.url)?;
        check_identifier("[output] postgis_schema", &self.schema)?;
        let ds = check_postgis(&self.url)?;
        if self.if_exists == IfExists::Fail && schema_exists(&ds, &self.url, &self.schema)? {
            return Err(PgError::Setting {
                what: "[output] postgis_schema".into(),
                given: self.schema.clone(),
                reason: "this schema already exists: set postgis_if_exists = \"replace\" to replace it and all its tables, or give another schema".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_a_password_are_refused_and_never_echoed() {
        let e = check_url("x", "postgresql://ars:s3cret@db:5432/sante").unwrap_err();
        let m = e.to_string();
        assert!(m.contains("holds a password"), "{m}");
        assert!(!m.contains("s3cret"), "{m}");
        assert!(check_url("x", "postgresql://ars@db:5432/sante").is_ok());
        assert!(check_url("x", "postgres://db/sante?sslmode=require").is_ok());
        assert!(check_url("x", "postgresql://db/sante?password=x").is_err());
        assert!(check_url("x", "mysql://db/x").is_err());
    }

    #[test]
    fn out_urls_name_a_schema_and_a_table() {
        assert!(parse_out("out.csv").is_none());
        let (url, s, t) = parse_out("postgresql://u@h:5/db#res.times")
            .unwrap()
            .unwrap();
        assert_eq!(
            (url.as_str(), s.as_str(), t.as_str()),
            ("postgresql://u@h:5/db", "res", "times")
        );
        assert!(parse_out("postgresql://u@h/db#times").unwrap().is_err());
        assert!(parse_out("postgresql://u@h/db").unwrap().is_err());
        assert!(parse_out("postgresql://u@h/db#Res.t").unwrap().is_err());
    }

    #[test]
    fn identifiers_postgresql_would_fold_or_truncate_are_refused() {
        assert!(check_identifier("s", "acces_2025").is_ok());
        for bad in ["Acces", "a b", "1a", "", &"x".repeat(64), "é"] {
            assert!(check_identifier("s", bad).is_err(), "{bad}");
        }
    }
}
