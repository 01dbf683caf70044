//! The spatial index of a GeoPackage layer (OGC 12-128r18, extension F.3
//! `gpkg_rtree_index`): SQLite's R-tree module `rtree_{layer}_geom(id, minx, maxx, miny,
//! maxy)`, bulk-loaded.
//!
//! Filling an SQLite R-tree row by row costs one node rewrite per row (≈ 20 µs each on
//! this machine: minutes for 2 M points). Here the table is created empty by SQLite, then
//! its nodes are packed bottom-up — entries sorted along a Hilbert curve over the layer's
//! extent, cut into nodes filled evenly, the nodes' boxes grouped the same way level by
//! level — and written into its shadow tables in the layout of SQLite's `ext/rtree/rtree.c`
//! (header comment "The data for each node of the r-tree structure is stored in the %_node
//! table"): a node is `[depth: u16 BE, root only][cell count: u16 BE]` then cells of an
//! `i64` (the feature id in a leaf, the child node's number above) and four `f32`
//! (`minx, maxx, miny, maxy`), all big-endian, zero-padded to the node size SQLite chose
//! (the length of the root node it created); `%_rowid` maps each feature to its leaf,
//! `%_parent` each node but the root (node 1) to its parent. Boxes are rounded outwards to
//! single precision exactly as `rtreeValueDown` / `rtreeValueUp` round them. GDAL 3.7
//! loads GeoPackage indexes the same way (`gdal_sqlite_rtree_bl`). SQLite's own
//! `rtreecheck()` validates the result in the tests.
//!
//! Then the standard's six triggers (F.3, the 1.2/1.3 set GDAL 3.6 writes) keep the index
//! in step with later edits of the layer.

use super::{quoted, Envelope};
use rusqlite::Connection;

/// `1 - 2^-23` and `1 + 2^-23`: SQLite's `RNDTOWARDS` and `RNDAWAY`.
const RND_TOWARDS: f64 = 1.0 - 1.0 / 8_388_608.0;
const RND_AWAY: f64 = 1.0 + 1.0 / 8_388_608.0;

/// Bytes of one 2-D cell: the id and four `f32`.
const CELL_BYTES: usize = 8 + 4 * 4;

/// `d` rounded down to `f32` as SQLite's `rtreeValueDown` does.
fn down(d: f64) -> f32 {
    let f = d as f32;
    if f64::from(f) > d {
        (d * if d < 0.0 { RND_AWAY } else { RND_TOWARDS }) as f32
    } else {
        f
    }
}

/// `d` rounded up to `f32` as SQLite's `rtreeValueUp` does.
fn up(d: f64) -> f32 {
    let f = d as f32;
    if f64::from(f) < d {
        (d * if d < 0.0 { RND_TOWARDS } else { RND_AWAY }) as f32
    } else {
        f
    }
}

/// One cell of a node: a feature id (leaf) or a child node number, and its box
/// `[minx, maxx, miny, maxy]`.
#[derive(Clone, Copy)]
struct Cell {
    id: i64,
    bounds: [f32; 4],
}

/// The box holding every cell of `cells`.
fn union(cells: &[Cell]) -> [f32; 4] {
    cells.iter().skip(1).fold(cells[0].bounds, |a, c| {
        [
            a[0].min(c.bounds[0]),
            a[1].max(c.bounds[1]),
            a[2].min(c.bounds[2]),
            a[3].max(c.bounds[3]),
        ]
    })
}

/// `n` items cut into the fewest runs of at most `capacity`, as even as possible.
fn runs(n: usize, capacity: usize) -> Vec<std::ops::Range<usize>> {
    let count = n.div_ceil(capacity).max(1);
    (0..count)
        .map(|k| k * n / count..(k + 1) * n / count)
        .collect()
}

/// The feature boxes (`boxes[i]` of feature id `i + 1`, `None` for an empty geometry)
/// with single-precision bounds, sorted along a Hilbert curve of their centres over the
/// layer's extent (ties by id).
fn leaf_cells(boxes: &[Option<Envelope>]) -> Vec<Cell> {
    let mut cells: Vec<(u64, Cell)> = Vec::with_capacity(boxes.len());
    let Some(extent) = boxes.iter().flatten().copied().reduce(|a, b| {
        [
            a[0].min(b[0]),
            a[1].max(b[1]),
            a[2].min(b[2]),
            a[3].max(b[3]),
        ]
    }) else {
        return Vec::new();
    };
    let grid = |v: f64, lo: f64, hi: f64| {
        if hi > lo {
            ((v - lo) / (hi - lo) * f64::from(u32::MAX)) as u32
        } else {
            0
        }
    };
    for (i, b) in boxes.iter().enumerate() {
        if let Some(b) = b {
            let x = grid((b[0] + b[1]) / 2.0, extent[0], extent[1]);
            let y = grid((b[2] + b[3]) / 2.0, extent[2], extent[3]);
            let cell = Cell {
                id: i as i64 + 1,
                bounds: [down(b[0]), up(b[1]), down(b[2]), up(b[3])],
            };
            cells.push((fast_hilbert::xy2h(x, y, 32), cell));
        }
    }
    cells.sort_by_key(|(h, c)| (*h, c.id));
    cells.into_iter().map(|(_, c)| c).collect()
}

/// A node's blob: depth (root only), count, cells, zero-padded to `size` bytes.
fn node_blob(depth: u16, cells: &[Cell], size: usize) -> Vec<u8> {
    let mut blob = Vec::with_capacity(size);
    blob.extend_from_slice(&depth.to_be_bytes());
    blob.extend_from_slice(&(cells.len() as u16).to_be_bytes());
    for c in cells {
        blob.extend_from_slice(&c.id.to_be_bytes());
        for v in c.bounds {
            blob.extend_from_slice(&v.to_be_bytes());
        }
    }
    blob.resize(size, 0);
    blob
}

/// Creates and fills the index of layer `layer` from its features' boxes (`boxes[i]` of
/// feature id `i + 1`, `None` for an empty geometry, left out), then its triggers. Writes
/// nothing when no feature has a box.
pub(super) fn write(
    conn: &Connection,
    layer: &str,
    boxes: &[Option<Envelope>],
) -> rusqlite::Result<()> {
    let mut level = leaf_cells(boxes);
    if level.is_empty() {
        return Ok(());
    }
    let table = format!("rtree_{layer}_geom");
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE {} USING rtree(id, minx, maxx, miny, maxy)",
        quoted(&table)
    ))?;
    let shadow = |suffix: &str| quoted(&format!("{table}_{suffix}"));
    let size: usize = conn.query_row(
        &format!(
            "SELECT length(data) FROM {} WHERE nodeno = 1",
            shadow("node")
        ),
        [],
        |r| r.get(0),
    )?;
    let capacity = (size - 4) / CELL_BYTES;
    let mut insert_node =
        conn.prepare(&format!("INSERT INTO {} VALUES (?1, ?2)", shadow("node")))?;
    let mut leaf_of: Vec<(i64, i64)> = Vec::with_capacity(level.len());
    let mut parent_of: Vec<(i64, i64)> = Vec::new();
    let mut next = 2i64;
    let mut depth = 0u16;
    loop {
        let groups = runs(level.len(), capacity);
        if groups.len() == 1 {
            let links = if depth == 0 {
                &mut leaf_of
            } else {
                &mut parent_of
            };
            links.extend(level.iter().map(|c| (c.id, 1)));
            conn.execute(
                &format!("UPDATE {} SET data = ?1 WHERE nodeno = 1", shadow("node")),
                [node_blob(depth, &level, size)],
            )?;
            break;
        }
        let mut parents = Vec::with_capacity(groups.len());
        for g in groups {
            let cells = &level[g];
            let node = next;
            next += 1;
            insert_node.execute(rusqlite::params![node, node_blob(0, cells, size)])?;
            let links = if depth == 0 {
                &mut leaf_of
            } else {
                &mut parent_of
            };
            links.extend(cells.iter().map(|c| (c.id, node)));
            parents.push(Cell {
                id: node,
                bounds: union(cells),
            });
        }
        level = parents;
        depth += 1;
    }
    for (links, suffix) in [(&mut leaf_of, "rowid"), (&mut parent_of, "parent")] {
        links.sort_unstable();
        let mut insert =
            conn.prepare(&format!("INSERT INTO {} VALUES (?1, ?2)", shadow(suffix)))?;
        for (id, node) in links.iter() {
            insert.execute([id, node])?;
        }
    }
    triggers(conn, layer)
}

/// The standard's triggers (F.3) keeping `rtree_{layer}_geom` in step with the layer.
fn triggers(conn: &Connection, layer: &str) -> rusqlite::Result<()> {
    let t = quoted(layer);
    let r = quoted(&format!("rtree_{layer}_geom"));
    let name = |suffix: &str| quoted(&format!("rtree_{layer}_geom_{suffix}"));
    let put = format!(
        "INSERT OR REPLACE INTO {r} VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), \
         ST_MinY(NEW.geom), ST_MaxY(NEW.geom));"
    );
    let some = "(NEW.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))";
    let none = "(NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))";
    conn.execute_batch(&format!(
        "CREATE TRIGGER {} AFTER INSERT ON {t} WHEN {some} BEGIN {put} END;
         CREATE TRIGGER {} AFTER UPDATE OF geom ON {t} WHEN OLD.fid = NEW.fid AND {some}
           BEGIN {put} END;
         CREATE TRIGGER {} AFTER UPDATE OF geom ON {t} WHEN OLD.fid = NEW.fid AND {none}
           BEGIN DELETE FROM {r} WHERE id = OLD.fid; END;
         CREATE TRIGGER {} AFTER UPDATE ON {t} WHEN OLD.fid != NEW.fid AND {some}
           BEGIN DELETE FROM {r} WHERE id = OLD.fid; {put} END;
         CREATE TRIGGER {} AFTER UPDATE ON {t} WHEN OLD.fid != NEW.fid AND {none}
           BEGIN DELETE FROM {r} WHERE id IN (OLD.fid, NEW.fid); END;
         CREATE TRIGGER {} AFTER DELETE ON {t} WHEN OLD.geom NOT NULL
           BEGIN DELETE FROM {r} WHERE id = OLD.fid; END;",
        name("insert"),
        name("update1"),
        name("update2"),
        name("update3"),
        name("update4"),
        name("delete"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::rng::SplitMix64;

    /// Random boxes (some empty) in a France-sized extent.
    fn boxes(n: usize, seed: u64) -> Vec<Option<Envelope>> {
        let mut rng = SplitMix64::new(seed);
        (0..n)
            .map(|_| {
                if rng.below(20) == 0 {
                    return None;
                }
                let (x, y) = (rng.range(-5.0, 9.0), rng.range(41.0, 51.5));
                let (w, h) = if rng.chance(0.5) {
                    (0.0, 0.0)
                } else {
                    (rng.range(0.0, 0.3), rng.range(0.0, 0.3))
                };
                Some([x, x + w, y, y + h])
            })
            .collect()
    }

    /// A table `t(fid, geom)` for the triggers' sake and its bulk-loaded index.
    fn loaded(n: usize, seed: u64) -> (Connection, Vec<Option<Envelope>>) {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (fid INTEGER PRIMARY KEY, geom BLOB)")
            .unwrap();
        let b = boxes(n, seed);
        write(&conn, "t", &b).unwrap();
        (conn, b)
    }

    #[test]
    fn bulk_loaded_index_passes_rtreecheck_and_matches_row_by_row_inserts() {
        for n in [1, 7, 51, 52, 2_700, 140_000] {
            let (conn, b) = loaded(n, n as u64);
            let check: String = conn
                .query_row("SELECT rtreecheck('rtree_t_geom')", [], |r| r.get(0))
                .unwrap();
            assert_eq!(check, "ok", "{n} entries");
            // The same boxes inserted one by one through SQLite: same stored bounds.
            conn.execute_batch(
                "CREATE VIRTUAL TABLE plain USING rtree(id, minx, maxx, miny, maxy)",
            )
            .unwrap();
            {
                let mut ins = conn
                    .prepare("INSERT INTO plain VALUES (?1, ?2, ?3, ?4, ?5)")
                    .unwrap();
                for (i, e) in b.iter().enumerate() {
                    if let Some(e) = e {
                        ins.execute(rusqlite::params![i as i64 + 1, e[0], e[1], e[2], e[3]])
                            .unwrap();
                    }
                }
            }
            let rows = |table: &str| -> Vec<(i64, f64, f64, f64, f64)> {
                let mut q = conn
                    .prepare(&format!("SELECT * FROM {table} ORDER BY id"))
                    .unwrap();
                q.query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect()
            };
            let ours = rows("rtree_t_geom");
            assert_eq!(ours.len(), b.iter().flatten().count());
            assert_eq!(ours, rows("plain"), "{n} entries");
        }
    }

    #[test]
    fn window_queries_find_what_a_scan_finds() {
        let (conn, b) = loaded(20_000, 3);
        let mut rng = SplitMix64::new(9);
        for _ in 0..50 {
            let (x, y) = (rng.range(-5.0, 9.0), rng.range(41.0, 51.5));
            let (x2, y2) = (x + rng.range(0.0, 1.0), y + rng.range(0.0, 1.0));
            let mut q = conn
                .prepare(
                    "SELECT id FROM rtree_t_geom WHERE maxx >= ?1 AND minx <= ?2 \
                     AND maxy >= ?3 AND miny <= ?4 ORDER BY id",
                )
                .unwrap();
            let got: Vec<i64> = q
                .query_map([x, x2, y, y2], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            // SQLite compares the stored single-precision bounds.
            let want: Vec<i64> = b
                .iter()
                .enumerate()
                .filter_map(|(i, e)| {
                    let e = (*e)?;
                    let hit = f64::from(up(e[1])) >= x
                        && f64::from(down(e[0])) <= x2
                        && f64::from(up(e[3])) >= y
                        && f64::from(down(e[2])) <= y2;
                    hit.then_some(i as i64 + 1)
                })
                .collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn triggers_keep_the_index_in_step() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (fid INTEGER PRIMARY KEY, geom BLOB)")
            .unwrap();
        let b = boxes(300, 5);
        for i in 0..b.len() {
            conn.execute("INSERT INTO t VALUES (?1, x'00')", [i as i64 + 1])
                .unwrap();
        }
        write(&conn, "t", &b).unwrap();
        let names: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            names,
            ["delete", "insert", "update1", "update2", "update3", "update4"]
                .map(|s| format!("rtree_t_geom_{s}"))
        );
        let count = || -> i64 {
            conn.query_row("SELECT count(*) FROM rtree_t_geom", [], |r| r.get(0))
                .unwrap()
        };
        let before = count();
        let indexed: i64 = conn
            .query_row("SELECT id FROM rtree_t_geom ORDER BY id LIMIT 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        conn.execute("DELETE FROM t WHERE fid = ?1", [indexed])
            .unwrap();
        assert_eq!(count(), before - 1);
        let check: String = conn
            .query_row("SELECT rtreecheck('rtree_t_geom')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }
}
