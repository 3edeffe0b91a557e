"""Progress of a long output step: a bar on a terminal, log lines otherwise.

A person at a terminal sees one line redrawn in place ("sheets ████░░░░ 12/34"); a log
file or a pipe gets a few lines "sheets 12/34" through ``logging.getLogger("wasteroute")``.
Nothing is shown when the log is quieter than INFO (``--quiet``).
"""

from __future__ import annotations

import logging
import sys
from types import TracebackType
from typing import TextIO

log = logging.getLogger("wasteroute")

BAR_WIDTH = 28
LOG_LINES = 10  # about this many progress lines when not on a terminal


class Progress:
    """Count ``total`` steps of the work called ``what``; show them as they are done.

    Parameters
    ----------
    what
        What is counted, first word of every line ("sheets").
    total
        Number of steps.
    stream
        Where the bar is drawn when it is a terminal; ``sys.stderr`` by default.
    """

    def __init__(self, what: str, total: int, *, stream: TextIO | None = None) -> None:
        self.what, self.total, self.done = what, total, 0
        self.stream = stream if stream is not None else sys.stderr
        shown = log.isEnabledFor(logging.INFO) and total > 0
        self.bar = shown and _isatty(self.stream)
        self.lines = shown and not self.bar
        self.every = max(1, total // LOG_LINES)

    def __enter__(self) -> Progress:
        if self.bar:
            self._draw()
        return self

    def step(self) -> None:
        """One more step is done."""
        self.done += 1
        if self.bar:
            self._draw()
        elif self.lines and (self.done % self.every == 0 or self.done == self.total):
            log.info("%s %d/%d", self.what, self.done, self.total)

    def _draw(self) -> None:
        full = BAR_WIDTH * self.done // max(self.total, 1)
        done, todo = _glyphs(self.stream)
        bar = done * full + todo * (BAR_WIDTH - full)
        self.stream.write(f"\r{self.what} {bar} {self.done}/{self.total}")
        self.stream.flush()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.bar:  # end the bar's line so that the next log line starts clean
            self.stream.write("\n")
            self.stream.flush()


def _isatty(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal (a closed or odd stream is not)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _glyphs(stream: TextIO) -> tuple[str, str]:
    """Block characters for the bar, or ``#`` and ``-`` where the terminal cannot show them."""
    encoding = getattr(stream, "encoding", None)
    try:
        "█░".encode(encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return "#", "-"
    return "█", "░"
