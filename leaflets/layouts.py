"""Layouts beside the standard handout: large print, and bilingual handouts that pair
each message of the leaflet's body with its English source.

The bilingual layout works at the level of messages, so it needs nothing from a
leaflet's template: every paragraph, list item, label and heading the template
translates prints as two blocks, the patient's language first and English after
it, each marked with its own ``lang`` and ``dir``. A heading and its translation,
a warning sign and its English, can then never be pages apart or out of step.
The phone numbers, the fever threshold and the day counts are the same clinic
values in both halves, each formatted for its half's reader ("38,3 °C (101 °F)"
beside "101°F (38.3°C)"), so the two languages cannot disagree.
"""

from __future__ import annotations

import gettext
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from .locale import LocaleInfo


class Bilingual(str):
    """A value filled into a message (a temperature, a number of days), with the same
    value formatted for the English half of a bilingual handout: "38,3 °C (101 °F)"
    for a Spanish reader is "101°F (38.3°C)" for an English one."""

    english: str

    def __new__(cls, value: str, english: str) -> Bilingual:
        obj = super().__new__(cls, value)
        obj.english = english
        return obj


def _fill(text: str, variables: dict[str, Any], english: bool) -> Markup:
    """What Jinja's new-style gettext does with a message: the text is markup that
    passed the catalog checks, the values are escaped as they are filled in."""
    if english:
        variables = {k: getattr(v, "english", v) for k, v in variables.items()}
    return Markup(text) % variables


class Pairing:
    """The gettext functions of one handout. In the standard and large-print layouts
    they do what Jinja's new-style gettext does; in a bilingual handout, while pairing
    is on, each message comes out twice: the patient's language, then the source.

    Pairing is switched on by the page frame for the leaflet's body only: the footer,
    page numbers, notices and the document title stay in the patient's language. A
    message whose translation is the source text itself ("Cryoablation") prints once.
    """

    def __init__(
        self,
        translations: gettext.NullTranslations,
        loc: LocaleInfo,
        source: LocaleInfo,
        bilingual: bool = False,
    ) -> None:
        self.translations = translations
        self.loc = loc
        self.source = source
        self.bilingual = bilingual
        self.pairing = False

    def start(self) -> str:
        """Called from the template where the leaflet's body begins."""
        self.pairing = self.bilingual
        return ""

    def stop(self) -> str:
        """Called from the template where the leaflet's body ends."""
        self.pairing = False
        return ""

    def pair(self, translated: str, english: str, variables: dict[str, Any]) -> Markup:
        patient = _fill(translated, variables, english=False)
        if not self.pairing or translated == english:
            return patient
        return in_both_languages(
            patient, _fill(english, variables, english=True), self.loc, self.source
        )

    def install(self, env: Environment) -> None:
        """Install the four gettext functions as Jinja's i18n extension expects them
        (new style: the template passes the message's values as keyword arguments)."""
        tr = self.translations

        @pass_context
        def gettext_(context: Context, message: str, **variables: Any) -> Markup:
            return self.pair(tr.gettext(message), message, variables)

        @pass_context
        def ngettext_(
            context: Context, singular: str, plural: str, num: int, **variables: Any
        ) -> Markup:
            variables.setdefault("num", num)
            english = singular if num == 1 else plural
            return self.pair(tr.ngettext(singular, plural, num), english, variables)

        @pass_context
        def pgettext_(context: Context, ctx: str, message: str, **variables: Any) -> Markup:
            return self.pair(tr.pgettext(ctx, message), message, variables)

        @pass_context
        def npgettext_(
            context: Context, ctx: str, singular: str, plural: str, num: int, **variables: Any
        ) -> Markup:
            variables.setdefault("num", num)
            english = singular if num == 1 else plural
            return self.pair(tr.npgettext(ctx, singular, plural, num), english, variables)

        env.globals.update(
            gettext=gettext_,
            _=gettext_,
            ngettext=ngettext_,
            pgettext=pgettext_,
            npgettext=npgettext_,
        )
        # The i18n extension compiles {% trans %} blocks for new-style functions.
        env.newstyle_gettext = True  # type: ignore[attr-defined]


def in_both_languages(translated: str, english: str, loc: LocaleInfo, source: LocaleInfo) -> Markup:
    """A message in both languages, each half a block of its own language and direction
    (the title and subtitle, and every message the pairing fills in). Plain strings are
    escaped; Markup (a filled-in message) is kept."""
    if translated == english:
        return Markup("{}").format(translated)
    return Markup(
        '<span class="pair pair-patient" lang="{}" dir="{}">{}</span>'
        '<span class="pair pair-source" lang="{}" dir="{}">{}</span>'
    ).format(loc.bcp47, loc.direction, translated, source.bcp47, source.direction, english)


def tag_languages() -> None:
    """Give the PDF's structure elements the language of their HTML element.

    WeasyPrint 70 writes one ``/Lang`` for the whole document (from ``<html lang>``),
    so a screen reader would read the English half of a bilingual handout with the
    patient's language's voice. This wraps WeasyPrint's structure-tree builder (a
    private function, hence the test that reads ``/Lang`` from the parts) to add
    ``/Lang`` to each element whose HTML element has a ``lang`` of its own.
    """
    # Lazy: WeasyPrint is imported only by processes that render (see render.py).
    import pydyf
    from weasyprint.pdf import tags

    original = tags._build_box_tree
    if getattr(original, "_leaflets_lang", False):
        return

    def build(box: Any, parent: Any, pdf: Any, *args: Any) -> Any:
        element = getattr(box, "element", None)
        lang = None
        if element is not None and getattr(box, "element_tag", None) not in ("html", "body"):
            lang = element.get("lang")
        for item in original(box, parent, pdf, *args):
            if lang and "Lang" not in item:
                item["Lang"] = pydyf.String(lang)
            yield item

    build._leaflets_lang = True  # type: ignore[attr-defined]
    tags._build_box_tree = build
