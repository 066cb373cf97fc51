"""Reading a handout's text layer back, as copy-paste, search and screen readers do.

Three independent extractors: poppler's ``pdftotext`` (C++, used by many desktop
viewers' search and by indexers) and PDFium (Chrome's PDF engine, through
pypdfium2), which honour ``/ActualText``, and pypdf, which reads each glyph's
ToUnicode entry only (as pdfminer.six does): the clinic edition gives the glyphs of
clusters that do not map one to one codes of their own for it
(leaflets/textlayer/codes.py).

Used by tests/test_languages.py and bench/text_layer_bench.py.
"""

from __future__ import annotations

import html
import io
import itertools
import re
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pypdfium2
from pypdf import PdfReader

from leaflets.linebreak import word_boundaries
from leaflets.locale import locale_info

# Scripts written without spaces between words: a line end inside a phrase is not a
# word break there, so these are compared with all white space removed.
_NO_SPACES = {"Hans", "Hant", "Jpan", "Thai", "Khmr", "Mymr", "Laoo"}
# Break opportunities and bidi controls (poppler adds embeddings around RTL lines).
_HIDDEN = str.maketrans(
    "",
    "",
    "\u200b\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F))) + "\u2066\u2067\u2068\u2069",
)


def pdftotext(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory(prefix="leaflets-text-") as tmp:
        path = Path(tmp) / "handout.pdf"
        path.write_bytes(pdf)
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout


def pdfium(pdf: bytes) -> str:
    pages = []
    with pypdfium2.PdfDocument(pdf) as document:
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
    return "\n".join(pages)


def pypdf(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


EXTRACTORS: dict[str, Callable[[bytes], str]] = {
    "pdftotext": pdftotext,
    "pdfium": pdfium,
    "pypdf": pypdf,
}


def shown_words(page_html: str, lang: str) -> list[str]:
    """The words of a handout's body as its HTML says they are printed. Scripts
    written without spaces are cut into words by ICU, as the renderer does."""
    body = page_html.split("<body", 1)[1]
    text = html.unescape(re.sub(r"<[^>]+>", " ", body.split(">", 1)[1]))
    text = unicodedata.normalize("NFC", text.translate(_HIDDEN))
    language = locale_info(lang).babel.language
    pieces = text.split()
    if locale_info(lang).script in _NO_SPACES:
        pieces = [
            piece[a:b]
            for piece in pieces
            for a, b in itertools.pairwise([0, *word_boundaries(piece, language)])
        ]
    words = []
    for word in pieces:
        word = word.strip("".join(c for c in word if unicodedata.category(c)[0] in "PSZ"))
        if any(unicodedata.category(c)[0] in "LN" for c in word):
            words.append(word)
    return words


def normalise(text: str, lang: str) -> str:
    """Extracted text as :func:`recovered` compares it: NFC, without break opportunities
    and bidi controls, line-end hyphens joined, white space collapsed (removed in
    scripts written without spaces)."""
    text = unicodedata.normalize("NFC", text).translate(_HIDDEN)
    # Words hyphenated at a line end, joined again (WeasyPrint hyphenates with U+2010).
    text = re.sub(r"(\w)[-\u2010]\s*\n\s*(\w)", r"\1\2", text)
    if locale_info(lang).script in _NO_SPACES:
        return re.sub(r"\s+", "", text)
    return " ".join(text.split())


def recovered(words: list[str], extracted: str, lang: str) -> float:
    """Share of ``words`` found in the extracted text (each as a substring)."""
    text = normalise(extracted, lang)
    if locale_info(lang).script in _NO_SPACES:
        words = [re.sub(r"\s+", "", w) for w in words]
    found = sum(1 for w in words if w in text)
    return found / len(words) if words else 1.0
