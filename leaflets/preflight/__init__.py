"""Checks on finished PDFs, as a print vendor's preflight would run them.

Print edition, the rules of PDF/X-1a:2003 as preflight tools apply them: PDF 1.4
at most; GTS_PDFXVersion, Title, dates and Trapped in the document information;
a trailer /ID; exactly one GTS_PDFX output intent with a condition identifier and
an embedded CMYK output profile or a registry name; TrimBox and BleedBox inside
the MediaBox, trim and bleed against the paper; fonts embedded; colour only in
DeviceCMYK or DeviceGray (no RGB, ICC-based or CIE-based space anywhere: content,
forms, patterns, images, shadings, annotation appearances, resources); no
transparency (soft masks, constant alpha below 1, blend modes, transparency
groups), transfer functions or LZW; no encryption, JavaScript, actions, forms or
attachments; no annotations inside the trim; plus text inside the safe zone and the
page count. Clinic edition: tagged, with a language and a title. Every problem is a
:class:`~leaflets.errors.Problem` (``path: severity code: message``), with the page
in its message where there is one.

The package: ``common`` (a finding, resolved references, every content stream a page
draws), ``geometry`` (trim, bleed and media boxes against the papers of
:data:`leaflets.config.PAPER_GEOMETRY`), ``safezone``, ``colour`` (colour spaces,
transparency, LZW), ``fonts``, ``document`` (the file as a whole, and nothing
interactive), ``clinic`` (the clinic edition), ``run`` (one PDF: its edition and its
checks). ``from leaflets.preflight import preflight_bytes, preflight_file``.
"""

from __future__ import annotations

from .run import detect_edition, preflight_bytes, preflight_file

__all__ = ["detect_edition", "preflight_bytes", "preflight_file"]
