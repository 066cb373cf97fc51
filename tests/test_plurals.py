"""A count the software fills into a sentence takes its plural form from the count."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest

from leaflets.catalog import load_catalog
from leaflets.config import load_project
from leaflets.locale import locale_info
from leaflets.render import BuildRequest, Renderer, resolve

from .conftest import LATIN_FONTS, copy_project, pdf_text

RECOVERY = "Most people go back to work and their daily activities within %(min)s to %(max)s day."


def _set_recovery_days(root: Path, low: int, high: int) -> None:
    path = root / "templates/leaflets/cryoablation/leaflet.toml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^recovery_days_min = \d+$", f"recovery_days_min = {low}", text)
    text = re.sub(r"(?m)^recovery_days_max = \d+$", f"recovery_days_max = {high}", text)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("lang", "low", "high"),
    [("ru", 2, 4), ("ru", 2, 7), ("ru", 14, 21), ("ar", 2, 7), ("ar", 5, 11), ("en", 1, 1)],
)
def test_recovery_days_take_the_plural_form_of_the_clinics_number(
    tmp_path: Path, lang: str, low: int, high: int
) -> None:
    root = copy_project(tmp_path, fonts=(*LATIN_FONTS, "noto-sans-arabic"))
    _set_recovery_days(root, low, high)
    project = load_project(root)
    renderer = Renderer(project)
    request = BuildRequest(leaflet="cryoablation", variant="percutaneous", lang=lang, paper="a4")
    try:
        result = renderer.render(request)
        resolved = resolve(project, request)
        html = renderer.html(resolved, load_catalog(project, resolved.leaflet, lang))
    finally:
        renderer.close()
    loc = locale_info(lang)
    # Text extracted from a right-to-left PDF comes back in visual order at line ends
    # ("أيام.7 لى إ2"): there the HTML the PDF was made from is read instead.
    text = " ".join(html.split()) if loc.direction == "rtl" else pdf_text(result.pdf)
    numbers = {"min": loc.number(low), "max": loc.number(high)}
    if lang == "en":
        expected = RECOVERY % numbers
        assert expected in text
        return
    po = polib.pofile(str(root / f"locales/{lang}/LC_MESSAGES/cryoablation.po"))
    entry = po.find(RECOVERY)
    assert entry is not None and entry.msgstr_plural, "the recovery sentence has no plural forms"
    plural = gettext.c2py(po.metadata["Plural-Forms"].split("plural=")[1].rstrip(";"))
    chosen = entry.msgstr_plural[plural(high)] % numbers
    others = {entry.msgstr_plural[i] % numbers for i in entry.msgstr_plural} - {chosen}
    assert " ".join(chosen.split()) in text
    # The forms really differ by count (else this test could not fail).
    for other in others:
        assert " ".join(other.split()) not in text
