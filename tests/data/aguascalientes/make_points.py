"""Regenerate the GENERATED test collection points on the real Aguascalientes OSM extract.

Seeded (seed 7): 40 points at the positions of random street nodes of the real extract
(offset ~10 m), 6 steel containers and 34 bak/roadside points with volumes that need
several landfill trips. Run from the repository root:

    python tests/data/aguascalientes/make_points.py
"""

from pathlib import Path

import numpy as np
import pandas as pd

from wasteroute.network import graph_from_file

HERE = Path(__file__).resolve().parent


def main() -> None:
    graph = graph_from_file(HERE.parent / "osm" / "aguascalientes_mx.osm.bz2")
    rng = np.random.default_rng(7)
    nodes = sorted(n for n, d in graph.nodes(data=True)
                   if -102.279 < d["x"] < -102.2635 and 21.8626 < d["y"] < 21.8752)
    pick = rng.choice(len(nodes), 40, replace=False)
    rows = []
    for i, k in enumerate(sorted(pick)):
        d = graph.nodes[nodes[k]]
        kind = "container" if i % 7 == 3 else ("bak" if i % 2 else "roadside")
        vol = rng.uniform(3.0, 5.5) if kind == "container" else rng.uniform(0.4, 2.2)
        rows.append({
            "id": f"AG-{i + 1:03d}",
            "name": f"{'Kontainer' if kind == 'container' else 'TPS'} uji {i + 1}",
            "kelurahan": "Centro", "kecamatan": "Aguascalientes",
            "lon": round(d["x"] + rng.uniform(-1e-4, 1e-4), 6),
            "lat": round(d["y"] + rng.uniform(-1e-4, 1e-4), 6),
            "kind": kind, "volume_m3": round(vol, 2), "service_s": "",
            "ready_from": "05:30" if i % 5 == 0 else "05:00",
            "latest": "08:00" if i % 9 == 0 else "",
            "days": "mon,wed,fri" if i % 13 == 5 else "daily",
        })
    pd.DataFrame(rows).to_csv(HERE / "points_generated.csv", index=False)


if __name__ == "__main__":
    main()
