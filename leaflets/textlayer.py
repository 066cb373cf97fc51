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
and places a mark by where it is drawn (see _rtl_pieces). The page looks the same:
empty glyphs draw nothing and have no advance.

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
import functools
import hashlib
import io
import struct
import unicodedata
from typing import Any, ClassVar, NamedTuple

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


class _Glyphs(NamedTuple):
    """A glyph run's glyphs, read out of Pango once: cffi field access is slow."""

    ids: list[int]
    widths: list[int]
    x_offsets: list[int]
    y_offsets: list[int]
    log_clusters: list[int]  # byte offset in the item of each glyph's cluster


# PangoGlyphInfo: glyph (guint32), geometry (width, x_offset, y_offset: gint32), and
# attributes (a guint32 of bit fields), read in one go where WeasyPrint declares it so.
_GLYPH_INFO = struct.Struct("=IiiiI")


@functools.cache
def _glyph_info_as_declared(ffi: Any) -> bool:
    layout = (
        ffi.sizeof("PangoGlyphInfo"),
        ffi.offsetof("PangoGlyphInfo", "geometry"),
        ffi.offsetof("PangoGlyphGeometry", "x_offset"),
        ffi.offsetof("PangoGlyphGeometry", "y_offset"),
        ffi.sizeof("PangoGlyph"),
    )
    return layout == (_GLYPH_INFO.size, 4, 4, 8, 4)


def _read_glyphs(glyph_string: Any, ffi: Any) -> _Glyphs:
    count = glyph_string.num_glyphs
    if not count:
        return _Glyphs([], [], [], [], [])
    if _glyph_info_as_declared(ffi):
        raw = ffi.buffer(glyph_string.glyphs, count * _GLYPH_INFO.size)
        columns = zip(*_GLYPH_INFO.iter_unpack(raw), strict=True)
        ids, widths, x_offsets, y_offsets, _ = map(list, columns)
    else:
        infos = glyph_string.glyphs[0:count]
        ids = [info.glyph for info in infos]
        widths = [info.geometry.width for info in infos]
        x_offsets = [info.geometry.x_offset for info in infos]
        y_offsets = [info.geometry.y_offset for info in infos]
    log_clusters = ffi.unpack(glyph_string.log_clusters, count)
    return _Glyphs(ids, widths, x_offsets, y_offsets, log_clusters)


def _clusters(
    glyphs: _Glyphs, utf8: bytes, offset: int, length: int, rtl: bool
) -> list[tuple[int, int, str]]:
    """(first glyph, end glyph, text) of each cluster of a glyph run, in the run's
    (visual) glyph order; ``offset`` and ``length`` are the run's item's, in bytes."""
    clusters = glyphs.log_clusters
    count = len(clusters)
    groups = []
    start = 0
    for i in range(1, count + 1):
        if i < count and clusters[i] == clusters[start]:
            continue
        begin = clusters[start]
        if rtl:
            end = length if start == 0 else clusters[start - 1]
        else:
            end = length if i == count else clusters[i]
        groups.append((start, i, utf8[offset + begin : offset + end].decode()))
        start = i
    return groups


# How far before the pen position a mark's anchor is drawn, in thousandths of the font
# size: more than WeasyPrint's rounding of kerning moves the pen (under one per glyph).
_ANCHOR_LEAD = 4


class _Span(NamedTuple):
    """A marked-content sequence with /ActualText over glyphs ``first`` to ``end``."""

    end: int
    text: str
    # Starts with an empty glyph at the pen position, which places the sequence in
    # reading order (see _rtl_pieces).
    anchored: bool = False


@functools.lru_cache(maxsize=4096)
def _kinds(text: str) -> tuple[bool, bool]:
    """Whether ``text`` holds a combining mark, and a format character (joiner)."""
    if text.isascii():
        return False, False
    categories = [unicodedata.category(c) for c in text]
    return any(c[0] == "M" for c in categories), "Cf" in categories


def _needs(
    glyphs: _Glyphs,
    first: int,
    end: int,
    text: str,
    to_unicode: dict[int, str],
    rtl: bool,
    joiner: bool,
    empty_glyph: int,
    unknown_flag: int,
) -> bool:
    """Whether a cluster's glyphs do not spell its text one to one: drawn with several
    glyphs, or with a glyph that WeasyPrint's one-to-one map reads as other text, or
    holding a combining mark (vowel signs, anusvara, Arabic harakat: a glyph moved onto
    its neighbour, which extractors read as a separate word or put in the wrong place),
    or a glyph moved off the baseline; in a right-to-left run also a glyph that stands
    for several characters (lam-alef, Nastaliq's ligatures)."""
    ids = glyphs.ids
    drawn = [
        ids[i] for i in range(first, end) if ids[i] != empty_glyph and not ids[i] & unknown_flag
    ]
    mark, format_character = _kinds(text)
    # Joiners and non-joiners (Persian می‌کند) are drawn as nothing: only a span's text
    # keeps them, unless the non-joiner is drawn with an empty glyph (_EmptyGlyphs).
    if not drawn:
        return format_character and not (joiner and text == "\u200c")
    return (
        len(drawn) > 1
        or to_unicode.get(drawn[0]) != text
        or mark
        or (rtl and len(text) > 1)
        # A raised or lowered glyph (Nastaliq's descending strokes) is a text object of
        # its own, on a baseline of its own: read alone it lands on another line.
        or any(glyphs.y_offsets[first:end])
    )


class _Cluster(NamedTuple):
    first: int
    end: int
    text: str
    needs: bool  # its glyphs do not spell its text (_needs)
    mark_first: bool  # its first glyph (on the left) has no advance: a combining mark


def _rtl_pieces(clusters: list[_Cluster]) -> dict[int, _Span] | None:
    """The marked-content sequences of a right-to-left word with combining marks, or
    None where the word has none.

    PDFium (Chrome's reader) reorders a right-to-left line by direction class, and its
    "left weak" class takes combining marks, joiners and digits: from one /ActualText
    that holds letters and marks, it returns the pieces of each class in the wrong
    order, whatever order the text is given in, where poppler reads the word right. So
    a word with marks is cut into runs of letters and single marks, each a sequence of
    its own text, in the visual order of the glyphs; a run of letters that maps one to
    one stays plain glyphs.

    A mark is drawn off its base letter (moved right, raised): seen alone there, both
    readers put it on the wrong side of its letter or on a line of its own. Its
    sequence is therefore ``anchored``: the mark is drawn in a text object of its own,
    between two empty glyphs at the pen position, by which readers place it.

    A mark inside a ligature's text (lam-alef with tanween between its letters, لًا)
    cannot be cut out of it: that word stays one sequence, which PDFium misreads."""
    if not any(_is_mark(c) for cluster in clusters for c in cluster.text):
        return None
    spans: dict[int, _Span] = {}
    run: list[_Cluster] = []

    def flush() -> None:
        if any(cluster.needs for cluster in run):
            text = "".join(cluster.text[::-1] for cluster in run)
            spans[run[0].first] = _Span(run[-1].end, text)
        run.clear()

    for cluster in clusters:
        if cluster.needs and cluster.mark_first and all(map(_is_mark, cluster.text)):
            flush()
            spans[cluster.first] = _Span(cluster.end, cluster.text[::-1], anchored=True)
        else:
            run.append(cluster)
    flush()
    return spans


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


class _EmptyGlyphs:
    """A font's empty glyphs of no advance (its glyphs for U+0000 and U+200B, where
    they are empty): drawn, they change nothing on the page.

    ``joiner`` is drawn for a zero-width non-joiner in a right-to-left run, which
    Pango draws as nothing, so that the character has a glyph to be read from (the
    font's own glyph for U+200C is a visible placeholder in Noto); ``anchor`` places a
    mark's marked-content sequence (_rtl_pieces) and reads as U+200B, the renderer's
    break opportunity, which the /ActualText around it hides: PDF/UA (ISO 14289-1,
    7.21.7) asks for a Unicode value for every character code used, so not nothing."""

    # Font file digest -> (joiner, anchor): each document has font objects of its own.
    _found: ClassVar[dict[bytes, tuple[int | None, int | None]]] = {}

    def __init__(self, font: Any, pango_font: Any, pango: Any, ffi: Any) -> None:
        key = hashlib.blake2b(font.file_content, digest_size=16).digest() + bytes([font.index])
        if key not in self._found:
            self._found[key] = self._find(font, pango_font, pango, ffi)
        self.joiner, self.anchor = self._found[key]

    @staticmethod
    def _find(font: Any, pango_font: Any, pango: Any, ffi: Any) -> tuple[int | None, int | None]:
        from fontTools.ttLib import TTFont

        ttfont = TTFont(io.BytesIO(font.file_content), fontNumber=font.index, lazy=True)
        cmap = ttfont.getBestCmap() or {}
        ink = ffi.new("PangoRectangle *")
        logical = ffi.new("PangoRectangle *")

        def empty(codepoint: int) -> int | None:
            if codepoint not in cmap:
                return None
            glyph_id = int(ttfont.getGlyphID(cmap[codepoint]))
            pango.pango_font_get_glyph_extents(pango_font, glyph_id, ink, logical)
            if ink.width or ink.height or logical.width:
                return None
            return glyph_id

        joiner, anchor = empty(0x0000), empty(0x200B)
        # One glyph reads as one text: a font with a single empty glyph gets no anchors.
        return joiner, (anchor if anchor != joiner else None)

    @staticmethod
    def use(font: Any, glyph_id: int, text: str) -> int:
        """``glyph_id``, registered with ``font`` (no advance, read as ``text``)."""
        font.to_unicode.setdefault(glyph_id, text)
        font.widths.setdefault(glyph_id, 0)
        return glyph_id


def _actual_text(
    glyphs: _Glyphs,
    clusters: list[tuple[int, int, str]],
    font: Any,
    pango: Any,
    rtl: bool,
    empty: _EmptyGlyphs | None,
) -> dict[int, _Span]:
    """first glyph -> marked-content sequence with /ActualText, for the words of a run
    that need one (a cluster for which :func:`_needs`); a right-to-left word with marks
    cut into pieces (:func:`_rtl_pieces`).

    Whole words rather than clusters: extractors place a span's text over the
    glyphs' advances, and a cluster ending in a zero-width mark (दे) would end
    short of the next one and read as a space inside the word.

    Right-to-left runs are drawn left to right, in visual order, like every PDF
    writes them (ISO 32000-1, 14.8.2.5.3, reverse-order show strings), and readers
    put the text of a right-to-left line back in logical order by reversing it: a
    span's text is given in the same visual order, so that the reversal restores
    the word. Given in logical order, poppler and PDFium return it backwards."""
    joiner = empty is not None and empty.joiner is not None
    anchor = empty is not None and empty.anchor is not None
    ids, to_unicode = glyphs.ids, font.to_unicode
    empty_glyph, unknown_flag = pango.PANGO_GLYPH_EMPTY, pango.PANGO_GLYPH_UNKNOWN_FLAG
    y_offsets, widths = glyphs.y_offsets, glyphs.widths
    words: list[list[_Cluster]] = []
    for first, end, text in clusters:
        if not text.isascii() and "\u200b" in text:
            text = text.translate(_NOT_TEXT)
        glyph_id = ids[first]
        if end - first == 1 and glyph_id != empty_glyph and not glyph_id & unknown_flag:
            # The common case, quickly: one glyph (as _needs).
            needs = bool(
                to_unicode.get(glyph_id) != text
                or (not text.isascii() and _kinds(text)[0])
                or (rtl and len(text) > 1)
                or y_offsets[first]
            )
        else:
            needs = _needs(
                glyphs, first, end, text, to_unicode, rtl, joiner, empty_glyph, unknown_flag
            )
        mark_first = False
        if rtl:
            drawn = [i for i in range(first, end) if ids[i] != empty_glyph]
            mark_first = bool(drawn) and widths[drawn[0]] == 0
        cluster = _Cluster(first, end, text, needs, mark_first)
        if text.isspace() or not text:
            words.append([cluster])
        elif words and words[-1][-1].text and not words[-1][-1].text.isspace():
            words[-1].append(cluster)
        else:
            words.append([cluster])
    spans: dict[int, _Span] = {}
    for word in words:
        if not any(cluster.needs for cluster in word):
            continue
        pieces = _rtl_pieces(word) if rtl and anchor else None
        if pieces is not None:
            spans.update(pieces)
            continue
        text = "".join(c.text[::-1] if rtl else c.text for c in word)
        spans[word[0].first] = _Span(word[-1].end, text)
    return spans


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
        glyphs = _read_glyphs(glyph_item.glyphs, ffi)
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

        empty: _EmptyGlyphs | None = None
        if rtl:
            empty = getattr(font, "_leaflets_empty_glyphs", None)
            if empty is None:
                empty = font._leaflets_empty_glyphs = _EmptyGlyphs(font, pango_font, pango, ffi)

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
        run_clusters = _clusters(glyphs, utf8, item_offset, item_length, rtl)
        actual = _actual_text(glyphs, run_clusters, font, pango, rtl, empty)
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
                if joiner is not None and _joiner(utf8, item_offset, item_length, clusters, i):
                    string += f"{_EmptyGlyphs.use(font, joiner, chr(0x200C)):04x}"
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
                    lead, mark = _ANCHOR_LEAD, f"{glyph_id:04x}"
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
                    string += f"<{glyph_id:02x}>" if font.bitmap else f"<{glyph_id:04x}>"
                    stream.show_text(string)
                    stream.set_text_rise(0)
                    string = "<"
                else:
                    if offset:
                        string += f">{-offset}<"
                    string += f"{glyph_id:02x}" if font.bitmap else f"{glyph_id:04x}"

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


def _number(value: float) -> str:
    """A TJ adjustment, without float noise."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _joiner(utf8: bytes, offset: int, length: int, clusters: list[int], i: int) -> bool:
    """Whether glyph ``i`` of a right-to-left run (its item at ``offset``, ``length``
    bytes long), drawn as nothing, is a zero-width non-joiner."""
    end = length if i == 0 else clusters[i - 1]
    return utf8[offset + clusters[i] : offset + end] == "\u200c".encode()
