"""Writes the defect corpus of tests/test_checks.py: clean.po and one file per defect.

The files are committed; this script only documents how their invisible characters
and invalid bytes got there, and remakes them if clean.po's text below changes. Each
defect replaces whole lines of the clean text (or adds lines at its end), so the line
numbers in the test's table stay valid. Run: .venv/bin/python tests/data/checks/make_corpus.py
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent

CLEAN = r"""# Spanish translation of a test leaflet: the clean baseline of the defect corpus.
# Every other catalog here is this one with exactly one planted defect.
msgid ""
msgstr ""
"Project-Id-Version: cryoablation 1.0.0\n"
"Report-Msgid-Bugs-To: translations@example.org\n"
"POT-Creation-Date: 2026-01-05 09:00+0000\n"
"PO-Revision-Date: 2026-01-05 09:00+0000\n"
"Last-Translator: Test Translator <translator@example.org>\n"
"Language-Team: Spanish <es@example.org>\n"
"Language: es\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#. Page number at the bottom of every page.
#, python-format
msgid "Page %(page)s of %(pages)s"
msgstr "Página %(page)s de %(pages)s"

#, python-format
msgid "Call %(phone)s if your temperature is above 38.3 degrees."
msgstr "Llame al %(phone)s si su temperatura pasa de 38,3 grados."

msgid "Do <strong>not</strong> eat or drink after midnight."
msgstr "<strong>No</strong> coma ni beba después de la medianoche."

msgctxt "leaflet title"
msgid "Cryoablation"
msgstr "Crioablación"

msgid "Ask your care team if anything is unclear."
msgstr "Pregunte a su equipo médico si algo no está claro."

#. count is the number of probes; the singular is for exactly one.
#, python-format
msgid "One probe is put in."
msgid_plural "%(count)d probes are put in."
msgstr[0] "Se introduce una sonda."
msgstr[1] "Se introducen %(count)d sondas."
"""

Edit = Callable[[str], bytes]


def line(number: int, new: str) -> Edit:
    """Replace line ``number`` (1-based) of the clean text."""

    def edit(text: str) -> bytes:
        lines = text.split("\n")
        lines[number - 1] = new
        return "\n".join(lines).encode("utf-8")

    return edit


def lines(*pairs: tuple[int, str]) -> Edit:
    def edit(text: str) -> bytes:
        for number, new in pairs:
            text = line(number, new)(text).decode("utf-8")
        return text.encode("utf-8")

    return edit


def append(more: str) -> Edit:
    return lambda text: (text + more).encode("utf-8")


def truncated(text: str) -> bytes:
    """Cut off in the middle of line 27's string, as an interrupted copy would."""
    kept = text.split("\n")[:27]
    kept[26] = kept[26][: len('msgstr "<strong>No</strong> coma ni be')]
    return "\n".join(kept).encode("utf-8")


def binary(text: str) -> bytes:
    """The blank line 21 replaced by random bytes, a NUL among them."""
    rng = random.Random(20260105)
    noise = bytes(b for b in rng.randbytes(40) if b not in b"\r\n")[:24]
    noise = noise[:8] + b"\x00" + noise[8:]
    data = text.encode("utf-8").split(b"\n")
    data[20] = noise
    return b"\n".join(data)


def invalid_utf8(text: str) -> bytes:
    """Line 27's "después" with its é in Latin-1: one byte 0xE9, not valid UTF-8."""
    data = text.encode("utf-8").split(b"\n")
    data[26] = data[26].replace("é".encode(), b"\xe9")
    return b"\n".join(data)


def charset_latin1(text: str) -> bytes:
    """A whole catalog in ISO-8859-1 that says so: GNU gettext is happy, we are not."""
    return (
        line(13, r'"Content-Type: text/plain; charset=ISO-8859-1\n"')(text)
        .decode()
        .encode("latin-1")
    )


DEFECTS: dict[str, Edit] = {
    "placeholder-missing": line(
        24, 'msgstr "Llame a su equipo si su temperatura pasa de 38,3 grados."'
    ),
    "placeholder-added": line(20, 'msgstr "Página %(page)s de %(pages)s · %(patient)s"'),
    "placeholder-brace": line(34, 'msgstr "Pregunte a {{ clinic }} si algo no está claro."'),
    "markup-script": line(
        27,
        'msgstr "<strong>No</strong> coma ni beba después de la medianoche.'
        '<script src=\\"https://example.org/x.js\\"></script>"',
    ),
    "markup-broken": line(27, 'msgstr "<strong>No<strong> coma ni beba después de la medianoche."'),
    "markup-attribute": line(
        27,
        'msgstr "<strong style=\\"color:red\\">No</strong> coma ni beba después de la medianoche."',
    ),
    "markup-link": line(
        27,
        'msgstr "<strong>No</strong> coma ni beba después de la '
        '<a href=\\"https://example.org/\\">medianoche</a>."',
    ),
    "number-changed": lines(
        (23, 'msgid "Call %(phone)s if your temperature is above 38.4 degrees."'),
        (24, 'msgstr "Llame al %(phone)s si su temperatura pasa de 39,4 grados."'),
    ),
    "number-extra": line(
        27, 'msgstr "<strong>No</strong> coma ni beba después de las 12 de la noche."'
    ),
    "bidi-override": line(34, 'msgstr "Pregunte a su equipo médico si algo no está \u202eclaro."'),
    "zero-width": line(31, 'msgstr "Crio\u200bablación"'),
    "glyph-missing": line(24, 'msgstr "Llame al %(phone)s si su temperatura pasa de 38,3 ℃."'),
    "plural-count": append('msgstr[2] "Se introducen %(count)d sondas."\n'),
    "plural-missing": line(41, 'msgstr[1] ""'),
    "fuzzy": line(22, "#, fuzzy, python-format"),
    "untranslated": line(34, 'msgstr ""'),
    "same-as-source": line(34, 'msgstr "Ask your care team if anything is unclear."'),
    "too-long": line(
        31, 'msgstr "Crioablación: tratamiento de un tumor por congelación con sondas muy frías"'
    ),
    "syntax-truncated": truncated,
    "syntax-quote": line(34, 'msgstr "Pregunte a su "equipo" médico si algo no está claro."'),
    "binary": binary,
    "invalid-utf8": invalid_utf8,
    "charset-latin1": charset_latin1,
    "charset-ascii": line(13, r'"Content-Type: text/plain; charset=ASCII\n"'),
    "duplicate": append(
        '\nmsgid "Ask your care team if anything is unclear."\n'
        'msgstr "Pregunte a su equipo si algo no está claro."\n'
    ),
    "wrong-language": line(11, r'"Language: pt\n"'),
}


def main() -> None:
    (HERE / "clean.po").write_bytes(CLEAN.encode("utf-8"))
    for name, edit in DEFECTS.items():
        (HERE / f"{name}.po").write_bytes(edit(CLEAN))


if __name__ == "__main__":
    main()
