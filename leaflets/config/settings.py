"""leaflets.toml: the project's settings (source language, defaults, languages, the
print edition's output intent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import LeafletsError
from .model import OUTPUT_INTENTS, PAPERS, SETTINGS_FILE, Settings
from .reading import FileProblems, read_toml


def load_settings(root: Path, problems: list[LeafletsError]) -> Settings | None:
    path = root / SETTINGS_FILE
    data = read_toml(path, root, problems)
    if data is None:
        return None
    p = FileProblems(path, root)
    section = p.get(data, "project", dict)
    p.unknown(data, {"project", "print"})
    output_intent = _print_settings(p, data)
    if section is None:
        problems.extend(p.items)
        return None
    pre = "project."
    source = p.get(section, "source_language", str, pre)
    brand = p.get(section, "default_brand", str, pre)
    paper = p.get(section, "default_paper", str, pre)
    out_dir = p.get(section, "out_dir", str, pre)
    languages = p.get(section, "languages", list, pre)
    p.unknown(
        section, {"source_language", "default_brand", "default_paper", "out_dir", "languages"}, pre
    )
    if paper is not None and paper not in PAPERS:
        p.add(f"{pre}default_paper", f"must be one of {', '.join(PAPERS)}, not {paper!r}")
    if languages is not None and not all(isinstance(x, str) for x in languages):
        p.add(f"{pre}languages", "must be a list of language codes")
    problems.extend(p.items)
    if p.items:
        return None
    return Settings(source, brand, paper, out_dir, tuple(languages), output_intent)


def _print_settings(p: FileProblems, data: dict[str, Any]) -> str:
    """The optional ``[print]`` table; its problems join the file's others."""
    default = OUTPUT_INTENTS[0]
    section = data.get("print", {})
    if not isinstance(section, dict):
        p.add("print", f"must be a table, not {type(section).__name__}")
        return default
    p.unknown(section, {"output_intent"}, "print.")
    if "output_intent" not in section:
        return default
    value = p.get(section, "output_intent", str, "print.")
    if value is not None and value not in OUTPUT_INTENTS:
        p.add("print.output_intent", f"must be one of {', '.join(OUTPUT_INTENTS)}, not {value!r}")
        return default
    return value or default
