//! The input contract of every delimited text the engine reads: how bytes become text
//! ([`decode`]), how a header tells the separator ([`separator`]), how a field becomes a
//! number ([`parse_number`] with the column's [`NumberMarks`]), and how a bad line is echoed
//! ([`echo`]). `docs/inputs.md` states the same rules for users.
//!
//! **Encoding.** UTF-8, a byte-order mark dropped. A line that is not valid UTF-8 is decoded
//! with a single-byte fallback chosen from the bytes of those lines: Windows-1252 when any
//! byte lies in 0x80–0x9F (C1 controls in ISO-8859-15, letters such as `œ` `€` `’` in
//! Windows-1252), ISO-8859-15 otherwise (older INSEE, ATIH and FINESS exports). The lines
//! that needed it are listed ([`Decoded::note`]).
//!
//! **Separator.** The most frequent of `,` `;` tab `|` outside double quotes in the header
//! line, `,` when none occurs or on a tie. A separator ending the header (the Annuaire Santé
//! writes `a|b|c|`) opens no column.
//!
//! **Numbers.** Surrounding spaces are dropped; a sign and an exponent (`1e3`) are read.
//! Thousands may be grouped by a space, a no-break space (U+00A0), a narrow no-break space
//! (U+202F) or a thin space (U+2009), and by `,` or `.` when unambiguous; every group after
//! the first has exactly three digits. With both `,` and `.` the last one is the decimal
//! mark (`1.234,5`, `1,234.5`); a mark seen twice groups thousands (`1,234,567`); a single
//! mark is the decimal mark (`2,5`, `0.125`, `1234,567`) unless it is **ambiguous**: one or
//! three digits after a one-to-three-digit integer part not starting with 0 — exactly three
//! digits after, as in `1,000` or `12.500`, which may be a thousand or a decimal. An
//! ambiguous mark takes the role the same column gives that mark without contradiction in
//! its other values (a column holding `0,5` reads `1,000` as 1; a column holding `2.5` or
//! `1,234,567` reads it as 1000); when the column gives no such evidence, or contradicts
//! itself, the value is refused with the reason, never guessed. `NaN`, infinities and
//! overflows are refused.
//!
//! **Echo.** A bad line or field is quoted in messages up to [`ECHO_CHARS`] characters.

use std::borrow::Cow;

/// Characters of a bad line or field quoted in a message at most.
pub const ECHO_CHARS: usize = 200;
/// Longest line a table may hold, bytes; a longer first line is not a table.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Separators recognised in a header, the default first.
pub const SEPARATORS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Spaces accepted between thousands.
const GROUP_SPACES: [char; 4] = [' ', '\u{a0}', '\u{202f}', '\u{2009}'];

/// Text decoded from a file's bytes, with what the decoding needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The text, without byte-order mark.
    pub text: Cow<'a, str>,
    /// `UTF-8`, or the fallback used for the lines that were not UTF-8.
    pub encoding: &'static str,
    /// 1-based lines that were not UTF-8 and were read with the fallback.
    pub fallback_lines: Vec<u64>,
}

impl Decoded<'_> {
    /// A sentence naming the fallback and the lines that needed it, when any did.
    pub fn note(&self) -> Option<String> {
        let n = self.fallback_lines.len();
        if n == 0 {
            return None;
        }
        let shown: Vec<String> = self
            .fallback_lines
            .iter()
            .take(10)
            .map(u64::to_string)
            .collect();
        let more = if n > 10 {
            format!(" and {} more", n - 10)
        } else {
            String::new()
        };
        Some(format!(
            "{n} line(s) not UTF-8, read as {}: line {}{more}",
            self.encoding,
            shown.join(", ")
        ))
    }
}

/// Decodes `bytes` by the module's rule: UTF-8 (BOM dropped), other lines by the fallback.
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: Cow::Borrowed(text),
            encoding: "UTF-8",
            fallback_lines: Vec::new(),
        };
    }
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let bad: Vec<usize> = (0..lines.len())
        .filter(|&i| std::str::from_utf8(lines[i]).is_err())
        .collect();
    let c1 = bad
        .iter()
        .any(|&i| lines[i].iter().any(|b| (0x80..=0x9f).contains(b)));
    let (fallback, encoding) = fallback_for(if c1 { b"\x80" } else { b"" });
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        match std::str::from_utf8(line) {
            Ok(l) => text.push_str(l),
            Err(_) => text.push_str(&fallback.decode_without_bom_handling(line).0),
        }
    }
    Decoded {
        text: Cow::Owned(text),
        encoding,
        fallback_lines: bad.iter().map(|&i| i as u64 + 1).collect(),
    }
}

/// Why the first bytes `head` of a file cannot be a delimited text, when they cannot: UTF-16,
/// binary data (a NUL byte), JSON, a zip archive (a workbook under another name), an SQLite
/// database (a GeoPackage).
pub fn refuse_head(head: &[u8]) -> Option<String> {
    let start = head
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(head)
        .trim_ascii_start();
    let why = if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        "UTF-16 text: re-save it as UTF-8 (or Windows-1252)"
    } else if head.starts_with(b"SQLite format 3") {
        "an SQLite database (a GeoPackage?), not a delimited text: give it where a layer is expected"
    } else if head.starts_with(b"PK\x03\x04") {
        "a zip archive (a workbook? name it .xlsx or .ods), not a delimited text"
    } else if head.contains(&0) {
        "binary data (NUL bytes), not a delimited text"
    } else if start.starts_with(b"{") || start.starts_with(b"[") {
        "a JSON file, not a delimited text (a GeoJSON layer goes where a layer is expected)"
    } else {
        return None;
    };
    Some(why.to_string())
}

/// The single-byte encoding for the bytes of lines that are not UTF-8 (the module's rule):
/// Windows-1252 when any byte lies in 0x80–0x9F, else ISO-8859-15.
pub fn fallback_for(bytes: &[u8]) -> (&'static encoding_rs::Encoding, &'static str) {
    if bytes.iter().any(|b| (0x80..=0x9f).contains(b)) {
        (encoding_rs::WINDOWS_1252, "Windows-1252")
    } else {
        (encoding_rs::ISO_8859_15, "ISO-8859-15")
    }
}

/// One line's (or field's) bytes as text: UTF-8 when valid, else by [`fallback_for`]; for
/// readers that stream records one at a time.
pub fn decode_line(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => fallback_for(bytes).0.decode_without_bom_handling(bytes).0,
    }
}

/// The most frequent of [`SEPARATORS`] outside double quotes in `header`, `,` on a tie.
pub fn separator(header: &str) -> u8 {
    let mut counts = [0usize; SEPARATORS.len()];
    let mut quoted = false;
    for b in header.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(k) = SEPARATORS.iter().position(|&s| s == b) {
                counts[k] += 1;
            }
        }
    }
    let mut best = 0;
    for k in 1..SEPARATORS.len() {
        if counts[k] > counts[best] {
            best = k;
        }
    }
    SEPARATORS[best]
}

/// `text` quoted for a message: at most [`ECHO_CHARS`] characters, then `…` and the length.
pub fn echo(text: &str) -> String {
    let mut chars = text.char_indices();
    match chars.nth(ECHO_CHARS) {
        None => format!("{text:?}"),
        Some((cut, _)) => format!("{:?}… ({} characters)", &text[..cut], text.chars().count()),
    }
}

/// What the values of one column say about the roles of `,` and `.`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NumberMarks {
    /// Some value uses `,` as the decimal mark unambiguously.
    pub comma_decimal: bool,
    /// Some value uses `,` to group thousands unambiguously.
    pub comma_grouping: bool,
    /// Some value uses `.` as the decimal mark unambiguously.
    pub point_decimal: bool,
    /// Some value uses `.` to group thousands unambiguously.
    pub point_grouping: bool,
}

/// The role of a mark in one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Decimal,
    Grouping,
    Ambiguous,
}

/// A number's text split into its parts, before the column settles an ambiguous mark.
struct Shape<'a> {
    negative: bool,
    mantissa: Cow<'a, str>,
    exponent: &'a str,
    /// The single mark of the mantissa (`,` or `.`) and its role, when there is one kind.
    mark: Option<(char, Role)>,
    /// Both marks occur: (decimal, grouping).
    both: Option<(char, char)>,
}

impl NumberMarks {
    /// The evidence of every value of a column.
    pub fn scan<'a>(values: impl IntoIterator<Item = &'a str>) -> NumberMarks {
        let mut m = NumberMarks::default();
        for v in values {
            m.note(v);
        }
        m
    }

    /// Marks of a column known to hold `.` decimals (numbers written by a program).
    pub fn point_decimals() -> NumberMarks {
        NumberMarks {
            point_decimal: true,
            ..NumberMarks::default()
        }
    }

    /// Adds the evidence of one value.
    pub fn note(&mut self, v: &str) {
        let Ok(shape) = shape(v) else { return };
        if let Some((d, g)) = shape.both {
            self.set(d, Role::Decimal);
            self.set(g, Role::Grouping);
        }
        if let Some((c, role)) = shape.mark {
            self.set(c, role);
        }
    }

    fn set(&mut self, c: char, role: Role) {
        match (c, role) {
            (',', Role::Decimal) => self.comma_decimal = true,
            (',', Role::Grouping) => self.comma_grouping = true,
            ('.', Role::Decimal) => self.point_decimal = true,
            ('.', Role::Grouping) => self.point_grouping = true,
            _ => {}
        }
    }

    /// The role the column gives an ambiguous `c`, if its evidence is consistent.
    fn settle(&self, c: char) -> Option<Role> {
        let (decimal, grouping, other_decimal, other_grouping) = if c == ',' {
            (
                self.comma_decimal,
                self.comma_grouping,
                self.point_decimal,
                self.point_grouping,
            )
        } else {
            (
                self.point_decimal,
                self.point_grouping,
                self.comma_decimal,
                self.comma_grouping,
            )
        };
        let says_grouping = grouping || other_decimal;
        let says_decimal = decimal || other_grouping;
        match (says_decimal, says_grouping) {
            (true, false) => Some(Role::Decimal),
            (false, true) => Some(Role::Grouping),
            _ => None,
        }
    }
}

/// Checks that `int` is digits grouped by `sep` in threes after a first group of 1–3.
fn grouped_digits(int: &str, sep: char) -> bool {
    let mut groups = int.split(sep);
    let first = groups.next().unwrap_or("");
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    (1..=3).contains(&first.len()) && digits(first) && groups.all(|g| g.len() == 3 && digits(g))
}

/// Splits `v` into sign, mantissa and exponent and finds the marks' roles in it.
fn shape(v: &str) -> Result<Shape<'_>, String> {
    let t = v.trim_matches(|c: char| c.is_whitespace());
    if t.is_empty() {
        return Err("empty".into());
    }
    let (negative, body) = match t.as_bytes()[0] {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(k) => (&body[..k], &body[k..]),
        None => (body, ""),
    };
    let not_number = || format!("{} is not a number", echo(v));
    if mantissa.is_empty()
        || !mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.' || GROUP_SPACES.contains(&c))
    {
        return Err(not_number());
    }
    let spaced = mantissa.contains(GROUP_SPACES);
    let mantissa: Cow<str> = if spaced {
        // Spaces group thousands: normalise them to one so the grouping can be checked.
        Cow::Owned(mantissa.replace(GROUP_SPACES, " "))
    } else {
        Cow::Borrowed(mantissa)
    };
    let commas = mantissa.matches(',').count();
    let points = mantissa.matches('.').count();
    let mut shape = Shape {
        negative,
        mantissa,
        exponent,
        mark: None,
        both: None,
    };
    if commas > 0 && points > 0 {
        let last = shape.mantissa.rfind([',', '.']).unwrap_or(0);
        let d = shape.mantissa.as_bytes()[last] as char;
        let g = if d == ',' { '.' } else { ',' };
        if spaced || shape.mantissa.matches(d).count() > 1 {
            return Err(not_number());
        }
        shape.both = Some((d, g));
    } else if commas + points > 0 {
        let c = if commas > 0 { ',' } else { '.' };
        let n = commas + points;
        let role = if n > 1 {
            Role::Grouping
        } else {
            let (int, frac) = shape.mantissa.split_once(c).unwrap_or(("", ""));
            let ambiguous =
                !spaced && frac.len() == 3 && (1..=3).contains(&int.len()) && !int.starts_with('0');
            if ambiguous {
                Role::Ambiguous
            } else {
                Role::Decimal
            }
        };
        shape.mark = Some((c, role));
    }
    Ok(shape)
}

/// Reads `v` as a finite number by the module's rule, an ambiguous mark settled by `marks`
/// (the evidence of the value's column); `Err` says why not.
pub fn parse_number(v: &str, marks: &NumberMarks) -> Result<f64, String> {
    let shape = shape(v)?;
    let not_number = || format!("{} is not a number", echo(v));
    let (decimal, grouping) = match (shape.both, shape.mark) {
        (Some((d, g)), _) => (Some(d), Some(g)),
        (None, Some((c, Role::Decimal))) => (Some(c), None),
        (None, Some((c, Role::Grouping))) => (None, Some(c)),
        (None, Some((c, Role::Ambiguous))) => match marks.settle(c) {
            Some(Role::Decimal) => (Some(c), None),
            Some(_) => (None, Some(c)),
            None => {
                return Err(format!(
                    "{} is ambiguous: {c} may mark decimals or thousands and the column does \
                     not tell; write it without thousands separator",
                    echo(v.trim())
                ))
            }
        },
        (None, None) => (None, None),
    };
    let (int, frac) = match decimal {
        Some(d) => shape
            .mantissa
            .split_once(d)
            .unwrap_or((&shape.mantissa, "")),
        None => (&*shape.mantissa, ""),
    };
    let sep = match grouping {
        Some(g) => Some(g),
        None if int.contains(' ') => Some(' '),
        None => None,
    };
    if let Some(g) = sep {
        if int.contains(' ') && g != ' ' || !grouped_digits(int, g) {
            return Err(format!("{}: misplaced thousands separator", echo(v.trim())));
        }
    }
    if frac.contains(|c: char| !c.is_ascii_digit()) || (int.is_empty() && frac.is_empty()) {
        return Err(not_number());
    }
    let digits: String = int.chars().filter(char::is_ascii_digit).collect();
    let text = format!(
        "{}{}.{}{}",
        if shape.negative { "-" } else { "" },
        if digits.is_empty() { "0" } else { &digits },
        if frac.is_empty() { "0" } else { frac },
        shape.exponent
    );
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err(format!("{} is not a finite number", echo(v.trim()))),
        Err(_) => Err(not_number()),
    }
}

/// Reads a number standing alone (an option, a cell), its own only evidence.
pub fn parse_lone_number(v: &str) -> Result<f64, String> {
    parse_number(v, &NumberMarks::scan([v]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn alone(v: &str) -> Result<f64, String> {
        parse_lone_number(v)
    }

    #[test]
    fn plain_and_french_numbers() {
        assert_eq!(alone(" 2,5 "), Ok(2.5));
        assert_eq!(alone("0.125"), Ok(0.125));
        assert_eq!(alone("-3.25"), Ok(-3.25));
        assert_eq!(alone("12 000"), Ok(12000.0));
        assert_eq!(alone("12\u{a0}000,5"), Ok(12000.5));
        assert_eq!(alone("1\u{202f}234\u{2009}567"), Ok(1_234_567.0));
        assert_eq!(alone("1.234,5"), Ok(1234.5));
        assert_eq!(alone("1,234.5"), Ok(1234.5));
        assert_eq!(alone("1,234,567"), Ok(1_234_567.0));
        assert_eq!(alone("1234,567"), Ok(1234.567));
        assert_eq!(alone("1e3"), Ok(1000.0));
        assert_eq!(alone(",5"), Ok(0.5));
        assert_eq!(alone("7"), Ok(7.0));
    }

    #[test]
    fn refusals_say_why() {
        assert!(alone("1,000").unwrap_err().contains("ambiguous"));
        assert!(alone("12.500").unwrap_err().contains("ambiguous"));
        assert!(alone("1 2").unwrap_err().contains("thousands"));
        assert!(alone("1,23,456").unwrap_err().contains("thousands"));
        assert!(alone("1.2.3,4").is_err());
        for bad in ["", "abc", "NaN", "inf", "-", "1e999", "12 000,5,1", "0x10"] {
            assert!(alone(bad).is_err(), "{bad:?}");
        }
        assert!(alone("1e999").unwrap_err().contains("finite"));
    }

    #[test]
    fn the_column_settles_ambiguous_marks() {
        let french = NumberMarks::scan(["0,5", "1,000", "12"]);
        assert_eq!(parse_number("1,000", &french), Ok(1.0));
        let english = NumberMarks::scan(["2.5", "1,000"]);
        assert_eq!(parse_number("1,000", &english), Ok(1000.0));
        let grouped = NumberMarks::scan(["1,234,567", "1,000"]);
        assert_eq!(parse_number("1,000", &grouped), Ok(1000.0));
        let integers = NumberMarks::scan(["12", "1,000"]);
        assert!(parse_number("1,000", &integers).is_err());
        let contradictory = NumberMarks::scan(["0,5", "1,234,567"]);
        assert!(parse_number("1,000", &contradictory).is_err());
        assert_eq!(
            parse_number("1.942", &NumberMarks::point_decimals()),
            Ok(1.942)
        );
    }

    #[test]
    fn decoding_names_the_fallback_lines() {
        let d = decode(b"\xEF\xBB\xBFa,b\n1,2\n");
        assert_eq!((d.text.as_ref(), d.encoding), ("a,b\n1,2\n", "UTF-8"));
        assert_eq!(d.note(), None);
        let d = decode(b"nom\nH\xf4pital\nCr\xe9teil\n\xc3\xa9\n");
        assert_eq!(d.text, "nom\nHôpital\nCréteil\né\n");
        assert_eq!(
            (d.encoding, d.fallback_lines.clone()),
            ("ISO-8859-15", vec![2, 3])
        );
        assert!(d.note().unwrap().contains("line 2, 3"));
        let d = decode(b"nom\n\x9cuvre \x80\n");
        assert_eq!(
            (d.text.as_ref(), d.encoding),
            ("nom\nœuvre €\n", "Windows-1252")
        );
        let d = decode(b"nom\n\xbduvre \xa4\n");
        assert_eq!(d.text, "nom\nœuvre €\n");
        assert_eq!(decode_line(b"Sant\xe9 \xa4"), "Santé €");
        assert_eq!(decode_line(b"\x93Sant\xe9\x94"), "“Santé”");
        assert_eq!(decode_line("Santé".as_bytes()), "Santé");
    }

    #[test]
    fn heads_that_are_not_texts() {
        assert!(refuse_head(b"\xFF\xFEi\0d\0").unwrap().contains("UTF-16"));
        assert!(refuse_head(b"SQLite format 3\0")
            .unwrap()
            .contains("GeoPackage"));
        assert!(refuse_head(b"PK\x03\x04").unwrap().contains("zip"));
        assert!(refuse_head(b"a,b\n\x001").unwrap().contains("binary"));
        assert!(refuse_head(b"\xEF\xBB\xBF  {\"type\"")
            .unwrap()
            .contains("JSON"));
        assert_eq!(refuse_head(b"id,lon,lat\n"), None);
    }

    #[test]
    fn separators_and_echo() {
        assert_eq!(separator("id,lon,lat"), b',');
        assert_eq!(separator("id;lon;lat"), b';');
        assert_eq!(separator("id\tlon\tlat"), b'\t');
        assert_eq!(separator("id|lon|lat|"), b'|');
        assert_eq!(separator("id"), b',');
        assert_eq!(separator("\"a;b;c\",d,e"), b',');
        let long = "é".repeat(1000);
        let e = echo(&long);
        assert!(e.chars().count() < ECHO_CHARS + 30 && e.contains("(1000 characters)"));
        assert_eq!(echo("ab"), "\"ab\"");
    }

    proptest! {
        #[test]
        fn written_numbers_read_back(n in 0u64..10_000_000_000, cents in 0u32..100) {
            let x: f64 = format!("{n}.{cents:02}").parse().unwrap();
            let int = n.to_string();
            let mut spaced = String::new();
            for (k, c) in int.chars().enumerate() {
                if k > 0 && (int.len() - k) % 3 == 0 {
                    spaced.push('\u{a0}');
                }
                spaced.push(c);
            }
            let french = format!("{spaced},{cents:02}");
            let english = format!("{}.{cents:02}", spaced.replace('\u{a0}', ","));
            prop_assert_eq!(parse_lone_number(&french), Ok(x));
            prop_assert_eq!(parse_lone_number(&english), Ok(x));
            prop_assert_eq!(parse_lone_number(&int), Ok(n as f64));
        }
    }
}
