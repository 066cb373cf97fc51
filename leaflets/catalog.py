"""Gettext catalogs: extraction from templates, loading for rendering.

The only module that reads or writes ``.po`` files (through polib and Babel).
"""

from __future__ import annotations

import gettext
import io
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.plurals import get_plural
from babel.messages.pofile import write_po
from jinja2 import Environment, TemplateSyntaxError

from .checks import check_po_bytes
from .config import Leaflet, Project
from .errors import CatalogError, LeafletsError
from .files import write_atomic
from .fonts import coverage
from .locale import locale_info
from .templating import make_environment

COMMENT_TAGS = ["Translators:"]
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true", "newstyle_gettext": "true"}
# Contexts of messages that come from leaflet.toml rather than a template.
TITLE_CONTEXT = "leaflet title"
VARIANT_CONTEXT = "variant label"

# A leaflet's catalog is tens of kilobytes; a bigger one is a mistake or an attack.
MAX_CATALOG_BYTES = 2 * 1024 * 1024
# No message of a leaflet needs more; a longer translation would only blow up layout.
MAX_MESSAGE_CHARS = 4000

# A summary of the review ledger that `leaflets review sign` writes; never the source of
# the status, which `leaflets.review` derives from the ledger (see review.py).
REVIEW_STATUS = "X-Review-Status"
REVIEWED_BY = "X-Reviewed-By"
REVIEW_DATE = "X-Review-Date"


# --- loading for rendering ----------------------------------------------------------------


@dataclass(frozen=True)
class ReviewStatus:
    """Derived from the review ledger (``leaflets.review``), never from a header."""

    status: str  # "source", "draft" or "reviewed"
    reviewer: str = ""  # who signed last
    date: str = ""  # when
    sealed: int = 0  # messages sealed, of
    total: int = 0  # the messages counted (a catalog's, or those a handout prints)

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def unsealed(self) -> int:
        return self.total - self.sealed


class Translations(gettext.NullTranslations):
    """Translated, non-fuzzy messages of one catalog; anything else falls back to English."""

    def __init__(
        self, messages: dict[tuple[str | None, str], list[str]], plural_forms: str = ""
    ) -> None:
        super().__init__()
        self._messages = messages
        self.missing: set[tuple[str | None, str]] = set()
        # The catalog's own plural rule (checked valid by `checks`); English's otherwise.
        match = re.search(r"plural\s*=\s*([^;]+)", plural_forms)
        self._rule = gettext.c2py(match.group(1)) if match else (lambda n: int(n != 1))
        # Every translated message looked up: what the handout prints, whose seals
        # decide whether it is reviewed.
        self.used: set[tuple[str | None, str]] = set()

    def _lookup(self, context: str | None, msgid: str, plural: str | None, n: int) -> str:
        forms = self._messages.get((context, msgid))
        if forms is None:
            self.missing.add((context, msgid))
            return msgid if plural is None or n == 1 else plural
        self.used.add((context, msgid))
        index = 0 if len(forms) == 1 else min(self._plural(n), len(forms) - 1)
        return forms[index]

    def _plural(self, n: int) -> int:
        return int(self._rule(n))

    def gettext(self, message: str) -> str:
        return self._lookup(None, message, None, 1)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self._lookup(None, msgid1, msgid2, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._lookup(context, message, None, 1)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self._lookup(context, msgid1, msgid2, n)


@dataclass
class LoadedCatalog:
    translations: gettext.NullTranslations
    # A translation is a draft until the renderer has derived the status of the handout
    # from the review ledger (``review.handout_review``).
    review: ReviewStatus
    untranslated: int = 0
    fuzzy: int = 0
    path: Path | None = None
    unusable_lines: list[int] = field(default_factory=list)  # fuzzy or untranslated entries

    @property
    def complete(self) -> bool:
        return not (self.untranslated or self.fuzzy)

    def incomplete_message(self, shown: str | Path) -> str:
        lines = ", ".join(str(n) for n in self.unusable_lines[:8])
        more = ", ..." if len(self.unusable_lines) > 8 else ""
        parts = []
        if self.untranslated:
            parts.append(f"{self.untranslated} untranslated")
        if self.fuzzy:
            parts.append(f"{self.fuzzy} fuzzy (need checking)")
        return (
            f"{shown}: incomplete translation: {' and '.join(parts)} messages "
            f"(lines {lines}{more}); translate them, or build with --allow-incomplete "
            "to print those messages in English with a notice on every page"
        )


def read_po(
    path: Path,
    shown: str | Path,
    *,
    coverage: frozenset[int] | None = None,
    language: str | None = None,
    strict: bool = False,
) -> tuple[polib.POFile, str]:
    """Parse a catalog (and its text); any defect becomes a CatalogError naming the file
    and line. ``strict``: also refuse every error `leaflets check` would report, with
    the language's glyph ``coverage`` and expected ``language``."""
    try:
        size = path.stat().st_size
        if size > MAX_CATALOG_BYTES:
            raise CatalogError(
                f"catalog is {size:,} bytes, more than the limit of {MAX_CATALOG_BYTES:,}", shown
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"cannot read catalog: {exc.strerror}", shown) from None
    errors = [
        p
        for p in check_po_bytes(raw, str(shown), coverage=coverage, expected_language=language)
        if p.severity == "error"
    ]
    # polib guesses its way through truncated strings and stray lines: let the
    # checker's stricter reading decide whether the file is a catalog at all.
    fatal = [p for p in errors if p.code in ("syntax", "encoding", "charset", "duplicate")]
    if fatal:
        raise CatalogError(fatal[0].message, shown, fatal[0].line)
    if strict and errors:
        # Catalogs are untrusted input: a translation with a wrong placeholder, foreign
        # markup, a changed number, a bidi control or a glyph the fonts lack is never
        # rendered, even when nobody ran `leaflets check`.
        more = f" (and {len(errors) - 1} more; run `leaflets check`)" if len(errors) > 1 else ""
        raise CatalogError(f"{errors[0].code}: {errors[0].message}{more}", shown, errors[0].line)
    text = raw.decode("utf-8")
    return polib.pofile(text, encoding="utf-8"), text


def parse_po(path: Path, shown: str | Path) -> polib.POFile:
    """Parse a catalog; any defect that makes it unreadable is a CatalogError."""
    return read_po(path, shown)[0]


@dataclass(frozen=True)
class _Parsed:
    messages: dict[tuple[str | None, str], list[str]]
    plural_forms: str
    untranslated: int
    fuzzy: int
    unusable: list[int]


_PARSED: dict[tuple[Path, int, int], _Parsed] = {}


def load_catalog(project: Project, leaflet: Leaflet, lang: str) -> LoadedCatalog:
    """Translations for rendering ``leaflet`` in ``lang``.

    Fuzzy and obsolete entries are never used, and a catalog with any error that
    `leaflets check` would report is refused.
    """
    if lang == project.settings.source_language:
        return LoadedCatalog(gettext.NullTranslations(), ReviewStatus("source"))
    path = project.catalog_path(leaflet.id, lang)
    shown = path.relative_to(project.root)
    if not path.is_file():
        raise CatalogError("no catalog for this language", shown)
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    parsed = _PARSED.get(key)
    if parsed is None:
        # Parsing and checking a catalog once per process is enough: a batch renders
        # the same catalog for every variant, paper and edition.
        parsed = _parse_for_rendering(project, path, shown, lang)
        _PARSED[key] = parsed
    return LoadedCatalog(
        Translations(parsed.messages, parsed.plural_forms),
        ReviewStatus("draft"),
        parsed.untranslated,
        parsed.fuzzy,
        path,
        parsed.unusable,
    )


def _parse_for_rendering(project: Project, path: Path, shown: Path, lang: str) -> _Parsed:
    cover = coverage(project.fonts_dir, locale_info(lang).font_stack)
    po, text = read_po(path, shown, coverage=cover, language=lang, strict=True)
    lines = text.split("\n")

    def msgid_line(entry: polib.POEntry) -> int:
        """The line of the entry's msgid (polib counts from its first comment), as
        `leaflets check` reports it."""
        for number in range(entry.linenum, min(len(lines), entry.linenum + 200) + 1):
            if lines[number - 1].startswith("msgid "):
                return number
        return int(entry.linenum)

    messages: dict[tuple[str | None, str], list[str]] = {}
    untranslated = fuzzy = 0
    unusable: list[int] = []
    for entry in po:
        if entry.obsolete or (not entry.msgid and not entry.msgctxt):
            continue
        if entry.fuzzy:
            fuzzy += 1
            unusable.append(msgid_line(entry))
            continue
        if entry.msgid_plural:
            forms = [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
        else:
            forms = [entry.msgstr]
        if not all(forms):
            untranslated += 1
            unusable.append(msgid_line(entry))
            continue
        longest = max(len(form) for form in forms)
        if longest > MAX_MESSAGE_CHARS:
            raise CatalogError(
                f"translation of {longest:,} characters, more than the limit of "
                f"{MAX_MESSAGE_CHARS:,}",
                shown,
                msgid_line(entry),
            )
        messages[(entry.msgctxt, entry.msgid)] = forms
    return _Parsed(
        messages,
        po.metadata.get("Plural-Forms", ""),
        untranslated,
        fuzzy,
        unusable,
    )


# --- extraction ---------------------------------------------------------------------------


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


def render_pot(catalog: Catalog, shown: str | Path) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, omit_header=False, include_lineno=True)
    return gnu_format(buf.getvalue(), shown)


# Header lines that tools rewrite by themselves (a new date, another Babel or Poedit
# version): they never make a catalog stale on their own.
_VOLATILE_POT = ("POT-Creation-Date", "PO-Revision-Date", "Generated-By", "X-Generator")
_VOLATILE_PO = ("POT-Creation-Date", "Generated-By", "X-Generator")


def _volatile_lines(names: Iterable[str]) -> re.Pattern[bytes]:
    alternatives = b"|".join(re.escape(name.encode()) for name in names)
    return re.compile(rb'^"(?:' + alternatives + rb'): [^"]*\\n"\n', re.MULTILINE)


_VOLATILE_POT_LINES = _volatile_lines(_VOLATILE_POT)
_VOLATILE_PO_LINES = _volatile_lines(_VOLATILE_PO)


def same_pot(old: bytes, new: bytes) -> bool:
    """Whether two templates hold the same messages and meaningful headers."""
    return _VOLATILE_POT_LINES.sub(b"", old) == _VOLATILE_POT_LINES.sub(b"", new)


def same_po(old: bytes, new: bytes) -> bool:
    """Whether two catalogs differ only in header lines tools rewrite by themselves."""
    return _VOLATILE_PO_LINES.sub(b"", old) == _VOLATILE_PO_LINES.sub(b"", new)


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


def init_catalog(project: Project, leaflet: Leaflet, lang: str) -> Path:
    """Start a catalog for ``lang`` from the leaflet's ``.pot``: language, plural forms
    from CLDR, and a draft review status. Refuses to overwrite an existing catalog."""
    info = locale_info(lang)
    path = project.catalog_path(leaflet.id, lang)
    shown = path.relative_to(project.root)
    if path.exists():
        raise CatalogError("catalog exists already; use `leaflets update`", shown)
    pot = pot_path(project, leaflet)
    if not pot.is_file():
        raise CatalogError(
            "no template; run `leaflets extract` first", pot.relative_to(project.root)
        )
    po = parse_po(pot, pot.relative_to(project.root))
    plural = get_plural(info.babel)
    po.header = (
        f"{info.display_name} translation of the {leaflet.id} patient leaflet.\n"
        "Machine-assisted draft: must be reviewed by a qualified medical translator."
    )
    po.metadata.update(
        {
            "Project-Id-Version": f"{leaflet.id} {leaflet.version}",
            "PO-Revision-Date": po.metadata.get("POT-Creation-Date", ""),
            "Last-Translator": "",
            "Language-Team": "",
            "Language": lang,
            "Plural-Forms": f"nplurals={plural.num_plurals}; plural={plural.plural_expr};",
            REVIEW_STATUS: "draft",
            REVIEWED_BY: "",
            REVIEW_DATE: "",
        }
    )
    po.metadata.pop("Generated-By", None)
    write_atomic(path, render_po(po, shown))
    return shown


def gnu_format(data: bytes, shown: str | Path) -> bytes:
    """Lay a catalog out exactly as GNU gettext does (line wrapping, escapes), so that
    Poedit, Weblate and msgmerge see no churn in the files we write."""
    msgcat = shutil.which("msgcat")
    if msgcat is None:
        raise CatalogError("GNU gettext's msgcat is needed to write catalogs; run `make setup`")
    proc = subprocess.run(
        [msgcat, "--to-code=UTF-8", "-"], input=data, capture_output=True, check=False
    )
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CatalogError(f"msgcat refused the catalog: {' '.join(message)[:300]}", shown)
    return proc.stdout


def render_po(po: polib.POFile, shown: str | Path) -> bytes:
    # polib would re-wrap comment lines its own way; leave all wrapping to msgcat.
    po.wrapwidth = 10_000
    return gnu_format((str(po) + "\n").encode("utf-8"), shown)


def catalogs(
    project: Project, langs: Iterable[str] | None = None
) -> list[tuple[Leaflet, str, Path]]:
    """(leaflet, language, path) of every catalog in the project, or of ``langs`` only."""
    wanted = set(langs) if langs else None
    found = []
    for leaflet in project.leaflets.values():
        for lang in project.languages(leaflet.id):
            if lang == project.settings.source_language:
                continue
            if wanted is None or lang in wanted:
                found.append((leaflet, lang, project.catalog_path(leaflet.id, lang)))
    return found


def merge_catalog(po_path: Path, pot: Path, shown: str | Path) -> bytes:
    """The catalog merged with the template, as GNU msgmerge writes it.

    New messages come in empty; a changed English message is matched to its old
    translation and marked fuzzy with the previous msgid kept (``#|``) so the
    translator sees what changed; messages gone from the template are kept as
    obsolete (``#~``). Fuzzy entries are never rendered.
    """
    msgmerge = shutil.which("msgmerge")
    if msgmerge is None:
        raise CatalogError("GNU gettext's msgmerge is needed to update catalogs; run `make setup`")
    parse_po(po_path, shown)  # a broken catalog is reported with its line, before merging
    proc = subprocess.run(
        [msgmerge, "--quiet", "--previous", "--output-file=-", str(po_path), str(pot)],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        message = " ".join(proc.stderr.decode("utf-8", "replace").split())
        raise CatalogError(f"msgmerge failed: {message[:300]}", shown)
    return proc.stdout


def update_catalogs(
    project: Project, langs: Iterable[str] | None = None, write: bool = True
) -> list[Path]:
    """Merge each leaflet's ``.pot`` into its catalogs; return those that changed (or would)."""
    changed = []
    for leaflet, _lang, path in catalogs(project, langs):
        shown = path.relative_to(project.root)
        pot = pot_path(project, leaflet)
        if not pot.is_file():
            raise CatalogError(
                "no template; run `leaflets extract` first", pot.relative_to(project.root)
            )
        new = merge_catalog(path, pot, shown)
        if not same_po(path.read_bytes(), new):
            changed.append(shown)
            if write:
                write_atomic(path, new)
    return changed


@dataclass(frozen=True)
class CatalogStats:
    leaflet: str
    lang: str
    path: str
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    translated_words: int
    fuzzy_words: int
    untranslated_words: int

    @property
    def percent(self) -> float:
        total = self.translated + self.fuzzy + self.untranslated
        return 100.0 * self.translated / total if total else 100.0


def _words(entry: polib.POEntry) -> int:
    return len(entry.msgid.split())


def catalog_stats(project: Project, leaflet: Leaflet, lang: str, path: Path) -> CatalogStats:
    """Message and word counts, counted the way ``msgfmt --statistics`` counts messages:
    a fuzzy entry with no translation counts as untranslated, the header not at all."""
    shown = path.relative_to(project.root)
    po = parse_po(path, shown)
    translated = fuzzy = untranslated = 0
    t_words = f_words = u_words = obsolete = 0
    for entry in po:
        if entry.obsolete:
            obsolete += 1
            continue
        if not entry.msgid and not entry.msgctxt:
            continue
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        filled = bool(forms) and all(forms)
        if entry.fuzzy and filled:
            fuzzy += 1
            f_words += _words(entry)
        elif filled:
            translated += 1
            t_words += _words(entry)
        else:
            untranslated += 1
            u_words += _words(entry)
    return CatalogStats(
        leaflet.id,
        lang,
        str(shown),
        translated,
        fuzzy,
        untranslated,
        obsolete,
        t_words,
        f_words,
        u_words,
    )
