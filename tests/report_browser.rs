//! The demo's report opened in a real browser (headless Chromium): no script error, the
//! cells drawn, a non-blank map in a screenshot, a click on a cell and on a unit filling the
//! info panel, a layer switched off, the scenario toggle; and the English report on request.
//!
//! The DOM checks run in the page: a copy of the report gets an error catcher at the top of
//! `<head>` and a probe script at the end of `<body>` that clicks through the maps (via
//! `document.elementFromPoint` and real `click` events, so the page's own handlers run)
//! and writes its observations, base64-encoded JSON, into `<pre id="probe">`; Chromium's
//! `--dump-dom` prints the DOM after load. The screenshot is Chromium's `--screenshot`.
//! Chromium is `/usr/bin/chromium` (or `$CHROMIUM`); without it the test prints
//! `skipped: no chromium`.

use base64::Engine;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The browser, when installed.
fn chromium() -> Option<PathBuf> {
    let p = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    p.exists().then_some(p)
}

/// Chromium headless with a throw-away profile, `args` appended.
fn run_chromium(exe: &Path, profile: &Path, args: &[&str]) -> std::process::Output {
    Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("running chromium")
}

/// Runs `recours` with `args`, panicking with its stderr on failure.
fn recours(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(args)
        .output()
        .expect("running recours");
    assert!(
        out.status.success(),
        "recours {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Caught at the top of `<head>`: every script error of the page.
const CATCHER: &str = "<script>window.__errors=[];window.addEventListener('error',function(e){window.__errors.push(String(e.message));});</script>";

/// Clicks through the page and reports what it saw.
const PROBE: &str = r#"<pre id="probe"></pre><script>
(function () {
  var out = { errors: window.__errors, cellPaths: 0 };
  try {
    var block = document.querySelector("figure.map script.cell-data");
    var fig = block.closest("figure");
    var svg = fig.querySelector("svg");
    out.cellPaths = svg.querySelectorAll("g[data-layer=cells] path").length;
    var data = JSON.parse(block.textContent);
    var facts = JSON.parse(document.getElementById("cell-facts").textContent);
    var i = 0;
    while (data.v[i] === null) { i++; }
    svg.scrollIntoView();
    var p = svg.createSVGPoint();
    p.x = data.x[i]; p.y = data.y[i];
    var c = p.matrixTransform(svg.getScreenCTM());
    var info = fig.querySelector(".info");
    out.infoBefore = info.textContent;
    document.elementFromPoint(c.x, c.y).dispatchEvent(new MouseEvent("click", { bubbles: true, clientX: c.x, clientY: c.y }));
    out.infoAfter = info.textContent;
    out.cellId = facts.id[i];
    out.cellValue = data.v[i];
    var box = fig.querySelector("input[data-layer=cells]");
    box.click();
    out.cellsHidden = svg.querySelector("g[data-layer=cells]").style.display === "none";
    var before = svg.getAttribute("viewBox");
    fig.querySelector("button[data-zoom=in]").click();
    out.zoomed = svg.getAttribute("viewBox") !== before;
    var unitFig = null;
    document.querySelectorAll("figure.map").forEach(function (f) {
      if (!unitFig && !f.querySelector("script.cell-data") && f.querySelector("svg path title")) { unitFig = f; }
    });
    var unit = unitFig.querySelector("svg path");
    unit.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    out.unitTitle = unit.querySelector("title").textContent;
    out.unitInfo = unitFig.querySelector(".info").textContent;
    var pair = document.querySelector(".pair");
    pair.querySelector("button[data-show=after]").click();
    var figs = pair.querySelectorAll("figure");
    out.pairAfter = getComputedStyle(figs[0]).display === "none" && getComputedStyle(figs[1]).display !== "none";
  } catch (e) {
    out.errors.push("probe: " + e.message);
  }
  document.getElementById("probe").textContent = btoa(unescape(encodeURIComponent(JSON.stringify(out))));
})();
</script>"#;

#[test]
fn the_demo_report_works_in_headless_chromium() {
    let Some(exe) = chromium() else {
        println!("skipped: no chromium (install the Debian package `chromium`)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    recours(&["demo", "--out", demo.to_str().unwrap()]);
    let report = demo.join("results").join("report.html");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    assert!(html.contains("<h2>L&#39;essentiel</h2>"));
    assert!(html.contains("© les contributeurs d&#39;OpenStreetMap, ODbL"));

    // DOM checks through the page's own handlers.
    let probed = dir.path().join("probed.html");
    let page = html
        .replacen("<head>", &format!("<head>\n{CATCHER}"), 1)
        .replacen("</body>", &format!("{PROBE}\n</body>"), 1);
    std::fs::write(&probed, page).unwrap();
    let url = format!("file://{}", probed.display());
    let out = run_chromium(
        &exe,
        &dir.path().join("profile-dom"),
        &["--window-size=1400,1000", "--dump-dom", &url],
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom
        .find("<pre id=\"probe\">")
        .expect("probe block in the DOM")
        + 16;
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = base64::engine::general_purpose::STANDARD
        .decode(dom[start..end].trim())
        .unwrap_or_else(|e| panic!("probe output {:?}: {e}", &dom[start..end]));
    let probe: serde_json::Value = serde_json::from_slice(&json).unwrap();
    println!("probe: {probe}");
    assert_eq!(probe["errors"], serde_json::json!([]), "script errors");
    assert!(probe["cellPaths"].as_u64().unwrap() >= 3, "cells drawn");
    let (before, after) = (
        probe["infoBefore"].as_str().unwrap(),
        probe["infoAfter"].as_str().unwrap(),
    );
    assert_ne!(before, after, "a click on a cell changes the info panel");
    assert!(
        after.contains(probe["cellId"].as_str().unwrap())
            && after.contains(probe["cellValue"].as_str().unwrap())
            && after.contains("habitants"),
        "{after}"
    );
    assert_eq!(probe["cellsHidden"], true, "the cells layer switches off");
    assert_eq!(probe["zoomed"], true, "the zoom button changes the view");
    assert_eq!(probe["unitInfo"], probe["unitTitle"], "a click on a unit");
    assert_eq!(
        probe["pairAfter"], true,
        "the scenario toggle shows the after map"
    );

    // A screenshot: the first screen holds the findings; a tall one reaches the cell maps,
    // drawn in the YlOrRd oranges and reds.
    let png_path = dir.path().join("shot.png");
    let url = format!("file://{}", report.display());
    run_chromium(
        &exe,
        &dir.path().join("profile-shot"),
        &[
            &format!("--screenshot={}", png_path.display()),
            "--window-size=1400,4000",
            &url,
        ],
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png_path).expect("screenshot written"),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let warm = buf[..info.buffer_size()]
        .chunks(channels)
        .filter(|p| p[0] > 200 && p[1] < 190 && p[2] < 120)
        .count();
    println!(
        "screenshot {}×{}: {warm} orange or red pixels",
        info.width, info.height
    );
    assert!(warm > 20_000, "the cell map is drawn: {warm} warm pixels");

    // The English report on request.
    let en = dir.path().join("en");
    recours(&[
        "run",
        demo.join("study.toml").to_str().unwrap(),
        "--out",
        en.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    let html = std::fs::read_to_string(en.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("<h2>Key findings</h2>"));
    assert!(html.contains("consultations a year per standardised inhabitant"));
}
