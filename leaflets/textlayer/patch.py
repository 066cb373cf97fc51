"""The switch and the patch: WeasyPrint's ``draw_first_line`` replaced by one that gives
words /ActualText, in the documents that ask for it (the clinic edition)."""

from __future__ import annotations

import contextvars
from typing import Any

from . import codes, draw

# Whether the document being drawn gets /ActualText (clinic edition: yes).
ACTUAL_TEXT: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "leaflets_actual_text", default=False
)


def install() -> None:
    """Replace WeasyPrint's ``draw_first_line`` with :func:`.draw.draw_first_line`, and
    wrap its ``_build_vector_font_dictionary`` (:func:`.codes.build_vector_font_dictionary`,
    which changes nothing for a font without codes of its own).

    WeasyPrint 70 has no hook for this; the function is private, hence the
    tests that read the text layer back with two extractors.
    """
    # Lazy: WeasyPrint is imported only by processes that render (see render.py).
    from weasyprint.draw import text
    from weasyprint.pdf import fonts

    if not getattr(fonts._build_vector_font_dictionary, "_leaflets_cluster_codes", False):
        fonts._build_vector_font_dictionary = codes.build_vector_font_dictionary(
            fonts._build_vector_font_dictionary
        )
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
        return draw.draw_first_line(stream, textbox, matrix)

    draw_first_line._leaflets_actual_text = True  # type: ignore[attr-defined]
    text.draw_first_line = draw_first_line
