"""A font's empty glyphs of no advance, found once per font file: what a right-to-left
word's zero-width non-joiners and its marks' anchors are drawn with."""

from __future__ import annotations

import hashlib
import io
from typing import Any, ClassVar

from fontTools.ttLib import TTFont


class EmptyGlyphs:
    """A font's empty glyphs of no advance (its glyphs for U+0000 and U+200B, where
    they are empty): drawn, they change nothing on the page.

    ``joiner`` is drawn for a zero-width non-joiner in a right-to-left run, which
    Pango draws as nothing, so that the character has a glyph to be read from (the
    font's own glyph for U+200C is a visible placeholder in Noto); ``anchor`` places a
    mark's marked-content sequence (``_rtl_pieces`` in words.py) and reads as U+200B,
    the renderer's break opportunity, which the /ActualText around it hides: PDF/UA
    (ISO 14289-1, 7.21.7) asks for a Unicode value for every character code used, so
    not nothing."""

    # Font file digest -> (joiner, anchor): each document has font objects of its own.
    _found: ClassVar[dict[bytes, tuple[int | None, int | None]]] = {}

    def __init__(self, font: Any, pango_font: Any, pango: Any, ffi: Any) -> None:
        key = hashlib.blake2b(font.file_content, digest_size=16).digest() + bytes([font.index])
        if key not in self._found:
            self._found[key] = self._find(font, pango_font, pango, ffi)
        self.joiner, self.anchor = self._found[key]

    @staticmethod
    def _find(font: Any, pango_font: Any, pango: Any, ffi: Any) -> tuple[int | None, int | None]:
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
