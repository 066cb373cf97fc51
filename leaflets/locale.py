"""Per-language facts: Babel locale, BCP 47 tag, direction, script, formatting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from babel.units import format_unit

from .errors import LeafletsError

# Which font stack (fonts/fonts.toml) renders which writing system.
_SCRIPT_STACKS = {
    "Latn": "latin",
    "Cyrl": "latin",
    "Arab": "arabic",
    "Deva": "devanagari",
    "Hans": "sc",
    "Hant": "tc",
    "Kore": "kr",
    "Jpan": "jp",
    "Beng": "bengali",
    "Guru": "gurmukhi",
    "Gujr": "gujarati",
    "Taml": "tamil",
    "Thai": "thai",
    "Khmr": "khmer",
    "Mymr": "myanmar",
    "Ethi": "ethiopic",
    "Armn": "armenian",
}
# Languages written in a style of their script that has a stack of its own: Urdu in
# Nastaliq, not the Naskh of Arabic and Persian.
_LANGUAGE_STACKS = {"ur": "nastaliq"}

# CLDR numbering systems -> CSS counter styles WeasyPrint knows. A locale's CLDR default
# numbering system is the custom (Persian digits for fa, Bengali for bn, Myanmar for
# my); where CLDR says latn (ar, hi, pa, gu, ta, th, km, am, ...) pages count 1, 2, 3.
_COUNTER_STYLES = {
    "arab": "arabic-indic",
    "arabext": "persian",
    "deva": "devanagari",
    "beng": "bengali",
    "guru": "gurmukhi",
    "gujr": "gujarati",
    "taml": "tamil",
    "thai": "thai",
    "khmr": "khmer",
    "mymr": "myanmar",
}

# The digits of those numbering systems: Babel formats numbers with the locale's
# separators (the Persian decimal separator) but always writes ASCII digits.
_ZERO = {
    "arab": 0x0660,
    "arabext": 0x06F0,
    "deva": 0x0966,
    "beng": 0x09E6,
    "guru": 0x0A66,
    "gujr": 0x0AE6,
    "taml": 0x0BE6,
    "thai": 0x0E50,
    "khmr": 0x17E0,
    "mymr": 0x1040,
}

# Territories whose people read temperatures in degrees Fahrenheit first.
_FAHRENHEIT_TERRITORIES = {"US", "LR", "BS", "BZ", "KY", "PW", "FM", "MH"}

# Languages whose short temperature units read wrongly in a sentence: CLDR's Hindi
# Celsius abbreviation "से॰" sits next to the postposition "से" ("38.3°से॰ से
# ज़्यादा"). These spell the unit out ("38.3 डिग्री सेल्सियस").
_LONG_TEMPERATURE_UNITS = {"hi"}


@dataclass(frozen=True)
class LocaleInfo:
    code: str  # as used in locales/<code>/ and file names: en, zh_Hans, pt_BR
    babel: Locale
    script: str  # ISO 15924: Latn, Arab, ...

    @property
    def bcp47(self) -> str:
        """The language tag for HTML ``lang`` and the PDF ``/Lang``: zh-Hans, pt-BR."""
        return self.code.replace("_", "-")

    @property
    def direction(self) -> str:
        return "rtl" if self.babel.character_order == "right-to-left" else "ltr"

    @property
    def font_stack(self) -> str:
        language_stack = _LANGUAGE_STACKS.get(self.babel.language)
        return language_stack or _SCRIPT_STACKS.get(self.script, "latin")

    @property
    def numbering_system(self) -> str:
        """CLDR's default numbering system for the locale: latn, arabext, beng, ..."""
        return str(self.babel.default_numbering_system)

    def digits(self, text: str) -> str:
        """ASCII digits in ``text`` written in the locale's own digits, where those are
        the custom (CLDR's default numbering system); otherwise ``text`` as it is."""
        zero = _ZERO.get(self.numbering_system)
        if zero is None:
            return text
        return text.translate({ord("0") + d: zero + d for d in range(10)})

    @property
    def counter_style(self) -> str:
        """CSS counter style for page numbers, from the locale's usual digits."""
        return _COUNTER_STYLES.get(self.babel.default_numbering_system, "decimal")

    @property
    def territory(self) -> str:
        return self.babel.territory or _likely(self.code)[2]

    @property
    def display_name(self) -> str:
        return self.babel.get_display_name(self.babel) or self.code

    def date(self, value: dt.date) -> str:
        # CLDR has no month names for some languages (Haitian Creole: "2025 M04 14");
        # their short format is numeric and unambiguous (2025-04-14).
        months = self.babel.months.get("format", {}).get("wide", {})
        style = "short" if months.get(1, "").startswith("M0") else "long"
        return self.digits(format_date(value, format=style, locale=self.babel))

    def time(self, value: dt.time) -> str:
        return self.digits(format_time(value, format="short", locale=self.babel))

    def number(self, value: float) -> str:
        return self.digits(
            format_decimal(value, format="#,##0.#", locale=self.babel, numbering_system="default")
        )

    def temperature(self, value: float, unit: str) -> str:
        """One clinic threshold in the reader's units, their usual unit first."""
        celsius = value if unit == "C" else (value - 32) * 5 / 9
        fahrenheit = value if unit == "F" else value * 9 / 5 + 32

        length: Literal["long", "short"] = (
            "long" if self.babel.language in _LONG_TEMPERATURE_UNITS else "short"
        )

        def show(amount: float, unit_name: str) -> str:
            return self.digits(
                format_unit(
                    round(amount, 1),
                    unit_name,
                    length=length,
                    format="#,##0.#",
                    locale=self.babel,
                    numbering_system="default",
                )
            )

        c = show(celsius, "temperature-celsius")
        f = show(fahrenheit, "temperature-fahrenheit")
        first, second = (f, c) if self.territory in _FAHRENHEIT_TERRITORIES else (c, f)
        return f"{first} ({second})"


@cache
def _likely(code: str) -> tuple[str, str, str]:
    """(language, script, territory) from CLDR's likely subtags."""
    likely = get_global("likely_subtags")
    loc = Locale.parse(code)
    full = likely.get(str(loc)) or likely.get(loc.language) or str(loc)
    parts = full.split("_")
    script = loc.script or (parts[1] if len(parts) > 1 else "Latn")
    territory = loc.territory or (parts[2] if len(parts) > 2 else "")
    return loc.language, script, territory


@cache
def locale_info(code: str) -> LocaleInfo:
    """Facts about a language code used in this project (``en``, ``zh_Hans``, ``pt_BR``)."""
    try:
        babel = Locale.parse(code)
    except (UnknownLocaleError, ValueError) as exc:
        raise LeafletsError(f"unknown language code {code!r}: {exc}") from None
    return LocaleInfo(code, babel, _likely(code)[1])
