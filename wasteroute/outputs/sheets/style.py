"""The look shared by the driver sheets and their maps: page geometry, fonts and colours."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

ATTRIBUTION = "© OpenStreetMap contributors"

#: A4 pages; the header, the notice band (synthetic streets only) and the footer are drawn on
#: every truck page around the frame that holds the content.
PAGE_W, PAGE_H = A4
MARGIN = 12 * mm
HEADER_H = 24 * mm
NOTICE_H = 10 * mm
FOOTER_H = 13 * mm
CONTENT_W = PAGE_W - 2 * MARGIN

#: matplotlib's DejaVu fonts: they cover m³, → and Indonesian text.
FONT, FONT_BOLD, FONT_ITALIC = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"

TRIP_COLOURS = ("#1c5bb8", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#0b7285")
RETURN_COLOUR = "#444444"
DEPOT_COLOUR, LANDFILL_COLOUR = "#111111", "#c92a2a"


def register_fonts() -> None:
    """Register matplotlib's DejaVu Sans with reportlab (once); nothing is downloaded."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name, file in (
        (FONT, "DejaVuSans.ttf"),
        (FONT_BOLD, "DejaVuSans-Bold.ttf"),
        (FONT_ITALIC, "DejaVuSans-Oblique.ttf"),
        ("DejaVuSans-BoldOblique", "DejaVuSans-BoldOblique.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic="DejaVuSans-BoldOblique"
    )


def trip_colour(trip: int) -> str:
    """The colour of a trip's lines (1-based); trip 0 is the drive back to the depot."""
    return RETURN_COLOUR if trip == 0 else TRIP_COLOURS[(trip - 1) % len(TRIP_COLOURS)]
