"""The history database: every job (a plan, an evaluation, a re-plan, a week) and its state.

SQLAlchemy with SQLite in the app's data folder by default, any other database by URL.
The plans themselves are folders under ``data_dir/plans/<id>/``; the database holds what the
pages list and search (settings, KPIs, state, progress). A row in state ``queued`` or
``running`` when the app starts belongs to a server that stopped: :meth:`Store.recover`
marks it ``interrupted``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text, create_engine, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

#: Job states; the last four are final.
QUEUED, RUNNING, DONE, FAILED, CANCELLED, INTERRUPTED = (
    "queued", "running", "done", "failed", "cancelled", "interrupted")
FINAL = (DONE, FAILED, CANCELLED, INTERRUPTED)
KINDS = ("plan", "evaluate", "replan", "week")


class Base(DeclarativeBase):
    pass


class Job(Base):
    """One background job and, when done, the folder it wrote."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    scenario: Mapped[str] = mapped_column(String(1024))
    plan_date: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True, default=QUEUED)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    kpis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(64), default="")
    found: Mapped[int] = mapped_column(Integer, default=0)
    best_cost: Mapped[int] = mapped_column(Integer, default=-1)
    progress_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    solve_s: Mapped[float] = mapped_column(Float, default=0.0)

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON-able values (for the progress API)."""
        return {
            "id": self.id, "kind": self.kind, "plan_date": self.plan_date, "status": self.status,
            "settings": self.settings, "kpis": self.kpis, "message": self.message, "stage": self.stage,
            "found": self.found, "best_cost": self.best_cost, "note": self.progress_note,
            "created_at": _iso(self.created_at), "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
        }


def _iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.replace(microsecond=0).isoformat() + "Z"


def now() -> dt.datetime:
    """Now in UTC, without tzinfo (SQLite keeps no zone)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Store:
    """Reads and writes jobs; one instance per app, safe to share between threads."""

    def __init__(self, url: str) -> None:
        args = {"check_same_thread": False} if url.startswith("sqlite") else {}
        self.engine = create_engine(url, connect_args=args, json_serializer=_dumps)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def add(self, *, kind: str, scenario: str, plan_date: str, settings: dict[str, Any]) -> Job:
        with self.sessions.begin() as s:
            job = Job(kind=kind, scenario=scenario, plan_date=plan_date, settings=settings, status=QUEUED,
                      kpis={}, created_at=now())
            s.add(job)
        return job

    def get(self, job_id: int) -> Job | None:
        with self.sessions() as s:
            return s.get(Job, job_id)

    def update(self, job_id: int, **values: Any) -> Job | None:
        with self.sessions.begin() as s:
            job = s.get(Job, job_id)
            if job is None:
                return None
            for key, value in values.items():
                setattr(job, key, value)
        return job

    def delete(self, job_id: int) -> None:
        with self.sessions.begin() as s:
            job = s.get(Job, job_id)
            if job is not None:
                s.delete(job)

    def jobs(self, *, kind: str | None = None, status: tuple[str, ...] | None = None) -> list[Job]:
        """Jobs, newest plan day first, then newest first."""
        q = select(Job)
        if kind is not None:
            q = q.where(Job.kind == kind)
        if status is not None:
            q = q.where(Job.status.in_(status))
        q = q.order_by(Job.plan_date.desc(), Job.id.desc())
        with self.sessions() as s:
            return list(s.scalars(q))

    def waiting(self, scenario: str) -> list[Job]:
        """Queued and running jobs of a scenario, oldest first (the order they run in)."""
        q = select(Job).where(Job.scenario == scenario, Job.status.in_((QUEUED, RUNNING))).order_by(Job.id)
        with self.sessions() as s:
            return list(s.scalars(q))

    def recover(self) -> list[int]:
        """Mark jobs a stopped server left queued or running as interrupted; their ids."""
        with self.sessions.begin() as s:
            left = list(s.scalars(select(Job).where(Job.status.in_((QUEUED, RUNNING)))))
            for job in left:
                job.status = INTERRUPTED
                job.finished_at = now()
                job.message = "the server stopped before this job finished; start it again"
        return [j.id for j in left]

    def close(self) -> None:
        self.engine.dispose()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _sqlite_pragmas(conn: Any, record: Any) -> None:
    cur = conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # pages read while the runner writes progress
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()
