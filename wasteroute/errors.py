"""Exception classes of wasteroute, each with the exit code the CLI maps it to.

Every error message says what is wrong, which item, and how to fix it.
"""

from __future__ import annotations


class WasterouteError(Exception):
    """Base class of every error raised on purpose by wasteroute."""

    exit_code = 1


class InputError(WasterouteError, ValueError):
    """Bad input data or settings: a file, a row, a parameter.

    Parameters
    ----------
    message
        Headline of the problem.
    problems
        Every individual problem found (one line each), so that a whole file is
        reported at once instead of one row per run.
    """

    exit_code = 2

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems: list[str] = list(problems or [])
        text = message
        if self.problems:
            text = message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(text)


class NetworkError(WasterouteError, RuntimeError):
    """The road network cannot be loaded, downloaded or used for routing."""

    exit_code = 3


class InfeasibleError(WasterouteError, RuntimeError):
    """The solver found no plan at all (not even one that drops points)."""

    exit_code = 4


class ValidationError(WasterouteError, AssertionError):
    """A solved plan breaks a constraint when re-checked independently of the solver."""

    exit_code = 5
