//! A throw-away PostgreSQL + PostGIS cluster for the tests: `initdb` into a temporary folder,
//! a server on a free local port with password authentication (scram-sha-256), stopped and
//! removed on drop.
//!
//! PostgreSQL refuses to run as root: when the tests run as root (CI), the cluster's
//! commands run as the `postgres` user (or `nobody`) through `runuser`, and the folder is
//! given to that user. The binaries are found through `RECOURS_PG_BIN`, `pg_config
//! --bindir`, `/usr/lib/postgresql/*/bin` (Debian) or `PATH`. When they are absent the tests
//! print `skipped: …`, unless `RECOURS_REQUIRE_POSTGIS` is set (CI): then they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The password of the cluster's superuser `recours`.
pub const PASSWORD: &str = "t0p-s3cret-pw";

/// A running throw-away cluster.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    runner: Option<String>,
    /// TCP port on 127.0.0.1.
    pub port: u16,
}

/// Says that PostgreSQL/PostGIS is absent: "skipped: …" and `None`, or a panic when
/// `RECOURS_REQUIRE_POSTGIS` is set.
fn absent(what: &str) -> Option<Cluster> {
    if std::env::var_os("RECOURS_REQUIRE_POSTGIS").is_some() {
        panic!("{what}, but RECOURS_REQUIRE_POSTGIS is set");
    }
    println!("skipped: {what}");
    None
}

/// The folder of `initdb` and `pg_ctl`, if PostgreSQL's server is installed.
fn server_bin() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("RECOURS_PG_BIN") {
        return Some(PathBuf::from(d));
    }
    let has = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Ok(o) = Command::new("pg_config").arg("--bindir").output() {
        let d = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
        if has(&d) {
            return Some(d);
        }
    }
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|d| has(d))
        .collect();
    debian.sort_by_key(|d| {
        d.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(d) = debian.pop() {
        return Some(d);
    }
    std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).find(|d| has(d)))
}

/// Whether this process runs as root.
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The uid and gid of `user`, if it exists.
fn ids(user: &str) -> Option<(u32, u32)> {
    let id = |flag: &str| {
        Command::new("id")
            .args([flag, user])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
    };
    Some((id("-u")?, id("-g")?))
}

/// A free TCP port on 127.0.0.1.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

impl Cluster {
    /// Starts a cluster, or `None` after "skipped: …" when PostgreSQL is not installed.
    pub fn start() -> Option<Cluster> {
        let Some(bin) = server_bin() else {
            return absent("PostgreSQL server binaries absent (initdb, pg_ctl; Debian: postgresql-15-postgis-3)");
        };
        let dir = tempfile::Builder::new()
            .prefix("recours-pg-")
            .tempdir()
            .expect("a temporary folder");
        let runner = if is_root() {
            let user = ["postgres", "nobody"]
                .into_iter()
                .find(|u| ids(u).is_some())
                .expect("a postgres or nobody user to run the cluster as");
            let (uid, gid) = ids(user).unwrap();
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("chown");
            Some(user.to_string())
        } else {
            None
        };
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, PASSWORD).unwrap();
        if let Some(user) = &runner {
            let (uid, gid) = ids(user).unwrap();
            std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid)).expect("chown");
        }
        let mut c = Cluster {
            dir,
            bin,
            runner,
            port: 0,
        };
        let data = c.dir.path().join("data");
        c.server(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "recours".as_ref(),
                "--auth-local=trust".as_ref(),
                "--auth-host=scram-sha-256".as_ref(),
                "--pwfile".as_ref(),
                pwfile.as_os_str(),
                "--no-sync".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--locale=C".as_ref(),
            ],
        );
        for _ in 0..5 {
            c.port = free_port();
            let opts = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -F",
                c.port,
                c.dir.path().display()
            );
            let log = c.dir.path().join("log");
            let ok = c.try_server(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-o".as_ref(),
                    opts.as_ref(),
                    "-l".as_ref(),
                    log.as_os_str(),
                    "-w".as_ref(),
                    "start".as_ref(),
                ],
            );
            if ok {
                return Some(c);
            }
        }
        panic!("the PostgreSQL server did not start: see its log");
    }

    /// Runs server program `prog` (as the cluster's user when root); `true` on success.
    fn try_server(&self, prog: &str, args: &[&std::ffi::OsStr]) -> bool {
        let exe = self.bin.join(prog);
        let mut cmd = match &self.runner {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let out = cmd
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", exe.display()));
        if !out.status.success() {
            eprintln!(
                "{prog} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        out.status.success()
    }

    /// Runs server program `prog`, panicking when it fails.
    fn server(&self, prog: &str, args: &[&std::ffi::OsStr]) {
        assert!(self.try_server(prog, args), "{prog} failed");
    }

    /// The URL of database `db` (no password in it: it goes by `PGPASSWORD`).
    pub fn url(&self, db: &str) -> String {
        format!("postgresql://recours@127.0.0.1:{}/{db}", self.port)
    }

    /// The `psql` program (the client's, or the server's folder's).
    fn psql_exe(&self) -> PathBuf {
        let own = self.bin.join("psql");
        if own.is_file() {
            own
        } else {
            PathBuf::from("psql")
        }
    }

    /// Runs `sql` on database `db`; rows as `|`-separated lines, or the error text.
    pub fn try_psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let out = Command::new(self.psql_exe())
            .env("PGPASSWORD", PASSWORD)
            .args(["-X", "-At", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(self.url(db))
            .args(["-c", sql])
            .output()
            .expect("running psql");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Runs `sql` on database `db`, panicking on an error.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        self.try_psql(db, sql)
            .unwrap_or_else(|e| panic!("psql {sql}: {e}"))
    }

    /// Creates database `db`, with PostGIS when `postgis`; `None` after "skipped: …" when
    /// the PostGIS extension is not installed.
    pub fn create_db(&self, db: &str, postgis: bool) -> Option<()> {
        self.psql("postgres", &format!("CREATE DATABASE {db}"));
        if postgis {
            if let Err(e) = self.try_psql(db, "CREATE EXTENSION postgis") {
                absent(&format!("PostGIS extension not installed ({e})"))?;
            }
        }
        Some(())
    }

    /// A `recours` command with the cluster's password in its environment.
    pub fn recours(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_recours"));
        c.env("PGPASSWORD", PASSWORD).env("PGCONNECT_TIMEOUT", "10");
        c
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        self.try_server(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                "immediate".as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        );
    }
}
