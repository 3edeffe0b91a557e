"""Printed driver sheets: one A4 PDF per truck and one for the whole fleet.

Each truck's sheet holds a header (date, truck, shift, loads, lines for the crew's names),
a map of the route drawn offline from the road graph, the stops in order with explicit
"→ TPA Alak (buang)" rows and the break, turn-by-turn directions per leg, and footer
totals with the OpenStreetMap attribution. Long routes flow onto more pages with the header
repeated on each. Texts are in Bahasa Indonesia (``language="id"``, the default) or English
(``"en"``).

Sheets are built from a :class:`~wasteroute.solution.Solution` alone: nothing is solved and
nothing is downloaded. The fonts are the DejaVu fonts shipped inside matplotlib (they cover
m³, → and Indonesian text). The map is drawn by matplotlib from the road graph, so no map
tiles are needed.

The entry points are named here (:func:`write_sheets`, :class:`SheetJob`, :func:`sheet_pdf`,
:func:`route_map`, ...). Each is loaded from its module on first use, so the maps and boards,
which share :mod:`.text` and :mod:`.style`, do not load the page layout and its libraries.

| module | its job |
| --- | --- |
| :mod:`.write` | a truck's pages put together; the files written, on several cores |
| :mod:`.doc` | what every page carries (header, notice, footer, page numbers), styles, layout |
| :mod:`.tables` | the stop table and the fleet cover |
| :mod:`.directions` | the directions pages: each leg's turn-by-turn steps in two columns |
| :mod:`.columns` | flowables: blocks in two balanced columns, blocks that never split |
| :mod:`.map` | the route map, drawn offline by matplotlib |
| :mod:`.map_pdf` | the route map on a PDF page: JPEG, vector labels, legend |
| :mod:`.marks` | what a map draws of the route: legs, numbered stops, depot and landfill |
| :mod:`.streets` | the street layer of a map: lines by class, street names |
| :mod:`.view` | the frame of a map: a window in local metres, and the text placed on it |
| :mod:`.rows` | a route as the sheet lists it: the stop table's rows and each visit's trip |
| :mod:`.text` | the words (Bahasa Indonesia, English) and how numbers, dates and names are written |
| :mod:`.style` | page geometry, fonts and colours |
| :mod:`.pool` | one job per item on several cores (forked workers sharing the parent's data) |
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .map import map_image, map_png, route_map
    from .rows import SheetRow, arrival_time, sheet_rows
    from .text import display_name
    from .write import SheetJob, sheet_pdf, write_sheets

#: Each entry point and the module of this package that defines it.
_HOME = {
    "SheetJob": "write",
    "sheet_pdf": "write",
    "write_sheets": "write",
    "map_image": "map",
    "map_png": "map",
    "route_map": "map",
    "SheetRow": "rows",
    "arrival_time": "rows",
    "sheet_rows": "rows",
    "display_name": "text",
}

__all__ = sorted(_HOME)


__getattr__, __dir__ = lazy_exports(__name__, _HOME)
