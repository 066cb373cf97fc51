"""The review seal: a ledger of the exact text a qualified reviewer signed.

Beside each catalog ``locales/<lang>/LC_MESSAGES/<leaflet>.po`` lives its ledger
``<leaflet>.review.toml``: one ``[[seal]]`` per signed message with its context,
English (singular and plural), translation (every form), a fingerprint of those
strings, who signed and when. Review status is derived from it, never typed:

- a message is *sealed* when it is translated, not fuzzy, and its fingerprint equals
  the one in the ledger; *changed* when the ledger has a seal for it (or, for a fuzzy
  entry msgmerge made from a changed English message, for its previous English) but
  the text differs; *never* sealed otherwise;
- a handout is reviewed when every translated message it prints is sealed;
- the ``X-Review-*`` headers are a summary that signing writes; a header that claims
  more than the ledger shows is an error (`leaflets check`, `leaflets review check`).

Fingerprints depend on the parsed strings only, so re-wrapping, re-ordering and
comment or reference changes (msgcat, msgmerge, Poedit, Weblate) keep a seal, and any
change to the English or the translation breaks it.

A seal is a record kept in version control, not a cryptographic signature: anyone
who can write to the repository can write a ledger. Git history is the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import textwrap
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polib
from lxml import etree
from translate.storage import xliff

from .catalog import (
    REVIEW_DATE,
    REVIEW_STATUS,
    REVIEWED_BY,
    TITLE_CONTEXT,
    VARIANT_CONTEXT,
    ReviewStatus,
    catalog_stats,
    catalogs,
    read_po,
    render_po,
)
from .checks import ERROR, Problem, check_po_bytes
from .config import Leaflet, Project
from .errors import CatalogError, LeafletsError, UnknownChoiceError, UsageProblem
from .files import write_atomic
from .fonts import coverage
from .locale import locale_info

LEDGER_SUFFIX = ".review.toml"
LEDGER_FORMAT = 1
# The header `sign` writes beside the three X-Review-* lines: "sealed of total".
REVIEW_SEALED = "X-Review-Sealed"

SEALED = "sealed"
CHANGED = "changed"
NEVER = "never"
STATES = (SEALED, CHANGED, NEVER)

# XLIFF 1.2 target states that mean a reviewer accepted the text.
SIGNED_STATES = ("signed-off", "final")
XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"

Key = tuple[str | None, str]  # (msgctxt, msgid): a message's identity in gettext


# --- fingerprints -------------------------------------------------------------------------


def fingerprint(
    context: str | None, source: str, source_plural: str, translation: Sequence[str]
) -> str:
    """The seal of one message: a hash of its parsed strings and nothing else (no
    wrapping, position, comments, references or flags)."""
    payload = json.dumps(
        ["leaflets-seal-1", context, source, source_plural, list(translation)],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Seal:
    """One signed message as the ledger records it."""

    context: str | None
    source: str
    source_plural: str
    translation: tuple[str, ...]
    reviewer: str
    date: dt.date
    credential: str = ""
    line: int = field(default=0, compare=False)  # of its [[seal]] in the ledger

    @property
    def key(self) -> Key:
        return (self.context, self.source)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.context, self.source, self.source_plural, self.translation)


@dataclass(frozen=True)
class Message:
    """One live (not obsolete) message of a catalog, as the reviewer sees it."""

    context: str | None
    source: str
    source_plural: str
    translation: tuple[str, ...]
    fuzzy: bool
    line: int  # of its msgid
    references: tuple[str, ...] = ()
    comment: str = ""
    previous: Key | None = None  # msgmerge's #| msgctxt/msgid of a fuzzy entry

    @property
    def key(self) -> Key:
        return (self.context, self.source)

    @property
    def translated(self) -> bool:
        return bool(self.translation) and all(self.translation)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.context, self.source, self.source_plural, self.translation)

    @property
    def signable(self) -> bool:
        """Only a complete, non-fuzzy translation can be sealed."""
        return self.translated and not self.fuzzy


@dataclass(frozen=True)
class MessageReview:
    message: Message
    state: str  # SEALED, CHANGED or NEVER
    seal: Seal | None = None  # the seal it has, or had before it changed

    def as_dict(self) -> dict[str, Any]:
        m = self.message
        data: dict[str, Any] = {
            "line": m.line,
            "context": m.context,
            "source": m.source,
            "source_plural": m.source_plural or None,
            "translation": list(m.translation),
            "fuzzy": m.fuzzy,
            "state": self.state,
        }
        if self.seal is not None:
            data["sealed_by"] = self.seal.reviewer
            data["sealed_on"] = self.seal.date.isoformat()
        return data


def _messages(po: polib.POFile, text: str) -> list[Message]:
    lines = text.split("\n")
    msgid_lines = [n for n, line in enumerate(lines, 1) if line.startswith("msgid ")]

    def msgid_line(entry: polib.POEntry) -> int:
        start = int(entry.linenum or 1)
        return next((n for n in msgid_lines if n >= start), start)

    found = []
    for entry in po:
        if entry.obsolete or (not entry.msgid and not entry.msgctxt):
            continue
        if entry.msgid_plural:
            forms = tuple(str(entry.msgstr_plural[k]) for k in sorted(entry.msgstr_plural))
        else:
            forms = (str(entry.msgstr),)
        previous = None
        if entry.previous_msgid:
            previous = (entry.previous_msgctxt or None, str(entry.previous_msgid))
        found.append(
            Message(
                context=None if entry.msgctxt is None else str(entry.msgctxt),
                source=str(entry.msgid),
                source_plural=str(entry.msgid_plural or ""),
                translation=forms,
                fuzzy=bool(entry.fuzzy),
                line=msgid_line(entry),
                references=tuple(
                    f"{path}:{line}" if line else str(path) for path, line in entry.occurrences
                ),
                comment=str(entry.comment or ""),
                previous=previous,
            )
        )
    return found


# --- the ledger file ----------------------------------------------------------------------


def ledger_path(catalog: Path) -> Path:
    """``.../cryoablation.po`` -> ``.../cryoablation.review.toml``."""
    return catalog.with_name(catalog.stem + LEDGER_SUFFIX)


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _seal_order(seal: Seal) -> tuple[str, int, str, str]:
    return (seal.context or "", seal.context is not None, seal.source, seal.source_plural)


def render_ledger(seals: Iterable[Seal], catalog_name: str) -> bytes:
    """The ledger as TOML: one table per message, in a fixed order, so that a change
    to one seal is a change to a few lines in git."""
    out = [
        f"# Review ledger of {catalog_name}: the exact text qualified reviewers signed.",
        "# Written by `leaflets review sign` and `leaflets review import`; do not edit by hand.",
        "# A record kept in version control, not a cryptographic signature (see SECURITY.md).",
        f"format = {LEDGER_FORMAT}",
    ]
    for seal in sorted(seals, key=_seal_order):
        out += ["", "[[seal]]"]
        if seal.context is not None:
            out.append(f"context = {_toml_string(seal.context)}")
        out.append(f"source = {_toml_string(seal.source)}")
        if seal.source_plural:
            out.append(f"source_plural = {_toml_string(seal.source_plural)}")
        if len(seal.translation) == 1:
            out.append(f"translation = [{_toml_string(seal.translation[0])}]")
        else:
            out.append("translation = [")
            out += [f"  {_toml_string(form)}," for form in seal.translation]
            out.append("]")
        out.append(f"fingerprint = {_toml_string(seal.fingerprint)}")
        out.append(f"reviewer = {_toml_string(seal.reviewer)}")
        if seal.credential:
            out.append(f"credential = {_toml_string(seal.credential)}")
        out.append(f"date = {seal.date.isoformat()}")
    return ("\n".join(out) + "\n").encode("utf-8")


_SEAL_HEADER = re.compile(r"^\s*\[\[\s*seal\s*\]\]\s*(#.*)?$")
_TOML_PLACE = re.compile(r"\(at line (\d+), column \d+\)")


def read_ledger(path: Path, shown: str | Path) -> list[Seal]:
    """The seals of a ledger (none when there is no ledger). A ledger that does not
    parse, or whose record does not match its fingerprint, is a CatalogError naming
    the file and line."""
    if not path.is_file():
        return []
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read review ledger: {exc.strerror}", shown) from None
    except UnicodeDecodeError as exc:
        bad = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise CatalogError("review ledger is not valid UTF-8", shown, bad) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_PLACE.search(str(exc))
        message = _TOML_PLACE.sub("", str(exc)).strip()
        where = int(match.group(1)) if match else None
        raise CatalogError(f"review ledger does not parse: {message}", shown, where) from None
    starts = [n for n, row in enumerate(text.splitlines(), 1) if _SEAL_HEADER.match(row)]
    if data.get("format") != LEDGER_FORMAT:
        raise CatalogError(
            f"review ledger: expected format = {LEDGER_FORMAT}, got {data.get('format')!r}",
            shown,
            _line_of(text, "format") or 1,
        )
    unknown = set(data) - {"format", "seal"}
    if unknown:
        name = sorted(unknown)[0]
        raise CatalogError(f"review ledger: unknown key {name!r}", shown, _line_of(text, name))
    records = data.get("seal", [])
    if not isinstance(records, list):
        raise CatalogError("review ledger: seal must be an array of tables", shown)
    seals: list[Seal] = []
    seen: dict[Key, int] = {}
    for index, record in enumerate(records):
        at = starts[index] if index < len(starts) else None
        seal = _seal_from(record, shown, at)
        if seal.key in seen:
            raise CatalogError(
                f"review ledger: a second seal for the same message (first at line "
                f"{seen[seal.key]})",
                shown,
                at,
            )
        seen[seal.key] = at or 0
        seals.append(seal)
    return seals


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return None


def _seal_from(record: object, shown: str | Path, line: int | None) -> Seal:
    def fail(message: str) -> CatalogError:
        return CatalogError(f"review ledger: {message}", shown, line)

    if not isinstance(record, dict):
        raise fail("each seal must be a table")
    known = {
        "context",
        "source",
        "source_plural",
        "translation",
        "fingerprint",
        "reviewer",
        "credential",
        "date",
    }
    extra = set(record) - known
    if extra:
        raise fail(f"unknown key {sorted(extra)[0]!r} in a seal")
    for name in ("source", "translation", "fingerprint", "reviewer", "date"):
        if name not in record:
            raise fail(f"a seal without {name}")
    for name in ("context", "source", "source_plural", "fingerprint", "reviewer", "credential"):
        if name in record and not isinstance(record[name], str):
            raise fail(f"{name} must be a string")
    forms = record["translation"]
    if not isinstance(forms, list) or not forms or not all(isinstance(f, str) for f in forms):
        raise fail("translation must be a list of strings")
    if not isinstance(record["date"], dt.date) or isinstance(record["date"], dt.datetime):
        raise fail("date must be a date like 2026-11-30")
    if not record["reviewer"].strip():
        raise fail("reviewer is empty")
    seal = Seal(
        context=record.get("context"),
        source=record["source"],
        source_plural=record.get("source_plural", ""),
        translation=tuple(forms),
        reviewer=record["reviewer"],
        date=record["date"],
        credential=record.get("credential", ""),
        line=line or 0,
    )
    if seal.fingerprint != record["fingerprint"]:
        raise fail("the fingerprint does not match the sealed text (edited by hand?)")
    return seal


# --- derived status -----------------------------------------------------------------------


def classify(messages: Iterable[Message], seals: Iterable[Seal]) -> list[MessageReview]:
    by_key = {seal.key: seal for seal in seals}
    reviews = []
    for message in messages:
        seal = by_key.get(message.key)
        if seal is None and message.fuzzy and message.previous is not None:
            seal = by_key.get(message.previous)
        if seal is None:
            reviews.append(MessageReview(message, NEVER))
        elif message.signable and seal.fingerprint == message.fingerprint:
            reviews.append(MessageReview(message, SEALED, seal))
        else:
            reviews.append(MessageReview(message, CHANGED, seal))
    return reviews


@dataclass(frozen=True)
class CatalogReview:
    """The derived review status of one catalog, message by message."""

    leaflet: str
    lang: str
    path: str  # the catalog, relative to the project
    ledger: str  # its ledger, relative to the project
    messages: tuple[MessageReview, ...]
    seals: tuple[Seal, ...]  # every seal of the ledger, current or not
    header: dict[str, str] = field(default_factory=dict)  # what the X-Review-* lines say
    header_line: int | None = None

    def count(self, state: str) -> int:
        return sum(1 for m in self.messages if m.state == state)

    @property
    def sealed(self) -> int:
        return self.count(SEALED)

    @property
    def changed(self) -> int:
        return self.count(CHANGED)

    @property
    def never(self) -> int:
        return self.count(NEVER)

    @property
    def total(self) -> int:
        return len(self.messages)

    @property
    def reviewed(self) -> bool:
        return self.total > 0 and self.sealed == self.total

    def last_seal(self, states: Sequence[str] = (SEALED,)) -> Seal | None:
        """The most recent current seal: who signed last, and when."""
        seals = [m.seal for m in self.messages if m.seal is not None and m.state in states]
        return max(seals, key=lambda s: (s.date, s.reviewer), default=None)

    def reviewers(self) -> list[str]:
        """Reviewers of the current seals, the most recent first."""
        latest: dict[str, dt.date] = {}
        for m in self.messages:
            if m.state == SEALED and m.seal is not None:
                name = m.seal.reviewer
                latest[name] = max(latest.get(name, m.seal.date), m.seal.date)
        return sorted(latest, key=lambda n: (-latest[n].toordinal(), n))

    def status(self) -> ReviewStatus:
        last = self.last_seal()
        return ReviewStatus(
            "reviewed" if self.reviewed else "draft",
            last.reviewer if last else "",
            last.date.isoformat() if last else "",
            sealed=self.sealed,
            total=self.total,
        )

    def summary_headers(self) -> dict[str, str]:
        """The X-Review-* lines `sign` writes: a summary of the ledger, never the source
        of the status."""
        last = self.last_seal()
        return {
            REVIEW_STATUS: "reviewed" if self.reviewed else "draft",
            REVIEWED_BY: "; ".join(self.reviewers()),
            REVIEW_DATE: last.date.isoformat() if last else "",
            REVIEW_SEALED: f"{self.sealed} of {self.total}",
        }

    def as_dict(self) -> dict[str, Any]:
        last = self.last_seal()
        return {
            "leaflet": self.leaflet,
            "lang": self.lang,
            "path": self.path,
            "ledger": self.ledger,
            "total": self.total,
            "sealed": self.sealed,
            "changed": self.changed,
            "never_sealed": self.never,
            "reviewed": self.reviewed,
            "last_signed_by": last.reviewer if last else None,
            "last_signed_on": last.date.isoformat() if last else None,
        }


def _header_line(text: str) -> int | None:
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith('"X-Review-') or line.startswith('"X-Reviewed-'):
            return number
    return None


_CACHE: dict[tuple[object, ...], CatalogReview] = {}


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def catalog_path(project: Project, leaflet: Leaflet, lang: str) -> Path:
    """The catalog of ``lang``; an unknown language or a missing catalog is an error."""
    if lang == project.settings.source_language:
        raise UsageProblem(f"{lang} is the source language: it has no catalog to review")
    path = project.catalog_path(leaflet.id, lang)
    if not path.is_file():
        known = {code for _, code, _ in catalogs(project)} | set(project.settings.languages)
        if lang not in known:
            raise UnknownChoiceError("language", lang, known - {project.settings.source_language})
        raise CatalogError(
            f"no catalog for {lang}; start one with `leaflets init {lang}`",
            path.relative_to(project.root),
        )
    return path


def catalog_review(project: Project, leaflet: Leaflet, lang: str) -> CatalogReview:
    """The derived review status of a catalog (read once per change of the catalog or its
    ledger)."""
    path = catalog_path(project, leaflet, lang)
    ledger = ledger_path(path)
    key = (path, _file_key(path), _file_key(ledger))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    shown = path.relative_to(project.root)
    po, text = read_po(path, shown)
    review = _review_of(project, leaflet, lang, path, po, text)
    _CACHE[key] = review
    return review


def _review_of(
    project: Project, leaflet: Leaflet, lang: str, path: Path, po: polib.POFile, text: str
) -> CatalogReview:
    ledger = ledger_path(path)
    ledger_shown = ledger.relative_to(project.root)
    seals = read_ledger(ledger, ledger_shown)
    header = {k: str(v).strip() for k, v in po.metadata.items() if k.startswith("X-Review")}
    return CatalogReview(
        leaflet.id,
        lang,
        str(path.relative_to(project.root)),
        str(ledger_shown),
        tuple(classify(_messages(po, text), seals)),
        tuple(seals),
        header,
        _header_line(text),
    )


def _status_of(printed: Sequence[MessageReview]) -> ReviewStatus:
    sealed = [m for m in printed if m.state == SEALED]
    last = max((m.seal for m in sealed if m.seal), key=lambda s: (s.date, s.reviewer), default=None)
    reviewed = bool(printed) and len(sealed) == len(printed)
    return ReviewStatus(
        "reviewed" if reviewed else "draft",
        last.reviewer if last else "",
        last.date.isoformat() if last else "",
        sealed=len(sealed),
        total=len(printed),
    )


def handout_review(
    project: Project, leaflet: Leaflet, lang: str, printed: Iterable[Key]
) -> ReviewStatus:
    """The status of one handout: reviewed only when every message of the catalog that
    it prints (``printed``, as the renderer looked them up) is sealed. A fuzzy or
    untranslated message printed in English is never sealed; a message the catalog
    does not have at all (a stale catalog) is English text, not a translation."""
    review = catalog_review(project, leaflet, lang)
    wanted = set(printed)
    return _status_of([m for m in review.messages if m.message.key in wanted])


def variant_keys(leaflet: Leaflet, variant_id: str, review: CatalogReview) -> set[Key]:
    """The messages one variant's handout may print, read from the catalog alone: those
    without a context or with the variant's own, the title and the variant's label.
    It includes the notices only a draft prints, so it is never more generous than the
    renderer, which records exactly what a handout prints."""
    variant = leaflet.variant(variant_id)
    others = {v.id for v in leaflet.variants} - {variant.id}
    keys = set()
    for m in review.messages:
        ctx = m.message.context
        if ctx in others:
            continue
        if ctx == VARIANT_CONTEXT and m.message.source != variant.label:
            continue
        if ctx is None or ctx in (variant.id, TITLE_CONTEXT, VARIANT_CONTEXT):
            keys.add(m.message.key)
    return keys


def variant_reviews(leaflet: Leaflet, review: CatalogReview) -> dict[str, ReviewStatus]:
    """Per variant, the status of its handouts without rendering them (for listings
    and the desk): see ``variant_keys``."""
    found = {}
    for variant in leaflet.variants:
        keys = variant_keys(leaflet, variant.id, review)
        found[variant.id] = _status_of([m for m in review.messages if m.message.key in keys])
    return found


def project_reviews(project: Project, langs: Iterable[str] | None = None) -> list[CatalogReview]:
    """The review status of every catalog (or of ``langs``), for listings and the desk."""
    wanted = list(langs) if langs else None
    known = {code for _, code, _ in catalogs(project)}
    for lang in wanted or ():
        if lang not in known:
            # Raises the right error: an unknown language, or one without a catalog.
            catalog_path(project, next(iter(project.leaflets.values())), lang)
    return [catalog_review(project, lf, lang) for lf, lang, _ in catalogs(project, wanted)]


def language_status(project: Project, leaflet: Leaflet, lang: str) -> str:
    """One line for `leaflets list`: source, or percent translated, sealed of total and
    the derived review status."""
    if lang == project.settings.source_language:
        return "source language"
    try:
        stats = catalog_stats(project, leaflet, lang, project.catalog_path(leaflet.id, lang))
        review = catalog_review(project, leaflet, lang)
    except LeafletsError as exc:
        return f"unusable: {exc}"
    total = stats.translated + stats.fuzzy + stats.untranslated
    percent = 100 * stats.translated // total if total else 100
    text = f"{percent:3d}% translated"
    if stats.fuzzy:
        text += f", {stats.fuzzy} fuzzy"
    text += f", {review.sealed}/{review.total} sealed"
    last = review.last_seal()
    if review.reviewed and last is not None:
        text += f", reviewed (last signed by {last.reviewer} on {last.date.isoformat()})"
    else:
        text += ", DRAFT: not yet reviewed by a qualified medical translator"
    return text


# --- header claims ------------------------------------------------------------------------


def claim_problems(review: CatalogReview) -> list[Problem]:
    """A header that claims more than the ledger shows: reviewed while messages are not
    sealed, more sealed messages than there are, a reviewer or date no seal has."""
    header = review.header
    where = review.path
    line = review.header_line
    problems = []

    def add(message: str) -> None:
        problems.append(Problem(where, line, ERROR, "review-claim", message))

    status = header.get(REVIEW_STATUS, "").lower()
    unsealed = review.total - review.sealed
    if status == "reviewed" and not review.reviewed:
        add(
            f"{REVIEW_STATUS} says reviewed, but {unsealed} of {review.total} messages are not "
            f"sealed in {review.ledger}"
        )
    claimed = header.get(REVIEW_SEALED, "")
    match = re.fullmatch(r"(\d+)\s+of\s+(\d+)", claimed)
    if claimed and not match:
        add(f"{REVIEW_SEALED} should read 'N of M', not {claimed!r}")
    elif match and int(match.group(2)) - int(match.group(1)) < unsealed:
        # Fewer unsealed messages than there are (an obsolete message that drops out of
        # both counts claims nothing more).
        add(f"{REVIEW_SEALED} says {claimed}; the ledger seals {review.sealed} of {review.total}")
    names = [n.strip() for n in header.get(REVIEWED_BY, "").split(";") if n.strip()]
    current = set(review.reviewers())
    for name in names:
        if name not in current:
            add(f"{REVIEWED_BY} names {name!r}, who has no current seal in {review.ledger}")
    date = header.get(REVIEW_DATE, "")
    last = review.last_seal()
    if date and (last is None or date > last.date.isoformat()):
        seen = last.date.isoformat() if last else "none"
        add(f"{REVIEW_DATE} is {date}, later than the last current seal ({seen})")
    return problems


def change_problems(review: CatalogReview) -> list[Problem]:
    problems = []
    for m in review.messages:
        if m.state != CHANGED or m.seal is None:
            continue
        what = "marked fuzzy" if m.message.fuzzy else "changed"
        problems.append(
            Problem(
                review.path,
                m.message.line,
                ERROR,
                "review-changed",
                f"{what} since {m.seal.reviewer} sealed it on {m.seal.date.isoformat()}; "
                f"see `leaflets review diff --lang {review.lang}`",
                m.message.source,
            )
        )
    return problems


def check_reviews(project: Project, langs: Iterable[str] | None = None) -> list[Problem]:
    """Every catalog with text changed since its seal or a header that claims more than
    its ledger; a ledger or catalog that cannot be read is a problem too."""
    problems: list[Problem] = []
    for leaflet, lang, path in catalogs(project, langs):
        try:
            review = catalog_review(project, leaflet, lang)
        except LeafletsError as exc:
            problems.append(
                Problem(exc.path or str(path), exc.line, ERROR, "review-ledger", exc.message)
            )
            continue
        problems += change_problems(review) + claim_problems(review)
    return problems


def file_claim_problems(path: Path, shown: str, data: bytes) -> list[Problem]:
    """For `leaflets check PATH`: the header claims of any catalog against the ledger
    beside it (a catalog without a ledger has no seals)."""
    try:
        po = polib.pofile(data.decode("utf-8"), encoding="utf-8")
    except (UnicodeDecodeError, OSError, ValueError):
        return []  # the syntax checks report it
    text = data.decode("utf-8")
    ledger = ledger_path(path)
    try:
        seals = read_ledger(ledger, str(Path(shown).with_name(ledger.name)))
    except LeafletsError as exc:
        return [Problem(exc.path or shown, exc.line, ERROR, "review-ledger", exc.message)]
    header = {k: str(v).strip() for k, v in po.metadata.items() if k.startswith("X-Review")}
    review = CatalogReview(
        "",
        str(po.metadata.get("Language", "")),
        shown,
        str(Path(shown).with_name(ledger.name)),
        tuple(classify(_messages(po, text), seals)),
        tuple(seals),
        header,
        _header_line(text),
    )
    return claim_problems(review)


def sync_headers(project: Project, langs: Iterable[str] | None = None) -> list[str]:
    """Bring the X-Review-* summary of every catalog whose header claims more than its
    ledger (after `leaflets update` merged new English, say) back to what the ledger
    shows. Seals nothing; catalogs whose header is true are not touched."""
    wrote = []
    for leaflet, lang, path in catalogs(project, langs):
        review = catalog_review(project, leaflet, lang)
        if not claim_problems(review):
            continue
        shown = path.relative_to(project.root)
        po, _text = read_po(path, shown)
        po.metadata.update(review.summary_headers())
        write_atomic(path, render_po(po, shown))
        wrote.append(str(shown))
    return wrote


# --- signing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignResult:
    review: CatalogReview  # after signing
    signed: int  # seals written now
    skipped_fuzzy: int
    skipped_untranslated: int
    wrote: tuple[str, ...]  # files changed


def _read_strict(project: Project, path: Path, lang: str) -> tuple[polib.POFile, str]:
    """A catalog as the renderer reads it: any error `leaflets check` reports refuses it,
    so nobody seals text that could not be printed."""
    cover = coverage(project.fonts_dir, locale_info(lang).font_stack)
    return read_po(path, path.relative_to(project.root), coverage=cover, language=lang, strict=True)


def parse_date(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageProblem(f"--date: expected a date like 2026-11-30, got {text!r}") from None


def _clean_name(value: str, option: str) -> str:
    value = " ".join(value.split())
    if option == "--reviewer" and not value:
        raise UsageProblem(f"{option}: the name of the reviewer is needed")
    if len(value) > 200:
        raise UsageProblem(f"{option}: longer than 200 characters")
    return value


def pick_leaflet(project: Project, leaflet_id: str | None) -> Leaflet:
    if leaflet_id:
        return project.leaflet(leaflet_id)
    if len(project.leaflets) != 1:
        raise UsageProblem(
            f"--leaflet is needed; valid values: {', '.join(sorted(project.leaflets))}"
        )
    return next(iter(project.leaflets.values()))


def _store(
    project: Project,
    leaflet: Leaflet,
    lang: str,
    path: Path,
    po: polib.POFile,
    original: bytes,
    seals: list[Seal],
    ledger_before: bytes | None,
    *,
    summary: bool = True,
) -> tuple[CatalogReview, list[str]]:
    """Write the ledger and the catalog (laid out by msgcat; with ``summary``, its
    X-Review-* headers brought up to date) where they changed; return the new status
    and the files written."""
    shown = path.relative_to(project.root)
    ledger = ledger_path(path)
    if summary:
        text = render_po(po, shown).decode("utf-8")
        review = CatalogReview(
            leaflet.id,
            lang,
            str(shown),
            str(ledger.relative_to(project.root)),
            tuple(classify(_messages(polib.pofile(text, encoding="utf-8"), text), seals)),
            tuple(seals),
        )
        po.metadata.update(review.summary_headers())
    new_po = render_po(po, shown)
    new_ledger = render_ledger(seals, path.name) if seals or ledger_before is not None else None
    wrote = []
    if new_ledger is not None and new_ledger != ledger_before:
        write_atomic(ledger, new_ledger)
        wrote.append(str(ledger.relative_to(project.root)))
    if new_po != original:
        write_atomic(path, new_po)
        wrote.append(str(shown))
    return catalog_review(project, leaflet, lang), wrote


def sign(
    project: Project,
    leaflet: Leaflet,
    lang: str,
    reviewer: str,
    *,
    credential: str = "",
    date: dt.date | None = None,
    messages: str = "unsealed",
) -> SignResult:
    """Seal the translated, non-fuzzy messages of a catalog in the reviewer's name:
    ``all`` of them, or only the ``unsealed`` ones (changed or never sealed) that the
    reviewer has just read. Seals of messages the catalog no longer has are dropped
    (git keeps them). Writes the ledger and the summary headers."""
    if messages not in ("all", "unsealed"):
        raise UsageProblem(f"--messages: expected all or unsealed, got {messages!r}")
    reviewer = _clean_name(reviewer, "--reviewer")
    credential = _clean_name(credential, "--credential")
    path = catalog_path(project, leaflet, lang)
    original = path.read_bytes()
    po, text = _read_strict(project, path, lang)
    ledger = ledger_path(path)
    ledger_before = ledger.read_bytes() if ledger.is_file() else None
    current = classify(_messages(po, text), read_ledger(ledger, ledger.relative_to(project.root)))
    day = date or dt.date.today()
    seals: dict[Key, Seal] = {}
    signed = fuzzy = untranslated = 0
    for review in current:
        m = review.message
        if review.seal is not None:
            seals[review.seal.key] = review.seal  # kept unless re-signed below
        if m.fuzzy:
            fuzzy += 1
            continue
        if not m.translated:
            untranslated += 1
            continue
        if messages == "unsealed" and review.state == SEALED:
            continue
        if review.seal is not None:
            seals.pop(review.seal.key, None)
        seals[m.key] = Seal(
            m.context, m.source, m.source_plural, m.translation, reviewer, day, credential
        )
        signed += 1
    after, wrote = _store(
        project, leaflet, lang, path, po, original, list(seals.values()), ledger_before
    )
    return SignResult(after, signed, fuzzy, untranslated, tuple(wrote))


# --- diff ---------------------------------------------------------------------------------


def changed_messages(review: CatalogReview) -> list[MessageReview]:
    return [m for m in review.messages if m.state == CHANGED]


def _columns(left: str, right: str, width: int) -> Iterator[str]:
    half = max(20, (width - 3) // 2)
    a = textwrap.wrap(left, half) or [""]
    b = textwrap.wrap(right, half) or [""]
    for n in range(max(len(a), len(b))):
        x = a[n] if n < len(a) else ""
        y = b[n] if n < len(b) else ""
        yield f"{x.ljust(half)} | {y}".rstrip()


def format_diff(review: CatalogReview, width: int = 100) -> str:
    """Each message changed since it was sealed: the English, then the sealed and the
    current translation side by side."""
    blocks = []
    for m in changed_messages(review):
        seal = m.seal
        assert seal is not None
        msg = m.message
        where = f"{review.path}:{msg.line}"
        ctx = f"  [{msg.context}]" if msg.context else ""
        head = [f"{where}{ctx}" + ("  (fuzzy: needs the translator first)" if msg.fuzzy else "")]
        if seal.source != msg.source:
            head.append("English, when sealed:")
            head += ["  " + line for line in textwrap.wrap(seal.source, width - 2)]
            head.append("English, now:")
        else:
            head.append("English:")
        head += ["  " + line for line in textwrap.wrap(msg.source, width - 2)]
        if msg.source_plural:
            head += [
                "  " + line for line in textwrap.wrap(f"(plural) {msg.source_plural}", width - 2)
            ]
        left_title = f"sealed by {seal.reviewer} on {seal.date.isoformat()}"
        head.append(f"{left_title.ljust(max(20, (width - 3) // 2))} | now")
        forms = max(len(seal.translation), len(msg.translation))
        for n in range(forms):
            old = seal.translation[n] if n < len(seal.translation) else ""
            new = msg.translation[n] if n < len(msg.translation) else ""
            if forms > 1:
                head.append(f"[form {n}]")
            head += list(_columns(old, new, width))
        blocks.append("\n".join(head))
    return "\n\n".join(blocks)


# --- XLIFF --------------------------------------------------------------------------------


def _unit_id(key: Key, form: int | None) -> str:
    digest = hashlib.sha256(json.dumps(list(key), ensure_ascii=False).encode()).hexdigest()[:16]
    return f"m{digest}" if form is None else f"m{digest}[{form}]"


def _xliff_state(review: MessageReview) -> str:
    m = review.message
    if not m.translated:
        return "needs-translation"
    if m.fuzzy:
        return "needs-review-translation"
    return "signed-off" if review.state == SEALED else "translated"


def export_xliff(project: Project, leaflet: Leaflet, lang: str) -> bytes:
    """The catalog as XLIFF 1.2 for a CAT tool: one unit per message (per plural form),
    its state ``signed-off`` when sealed, ``translated`` when waiting for review,
    ``needs-review-translation`` when fuzzy. Contexts, references and translator
    comments go along as context groups and notes."""
    review = catalog_review(project, leaflet, lang)
    store = xliff.xlifffile(sourcelanguage="en", targetlanguage=lang.replace("_", "-"))
    for item in review.messages:
        m = item.message
        sources = (
            [m.source, *([m.source_plural] * (len(m.translation) - 1))]
            if m.source_plural
            else [m.source]
        )
        for n, source in enumerate(sources):
            unit = store.addsourceunit(source, filename=review.path, createifmissing=True)
            unit.setid(_unit_id(m.key, n if m.source_plural else None))
            target = m.translation[n] if n < len(m.translation) else ""
            if target:
                unit.target = target
                node = unit.getlanguageNode(lang=None, index=1)
                node.set("state", _xliff_state(item))
            unit.xmlelement.set("approved", "yes" if item.state == SEALED else "no")
            contexts = [("x-po-msgctxt", m.context)] if m.context is not None else []
            contexts += [("sourcefile", ref) for ref in m.references]
            if contexts:
                unit.createcontextgroup("po-entry", contexts, purpose="information")
            if m.comment:
                unit.addnote(m.comment, origin="developer")
    data: bytes = bytes(store)
    # translate-toolkit writes the XLIFF 1.1 namespace; the states we use are 1.2's.
    return data.replace(b"urn:oasis:names:tc:xliff:document:1.1", XLIFF_NS.encode()).replace(
        b'version="1.1"', b'version="1.2"', 1
    )


@dataclass(frozen=True)
class ImportResult:
    review: CatalogReview
    changed: int  # messages whose text came back different
    sealed: int  # messages sealed by this import
    wrote: tuple[str, ...]


def import_xliff(
    project: Project,
    source: Path,
    reviewer: str,
    *,
    credential: str = "",
    date: dt.date | None = None,
) -> ImportResult:
    """Bring an XLIFF file made by `export_xliff` back: changed text goes into the
    catalog (laid out by msgcat) and is unsealed unless its unit is signed-off or final;
    a signed-off or final unit seals its message in the importing reviewer's name. The
    result must pass every check a render would make. Nothing changed, nothing written."""
    reviewer = _clean_name(reviewer, "--reviewer")
    credential = _clean_name(credential, "--credential")
    shown_src = str(source)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror}", shown_src) from None
    try:
        store = xliff.xlifffile.parsestring(raw)
    except etree.XMLSyntaxError as exc:
        raise CatalogError(f"not an XLIFF file: {exc.msg}", shown_src, exc.lineno) from None
    except (ValueError, AssertionError):
        raise CatalogError("not an XLIFF file", shown_src) from None
    original = store.getfilenames()
    if len(original) != 1:
        raise CatalogError(
            "expected an XLIFF file with one <file> (made by `leaflets review export`)", shown_src
        )
    found = {str(p.relative_to(project.root)): (lf, lang, p) for lf, lang, p in catalogs(project)}
    if original[0] not in found:
        raise CatalogError(
            f"the file is for {original[0]!r}, not a catalog of this project", shown_src
        )
    leaflet, lang, path = found[original[0]]
    target_lang = store.gettargetlanguage() or ""
    if target_lang.replace("-", "_") != lang:
        raise CatalogError(f"target-language is {target_lang!r}, expected {lang}", shown_src)

    original_bytes = path.read_bytes()
    po, text = _read_strict(project, path, lang)
    ledger = ledger_path(path)
    ledger_before = ledger.read_bytes() if ledger.is_file() else None
    current = classify(_messages(po, text), read_ledger(ledger, ledger.relative_to(project.root)))
    by_id: dict[str, tuple[MessageReview, int | None]] = {}
    for item in current:
        m = item.message
        if m.source_plural:
            for n in range(len(m.translation)):
                by_id[_unit_id(m.key, n)] = (item, n)
        else:
            by_id[_unit_id(m.key, None)] = (item, None)

    # What came back, per message: its forms, and whether every unit was signed off.
    back: dict[Key, dict[int, tuple[str, str, int]]] = {}
    for unit in store.getunits():
        if unit.isheader():
            continue
        uid = str(unit.getid()).rsplit("\x04", 1)[-1]  # "<file>\x04<id>"
        line = int(unit.xmlelement.sourceline or 0) or None
        if uid not in by_id:
            raise CatalogError(
                f"unit {uid!r} is not a message of {original[0]} (exported from another version?)",
                shown_src,
                line,
            )
        item, form = by_id[uid]
        node = unit.getlanguageNode(lang=None, index=1)
        state = node.get("state", "") if node is not None else ""
        target = str(unit.target or "") if node is not None else None
        if target is None:
            continue  # no target came back: nothing to say about this message
        back.setdefault(item.message.key, {})[form or 0] = (target, state, line or 0)

    entries = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    unit_lines = {key[1]: min(v[2] for v in forms.values()) for key, forms in back.items()}
    seals = {s.key: s for s in (i.seal for i in current) if s is not None}
    day = date or dt.date.today()
    changed = sealed_now = 0
    touched = False
    for item in current:
        m = item.message
        forms = back.get(m.key)
        if not forms:
            continue
        new = list(m.translation)
        for n, (target, _state, _line) in forms.items():
            if n < len(new):
                new[n] = target
        states = {s for _t, s, _l in forms.values()}
        entry = entries[m.key]
        text_changed = tuple(new) != m.translation
        if text_changed:
            changed += 1
            touched = True
            if m.source_plural:
                for n, form_text in enumerate(new):
                    entry.msgstr_plural[n] = form_text
            else:
                entry.msgstr = new[0]
        signed_off = len(forms) == len(m.translation) and states <= set(SIGNED_STATES)
        wants_fuzzy = any(s.startswith("needs-") for s in states)
        if signed_off or "translated" in states:
            if entry.fuzzy:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
                touched = True
        elif wants_fuzzy and all(new) and not entry.fuzzy:
            entry.flags.append("fuzzy")
            touched = True
        # Already sealed with this very text: the seal stays as it is (and who made it).
        if signed_off and all(new) and not (item.state == SEALED and not text_changed):
            if item.seal is not None:
                seals.pop(item.seal.key, None)
            seals[m.key] = Seal(
                m.context, m.source, m.source_plural, tuple(new), reviewer, day, credential
            )
            sealed_now += 1
            touched = True
    if not touched:
        return ImportResult(catalog_review(project, leaflet, lang), 0, 0, ())

    shown = path.relative_to(project.root)
    # Imported text is untrusted: it must pass every check a render makes.
    candidate = render_po(po, shown)
    cover = coverage(project.fonts_dir, locale_info(lang).font_stack)
    errors = [
        p
        for p in check_po_bytes(candidate, str(shown), coverage=cover, expected_language=lang)
        if p.severity == ERROR
    ]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise CatalogError(
            f"refused, nothing imported: {first.code}: {first.message}{more}",
            shown_src,
            unit_lines.get(first.msgid or ""),
        )
    after, wrote = _store(
        project,
        leaflet,
        lang,
        path,
        polib.pofile(candidate.decode("utf-8"), encoding="utf-8"),
        original_bytes,
        list(seals.values()),
        ledger_before,
    )
    return ImportResult(after, changed, sealed_now, tuple(wrote))
