"""Layouts beside the standard handout: large print, and bilingual handouts that pair
each message of the leaflet's body with its English source.

The bilingual layout works at the level of messages, so it needs nothing from a
leaflet's template: every paragraph, list item, label and heading the template
translates prints as two blocks, the patient's language first and English after
it, each marked with its own ``lang`` and ``dir``. A heading and its translation,
a warning sign and its English, can then never be pages apart or out of step,
and the phone numbers and the fever threshold are the same placeholders filled
once for both halves, so the two languages cannot disagree.
"""

from __future__ import annotations

import gettext
from typing import Any

from markupsafe import Markup, escape

from .locale import LocaleInfo


class PairedTranslations(gettext.NullTranslations):
    """Translations that, while pairing is on, return both languages of a message.

    Pairing is switched on by the page frame for the leaflet's body only: the
    footer, page numbers, notices and the document title stay as they are. The
    returned text is HTML (as every translation is, once its markup has passed the
    catalog checks); Jinja fills the placeholders of both halves afterwards.
    """

    def __init__(self, translated: gettext.NullTranslations, loc: LocaleInfo) -> None:
        super().__init__()
        self.translated = translated
        self.loc = loc
        self.pairing = False

    def start(self) -> str:
        """Called from the template where the leaflet's body begins."""
        self.pairing = True
        return ""

    def stop(self) -> str:
        """Called from the template where the leaflet's body ends."""
        self.pairing = False
        return ""

    def _pair(self, translated: str, english: str) -> str:
        if not self.pairing:
            return translated
        attrs = f'lang="{escape(self.loc.bcp47)}" dir="{self.loc.direction}"'
        return (
            f'<span class="pair pair-patient" {attrs}>{translated}</span>'
            f'<span class="pair pair-english" lang="en" dir="ltr">{english}</span>'
        )

    def gettext(self, message: str) -> str:
        return self._pair(self.translated.gettext(message), message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        english = msgid1 if n == 1 else msgid2
        return self._pair(self.translated.ngettext(msgid1, msgid2, n), english)

    def pgettext(self, context: str, message: str) -> str:
        return self._pair(self.translated.pgettext(context, message), message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        english = msgid1 if n == 1 else msgid2
        return self._pair(self.translated.npgettext(context, msgid1, msgid2, n), english)


class NoPairing:
    """The standard and large-print layouts: the template's switches do nothing."""

    def start(self) -> str:
        return ""

    def stop(self) -> str:
        return ""


def paired_title(translated: str, english: str, loc: LocaleInfo) -> Markup:
    """The title or subtitle of a bilingual handout, in both languages."""
    return Markup(
        '<span class="pair pair-patient" lang="{}" dir="{}">{}</span>'
        '<span class="pair pair-english" lang="en" dir="ltr">{}</span>'
    ).format(loc.bcp47, loc.direction, translated, english)


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
