//! OSM XML 0.6 writer (<https://wiki.openstreetmap.org/wiki/OSM_XML>): a `bounds` element,
//! then nodes by id, then ways by id; coordinates written from the 1e-7 degree integers with
//! seven decimals (no float formatting, so the bytes depend on the data only).

use super::SynthOsm;
use std::io::{self, Write};

/// Writes `v` (1e-7 degree units) as a decimal degree with seven decimals.
fn fixed7(v: i32) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = i64::from(v).abs();
    format!("{sign}{}.{:07}", a / 10_000_000, a % 10_000_000)
}

/// Escapes the five XML special characters of an attribute value.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn write_tags(w: &mut impl Write, tags: &[(String, String)]) -> io::Result<()> {
    for (k, v) in tags {
        writeln!(w, "    <tag k=\"{}\" v=\"{}\"/>", escape(k), escape(v))?;
    }
    Ok(())
}

/// Writes `osm` as OSM XML 0.6 (UTF-8). Every element carries `version="1"`.
pub fn write_osm_xml(osm: &SynthOsm, w: impl Write) -> io::Result<()> {
    let mut w = io::BufWriter::new(w);
    writeln!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(w, "<osm version=\"0.6\" generator=\"recours synth\">")?;
    if let Some(b) = osm.bounds() {
        writeln!(
            w,
            "  <bounds minlat=\"{}\" minlon=\"{}\" maxlat=\"{}\" maxlon=\"{}\"/>",
            fixed7(b[1]),
            fixed7(b[0]),
            fixed7(b[3]),
            fixed7(b[2])
        )?;
    }
    for (n, tags) in osm.tagged_nodes() {
        let head = format!(
            "  <node id=\"{}\" version=\"1\" lat=\"{}\" lon=\"{}\"",
            n.id,
            fixed7(n.lat),
            fixed7(n.lon)
        );
        if tags.is_empty() {
            writeln!(w, "{head}/>")?;
        } else {
            writeln!(w, "{head}>")?;
            write_tags(&mut w, tags)?;
            writeln!(w, "  </node>")?;
        }
    }
    for way in &osm.ways {
        writeln!(w, "  <way id=\"{}\" version=\"1\">", way.id)?;
        for r in &way.refs {
            writeln!(w, "    <nd ref=\"{r}\"/>")?;
        }
        write_tags(&mut w, &way.tags)?;
        writeln!(w, "  </way>")?;
    }
    writeln!(w, "</osm>")?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::super::{SynthNode, SynthWay};
    use super::*;

    #[test]
    fn fixed_point_degrees_keep_seven_decimals_and_sign() {
        assert_eq!(fixed7(24_500_000), "2.4500000");
        assert_eq!(fixed7(-48_000_000), "-4.8000000");
        assert_eq!(fixed7(-5), "-0.0000005");
        assert_eq!(fixed7(0), "0.0000000");
    }

    #[test]
    fn writes_a_tiny_dataset_exactly() {
        let osm = SynthOsm {
            nodes: vec![
                SynthNode {
                    id: 1,
                    lon: 24_500_000,
                    lat: 489_000_000,
                },
                SynthNode {
                    id: 2,
                    lon: 24_500_100,
                    lat: 489_000_000,
                },
            ],
            node_tags: vec![(2, vec![("name".to_string(), "A & B".to_string())])],
            ways: vec![SynthWay {
                id: 7,
                refs: vec![1, 2],
                tags: vec![("highway".to_string(), "residential".to_string())],
            }],
            ..Default::default()
        };
        let mut out = Vec::new();
        write_osm_xml(&osm, &mut out).unwrap();
        let expected = [
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<osm version="0.6" generator="recours synth">"#,
            r#"  <bounds minlat="48.9000000" minlon="2.4500000" maxlat="48.9000000" maxlon="2.4500100"/>"#,
            r#"  <node id="1" version="1" lat="48.9000000" lon="2.4500000"/>"#,
            r#"  <node id="2" version="1" lat="48.9000000" lon="2.4500100">"#,
            r#"    <tag k="name" v="A &amp; B"/>"#,
            r#"  </node>"#,
            r#"  <way id="7" version="1">"#,
            r#"    <nd ref="1"/>"#,
            r#"    <nd ref="2"/>"#,
            r#"    <tag k="highway" v="residential"/>"#,
            r#"  </way>"#,
            r#"</osm>"#,
            "",
        ]
        .join("\n");
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
