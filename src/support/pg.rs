//! PostgreSQL datasources through GDAL's `PostgreSQL` driver: recognising them among file
//! paths, opening them, and saying in words why a connection failed (server unreachable,
//! authentication refused, database missing) with libpq's own message kept.
//!
//! A datasource is `PG:` followed by a libpq connection string or URL
//! (`PG:postgresql://user@host:port/db`, `PG:dbname=sante host=db`), or a bare
//! `postgresql://` URL. The password never appears in it: libpq reads `PGPASSWORD`,
//! `~/.pgpass` or a service file.

use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use std::path::Path;

/// Whether `path` names a PostgreSQL datasource (`PG:…`, `postgresql://…`, `postgres://…`)
/// rather than a file.
pub fn is_database(path: &str) -> bool {
    path.starts_with("PG:") || path.starts_with("postgresql://") || path.starts_with("postgres://")
}

/// The GDAL datasource name of a `postgresql://` URL or a `PG:` connection string.
pub fn datasource(url: &str) -> String {
    if url.starts_with("PG:") {
        url.to_string()
    } else {
        format!("PG:{url}")
    }
}

/// Whether a datasource or URL holds a password (`user:password@`, `password=`).
pub fn has_password(url: &str) -> bool {
    let rest = url.trim_start_matches("PG:");
    let in_uri = rest.split_once("://").is_some_and(|(_, r)| {
        r.split(['/', '?'])
            .next()
            .and_then(|a| a.rsplit_once('@'))
            .is_some_and(|(user, _)| user.contains(':'))
    });
    in_uri || rest.contains("password=")
}

/// Whether `path` is a PostgreSQL datasource rather than a file.
pub fn is_database_path(path: &Path) -> bool {
    path.to_str().is_some_and(is_database)
}

/// `url` with any password replaced by `***`, for error messages.
pub fn redact(url: &str) -> String {
    let masked = match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((user, host)) if user.contains(':') => {
                let name = user.split(':').next().unwrap_or("");
                format!("{scheme}://{name}:***@{host}")
            }
            _ => url.to_string(),
        },
        None => url.to_string(),
    };
    match masked.split_once("password=") {
        Some((head, tail)) => {
            let rest = tail.find([' ', '&']).map(|i| &tail[i..]).unwrap_or("");
            format!("{head}password=***{rest}")
        }
        None => masked,
    }
}

/// Opens a PostgreSQL datasource (`url`: `postgresql://…` or `PG:…`), for writing when
/// `update`; the error (in words) says whether the server is unreachable, the login refused or the
/// database missing.
pub fn open(url: &str, update: bool) -> Result<Dataset, String> {
    let mut flags = GdalOpenFlags::GDAL_OF_VECTOR;
    if update {
        flags |= GdalOpenFlags::GDAL_OF_UPDATE;
    }
    let options = DatasetOptions {
        open_flags: flags,
        allowed_drivers: Some(&["PostgreSQL"]),
        ..Default::default()
    };
    Dataset::open_ex(datasource(url), options).map_err(|e| explain_connect(&e.to_string()))
}

/// A libpq connection failure in words, with the cause kept.
fn explain_connect(message: &str) -> String {
    let m = message.trim();
    let cause = if m.contains("password authentication failed")
        || m.contains("no password supplied")
        || m.contains("authentication failed")
    {
        "authentication failed: check the user, and the password in PGPASSWORD or ~/.pgpass"
    } else if m.contains("Connection refused")
        || m.contains("could not translate host name")
        || m.contains("timeout expired")
        || m.contains("No such file or directory")
    {
        "server unreachable: check the host and port, and that PostgreSQL is running"
    } else if m.contains("does not exist") {
        "the database (or role) does not exist: create it first"
    } else {
        "cannot connect"
    };
    format!("{cause} ({m})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_found_in_urls_and_connection_strings() {
        assert!(has_password("PG:postgresql://u:pw@h/db"));
        assert!(has_password("PG:dbname=x password=pw"));
        assert!(!has_password("PG:postgresql://u@h:5432/db"));
        assert!(!has_password("PG:dbname=x host=h port=5432"));
        assert!(is_database_path(Path::new("PG:dbname=x")));
        assert!(!is_database_path(Path::new("input/x.gpkg")));
        assert_eq!(
            redact("PG:dbname=x password=pw host=h"),
            "PG:dbname=x password=*** host=h"
        );
        assert_eq!(redact("postgresql://u:pw@h/db"), "postgresql://u:***@h/db");
    }

    #[test]
    fn connection_failures_are_named() {
        assert!(
            explain_connect("FATAL:  password authentication failed for user \"x\"")
                .starts_with("authentication failed")
        );
        assert!(explain_connect(
            "connection to server at \"127.0.0.1\", port 1 failed: Connection refused"
        )
        .starts_with("server unreachable"));
    }
}
