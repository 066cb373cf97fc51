"""The English handouts: every heading, each variant's own facts and no other's, page budget."""

from __future__ import annotations

import pytest

from leaflets.config import Project

from .conftest import pdf_text, reader

HEADINGS = [
    "Cryoablation",
    "Your details",
    "What is cryoablation?",
    "Why your care team may suggest it",
    "How it works",
    "Getting ready",
    "During the procedure",
    "After the procedure",
    "Benefits",
    "Risks",
    "Getting back to normal",
    "When to call your care team",
    "What happens to the tumor",
    "Is cryoablation right for you?",
    "Questions for my care team",
]

SHARED_FACTS = [
    "You may also hear it called cryosurgery",
    "cancer of the lung or the prostate",
    "palliative cryoablation",
    "liquid nitrogen, liquid nitrous oxide or compressed argon gas",
    "aspirin",
    "blood thinners",
    "drive you home",
    "recovery room",
    "ultrasound, MRI or CT scan",
    "filled with a very cold gas or liquid",
    "within 2 to 7 days",
    "a fever above 101°F (38.3°C)",
    "numbness or weakness",
    "nausea",
]

VARIANT_FACTS = {
    "percutaneous": [
        "Percutaneous (through a small hole in the skin)",
        "called a puncture",
        "You do not need a surgical cut",
        "makes a small puncture",
        "the puncture is covered",
        "without a surgical cut",
        "cryotherapy or percutaneous cryotherapy",
        "Ask your doctor which activities",
    ],
    "laparoscopic": [
        "Laparoscopic (through a few small cuts)",
        "called incisions",
        "more than one cryoprobe",
        "ultrasound probe",
        "several small incisions",
        "the incisions are covered",
        "only a few small cuts",
        "called cryosurgery or cryotherapy.",
        "Ask your surgeon which activities",
    ],
}
# Words that must never appear in the other variant's handout.
FOREIGN_WORDS = {
    "percutaneous": ["incision", "Laparoscopic", "surgeon"],
    "laparoscopic": ["puncture", "Percutaneous (", "percutaneous cryotherapy"],
}

VARIANTS = list(VARIANT_FACTS)
PAPERS = ["a4", "letter"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_heading_and_shared_fact(built, variant: str) -> None:
    text = pdf_text(built(leaflet="cryoablation", variant=variant, lang="en", paper="letter").pdf)
    for phrase in HEADINGS + SHARED_FACTS:
        assert phrase in text, f"{phrase!r} missing from the {variant} handout"


@pytest.mark.parametrize("variant", VARIANTS)
def test_own_variant_facts_only(built, variant: str) -> None:
    text = pdf_text(built(leaflet="cryoablation", variant=variant, lang="en", paper="letter").pdf)
    for phrase in VARIANT_FACTS[variant]:
        assert phrase in text, f"{phrase!r} missing from the {variant} handout"
    other = next(v for v in VARIANTS if v != variant)
    for phrase in VARIANT_FACTS[other][1:] + FOREIGN_WORDS[variant]:
        assert phrase not in text, f"{other} text {phrase!r} in the {variant} handout"


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_page_budget_and_size(built, project: Project, variant: str, paper: str) -> None:
    result = built(leaflet="cryoablation", variant=variant, lang="en", paper=paper)
    pages = reader(result.pdf).pages
    assert result.pages == len(pages)
    assert result.catalog.review.status == "source"
    assert 1 <= len(pages) <= project.leaflets["cryoablation"].page_budget
    width, height = (float(x) for x in pages[0].mediabox[2:])
    expected = (595.28, 841.89) if paper == "a4" else (612.0, 792.0)
    assert width == pytest.approx(expected[0], abs=0.5)
    assert height == pytest.approx(expected[1], abs=0.5)


def test_footer_on_every_page(built) -> None:
    result = built(leaflet="cryoablation", variant="laparoscopic", lang="en", paper="a4")
    pages = reader(result.pdf).pages
    for number, page in enumerate(pages, 1):
        text = " ".join((page.extract_text() or "").split())
        assert f"Page {number} of {len(pages)}" in text
        assert "cryoablation · laparoscopic · en · version 1.0.0" in text
        assert "medically reviewed April 14, 2025" in text
        assert "Lindenfield Community Clinic · Patient education" in text
