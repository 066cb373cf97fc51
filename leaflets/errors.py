"""Problems that name their place: the one located-problem type, and the errors.

A :class:`Problem` is what every check reports (translation checks, the review
ledger, preflight of finished PDFs): path, line, severity, code and message, shown
as ``path:line: severity code: message``. A :class:`LeafletsError` is a problem that
stops the operation; ``str(error)`` is ``path:line: message`` (or ``path: message``
when there is no line), so the CLI can print any of them as one line without a
traceback, and ``error.as_problem()`` is the same problem as a :class:`Problem`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

Severity = Literal["error", "warning"]
ERROR: Final = "error"
WARNING: Final = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding. ``path`` is the path as the caller wants it shown; ``line`` is the
    line it concerns (a catalog entry's msgid line, where a file breaks), None for
    the file as a whole."""

    path: str
    line: int | None
    severity: Severity
    code: str
    message: str
    msgid: str | None = None

    def __str__(self) -> str:
        place = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{place}: {self.severity} {self.code}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "msgid": self.msgid,
        }


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    # Problems without a line concern the whole file: they come first.
    return sorted(problems, key=lambda p: (p.line is not None, p.line or 0))


def _place(path: str | Path | None, line: int | None) -> str:
    if path is None:
        return ""
    return f"{path}:{line}: " if line is not None else f"{path}: "


class LeafletsError(Exception):
    """A problem caused by the user's input: a file, a setting or an argument."""

    code = "input"  # each kind of error has its own (ConfigError: "config", ...)

    def __init__(
        self, message: str, path: str | Path | None = None, line: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        return f"{_place(self.path, self.line)}{self.message}"

    def as_problem(self, code: str | None = None, path: str | Path = "") -> Problem:
        """This error as the one located-problem type (for reports and JSON): with the
        caller's code for it where the caller knows better (a ledger that cannot be
        read is "review-ledger"), and ``path`` where the error names no file."""
        shown = self.path or str(path)
        return Problem(shown, self.line, ERROR, code or self.code, self.message)


class ConfigError(LeafletsError):
    """One or more problems in the settings, leaflet or brand files, reported together."""

    code = "config"

    def __init__(self, problems: Iterable[LeafletsError]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class UsageProblem(LeafletsError):
    """A bad command-line value: the CLI exits with code 2, as for any usage error."""

    code = "usage"


class UnknownChoiceError(UsageProblem):
    """A leaflet, variant, language, paper, brand or field that does not exist."""

    code = "unknown-choice"

    def __init__(self, kind: str, value: str, valid: Iterable[str]) -> None:
        self.kind = kind
        self.value = value
        self.valid = sorted(valid)
        listed = ", ".join(self.valid) if self.valid else "(none)"
        super().__init__(f"unknown {kind} {value!r}; valid values: {listed}")


class FetchRefusedError(LeafletsError):
    """The renderer asked for a URL outside the project's assets."""

    code = "fetch-refused"

    url: str = ""  # the whole URL (the message shortens long ones)


class CatalogError(LeafletsError):
    """A translation catalog that cannot be used."""

    code = "catalog"


class PolicyRefusal(CatalogError):
    """A handout the rules forbid as asked: an incomplete or draft translation."""

    code = "policy"


class RenderError(LeafletsError):
    """A template or document that cannot be turned into a PDF."""

    code = "render"
