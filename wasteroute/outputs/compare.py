"""Renderers for rounds as driven today: their findings, and the before/after with a plan.

``write_evaluation`` writes the rounds as a plan (plan.json, visits.csv, routes.geojson, maps)
with ``findings.csv`` and ``evaluation.txt``; ``write_comparison`` writes the before/after table
(``compare.txt``, ``compare.csv``), ``compare.html`` (both days on one map, one layer group each)
and ``compare.pdf`` (one page for the office). Text is Bahasa Indonesia unless ``language="en"``.
Renderers only: the figures come from :mod:`wasteroute.evaluate`.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

import folium
import pandas as pd

from ..evaluate import COMPARE_HEADERS, Evaluation, compare_table, format_compare, label
from ..solution import GENERATED_NOTICE, Solution, csv_safe_frame
from .maps.draw import (
    _OSM_ATTRIBUTION_HTML,
    OSM_ATTRIBUTION,
    _Attribution,
    _base_layers,
    _bounds,
    _Control,
    _facility_markers,
    _latlon,
    _new_map,
    _segments,
    _template_literal_safe,
)

log = logging.getLogger("wasteroute")

#: Line colours: today's rounds in warm red, the optimised plan in blue.
BEFORE_COLOUR, AFTER_COLOUR = "#d9480f", "#1c5bb8"

_WORDS = {
    "id": {"title": "Perbandingan rute: saat ini dan optimal", "before": "Rute saat ini",
           "after": "Rute optimal", "rules": "Pelanggaran aturan per jenis", "kind": "jenis",
           "note": ("Rute saat ini dihitung sepanjang jalan dalam urutan yang diberikan (tanpa diubah); "
                    "rute optimal dibuat oleh wasteroute untuk hari yang sama. Hemat % = bagian dari angka "
                    "saat ini yang dihemat (untuk titik dilayani: tambahan)."),
           "source": "Sumber rute saat ini", "none": "tidak ada", "streets": "Jalan"},
    "en": {"title": "Route comparison: today and optimised", "before": "Rounds today",
           "after": "Optimised plan", "rules": "Rules broken, by kind", "kind": "kind",
           "note": ("Today's rounds are driven along the streets in the order given (unchanged); the optimised "
                    "plan is made by wasteroute for the same day. Saving % = share of today's figure saved "
                    "(for points served: the share gained)."),
           "source": "Rounds from", "none": "none", "streets": "Streets"},
}


def write_evaluation(ev: Evaluation, out_dir: Path, *, maps: bool = True, language: str = "id") -> list[Path]:
    """Write the rounds as a plan and every broken rule into ``out_dir``; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sol = ev.solution
    written = [sol.to_json(out_dir / "plan.json"), sol.to_csv(out_dir / "visits.csv"),
               sol.to_geojson(out_dir / "routes.geojson")]
    findings = out_dir / "findings.csv"
    csv_safe_frame(ev.findings_frame()).to_csv(findings, index=False)
    report = out_dir / "evaluation.txt"
    notice = f"NOTICE: {GENERATED_NOTICE}\n\n" if sol.problem.synthetic_network else ""
    report.write_text(notice + ev.report(language=language) + "\n", encoding="utf-8")
    written += [findings, report]
    if maps:
        from .maps.draw import write_maps

        written += write_maps(sol, out_dir / "maps", language=language)
    return written


def write_comparison(ev: Evaluation, plan: Solution, out_dir: Path, *, language: str = "id") -> list[Path]:
    """Write the before/after table (text, CSV), the map of both and the one-page PDF."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = compare_table(ev, plan, language=language)
    text = format_compare(table, language=language)
    written = [out_dir / "compare.txt", out_dir / "compare.csv", out_dir / "compare.html", out_dir / "compare.pdf"]
    written[0].write_text(text + "\n", encoding="utf-8")
    csv_safe_frame(table.rename_axis("figure").reset_index()).to_csv(written[1], index=False)
    written[2].write_text(comparison_map(ev.solution, plan, language=language).get_root().render(),
                          encoding="utf-8")
    comparison_pdf(ev, plan, written[3], table=table, language=language)
    log.info("comparison written: table, map and PDF in %s", out_dir)
    return written


# ---------------------------------------------------------------------------- map
def comparison_map(before: Solution, after: Solution, *, language: str = "id",
                   m: folium.Map | None = None) -> folium.Map:
    """Both days on one map: today's rounds and the optimised plan, one layer group each.

    Parameters
    ----------
    before, after
        The rounds as a plan and the optimised plan, of the same day.
    language
        Layer names and legend in Bahasa Indonesia ("id") or English ("en").
    m
        Map to draw on; a new offline map is made when none is given.

    Returns
    -------
    folium.Map
        The map with the two layer groups, depot and landfill, a legend and the OSM attribution.
    """
    lang = "en" if language == "en" else "id"
    words = _WORDS[lang]
    routes = [*before.used_routes(), *after.used_routes()]
    bounds = _bounds(after, routes, with_unassigned=False)
    m = m if m is not None else _new_map(after, bounds, title=words["title"], legend_rows=2)
    base = after if after.graph is not None else before
    _base_layers(base, m, bounds, language=lang)
    for sol, name, colour in ((before, words["before"], BEFORE_COLOUR), (after, words["after"], AFTER_COLOUR)):
        f = sol.fleet_kpis()
        group = folium.FeatureGroup(name=html.escape(f"{name}: {f['trucks_used']} trucks, {f['km']} km")).add_to(m)
        for r in sol.used_routes():
            for seg in _segments(sol, r):
                tip = f"{name}: {r.vehicle.id}, {len(seg.visits) - 2 if seg.trip else 0} stops"
                folium.PolyLine(_latlon(seg.coords), color=colour, weight=3.5 if seg.trip else 2, opacity=0.75,
                                tooltip=_template_literal_safe(tip)).add_to(group)
    _facility_markers(after, after.used_routes(), m, language=lang)
    _Control(_legend(before, after, words), position="bottomleft", css_class="wr-legend").add_to(m)
    if after.problem.synthetic_network:
        _Control(f"<b>NOTICE</b> {html.escape(GENERATED_NOTICE)}", position="topleft",
                 css_class="wr-notice").add_to(m)
    _Attribution(_OSM_ATTRIBUTION_HTML).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _legend(before: Solution, after: Solution, words: dict[str, str]) -> str:
    rows = ""
    for sol, name, colour in ((before, words["before"], BEFORE_COLOUR), (after, words["after"], AFTER_COLOUR)):
        f = sol.fleet_kpis()
        rows += (f'<tr><td><span class="wr-swatch" style="background:{colour}"></span></td>'
                 f"<td>{html.escape(name)}</td><td>{f['trucks_used']}</td><td>{f['km']}</td>"
                 f"<td>{f['hours']}</td><td>{f['points_served']}</td></tr>")
    head = "<tr><th></th><th></th><th>truck</th><th>km</th><th>h</th><th>pts</th></tr>"
    title = html.escape(f"{words['title']} · {after.problem.date:%Y-%m-%d}")
    return (f'<details open><summary class="wr-legend-title">{title}</summary>'
            f'<table class="wr-kpis">{head}{rows}</table>'
            f'<div class="wr-attrib">{html.escape(words["streets"])}: {OSM_ATTRIBUTION}</div></details>')


# ---------------------------------------------------------------------------- PDF
def comparison_pdf(ev: Evaluation, plan: Solution, path: Path, *, table: pd.DataFrame | None = None,
                   language: str = "id") -> Path:
    """One A4 page for the office: the before/after table, rules broken by kind, and notes."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from .sheets.style import FONT, FONT_BOLD, MARGIN, register_fonts

    register_fonts()
    lang = "en" if language == "en" else "id"
    words = _WORDS[lang]
    table = table if table is not None else compare_table(ev, plan, language=lang)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=10)
    title = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=19)
    name = plan.meta.get("scenario") or ev.solution.meta.get("scenario") or "wasteroute"
    story = [Paragraph(_esc(f"{words['title']}: {name}, {plan.problem.date.isoformat()}"), title), Spacer(0, 4)]
    if plan.problem.synthetic_network:
        story.append(Paragraph(_esc("NOTICE: " + GENERATED_NOTICE), small))
    story += [Paragraph(_esc(f"{words['source']}: {Path(ev.source).name}"), body), Spacer(0, 8)]
    cells = [list(COMPARE_HEADERS[lang])]
    cells += [[r.label, _fmt(r.before), _fmt(r.after), _fmt(r.change, signed=True),
               "" if r.saving_pct is None or pd.isna(r.saving_pct) else f"{r.saving_pct:.1f}"]
              for r in table.itertuples()]
    story += [_table(cells, [62, 32, 32, 26, 24], colors, TableStyle, Table), Spacer(0, 10)]
    story.append(Paragraph(_esc(words["rules"]), ParagraphStyle("h", parent=body, fontName=FONT_BOLD)))
    story += [_table(_rule_rows(ev, plan, words, lang), [90, 44, 44], colors, TableStyle, Table), Spacer(0, 10)]
    story.append(Paragraph(_esc(words["note"]), small))
    story.append(Paragraph(_esc(f"Streets: {OSM_ATTRIBUTION}"), small))
    doc = SimpleDocTemplate(str(path), leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=words["title"], author="wasteroute", invariant=1)
    doc.build(story)
    return path


def _rule_rows(ev: Evaluation, plan: Solution, words: dict[str, str], lang: str) -> list[list[str]]:
    after = pd.Series([f.kind for f in plan.check()], dtype=object).value_counts().to_dict()
    before = ev.counts()
    kinds = [*before, *(k for k in after if k not in before)]
    rows = [[words["kind"], words["before"], words["after"]]]
    rows += [[label(k, lang), str(before.get(k, 0)), str(after.get(k, 0))] for k in kinds]
    return rows if kinds else [*rows, [words["none"], "0", "0"]]


def _table(cells, widths_mm, colors, TableStyle, Table):  # type: ignore[no-untyped-def]
    """A reportlab table of plain text cells, header row bold, numbers right-aligned."""
    from reportlab.lib.units import mm

    from .sheets.style import FONT, FONT_BOLD

    t = Table([[str(c) for c in row] for row in cells], colWidths=[w * mm for w in widths_mm])
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 9), ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f1f3f5")]),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return t


def _esc(text: str) -> str:
    """Text for a reportlab Paragraph (its mini-markup reads <, > and &)."""
    return html.escape(text, quote=False)


def _fmt(x: float, *, signed: bool = False) -> str:
    text = f"{x:+,.1f}" if signed else f"{x:,.1f}"
    return text[:-2] if text.endswith(".0") else text
