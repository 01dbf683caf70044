//! OpenStreetMap readers: `.osm.pbf` (osmpbf, blobs decoded in parallel), `.osm` / `.xml`
//! (quick-xml, streaming) and `.osm.gz` (flate2 then XML), all producing the same
//! [`RawNetwork`] for the same data.
//!
//! Both readers gather the ways the profile accepts (tags decided by
//! [`Profile::decide`]) and the coordinates of the nodes those ways use, then
//! [`assemble`] them: ways sorted by OSM id, vertex `v` = the `v`-th smallest node id used,
//! so the output does not depend on file order or thread count. A way referring to a node
//! the file lacks (extract boundaries) is split there and counted under
//! "way with missing node references (split)"; a ferry, whose time belongs to the whole
//! crossing, is left out instead. The PBF reader makes two passes: ways (collecting the
//! node ids needed), then nodes and dense nodes (keeping only those ids). Turn restriction
//! relations are read with the ways ([`super::restriction`]), their via node resolved to a
//! vertex by [`assemble`].

use super::context::apply_context;
use super::graph::NONE;
use super::profile::{Decision, Profile, SkipCounts};
use super::raw::{to_degrees, to_fixed, RawNetwork, RawRestriction, WayAttrs};
use super::restriction::{parse_restriction, MemberType, OsmRestriction};
use geo::{Distance, Haversine, Point};
use osmpbf::{BlobDecode, BlobReader, PrimitiveBlock};
use quick_xml::events::{BytesStart, Event};
use rayon::prelude::*;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// PBF features this reader understands (the OSM PBF specification's required features).
const SUPPORTED_FEATURES: [&str; 2] = ["OsmSchema-V0.6", "DenseNodes"];

/// Why an OSM file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OsmError {
    /// The file could not be opened or read.
    #[error("{file}: {source}")]
    Io {
        /// File that failed.
        file: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The extension names no OSM format this reader knows.
    #[error("{file}: unknown OSM format (expected .osm.pbf, .osm, .osm.gz or .xml)")]
    Format {
        /// File given.
        file: PathBuf,
    },
    /// Malformed XML or an element missing a required attribute.
    #[error("{file}, line {line}: {reason}")]
    Xml {
        /// File (or `<string>`) read.
        file: String,
        /// 1-based line of the problem.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// A PBF blob could not be read or decoded.
    #[error("{file}, blob {blob}: {reason}")]
    Pbf {
        /// File read.
        file: PathBuf,
        /// 0-based index of the blob in the file.
        blob: usize,
        /// What is wrong.
        reason: String,
    },
}

/// A way as read from XML: id, node references, tags.
type XmlWay = (i64, Vec<i64>, Vec<(String, String)>);

/// A relation as read from XML: id, members `(type, ref, role)`, tags.
type XmlRelation = (i64, Vec<(MemberType, i64, String)>, Vec<(String, String)>);

/// Ways the profile accepted, before their node references are resolved, stored flat (one
/// allocation for all references rather than one per way: a national extract has millions
/// of ways).
#[derive(Clone, Debug, Default)]
struct AcceptedWays {
    /// OSM way ids.
    ids: Vec<i64>,
    /// Start of each way's references in `refs`; one more entry than there are ways.
    offsets: Vec<usize>,
    /// Node references of all ways, concatenated.
    refs: Vec<i64>,
    /// The profile's attributes for each way ([`Decision::attrs`]).
    attrs: Vec<WayAttrs>,
    /// Boarding time of each way ([`Decision::boarding_s`]); the decision's notes, already
    /// counted, are not kept.
    boarding_s: Vec<Option<f32>>,
}

impl AcceptedWays {
    /// Appends a way; its notes are already counted, so they are not kept.
    fn push(&mut self, id: i64, refs: impl IntoIterator<Item = i64>, decision: &Decision) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.ids.push(id);
        self.refs.extend(refs);
        self.offsets.push(self.refs.len());
        self.attrs.push(decision.attrs);
        self.boarding_s.push(decision.boarding_s);
    }

    /// Appends all ways of `other`.
    fn append(&mut self, other: &AcceptedWays) {
        if other.ids.is_empty() {
            return;
        }
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        let base = self.refs.len();
        self.ids.extend_from_slice(&other.ids);
        self.refs.extend_from_slice(&other.refs);
        self.offsets
            .extend(other.offsets[1..].iter().map(|o| o + base));
        self.attrs.extend_from_slice(&other.attrs);
        self.boarding_s.extend_from_slice(&other.boarding_s);
    }

    /// The profile's decision for way `i`, without its notes.
    fn decision(&self, i: usize) -> Decision {
        Decision {
            attrs: self.attrs[i],
            boarding_s: self.boarding_s[i],
            notes: Vec::new(),
        }
    }

    /// Number of ways.
    fn len(&self) -> usize {
        self.ids.len()
    }

    /// Node references of way `i`.
    fn refs(&self, i: usize) -> &[i64] {
        &self.refs[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Sorted, distinct node ids the ways use.
    fn used_nodes(&self) -> Vec<i64> {
        let mut used = self.refs.clone();
        used.par_sort_unstable();
        used.dedup();
        used.shrink_to_fit();
        used
    }
}

/// Marks a used node absent from the file in the coordinate array given to [`assemble`].
const MISSING: [i32; 2] = [i32::MIN, i32::MIN];

/// Reads an OSM file through `profile`, choosing the reader by extension: `.pbf`, `.osm`,
/// `.xml`, `.osm.gz` (case-insensitive).
pub fn read_osm(path: &Path, profile: &Profile) -> Result<RawNetwork, OsmError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let io = |source| OsmError::Io {
        file: path.to_path_buf(),
        source,
    };
    if name.ends_with(".pbf") {
        read_pbf(path, profile)
    } else if name.ends_with(".gz") {
        let open = || -> std::io::Result<Box<dyn BufRead>> {
            let f = std::fs::File::open(path)?;
            Ok(Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(
                f,
            ))))
        };
        read_xml(
            open().map_err(io)?,
            &path.display().to_string(),
            profile,
            &open,
        )
    } else if name.ends_with(".osm") || name.ends_with(".xml") {
        let open = || -> std::io::Result<Box<dyn BufRead>> {
            Ok(Box::new(BufReader::new(std::fs::File::open(path)?)))
        };
        read_xml(
            open().map_err(io)?,
            &path.display().to_string(),
            profile,
            &open,
        )
    } else {
        Err(OsmError::Format {
            file: path.to_path_buf(),
        })
    }
}

/// Reads OSM XML held in a string (tests, small extracts).
pub fn read_osm_xml_str(xml: &str, profile: &Profile) -> Result<RawNetwork, OsmError> {
    let open = || -> std::io::Result<Box<dyn BufRead + '_>> { Ok(Box::new(xml.as_bytes())) };
    read_xml(Box::new(xml.as_bytes()), "<string>", profile, &open)
}

/// Streams OSM XML from `input`; `reopen` reads the source again to find the line of an
/// error from its byte offset.
fn read_xml<'s>(
    input: Box<dyn BufRead + 's>,
    file: &str,
    profile: &Profile,
    reopen: &dyn Fn() -> std::io::Result<Box<dyn BufRead + 's>>,
) -> Result<RawNetwork, OsmError> {
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut nodes: Vec<(i64, [i32; 2])> = Vec::new();
    let mut ways = AcceptedWays::default();
    let mut skips = SkipCounts::default();
    let mut restrictions: Vec<OsmRestriction> = Vec::new();
    // The way being read; `None` outside `<way>`.
    let mut way: Option<XmlWay> = None;
    // The relation being read; `None` outside `<relation>`.
    let mut relation: Option<XmlRelation> = None;
    // Whether `</osm>` was read: a file cut short (interrupted download) lacks it.
    let mut closed = false;
    let fail = |pos: u64, reason: String| OsmError::Xml {
        file: file.to_string(),
        line: line_at(reopen, pos),
        reason,
    };
    loop {
        buf.clear();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| fail(reader.error_position(), e.to_string()))?;
        let pos = reader.buffer_position();
        let (e, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                closed |= e.name().as_ref() == b"osm";
                if e.name().as_ref() == b"way" {
                    if let Some(w) = way.take() {
                        accept_way(profile, w, &mut ways, &mut skips);
                    }
                }
                if e.name().as_ref() == b"relation" {
                    if let Some(r) = relation.take() {
                        accept_relation(profile, r, &mut restrictions, &mut skips);
                    }
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        match e.name().as_ref() {
            b"node" => {
                let a = attrs(e).map_err(|r| fail(pos, r))?;
                if is_deleted(&a) {
                    skips.add("node deleted or invisible in the file");
                } else {
                    let id = int_attr(&a, "id", "node").map_err(|r| fail(pos, r))?;
                    let lat = coord_attr(&a, "lat", 90.0)
                        .map_err(|r| fail(pos, format!("node {id}: {r}")))?;
                    let lon = coord_attr(&a, "lon", 180.0)
                        .map_err(|r| fail(pos, format!("node {id}: {r}")))?;
                    nodes.push((id, [to_fixed(lon), to_fixed(lat)]));
                }
            }
            b"way" => {
                let a = attrs(e).map_err(|r| fail(pos, r))?;
                let id = int_attr(&a, "id", "way").map_err(|r| fail(pos, r))?;
                if is_deleted(&a) {
                    skips.add("way deleted or invisible in the file");
                } else if empty {
                    accept_way(profile, (id, Vec::new(), Vec::new()), &mut ways, &mut skips);
                } else {
                    way = Some((id, Vec::new(), Vec::new()));
                }
            }
            b"relation" if !empty => {
                let a = attrs(e).map_err(|r| fail(pos, r))?;
                let id = int_attr(&a, "id", "relation").map_err(|r| fail(pos, r))?;
                if !is_deleted(&a) {
                    relation = Some((id, Vec::new(), Vec::new()));
                }
            }
            b"member" => {
                if let Some((_, members, _)) = relation.as_mut() {
                    let a = attrs(e).map_err(|r| fail(pos, r))?;
                    let ty = match get_attr(&a, "type") {
                        Some("node") => MemberType::Node,
                        Some("way") => MemberType::Way,
                        _ => MemberType::Relation,
                    };
                    let id = int_attr(&a, "ref", "member").map_err(|r| fail(pos, r))?;
                    let role = get_attr(&a, "role").unwrap_or_default().to_string();
                    members.push((ty, id, role));
                }
            }
            b"nd" => {
                if let Some((_, refs, _)) = way.as_mut() {
                    let a = attrs(e).map_err(|r| fail(pos, r))?;
                    refs.push(int_attr(&a, "ref", "nd").map_err(|r| fail(pos, r))?);
                }
            }
            b"tag" => {
                if let Some(tags) = way
                    .as_mut()
                    .map(|w| &mut w.2)
                    .or(relation.as_mut().map(|r| &mut r.2))
                {
                    let mut a = attrs(e).map_err(|r| fail(pos, r))?;
                    let v =
                        take_attr(&mut a, "v").ok_or_else(|| fail(pos, "tag without v".into()))?;
                    let k =
                        take_attr(&mut a, "k").ok_or_else(|| fail(pos, "tag without k".into()))?;
                    tags.push((k, v));
                }
            }
            _ => {}
        }
    }
    if way.is_some() {
        return Err(fail(
            reader.buffer_position(),
            "file ends inside a <way>".into(),
        ));
    }
    if !closed {
        return Err(fail(
            reader.buffer_position(),
            "file ends before </osm> (truncated?)".into(),
        ));
    }
    nodes.sort_by_key(|n| n.0);
    let before = nodes.len();
    nodes.dedup_by_key(|n| n.0);
    skips.add_n(
        "duplicate node id (first kept)",
        (before - nodes.len()) as u64,
    );
    let used = ways.used_nodes();
    let coords = used
        .iter()
        .map(|id| match nodes.binary_search_by_key(id, |n| n.0) {
            Ok(i) => nodes[i].1,
            Err(_) => MISSING,
        })
        .collect::<Vec<_>>();
    Ok(assemble(profile, ways, restrictions, &used, &coords, skips))
}

/// Reads a relation from XML as a turn restriction for the profile, keeping it or counting
/// why not; other relations are ignored.
fn accept_relation(
    profile: &Profile,
    (id, members, tags): XmlRelation,
    restrictions: &mut Vec<OsmRestriction>,
    skips: &mut SkipCounts,
) {
    let tags: Vec<(&str, &str)> = tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let members = members.iter().map(|(t, m, r)| (*t, *m, r.as_str()));
    match parse_restriction(profile, id, &tags, members) {
        Some(Ok(r)) => restrictions.push(r),
        Some(Err(reason)) => skips.add(reason),
        None => {}
    }
}

/// Applies the profile to a way read from XML, keeping it or counting why not.
fn accept_way(
    profile: &Profile,
    (id, refs, tags): XmlWay,
    ways: &mut AcceptedWays,
    skips: &mut SkipCounts,
) {
    let tags: Vec<(&str, &str)> = tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    match profile.decide(&tags) {
        Ok(decision) => {
            for n in &decision.notes {
                skips.add(n);
            }
            ways.push(id, refs, &decision);
        }
        Err(reason) => skips.add(&reason),
    }
}

/// Attributes of an element as owned `(name, unescaped value)` pairs.
fn attrs(e: &BytesStart) -> Result<Vec<(String, String)>, String> {
    e.attributes()
        .map(|a| {
            let a = a.map_err(|err| err.to_string())?;
            let name = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            let value = a
                .decode_and_unescape_value(e.decoder())
                .map_err(|err| err.to_string())?
                .into_owned();
            Ok((name, value))
        })
        .collect()
}

fn take_attr(a: &mut [(String, String)], name: &str) -> Option<String> {
    a.iter_mut()
        .find(|(k, _)| k == name)
        .map(|(_, v)| std::mem::take(v))
}

fn get_attr<'a>(a: &'a [(String, String)], name: &str) -> Option<&'a str> {
    a.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Whether a JOSM file marks the element deleted, or a history file invisible.
fn is_deleted(a: &[(String, String)]) -> bool {
    get_attr(a, "action") == Some("delete") || get_attr(a, "visible") == Some("false")
}

fn int_attr(a: &[(String, String)], name: &str, element: &str) -> Result<i64, String> {
    let v = get_attr(a, name).ok_or_else(|| format!("<{element}> without {name}"))?;
    v.trim()
        .parse()
        .map_err(|_| format!("<{element}> {name}={v:?} is not an integer"))
}

/// A coordinate attribute in degrees, checked against `±limit`.
fn coord_attr(a: &[(String, String)], name: &str, limit: f64) -> Result<f64, String> {
    let v = get_attr(a, name).ok_or_else(|| format!("no {name}"))?;
    match v.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x.abs() <= limit => Ok(x),
        _ => Err(format!("{name}={v:?} is not a coordinate within ±{limit}°")),
    }
}

/// 1-based line holding byte `offset` of the source (1 when the source cannot be read).
fn line_at<'s>(reopen: &dyn Fn() -> std::io::Result<Box<dyn BufRead + 's>>, offset: u64) -> u64 {
    let Ok(src) = reopen() else { return 1 };
    let mut newlines = 0u64;
    let mut chunk = [0u8; 1 << 16];
    let mut rest = src.take(offset);
    while let Ok(n) = rest.read(&mut chunk) {
        if n == 0 {
            break;
        }
        newlines += chunk[..n].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    newlines + 1
}

/// Reads a PBF file in two parallel passes: accepted ways, then their nodes.
fn read_pbf(path: &Path, profile: &Profile) -> Result<RawNetwork, OsmError> {
    let mut ways = AcceptedWays::default();
    let mut skips = SkipCounts::default();
    let mut restrictions = Vec::new();
    let per_block = |block: &PrimitiveBlock| {
        let mut ways = AcceptedWays::default();
        let mut skips = SkipCounts::default();
        let mut restrictions = Vec::new();
        for group in block.groups() {
            for r in group.relations() {
                let tags: Vec<(&str, &str)> = r.tags().collect();
                let members = r.members().map(|m| {
                    let ty = match m.member_type {
                        osmpbf::RelMemberType::Node => MemberType::Node,
                        osmpbf::RelMemberType::Way => MemberType::Way,
                        osmpbf::RelMemberType::Relation => MemberType::Relation,
                    };
                    (ty, m.member_id, m.role().unwrap_or_default())
                });
                match parse_restriction(profile, r.id(), &tags, members) {
                    Some(Ok(r)) => restrictions.push(r),
                    Some(Err(reason)) => skips.add(reason),
                    None => {}
                }
            }
            for w in group.ways() {
                let tags: Vec<(&str, &str)> = w.tags().collect();
                match profile.decide(&tags) {
                    Ok(decision) => {
                        for n in &decision.notes {
                            skips.add(n);
                        }
                        ways.push(w.id(), w.refs(), &decision);
                    }
                    Err(reason) => skips.add(&reason),
                }
            }
        }
        (ways, skips, restrictions)
    };
    par_blocks(path, per_block, |(w, s, r)| {
        ways.append(&w);
        skips.merge(s);
        restrictions.extend(r);
    })?;
    let used = ways.used_nodes();
    // Second pass: (index in `used`, coordinates) of every used node, per blob, written
    // into `coords` in file order so that the first of duplicate nodes wins.
    let per_block = |block: &PrimitiveBlock| {
        let mut found: Vec<(u32, [i32; 2])> = Vec::new();
        let mut keep = |id: i64, coord: [i32; 2]| {
            if let Ok(i) = used.binary_search(&id) {
                found.push((i as u32, coord));
            }
        };
        for group in block.groups() {
            for n in group.nodes() {
                keep(n.id(), [n.decimicro_lon(), n.decimicro_lat()]);
            }
            for n in group.dense_nodes() {
                keep(n.id(), [n.decimicro_lon(), n.decimicro_lat()]);
            }
        }
        found
    };
    let mut coords = vec![MISSING; used.len()];
    let mut duplicates = 0u64;
    par_blocks(path, per_block, |found| {
        for (i, coord) in found {
            match &mut coords[i as usize] {
                c if *c == MISSING => *c = coord,
                _ => duplicates += 1,
            }
        }
    })?;
    skips.add_n("duplicate node id (first kept)", duplicates);
    Ok(assemble(profile, ways, restrictions, &used, &coords, skips))
}

/// Decodes the data blobs of a PBF file in parallel and applies `f` to each, then hands
/// the results to `merge` in blob order; the first failing blob (in file order) is the
/// error.
///
/// Blobs go a batch at a time, each batch's results merged before the next is read: only
/// one batch of per-blob results is ever held, which keeps the reader's peak memory low.
fn par_blocks<T, F, M>(path: &Path, f: F, mut merge: M) -> Result<(), OsmError>
where
    T: Send,
    F: Fn(&PrimitiveBlock) -> T + Sync,
    M: FnMut(T),
{
    let reader = BlobReader::from_path(path).map_err(|e| OsmError::Io {
        file: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let fail = |blob: usize, reason: String| OsmError::Pbf {
        file: path.to_path_buf(),
        blob,
        reason,
    };
    let batch_len = 32 * rayon::current_num_threads();
    let mut blobs = reader.enumerate().peekable();
    while blobs.peek().is_some() {
        let batch: Vec<_> = blobs.by_ref().take(batch_len).collect();
        let results: Vec<Result<Option<T>, OsmError>> = batch
            .into_par_iter()
            .map(|(i, blob)| {
                blob.map_err(|e| fail(i, e.to_string())).and_then(|blob| {
                    match blob.decode().map_err(|e| fail(i, e.to_string()))? {
                        BlobDecode::OsmHeader(h) => match h
                            .required_features()
                            .iter()
                            .find(|r| !SUPPORTED_FEATURES.contains(&r.as_str()))
                        {
                            Some(r) => {
                                Err(fail(i, format!("required feature {r:?} is not supported")))
                            }
                            None => Ok(None),
                        },
                        BlobDecode::OsmData(block) => Ok(Some(f(&block))),
                        BlobDecode::Unknown(_) => Ok(None),
                    }
                })
            })
            .collect();
        for r in results {
            if let Some(t) = r? {
                merge(t);
            }
        }
    }
    Ok(())
}

/// Builds the network from accepted ways, the sorted distinct node ids they use (`used`)
/// and those nodes' coordinates (`coords[i]` for `used[i]`, [`MISSING`] when the file lacks
/// it). Ways are taken in id order; vertex `v` is the `v`-th smallest used node present.
/// Restrictions are kept in relation id order (the first of a repeated id).
fn assemble(
    profile: &Profile,
    ways: AcceptedWays,
    mut restrictions: Vec<OsmRestriction>,
    used: &[i64],
    coords: &[[i32; 2]],
    mut skips: SkipCounts,
) -> RawNetwork {
    let mut order: Vec<u32> = (0..ways.len() as u32).collect();
    order.sort_by_key(|&w| (ways.ids[w as usize], w));
    let mut raw = RawNetwork::new(
        &profile.name,
        profile.class_names.clone(),
        profile.snap_excluded.clone(),
    );
    // Vertex of each used node, NONE when missing.
    let mut vertex_of = vec![NONE; used.len()];
    for (i, c) in coords.iter().enumerate() {
        if *c != MISSING {
            vertex_of[i] = raw.vertices.len() as u32;
            raw.vertices.push(*c);
        }
    }
    let mut run: Vec<u32> = Vec::new();
    let mut runs: Vec<Vec<u32>> = Vec::new();
    for &w in &order {
        let (id, decision) = (ways.ids[w as usize], ways.decision(w as usize));
        runs.clear();
        run.clear();
        let mut missing = false;
        for r in ways.refs(w as usize) {
            let v = used.binary_search(r).map_or(NONE, |i| vertex_of[i]);
            match v {
                v if v != NONE => {
                    if run.last() != Some(&v) {
                        run.push(v);
                    }
                }
                _ => {
                    missing = true;
                    if run.len() >= 2 {
                        runs.push(run.clone());
                    }
                    run.clear();
                }
            }
        }
        if !missing {
            let len = polyline_m(&raw.vertices, &run);
            raw.push_way(id, &run, decision.finish(len));
            continue;
        }
        if decision.is_timed() {
            skips.add("ferry with missing node references");
            continue;
        }
        if run.len() >= 2 {
            runs.push(run.clone());
        }
        skips.add(if runs.is_empty() {
            "way with missing node references (nothing left)"
        } else {
            "way with missing node references (split)"
        });
        for r in &runs {
            raw.push_way(id, r, decision.attrs);
        }
    }
    for (reason, n) in skips.into_vec() {
        if n > 0 {
            raw.skipped.push((reason, n));
        }
    }
    restrictions.sort_by_key(|r| r.id);
    restrictions.dedup_by_key(|r| r.id);
    raw.restrictions = restrictions
        .into_iter()
        .map(|r| RawRestriction {
            id: r.id,
            kind: r.kind,
            via: used
                .binary_search(&r.via)
                .ok()
                .map(|i| vertex_of[i])
                .filter(|&v| v != NONE),
            from: r.from,
            to: r.to,
        })
        .collect();
    apply_context(&mut raw, profile);
    raw
}

/// Great-circle length in metres of a polyline over `vertices`.
fn polyline_m(vertices: &[[i32; 2]], run: &[u32]) -> f64 {
    run.windows(2)
        .map(|s| {
            let [a, b] = [vertices[s[0] as usize], vertices[s[1] as usize]];
            Haversine.distance(
                Point::new(to_degrees(a[0]), to_degrees(a[1])),
                Point::new(to_degrees(b[0]), to_degrees(b[1])),
            )
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn car() -> Profile {
        Profile::builtin("car").unwrap()
    }

    const XML: &str = r#"<?xml version="1.0"?>
<osm version="0.6">
  <node id="3" lat="48.9010000" lon="2.4800000"/>
  <node id="1" lat="48.9000000" lon="2.4800000"><tag k="amenity" v="pharmacy"/></node>
  <node id="2" lat="48.9000000" lon="2.4810000"/>
  <way id="20"><nd ref="2"/><nd ref="3"/><tag k="highway" v="footway"/></way>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/><tag k="name" v="Rue &amp; Co"/></way>
  <way id="5"><nd ref="3"/><nd ref="1"/><tag k="highway" v="service"/><tag k="access" v="no"/></way>
  <way id="7"><nd ref="1"/><nd ref="99"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="tertiary"/></way>
  <relation id="1"><member type="way" ref="10" role=""/><tag k="type" v="route"/></relation>
</osm>
"#;

    #[test]
    fn xml_ways_are_sorted_and_vertices_follow_node_ids() {
        let raw = read_osm_xml_str(XML, &car()).unwrap();
        assert_eq!(raw.way_ids, vec![7, 10]);
        assert_eq!(raw.vertices.len(), 3);
        assert_eq!(raw.vertices[0], [to_fixed(2.48), to_fixed(48.9)]);
        // Way 7 lost node 99: its part 2-3 is kept.
        assert_eq!(raw.way(0), &[1, 2]);
        assert_eq!(raw.way(1), &[0, 1, 2]);
        let skip = |r: &str| raw.skipped.iter().find(|s| s.0 == r).map(|s| s.1);
        assert_eq!(skip("access=no"), Some(1));
        assert_eq!(skip("highway=footway not used by profile car"), Some(1));
        assert_eq!(skip("way with missing node references (split)"), Some(1));
    }

    #[test]
    fn xml_errors_give_the_line() {
        let bad = "<osm>\n<node id='1' lat='48.9' lon='2.4'/>\n<node id='2' lat='north' lon='2.4'/>\n</osm>";
        let e = read_osm_xml_str(bad, &car()).unwrap_err().to_string();
        assert!(
            e.contains("line 3") && e.contains("node 2") && e.contains("lat"),
            "{e}"
        );
        let e = read_osm_xml_str("<osm>\n<way id='1'>\n<nd ref='x'/>", &car())
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("not an integer"), "{e}");
        let e = read_osm_xml_str("<osm>\n<way id='1'>\n", &car())
            .unwrap_err()
            .to_string();
        assert!(e.contains("<string>, line"), "{e}");
        // A download cut short: every element complete, no closing </osm>.
        let cut = XML.trim_end().strip_suffix("</osm>").unwrap();
        let e = read_osm_xml_str(cut, &car()).unwrap_err().to_string();
        assert!(e.contains("ends before </osm>"), "{e}");
        let e = read_osm(Path::new("roads.shp"), &car())
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown OSM format"), "{e}");
    }

    #[test]
    fn ferries_with_missing_nodes_are_left_out_and_timed_otherwise() {
        let xml = r#"<osm>
  <node id="1" lat="43.70" lon="7.40"/><node id="2" lat="43.70" lon="7.41"/>
  <way id="1"><nd ref="1"/><nd ref="2"/><tag k="route" v="ferry"/></way>
  <way id="2"><nd ref="1"/><nd ref="9"/><nd ref="2"/><tag k="route" v="ferry"/></way>
</osm>"#;
        let raw = read_osm_xml_str(xml, &car()).unwrap();
        assert_eq!(raw.way_ids, vec![1]);
        let len = polyline_m(&raw.vertices, raw.way(0));
        let expected = len * 3.6 / 20.0 + 600.0;
        assert!((f64::from(raw.way_attrs[0].duration_s.unwrap()) - expected).abs() < 0.01);
        assert!(raw
            .skipped
            .contains(&("ferry with missing node references".to_string(), 1)));
    }

    #[test]
    fn deleted_elements_and_repeated_nodes_are_handled() {
        let xml = r#"<osm>
  <node id="1" lat="43.70" lon="7.40"/><node id="2" lat="43.70" lon="7.41"/>
  <node id="3" lat="43.71" lon="7.41" action="delete"/>
  <way id="1"><nd ref="1"/><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
</osm>"#;
        let raw = read_osm_xml_str(xml, &car()).unwrap();
        assert_eq!(raw.way(0), &[0, 1]);
        assert!(raw
            .skipped
            .contains(&("node deleted or invisible in the file".to_string(), 1)));
    }
}
