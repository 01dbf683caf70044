//! The report's only script, inline: it makes each map figure interactive and fetches
//! nothing.
//!
//! - Zoom with the wheel or the `+ − ⟲` buttons and pan by dragging: the `<svg>`'s
//!   `viewBox` is scaled around the pointer (never beyond the whole map) and shifted.
//! - A click on a unit shows its hover title (name, code, value) in the figure's info
//!   panel; a click on a cell map finds the cell under the pointer (the nearest cell centre
//!   within half a cell, from the figure's `cell-data` block of pixel positions and values)
//!   and shows its identifier, place, value and inhabitants (from the page's `cell-facts`).
//! - Layer check boxes show or hide the `data-layer` groups of the map.
//! - A scenario's before/after pair shows both maps, or one of them, by its buttons.
//!
//! Text written by the script (`Carreau`, `habitants`…) comes from `RECOURS_TEXT`, set by
//! the page in its language.

/// The script's source (ECMAScript 5, no library).
pub const SCRIPT: &str = r#"(function () {
  "use strict";
  var T = RECOURS_TEXT;
  var factsEl = document.getElementById("cell-facts");
  var facts = factsEl ? JSON.parse(factsEl.textContent) : null;
  function box(svg) { var v = svg.viewBox.baseVal; return [v.x, v.y, v.width, v.height]; }
  function setBox(svg, b) { svg.setAttribute("viewBox", b.map(function (x) { return x.toFixed(2); }).join(" ")); }
  function svgPoint(svg, cx, cy) {
    var m = svg.getScreenCTM();
    if (!m) { return null; }
    var p = svg.createSVGPoint();
    p.x = cx; p.y = cy;
    return p.matrixTransform(m.inverse());
  }
  function zoom(svg, f, c, full) {
    var b = box(svg);
    var w = Math.min(full[2], b[2] / f), h = Math.min(full[3], b[3] / f);
    setBox(svg, [c.x - (c.x - b[0]) * w / b[2], c.y - (c.y - b[1]) * h / b[3], w, h]);
  }
  function cellText(data, i) {
    var v = data.v[i];
    var s = T.cell + " " + (facts ? facts.id[i] : i);
    if (facts && facts.place[i]) { s += " (" + facts.place[i] + ")"; }
    s += " : " + (v === null ? T.none : v + " " + data.unit);
    if (facts) { s += " — " + facts.pop[i] + " " + T.inhabitants; }
    return s;
  }
  document.querySelectorAll("figure.map").forEach(function (fig) {
    var svg = fig.querySelector("svg");
    if (!svg) { return; }
    var info = fig.querySelector(".info");
    var full = box(svg);
    var dataEl = fig.querySelector("script.cell-data");
    var data = dataEl ? JSON.parse(dataEl.textContent) : null;
    fig.querySelectorAll("button[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        var z = b.getAttribute("data-zoom");
        if (z === "reset") { setBox(svg, full); return; }
        var cb = box(svg);
        zoom(svg, z === "in" ? 1.5 : 1 / 1.5, { x: cb[0] + cb[2] / 2, y: cb[1] + cb[3] / 2 }, full);
      });
    });
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = svgPoint(svg, e.clientX, e.clientY);
      if (p) { zoom(svg, e.deltaY < 0 ? 1.25 : 0.8, p, full); }
    }, { passive: false });
    var drag = null, moved = false;
    svg.addEventListener("pointerdown", function (e) { drag = { x: e.clientX, y: e.clientY, b: box(svg) }; moved = false; });
    svg.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) { moved = true; }
      if (!moved) { return; }
      var s = drag.b[2] / svg.getBoundingClientRect().width;
      setBox(svg, [drag.b[0] - dx * s, drag.b[1] - dy * s, drag.b[2], drag.b[3]]);
    });
    window.addEventListener("pointerup", function () { drag = null; });
    svg.addEventListener("click", function (e) {
      if (moved) { moved = false; return; }
      var text = null;
      if (data) {
        var p = svgPoint(svg, e.clientX, e.clientY);
        var best = -1, bd = Infinity;
        for (var i = 0; p && i < data.x.length; i++) {
          var d = Math.max(Math.abs(data.x[i] - p.x), Math.abs(data.y[i] - p.y));
          if (d <= data.half && d < bd) { best = i; bd = d; }
        }
        if (best >= 0) { text = cellText(data, best); }
      }
      if (text === null) {
        var t = e.target.querySelector ? e.target.querySelector("title") : null;
        if (t) { text = t.textContent; }
      }
      if (text !== null && info) { info.textContent = text; }
    });
    fig.querySelectorAll("input[data-layer]").forEach(function (cb) {
      cb.addEventListener("change", function () {
        svg.querySelectorAll("[data-layer=\"" + cb.getAttribute("data-layer") + "\"]").forEach(function (g) {
          g.style.display = cb.checked ? "" : "none";
        });
      });
    });
  });
  document.querySelectorAll(".pair").forEach(function (pair) {
    pair.querySelectorAll(".toggle button").forEach(function (b) {
      b.addEventListener("click", function () { pair.setAttribute("data-show", b.getAttribute("data-show")); });
    });
  });
})();
"#;
