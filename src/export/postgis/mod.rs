//! PostGIS output: a finished output folder becomes one schema of a PostgreSQL/PostGIS
//! database, written in **one transaction** through GDAL's `PostgreSQL` driver.
//!
//! - [`target`]: the connection URL (`postgresql://user@host:port/db`, never a password:
//!   that comes from `PGPASSWORD`, `~/.pgpass` or `PGSERVICEFILE`, as for `psql`), the schema
//!   and the policy for a schema that already exists; the checks made before any computation
//!   (server reachable, authentication, PostGIS installed, schema policy).
//! - [`tables`]: which files of the folder become which tables, with which column types
//!   (GeoPackage and GeoJSON layers keep their types and geometry; CSV columns are typed from
//!   their values) and the column names PostgreSQL accepts unquoted.
//! - [`dictionary`]: what each output column means and in which unit, written as
//!   `COMMENT ON COLUMN` (the same wording as `docs/outputs.md`).
//! - [`write`]: the transaction: every table is created in a staging schema, then the
//!   previous schema is dropped and the staging schema renamed in its place, and only then
//!   is the transaction committed. A failure or a kill before the commit leaves the previous
//!   tables exactly as they were (PostgreSQL rolls back a transaction whose client is gone).
//!
//! GDAL's driver is used rather than a PostgreSQL client crate because the project already
//! links GDAL for every layer format: the same code reads inputs from `PG:` datasources,
//! geometries and spatial references go through one library, and rows are sent with COPY
//! (`PG_USE_COPY`).

pub mod dictionary;
pub mod tables;
pub mod target;
pub mod write;

pub use target::{IfExists, PgError, Target};
pub use write::{publish_folder, publish_tables};
