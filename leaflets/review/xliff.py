"""XLIFF 1.2 for translators' CAT tools: export a catalog with its review states, and
import a reviewed file back (checked like a render, sealing signed-off units)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import polib
from lxml import etree
from translate.storage import xliff

from ..catalog import catalogs, render_po
from ..checks import ERROR, check_po_bytes
from ..config import Leaflet, Project
from ..entries import FUZZY, UNTRANSLATED, translated
from ..errors import CatalogError
from ..fonts import language_coverage
from .ledger import Key, Seal, ledger_path, read_ledger
from .sign import clean_name, read_strict, store_review
from .status import SEALED, CatalogReview, MessageReview, catalog_review, classify, messages_of

# XLIFF 1.2 target states that mean a reviewer accepted the text.
SIGNED_STATES = ("signed-off", "final")
XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"


def _unit_id(key: Key, form: int | None) -> str:
    digest = hashlib.sha256(json.dumps(list(key), ensure_ascii=False).encode()).hexdigest()[:16]
    return f"m{digest}" if form is None else f"m{digest}[{form}]"


def _xliff_state(review: MessageReview) -> str:
    state = review.message.state
    if state == UNTRANSLATED:
        return "needs-translation"
    if state == FUZZY:
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
    reviewer = clean_name(reviewer, "--reviewer")
    credential = clean_name(credential, "--credential")
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
    po, text = read_strict(project, path, lang)
    ledger = ledger_path(path)
    ledger_before = ledger.read_bytes() if ledger.is_file() else None
    current = classify(messages_of(po, text), read_ledger(ledger, ledger.relative_to(project.root)))
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
        elif wants_fuzzy and translated(new) and not entry.fuzzy:
            entry.flags.append("fuzzy")
            touched = True
        # Already sealed with this very text: the seal stays as it is (and who made it).
        if signed_off and translated(new) and not (item.state == SEALED and not text_changed):
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
    cover = language_coverage(project.fonts_dir, lang)
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
    after, wrote = store_review(
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
