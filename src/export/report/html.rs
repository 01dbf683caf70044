//! HTML pieces of the report: text escaping, tables, the page around the sections.
//!
//! Escaping follows the HTML Living Standard's serialisation rules: `&`, `<`, `>`, `"` and
//! `'` are written as character references, which is safe both in text and in
//! double-quoted attribute values. The page carries its own style sheet: no script, no
//! font, no file or address outside it, so it opens offline.

use std::fmt::Write;

/// `text` escaped for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            _ => s.push(c),
        }
    }
    s
}

/// Whether a cell reads as a number (then it is right-aligned).
fn numeric(cell: &str) -> bool {
    let t = cell.trim().trim_end_matches('%').trim();
    !t.is_empty() && t.replace(' ', "").parse::<f64>().is_ok()
}

/// A `<table>` with a caption, a header row and body rows (all text escaped); rows must
/// have the header's width (checked by the caller).
pub fn table(caption: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table>\n");
    let _ = writeln!(s, "<caption>{}</caption>", escape(caption));
    s.push_str("<thead><tr>");
    for h in header {
        let _ = write!(s, "<th>{}</th>", escape(h));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            if numeric(c) {
                let _ = write!(s, "<td class=\"num\">{}</td>", escape(c));
            } else {
                let _ = write!(s, "<td>{}</td>", escape(c));
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
    s
}

/// The style sheet of the page.
const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#222;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.3em}h2{font-size:1.3em;margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
figure{margin:1.2em 0;padding:0}figure.map{display:flex;flex-wrap:wrap;gap:1.2em;align-items:flex-start}
figcaption{font-weight:600;flex-basis:100%;margin-bottom:.2em}svg{background:#f7fbff;border:1px solid #ddd;max-width:100%;height:auto}
.legend{font-size:.9em;min-width:12em}.legend .title{font-weight:600;margin-bottom:.3em}.legend ul{list-style:none;margin:0;padding:0}
.legend li{display:flex;align-items:center;gap:.5em;margin:.15em 0}.legend .n{color:#666}
.swatch{display:inline-block;width:1.4em;height:1em;border:1px solid #999}.dot{display:inline-block;width:.6em;height:.6em;border-radius:50%;background:#253494;margin:0 .4em}
.legend .note{color:#666;margin-top:.5em;max-width:16em}
table{border-collapse:collapse;margin:1em 0;font-size:.92em}caption{text-align:left;font-weight:600;margin-bottom:.3em;white-space:nowrap}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}th{background:#f0f0f0}
td.num{text-align:right;font-variant-numeric:tabular-nums}tbody tr:nth-child(even){background:#fafafa}
.pair{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}.pair figure.map{flex:1 1 360px}";

/// The full page: `title` as `<title>` and `<h1>`, then the sections' HTML in order.
pub fn page(title: &str, sections: &[String]) -> String {
    let t = escape(title);
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<h1>{t}</h1>\n"
    );
    for sec in sections {
        s.push_str(sec);
    }
    s.push_str("</body>\n</html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<b>Saint-Denis & \"L'Île\"</b>"),
            "&lt;b&gt;Saint-Denis &amp; &quot;L&#39;Île&quot;&lt;/b&gt;"
        );
        assert_eq!(escape("&amp;"), "&amp;amp;");
    }

    #[test]
    fn tables_escape_cells_and_right_align_numbers() {
        let t = table(
            "QPV <gap>",
            &["QPV", "gap (min)"],
            &[
                vec!["A&B".into(), "-1.5".into()],
                vec!["C".into(), "12 %".into()],
            ],
        );
        assert!(t.contains("<caption>QPV &lt;gap&gt;</caption>"), "{t}");
        assert!(
            t.contains("<tr><td>A&amp;B</td><td class=\"num\">-1.5</td></tr>"),
            "{t}"
        );
        assert!(t.contains("<td class=\"num\">12 %</td>"), "{t}");
        assert_eq!(t.matches("<tr>").count(), 3);
    }

    #[test]
    fn page_has_no_external_reference() {
        let p = page("R&D", &["<p>x</p>\n".into()]);
        assert!(p.starts_with("<!DOCTYPE html>"));
        assert!(p.contains("<title>R&amp;D</title>"));
        assert!(!p.contains("http"));
        assert!(!p.contains("<script"));
        assert!(!p.contains("<link"));
    }
}
