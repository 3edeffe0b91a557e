"""Uploaded files: read within a size limit, recognised by content, checked before use.

An upload's own file name only tells CSV from XLSX; it is never used as a path. A points file
is checked exactly as ``run_routes.py --check-points`` checks it (every bad row at once), plus
the scenario's own rule that no point may take a facility's id, and replaces the scenario's
file only when it is valid: written beside the target, then renamed over it in one step, the
previous file kept in ``data_dir/points_history/``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import InputError

XLSX_MAGIC = b"PK\x03\x04"
#: Rows accepted in an uploaded spreadsheet (a city has hundreds of points, not millions).
MAX_ROWS = 50_000


def kind_of(filename: str, data: bytes, allowed: tuple[str, ...]) -> str:
    """``"csv"`` or ``"xlsx"``, from the name's suffix and checked against the content.

    Raises
    ------
    InputError
        If the type is not allowed, or the content is not what the name says.
    """
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise InputError(f"file type .{suffix or '?'} is not accepted here; upload a {' or '.join(allowed).upper()} file")
    if suffix == "xlsx" and not data.startswith(XLSX_MAGIC):
        raise InputError("this .xlsx file is not an Excel workbook; save it again as .xlsx (Excel 2007 or later)")
    if suffix == "csv":
        if data.startswith(XLSX_MAGIC) or b"\x00" in data[:4096]:
            raise InputError("this .csv file is not text; save it as CSV (UTF-8)")
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"this .csv file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None
    if not data.strip():
        raise InputError("the file is empty")
    return suffix


def xlsx_to_csv(data: bytes) -> str:
    """The first sheet of a workbook as CSV text: first row the header, cells as shown.

    Raises
    ------
    InputError
        If the workbook cannot be read or has too many rows.
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise InputError(f"the workbook cannot be read ({type(exc).__name__}); save it again as .xlsx") from None
    sheet = book.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for i, row in enumerate(sheet.iter_rows(values_only=True)):
        if i > MAX_ROWS:
            raise InputError(f"the workbook has more than {MAX_ROWS} rows; split it or remove empty rows")
        cells = [_cell(v) for v in row]
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            writer.writerow(cells)
    book.close()
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%H:%M") if value.date() == dt.date(1899, 12, 30) else value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def check_points_file(path: Path, scenario: Any) -> int:
    """``--check-points``'s check (with the scenario's point kinds) plus the facility-id rule; the number of points.

    Raises
    ------
    InputError
        Listing every bad row.
    """
    from ..newcity import check_points
    from ..scenario import _check_point_ids
    from ..stops import read_points

    n = check_points(path, scenario.kinds)  # the scenario's own point kinds, as --check-points --scenario
    _check_point_ids(read_points(path, service=scenario.service, kinds=scenario.kinds), scenario.facilities, path)
    return n


def replace_points(data: bytes, filename: str, scenario: Any, data_dir: Path) -> int:
    """Check an uploaded points file and, if valid, make it the scenario's points file.

    Raises
    ------
    InputError
        If the file is of the wrong type or any row is bad; nothing is replaced then.
    """
    target = Path(scenario.points_file)
    if target.suffix.lower() != ".csv":
        raise InputError(f"the scenario's points file {target.name} is not CSV; uploads replace CSV files only")
    kind = kind_of(filename, data, ("csv", "xlsx"))
    text = xlsx_to_csv(data) if kind == "xlsx" else data.decode("utf-8-sig")
    with tempfile.TemporaryDirectory(dir=_made(data_dir / "uploads")) as tmp:
        candidate = Path(tmp) / "points.csv"  # a fixed name: the upload's name is never a path
        candidate.write_text(text, encoding="utf-8")
        try:
            n = check_points_file(candidate, scenario)
        except InputError as exc:  # name the upload, not the temporary copy
            head, where = str(exc).splitlines()[0], str(candidate)
            raise InputError(head.replace(where, "the uploaded file"),
                             [p.replace(where, "the uploaded file") for p in exc.problems]) from None
        beside = target.parent / f".{target.name}.upload-{secrets.token_hex(4)}"
        shutil.copyfile(candidate, beside)
    try:
        if target.is_file():
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
            shutil.copy2(target, _made(data_dir / "points_history") / f"{stamp}-{secrets.token_hex(3)}.csv")
        os.replace(beside, target)
    finally:
        beside.unlink(missing_ok=True)
    return n


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
