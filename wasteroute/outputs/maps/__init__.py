"""Folium maps of a day's plan that people can read, and that work with no internet connection.

``overview_map`` draws the whole fleet (one layer per truck), ``truck_map`` one truck's day
(one layer per landfill trip, with direction arrows), and ``write_maps`` writes both kinds
to HTML files, each self-contained (Leaflet, its images and the icons inline; the street
network as a base layer when the OpenStreetMap tiles cannot load). Words are Bahasa Indonesia
unless ``language="en"`` (the scenario's setting).

The entry points are named here and loaded from their module on first use, so the web pages,
which share :mod:`.text`, do not load folium.

| module | its job |
| --- | --- |
| :mod:`.draw` | the layers, markers, popups and legend, the page's offline assets, the files written |
| :mod:`.palette` | a colour per truck, unlike for trucks working side by side |
| :mod:`.browser` | the style sheet and our one script (stop numbers, landfill badges, the legend's trucks) |
| :mod:`.text` | the words in Bahasa Indonesia and English |
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .draw import (
        OSM_ATTRIBUTION,
        PALETTE,
        TRIP_DASHES,
        external_assets,
        overview_map,
        truck_colors,
        truck_map,
        write_maps,
    )

#: Each entry point and the module of this package that defines it.
_HOME = {name: "draw" for name in ("OSM_ATTRIBUTION", "PALETTE", "TRIP_DASHES", "external_assets",
                                   "overview_map", "truck_colors", "truck_map", "write_maps")}

__all__ = sorted(_HOME)


__getattr__, __dir__ = lazy_exports(__name__, _HOME)
