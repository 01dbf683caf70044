//! OSM PBF writer (<https://wiki.openstreetmap.org/wiki/PBF_Format>; messages from
//! `fileformat.proto` and `osmformat.proto`), encoded with [`super::protobuf`].
//!
//! File layout: repeated `[u32 big-endian length of BlobHeader][BlobHeader][Blob]`, where
//! `BlobHeader { 1: type, 3: datasize }` and `Blob { 2: raw_size, 3: zlib_data }` (zlib via
//! `flate2`, default level). The first blob is an `OSMHeader` holding a `HeaderBlock`
//! (`1: bbox` in nanodegrees, `4: required_features` "OsmSchema-V0.6" and "DenseNodes",
//! `5: optional_features` "Sort.Type_then_ID", `16: writingprogram`); then `OSMData` blobs,
//! each a `PrimitiveBlock` (`1: stringtable`, `2: primitivegroup`, `17: granularity` = 100)
//! of at most [`BLOCK_ENTITIES`] elements: nodes first as `DenseNodes` (`1: id`, `8: lat`,
//! `9: lon`, all delta-coded `sint64`; `10: keys_vals`, string indices with a 0 after each
//! node), then ways (`1: id`, `2: keys`, `3: vals`, `8: refs` delta-coded). With granularity
//! 100 nanodegrees a stored coordinate is exactly the 1e-7 degree integer. String index 0 is
//! the empty string, as the format reserves it. No metadata (`DenseInfo`/`Info`) is written.
//! Blocks are encoded and compressed in parallel and written in order, so the bytes do not
//! depend on the thread count.

use super::protobuf::Message;
use super::{SynthNode, SynthOsm, SynthWay, Tags};
use flate2::write::ZlibEncoder;
use flate2::Compression;
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

/// Largest number of elements in one `PrimitiveBlock` (the format recommends 8,000).
pub const BLOCK_ENTITIES: usize = 8_000;
/// Blocks encoded in parallel before being written.
const BATCH_BLOCKS: usize = 64;

/// The string table of one block: index 0 is the empty string, others in first-use order.
struct Strings<'a> {
    list: Vec<&'a str>,
    index: HashMap<&'a str, u64>,
}

impl<'a> Strings<'a> {
    fn new() -> Self {
        Strings {
            list: vec![""],
            index: HashMap::from([("", 0)]),
        }
    }

    fn id(&mut self, s: &'a str) -> u64 {
        let next = self.list.len() as u64;
        *self.index.entry(s).or_insert_with(|| {
            self.list.push(s);
            next
        })
    }

    fn encode(&self) -> Vec<u8> {
        let mut m = Message::new();
        for s in &self.list {
            m.bytes(1, s.as_bytes());
        }
        m.into_bytes()
    }
}

/// A `PrimitiveBlock` from its string table and one group.
fn primitive_block(strings: &Strings, group: Vec<u8>) -> Vec<u8> {
    let mut block = Message::new();
    block.bytes(1, &strings.encode());
    block.bytes(2, &group);
    block.int(17, 100);
    block.into_bytes()
}

/// A block of dense nodes; `tags` are the node tags whose ids fall in this block.
fn dense_block(nodes: &[SynthNode], tags: &[(i64, Tags)]) -> Vec<u8> {
    let mut strings = Strings::new();
    let mut keys_vals = Vec::new();
    if !tags.is_empty() {
        let mut t = 0;
        for n in nodes {
            while t < tags.len() && tags[t].0 < n.id {
                t += 1;
            }
            if t < tags.len() && tags[t].0 == n.id {
                for (k, v) in &tags[t].1 {
                    keys_vals.push(strings.id(k));
                    keys_vals.push(strings.id(v));
                }
            }
            keys_vals.push(0);
        }
    }
    let mut dense = Message::new();
    dense.packed_sint_delta(1, nodes.iter().map(|n| n.id));
    dense.packed_sint_delta(8, nodes.iter().map(|n| i64::from(n.lat)));
    dense.packed_sint_delta(9, nodes.iter().map(|n| i64::from(n.lon)));
    dense.packed_uint(10, keys_vals);
    let mut group = Message::new();
    group.bytes(2, &dense.into_bytes());
    primitive_block(&strings, group.into_bytes())
}

/// A block of ways.
fn way_block(ways: &[SynthWay]) -> Vec<u8> {
    let mut strings = Strings::new();
    let mut group = Message::new();
    for w in ways {
        let mut m = Message::new();
        m.int(1, w.id);
        let (keys, vals): (Vec<u64>, Vec<u64>) = w
            .tags
            .iter()
            .map(|(k, v)| (strings.id(k), strings.id(v)))
            .unzip();
        m.packed_uint(2, keys);
        m.packed_uint(3, vals);
        m.packed_sint_delta(8, w.refs.iter().copied());
        group.bytes(3, &m.into_bytes());
    }
    primitive_block(&strings, group.into_bytes())
}

/// The `HeaderBlock`.
fn header_block(osm: &SynthOsm) -> Vec<u8> {
    let mut h = Message::new();
    if let Some(b) = osm.bounds() {
        let mut bbox = Message::new();
        bbox.sint(1, i64::from(b[0]) * 100);
        bbox.sint(2, i64::from(b[2]) * 100);
        bbox.sint(3, i64::from(b[3]) * 100);
        bbox.sint(4, i64::from(b[1]) * 100);
        h.bytes(1, &bbox.into_bytes());
    }
    h.bytes(4, b"OsmSchema-V0.6");
    h.bytes(4, b"DenseNodes");
    h.bytes(5, b"Sort.Type_then_ID");
    h.bytes(16, b"recours synth");
    h.into_bytes()
}

/// A framed, zlib-compressed blob of `kind` ("OSMHeader" or "OSMData").
fn framed_blob(kind: &str, payload: &[u8]) -> io::Result<Vec<u8>> {
    let mut z = ZlibEncoder::new(
        Vec::with_capacity(payload.len() / 2),
        Compression::default(),
    );
    z.write_all(payload)?;
    let mut blob = Message::new();
    blob.int(2, payload.len() as i64);
    blob.bytes(3, &z.finish()?);
    let blob = blob.into_bytes();
    let mut header = Message::new();
    header.bytes(1, kind.as_bytes());
    header.int(3, blob.len() as i64);
    let header = header.into_bytes();
    let mut out = Vec::with_capacity(4 + header.len() + blob.len());
    out.extend_from_slice(&(header.len() as u32).to_be_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&blob);
    Ok(out)
}

/// One data block to encode: a range of nodes or of ways.
enum Job {
    Nodes(usize, usize),
    Ways(usize, usize),
}

/// Writes `osm` as an OSM PBF stream to `w`.
pub fn write_pbf_to(osm: &SynthOsm, mut w: impl Write) -> io::Result<()> {
    w.write_all(&framed_blob("OSMHeader", &header_block(osm))?)?;
    let mut jobs = Vec::new();
    for a in (0..osm.nodes.len()).step_by(BLOCK_ENTITIES) {
        jobs.push(Job::Nodes(a, (a + BLOCK_ENTITIES).min(osm.nodes.len())));
    }
    for a in (0..osm.ways.len()).step_by(BLOCK_ENTITIES) {
        jobs.push(Job::Ways(a, (a + BLOCK_ENTITIES).min(osm.ways.len())));
    }
    for batch in jobs.chunks(BATCH_BLOCKS) {
        let blobs: Vec<io::Result<Vec<u8>>> = batch
            .par_iter()
            .map(|job| match *job {
                Job::Nodes(a, b) => {
                    let nodes = &osm.nodes[a..b];
                    let lo = osm.node_tags.partition_point(|(id, _)| *id < nodes[0].id);
                    let hi = osm
                        .node_tags
                        .partition_point(|(id, _)| *id <= nodes[nodes.len() - 1].id);
                    framed_blob("OSMData", &dense_block(nodes, &osm.node_tags[lo..hi]))
                }
                Job::Ways(a, b) => framed_blob("OSMData", &way_block(&osm.ways[a..b])),
            })
            .collect();
        for blob in blobs {
            w.write_all(&blob?)?;
        }
    }
    w.flush()
}

/// Writes `osm` as an OSM PBF file at `path`, atomically (see [`crate::support::atomic`]).
pub fn write_pbf(osm: &SynthOsm, path: &Path) -> Result<(), crate::support::atomic::WriteError> {
    crate::support::atomic::write_with(path, |w| Ok(write_pbf_to(osm, w)?))
}
