//! A minimal Protocol Buffers *encoder*: exactly what the OSM PBF writer needs.
//!
//! Written by hand rather than generated (prost + `build.rs` + `protoc`) because the OSM PBF
//! format uses a dozen message fields of four wire shapes, and a generated encoder would
//! add a build-time `protoc` dependency for forty lines of code. The encoding follows the
//! Protocol Buffers specification, "Encoding"
//! (<https://protobuf.dev/programming-guides/encoding/>):
//! - a field key is the varint `(field_number << 3) | wire_type`, wire type 0 for varints
//!   and 2 for length-delimited fields (bytes, strings, sub-messages, packed repeated);
//! - a varint stores 7 bits per byte, least significant group first, the high bit set on
//!   every byte but the last (150 → `96 01`);
//! - `sint32`/`sint64` are zigzag-coded first, `(n << 1) ^ (n >> 63)`, so small negative
//!   numbers stay short (−1 → 1, 1 → 2);
//! - `int32`/`int64` negative values are sign-extended to 64 bits (ten bytes).

/// Wire type of varint fields (int32, int64, uint32, sint64, bool, enum).
const WIRE_VARINT: u64 = 0;
/// Wire type of length-delimited fields (bytes, string, messages, packed repeated).
const WIRE_LEN: u64 = 2;

/// Appends `v` as a base-128 varint.
pub fn put_varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// Zigzag mapping of a signed value (`sint32`/`sint64`): 0→0, −1→1, 1→2, −2→3…
pub fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// A message being built: fields are appended in the order they are written.
#[derive(Clone, Debug, Default)]
pub struct Message {
    buf: Vec<u8>,
}

impl Message {
    /// An empty message.
    pub fn new() -> Self {
        Message::default()
    }

    /// The encoded bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    fn key(&mut self, field: u32, wire: u64) {
        put_varint(&mut self.buf, (u64::from(field) << 3) | wire);
    }

    /// An `int32`/`int64` field (negative values take ten bytes, as the spec says).
    pub fn int(&mut self, field: u32, v: i64) {
        self.key(field, WIRE_VARINT);
        put_varint(&mut self.buf, v as u64);
    }

    /// A `uint32`/`uint64` field.
    pub fn uint(&mut self, field: u32, v: u64) {
        self.key(field, WIRE_VARINT);
        put_varint(&mut self.buf, v);
    }

    /// A `sint32`/`sint64` field (zigzag).
    pub fn sint(&mut self, field: u32, v: i64) {
        self.uint(field, zigzag(v));
    }

    /// A `bytes`/`string` field, or an embedded message given its encoded bytes.
    pub fn bytes(&mut self, field: u32, v: &[u8]) {
        self.key(field, WIRE_LEN);
        put_varint(&mut self.buf, v.len() as u64);
        self.buf.extend_from_slice(v);
    }

    /// A packed repeated `uint32`/`int32` field of non-negative values; nothing is written
    /// for an empty list (the proto2 convention for absent repeated fields).
    pub fn packed_uint(&mut self, field: u32, vs: impl IntoIterator<Item = u64>) {
        let mut body = Vec::new();
        for v in vs {
            put_varint(&mut body, v);
        }
        if !body.is_empty() {
            self.bytes(field, &body);
        }
    }

    /// A packed repeated `sint64` field holding the successive differences of `vs` (the
    /// "delta coding" of OSM PBF ids, coordinates and way refs); nothing for an empty list.
    pub fn packed_sint_delta(&mut self, field: u32, vs: impl IntoIterator<Item = i64>) {
        let mut body = Vec::new();
        let mut prev = 0i64;
        for v in vs {
            put_varint(&mut body, zigzag(v.wrapping_sub(prev)));
            prev = v;
        }
        if !body.is_empty() {
            self.bytes(field, &body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(v: u64) -> Vec<u8> {
        let mut b = Vec::new();
        put_varint(&mut b, v);
        b
    }

    #[test]
    fn varints_match_the_specification_examples() {
        assert_eq!(varint(1), [0x01]);
        assert_eq!(varint(150), [0x96, 0x01]);
        assert_eq!(varint(300), [0xAC, 0x02]);
        assert_eq!(varint(0), [0x00]);
        assert_eq!(
            varint(u64::MAX),
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        );
    }

    #[test]
    fn zigzag_matches_the_specification_table() {
        assert_eq!(zigzag(0), 0);
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
        assert_eq!(zigzag(-2), 3);
        assert_eq!(zigzag(0x7FFF_FFFF), 0xFFFF_FFFE);
        assert_eq!(zigzag(-0x8000_0000), 0xFFFF_FFFF);
    }

    #[test]
    fn fields_are_keyed_and_length_prefixed() {
        // The spec's "Test1 { a = 150 }" is 08 96 01; a string field 2 "testing" is
        // 12 07 74 65 73 74 69 6e 67.
        let mut m = Message::new();
        m.uint(1, 150);
        m.bytes(2, b"testing");
        assert_eq!(
            m.into_bytes(),
            [0x08, 0x96, 0x01, 0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]
        );
    }

    #[test]
    fn negative_int_takes_ten_bytes_and_sint_two() {
        let mut m = Message::new();
        m.int(1, -2);
        assert_eq!(
            m.into_bytes(),
            [0x08, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        );
        let mut m = Message::new();
        m.sint(1, -2);
        assert_eq!(m.into_bytes(), [0x08, 0x03]);
    }

    #[test]
    fn packed_fields_delta_code_and_skip_empty_lists() {
        // Spec example: packed repeated int32 field 4 = [3, 270, 86942] → 22 06 03 8E 02 9E A7 05.
        let mut m = Message::new();
        m.packed_uint(4, [3, 270, 86942]);
        assert_eq!(
            m.into_bytes(),
            [0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05]
        );
        // 10, 12, 11 → deltas 10, 2, −1 → zigzag 20, 4, 1.
        let mut m = Message::new();
        m.packed_sint_delta(8, [10, 12, 11]);
        assert_eq!(m.into_bytes(), [0x42, 0x03, 20, 4, 1]);
        let mut m = Message::new();
        m.packed_uint(4, []);
        m.packed_sint_delta(8, []);
        assert!(m.into_bytes().is_empty());
    }
}
