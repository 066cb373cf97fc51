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

The sequences nest inside WeasyPrint's own tagged marked content (``/Span
<</MCID n>>``), which PDF/UA allows. The print edition (PDF/X-1a, PDF 1.4)
gets none: marked-content ``/ActualText`` came with PDF 1.5.

Which extractors honour it (measured, bench/text_layer_bench.py): poppler
(pdftotext) and PDFium do; pypdf and pdfminer.six read only ToUnicode.
Break opportunities the renderer inserts (U+200B, linebreak.py) are drawn as
nothing and left out of the text.
"""

from __future__ import annotations

import contextvars
import unicodedata
from typing import Any

# Whether the document being drawn gets /ActualText (clinic edition: yes).
ACTUAL_TEXT: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "leaflets_actual_text", default=False
)

# Break opportunities inserted for line breaking (see linebreak.py): not text.
_NOT_TEXT = str.maketrans("", "", "\u200b")


def install() -> None:
    """Replace WeasyPrint's ``draw_first_line`` with :func:`_draw_first_line`.

    WeasyPrint 70 has no hook for this; the function is private, hence the
    tests that read the text layer back with two extractors.
    """
    # Lazy: WeasyPrint is imported only by processes that render (see render.py).
    from weasyprint.draw import text

    if getattr(text.draw_first_line, "_leaflets_actual_text", False):
        return
    original = text.draw_first_line

    def draw_first_line(
        stream: Any, textbox: Any, text_overflow: str, block_ellipsis: str, matrix: Any
    ) -> Any:
        if (
            not ACTUAL_TEXT.get()
            or text_overflow == "ellipsis"
            or block_ellipsis != "none"
            or not textbox.text.strip()
            or textbox.style["font_size"] < 1e-6
        ):
            # Ellipses are not used by the leaflets: WeasyPrint's own drawing.
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)
        return _draw_first_line(stream, textbox, matrix)

    draw_first_line._leaflets_actual_text = True  # type: ignore[attr-defined]
    text.draw_first_line = draw_first_line


def _clusters(glyph_item: Any, utf8: bytes) -> list[tuple[int, int, str]]:
    """(first glyph, end glyph, text) of each cluster of a glyph run, in the run's
    (visual) glyph order."""
    glyphs = glyph_item.glyphs
    count = glyphs.num_glyphs
    clusters = glyphs.log_clusters
    item = glyph_item.item
    rtl = item.analysis.level % 2
    groups = []
    start = 0
    for i in range(1, count + 1):
        if i < count and clusters[i] == clusters[start]:
            continue
        begin = clusters[start]
        if rtl:
            end = item.length if start == 0 else clusters[start - 1]
        else:
            end = item.length if i == count else clusters[i]
        text = utf8[item.offset + begin : item.offset + end].decode()
        groups.append((start, i, text))
        start = i
    return groups


def _actual_text(
    glyph_item: Any, utf8: bytes, font: Any, pango: Any, rtl: bool
) -> dict[int, tuple[int, str]]:
    """first glyph -> (end glyph, text) of each word of a run that needs /ActualText: a
    word one of whose clusters is drawn with several glyphs, or with a glyph that
    WeasyPrint's one-to-one map reads as other text, or that holds a combining mark
    (vowel signs, anusvara, Arabic harakat: a glyph moved onto its neighbour, which
    extractors read as a separate word or put in the wrong place), or a glyph moved
    off the baseline; in a right-to-left
    run also a glyph that stands for several characters (lam-alef, Nastaliq's
    ligatures).

    Whole words rather than clusters: extractors place a span's text over the
    glyphs' advances, and a cluster ending in a zero-width mark (दे) would end
    short of the next one and read as a space inside the word.

    Right-to-left runs are drawn left to right, in visual order, like every PDF
    writes them (ISO 32000-1, 14.8.2.5.3, reverse-order show strings), and readers
    put the text of a right-to-left line back in logical order by reversing it: a
    span's text is given in the same visual order, so that the reversal restores
    the word. Given in logical order, poppler and PDFium return it backwards."""
    glyphs = glyph_item.glyphs.glyphs
    words: list[tuple[int, int, str, bool]] = []  # first, end, text, needs actual text
    for first, end, text in _clusters(glyph_item, utf8):
        drawn = [
            glyphs[i].glyph
            for i in range(first, end)
            if glyphs[i].glyph != pango.PANGO_GLYPH_EMPTY
            and not glyphs[i].glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG
        ]
        text = text.translate(_NOT_TEXT)
        needs = bool(drawn) and (
            len(drawn) > 1
            or font.to_unicode.get(drawn[0]) != text
            or any(unicodedata.category(c).startswith("M") for c in text)
            or (rtl and len(text) > 1)
            # A raised or lowered glyph (Nastaliq's descending strokes) is a text object
            # of its own, on a baseline of its own: read alone it lands on another line.
            or any(glyphs[i].geometry.y_offset for i in range(first, end))
        )
        # Joiners and non-joiners (Persian می‌کند) are drawn as nothing: only the span's
        # text keeps them.
        needs = needs or any(unicodedata.category(c) == "Cf" for c in text)
        if rtl:
            text = text[::-1]
        if text.isspace() or not text:
            words.append((first, end, text, False))
        elif words and words[-1][2] and not words[-1][2].isspace():
            last = words[-1]
            words[-1] = (last[0], end, last[2] + text, last[3] or needs)
        else:
            words.append((first, end, text, needs))
    return {first: (end, text) for first, end, text, needs in words if needs}


def _close(stream: Any, string: str) -> None:
    """Show the glyphs collected so far (a TJ array being built as a string)."""
    string = string[:-1] if string.endswith("<") else string + ">"
    if string:
        stream.show_text(string)


def _draw_first_line(stream: Any, textbox: Any, matrix: Any) -> list[Any]:
    """WeasyPrint 70.0's ``weasyprint.draw.text.draw_first_line`` (BSD licence,
    Copyright 2011-2021 Simon Sapin and contributors), with /ActualText around
    words whose glyphs do not spell their text. Ellipses (handled by the original)
    and colour (emoji) fonts are left out: the leaflets use neither."""
    # Lazy, as above.
    import pydyf
    from weasyprint.logger import LOGGER
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    pango.pango_layout_set_single_paragraph_mode(textbox.pango_layout.layout, True)
    first_line, _ = textbox.pango_layout.get_first_line()
    utf8 = textbox.pango_layout.text.encode()

    stream.set_text_matrix(*matrix.values)
    previous_pango_font = None
    string = ""
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyph_string = glyph_item.glyphs
        glyphs_info = glyph_string.glyphs
        num_glyphs = glyph_string.num_glyphs
        clusters = glyph_string.log_clusters
        item = glyph_item.item
        rtl = item.analysis.level % 2

        pango_font = item.analysis.font
        if pango_font != previous_pango_font:
            previous_pango_font = pango_font
            font, font_size = stream.add_font(pango_font)
            # Workaround for https://gitlab.gnome.org/GNOME/pango/-/issues/530.
            if pango.pango_version() < 14802:
                font_size = textbox.style["font_size"]
            if string:
                stream.show_text(string)
            string = ""
            stream.set_font_size(font.hash, 1 if font.bitmap else font_size)
        string += "<"

        # Which glyphs read as which text: WeasyPrint's one-to-one map per glyph,
        # and the words for which that map is not the truth.
        for i in range(num_glyphs):
            glyph_id = glyphs_info[i].glyph
            if glyph_id == pango.PANGO_GLYPH_EMPTY or glyph_id & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                continue
            if glyph_id not in font.to_unicode:
                t1 = clusters[i]
                if rtl:
                    t2 = item.length if i == 0 else clusters[i - 1]
                else:
                    t2 = item.length if i == num_glyphs - 1 else clusters[i + 1]
                font.to_unicode[glyph_id] = utf8[item.offset + t1 : item.offset + t2].decode()
        actual = _actual_text(glyph_item, utf8, font, pango, bool(rtl))
        marked_end = -1
        for i, glyph_info in enumerate(glyphs_info[0:num_glyphs]):
            glyph_id = glyph_info.glyph
            width = glyph_info.geometry.width

            if i in actual:
                _close(stream, string)
                marked_end, text = actual[i]
                stream.begin_marked_content(
                    "Span", pydyf.Dictionary({"ActualText": pydyf.String(text)})
                )
                string = "<"

            if glyph_id == pango.PANGO_GLYPH_EMPTY:
                string += f">{-width / font_size}<"
            else:
                if glyph_id & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                    # WeasyPrint's warning, which makes the build fail (render.py).
                    codepoint = glyph_id - pango.PANGO_GLYPH_UNKNOWN_FLAG
                    LOGGER.warning(
                        ".notdef glyph rendered for Unicode string unsupported by fonts: "
                        '"%s" (U+%04X)',
                        chr(codepoint),
                        codepoint,
                    )
                    glyph_id = font.get_unused_glyph_id(codepoint)
                    font.widths[glyph_id] = round(width * 1000 * FROM_UNITS / font_size)
                    if 0 not in font.widths:
                        font.widths[0] = font.widths[glyph_id]

                offset = glyph_info.geometry.x_offset / font_size
                rise = glyph_info.geometry.y_offset / 1000
                if rise:
                    _close(stream, string)
                    stream.set_text_rise(-rise)
                    string = f"{-offset}" if offset else ""
                    string += f"<{glyph_id:02x}>" if font.bitmap else f"<{glyph_id:04x}>"
                    stream.show_text(string)
                    stream.set_text_rise(0)
                    string = "<"
                else:
                    if offset:
                        string += f">{-offset}<"
                    string += f"{glyph_id:02x}" if font.bitmap else f"{glyph_id:04x}"

                if glyph_id in font.widths:
                    logical_width = font.widths[glyph_id]
                else:
                    pango.pango_font_get_glyph_extents(
                        pango_font, glyph_id, stream.ink_rect, stream.logical_rect
                    )
                    logical_width = font.widths[glyph_id] = round(
                        stream.logical_rect.width * 1000 * FROM_UNITS / font_size
                    )
                kerning = logical_width + offset - width * 1000 * FROM_UNITS / font_size
                if kerning:
                    string += f">{int(kerning)}<"

            if i == marked_end - 1:
                _close(stream, string)
                stream.end_marked_content()
                string = "<"

        string = string[:-1] if string.endswith("<") else string + ">"

    if string:
        stream.show_text(string)
    return []
