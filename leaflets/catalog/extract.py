"""Extraction: every message of a leaflet's templates and leaflet.toml into its ``.pot``
(Babel's Jinja2 extractor), with translator comments, contexts and references."""

from __future__ import annotations

import io
import tomllib
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from jinja2 import Environment, TemplateSyntaxError

from ..config import Leaflet, Project
from ..errors import LeafletsError
from ..files import write_atomic
from ..templating import make_environment
from .writing import render_pot, same_pot

COMMENT_TAGS = ["Translators:"]
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true", "newstyle_gettext": "true"}
# Contexts of messages that come from leaflet.toml rather than a template.
TITLE_CONTEXT = "leaflet title"
VARIANT_CONTEXT = "variant label"


def _extract_leaflet_toml(leaflet: Leaflet) -> Iterator[tuple[int, str, str, list[str]]]:
    """(line, context, message, comments) for the title and variant labels."""
    path = leaflet.folder / "leaflet.toml"
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)

    def line_of(value: str) -> int:
        needle = f'"{value}"'
        for number, line in enumerate(text.splitlines(), 1):
            if needle in line:
                return number
        return 1

    yield (
        line_of(data["title"]),
        TITLE_CONTEXT,
        data["title"],
        ["The leaflet's title, printed large on page 1 and in the PDF's title."],
    )
    for vid, vdata in data["variants"].items():
        yield (
            line_of(vdata["label"]),
            VARIANT_CONTEXT,
            vdata["label"],
            [f"Name of the {vid} procedure variant, printed under the title."],
        )


def template_files(project: Project, leaflet: Leaflet) -> list[Path]:
    """The templates whose messages belong to this leaflet's catalog."""
    return [project.templates_dir / "base.html.j2", leaflet.folder / "leaflet.html.j2"]


def extract_catalog(project: Project, leaflet: Leaflet, env: Environment) -> Catalog:
    """Every message of a leaflet, with translator comments, contexts and references.

    Babel's Jinja2 extractor yields nothing for a template with a syntax error, so
    each template is parsed first and a syntax error is raised with file and line.
    """
    catalog = Catalog(
        project=leaflet.id,
        version=leaflet.version,
        fuzzy=False,
        charset="utf-8",
        header_comment=(
            f"# Messages of the {leaflet.id} patient leaflet.\n"
            "# Made by `leaflets extract` from the templates: do not edit by hand.\n#"
        ),
        copyright_holder="the leaflets project",
        msgid_bugs_address="",
    )
    for path in template_files(project, leaflet):
        rel = path.relative_to(project.root).as_posix()
        source = path.read_text(encoding="utf-8")
        try:
            env.parse(source, path.name, str(path))
        except TemplateSyntaxError as exc:
            raise LeafletsError(f"template syntax error: {exc.message}", rel, exc.lineno) from None
        fileobj = io.BytesIO(source.encode("utf-8"))
        for lineno, message, comments, context in extract(
            "jinja2",
            fileobj,
            comment_tags=COMMENT_TAGS,
            options=JINJA_OPTIONS,
            strip_comment_tags=True,
        ):
            # Template comments are indented like the markup around them: one line each.
            comments = [" ".join(" ".join(comments).split())] if comments else []
            catalog.add(message, None, [(rel, lineno)], auto_comments=comments, context=context)
    rel_toml = (leaflet.folder / "leaflet.toml").relative_to(project.root).as_posix()
    for lineno, context, message, comments in _extract_leaflet_toml(leaflet):
        catalog.add(message, None, [(rel_toml, lineno)], auto_comments=comments, context=context)
    return catalog


def pot_path(project: Project, leaflet: Leaflet) -> Path:
    return project.locales_dir / f"{leaflet.domain}.pot"


def extract_all(project: Project, write: bool = True) -> list[Path]:
    """Bring every leaflet's ``.pot`` up to date; return the files that were (or would be)
    changed. A file whose messages did not change is not rewritten, so its date stays."""
    env = make_environment(project)
    stale = []
    for leaflet in project.leaflets.values():
        path = pot_path(project, leaflet)
        new = render_pot(extract_catalog(project, leaflet, env), path.name)
        old = path.read_bytes() if path.is_file() else None
        if old is not None and same_pot(old, new):
            continue
        stale.append(path.relative_to(project.root))
        if write:
            write_atomic(path, new)
    return stale
