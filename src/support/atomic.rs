//! Atomic file writes: write to a temporary file in the same folder, then rename, so that a
//! crash never leaves a truncated file under its final name. A handled error removes the
//! temporary file, and a full disk is said in those words.

use anyhow::Context;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `path` through `fill`, atomically. The folder is created if missing.
pub fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    if path.is_dir() {
        anyhow::bail!("{} is a folder; give a file name", path.display());
    }
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".partial");
    let tmp = std::path::PathBuf::from(tmp_name);
    let written = write_to(&tmp, path, fill).and_then(|()| {
        std::fs::rename(&tmp, path)
            .map_err(|e| explain(e, path))
            .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))
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
    fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let file = std::fs::File::create(tmp)
        .map_err(|e| explain(e, tmp))
        .with_context(|| format!("creating {}", tmp.display()))?;
    let mut w = BufWriter::new(file);
    let context = || format!("writing {}", path.display());
    fill(&mut w)
        .map_err(|e| disk_full_said(e, path))
        .with_context(context)?;
    w.flush()
        .map_err(|e| explain(e, path))
        .with_context(context)?;
    w.get_ref()
        .sync_all()
        .map_err(|e| explain(e, path))
        .with_context(context)?;
    Ok(())
}

/// `ENOSPC`, the "no space left on device" error of POSIX systems.
const NO_SPACE: i32 = 28;

/// An I/O error on `path`, with "disk full" said plainly when the device has no space left.
pub fn explain(e: std::io::Error, path: &Path) -> anyhow::Error {
    if e.raw_os_error() == Some(NO_SPACE) {
        anyhow::anyhow!(
            "disk full: no space left on the device holding {}",
            path.display()
        )
    } else {
        anyhow::Error::new(e)
    }
}

/// `e`, with "disk full" said plainly when an I/O error in its chain is a full device.
fn disk_full_said(e: anyhow::Error, path: &Path) -> anyhow::Error {
    let full = e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.raw_os_error() == Some(NO_SPACE))
    });
    if full {
        explain(std::io::Error::from_raw_os_error(NO_SPACE), path)
    } else {
        e
    }
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
            anyhow::bail!("boom")
        });
        assert!(r.is_err());
        assert!(!p.exists());
    }

    #[test]
    fn a_failed_fill_leaves_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        let _ = write_with(&p, |_| anyhow::bail!("boom"));
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
