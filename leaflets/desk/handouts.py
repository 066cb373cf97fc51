"""One handout request at the desk, from the form or the API: its values checked, then
rendered through the engine, giving the handout or every problem by field.

Messages never repeat a patient's details, and nothing here logs them: a failed
handout, or one WeasyPrint warned about, is named by its file name, which holds only
the choices.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..api import Handout, Offer, handout_request, request_problems
from ..config import PATIENT_FIELDS, Project
from ..errors import LeafletsError, PolicyRefusal, UnknownChoiceError
from ..render import BuildRequest, LayoutProblem
from .engine import Engine, RenderTimeout

log = logging.getLogger("leaflets.desk")

# Names of the choices, as the form and the API call them, for errors from `resolve`.
_CHOICE_FIELDS = {
    "leaflet": "leaflet",
    "variant": "variant",
    "language": "lang",
    "paper": "paper",
    "edition": "edition",
    "layout": "layout",
    "field": "fields",
}
FIELD_LABELS = {
    "patient": "Patient's name",
    "procedure_date": "Date of the procedure",
    "arrival_time": "Arrival time",
    "doctor": "Doctor",
    "fasting_start": "Stop eating and drinking from",
    "medicines_to_stop": "Medicines to stop",
}


class BadParameter(Exception):
    """A parameter the desk does not know, or one it cannot read: 400, naming it."""

    def __init__(self, name: str | None, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass
class Problems:
    """Errors of one request, by field name ('' for the request as a whole)."""

    items: dict[str, str] = field(default_factory=dict)
    status: int = 422

    def add(self, name: str, message: str) -> None:
        self.items.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.items)

    def as_json(self) -> list[dict[str, str | None]]:
        return [{"field": k or None, "message": v} for k, v in self.items.items()]


def single_values(data: Any, allowed: Iterable[str]) -> dict[str, str]:
    """A MultiDict of form or query values -> one string per name; an unknown name or
    a name given twice is a bad parameter (never silently ignored)."""
    allowed = set(allowed)
    out: dict[str, str] = {}
    for name, values in data.lists():
        if name not in allowed:
            raise BadParameter(str(name)[:40], f"unknown parameter {str(name)[:40]!r}")
        if len(values) != 1:
            raise BadParameter(name, f"{name} is given more than once")
        out[name] = values[0]
    return out


def make_handout(
    project: Project,
    offer: Offer,
    values: Mapping[str, str],
    engine: Engine,
    allow_draft: bool = False,
    api: bool = False,
) -> Handout | Problems:
    """Check a request's choices and fields, then render it: the handout, or every
    problem found, by field. Messages never repeat a patient's details."""
    problems = Problems()
    prefix = "fields." if api else ""
    leaflet = offer.leaflet(values.get("leaflet", ""))
    if leaflet is None:
        problems.add(
            "leaflet",
            "Choose a leaflet."
            if not values.get("leaflet")
            else "No such leaflet; choose one from the list.",
        )
    for key, message in (
        ("variant", "Choose the procedure variant."),
        ("lang", "Choose the patient's language."),
    ):
        if not values.get(key):
            problems.add(key, message)
    if problems:
        return problems
    assert leaflet is not None
    request = handout_request(
        project,
        leaflet.id,
        values["variant"],
        values["lang"],
        values.get("paper") or None,
        values.get("edition") or None,
        {k: values.get(k, "") for k in PATIENT_FIELDS if values.get(k)},
        allow_incomplete=values.get("allow_incomplete") == "1",
        allow_draft=allow_draft,
        layout=values.get("layout") or None,
    )
    try:
        for problem in request_problems(project, request):
            label = FIELD_LABELS.get(problem.field, problem.field)
            problems.add(f"{prefix}{problem.field}", f"{label}: {problem.reason}.")
    except UnknownChoiceError as exc:
        name = _CHOICE_FIELDS.get(exc.kind, exc.kind)
        valid = ", ".join(exc.valid)
        problems.add(name, f"No such {exc.kind}; valid values: {valid}.")
    except LayoutProblem as exc:
        # The library's rule (resolve), in the words of the choices on the form.
        problems.add(exc.field, exc.reason[:1].upper() + exc.reason[1:] + ".")
    if problems:
        return problems
    return _render(engine, request, api)


def _render(engine: Engine, request: BuildRequest, api: bool) -> Handout | Problems:
    try:
        made = engine.render(request)
    except PolicyRefusal as exc:
        problems = Problems(status=409)
        problems.add("lang", _refusal_words(exc.message, request, api))
        return problems
    except RenderTimeout as exc:
        log.warning("render timed out: %s", request.filename())
        problems = Problems(status=503)
        problems.add("", f"The handout could not be made in time ({exc.message}). Try again.")
        return problems
    except LeafletsError as exc:
        # The message may quote characters of the patient's details (a glyph no font
        # has): neither logged nor shown; the file name says which handout failed.
        log.error("render failed: %s", request.filename())
        problems = Problems(status=500)
        if "cannot draw" in exc.message and request.fields:
            problems.status = 422
            problems.add(
                "",
                "The handout's fonts cannot print some characters typed in the patient "
                "details (for example emoji or another alphabet). Remove them and try again.",
            )
        else:
            problems.add(
                "",
                "The handout could not be made. Tell the person who looks after the "
                "leaflets; `leaflets build` with the same choices shows the reason.",
            )
        return problems
    log_warnings(made, request)
    return made


def log_warnings(made: Handout, request: BuildRequest) -> None:
    """WeasyPrint's warnings about a handout, logged here in the server: the renderer
    processes log nowhere. Each is named by the handout's file name; one that contains
    a value typed in the patient's details is not repeated, only counted as there."""
    typed = [value.strip() for _, value in request.fields if value.strip()]
    values = {*typed, *(html.escape(value) for value in typed)}  # as typed, as in the HTML
    for warning in made.warnings:
        if any(value in warning for value in values):
            log.warning("%s: a WeasyPrint warning that quotes patient details", made.filename)
        else:
            log.warning("%s: %s", made.filename, warning)


def _refusal_words(message: str, request: BuildRequest, api: bool) -> str:
    if request.edition == "print" and "draft" in message and "incomplete" not in message:
        return (
            "This translation is a draft, not yet reviewed by a qualified medical translator: "
            "the print-vendor edition refuses drafts. Choose the clinic edition (it prints "
            "the draft with a mark on every page)" + (", or set allow_draft." if api else ".")
        )
    how = (
        "set allow_incomplete to print it with a notice on every page"
        if api
        else "tick “Print an incomplete translation anyway” to print it with a notice on "
        "every page, or choose another language"
    )
    return f"This translation is incomplete: some text would print in English. To go on, {how}."
