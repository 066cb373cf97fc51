"""What a handout request asks for, checked: every name against the project, the
patient fields, and the policies that refuse a handout (an incomplete translation,
a draft in the print edition). Nothing here renders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .catalog import LoadedCatalog, ReviewStatus
from .config import EDITIONS, LAYOUTS, PAPERS, PATIENT_FIELDS, Brand, Leaflet, Project, Variant
from .errors import PolicyRefusal, UnknownChoiceError, UsageProblem
from .locale import LocaleInfo, locale_info

MAX_FIELD_LENGTH = 200


@dataclass(frozen=True)
class BuildRequest:
    leaflet: str
    variant: str
    lang: str
    paper: str
    edition: str = "clinic"
    brand: str | None = None
    fields: tuple[tuple[str, str], ...] = ()  # (key, value) pairs: the request stays hashable
    allow_incomplete: bool = False
    allow_draft: bool = False  # print edition only: the clinic edition marks drafts instead
    marks: bool = False  # print edition only: crop marks in the bleed
    layout: str = "standard"  # standard, large-print or bilingual

    def filename(self) -> str:
        name = f"{self.leaflet}_{self.variant}_{self.lang}_{self.paper}_{self.edition}"
        if self.layout != "standard":
            name += f"_{self.layout}"
        return name + ".pdf"


@dataclass(frozen=True)
class Resolved:
    """A request checked against the project: every name exists."""

    request: BuildRequest
    leaflet: Leaflet
    variant: Variant
    brand: Brand
    loc: LocaleInfo


class LayoutProblem(UsageProblem):
    """A layout that cannot be used with the chosen language (bilingual with the source
    language). ``reason`` speaks of choices, not options, for the desk and the API."""

    field = "layout"

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class FieldProblem(UsageProblem):
    """A patient field whose value cannot be used. ``reason`` never repeats the value (the
    desk shows it to anyone and logs nothing else); the CLI's message does, for the user
    who typed it."""

    def __init__(self, key: str, reason: str, raw: str | None = None) -> None:
        self.field = key
        self.reason = reason
        shown = f", got {raw!r}" if raw is not None else ""
        super().__init__(f"--field {key}: {reason}{shown}")


def resolve(project: Project, request: BuildRequest) -> Resolved:
    """Check every name in a request; raise UnknownChoiceError listing the valid values."""
    leaflet = project.leaflet(request.leaflet)
    variant = leaflet.variant(request.variant)
    languages = project.languages(leaflet.id)
    if request.lang not in languages:
        raise UnknownChoiceError("language", request.lang, languages)
    if request.paper not in PAPERS:
        raise UnknownChoiceError("paper", request.paper, PAPERS)
    if request.edition not in EDITIONS:
        raise UnknownChoiceError("edition", request.edition, EDITIONS)
    if request.layout not in LAYOUTS:
        raise UnknownChoiceError("layout", request.layout, LAYOUTS)
    source = project.settings.source_language
    if request.layout == "bilingual" and request.lang == source:
        raise LayoutProblem(
            f"--layout bilingual pairs English with the patient's language, and --lang "
            f"{request.lang} is English itself: choose the patient's language, e.g. --lang es",
            "the bilingual layout prints English beside the patient's language, and this "
            "language is English itself: choose the patient's language, or another layout",
        )
    brand = project.brand(request.brand)
    for key, _ in request.fields:
        if key not in PATIENT_FIELDS:
            raise UnknownChoiceError("field", key, PATIENT_FIELDS)
    loc = locale_info(request.lang)
    format_fields(dict(request.fields), loc)  # a bad value fails here, before any rendering
    return Resolved(request, leaflet, variant, brand, loc)


# --- patient fields -----------------------------------------------------------------------


_FIELD_WANTED = {
    "procedure_date": "a date like 2026-12-01",
    "arrival_time": "a time like 07:30 or a date and time like 2026-12-01 22:00",
    "fasting_start": "a time like 07:30 or a date and time like 2026-12-01 22:00",
}


def _format_field(key: str, raw: str, loc: LocaleInfo) -> str:
    value = raw.strip()
    if len(value) > MAX_FIELD_LENGTH:
        raise FieldProblem(key, f"longer than {MAX_FIELD_LENGTH} characters")
    if not value:
        return ""
    try:
        if key == "procedure_date":
            return loc.date(dt.date.fromisoformat(value))
        if key in ("arrival_time", "fasting_start"):
            if " " in value or "T" in value:
                stamp = dt.datetime.fromisoformat(value)
                return f"{loc.date(stamp.date())} {loc.time(stamp.time())}"
            return loc.time(dt.time.fromisoformat(value))
    except ValueError:
        raise FieldProblem(key, f"expected {_FIELD_WANTED[key]}", raw) from None
    return value


def format_fields(fields: Mapping[str, str], loc: LocaleInfo) -> dict[str, str]:
    """Every patient field, as the handout prints it (dates and times in the reader's
    way); a field left out is empty (a line to write on)."""
    out = dict.fromkeys(PATIENT_FIELDS, "")
    for key, raw in fields.items():
        out[key] = _format_field(key, raw, loc)
    return out


def field_problems(fields: Mapping[str, str], lang: str) -> list[FieldProblem]:
    """Every patient field that cannot be used, not only the first: for a form that
    marks each one. Unknown names are problems too."""
    loc = locale_info(lang)
    problems = []
    for key, raw in fields.items():
        if key not in PATIENT_FIELDS:
            problems.append(FieldProblem(key, "unknown field"))
            continue
        try:
            _format_field(key, raw, loc)
        except FieldProblem as exc:
            problems.append(exc)
    return problems


# --- policies -----------------------------------------------------------------------------


def refuse_incomplete(r: Resolved, catalog: LoadedCatalog, shown: Path | None) -> None:
    """No mixed-language handout by accident: untranslated or fuzzy messages would
    print in English, which only --allow-incomplete accepts."""
    if not catalog.complete and not r.request.allow_incomplete:
        raise PolicyRefusal(catalog.incomplete_message(shown or ""))


def refuse_stale(r: Resolved, missing: list[tuple[str | None, str]], shown: Path | None) -> None:
    """Messages the templates use that the catalog does not have at all (a stale
    catalog) would print in English too: the same policy applies."""
    if missing and not r.request.allow_incomplete:
        raise PolicyRefusal(
            f"incomplete translation: {len(missing)} messages of the templates are not "
            "in the catalog (run `leaflets update`), e.g. "
            f"{missing[0][1][:60]!r}; or build with --allow-incomplete",
            shown,
        )


def refuse_draft(r: Resolved, review: ReviewStatus, shown: Path | None) -> None:
    """The print edition goes to a vendor: a draft only with --allow-draft (it keeps its
    mark). The clinic edition marks drafts instead."""
    if r.request.edition == "print" and review.is_draft and not r.request.allow_draft:
        raise PolicyRefusal(
            "draft translation, not yet reviewed by a qualified medical translator "
            f"({review.unsealed} of {review.total} messages it prints are not sealed; see "
            f"`leaflets review status --lang {r.request.lang}`): the print edition refuses "
            "drafts (use --allow-draft to print it with its draft mark)",
            shown,
        )
