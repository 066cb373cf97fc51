"""A PDF text layer that says what the page shows: /ActualText where glyphs and
characters do not map one to one.

A PDF maps each glyph of a font to text once, in the font's ToUnicode table.
That is not enough for scripts whose shaping reorders, merges or splits
characters: in Devanagari the vowel sign ि is drawn before its consonant and a
conjunct is one glyph for three characters, and the same glyph stands for
different text in different words; Arabic marks are separate glyphs placed over
their letter. Copying, searching and screen readers then get damaged words
(FIELD-NOTES: Hindi 73 % of words intact).

The PDF standard's answer is ``/ActualText`` on a marked-content sequence
(ISO 32000-1, 14.9.4): the glyphs inside it read as the given text. This module
replaces WeasyPrint's drawing of one line of text with a copy that wraps every
*word* one of whose clusters (the glyphs HarfBuzz made from one run of
characters) does not spell its characters one to one in ``/Span <</ActualText
(...)>> BDC ... EMC``. Words, not clusters: extractors spread a span's text over
its glyphs' advances, and a cluster ending in a zero-width mark would end short
of the next one and read as a space inside the word. Each word keeps the
position of its glyphs, so word boxes, selection and the right-to-left order
extractors rebuild from positions stay right. Text that maps one to one
(Latin, Cyrillic, CJK, Armenian, Ethiopic) is written exactly as before.

Right-to-left words with combining marks (harakat, tanween, shadda) are cut into
sequences of one direction class each, a mark's drawn between two empty glyphs at
the pen position, and a zero-width non-joiner (Persian می‌کند) is drawn with an empty
glyph that reads as U+200C: PDFium misorders a sequence that mixes letters and marks,
and places a mark by where it is drawn (see ``_rtl_pieces`` in words.py). The page
looks the same: empty glyphs draw nothing and have no advance.

The sequences nest inside WeasyPrint's own tagged marked content (``/Span
<</MCID n>>``), which PDF/UA allows. The print edition (PDF/X-1a, PDF 1.4)
gets none: marked-content ``/ActualText`` came with PDF 1.5.

Which extractors honour it (measured, bench/text_layer_bench.py): poppler
(pdftotext) and PDFium do; pypdf and pdfminer.six read only ToUnicode. For them, the
glyphs of the clusters that do not map one to one get character codes of their own
(``codes``): the first glyph of a cluster reads as its whole text in ToUnicode, the
others as U+200B; a move back to the right after a mark inside such a word is written
in short steps, which pypdf does not take for a space.
Break opportunities the renderer inserts (U+200B, linebreak.py) are drawn as
nothing and left out of the text.

The package, in the order a line is drawn: ``glyphs`` (Pango's glyph runs, read once,
and their clusters' text), ``empty`` (a font's empty glyphs), ``words`` (which words
need /ActualText, and how a right-to-left word with marks is cut), ``codes`` (the
glyphs' codes of their own, and the font's /CIDToGIDMap for them), ``draw`` (the line's
text operators, with the marked-content sequences), ``patch`` (the switch,
:data:`ACTUAL_TEXT`, and :func:`install`, which puts ``draw`` in WeasyPrint's place).
"""

from __future__ import annotations

from .patch import ACTUAL_TEXT, install

__all__ = ["ACTUAL_TEXT", "install"]
