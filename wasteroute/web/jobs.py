"""The job runner: one job at a time per scenario, each in its own worker process.

``submit`` records a job (state ``queued``) and hands it to its scenario's queue; one thread
per scenario runs the queue in order, starting ``python -m wasteroute.web.worker`` for each
job and copying the worker's progress lines into the database, where the pages read them.
``cancel`` removes a queued job, or sends the running worker SIGINT (its Ctrl-C: the search
stops, nothing is written) and SIGKILL if it has not stopped after :data:`KILL_AFTER_S`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from .db import CANCELLED, DONE, FAILED, INTERRUPTED, QUEUED, RUNNING, Job, Store, now

log = logging.getLogger("wasteroute")

#: Seconds a cancelled worker gets to stop after SIGINT before it is killed.
KILL_AFTER_S = 20.0
#: Progress is written to the database at most this often (stages and the end at once).
SAVE_EVERY_S = 0.5


class Runner:
    """Queues and runs jobs; shared by every request of one app."""

    def __init__(self, store: Store, data_dir: Path) -> None:
        self.store, self.data_dir = store, data_dir
        self.lock = threading.Lock()
        self.queues: dict[str, deque[int]] = {}
        self.threads: dict[str, threading.Thread] = {}
        self.procs: dict[int, subprocess.Popen[str]] = {}
        self.cancelled: set[int] = set()
        self.stopping = False

    # ------------------------------------------------------------------ paths
    def folder(self, job_id: int) -> Path:
        """Where job ``job_id`` writes its files."""
        return self.data_dir / "plans" / str(int(job_id))

    def work_file(self, job_id: int, suffix: str) -> Path:
        return self.data_dir / "jobs" / f"{int(job_id)}{suffix}"

    # ------------------------------------------------------------------ queue
    def submit(self, *, kind: str, scenario: str, plan_date: str, settings: dict[str, Any],
               spec: dict[str, Any] | None = None) -> Job:
        """Record a job and queue it behind the scenario's other jobs."""
        job = self.store.add(kind=kind, scenario=scenario, plan_date=plan_date, settings=settings)
        full = {"kind": kind, "scenario": scenario, "date": plan_date, **settings, **(spec or {}),
                "out": str(self.folder(job.id))}
        path = self.work_file(job.id, ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(full, ensure_ascii=False), encoding="utf-8")
        with self.lock:
            self.queues.setdefault(scenario, deque()).append(job.id)
            thread = self.threads.get(scenario)
            if thread is None or not thread.is_alive():
                thread = threading.Thread(target=self._drain, args=(scenario,), daemon=True,
                                          name=f"wasteroute-jobs-{len(self.threads)}")
                self.threads[scenario] = thread
                thread.start()
        return job

    def cancel(self, job_id: int) -> bool:
        """Stop a queued or running job; False if it had already finished."""
        job = self.store.get(job_id)
        if job is None or job.status not in (QUEUED, RUNNING):
            return False
        with self.lock:
            self.cancelled.add(job_id)
            proc = self.procs.get(job_id)
            for q in self.queues.values():
                if job_id in q:
                    q.remove(job_id)
                    self.store.update(job_id, status=CANCELLED, finished_at=now(), stage="",
                                      message="cancelled before it started")
                    return True
        if proc is not None:
            _interrupt(proc)
        return True

    def busy(self, job_id: int) -> bool:
        with self.lock:
            return job_id in self.procs or any(job_id in q for q in self.queues.values())

    def shutdown(self) -> None:
        """Stop every running job (the server is stopping); queued ones stay queued and are
        marked interrupted at the next start."""
        with self.lock:
            self.stopping = True
            procs = list(self.procs.items())
            for q in self.queues.values():
                q.clear()
        for _, proc in procs:
            _interrupt(proc)
        for _, proc in procs:
            try:
                proc.wait(KILL_AFTER_S)
            except subprocess.TimeoutExpired:
                proc.kill()

    # ------------------------------------------------------------------ running
    def _drain(self, scenario: str) -> None:
        while True:
            with self.lock:
                q = self.queues.get(scenario)
                if self.stopping or not q:
                    self.threads.pop(scenario, None)
                    return
                job_id = q.popleft()
            try:
                self._run(job_id)
            except Exception:  # noqa: BLE001 - one broken job must not stop the queue
                log.exception("job %d: runner error", job_id)
                self.store.update(job_id, status=FAILED, finished_at=now(), message="internal error in the runner")

    def _run(self, job_id: int) -> None:
        spec = self.work_file(job_id, ".json")
        with open(self.work_file(job_id, ".log"), "w", encoding="utf-8") as err, self.lock:
            if self.stopping:
                return  # still queued: marked interrupted at the next start
            if job_id in self.cancelled:  # cancelled between leaving the queue and starting
                self.store.update(job_id, status=CANCELLED, finished_at=now(), stage="",
                                  message="cancelled before it started")
                return
            proc = subprocess.Popen(
                [sys.executable, "-m", "wasteroute.web.worker", str(spec)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True, encoding="utf-8",
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                start_new_session=True,  # a Ctrl-C at the server's terminal reaches the server only;
            )                            # it then stops its workers itself (shutdown)
            self.procs[job_id] = proc
            self.store.update(job_id, status=RUNNING, started_at=now(), stage="starting")
        try:
            final = self._follow(job_id, proc)
        finally:
            with self.lock:
                self.procs.pop(job_id, None)
        self._finish(job_id, proc, final)

    def _follow(self, job_id: int, proc: subprocess.Popen[str]) -> dict[str, Any]:
        """Copy the worker's progress into the database until it ends; its last event."""
        assert proc.stdout is not None
        state: dict[str, Any] = {}
        final: dict[str, Any] = {}
        saved = 0.0
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            kind = event.pop("event", "")
            if kind in ("done", "failed", "cancelled"):
                final = {"event": kind, **event}
                continue
            if kind == "stage":
                state["stage"] = str(event.get("stage", ""))[:64]
            elif kind == "progress":
                if "found" in event:
                    state["found"] = int(event["found"])
                if "best_cost" in event:
                    state["best_cost"] = int(event["best_cost"])
            elif kind == "note":
                state["progress_note"] = str(event.get("note", ""))[:300]
            if kind == "stage" or time.monotonic() - saved >= SAVE_EVERY_S:
                self.store.update(job_id, **state)
                saved = time.monotonic()
        proc.wait()
        if state:
            self.store.update(job_id, **state)
        return final

    def _finish(self, job_id: int, proc: subprocess.Popen[str], final: dict[str, Any]) -> None:
        kind = final.get("event")
        with self.lock:
            cancelled = job_id in self.cancelled
            stopping = self.stopping
        if kind == "done":
            result = final.get("result") or {}
            self.store.update(job_id, status=DONE, finished_at=now(), stage="done", kpis=result,
                              solve_s=float(final.get("seconds", 0.0)), message="")
            return
        shutil.rmtree(self.folder(job_id), ignore_errors=True)
        if cancelled:  # however the interrupted worker ended (an import cut short fails instead)
            self.store.update(job_id, status=CANCELLED, finished_at=now(), stage="", message="cancelled")
        elif kind == "failed":
            problems = final.get("problems") or []
            message = "\n".join([str(final.get("message", "")), *map(str, problems)])
            self.store.update(job_id, status=FAILED, finished_at=now(), stage="", message=message)
        elif stopping or kind == "cancelled":  # the server stopped, or someone else interrupted the worker
            self.store.update(job_id, status=INTERRUPTED, finished_at=now(), stage="",
                              message="interrupted before it finished (the server or the job was stopped); "
                                      "start it again")
        else:
            log.error("job %d: worker ended with code %s and no result (see %s)", job_id, proc.returncode,
                      self.work_file(job_id, ".log"))
            self.store.update(job_id, status=FAILED, finished_at=now(), stage="",
                              message=f"the planning process ended unexpectedly (exit code {proc.returncode})")


def _interrupt(proc: subprocess.Popen[str]) -> None:
    """SIGINT now (Ctrl-C: the search stops and writes nothing), SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)

    def escalate() -> None:
        try:
            proc.wait(KILL_AFTER_S)
        except subprocess.TimeoutExpired:
            proc.kill()

    threading.Thread(target=escalate, daemon=True, name="wasteroute-kill").start()
