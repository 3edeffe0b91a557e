"""The analyst notebooks in ``notebooks/``: committed without outputs, and each one runs.

Every notebook is executed top to bottom in a fresh Jupyter kernel (nbclient, which comes with
nbmake) with ``WASTEROUTE_NB_FAST=1``: the notebooks read it in their parameter cell and stop
each search at a solution limit, so the four together take two or three minutes, not the full
budget an analyst would use. A failing cell fails the test with the cell's traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT_S = 600


def _read(path: Path):  # type: ignore[no-untyped-def]
    return nbformat.read(path, as_version=4)


def test_the_four_notebooks_are_there() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert names == ["01_daily_plan.ipynb", "02_what_if.ipynb", "03_solver_tuning.ipynb", "04_replan.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path: Path) -> None:
    """Outputs (maps are megabytes) and execution counts stay out of git; strip them before committing."""
    nb = _read(path)
    nbformat.validate(nb)
    dirty = [
        i for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or an execution count; clear them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_says_the_data_is_synthetic_and_has_a_fast_mode(path: Path) -> None:
    """Each notebook warns in markdown that the Kupang data is generated, gives the command for
    the real network, and has a parameter cell that CI can shrink."""
    nb = _read(path)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "SYNTHETIC" in markdown and "run_routes.py --download-network" in markdown
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and "WASTEROUTE_NB_FAST" in params[0].source


@pytest.fixture(scope="module")
def kernel_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home folder shared by the notebook kernels of this module.

    The Kupang scenario caches the parsed street network under ``~/.cache/wasteroute``: with a
    fresh home the tests neither write to the user's home nor pick up a network the user
    downloaded there, and the second and third notebooks reuse the first one's parse.
    """
    return tmp_path_factory.mktemp("kernel_home")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(path: Path, kernel_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WASTEROUTE_NB_FAST", "1")
    monkeypatch.setenv("HOME", str(kernel_home))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # The kernel runs with this interpreter (jupyter_client swaps "python" in the kernel spec for
    # sys.executable), so it imports the same wasteroute as the tests.
    nb = _read(path)
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
