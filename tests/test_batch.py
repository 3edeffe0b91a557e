"""Batches on Dask (``wasteroute.batch``): jobs files, one row per job, failures as rows, Ctrl-C.

The jobs are small days of the Aguascalientes test scenario (real streets, 37 generated points,
4 trucks) with short limits. The cluster tests use a ``LocalCluster`` of two worker processes
(one module-wide cluster) and, in the last test, a real ``dask scheduler`` and two
``dask worker`` processes started here on 127.0.0.1, one of which is killed mid-batch.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from wasteroute.batch import Job, jobs_from_toml, make_jobs, results_frame, run_batch, run_job
from wasteroute.errors import InputError
from wasteroute.scenario import Scenario

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
AG = ROOT / "tests" / "data" / "aguascalientes" / "scenario.toml"
DAY = "2026-11-24"
#: Small, reproducible searches: the solution limit ends them, the time limit is a safety cap.
QUICK = {"time_limit_s": 30.0, "solution_limit": 20}


def _toml(tmp_path: Path, text: str, name: str = "jobs.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------- jobs files
def test_every_list_multiplies_and_the_last_key_varies_fastest(tmp_path: Path) -> None:
    sc = tmp_path / "city" / "scenario.toml"
    sc.parent.mkdir()
    sc.write_text(AG.read_text())  # only its existence is checked when reading the jobs
    path = _toml(tmp_path, 'scenario = "city/scenario.toml"\ndate = "2026-12-02"\ntime_limit_s = 30\n'
                           "seed = [0, 1, 2]\nvolume_factor = [1.0, 1.3]\ntrucks = [34, 30, 26]\n")
    jobs = jobs_from_toml(path)
    assert len(jobs) == 3 * 2 * 3
    assert [j.id for j in jobs[:3]] == ["job-001", "job-002", "job-003"]
    assert {j.scenario for j in jobs} == {str(sc.resolve())}  # relative to the jobs file
    assert [(j.seed, j.changes["volume_factor"], j.changes["trucks"]) for j in jobs[:4]] == [
        (0, 1.0, 34), (0, 1.0, 30), (0, 1.0, 26), (0, 1.3, 34)]
    assert all(j.date == "2026-12-02" and j.time_limit_s == 30.0 for j in jobs)
    assert jobs == make_jobs(sc, date="2026-12-02", time_limit_s=30, seed=[0, 1, 2],
                             volume_factor=[1.0, 1.3], trucks=[34, 30, 26])


def test_a_date_range_and_toml_dates_give_every_day(tmp_path: Path) -> None:
    jobs = jobs_from_toml(_toml(tmp_path, f'scenario = "{AG}"\ndate = ["2026-12-30..2027-01-02", 2027-03-01]\n'))
    assert [j.date for j in jobs] == ["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02", "2027-03-01"]


def test_every_problem_of_a_jobs_file_is_named_with_its_fix(tmp_path: Path) -> None:
    path = _toml(tmp_path, f'scenario = "{AG}"\nseeds = [0, 1]\ntrucks = ["30"]\nvolume_factor = []\n'
                           'date = "2026-02-30"\nengine = "gurobi"\nsecond_shift = "13:00"\n')
    with pytest.raises(InputError) as info:
        jobs_from_toml(path)
    text = str(info.value)
    assert "6 problem(s)" in text
    assert "unknown key 'seeds' (did you mean seed?)" in text
    assert "trucks = the string '30' is not a whole number >= 0, e.g. 30" in text
    assert "volume_factor = []: an empty list gives no job" in text
    assert "date = the string '2026-02-30'" in text and "YYYY-MM-DD" in text
    assert "engine = the string 'gurobi' is not one of 'hybrid', 'ortools', 'pyvrp'" in text
    assert 'second_shift = the string \'13:00\' is not a span of time, e.g. "13:00-19:00"' in text


@pytest.mark.parametrize(("text", "message"), [
    ('date = "2026-12-02"', r"no `scenario = \.\.\.`; name the scenario file"),
    ('scenario = "nowhere/scenario.toml"', r"1 scenario file\(s\) not found(.|\n)*nowhere/scenario.toml does not exist"),
    (f'scenario = "{AG}"\ndate = "2026-12-02"\nweek = "2026-12-07"', "keep one of them"),
    (f'scenario = "{AG}"\nweek = "2026-12-08"', "2026-12-08 is a Tuesday, not a Monday"),
    (f'scenario = "{AG}"\n[solver]\nseed = 1', r"\[solver\] is a table; a jobs file holds only `key = value`"),
    (f'scenario = "{AG}"\ndate = "2026-12-05..2026-12-01"', r"the range ends \(2026-12-01\) before it starts"),
    ('scenario = [1, 2', "is not valid TOML"),
])
def test_a_bad_jobs_file_is_refused_with_the_key_and_the_fix(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        jobs_from_toml(_toml(tmp_path, text + "\n"))


def test_a_missing_jobs_file_is_named() -> None:
    with pytest.raises(InputError, match="jobs file nowhere.toml does not exist; check the path given to --batch"):
        jobs_from_toml("nowhere.toml")


def test_a_job_checks_its_own_settings() -> None:
    with pytest.raises(InputError, match=r"unknown key 'truck' \(did you mean trucks\?\)"):
        Job(str(AG), changes={"truck": 3})
    with pytest.raises(InputError, match="job id 'a/b' names a folder"):
        Job(str(AG), id="a/b")
    with pytest.raises(InputError, match=r"job id\(s\) used more than once: x; every job needs its own id"):
        run_batch([Job(str(AG), id="x"), Job(str(AG), id="x")])
    with pytest.raises(InputError, match="no jobs to run"):
        run_batch([])
    with pytest.raises(InputError, match="plans need an output folder"):
        run_batch([Job(str(AG))], plans=True)


# ---------------------------------------------------------------------- one job, here
def test_a_jobs_row_has_the_figures_of_the_same_plan_made_directly() -> None:
    """The row's KPIs are those of ``fleet_kpis`` for the same scenario, changes and settings."""
    job = Job(str(AG), date=DAY, seed=1, time_limit_s=QUICK["time_limit_s"],
              changes={"trucks": 3, "volume_factor": 1.2, "solution_limit": QUICK["solution_limit"]})
    row = run_job(job)
    direct = (Scenario.from_toml(AG).replace(date=dt.date(2026, 11, 24)).with_trucks(3)
              .replace(volume_factor=1.2).with_solver(seed=1, **QUICK).solve())
    f = direct.fleet_kpis()
    assert row["status"] == "ok" and row["error"] == ""
    assert (row["trucks_available"], row["unassigned"], row["km"], row["hours"], row["fuel_l"], row["co2_kg"]) == (
        3, f["points_unassigned"], f["km"], f["hours"], f["fuel_l"], f["co2_kg"])
    assert row["landfill_trips"] == f["landfill_trips"] and row["engine"] == direct.engine
    assert row["worker"].startswith("local pid") and row["seconds"] >= row["load_s"] >= 0


def test_a_bad_job_is_a_row_with_its_error_not_an_exception() -> None:
    row = run_job(Job(str(AG), date=DAY, changes={"unavailable": "DT-01,XX-99", **{"solution_limit": 5}}))
    assert row["status"] == "error"
    assert "XX-99" in row["error"] and row["error"].startswith("InputError")
    assert row["unavailable"] == "DT-01,XX-99" and "km" not in row


def test_cancelled_jobs_keep_their_row_in_the_table() -> None:
    jobs = make_jobs(AG, date=DAY, trucks=[4, 3])
    frame = results_frame(jobs, {})
    assert list(frame["status"]) == ["cancelled", "cancelled"]
    assert list(frame["trucks"]) == [4, 3] and "seed" not in frame.columns


def test_a_worker_lost_twice_is_a_row_with_that_error() -> None:
    from distributed import KilledWorker

    from wasteroute.batch import _row_of

    class Lost:
        address = "tcp://10.0.0.7:40000"

    class Future:
        def result(self) -> None:
            raise KilledWorker("wasteroute-job-001-x", Lost(), allowed_failures=1)  # type: ignore[arg-type]

    row = _row_of(Future(), Job(str(AG), id="job-001"))
    assert row["status"] == "error" and row["worker"] == "tcp://10.0.0.7:40000"
    assert "lost 2 time(s)" in row["error"]


# ---------------------------------------------------------------------- a local cluster
@pytest.fixture(scope="module", autouse=True)
def _no_child_left() -> Iterator[None]:
    """After this module, this process has no child process left.

    A local cluster starts its workers as new Python processes (``spawn``), which also starts
    multiprocessing's resource tracker, a child of this process for as long as it lives; stopping
    it here (a later use starts a new one) leaves later tests a process without children, as
    before (``tests/test_interrupt.py`` checks that no search child is left).
    """
    yield
    from multiprocessing import resource_tracker

    resource_tracker._resource_tracker._stop()
    import psutil

    left = [c for c in psutil.Process().children() if c.status() != psutil.STATUS_ZOMBIE]
    assert not left, f"processes of the batch tests still running: {[c.cmdline()[:3] for c in left]}"


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """Two worker processes, one thread each, like ``run_batch``'s own local cluster."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with cluster, distributed.Client(cluster) as c:
        yield c


def test_a_grid_on_two_workers_gives_every_row_loads_each_city_once_per_worker(
    client: object, tmp_path: Path
) -> None:
    jobs = make_jobs(AG, date=DAY, seed=[0, 1], trucks=[4, 9], **QUICK)  # trucks = 9: too many
    out = tmp_path / "grid"
    frame = run_batch(jobs, client, out, plans=True)
    assert list(frame["job"]) == [j.id for j in jobs]
    ok, bad = frame[frame["status"] == "ok"], frame[frame["status"] != "ok"]
    assert list(ok["trucks"]) == [4, 4] and len(bad) == 2
    assert bad["error"].str.contains("fleet has 4 available trucks; cannot keep 9").all()
    assert set(frame["worker"]) <= set(client.scheduler_info()["workers"])  # type: ignore[attr-defined]
    # Each worker loads the city once at most and reuses it for its other jobs.
    assert frame.groupby("worker")["loaded"].sum().le(1).all() and frame["loaded"].sum() >= 1
    # The table, as Parquet and CSV, and a plan folder per solved job (the same figures).
    assert_frame = pd.read_parquet(out / "results.parquet")
    assert list(assert_frame["job"]) == list(frame["job"]) and list(assert_frame["km"].fillna(-1)) == list(
        frame["km"].fillna(-1))
    assert len(pd.read_csv(out / "results.csv")) == len(jobs)
    assert sorted(p.name for p in (out / "plans").iterdir()) == list(ok["job"])
    for _, row in ok.iterrows():
        plan = json.loads((out / "plans" / row["job"] / "plan.json").read_text())
        assert plan["summary"]["km"] == row["km"] and len(plan["unassigned"]) == row["unassigned"]
        assert (out / "plans" / row["job"] / "summary.txt").is_file()


def test_a_rerun_into_the_same_folder_replaces_the_earlier_results(client: object, tmp_path: Path) -> None:
    out = tmp_path / "again"
    run_batch(make_jobs(AG, date=DAY, trucks=[4, 3], **QUICK), client, out, plans=True)
    frame = run_batch(make_jobs(AG, date=DAY, trucks=[2], **QUICK), client, out)
    assert len(pd.read_csv(out / "results.csv")) == len(frame) == 1
    assert not (out / "plans").exists()  # the earlier batch's plans are not this one's
    (out / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="holds notes.txt, which are not a batch's results"):
        run_batch(make_jobs(AG, date=DAY), client, out)


def test_a_scheduler_that_is_not_there_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("wasteroute.batch.CONNECT_TIMEOUT_S", 1)
    with pytest.raises(InputError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:9 .*--scheduler"):
        run_batch(make_jobs(AG, date=DAY), scheduler="tcp://127.0.0.1:9")
    with pytest.raises(InputError, match="--workers sizes a local cluster"):
        run_batch(make_jobs(AG, date=DAY), scheduler="tcp://127.0.0.1:9", workers=2)


# ---------------------------------------------------------------------- the command line
def test_the_command_refuses_a_bad_jobs_file_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from wasteroute.cli import main

    path = _toml(tmp_path, f'scenario = "{AG}"\ntruck = [3, 4]\n')
    assert main(["--batch", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "unknown key 'truck' (did you mean trucks?)" in capsys.readouterr().err
    assert main(["--plans"]) == 2
    assert "--scheduler, --workers and --plans go with --batch" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def _no_signal_mask() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a shell's background job would ignore Ctrl-C


def test_ctrl_c_cancels_the_batch_closes_the_cluster_and_exits_130(tmp_path: Path) -> None:
    """Ctrl-C at a terminal reaches the command and its workers (the process group): exit 130
    soon, the rows so far (here: every job cancelled) written, no process of the batch left."""
    path = _toml(tmp_path, f'scenario = "{AG}"\ndate = "{DAY}"\ntime_limit_s = 600\n'
                           "solution_limit = 100000000\nseed = [0, 1, 2]\n")
    cmd = [sys.executable, str(ROOT / "run_routes.py"), "--batch", str(path), "--out", str(tmp_path / "out"),
           "--workers", "1"]
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**env, "PYTHONUNBUFFERED": "1"}, start_new_session=True,
                            preexec_fn=_no_signal_mask)
    try:
        assert proc.stderr is not None
        log = []
        for line in proc.stderr:
            log.append(line)
            if "batch on a local cluster" in line:
                break
        else:
            pytest.fail("the batch never started:\n" + "".join(log))
        time.sleep(3.0)  # the worker is searching
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 130, "".join(log) + err
    assert "interrupted: 0 of 3 job(s) done" in err
    frame = pd.read_csv(tmp_path / "out" / "jobs" / "results.csv")
    assert list(frame["status"]) == ["cancelled"] * 3
    time.sleep(1.0)
    assert _live_processes(proc.pid) == [], "a worker of the interrupted batch is still running"


def _live_processes(pgid: int) -> list[int]:
    """Processes of the group that still run (zombies are gone in all but name)."""
    import psutil

    live = []
    for p in psutil.process_iter(["pid", "status"]):
        try:
            if os.getpgid(p.pid) == pgid and p.info["status"] != psutil.STATUS_ZOMBIE:
                live.append(p.pid)
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return live


# ---------------------------------------------------------------------- a real cluster
@pytest.fixture
def real_cluster(tmp_path: Path) -> Iterator[tuple[str, dict[str, subprocess.Popen[bytes]]]]:
    """``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1 (ports chosen by the
    scheduler, read from its scheduler file), stopped at the end whatever happens."""
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    env |= {"PYTHONPATH": str(ROOT), "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
    file = tmp_path / "scheduler.json"
    procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str, *args: str) -> None:
        log = (tmp_path / f"{name}.log").open("wb")
        procs[name] = subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=tmp_path, env=env,
                                       stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
              "--scheduler-file", str(file))
        deadline = time.monotonic() + 60
        while not file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert file.is_file(), (tmp_path / "scheduler.log").read_text()
        address = json.loads(file.read_text())["address"]
        for name in ("victim", "survivor"):
            start(name, "worker", address, "--name", name, "--host", "127.0.0.1", "--nthreads", "1",
                  "--nworkers", "1", "--no-dashboard")
        yield address, procs
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def test_a_worker_killed_mid_batch_loses_no_job(real_cluster: tuple[str, dict[str, subprocess.Popen[bytes]]],
                                                 tmp_path: Path) -> None:
    address, procs = real_cluster
    jobs = make_jobs(AG, date=DAY, time_limit_s=3, seed=[0, 1, 2, 3])
    with distributed.Client(address, timeout=60) as c:
        c.wait_for_workers(2, timeout=120)
        by_name = {w["name"]: a for a, w in c.scheduler_info()["workers"].items()}
        killed: list[str] = []

        def kill_when_busy() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                busy = c.processing(workers=[by_name["victim"]]).get(by_name["victim"], [])
                if busy:
                    time.sleep(1.0)  # well into the job: network loaded, search running
                    killed.extend(str(k) for k in c.processing(workers=[by_name["victim"]])[by_name["victim"]])
                    os.killpg(procs["victim"].pid, signal.SIGKILL)
                    return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_when_busy)
        killer.start()
        frame = run_batch(jobs, c, tmp_path / "out")
        killer.join()
    assert killed, "the victim never ran a job"
    assert list(frame["job"]) == [j.id for j in jobs]  # every job has its row
    assert (frame["status"] == "ok").all(), frame[["job", "status", "error"]]
    lost = [j.id for j in jobs if any(k.startswith(f"wasteroute-{j.id}-") for k in killed)]
    assert lost and set(frame.set_index("job").loc[lost, "worker"]) == {by_name["survivor"]}
    assert len(pd.read_parquet(tmp_path / "out" / "results.parquet")) == len(jobs)


# ---------------------------------------------------------------------- weeks
def test_week_jobs_expand_by_monday_and_plan_the_whole_week(tmp_path: Path) -> None:
    """A week job is ``Scenario.plan_week`` on one worker: its row holds the sums of its days,
    the same figures as each day's plan.json."""
    jobs = jobs_from_toml(_toml(tmp_path, f'scenario = "{AG}"\nweek = "2026-11-23..2026-12-07"\n'
                                          "time_limit_s = 30\nsolution_limit = 20\n"))
    assert [j.week for j in jobs] == ["2026-11-23", "2026-11-30", "2026-12-07"]
    row = run_job(jobs[0], plans=True)
    files = row.pop("_files")
    assert row["status"] == "ok", row["error"]
    days = [json.loads(v) for k, v in sorted(files.items()) if k.endswith("/plan.json")]
    assert row["days"] == len(days) == 7 and "week.json" in files
    assert row["km"] == pytest.approx(sum(d["summary"]["km"] for d in days), abs=0.05)
    assert row["unassigned"] == sum(len(d["unassigned"]) for d in days)
    assert row["trucks_used"] == max(d["summary"]["trucks_used"] for d in days)
    frame = results_frame(jobs[:1], {jobs[0].id: row})
    assert "days" in frame.columns and "date" in frame.columns and frame.loc[0, "week"] == "2026-11-23"


def test_the_example_jobs_file_is_the_documented_grid() -> None:
    jobs = jobs_from_toml(ROOT / "data" / "kupang" / "jobs_what_if.toml")
    assert len(jobs) == 18 and {j.scenario for j in jobs} == {str(ROOT / "data" / "kupang" / "scenario.toml")}
    assert sorted({(j.changes["volume_factor"], j.changes["trucks"]) for j in jobs}) == [
        (1.0, 26), (1.0, 30), (1.0, 34), (1.3, 26), (1.3, 30), (1.3, 34)]
