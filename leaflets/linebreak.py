"""Line-break opportunities between words for scripts written without spaces.

Thai, Lao, Khmer and Burmese put no spaces between words. Pango 1.50 finds
break opportunities in Thai with libthai's dictionary, but none inside a run
of Khmer or Burmese: a sentence is one unbreakable "word" that runs out of
the text area. Nor should a line break anywhere between two letters, which
would cut a word in two.

ICU's word segmentation (dictionary based, through PyICU) finds the words;
a ZERO WIDTH SPACE (U+200B) between two of them gives the layout a break
opportunity there and draws nothing. It is inserted at render time, into the
translated text only, so translators never type it and the catalogs never
hold it (``leaflets check`` reports hidden characters typed into a catalog).
The PDF's text layer leaves it out (textlayer/): copied text has none.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import cache

import icu

from .locale import LocaleInfo

ZWSP = "\u200b"

# Scripts written without spaces between words, and whose breaks need a dictionary
# (UAX 14's class SA): Thai, Lao, Myanmar (and its extensions), Khmer, Tai Tham.
_RUNS = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\u1a20-\u1aaf\ua9e0-\ua9ff\uaa60-\uaa7f]+"
)
SCRIPTS = {"Thai", "Laoo", "Khmr", "Mymr", "Lana"}


@cache
def _word_breaker(language: str) -> icu.BreakIterator:
    return icu.BreakIterator.createWordInstance(icu.Locale(language))


def word_boundaries(text: str, language: str) -> list[int]:
    """ICU's word boundaries in ``text`` (string offsets; ``text`` lies in the Basic
    Multilingual Plane, where ICU's UTF-16 offsets are string offsets)."""
    breaker = _word_breaker(language)
    breaker.setText(text)
    return list(breaker)


def _letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def insert_breaks(text: str, language: str) -> str:
    """``text`` with a ZERO WIDTH SPACE at every word boundary inside a run of a
    script written without spaces, between two letters (never before a mark or a
    punctuation sign such as ។ or ။, which must not start a line)."""

    def run(match: re.Match[str]) -> str:
        chunk = match.group(0)
        cuts = [
            i
            for i in word_boundaries(chunk, language)
            if 0 < i < len(chunk)
            and _letter(chunk[i - 1])
            and unicodedata.category(chunk[i]) in ("Lo", "Lu", "Ll")
        ]
        if not cuts:
            return chunk
        pieces = [chunk[a:b] for a, b in zip([0, *cuts], [*cuts, len(chunk)], strict=True)]
        return ZWSP.join(pieces)

    return _RUNS.sub(run, text)


def needs_breaks(loc: LocaleInfo) -> bool:
    return loc.script in SCRIPTS


class WordBreaks(gettext.NullTranslations):
    """Translations whose text gets word-break opportunities (see the module)."""

    def __init__(self, translated: gettext.NullTranslations, loc: LocaleInfo) -> None:
        super().__init__()
        self.translated = translated
        self.language = loc.babel.language

    def _breaks(self, text: str) -> str:
        return insert_breaks(text, self.language)

    def gettext(self, message: str) -> str:
        return self._breaks(self.translated.gettext(message))

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self._breaks(self.translated.ngettext(msgid1, msgid2, n))

    def pgettext(self, context: str, message: str) -> str:
        return self._breaks(self.translated.pgettext(context, message))

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self._breaks(self.translated.npgettext(context, msgid1, msgid2, n))
