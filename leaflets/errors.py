"""Errors that name the place of the problem.

``str(error)`` is ``path:line: message`` (or ``path: message`` when there is no
line), so the CLI can print any of them as one line without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def _place(path: str | Path | None, line: int | None) -> str:
    if path is None:
        return ""
    return f"{path}:{line}: " if line is not None else f"{path}: "


class LeafletsError(Exception):
    """A problem caused by the user's input: a file, a setting or an argument."""

    def __init__(
        self, message: str, path: str | Path | None = None, line: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        return f"{_place(self.path, self.line)}{self.message}"


class ConfigError(LeafletsError):
    """One or more problems in the settings, leaflet or brand files, reported together."""

    def __init__(self, problems: Iterable[LeafletsError]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class UsageProblem(LeafletsError):
    """A bad command-line value: the CLI exits with code 2, as for any usage error."""


class UnknownChoiceError(UsageProblem):
    """A leaflet, variant, language, paper, brand or field that does not exist."""

    def __init__(self, kind: str, value: str, valid: Iterable[str]) -> None:
        self.kind = kind
        self.value = value
        self.valid = sorted(valid)
        listed = ", ".join(self.valid) if self.valid else "(none)"
        super().__init__(f"unknown {kind} {value!r}; valid values: {listed}")


class FetchRefusedError(LeafletsError):
    """The renderer asked for a URL outside the project's assets."""

    url: str = ""  # the whole URL (the message shortens long ones)


class CatalogError(LeafletsError):
    """A translation catalog that cannot be used."""


class PolicyRefusal(CatalogError):
    """A handout the rules forbid as asked: an incomplete or draft translation."""


class RenderError(LeafletsError):
    """A template or document that cannot be turned into a PDF."""
