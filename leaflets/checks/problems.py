"""Problems found in catalogs: the codes a check reports, and how it names a character.

The located-problem type itself (:class:`~leaflets.errors.Problem`) is the one the
whole package shares; it is re-exported here for the checks.
"""

from __future__ import annotations

import unicodedata

from ..errors import ERROR, WARNING, Problem, Severity, sort_problems

__all__ = ["CODES", "ERROR", "WARNING", "Problem", "Severity", "char_name", "sort_problems"]

#: Every code a check can report, with what it means (for ``--help`` texts and docs).
CODES: dict[str, str] = {
    "io": "the catalog file cannot be read",
    "syntax": "the catalog cannot be parsed",
    "encoding": "the catalog is not valid UTF-8",
    "charset": "the header does not declare charset=UTF-8",
    "duplicate": "the same msgctxt and msgid twice",
    "language": "the header's Language is not the catalog's language",
    "placeholder": "placeholders differ between msgid and msgstr",
    "markup": "msgstr markup is broken or differs from the msgid's",
    "number": "a number of the msgid is missing from the msgstr",
    "number-extra": "the msgstr has a number the msgid does not have (warning)",
    "bidi-control": "the msgstr has an invisible or bidi control character",
    "glyph": "the msgstr has a character the language's fonts cannot draw",
    "plural-count": "the number of plural forms differs from the header's nplurals",
    "plural-missing": "some plural forms are translated, others are empty",
    "fuzzy": "a fuzzy entry, never rendered (warning)",
    "untranslated": "an empty msgstr (warning)",
    "same-as-source": "the msgstr is the English text (warning)",
    "too-long": "the msgstr is more than three times as long as the msgid (warning)",
    # From the review ledger beside the catalog (leaflets.review).
    "review-claim": "an X-Review-* header claims more than the review ledger shows",
    "review-changed": "a message changed since a reviewer sealed it",
    "review-ledger": "the review ledger cannot be read",
}


def char_name(char: str) -> str:
    """How a problem names a character: its code point and Unicode name."""
    return f"U+{ord(char):04X} {unicodedata.name(char, '(unnamed)')}"
