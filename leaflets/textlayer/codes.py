"""Character codes of their own for the glyphs of clusters that do not map one to one,
for readers of ToUnicode alone (pypdf, pdfminer.six), which ignore /ActualText.

WeasyPrint 70 embeds each font as a Type0 font with a CIDFontType2 descendant,
``/Identity-H`` encoding and ``/CIDToGIDMap /Identity``: a glyph's character code is its
CID is its glyph id, and the ToUnicode table maps each glyph to one text, the first it
was drawn for (``to_unicode``, keyed by glyph id; ``widths`` likewise make ``/W``). The
subset keeps the glyph ids (HarfBuzz's ``RETAIN_GIDS``) and every glyph named in
``to_unicode``.

Inside a cluster whose glyphs do not spell its text (the clusters of the words that get
/ActualText, words.py), each glyph is drawn with a code of its own instead (ISO 32000-1,
9.7.5 and 9.10.3): the cluster's first glyph in drawing order reads as the cluster's
whole text, the others as U+200B (not nothing: PDFium reads an empty mapping as the
code itself). A code is a new CID past the font's glyphs, with its glyph's width in
``/W``, its text in ToUnicode, and its glyph in a ``/CIDToGIDMap`` stream, which maps
every other CID to itself as ``/Identity`` did. Codes are shared by the occurrences of a
glyph that read as the same text. The glyphs drawn are the same: the page is the same.

Only TrueType outlines (CIDFontType2) have a CIDToGIDMap; CFF fonts (the CJK ones, whose
text maps one to one) keep their glyph ids. WeasyPrint numbers the codes it gives
glyphs missing from a font (``get_unused_glyph_id``) from the font's glyph count on: the
new codes start :data:`_MISSING_ROOM` further (a missing glyph fails the build anyway).
"""

from __future__ import annotations

import struct
from typing import Any

# Codes WeasyPrint may give glyphs missing from a font, past its glyph count.
_MISSING_ROOM = 256
_LAST_CODE = 0xFFFF


class ClusterCodes:
    """A font's extra codes: (glyph id, text) -> code, and code -> glyph id."""

    def __init__(self, font: Any) -> None:
        self.first = font.glyph_count + _MISSING_ROOM
        self.codes: dict[tuple[int, str], int] = {}
        self.glyphs: dict[int, int] = {}

    @staticmethod
    def of(font: Any) -> ClusterCodes | None:
        """The font's codes (made on first use), or None for a font that cannot have
        them (bitmap, CFF outlines)."""
        codes: ClusterCodes | None = getattr(font, "_leaflets_cluster_codes", None)
        if codes is None and not font.bitmap and font.type == "ttf":
            codes = font._leaflets_cluster_codes = ClusterCodes(font)
        return codes

    def code(self, font: Any, glyph_id: int, text: str, width: int) -> int:
        """The code that draws ``glyph_id`` (``width`` thousandths of an em wide) and
        reads as ``text``: the glyph id where WeasyPrint's map already reads so, or
        where no code is left."""
        if font.to_unicode.get(glyph_id) == text:
            return glyph_id
        code = self.codes.get((glyph_id, text))
        if code is None:
            code = self.first + len(self.codes)
            if code > _LAST_CODE or len(font.missing) >= _MISSING_ROOM:
                return glyph_id
            self.codes[glyph_id, text] = code
            self.glyphs[code] = glyph_id
            font.to_unicode[code] = text
            font.widths[code] = width
        return code

    def cid_to_gid_map(self, glyph_count: int) -> bytes:
        """The ``/CIDToGIDMap`` stream's data: two bytes per CID, from 0 to the last code;
        the font's glyphs map to themselves, the codes to their glyphs, the rest to 0."""
        last = max(self.glyphs)
        gids = list(range(glyph_count)) + [0] * (last + 1 - glyph_count)
        for code, glyph_id in self.glyphs.items():
            gids[code] = glyph_id
        return struct.pack(f">{len(gids)}H", *gids)


def build_vector_font_dictionary(original: Any) -> Any:
    """WeasyPrint's ``_build_vector_font_dictionary``, wrapped: a font with extra codes
    gets a ``/CIDToGIDMap`` stream in place of ``/Identity``."""

    def build(
        font_dictionary: Any,
        pdf: Any,
        font: Any,
        widths: Any,
        compress: bool,
        reference: Any,
        pdf_version: Any,
    ) -> Any:
        codes: ClusterCodes | None = getattr(font, "_leaflets_cluster_codes", None)
        if codes is not None and codes.glyphs and widths is not font.widths:
            # A font WeasyPrint does not subset (used in a form field; the handouts have
            # none) gets the widths of all its glyphs, read from the file: the codes'
            # too, or they would be drawn 1000 wide. Their text is lost there.
            widths = {**widths, **{code: font.widths[code] for code in codes.glyphs}}
        result = original(font_dictionary, pdf, font, widths, compress, reference, pdf_version)
        if codes is not None and codes.glyphs:
            # Lazy: WeasyPrint (and pydyf) are imported only by processes that render.
            import pydyf

            stream = pydyf.Stream([codes.cid_to_gid_map(font.glyph_count)], compress=compress)
            pdf.add_object(stream)
            number = int(font_dictionary["DescendantFonts"][0].split()[0])
            pdf.objects[number]["CIDToGIDMap"] = stream.reference
        return result

    build._leaflets_cluster_codes = True  # type: ignore[attr-defined]
    return build
