"""WeasyPrint's drawing of one line of text, with the marked-content operators that give
words /ActualText: ``/Span <</ActualText (...)>> BDC ... EMC`` around their glyphs."""

from __future__ import annotations

from typing import Any

from .codes import ClusterCodes
from .empty import EmptyGlyphs
from .glyphs import cluster_texts, is_joiner, read_glyphs
from .words import word_spans

# The longest move to the right written as one number of a TJ array inside a word, in
# thousandths of the font size: pypdf reads a longer one as a space between words (half
# the font's space, about 130 in the Noto fonts), and the move that brings the pen back
# after a mark drawn onto its letter is often longer (कुछ read as "कु छ").
_STEP = 100
# How far before the pen position a mark's anchor is drawn, in thousandths of the font
# size: more than WeasyPrint's rounding of kerning moves the pen (under one per glyph).
_ANCHOR_LEAD = 4


def _close(stream: Any, string: str) -> None:
    """Show the glyphs collected so far (a TJ array being built as a string)."""
    string = string[:-1] if string.endswith("<") else string + ">"
    if string:
        stream.show_text(string)


def draw_first_line(stream: Any, textbox: Any, matrix: Any) -> list[Any]:
    """WeasyPrint 70.0's ``weasyprint.draw.text.draw_first_line`` (BSD licence,
    Copyright 2011-2021 Simon Sapin and contributors), with /ActualText around
    words whose glyphs do not spell their text. Ellipses (handled by the original)
    and colour (emoji) fonts are left out: the leaflets use neither."""
    # Lazy: WeasyPrint is imported only by processes that render (see render.py).
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
        glyphs = read_glyphs(glyph_item.glyphs, ffi)
        num_glyphs = len(glyphs.ids)
        item = glyph_item.item
        item_offset, item_length = item.offset, item.length
        rtl = bool(item.analysis.level % 2)

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

        empty: EmptyGlyphs | None = None
        if rtl:
            empty = getattr(font, "_leaflets_empty_glyphs", None)
            if empty is None:
                empty = font._leaflets_empty_glyphs = EmptyGlyphs(font, pango_font, pango, ffi)

        # Which glyphs read as which text: WeasyPrint's one-to-one map per glyph,
        # and the words for which that map is not the truth.
        clusters = glyphs.log_clusters
        to_unicode = font.to_unicode
        for i, glyph_id in enumerate(glyphs.ids):
            if glyph_id == pango.PANGO_GLYPH_EMPTY or glyph_id & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                continue
            if glyph_id not in to_unicode:
                t1 = clusters[i]
                if rtl:
                    t2 = item_length if i == 0 else clusters[i - 1]
                else:
                    t2 = item_length if i == num_glyphs - 1 else clusters[i + 1]
                to_unicode[glyph_id] = utf8[item_offset + t1 : item_offset + t2].decode()
        run_clusters = cluster_texts(glyphs, utf8, item_offset, item_length, rtl)
        codes = ClusterCodes.of(font)
        texts: dict[int, str] | None = {} if codes is not None else None
        actual = word_spans(glyphs, run_clusters, font, pango, rtl, empty, texts)
        marked_end = -1
        anchor_due = False
        for i, glyph_id in enumerate(glyphs.ids):
            width = glyphs.widths[i]

            if i in actual:
                _close(stream, string)
                span = actual[i]
                marked_end = span.end
                # What begin_marked_content("Span", Dictionary({"ActualText": ...}))
                # writes, as bytes at once: thousands of spans in a handout.
                actual_text = b"<</ActualText " + pydyf.String(span.text).data + b">>"
                stream.stream.extend((b"/Span", actual_text, b"BDC"))
                string = "<"
                anchor_due = span.anchored

            if glyph_id == pango.PANGO_GLYPH_EMPTY:
                joiner = empty.joiner if empty is not None else None
                if joiner is not None and is_joiner(utf8, item_offset, item_length, clusters, i):
                    string += f"{EmptyGlyphs.use(font, joiner, chr(0x200C)):04x}"
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

                if glyph_id in font.widths:
                    logical_width = font.widths[glyph_id]
                else:
                    pango.pango_font_get_glyph_extents(
                        pango_font, glyph_id, stream.ink_rect, stream.logical_rect
                    )
                    logical_width = font.widths[glyph_id] = round(
                        stream.logical_rect.width * 1000 * FROM_UNITS / font_size
                    )
                code = glyph_id
                if texts and i in texts and codes is not None:
                    # A code of its own, for readers of ToUnicode alone (codes.py).
                    code = codes.code(font, glyph_id, texts[i], logical_width)
                offset = glyphs.x_offsets[i] / font_size
                rise = glyphs.y_offsets[i] / 1000
                kerning = logical_width + offset - width * 1000 * FROM_UNITS / font_size
                if anchor_due and empty is not None and empty.anchor is not None:
                    # A mark's sequence: the mark in a text object of its own, between
                    # two empty glyphs a hair before the pen position (more than
                    # WeasyPrint's rounding of the kerning that brings the pen back after
                    # the mark), where readers sort it; the pen ends where it would.
                    anchor_due = False
                    _close(stream, string)
                    if rise:
                        stream.set_text_rise(-rise)
                    lead, mark = _ANCHOR_LEAD, f"{code:04x}"
                    anchor = f"{empty.use(font, empty.anchor, chr(0x200B)):04x}"
                    stream.show_text(
                        f"{lead}<{anchor}>{_number(-lead - offset)}<{mark}>"
                        f"{_number(lead + offset + logical_width)}<{anchor}>"
                    )
                    if rise:
                        stream.set_text_rise(0)
                    string = f"<>{_number(int(kerning) - lead - offset - logical_width)}<"
                    if i == marked_end - 1:
                        _close(stream, string)
                        stream.end_marked_content()
                        string = "<"
                    continue
                if rise:
                    _close(stream, string)
                    stream.set_text_rise(-rise)
                    string = f"{-offset}" if offset else ""
                    string += f"<{glyph_id:02x}>" if font.bitmap else f"<{code:04x}>"
                    stream.show_text(string)
                    stream.set_text_rise(0)
                    string = "<"
                else:
                    if offset:
                        string += _move(-offset) if i < marked_end else f">{-offset}<"
                    string += f"{glyph_id:02x}" if font.bitmap else f"{code:04x}"

                if kerning:
                    string += _move(int(kerning)) if i < marked_end else f">{int(kerning)}<"

            if i == marked_end - 1:
                _close(stream, string)
                stream.end_marked_content()
                string = "<"

        string = string[:-1] if string.endswith("<") else string + ">"

    if string:
        stream.show_text(string)
    return []


def _number(value: float) -> str:
    """A TJ adjustment, without float noise."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _move(value: float) -> str:
    """A TJ adjustment inside a word: a move to the right (a negative number) longer than
    :data:`_STEP` as several numbers in a row, which move the pen as far (the page is the
    same) and read as no space."""
    if value >= -_STEP:
        return f">{value}<"
    steps = []
    while value < -_STEP:
        steps.append(f"{-_STEP}")
        value += _STEP
    if value:
        steps.append(f"{value}")
    return ">" + " ".join(steps) + "<"
