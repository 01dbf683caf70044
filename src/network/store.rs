//! Saving a built graph to disk and loading it back, so that a study does not re-read OSM.
//!
//! The file is the graph's arrays written as they are in memory (little-endian), each
//! preceded by its element count, after a header: the magic `RECOURS-GRAPH`, a format
//! version and a byte-order mark. Loading is one read and one copy per array, far faster
//! than building (see `BENCHMARKS.md`). Saving goes through [`crate::support::atomic`], so an
//! interrupted save never leaves a truncated graph under the final name.

use super::graph::{Adjacency, Graph, Pieces, Turns, NONE};
use bytemuck::Pod;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 13] = b"RECOURS-GRAPH";
/// Version of the on-disk layout; bumped whenever it changes.
pub const FORMAT_VERSION: u32 = 2;
const BYTE_ORDER_MARK: u32 = 0x0102_0304;

/// Why a graph file could not be saved or loaded.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file system refused.
    #[error("{path}: {source}")]
    Io {
        /// File concerned.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The graph could not be written.
    #[error(transparent)]
    Write(#[from] crate::support::atomic::WriteError),
    /// The file does not start with the graph magic.
    #[error("{path}: not a recours graph file (build one with `recours network build`)")]
    NotAGraph {
        /// File concerned.
        path: PathBuf,
    },
    /// The file was written by another version of the format.
    #[error("{path}: graph format version {found}, this recours reads version {expected}: rebuild the graph")]
    Version {
        /// File concerned.
        path: PathBuf,
        /// Version found in the file.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
    /// The file ends early or its arrays are inconsistent.
    #[error("{path}: graph file is truncated or corrupt ({what})")]
    Corrupt {
        /// File concerned.
        path: PathBuf,
        /// What did not fit.
        what: String,
    },
}

/// Writes `graph` to `path` (atomically: temporary file, then rename), array by array
/// through a buffered writer: no second copy of the graph is made in memory.
pub fn save_graph(graph: &Graph, path: &Path) -> Result<(), StoreError> {
    crate::support::atomic::write_with(path, |w| {
        w.write_all(MAGIC)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes())?;
        w.write_all(&BYTE_ORDER_MARK.to_ne_bytes())?;
        put(w, graph.profile_name.as_bytes())?;
        w.write_all(&(graph.class_names.len() as u64).to_le_bytes())?;
        for c in &graph.class_names {
            put(w, c.as_bytes())?;
        }
        let snappable: Vec<u8> = graph.class_snappable.iter().map(|&b| u8::from(b)).collect();
        put(w, &snappable)?;
        put(w, &graph.node_coords)?;
        for adj in [&graph.fwd, &graph.rev] {
            put(w, &adj.offsets)?;
            put(w, &adj.other)?;
            put(w, &adj.time_ms)?;
            put(w, &adj.len_dm)?;
            put(w, &adj.piece)?;
        }
        let p = &graph.pieces;
        put(w, &p.tail)?;
        put(w, &p.head)?;
        put(w, &p.time_fwd_ms)?;
        put(w, &p.time_bwd_ms)?;
        put(w, &p.len_dm)?;
        put(w, &p.class)?;
        put(w, &p.geom_offsets)?;
        put(w, &p.geom)?;
        let t = &graph.turns;
        put(w, &t.depart_end)?;
        put(w, &t.depart_node)?;
        put(w, &t.turn_from)?;
        put(w, &t.turn_to)?;
        put(w, &t.turn_piece)?;
        Ok(())
    })?;
    Ok(())
}

/// Reads a graph written by [`save_graph`].
pub fn load_graph(path: &Path) -> Result<Graph, StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let mut r = Reader {
        input: std::io::BufReader::with_capacity(1 << 20, file),
        remaining: len,
        path,
    };
    if r.array::<13>("magic").ok().as_ref() != Some(MAGIC) {
        return Err(StoreError::NotAGraph {
            path: path.to_path_buf(),
        });
    }
    let found = u32::from_le_bytes(r.array("version")?);
    if found != FORMAT_VERSION {
        return Err(StoreError::Version {
            path: path.to_path_buf(),
            found,
            expected: FORMAT_VERSION,
        });
    }
    if u32::from_ne_bytes(r.array("byte order")?) != BYTE_ORDER_MARK {
        return Err(r.corrupt("written on a machine of other byte order"));
    }
    let profile_name = r.string("profile name")?;
    let class_count = r.u64("class count")? as usize;
    let mut class_names = Vec::with_capacity(class_count.min(256));
    for _ in 0..class_count {
        class_names.push(r.string("class name")?);
    }
    let class_snappable = r
        .vec::<u8>("class snappable")?
        .into_iter()
        .map(|b| b != 0)
        .collect();
    let node_coords = r.vec("node coordinates")?;
    let mut adj = || -> Result<Adjacency, StoreError> {
        Ok(Adjacency {
            offsets: r.vec("offsets")?,
            other: r.vec("edge ends")?,
            time_ms: r.vec("edge times")?,
            len_dm: r.vec("edge lengths")?,
            piece: r.vec("edge pieces")?,
        })
    };
    let fwd = adj()?;
    let rev = adj()?;
    let pieces = Pieces {
        tail: r.vec("piece tails")?,
        head: r.vec("piece heads")?,
        time_fwd_ms: r.vec("piece forward times")?,
        time_bwd_ms: r.vec("piece backward times")?,
        len_dm: r.vec("piece lengths")?,
        class: r.vec("piece classes")?,
        geom_offsets: r.vec("geometry offsets")?,
        geom: r.vec("geometry")?,
    };
    let turns = Turns {
        depart_end: r.vec("split junction ends")?,
        depart_node: r.vec("split junction departures")?,
        turn_from: r.vec("turn arrivals")?,
        turn_to: r.vec("turn departures")?,
        turn_piece: r.vec("turn pieces")?,
    };
    if r.remaining != 0 {
        return Err(r.corrupt("trailing bytes"));
    }
    let graph = Graph {
        profile_name,
        class_names,
        class_snappable,
        node_coords,
        fwd,
        rev,
        pieces,
        turns,
    };
    check_consistency(&graph).map_err(|what| StoreError::Corrupt {
        path: path.to_path_buf(),
        what,
    })?;
    Ok(graph)
}

/// Checks the array sizes and index ranges a search or snap relies on, so that a damaged
/// file is an error here rather than a panic later.
fn check_consistency(g: &Graph) -> Result<(), String> {
    let n = g.node_count();
    for (name, adj) in [("forward", &g.fwd), ("reverse", &g.rev)] {
        let m = adj.other.len();
        if adj.offsets.len() != n + 1
            || adj.offsets.last().map(|&o| o as usize) != Some(m)
            || adj.offsets.windows(2).any(|w| w[0] > w[1])
            || [adj.time_ms.len(), adj.len_dm.len(), adj.piece.len()]
                .iter()
                .any(|&l| l != m)
            || adj.other.iter().any(|&v| v as usize >= n)
            || adj.piece.iter().any(|&p| p as usize >= g.pieces.len())
        {
            return Err(format!("{name} adjacency"));
        }
    }
    let p = &g.pieces;
    let k = p.tail.len();
    if [
        p.head.len(),
        p.time_fwd_ms.len(),
        p.time_bwd_ms.len(),
        p.len_dm.len(),
        p.class.len(),
    ]
    .iter()
    .any(|&l| l != k)
        || p.geom_offsets.len() != k + 1
        || p.geom_offsets.last().map(|&o| o as usize) != Some(p.geom.len())
        || p.geom_offsets.windows(2).any(|w| w[0] > w[1])
        || p.class.iter().any(|&c| c as usize >= g.class_names.len())
        || g.class_snappable.len() != g.class_names.len()
        || (0..k).any(|i| p.is_routable(i) && (p.tail[i] as usize >= n || p.head[i] as usize >= n))
    {
        return Err("pieces".into());
    }
    let t = &g.turns;
    let m = t.turn_from.len();
    if t.depart_node.len() != t.depart_end.len()
        || t.depart_end.windows(2).any(|w| w[0] >= w[1])
        || t.depart_end.iter().any(|&e| e as usize / 2 >= k)
        || t.depart_node.iter().any(|&v| v != NONE && v as usize >= n)
        || t.turn_to.len() != m
        || t.turn_piece.len() != m
        || t.turn_from
            .iter()
            .chain(&t.turn_to)
            .any(|&v| v as usize >= n)
        || t.turn_piece.iter().any(|&p| p as usize >= k)
    {
        return Err("turns".into());
    }
    Ok(())
}

/// Writes a length-prefixed array (`u64` little-endian count, then the items' bytes).
fn put<T: Pod>(w: &mut dyn std::io::Write, items: &[T]) -> std::io::Result<()> {
    w.write_all(&(items.len() as u64).to_le_bytes())?;
    w.write_all(bytemuck::cast_slice(items))
}

/// Reads the file's fields in order, knowing how many bytes are left so that a corrupt
/// length is an error before anything is allocated.
struct Reader<'a> {
    input: std::io::BufReader<std::fs::File>,
    remaining: u64,
    path: &'a Path,
}

impl Reader<'_> {
    fn corrupt(&self, what: &str) -> StoreError {
        StoreError::Corrupt {
            path: self.path.to_path_buf(),
            what: what.to_string(),
        }
    }

    /// Fills `buf` from the file, or fails naming `what` when the file is too short.
    fn fill(&mut self, buf: &mut [u8], what: &str) -> Result<(), StoreError> {
        if (buf.len() as u64) > self.remaining {
            return Err(self.corrupt(what));
        }
        std::io::Read::read_exact(&mut self.input, buf).map_err(|source| StoreError::Io {
            path: self.path.to_path_buf(),
            source,
        })?;
        self.remaining -= buf.len() as u64;
        Ok(())
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], StoreError> {
        let mut a = [0u8; N];
        self.fill(&mut a, what)?;
        Ok(a)
    }

    fn u64(&mut self, what: &str) -> Result<u64, StoreError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    fn vec<T: Pod>(&mut self, what: &str) -> Result<Vec<T>, StoreError> {
        let n = self.u64(what)?;
        let bytes = n
            .checked_mul(std::mem::size_of::<T>() as u64)
            .filter(|&b| b <= self.remaining)
            .ok_or_else(|| self.corrupt(what))?;
        let mut v = vec![T::zeroed(); n as usize];
        self.fill(bytemuck::cast_slice_mut(&mut v), what)?;
        debug_assert_eq!(bytes as usize, std::mem::size_of_val(v.as_slice()));
        Ok(v)
    }

    fn string(&mut self, what: &str) -> Result<String, StoreError> {
        String::from_utf8(self.vec::<u8>(what)?).map_err(|_| self.corrupt(what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::graph::NONE;

    fn sample() -> Graph {
        let pieces = Pieces {
            tail: vec![0, 1, NONE],
            head: vec![1, 2, NONE],
            time_fwd_ms: vec![10_000, 5_000, 7],
            time_bwd_ms: vec![NONE, 6_000, 7],
            len_dm: vec![1000, 500, 3],
            class: vec![0, 1, 1],
            geom_offsets: vec![0, 3, 5, 7],
            geom: vec![
                [0, 0],
                [5, 5],
                [10, 0],
                [10, 0],
                [20, 0],
                [50, 50],
                [51, 51],
            ],
        };
        Graph::from_pieces(
            "car",
            vec!["primary".into(), "résidentiel".into()],
            vec![true, false],
            vec![[0, 0], [10, 0], [20, 0]],
            pieces,
        )
    }

    #[test]
    fn round_trip_is_exact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.rgraph");
        let g = sample();
        save_graph(&g, &path).unwrap();
        assert_eq!(load_graph(&path).unwrap(), g);
    }

    #[test]
    fn other_files_are_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.rgraph");
        std::fs::write(&path, b"id,lon,lat\n").unwrap();
        assert!(matches!(
            load_graph(&path),
            Err(StoreError::NotAGraph { .. })
        ));
    }

    #[test]
    fn truncated_files_are_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.rgraph");
        save_graph(&sample(), &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        for cut in [20, bytes.len() / 2, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            assert!(
                matches!(load_graph(&path), Err(StoreError::Corrupt { .. })),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn out_of_range_indices_are_detected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.rgraph");
        let mut g = sample();
        g.fwd.other[0] = 99;
        save_graph(&g, &path).unwrap();
        let err = load_graph(&path).unwrap_err();
        assert!(err.to_string().contains("forward adjacency"), "{err}");
    }

    #[test]
    fn a_newer_format_is_refused_with_its_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.rgraph");
        save_graph(&sample(), &path).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&99u32.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(
            load_graph(&path),
            Err(StoreError::Version { found: 99, .. })
        ));
    }
}
