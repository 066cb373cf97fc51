"""The English source reads at US grade 8 or below (Flesch-Kincaid, computed offline)."""

from __future__ import annotations

import pytest
import textstat

from leaflets.catalog import extract_catalog
from leaflets.config import Project
from leaflets.render import make_environment

# Messages that are labels or software-filled lines, not prose a patient reads.
NOT_PROSE = ("%(leaflet)s", "Page %(page)s")


@pytest.mark.parametrize("variant", ["percutaneous", "laparoscopic"])
def test_grade_level_at_most_8(project: Project, variant: str) -> None:
    leaflet = project.leaflets["cryoablation"]
    catalog = extract_catalog(project, leaflet, make_environment(project))
    sentences = []
    for message in catalog:
        if not message.id or message.context not in (None, variant):
            continue
        # A plural message reads as its plural form, as with the leaflet's numbers.
        source = message.id[1] if isinstance(message.id, tuple) else message.id
        if source.startswith(NOT_PROSE):
            continue
        text = source.replace("%(min)s", "2").replace("%(max)s", "7")
        text = text.replace("%(temperature)s", "101 degrees").replace("%(phone)s", "")
        # A heading or list item is a sentence of its own, as a reader meets it.
        sentences.append(text if text.rstrip()[-1:] in ".?!:" else text + ".")
    prose = "\n".join(sentences)
    assert textstat.lexicon_count(prose) > 600, "the leaflet text went missing"
    grade = textstat.flesch_kincaid_grade(prose)
    assert grade <= 8, f"{variant}: Flesch-Kincaid grade {grade}"
