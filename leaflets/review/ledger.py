"""The review ledger file: seals, their fingerprints, and the ``.review.toml`` format.

Beside each catalog ``locales/<lang>/LC_MESSAGES/<leaflet>.po`` lives its ledger
``<leaflet>.review.toml``: one ``[[seal]]`` per signed message with its context,
English (singular and plural), translation (every form), a fingerprint of those
strings, who signed and when.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CatalogError

LEDGER_SUFFIX = ".review.toml"
LEDGER_FORMAT = 1

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
class MessageText:
    """What a seal covers: a message's context, English and every translated form,
    with its identity (``key``) and its ``fingerprint``. A catalog's message and a
    ledger's seal are both this text, and match when their fingerprints do."""

    context: str | None
    source: str
    source_plural: str
    translation: tuple[str, ...]

    @property
    def key(self) -> Key:
        return (self.context, self.source)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.context, self.source, self.source_plural, self.translation)


@dataclass(frozen=True)
class Seal(MessageText):
    """One signed message as the ledger records it."""

    reviewer: str
    date: dt.date
    credential: str = ""
    line: int = field(default=0, compare=False)  # of its [[seal]] in the ledger


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
