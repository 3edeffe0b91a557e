"""Write ``<results>.md`` from the results CSV: a summary per set and solver, then every row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

NOTES = """\
Conventions: Solomon = total distance, DIMACS truncation, vehicles free (BKS from the `.sol` files);
mtvrptwr = distance x10, DIMACS, fixed fleet; X = rounded Euclidean, vehicles free; Kim = miles
(Manhattan on feet), vehicles first. **Kim "best known" = Kim et al. (2006) Table 3 values as
transcribed by a third party, unverified against the paper, not a BKS.** PyVRP cannot model the
Kim lunch break, route capacity per day or max stops (relaxed; the final landfill visit is added
after solving), so its Kim rows are checked under the full rules and usually fail them. VROOM is
run only where it fits (no reloads: not Kim, not mtvrptwr). `feasible` = the independent checker
(and `Solution.validate` for wasteroute) found no violation. Mean gaps count feasible rows only.
Solver labels: `wasteroute` rows of the first run are the v1 model; `-v1`/`-v2`/`-v3`, `-v3-nearest[-lci]`,
`-v4` (the current model: release dates hold, Kim by the fewest-trucks search, days over 1500 points
by area), `-v4-areas`/`-v4-whole` (by area from 500 points / never) and `+pyvrp-warm` (PyVRP half the
budget, then ours from its routes) are described in `benchmarks/README.md`. mtvrptwr rows before v4
that fail `Solution.validate` on release dates were a model bug (fixed in v4). Timings were taken on
a 2-core machine shared with other work.
"""


def write_report(csv_path: Path) -> Path:
    """Write the markdown table next to ``csv_path`` and return its path."""
    df = pd.read_csv(csv_path)
    df["gap_ok"] = df["gap_pct"].where(df["feasible"].astype(str) == "True")
    summary = df.groupby(["set", "solver", "budget_s"]).agg(
        runs=("instance", "count"), feasible=("feasible", lambda s: int((s.astype(str) == "True").sum())),
        mean_gap_pct=("gap_ok", "mean"), mean_seconds=("seconds", "mean"),
    ).round(2).reset_index()
    md = csv_path.with_suffix(".md")
    cols = ["instance", "set", "solver", "budget_s", "vehicles", "objective", "best_known",
            "best_known_vehicles", "gap_pct", "feasible", "seconds", "notes"]
    text = [f"# Solution quality, {csv_path.stem}", "", NOTES, "## Summary", "",
            _md(summary), "", "## All runs", "",
            _md(df[cols].fillna("")), ""]
    md.write_text("\n".join(text))
    return md


def _md(df: pd.DataFrame) -> str:
    """A GitHub markdown table (no ``tabulate`` dependency)."""
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    rule = "|" + "---|" * len(df.columns)
    rows = ["| " + " | ".join(str(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, rule, *rows])
