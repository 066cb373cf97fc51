"""`review diff`: each message changed since it was sealed, the sealed and the current
translation side by side."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from .status import CHANGED, CatalogReview, MessageReview


def changed_messages(review: CatalogReview) -> list[MessageReview]:
    return [m for m in review.messages if m.state == CHANGED]


def _columns(left: str, right: str, width: int) -> Iterator[str]:
    half = max(20, (width - 3) // 2)
    a = textwrap.wrap(left, half) or [""]
    b = textwrap.wrap(right, half) or [""]
    for n in range(max(len(a), len(b))):
        x = a[n] if n < len(a) else ""
        y = b[n] if n < len(b) else ""
        yield f"{x.ljust(half)} | {y}".rstrip()


def format_diff(review: CatalogReview, width: int = 100) -> str:
    """Each message changed since it was sealed: the English, then the sealed and the
    current translation side by side."""
    blocks = []
    for m in changed_messages(review):
        seal = m.seal
        assert seal is not None
        msg = m.message
        where = f"{review.path}:{msg.line}"
        ctx = f"  [{msg.context}]" if msg.context else ""
        head = [f"{where}{ctx}" + ("  (fuzzy: needs the translator first)" if msg.fuzzy else "")]
        if seal.source != msg.source:
            head.append("English, when sealed:")
            head += ["  " + line for line in textwrap.wrap(seal.source, width - 2)]
            head.append("English, now:")
        else:
            head.append("English:")
        head += ["  " + line for line in textwrap.wrap(msg.source, width - 2)]
        if msg.source_plural:
            head += [
                "  " + line for line in textwrap.wrap(f"(plural) {msg.source_plural}", width - 2)
            ]
        left_title = f"sealed by {seal.reviewer} on {seal.date.isoformat()}"
        head.append(f"{left_title.ljust(max(20, (width - 3) // 2))} | now")
        forms = max(len(seal.translation), len(msg.translation))
        for n in range(forms):
            old = seal.translation[n] if n < len(seal.translation) else ""
            new = msg.translation[n] if n < len(msg.translation) else ""
            if forms > 1:
                head.append(f"[form {n}]")
            head += list(_columns(old, new, width))
        blocks.append("\n".join(head))
    return "\n\n".join(blocks)
