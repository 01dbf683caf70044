//! Atomic file writes: write to a temporary file in the same folder, then rename, so that a
//! crash never leaves a truncated file under its final name. A handled error removes the
//! temporary file, and a full disk is said in those words.

use std::error::Error;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Any error of a writer's own (I/O, CSV, JSON…), as [`write_with`]'s `fill` returns it.
pub type FillError = Box<dyn Error + Send + Sync + 'static>;

/// Why a file could not be written; the cause (an I/O error, a full disk said as
/// [`DiskFull`], the writer's own error) is the [`Error::source`].
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The folder could not be created.
    #[error("creating {}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: FillError,
    },
    /// The path names a folder.
    #[error("{} is a folder; give a file name", path.display())]
    IsFolder {
        /// The path given.
        path: PathBuf,
    },
    /// The temporary file could not be created.
    #[error("creating {}", path.display())]
    Create {
        /// The temporary file.
        path: PathBuf,
        /// Why.
        #[source]
        source: FillError,
    },
    /// Filling, flushing or syncing the file failed.
    #[error("writing {}", path.display())]
    Write {
        /// The file being written.
        path: PathBuf,
        /// Why.
        #[source]
        source: FillError,
    },
    /// The finished file could not take its final name.
    #[error("renaming {} to {}", from.display(), to.display())]
    Rename {
        /// The temporary file.
        from: PathBuf,
        /// The final name.
        to: PathBuf,
        /// Why.
        #[source]
        source: FillError,
    },
}

/// The device holding a file has no space left.
#[derive(Debug, thiserror::Error)]
#[error("disk full: no space left on the device holding {}", path.display())]
pub struct DiskFull {
    /// The file being written.
    pub path: PathBuf,
}

/// Writes `path` through `fill`, atomically. The folder is created if missing.
pub fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), FillError>,
) -> Result<(), WriteError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| WriteError::Folder {
            path: dir.to_path_buf(),
            source: Box::new(e),
        })?;
    }
    if path.is_dir() {
        return Err(WriteError::IsFolder {
            path: path.to_path_buf(),
        });
    }
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".partial");
    let tmp = std::path::PathBuf::from(tmp_name);
    let written = write_to(&tmp, path, fill).and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|e| WriteError::Rename {
            from: tmp.clone(),
            to: path.to_path_buf(),
            source: explain(e, path),
        })
    });
    if written.is_err() && tmp.exists() {
        if let Err(e) = std::fs::remove_file(&tmp) {
            tracing::warn!("could not remove {}: {e}", tmp.display());
        }
    }
    written
}

/// Fills `tmp` and syncs it; errors name `path`, the file being written.
fn write_to(
    tmp: &Path,
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), FillError>,
) -> Result<(), WriteError> {
    let file = std::fs::File::create(tmp).map_err(|e| WriteError::Create {
        path: tmp.to_path_buf(),
        source: explain(e, tmp),
    })?;
    let mut w = BufWriter::new(file);
    let failed = |source| WriteError::Write {
        path: path.to_path_buf(),
        source,
    };
    fill(&mut w).map_err(|e| failed(disk_full_said(e, path)))?;
    w.flush().map_err(|e| failed(explain(e, path)))?;
    w.get_ref()
        .sync_all()
        .map_err(|e| failed(explain(e, path)))?;
    Ok(())
}

/// `ENOSPC`, the "no space left on device" error of POSIX systems.
const NO_SPACE: i32 = 28;

/// An I/O error on `path`, with "disk full" said plainly ([`DiskFull`]) when the device has
/// no space left.
pub fn explain(e: std::io::Error, path: &Path) -> FillError {
    if e.raw_os_error() == Some(NO_SPACE) {
        Box::new(DiskFull {
            path: path.to_path_buf(),
        })
    } else {
        Box::new(e)
    }
}

/// `e`, with "disk full" said plainly when an I/O error in its chain is a full device.
fn disk_full_said(e: FillError, path: &Path) -> FillError {
    let mut cause: Option<&(dyn Error + 'static)> = Some(e.as_ref());
    while let Some(c) = cause {
        if c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.raw_os_error() == Some(NO_SPACE))
        {
            return explain(std::io::Error::from_raw_os_error(NO_SPACE), path);
        }
        cause = c.source();
    }
    e
}

/// `e` and its causes, `: `-separated, as the command line shows an error.
pub fn with_causes(e: &(dyn Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// The file `<out stem>.<suffix>.csv` beside `out`: where a command writes the companions
/// of its main output (rejects, per-site table, summary).
pub fn beside(out: &Path, suffix: &str) -> PathBuf {
    let stem = out.file_stem().unwrap_or_default().to_string_lossy();
    out.with_file_name(format!("{stem}.{suffix}.csv"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_fill_leaves_no_final_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        let r = write_with(&p, |w| {
            w.write_all(b"half")?;
            Err("boom".into())
        });
        assert!(r.is_err());
        assert!(!p.exists());
    }

    #[test]
    fn a_failed_fill_leaves_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        let _ = write_with(&p, |_| Err("boom".into()));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_folder_is_not_overwritten_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let e = write_with(dir.path(), |w| Ok(w.write_all(b"x")?)).unwrap_err();
        assert!(e.to_string().contains("is a folder"), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_full_disk_is_said_in_those_words() {
        let full = std::path::Path::new("/dev/full");
        if !full.exists() {
            eprintln!("skipped: /dev/full absent");
            return;
        }
        let e = explain(std::io::Error::from_raw_os_error(NO_SPACE), full);
        assert!(e.to_string().starts_with("disk full"), "{e}");
        let mut f = std::fs::OpenOptions::new().write(true).open(full).unwrap();
        let e = explain(
            f.write_all(&[0; 4096])
                .and_then(|()| f.flush())
                .unwrap_err(),
            full,
        );
        assert!(e.to_string().starts_with("disk full"), "{e}");
    }

    #[test]
    fn writes_into_new_folders() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b/out.txt");
        write_with(&p, |w| Ok(w.write_all(b"ok")?)).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"ok");
    }
}
