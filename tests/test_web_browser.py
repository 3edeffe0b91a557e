"""The web app end to end in a real headless Chromium (Debian's chromium + chromium-driver, Selenium).

The test starts ``run_routes.py serve`` on 127.0.0.1 on a free port (uvicorn), drives the pages
as a planner would, stops the server, starts it again and finds the plan in the history. The
browser reaches nothing but that server: every other request goes to a dead proxy, so the map
tiles fail (and are the only failed requests allowed in the browser's log).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_web import DATA, DAY, copy_scenario

webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (the test extra)")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(DRIVER).exists()), reason="needs Debian's chromium and chromium-driver")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``run_routes.py serve`` in a child process, started and stopped by the test."""

    def __init__(self, scenario: Path, data_dir: Path, log: Path) -> None:
        self.scenario, self.data_dir, self.log = scenario, data_dir, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, str(ROOT / "run_routes.py"), "serve", "--scenario", str(self.scenario),
               "--port", str(port), "--data-dir", str(self.data_dir)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(encoding="utf-8", errors="replace")
            try:
                with urllib.request.urlopen(f"{self.url}/login", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise AssertionError("the server did not start: " + self.log.read_text(encoding="utf-8", errors="replace"))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # Ctrl-C: uvicorn shuts down, running jobs stop
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(copy_scenario(tmp_path / "city"), tmp_path / "data", tmp_path / "server.log")
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture()
def browser(tmp_path: Path) -> Iterator[Any]:
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1300,1000",
                 "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=DRIVER, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=opts, service=service)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def problems_in_log(driver: Any, *expected: str) -> list[str]:
    """Browser log entries that are errors or warnings, except the map tiles refused offline
    and the ``expected`` ones."""
    entries = driver.get_log("browser")
    return [e["message"] for e in entries if e["level"] in ("SEVERE", "WARNING")
            and not any(x in e["message"] for x in ("tile.openstreetmap.org", *expected))]


def wait_for(driver: Any, seconds: float, condition: Any) -> Any:
    return WebDriverWait(driver, seconds, poll_frequency=0.3).until(condition)


def test_plan_look_download_upload_restart(server: Server, browser: Any, tmp_path: Path) -> None:
    d = browser
    d.get(f"{server.url}/plan")
    assert "Buat rencana" in d.page_source
    d.execute_script("document.querySelector('input[name=date]').value = arguments[0]", DAY)
    for truck in ("DT-01", "DT-02"):
        d.find_element(By.CSS_SELECTOR, f"input[name=unavailable][value='{truck}']").click()
    budget = d.find_element(By.NAME, "time_limit_s")
    budget.clear()
    budget.send_keys("2")
    d.find_element(By.ID, "make-plan").click()

    # live progress, then the page moves to the plan by itself
    wait_for(d, 30, ec.url_contains("/jobs/"))
    job_id = int(d.current_url.rstrip("/").rsplit("/", 1)[1])
    wait_for(d, 240, ec.url_contains(f"/plans/{job_id}"))
    assert d.find_element(By.ID, "unassigned").is_displayed()
    tabs = [t.text for t in d.find_elements(By.CSS_SELECTOR, "#truck-tabs .tab")]
    assert tabs == ["DT-03", "AR-01"]  # the two trucks marked out have no tab

    # the overview map renders inside its frame: Leaflet, route lines, stop markers
    d.switch_to.frame(d.find_element(By.ID, "overview-map"))
    wait_for(d, 30, lambda drv: drv.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane path"))
    assert d.find_elements(By.CSS_SELECTOR, ".leaflet-marker-pane > *")
    assert "OpenStreetMap" in d.find_element(By.CSS_SELECTOR, ".leaflet-control-attribution").text
    d.switch_to.default_content()
    d.find_elements(By.CSS_SELECTOR, "#truck-tabs .tab")[1].click()
    frame = d.find_element(By.CSS_SELECTOR, "#truck-2 iframe.truck-map")
    assert frame.get_attribute("src").endswith("/maps/truck_AR-01.html")
    d.switch_to.frame(frame)
    wait_for(d, 30, lambda drv: drv.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane path"))
    d.switch_to.default_content()
    d.save_screenshot(str(tmp_path / "plan.png"))
    shots = os.environ.get("WASTEROUTE_SCREENSHOT_DIR")
    if shots:
        shutil.copy(tmp_path / "plan.png", Path(shots) / "web-plan.png")
    assert problems_in_log(d) == []

    # a driver sheet downloads as a PDF (fetched by the browser with its own session)
    href = d.find_element(By.CSS_SELECTOR, "#truck-1 a.sheet-link").get_attribute("href")
    head = d.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(r => r.arrayBuffer())"
        ".then(b => done(String.fromCharCode(...new Uint8Array(b.slice(0, 5))) + ' ' + b.byteLength));", href)
    magic, size = head.split()
    assert magic == "%PDF-" and int(size) > 10_000

    # a bad points file: its row errors are shown and nothing is replaced
    points = server.scenario.parent / "points_generated.csv"
    before = points.read_bytes()
    d.get(f"{server.url}/data")
    d.find_element(By.ID, "points-file").send_keys(str(DATA / "bad" / "points_many_errors.csv"))
    d.find_element(By.ID, "upload").click()
    errors = [li.text for li in wait_for(d, 30, lambda drv: drv.find_elements(By.CSS_SELECTOR, "#upload-errors li"))]
    assert "row 2 (id A2): lon 'east' is not a number" in errors and len(errors) == 10
    assert points.read_bytes() == before
    assert problems_in_log(d, f"{server.url}/data - Failed to load resource: the server responded with a "
                              "status of 400") == []  # the refused file's answer, nothing else

    # a long plan is running when the server stops
    d.get(f"{server.url}/plan")
    d.execute_script("document.querySelector('input[name=date]').value = arguments[0]", DAY)
    budget = d.find_element(By.NAME, "time_limit_s")
    budget.clear()
    budget.send_keys("600")
    d.find_element(By.ID, "make-plan").click()
    wait_for(d, 30, ec.url_contains("/jobs/"))
    long_id = int(d.current_url.rstrip("/").rsplit("/", 1)[1])
    wait_for(d, 120, lambda drv: drv.find_element(By.ID, "job-stage").text == "mencari rute")
    d.get("about:blank")  # the job page polls its job: leave it before the server goes away
    assert problems_in_log(d) == []

    # restart the server: the plan is still in the history and opens; the long one was interrupted
    server.stop()
    server.start()
    d.get(f"{server.url}/history")
    assert "terputus" in d.find_element(By.ID, f"history-{long_id}").text
    assert not (server.data_dir / "plans" / str(long_id)).exists()
    row = d.find_element(By.ID, f"history-{job_id}")
    assert DAY in row.text and "selesai" in row.text
    row.find_element(By.LINK_TEXT, "Buka").click()
    wait_for(d, 30, ec.url_contains(f"/plans/{job_id}"))
    assert d.find_element(By.ID, "overview-map").is_displayed()
    assert problems_in_log(d) == []
