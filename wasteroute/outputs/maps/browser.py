"""What runs in the browser on the Folium maps: their style sheet and one small script of our own.

The script (no Leaflet plugin, nothing fetched) does three things after every move or zoom:

- **stop numbers**: a stop marker is a small dot until it has room; from ``numbers_from`` zoom on,
  stops in view get their numbered disc when no numbered disc is already within a marker's width
  (a greedy pass on a screen grid), so the dense centre never becomes a pile of overlapping numbers.
  The number stays in every marker's tooltip and popup.
- **landfill badges**: each badge is placed on a ring around its landfill where it covers no stop
  marker, facility icon or other badge (nearest free place first), with a leader line back to
  the landfill.
- **the legend's trucks** (overview): pointing at a truck dims the others; a click shows that
  truck alone (its landfill badges too), a second click or the "all" button shows every truck.

Once, on opening, it fits the plan between the notice and the legend as this window draws them,
folding the legend away (its title stays, one click opens it) when it would take too much of a
small window such as the web app's frame.
"""

from __future__ import annotations

import json
from typing import Any

from branca.element import MacroElement
from folium.template import Template

#: Width of a numbered stop marker (px); numbered markers closer than this would overlap.
STOP_PX = 22
#: Width of a stop drawn as a dot (the numbered disc at 45 %: ``.wr-stop`` in :data:`MAP_CSS`).
DOT_PX = 10
#: Width of a depot or landfill icon (``.wr-fac``).
FACILITY_PX = 30

BEHAVIOUR_JS = r"""
function wrMapBehaviour(map, cfg) {
  var box = map.getContainer(), solo = null, style = document.createElement("style");
  document.head.appendChild(style);
  L.DomUtil.addClass(box, cfg.overview ? "wr-overview" : "wr-single");
  function kind(k) {
    var out = [];
    map.eachLayer(function (l) {
      if (l.options && l.options.wrKind === k && l.getElement && l.getElement()) { out.push(l); }
    });
    return out;
  }
  function numbers() {
    var on = map.getZoom() >= cfg.numbersFrom, size = map.getSize(), c = cfg.cell, grid = {};
    function free(p) {
      var gx = Math.floor(p.x / c), gy = Math.floor(p.y / c);
      for (var i = gx - 1; i <= gx + 1; i++) {
        for (var j = gy - 1; j <= gy + 1; j++) {
          var near = grid[i + "," + j] || [];
          for (var n = 0; n < near.length; n++) {
            if (Math.abs(near[n].x - p.x) < c && Math.abs(near[n].y - p.y) < c) { return false; }
          }
        }
      }
      (grid[gx + "," + gy] = grid[gx + "," + gy] || []).push(p);
      return true;
    }
    kind("stop").forEach(function (mk) {
      var p = map.latLngToContainerPoint(mk.getLatLng());
      var seen = p.x > -c && p.y > -c && p.x < size.x + c && p.y < size.y + c;
      var show = on && seen && free(p), el = mk.getElement();
      if (L.DomUtil.hasClass(el, "wr-num") !== show) {
        L.DomUtil[show ? "addClass" : "removeClass"](el, "wr-num");
        mk.setZIndexOffset(show ? 1500 : 0);  // over the depot and landfill icons (1000)
      }
    });
  }
  function overlap(a, b) {
    var w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
    var h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
    return w > 0 && h > 0 ? w * h : 0;
  }
  function badges() {
    var pins = kind("badge");
    if (!pins.length) { return; }
    // Where Leaflet puts the markers (their elements may not have moved yet when this runs).
    var taken = [], size = map.getSize(), pad = 3;
    function block(mk, half) {
      var q = map.latLngToContainerPoint(mk.getLatLng());
      taken.push({x0: q.x - half, y0: q.y - half, x1: q.x + half, y1: q.y + half});
    }
    kind("stop").forEach(function (mk) {
      block(mk, (L.DomUtil.hasClass(mk.getElement(), "wr-num") ? cfg.cell : cfg.dot) / 2);
    });
    kind("facility").forEach(function (mk) { block(mk, cfg.facility / 2); });
    pins.forEach(function (mk) {
      var el = mk.getElement(), badge = el.querySelector(".wr-badge");
      var w = badge.offsetWidth, h = badge.offsetHeight;
      if (!w) { return; }
      var p = map.latLngToContainerPoint(mk.getLatLng()), best = null;
      var inView = p.x >= 0 && p.y >= 0 && p.x <= size.x && p.y <= size.y;
      for (var r = 26; r <= 600 && !(best && best.cost === 0); r += 22) {
        for (var a = 0; a < 16; a++) {
          var t = a * Math.PI / 8, cx = Math.cos(t), cy = Math.sin(t);
          var x = p.x + r * cx - w / 2 + cx * w / 2, y = p.y + r * cy - h / 2 + cy * h / 2;
          var rect = {x0: x - pad, y0: y - pad, x1: x + w + pad, y1: y + h + pad}, cost = 0;
          for (var n = 0; n < taken.length; n++) { cost += overlap(rect, taken[n]); }
          if (inView) {  // a badge pushed off the screen is as bad as one covering stops
            var seen = overlap({x0: x, y0: y, x1: x + w, y1: y + h}, {x0: 0, y0: 0, x1: size.x, y1: size.y});
            cost += 4 * (w * h - seen);
          }
          if (!best || cost < best.cost) { best = {x: x, y: y, cost: cost}; }
          if (cost === 0) { break; }
        }
      }
      badge.style.left = (best.x - p.x) + "px";
      badge.style.top = (best.y - p.y) + "px";
      var line = el.querySelector("line");
      line.setAttribute("x2", Math.max(best.x, Math.min(p.x, best.x + w)) - p.x);
      line.setAttribute("y2", Math.max(best.y, Math.min(p.y, best.y + h)) - p.y);
      taken.push({x0: best.x, y0: best.y, x1: best.x + w, y1: best.y + h});
    });
  }
  function refresh() { numbers(); badges(); }
  function dim(k) {
    style.textContent = k ? ".wr-hl .wr-t:not(." + k + ") { opacity: .12 !important; }" : "";
    L.DomUtil[k ? "addClass" : "removeClass"](box, "wr-hl");
  }
  function show(k) {
    solo = k;
    cfg.trucks.forEach(function (t) {
      if (!k || t.k === k) { if (!map.hasLayer(t.layer)) { map.addLayer(t.layer); } }
      else if (map.hasLayer(t.layer)) { map.removeLayer(t.layer); }
    });
    L.DomUtil[k ? "addClass" : "removeClass"](box, "wr-solo");
    Array.prototype.forEach.call(box.querySelectorAll(".wr-chip"), function (b) {
      var on = b.getAttribute("data-k") === k;
      L.DomUtil[on ? "addClass" : "removeClass"](b, "wr-on");
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
    dim(null);
    refresh();
  }
  Array.prototype.forEach.call(box.querySelectorAll(".wr-chip"), function (b) {
    var k = b.getAttribute("data-k");
    b.addEventListener("mouseenter", function () { if (!solo) { dim(k); } });
    b.addEventListener("focus", function () { if (!solo) { dim(k); } });
    b.addEventListener("mouseleave", function () { dim(null); });
    b.addEventListener("blur", function () { dim(null); });
    b.addEventListener("click", function () { show(solo === k ? null : k); });
  });
  Array.prototype.forEach.call(box.querySelectorAll(".wr-all"), function (b) {
    b.addEventListener("click", function () { show(null); });
  });
  // The plan between the notice and the legend, as this window draws them; again when the window
  // changes size while the view is still the fitted one.
  var legend = box.querySelector(".wr-legend"), fold = legend && legend.querySelector("details");
  var fitted = false, fitting = false, folded = false;
  if (fold) { fold.querySelector("summary").addEventListener("click", function () { folded = true; }); }
  function fit() {
    var notice = box.querySelector(".wr-notice"), h = map.getSize().y;
    if (fold && !folded && fold.open && legend.offsetHeight > 0.4 * h) { fold.open = false; }
    var top = notice ? notice.getBoundingClientRect().bottom - box.getBoundingClientRect().top + 10 : 20;
    var bottom = legend ? legend.offsetHeight + 40 : 40;
    if (top + bottom > 0.6 * h) { top = 20; bottom = 40; }
    fitting = true;
    map.fitBounds(cfg.fit, {paddingTopLeft: [20, top], paddingBottomRight: [20, bottom], animate: false});
    fitting = false;
    fitted = true;
  }
  if (cfg.fit) {
    fit();
    map.on("movestart", function () { if (!fitting) { fitted = false; } });
    map.on("resize", function () { if (fitted) { fit(); } });
  }
  map.on("moveend overlayadd overlayremove resize", refresh);
  refresh();
  window.addEventListener("load", refresh);
  return {show: show, dim: dim, refresh: refresh};
}
"""


class Behaviour(MacroElement):  # type: ignore[misc]
    """Run :data:`BEHAVIOUR_JS` (put once in the page's head) for one map, after its layers and controls.

    ``trucks`` maps each truck's key (its CSS class ``wr-k<n>``) to the JavaScript name of its
    layer (overview only). ``fit`` ([[south, west], [north, east]]) is fitted between the notice and
    the legend as the window draws them (the legend folds in a small window, e.g. the web app's frame). The script's handle is ``<map name>.wr`` for a page that embeds the map.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.wr = wrMapBehaviour({{ this._parent.get_name() }}, {
            overview: {{ this.overview|tojson }}, numbersFrom: {{ this.numbers_from }},
            cell: {{ this.cell }}, dot: {{ this.dot }}, facility: {{ this.facility }},
            fit: {{ this.fit|tojson }},
            trucks: [{{ this.truck_list() }}]});
        {% endmacro %}
        """)

    def __init__(self, *, overview: bool, numbers_from: float, trucks: dict[str, Any],
                 fit: list[list[float]] | None = None) -> None:
        super().__init__()
        self._name = "WrBehaviour"
        self.overview = overview
        self.numbers_from = numbers_from
        self.cell, self.dot, self.facility = STOP_PX, DOT_PX, FACILITY_PX
        self.trucks = trucks
        self.fit = fit

    def truck_list(self) -> str:
        """``{k: "k0", layer: feature_group_…}, …``: layer names are folium's own identifiers."""
        return ",".join(f"{{k:{json.dumps(k)},layer:{layer.get_name()}}}" for k, layer in self.trucks.items())


MAP_CSS = """
.leaflet-container { background: #f2efe9; }
.wr-divicon { background: none; border: none; }
.wr-stop { width: 22px; height: 22px; border-radius: 50%; border: 2px solid #fff;
  box-sizing: border-box; font: bold 11px/18px sans-serif; text-align: center;
  box-shadow: 0 0 3px rgba(0,0,0,.6); transform: scale(.45); font-size: 0; }
.wr-num .wr-stop { transform: none; font-size: 11px; }
.wr-unassigned { width: 16px; height: 16px; border-radius: 50%; border: 2px solid #fff;
  box-sizing: border-box; background: #6e6e6e; box-shadow: 0 0 0 1px #333; }
.wr-fac { display: flex; align-items: center; justify-content: center; width: 30px; height: 30px;
  border-radius: 6px; border: 2px solid #fff; box-sizing: border-box;
  box-shadow: 0 0 4px rgba(0,0,0,.7); }
.wr-fac svg { width: 18px; height: 18px; fill: #fff; }
.wr-depot { background: #1f3b73; }
.wr-landfill { background: #5b4636; }
.wr-fac.wr-mini { display: inline-flex; width: 18px; height: 18px; border-width: 1px;
  border-radius: 3px; vertical-align: middle; }
.wr-fac.wr-mini svg { width: 11px; height: 11px; }
.wr-badge-pin { overflow: visible; }
.wr-leader { position: absolute; left: 0; top: 0; overflow: visible; pointer-events: none; }
.wr-leader line { stroke: #444; stroke-width: 1.3; stroke-dasharray: 3 2; }
.wr-badge { position: absolute; left: 26px; top: -9px; white-space: nowrap;
  background: rgba(255,255,255,.95); border: 1px solid #888; border-left: 5px solid #888;
  border-radius: 3px; padding: 1px 5px; font: 11px/15px sans-serif; }
.wr-overview:not(.wr-solo) .wr-badge-pin { display: none; }
.wr-legend, .wr-notice { background: rgba(255,255,255,.95); padding: 6px 9px; border-radius: 5px;
  box-shadow: 0 1px 5px rgba(0,0,0,.4); font: 12px/1.35 sans-serif; }
.wr-legend { width: max-content; max-width: min(640px, calc(100vw - 40px));
  max-height: calc(100vh - 150px); overflow: auto; }
.wr-legend-title { font-weight: bold; cursor: pointer; margin-bottom: 3px; }
.wr-help { color: #555; margin: 2px 0 4px; }
.wr-chips { display: grid; grid-template-columns: repeat(auto-fill, minmax(108px, 1fr));
  gap: 2px 4px; margin-bottom: 4px; width: min(580px, calc(100vw - 70px)); }
.wr-chip, .wr-all { font: 12px/1.3 sans-serif; text-align: left; white-space: nowrap;
  background: #fff; border: 1px solid #ccc; border-radius: 3px; padding: 1px 4px; cursor: pointer;
  color: #222; }
.wr-chip small { color: #555; }
.wr-chip:hover, .wr-chip:focus { border-color: #333; }
.wr-chip.wr-on { border-color: #000; background: #ffe9a8; font-weight: bold; }
.wr-all { margin-left: 6px; }
.wr-kpi { margin: 2px 0 4px; }
.wr-kpis { border-collapse: collapse; margin-bottom: 4px; }
.wr-kpis th, .wr-kpis td { padding: 1px 5px; text-align: right; }
.wr-kpis th:nth-child(2), .wr-kpis td:nth-child(2) { text-align: left; }
.wr-swatch { display: inline-block; width: 14px; height: 10px; border-radius: 2px;
  vertical-align: middle; margin-right: 3px; }
.wr-key { margin-right: 10px; white-space: nowrap; display: inline-block; }
.wr-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; background: #6e6e6e;
  vertical-align: middle; }
.wr-attrib { color: #555; margin-top: 3px; }
.wr-notice { background: #b00020; color: #fff; max-width: min(560px, 70vw); font-size: 13px; }
.wr-popup table { border-collapse: collapse; margin-top: 4px; }
.wr-popup th { text-align: left; padding: 1px 8px 1px 0; color: #555; font-weight: normal;
  vertical-align: top; }
.wr-popup td { padding: 1px 0; }
"""
