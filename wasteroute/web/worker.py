"""One background job in its own process: ``python -m wasteroute.web.worker JOB.json``.

The web app's runner starts one of these per job. Its own process keeps a long search out of
the server, and makes Cancel what Ctrl-C is on the command line: the runner sends SIGINT, the
search stops at once, and nothing half-written is left (the plan folder is written whole or
not at all, :mod:`wasteroute.outputs.folder`).

The job file says what to do (``kind``: plan, evaluate, replan, week) and where to write.
Progress goes to standard output, one JSON object a line: ``{"event": "stage", "stage":
"search"}``, ``{"event": "progress", "found": 12, "best_cost": 20016552}``, ``{"event":
"note", "note": "..."}``, then one final ``done``, ``failed`` or ``cancelled``. Everything the
library prints goes to standard error instead. When the server that started it is gone, the job
stops itself.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from ..errors import WasterouteError

log = logging.getLogger("wasteroute")

#: How often the OR-Tools search reports its progress here (the command line: every 5 s).
SEARCH_REPORT_EVERY_S = 1.0
#: How often the worker checks that the server that started it still runs.
PARENT_CHECK_S = 1.0


class Channel:
    """JSON lines to the runner, from any thread."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.lock = stream, threading.Lock()

    def send(self, event: str, **values: Any) -> None:
        line = json.dumps({"event": event, **values}, ensure_ascii=False)
        with self.lock:
            self.stream.write(line + "\n")
            self.stream.flush()


class ProgressHandler(logging.Handler):
    """Turn the library's log records into progress events: solutions found, best cost, notes."""

    def __init__(self, channel: Channel) -> None:
        super().__init__(logging.INFO)
        self.channel = channel

    def emit(self, record: logging.LogRecord) -> None:
        try:
            args = record.args if isinstance(record.args, tuple) else ()
            if record.msg.startswith("search: %d solutions") and len(args) >= 3:
                self.channel.send("progress", found=int(args[0]), best_cost=int(args[2]))
            self.channel.send("note", note=record.getMessage()[:300])
        except Exception:  # noqa: BLE001 - progress must never break the job
            self.handleError(record)


def _watch_parent() -> None:
    """Stop the job (as Ctrl-C would) when the server that started it is gone.

    A thread that only sleeps and compares the parent's pid: it holds no lock, so the
    processes the sheet writer forks meanwhile cannot inherit a held one (a thread blocked
    reading stdin would hold stdin's lock, and multiprocessing's children close stdin).
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="wasteroute-parent-watch", daemon=True).start()


def run_job(spec: dict[str, Any], channel: Channel) -> dict[str, Any]:
    """Do the job ``spec`` describes; return what the runner stores (KPIs, settings)."""
    from . import jobkinds

    kind = spec["kind"]
    handler = getattr(jobkinds, f"run_{kind}", None)
    if handler is None:
        raise WasterouteError(f"unknown job kind {kind!r}")
    result: dict[str, Any] = handler(spec, channel.send)
    return result


def main(argv: list[str] | None = None) -> int:
    """Entry point; the exit code follows the command line's (0, 2, 4, 5, 130, 1)."""
    argv = sys.argv[1:] if argv is None else argv
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    # Progress owns the real standard output; whatever the library prints goes to stderr.
    channel = Channel(os.fdopen(os.dup(1), "w", encoding="utf-8"))
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    log.setLevel(logging.INFO)
    log.addHandler(ProgressHandler(channel))
    from .. import solver

    solver.PROGRESS_EVERY_S = SEARCH_REPORT_EVERY_S
    _watch_parent()
    t0 = time.perf_counter()
    try:
        result = run_job(spec, channel)
    except KeyboardInterrupt:
        channel.send("cancelled")
        return 130
    except WasterouteError as exc:
        problems = list(exc.problems)
        channel.send("failed", message=str(exc).splitlines()[0] if problems else str(exc), problems=problems[:500])
        return exc.exit_code
    except (OSError, ValueError) as exc:
        channel.send("failed", message=str(exc), problems=[])
        return 2
    except Exception as exc:  # noqa: BLE001 - reported to the page, not a silent death
        log.exception("job failed")
        channel.send("failed", message=f"unexpected error: {type(exc).__name__}: {exc}", problems=[])
        return 1
    channel.send("done", result=result, seconds=round(time.perf_counter() - t0, 1),
                 finished=dt.datetime.now(dt.UTC).isoformat())
    return 0


if __name__ == "__main__":
    sys.exit(main())
