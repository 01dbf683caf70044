//! Output folders that are replaced in one step: a run writes into a staging folder beside
//! its output folder (`.{name}.staging`), and only a complete run moves it into place.
//!
//! Publishing renames the previous result aside (`.{name}.previous`), renames the staging
//! folder to the output folder and then deletes the previous result, so the output folder
//! holds either the whole old result or the whole new one — never a mix, never stale files
//! of an earlier, larger run. A handled error removes the staging folder; one left by a
//! killed run is removed by the next run into the same folder.
//!
//! A folder that exists, is not empty and holds no `manifest.json` is not a recours result:
//! it is never replaced (the run fails up front, naming it).

use crate::support::atomic::{explain, FillError};
use std::path::{Path, PathBuf};

/// Why an output folder could not be prepared or published; the cause is the
/// [`std::error::Error::source`].
#[derive(Debug, thiserror::Error)]
pub enum StagingError {
    /// A file-system step failed: `doing` says which, on which folder.
    #[error("{doing}")]
    Io {
        /// The step, e.g. `removing /out/.results.staging`.
        doing: String,
        /// Why.
        #[source]
        source: FillError,
    },
    /// The output folder is a file.
    #[error("output folder {} is a file; give a folder", path.display())]
    IsFile {
        /// The path given.
        path: PathBuf,
    },
    /// The output folder holds files but is not an earlier result.
    #[error("output folder {} holds files but no {MARKER}: it is not an earlier result, so it is not replaced; give a new or empty folder", path.display())]
    NotAResult {
        /// The folder given.
        path: PathBuf,
    },
}

/// A failed file-system step `doing`.
fn io(doing: String) -> impl FnOnce(std::io::Error) -> StagingError {
    move |e| StagingError::Io {
        doing,
        source: Box::new(e),
    }
}

/// The file whose presence marks a folder as a recours result that may be replaced.
pub const MARKER: &str = "manifest.json";

/// A staging folder for one output folder; removed on drop unless published.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    staging: PathBuf,
    published: bool,
}

/// `.{name}.{suffix}` beside `dir`.
fn beside(dir: &Path, suffix: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    dir.with_file_name(format!(".{name}.{suffix}"))
}

/// Removes `path` (a folder) when it exists.
fn remove_if_present(path: &Path) -> Result<(), StagingError> {
    if path.exists() {
        std::fs::remove_dir_all(path).map_err(io(format!("removing {}", path.display())))?;
    }
    Ok(())
}

impl Staging {
    /// Prepares a fresh, empty staging folder for `target`, after checking that `target` is
    /// absent, empty or an earlier result (holds [`MARKER`]).
    pub fn begin(target: &Path) -> Result<Staging, StagingError> {
        let target = if target.file_name().is_none() {
            std::path::absolute(target).map_err(io(format!("resolving {}", target.display())))?
        } else {
            target.to_path_buf()
        };
        if target.exists() {
            if !target.is_dir() {
                return Err(StagingError::IsFile { path: target });
            }
            let empty = std::fs::read_dir(&target)
                .map_err(io(format!("reading {}", target.display())))?
                .next()
                .is_none();
            if !(empty || target.join(MARKER).is_file()) {
                return Err(StagingError::NotAResult { path: target });
            }
        }
        let staging = beside(&target, "staging");
        remove_if_present(&staging)?;
        remove_if_present(&beside(&target, "previous"))?;
        std::fs::create_dir_all(&staging).map_err(|e| StagingError::Io {
            doing: format!("creating {}", staging.display()),
            source: explain(e, &staging),
        })?;
        Ok(Staging {
            target,
            staging,
            published: false,
        })
    }

    /// The folder to write into.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The output folder the result is published to.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the staging folder into place, replacing the previous result in one step.
    pub fn publish(mut self) -> Result<(), StagingError> {
        let previous = beside(&self.target, "previous");
        if self.target.exists() {
            let doing = format!("moving the previous result {} aside", self.target.display());
            std::fs::rename(&self.target, &previous).map_err(io(doing))?;
        }
        let doing = format!(
            "moving {} to {}",
            self.staging.display(),
            self.target.display()
        );
        std::fs::rename(&self.staging, &self.target).map_err(io(doing))?;
        self.published = true;
        remove_if_present(&previous)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            if let Err(e) = std::fs::remove_dir_all(&self.staging) {
                tracing::warn!("could not remove {}: {e}", self.staging.display());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_run_replaces_the_whole_previous_result() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir_all(out.join("old_level")).unwrap();
        std::fs::write(out.join(MARKER), "{}").unwrap();
        std::fs::write(out.join("old_level/x.csv"), "stale").unwrap();
        let s = Staging::begin(&out).unwrap();
        std::fs::write(s.path().join("origins.csv"), "new").unwrap();
        std::fs::write(s.path().join(MARKER), "{}").unwrap();
        s.publish().unwrap();
        assert!(!out.join("old_level").exists());
        assert_eq!(
            std::fs::read_to_string(out.join("origins.csv")).unwrap(),
            "new"
        );
        let left: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the output folder remains");
    }

    #[test]
    fn a_failed_run_leaves_the_previous_result_untouched() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join(MARKER), "old").unwrap();
        {
            let s = Staging::begin(&out).unwrap();
            std::fs::write(s.path().join(MARKER), "half").unwrap();
        }
        assert_eq!(std::fs::read_to_string(out.join(MARKER)).unwrap(), "old");
        let left: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "the staging folder is gone");
    }

    #[test]
    fn a_folder_that_is_not_a_result_is_never_replaced() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("thesis.docx"), "precious").unwrap();
        let e = Staging::begin(root.path()).unwrap_err().to_string();
        assert!(e.contains("not an earlier result"), "{e}");
        assert!(root.path().join("thesis.docx").exists());
    }
}
