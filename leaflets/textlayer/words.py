"""Which words of a glyph run get /ActualText, and how a right-to-left word with
combining marks is cut into sequences that PDFium reads in the right order."""

from __future__ import annotations

import functools
import unicodedata
from typing import Any, NamedTuple

from .empty import EmptyGlyphs
from .glyphs import Glyphs

# Break opportunities inserted for line breaking (see linebreak.py): not text.
_NOT_TEXT = str.maketrans("", "", "\u200b")


class Span(NamedTuple):
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
    glyphs: Glyphs,
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
    # keeps them, unless the non-joiner is drawn with an empty glyph (EmptyGlyphs).
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


def _rtl_pieces(clusters: list[_Cluster]) -> dict[int, Span] | None:
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
    spans: dict[int, Span] = {}
    run: list[_Cluster] = []

    def flush() -> None:
        if any(cluster.needs for cluster in run):
            text = "".join(cluster.text[::-1] for cluster in run)
            spans[run[0].first] = Span(run[-1].end, text)
        run.clear()

    for cluster in clusters:
        if cluster.needs and cluster.mark_first and all(map(_is_mark, cluster.text)):
            flush()
            spans[cluster.first] = Span(cluster.end, cluster.text[::-1], anchored=True)
        else:
            run.append(cluster)
    flush()
    return spans


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


def word_spans(
    glyphs: Glyphs,
    clusters: list[tuple[int, int, str]],
    font: Any,
    pango: Any,
    rtl: bool,
    empty: EmptyGlyphs | None,
    texts: dict[int, str] | None = None,
) -> dict[int, Span]:
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
    the word. Given in logical order, poppler and PDFium return it backwards.

    ``texts``, where given, gets what each glyph of those words' clusters that need it
    reads as in ToUnicode (see codes.py): glyph index -> text."""
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
    spans: dict[int, Span] = {}
    for word in words:
        if not any(cluster.needs for cluster in word):
            continue
        if texts is not None:
            _cluster_texts(word, ids, empty_glyph, unknown_flag, texts)
        pieces = _rtl_pieces(word) if rtl and anchor else None
        if pieces is not None:
            spans.update(pieces)
            continue
        text = "".join(c.text[::-1] if rtl else c.text for c in word)
        spans[word[0].first] = Span(word[-1].end, text)
    return spans


def _cluster_texts(
    word: list[_Cluster],
    ids: list[int],
    empty_glyph: int,
    unknown_flag: int,
    texts: dict[int, str],
) -> None:
    """What each drawn glyph of a word's clusters that need it reads as, one code each
    (codes.py): the first in drawing order the cluster's text, the others U+200B.
    In logical order in a right-to-left run too, unlike the spans' text: pypdf puts a
    right-to-left line in logical order glyph by glyph, keeping each glyph's text as it
    is (given in visual order, Arabic fell from 99.5 % to 88.5 % of words)."""
    for cluster in word:
        if not cluster.needs:
            continue
        drawn = [
            i
            for i in range(cluster.first, cluster.end)
            if ids[i] != empty_glyph and not ids[i] & unknown_flag
        ]
        if not drawn or not cluster.text:
            # Nothing to read as, or nothing to read: no empty mapping (PDFium reads one
            # as the code itself).
            continue
        texts[drawn[0]] = cluster.text
        for i in drawn[1:]:
            texts[i] = "\u200b"
