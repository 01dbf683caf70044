//! HTML pieces of the report: text escaping, tables, the page around the sections.
//!
//! Escaping follows the HTML Living Standard's serialisation rules: `&`, `<`, `>`, `"` and
//! `'` are written as character references, which is safe both in text and in
//! double-quoted attribute values. The page carries its own style sheet and script: no
//! font, no file or address outside it, so it opens offline. The style sheet lays the page
//! out for A4 print too: tool bars hidden, a map never cut across two pages.

use super::lang::Lang;
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

/// Whether a cell reads as a number, decimal point or comma (then it is right-aligned).
fn numeric(cell: &str) -> bool {
    let t = cell.trim().trim_end_matches('%').trim();
    !t.is_empty() && t.replace(' ', "").replace(',', ".").parse::<f64>().is_ok()
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
.pair{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}.pair figure.map{flex:1 1 360px}
.pair .toggle{flex-basis:100%}.pair[data-show=before]>figure:nth-of-type(2),.pair[data-show=after]>figure:nth-of-type(1){display:none}
.mapbox{display:flex;flex-direction:column;gap:.3em;max-width:100%}.mapbox svg{touch-action:none;cursor:grab}
.tools{display:flex;flex-wrap:wrap;gap:.4em;align-items:center;font-size:.85em}.tools button,.toggle button{font:inherit;min-width:2em;padding:.1em .5em;border:1px solid #999;background:#fff;border-radius:3px;cursor:pointer}
.toggle button{margin-right:.3em}.tools label{margin-left:.4em}
.info{font-size:.9em;background:#f6f6f6;border-left:3px solid #6a3d9a;padding:.3em .6em;min-height:1.4em;max-width:720px}
.credits{font-size:.75em;color:#555;max-width:720px}
.findings{background:#fff8e6;border:1px solid #f0d9a0;padding:.2em 1.2em .6em;margin:1.2em 0}.findings h2{border:none;margin-top:.6em}.findings li{margin:.35em 0}
@page{size:A4;margin:12mm}
@media print{body{max-width:none;margin:0;font-size:10pt}.tools,.info,.toggle{display:none}figure.map,table,.findings{break-inside:avoid}h2{break-after:avoid}svg{max-width:100%;height:auto}.pair[data-show]>figure{display:flex!important}}";

/// The full page in `lang`: `title` as `<title>` and `<h1>`, then the sections' HTML in
/// order, the cells' shared facts (`cell_facts`, JSON) when a cell map was drawn, and the
/// maps' script.
pub fn page(title: &str, lang: Lang, sections: &[String], cell_facts: Option<&str>) -> String {
    let t = escape(title);
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<h1>{t}</h1>\n",
        lang.code()
    );
    for sec in sections {
        s.push_str(sec);
    }
    if let Some(f) = cell_facts {
        let _ = writeln!(
            s,
            "<script type=\"application/json\" id=\"cell-facts\">{}</script>",
            f.replace("</", "<\\/")
        );
    }
    let _ = writeln!(
        s,
        "<script>\nconst RECOURS_TEXT = {};\n{}</script>",
        serde_json::json!({
            "cell": lang.pick("Carreau", "Cell"),
            "inhabitants": lang.pick("habitants", "inhabitants"),
            "none": lang.pick("pas de valeur", "no data"),
        }),
        super::script::SCRIPT
    );
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
        let p = page(
            "R&D",
            Lang::Fr,
            &["<p>x</p>\n".into()],
            Some("{\"id\":[\"</script>\"]}"),
        );
        assert!(p.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
        assert!(p.contains("<title>R&amp;D</title>"));
        assert!(!p.contains("http:"));
        assert!(!p.contains("https:"));
        assert!(!p.contains("<link"));
        assert!(!p.contains("src="));
        assert!(!p.contains("@import"));
        assert!(!p.contains("import("));
        // A value cannot close the data block early.
        assert!(p.contains("[\"<\\/script>\"]"));
        assert!(p.contains("\"cell\":\"Carreau\""));
        assert!(page("t", Lang::En, &[], None).contains("<html lang=\"en\">"));
    }
}
