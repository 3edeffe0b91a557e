"""The day's output folder: written whole or not at all, by one run at a time.

A run never writes into ``out/<date>/`` itself. It

1. checks, before solving, that the folder can be written (:func:`check_target`): the path
   and its parents are folders (or can be made), and the parent accepts new files;
2. locks the target (:func:`lock_target`): ``out/.<date>.lock`` held with ``fcntl.flock`` for
   the whole run and holding the run's pid. A second run for the same folder stops at once
   with an :class:`~wasteroute.errors.InputError` (exit 2) naming the pid, instead of
   solving for nothing and mixing two plans. The kernel drops the lock when its process
   ends, however it ends, so a killed run never leaves a stale lock;
3. writes every file into a fresh hidden folder beside the target
   (``out/.<date>.tmp-<pid>-<random>``, :func:`staged`), and only when all are written
   swaps it into place: the previous folder is renamed aside, the new one renamed in, the
   old one deleted. Until that moment the previous complete folder is untouched: files of
   an earlier run (a truck unavailable today) never survive beside the new plan; only the
   ``evaluate/`` and ``compare/`` sub-folders, which other commands write and which do not
   depend on the plan, and the day's re-plans ``replan-HHMM/`` are carried over
   (:data:`KEPT_SUBFOLDERS`, :data:`KEPT_PREFIXES`). On any
   error or Ctrl-C the hidden folder is deleted and the target stays as it was.

Renames within one parent folder are atomic on POSIX file systems; the swap itself is two
renames, and a Ctrl-C that arrives between them is held back until both are done.
Leftovers of a run killed outright (SIGKILL, power loss) are removed by the next run that
holds the lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import secrets
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from ..errors import InputError

log = logging.getLogger("wasteroute")

#: The file every plan folder holds; a folder without it is never replaced.
PLAN_FILE = "plan.json"
#: Sub-folders that other commands write into a day's folder (``--evaluate``, ``--compare``):
#: they do not depend on the plan, so a new plan carries them over instead of deleting them.
KEPT_SUBFOLDERS = ("evaluate", "compare")
#: Re-plans during the day (``--replan``: ``replan-0840/``...) are kept too: they are what
#: crews were told during the day, a record a new plan of the day must not erase.
KEPT_PREFIXES = ("replan-",)


def _kept(name: str) -> bool:
    return name in KEPT_SUBFOLDERS or name.startswith(KEPT_PREFIXES)


#: Targets whose lock this process holds, and how many times (the lock is re-entrant here).
_held: dict[Path, int] = {}


def check_target(target: Path, *, plan_file: str = PLAN_FILE) -> None:
    """Fail early, before any solving, if ``target`` cannot become the run's output folder.

    ``plan_file`` is the file that marks a folder a plan folder that may be replaced
    (``week.json`` for a week folder).

    Raises
    ------
    InputError
        If ``target`` or one of its parents is a file, or the folder that will hold
        ``target`` cannot be created or written.
    """
    target = Path(target)
    for path in (target, *target.parents):
        if path.exists() and not path.is_dir():
            msg = f"--out: {path} is a file, not a folder; remove it or choose another --out folder"
            raise InputError(msg)
    foreign = [p for p in target.iterdir() if not _kept(p.name)] if target.is_dir() else []
    if foreign and not (target / plan_file).is_file():
        # The folder is replaced as a whole: never a folder that holds something else.
        msg = (f"--out: {target} holds files but no {plan_file}, so it is not a plan folder that "
               "a new plan may replace; move those files or choose another --out folder")
        raise InputError(msg)
    existing = next(p for p in (target.parent, *target.parent.parents) if p.exists())
    probe = existing / f".wasteroute-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:  # really try: permissions, a read-only mount, a full disk all show here
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        msg = (f"--out: cannot write in {existing} ({exc.strerror}), so {target} cannot be made "
               "there; choose a folder you can write, e.g. --out ~/wasteroute-out")
        raise InputError(msg) from None


@contextlib.contextmanager
def lock_target(target: Path) -> Iterator[None]:
    """Hold ``target``'s lock (``.<name>.lock`` beside it) for the ``with`` block.

    Re-entrant within one process: a block inside another for the same target shares its lock.

    Raises
    ------
    InputError
        If another run holds it (the message names that run's pid).
    """
    target = Path(target)
    key = target.absolute()
    if key in _held:  # already ours (the command holds it while solving; write_all takes it too)
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    made = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    path = target.parent / f".{target.name}.lock"
    try:
        fd = _acquire(path, target)
    except BaseException:
        _remove_empty(made)
        raise
    _held[key] = 1
    try:
        _remove_leftovers(target)
        yield
    finally:
        del _held[key]
        with contextlib.suppress(OSError):
            path.unlink()  # while still locked: a run waiting on this file retries on a new one
        os.close(fd)
        _remove_empty(made)


def _remove_empty(made: list[Path]) -> None:
    """The folders this run created for the target, if nothing was written in them."""
    for folder in made:  # deepest first
        try:
            folder.rmdir()
        except OSError:
            return


def _acquire(path: Path, target: Path) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_pid(fd)
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            msg = (f"{target} is being written by another run (pid {holder or 'unknown'}); "
                   "wait for it to finish, or choose another --out folder")
            raise InputError(msg) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:  # else the holder removed the file as we opened it: lock the new one
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)


def _read_pid(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode(errors="replace").strip()
    except OSError:
        return ""


def _remove_leftovers(target: Path) -> None:
    """Hidden folders of earlier runs of this target that were killed outright."""
    for stale in target.parent.glob(f".{target.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in target.parent.glob(f".{target.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def staged(target: Path) -> Iterator[Path]:
    """Yield a fresh hidden folder beside ``target``; when the block ends normally, swap it in.

    On any exception (also KeyboardInterrupt) the hidden folder is deleted and ``target``
    keeps what it held.
    """
    target = Path(target)
    tag = f"{os.getpid()}-{secrets.token_hex(4)}"
    tmp = target.parent / f".{target.name}.tmp-{tag}"
    tmp.mkdir(parents=True)
    try:
        yield tmp
    except BaseException:
        with _interrupts_held():
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    with _interrupts_held():
        _swap(tmp, target, target.parent / f".{target.name}.old-{tag}")


def _swap(tmp: Path, target: Path, old: Path) -> None:
    """``tmp`` becomes ``target``; the previous ``target`` (if any) is deleted afterwards."""
    had_old = target.exists()
    try:
        if had_old:
            os.rename(target, old)
        try:
            os.rename(tmp, target)
        except BaseException:
            if had_old:
                os.rename(old, target)
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if had_old:
        for sub in sorted(old.iterdir()):
            if _kept(sub.name) and sub.is_dir() and not (target / sub.name).exists():
                os.rename(sub, target / sub.name)
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) for the block; one that came meanwhile is raised after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


__all__ = ["KEPT_PREFIXES", "KEPT_SUBFOLDERS", "PLAN_FILE", "check_target", "lock_target", "staged"]
