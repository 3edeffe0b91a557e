"""The web app's routes through FastAPI's TestClient (no browser, no network).

A copy of the Aguascalientes test scenario (real streets, generated points) is planned for
real in worker processes with a 2-second budget; one point is renamed to a script tag to
check that pages escape what they show. Browser tests are in ``test_web_browser.py``.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="needs the web extra: pip install 'wasteroute[web]'")
from fastapi.testclient import TestClient  # noqa: E402

from wasteroute import cli  # noqa: E402
from wasteroute.errors import InputError  # noqa: E402
from wasteroute.web import WebSettings, create_app  # noqa: E402
from wasteroute.web.db import INTERRUPTED, RUNNING, Store  # noqa: E402

DATA = Path(__file__).parent / "data"
HOSTILE = '<script>alert("x")</script>'
DAY = "2026-11-24"  # a Tuesday: the rounds file in tests/data/rounds is for it


def copy_scenario(root: Path) -> Path:
    """The Aguascalientes scenario under ``root`` (its OSM extract beside it), point AG-001 named HOSTILE."""
    shutil.copytree(DATA / "aguascalientes", root / "aguascalientes")
    (root / "osm").mkdir()
    shutil.copy(DATA / "osm" / "aguascalientes_mx.osm.bz2", root / "osm")
    points = root / "aguascalientes" / "points_generated.csv"
    rows = list(csv.DictReader(points.open(encoding="utf-8")))
    rows[0]["name"] = HOSTILE
    with points.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return root / "aguascalientes" / "scenario.toml"


def token(client: TestClient, page: str = "/plan") -> str:
    """The CSRF token of a page's forms (the client keeps the matching cookie)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found, f"no form token on {page}"
    return found.group(1)


def wait(client: TestClient, job_id: int, until: tuple[str, ...] = ("done", "failed", "cancelled"),
         *, stage: str | None = None) -> dict[str, Any]:
    """Poll the progress API until the job reaches a state (or stage); a guard, not a timing assert."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        state = client.get(f"/api/jobs/{job_id}").json()
        if state["status"] in until or (stage is not None and state["stage"] == stage):
            return state
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} stuck: {state}")


def plan(client: TestClient, **fields: Any) -> int:
    form = {"csrf_token": token(client), "date": DAY, "volume_factor": "1", "time_limit_s": "2",
            "language": "id", **fields}
    r = client.post("/plan", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> WebSettings:
    root = tmp_path_factory.mktemp("web")
    return WebSettings(scenario=copy_scenario(root), data_dir=root / "data")


@pytest.fixture(scope="module")
def client(settings: WebSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="module")
def plans(client: TestClient) -> tuple[int, int]:
    """Two plans of the day: all trucks, and DT-01 + DT-02 out; the second waits for the first."""
    first = plan(client)
    second = plan(client, unavailable=["DT-01", "DT-02"])
    queued = client.get(f"/api/jobs/{second}").json()
    assert queued["status"] == "queued" and queued["ahead"] == 1  # one solve at a time per scenario
    page = client.get(f"/jobs/{second}").text
    assert "Menunggu: 1 pekerjaan lain di depan" in page
    assert wait(client, first)["status"] == "done"
    assert wait(client, second)["status"] == "done"
    return first, second


# ---------------------------------------------------------------------- plan a day
def test_plan_form_defaults_and_trucks(client: TestClient, settings: WebSettings) -> None:
    page = client.get("/plan")
    assert page.status_code == 200
    assert "Buat rencana" in page.text and 'lang="id"' in page.text
    for truck in ("DT-01", "DT-02", "DT-03", "AR-01"):
        assert f'name="unavailable" value="{truck}"' in page.text
    assert re.search(r'name="date" value="\d{4}-\d\d-\d\d"', page.text)
    assert "cdn" not in page.text.lower() and "https://" not in page.text  # nothing from the internet
    assert client.get("/", follow_redirects=False).headers["location"] == "/plan"


def test_plan_runs_in_background_with_progress(client: TestClient, plans: tuple[int, int]) -> None:
    state = client.get(f"/api/jobs/{plans[0]}").json()
    assert state["status"] == "done" and state["stage"] == "done"
    assert state["found"] > 0 and state["best_cost"] >= 0
    assert state["result_url"] == f"/plans/{plans[0]}"
    assert state["search_note"].startswith("PyVRP search for about 2 s")  # 85 % of 2 s, then OR-Tools
    kpis = state["kpis"]
    assert kpis["date"] == DAY and kpis["trucks_used"] >= 1
    assert kpis["points_served"] + kpis["points_unassigned"] == kpis["points_due"]
    out = client.get(f"/api/jobs/{plans[1]}").json()
    assert out["settings"]["unavailable"] == ["DT-01", "DT-02"] and out["kpis"]["trucks_available"] == 2


def test_plan_form_rejects_bad_values(client: TestClient) -> None:
    for field, value, word in (("date", "tomorrow", "date"), ("volume_factor", "-1", "rainy-season factor"),
                               ("time_limit_s", "1e9", "search time"), ("unavailable", "XX-99", "XX-99")):
        form = {"csrf_token": token(client), "date": DAY, "volume_factor": "1", "time_limit_s": "2", field: value}
        r = client.post("/plan", data=form)
        assert r.status_code == 400 and word in r.text


def test_the_plan_page(client: TestClient, plans: tuple[int, int]) -> None:
    page = client.get(f"/plans/{plans[1]}")
    assert page.status_code == 200
    text = page.text
    kpis = client.get(f"/api/jobs/{plans[1]}").json()["kpis"]
    # unassigned points with their reasons come first, before the KPIs and the map
    assert text.index('id="unassigned"') < text.index('id="kpis"') < text.index('id="overview-map"')
    for pid in kpis["unassigned_ids"]:
        assert f"<td>{pid}</td>" in text
    assert f'data-kpi="km">{kpis["km"]}<' in text  # the plan's own figure
    assert f'src="/plans/{plans[1]}/files/maps/overview.html"' in text
    assert re.findall(r'data-tab="truck-\d+">([^<]+)<', text) == ["DT-03", "AR-01"]
    assert f"/plans/{plans[1]}/files/sheets/truck_DT-03.pdf" in text
    assert "DT-01" not in re.findall(r'data-tab="truck-\d+">([^<]+)<', text)


def test_pages_escape_what_they_show(client: TestClient, plans: tuple[int, int]) -> None:
    text = client.get(f"/plans/{plans[0]}").text
    assert HOSTILE not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text


def test_downloads(client: TestClient, plans: tuple[int, int]) -> None:
    base = f"/plans/{plans[0]}"
    sheet = client.get(f"{base}/files/sheets/truck_DT-01.pdf")
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    assert sheet.headers["content-type"] == "application/pdf"
    fleet = client.get(f"{base}/files/sheets/fleet.pdf")
    assert fleet.content.startswith(b"%PDF")
    overview = client.get(f"{base}/files/maps/overview.html")
    assert "default-src 'none'" in overview.headers["content-security-policy"]
    gpx = client.get(f"{base}/files/gpx/truck_DT-01.gpx")
    assert gpx.status_code == 200 and "attachment" in gpx.headers["content-disposition"]
    archive = client.get(f"{base}/all.zip")
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    for name in ("plan.json", "visits.csv", "routes.geojson", "gpx/truck_DT-01.gpx", "sheets/fleet.pdf"):
        assert f"{DAY}/{name}" in names


def test_downloads_only_from_the_plan_folder(client: TestClient, plans: tuple[int, int],
                                             settings: WebSettings) -> None:
    base = f"/plans/{plans[0]}/files"
    (settings.data_dir / "plans" / "outside.csv").write_text("not-for-download", encoding="utf-8")
    key = settings.secret_key()
    for rel in ("../outside.csv", "..%2Foutside.csv", "%2e%2e/%2e%2e/secret.key", "../../wasteroute.db",
                "/etc/passwd", "maps/../../outside.csv", "nothing.pdf"):
        r = client.get(f"{base}/{rel}")
        assert r.status_code in (404, 422) and "not-for-download" not in r.text and key not in r.text, rel
    link = settings.data_dir / "plans" / str(plans[0]) / "link.csv"
    link.symlink_to(settings.data_dir / "plans" / "outside.csv")
    assert client.get(f"{base}/link.csv").status_code == 404
    link.unlink()
    assert client.get("/plans/999/files/plan.json").status_code == 404


def test_cancel_a_running_plan(client: TestClient, settings: WebSettings) -> None:
    job = plan(client, time_limit_s="600")
    wait(client, job, stage="search")
    r = client.post(f"/jobs/{job}/cancel", data={"csrf_token": token(client)}, follow_redirects=False)
    assert r.status_code == 303
    state = wait(client, job)
    assert state["status"] == "cancelled"
    assert not (settings.data_dir / "plans" / str(job)).exists()
    assert not list((settings.data_dir / "plans").glob(f".{job}.tmp-*"))


def test_cancel_a_queued_plan(client: TestClient) -> None:
    running = plan(client, time_limit_s="600")
    queued = plan(client)
    assert client.get(f"/api/jobs/{queued}").json()["status"] == "queued"
    client.post(f"/jobs/{queued}/cancel", data={"csrf_token": token(client)})
    assert client.get(f"/api/jobs/{queued}").json()["status"] == "cancelled"
    client.post(f"/jobs/{running}/cancel", data={"csrf_token": token(client)})
    assert wait(client, running)["status"] == "cancelled"


# ---------------------------------------------------------------------- history
def test_history_compare_delete(client: TestClient, plans: tuple[int, int], settings: WebSettings) -> None:
    page = client.get("/history").text
    assert f'id="history-{plans[0]}"' in page and f'id="history-{plans[1]}"' in page
    assert "DT-01, DT-02" in page  # the settings of the second plan
    cmp = client.get(f"/compare?a={plans[0]}&b={plans[1]}")
    assert cmp.status_code == 200
    ka, kb = (client.get(f"/api/jobs/{p}").json()["kpis"] for p in plans)
    row = re.search(r'<tr data-key="km"><td>km</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>', cmp.text)
    assert row and (float(row.group(1)), float(row.group(2))) == (ka["km"], kb["km"])
    assert float(row.group(3)) == pytest.approx(kb["km"] - ka["km"])
    assert client.get(f"/compare?a={plans[0]}&b=999").status_code == 404
    extra = plan(client)
    wait(client, extra)
    r = client.post(f"/plans/{extra}/delete", data={"csrf_token": token(client)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get(f"/plans/{extra}").status_code == 404
    assert not (settings.data_dir / "plans" / str(extra)).exists()
    assert f'id="history-{extra}"' not in client.get("/history").text


def test_restart_keeps_plans_and_marks_interrupted(client: TestClient, plans: tuple[int, int],
                                                   settings: WebSettings) -> None:
    store = Store(settings.db_url)
    left = store.add(kind="plan", scenario=str(settings.scenario), plan_date=DAY, settings={})
    store.update(left.id, status=RUNNING)
    store.close()
    with TestClient(create_app(settings)) as again:  # a second server on the same data
        assert again.get(f"/api/jobs/{left.id}").json()["status"] == INTERRUPTED
        assert again.get(f"/plans/{plans[0]}").status_code == 200
        assert f'id="history-{plans[0]}"' in again.get("/history").text


# ---------------------------------------------------------------------- data
def test_points_upload_bad_file_changes_nothing(client: TestClient, settings: WebSettings) -> None:
    before = WebSettings_points(settings).read_bytes()
    bad = (DATA / "bad" / "points_many_errors.csv").read_bytes()
    r = client.post("/data", data={"csrf_token": token(client, "/data")},
                    files={"file": ("../../evil name.csv", bad, "text/csv")})
    assert r.status_code == 400
    assert 'id="upload-errors"' in r.text and re.search(r"<li>row \d+ \(id [^)]*\): ", r.text)
    assert WebSettings_points(settings).read_bytes() == before
    assert not (settings.data_dir / "evil name.csv").exists()


def test_points_upload_type_and_size_limits(client: TestClient, settings: WebSettings) -> None:
    before = WebSettings_points(settings).read_bytes()
    cases = [("points.txt", b"id,name\n", "is not accepted"), ("points.xlsx", b"id,name\n", "not an Excel workbook"),
             ("points.csv", b"\x00\x01\x02", "not text"), ("points.csv", b"", "empty")]
    for name, data, word in cases:
        r = client.post("/data", data={"csrf_token": token(client, "/data")}, files={"file": (name, data)})
        assert r.status_code == 400 and word in r.text, name
    huge = b"x" * (settings.max_upload_bytes + 200_000)
    r = client.post("/data", data={"csrf_token": token(client, "/data")}, files={"file": ("p.csv", huge)})
    assert r.status_code == 413
    assert WebSettings_points(settings).read_bytes() == before


def test_points_upload_xlsx_replaces_the_file(client: TestClient, settings: WebSettings) -> None:
    import openpyxl

    path = WebSettings_points(settings)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append([_number(v) for v in row])
    buf = io.BytesIO()
    book.save(buf)
    r = client.post("/data", data={"csrf_token": token(client, "/data")},
                    files={"file": ("punten.xlsx", buf.getvalue())})
    assert r.status_code == 200 and f"{len(rows) - 1} titik" in r.text
    got = list(csv.reader(path.open(encoding="utf-8")))
    assert [g[0] for g in got] == [row[0] for row in rows]
    assert list((settings.data_dir / "points_history").iterdir())  # the previous file is kept
    download = client.get("/data/points")
    assert download.status_code == 200 and download.content == path.read_bytes()


def WebSettings_points(settings: WebSettings) -> Path:  # noqa: N802 - reads like the setting it follows
    return settings.scenario.parent / "points_generated.csv"


def _number(text: str) -> Any:
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text


# ---------------------------------------------------------------------- evaluate rounds
def test_evaluate_rounds(client: TestClient, plans: tuple[int, int]) -> None:
    rounds = (DATA / "rounds" / "aguascalientes_broken.csv").read_bytes()
    r = client.post("/evaluate", data={"csrf_token": token(client, "/evaluate"), "date": DAY,
                                       "compare": str(plans[0]), "language": "en"},
                    files={"file": ("today.csv", rounds, "text/csv")}, follow_redirects=False)
    assert r.status_code == 303
    job = int(r.headers["location"].rsplit("/", 1)[1])
    state = wait(client, job)
    assert state["status"] == "done" and state["kpis"]["findings"] > 0
    page = client.get(f"/evaluations/{job}")
    assert page.status_code == 200 and 'id="findings"' in page.text and "AG-015" in page.text
    assert 'id="comparison"' in page.text  # beside the plan of the day from the history
    pdf = re.search(r'href="(/plans/\d+/files/[\d-]+/compare/compare.pdf)"', page.text)
    assert pdf and client.get(pdf.group(1)).content.startswith(b"%PDF")
    other_day = client.post("/evaluate", data={"csrf_token": token(client, "/evaluate"), "date": "2026-11-25",
                                               "compare": str(plans[0])}, files={"file": ("r.csv", rounds)})
    assert other_day.status_code == 400 and "not a finished plan of 2026-11-25" in other_day.text
    bad = client.post("/evaluate", data={"csrf_token": token(client, "/evaluate"), "date": DAY},
                      files={"file": ("today.xlsx", rounds)})
    assert bad.status_code == 400


# ---------------------------------------------------------------------- security, language
def test_every_form_needs_its_csrf_token(client: TestClient, plans: tuple[int, int]) -> None:
    posts = [("/plan", {"date": DAY}), ("/data", {}), ("/evaluate", {}), (f"/plans/{plans[0]}/delete", {}),
             (f"/jobs/{plans[0]}/cancel", {}), ("/lang", {"lang": "en"}), ("/login", {"token": "x"})]
    for path, form in posts:
        assert client.post(path, data=form).status_code == 403, path
        assert client.post(path, data={**form, "csrf_token": "forged.value.sig"}).status_code == 403, path
    other = TestClient(client.app)  # another browser: its cookie does not match this token
    assert other.post("/lang", data={"lang": "en", "csrf_token": token(client)}).status_code == 403
    assert client.get(f"/plans/{plans[0]}").status_code == 200  # nothing was deleted


def test_language_switch(client: TestClient) -> None:
    r = client.post("/lang", data={"csrf_token": token(client), "lang": "en", "next": "/history"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/history"
    page = client.get("/plan").text
    assert "Make the plan" in page and 'lang="en"' in page
    r = client.post("/lang", data={"csrf_token": token(client), "lang": "id", "next": "//evil.example/"},
                    follow_redirects=False)
    assert r.headers["location"] == "/"
    assert "Buat rencana" in client.get("/plan").text


def test_security_headers(client: TestClient) -> None:
    r = client.get("/plan")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/app.css").status_code == 200


def test_password_when_set(settings: WebSettings) -> None:
    locked = settings.replace(token="kupang-2026")
    with TestClient(create_app(locked)) as c:
        assert c.get("/plan", follow_redirects=False).headers["location"] == "/login"
        assert c.get("/api/jobs/1").status_code == 401
        tok = token(c, "/login")
        assert c.post("/login", data={"csrf_token": tok, "token": "wrong"}).status_code == 401
        r = c.post("/login", data={"csrf_token": tok, "token": "kupang-2026"}, follow_redirects=False)
        assert r.status_code == 303
        assert c.get("/plan").status_code == 200


def test_non_loopback_needs_a_password(settings: WebSettings, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InputError, match="needs a password"):
        settings.replace(host="0.0.0.0").check_exposure()
    settings.replace(host="0.0.0.0", token="x").check_exposure()
    settings.replace(host="::1").check_exposure()
    code = cli.main(["serve", "--host", "192.168.1.10", "--scenario", str(settings.scenario)])
    assert code == 2 and "needs a password" in capsys.readouterr().err


def test_settings_file(tmp_path: Path) -> None:
    (tmp_path / "web.toml").write_text('data_dir = "d"\ntoken = "t"\nmax_upload_mb = 2\n', encoding="utf-8")
    s = WebSettings.load(tmp_path / "web.toml", port=9000)
    assert (s.data_dir, s.token, s.max_upload_bytes, s.port) == (tmp_path / "d", "t", 2 * 1024 * 1024, 9000)
    assert s.db_url == f"sqlite:///{tmp_path / 'd' / 'wasteroute.db'}"
    (tmp_path / "bad.toml").write_text('passwd = "t"\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown setting.*passwd"):
        WebSettings.load(tmp_path / "bad.toml")


# ---------------------------------------------------------------------- re-plan, week
def test_replan_with_a_broken_truck_and_a_complaint(client: TestClient, plans: tuple[int, int]) -> None:
    form = client.get("/replan").text
    assert f'<option value="{plans[0]}">' in form
    complaints = ("# generated for this test\nid,point,latest,priority\nQ-1,AG-003,11:30,tinggi\n").encode()
    fields = {"csrf_token": token(client, "/replan"), "plan": str(plans[0]), "at": "07:30", "broken": "DT-02",
              "time_limit_s": "2", "language": "en"}
    r = client.post("/replan", data=fields, files={"complaints": ("keluhan.csv", complaints, "text/csv")},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    job = int(r.headers["location"].rsplit("/", 1)[1])
    state = wait(client, job)
    assert state["status"] == "done", state["message"]
    kpis = state["kpis"]
    assert kpis["folder"] == "replan-0730" and kpis["broken"] == ["DT-02"] and kpis["added"] == ["Q-1"]
    assert kpis["changed_trucks"] and "DT-02" not in kpis["changed_trucks"]  # its stops went to the others
    page = client.get(f"/plans/{job}")
    assert page.status_code == 200 and 'id="replan-report"' in page.text and "DT-02" in page.text
    assert "07:30" in page.text
    sheet = re.search(r'href="(/plans/\d+/files/replan-0730/sheets/[^"]+\.pdf)"', page.text)
    assert sheet and client.get(sheet.group(1)).content.startswith(b"%PDF")
    bad = b"id,point,latest,priority\nQ-1,AG-003,half past,urgent\n"
    r = client.post("/replan", data={**fields, "csrf_token": token(client, "/replan")},
                    files={"complaints": ("k.csv", bad, "text/csv")})
    assert r.status_code == 400 and "row 2" in r.text and "the complaints file" in r.text
    r = client.post("/replan", data={**fields, "csrf_token": token(client, "/replan"), "at": "25:00"})
    assert r.status_code == 400 and "HH:MM" in r.text


def test_week_summary_and_boards(client: TestClient) -> None:
    form = client.get("/week").text
    assert re.search(r'name="date" value="(\d{4}-\d\d-\d\d)"', form)
    fields = {"csrf_token": token(client, "/week"), "date": "2026-11-30", "volume_factor": "1", "time_limit_s": "1",
              "closed": "2", "language": "id"}
    r = client.post("/week", data=fields, follow_redirects=False)
    assert r.status_code == 303, r.text
    job = int(r.headers["location"].rsplit("/", 1)[1])
    state = wait(client, job)
    assert state["status"] == "done", state["message"]
    page = client.get(f"/weeks/{job}")
    assert page.status_code == 200
    assert 'id="week-day-2026-12-02"' in page.text and 'href="/weeks/' + str(job) + '/days/2026-12-02"' not in page.text
    day = client.get(f"/weeks/{job}/days/2026-11-30")
    assert day.status_code == 200 and 'id="overview-map"' in day.text
    assert client.get(f"/plans/{job}/files/boards/boards.pdf").content.startswith(b"%PDF")
    assert client.get(f"/weeks/{job}/days/2026-12-02").status_code == 404  # the landfill is closed that day
    assert f'id="history-{job}"' in client.get("/history").text
    r = client.post("/week", data={**fields, "csrf_token": token(client, "/week"), "date": "2026-12-01"})
    assert r.status_code == 400 and "Monday" in r.text


def test_points_upload_checks_the_scenarios_kinds_and_facility_ids(client: TestClient,
                                                                    settings: WebSettings) -> None:
    """A kind the scenario does not know, and a point named like the depot, are row errors."""
    before = WebSettings_points(settings).read_bytes()
    rows = list(csv.DictReader(io.StringIO(before.decode("utf-8"))))
    rows[1]["kind"] = "dumpster"
    rows[2]["id"] = "DEPOT"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    r = client.post("/data", data={"csrf_token": token(client, "/data")},
                    files={"file": ("p.csv", out.getvalue().encode())})
    assert r.status_code == 400 and "dumpster" in r.text
    assert WebSettings_points(settings).read_bytes() == before
    rows[1]["kind"] = "bak"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    r = client.post("/data", data={"csrf_token": token(client, "/data")},
                    files={"file": ("p.csv", out.getvalue().encode())})
    assert r.status_code == 400 and "id DEPOT" in r.text and "depot" in r.text
    assert WebSettings_points(settings).read_bytes() == before


def test_the_generated_network_notice_is_shown_in_the_page_language() -> None:
    from wasteroute.solution import GENERATED_NOTICE
    from wasteroute.web.render import notice_text

    assert "SINTETIS" in notice_text(GENERATED_NOTICE, "id")
    assert notice_text(GENERATED_NOTICE, "en") == GENERATED_NOTICE
    assert notice_text("Something else", "id") == "Something else"  # other notices as written
