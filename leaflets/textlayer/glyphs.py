"""Pango's glyph runs, read once: each glyph's id, advance and offsets, and the text of
each cluster (the glyphs HarfBuzz made from one run of characters)."""

from __future__ import annotations

import functools
import struct
from typing import Any, NamedTuple


class Glyphs(NamedTuple):
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


def read_glyphs(glyph_string: Any, ffi: Any) -> Glyphs:
    count = glyph_string.num_glyphs
    if not count:
        return Glyphs([], [], [], [], [])
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
    return Glyphs(ids, widths, x_offsets, y_offsets, log_clusters)


def cluster_texts(
    glyphs: Glyphs, utf8: bytes, offset: int, length: int, rtl: bool
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


def is_joiner(utf8: bytes, offset: int, length: int, clusters: list[int], i: int) -> bool:
    """Whether glyph ``i`` of a right-to-left run (its item at ``offset``, ``length``
    bytes long), drawn as nothing, is a zero-width non-joiner."""
    end = length if i == 0 else clusters[i - 1]
    return utf8[offset + clusters[i] : offset + end] == "\u200c".encode()
