"""Write ``town.osm``: a HAND-MADE street plan (not real data) for the truck-restriction tests.

Run once (``python tests/data/restricted_town/make_town.py``); the output is committed.

A 4 x 3 grid of residential streets about 110 m apart near Kupang (columns Gang 0-3, rows
Jalan A-C). East of the grid a river: the only way to the island (Jalan Pulau) is the bridge
"Jembatan Kecil" with ``maxweight=7``. Gang 1 between Jalan A and Jalan B passes a low railway
underpass (``maxheight=3.0``): a 3.2 m truck drives around it.
"""

from pathlib import Path

LON0, LAT0, STEP = 123.6000, -10.1700, 0.001


def node(i: int, x: float, y: float) -> str:
    return f'  <node id="{i}" version="1" lat="{LAT0 + y * STEP:.6f}" lon="{LON0 + x * STEP:.6f}"/>'


def way(i: int, refs: list[int], tags: dict[str, str]) -> str:
    nds = "".join(f'\n    <nd ref="{r}"/>' for r in refs)
    tg = "".join(f'\n    <tag k="{k}" v="{v}"/>' for k, v in tags.items())
    return f'  <way id="{i}" version="1">{nds}{tg}\n  </way>'


def main() -> None:
    grid = {(x, y): 100 + 10 * x + y for x in range(4) for y in range(3)}
    nodes = [node(n, x, y) for (x, y), n in grid.items()]
    nodes += [node(201, 4, 1), node(301, 5, 1), node(300, 5, 0), node(302, 5, 2), node(311, 6, 1)]
    nodes += [node(150, 1, 0.5)]  # the underpass, on Gang 1
    ways = []
    for y, name in enumerate(("Jalan A", "Jalan B", "Jalan C")):
        ways.append(way(1000 + y, [grid[(x, y)] for x in range(4)], {"highway": "residential", "name": name}))
    for x in range(4):
        if x == 1:
            ways.append(way(1101, [grid[(1, 0)], 150, grid[(1, 1)]],
                            {"highway": "residential", "name": "Gang 1", "maxheight": "3.0", "tunnel": "yes"}))
            ways.append(way(1111, [grid[(1, 1)], grid[(1, 2)]], {"highway": "residential", "name": "Gang 1"}))
            continue
        ways.append(way(1100 + x, [grid[(x, y)] for y in range(3)], {"highway": "residential", "name": f"Gang {x}"}))
    ways.append(way(1200, [grid[(3, 1)], 201, 301],
                    {"highway": "residential", "name": "Jembatan Kecil", "bridge": "yes", "maxweight": "7"}))
    ways.append(way(1201, [300, 301, 302], {"highway": "residential", "name": "Jalan Pulau"}))
    ways.append(way(1202, [301, 311], {"highway": "residential", "name": "Jalan Pulau Timur"}))
    text = "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!-- HAND-MADE test street plan for wasteroute (make_town.py), not real data. -->",
        '<osm version="0.6" generator="hand-made for wasteroute tests">',
        *nodes, *ways, "</osm>", "",
    ])
    Path(__file__).with_name("town.osm").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
