"""Reading one TOML file and collecting every problem in it (``path: key: message``)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from ..errors import LeafletsError

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TOML_LINE_RE = re.compile(r"line (\d+)")


class FileProblems:
    """Collects problems found in one file."""

    def __init__(self, path: Path, root: Path) -> None:
        try:
            self.path: Path | str = path.relative_to(root)
        except ValueError:
            self.path = path
        self.items: list[LeafletsError] = []

    def add(self, key: str, message: str) -> None:
        self.items.append(LeafletsError(f"{key}: {message}", self.path))

    def get(
        self, data: dict[str, Any], key: str, kind: type | tuple[type, ...], prefix: str = ""
    ) -> Any:
        name = f"{prefix}{key}"
        if key not in data:
            self.add(name, "missing")
            return None
        value = data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            wanted = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            self.add(name, f"must be a {wanted}, not {type(value).__name__}")
            return None
        return value

    def unknown(self, data: dict[str, Any], allowed: set[str], prefix: str = "") -> None:
        for key in sorted(set(data) - allowed):
            self.add(f"{prefix}{key}", "unknown key")


def read_toml(path: Path, root: Path, problems: list[LeafletsError]) -> dict[str, Any] | None:
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        problems.append(LeafletsError("file not found", shown))
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE_RE.search(str(exc))
        line = int(match.group(1)) if match else None
        problems.append(LeafletsError(f"invalid TOML: {exc}", shown, line))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(LeafletsError(f"cannot read: {exc}", shown))
    return None
