"""A brand switches the clinic's name, logo, phone numbers, fever threshold and colours."""

from __future__ import annotations

from pypdf.generic import ContentStream

from .conftest import pdf_text, reader


def _colours(pdf: bytes) -> set[tuple[float, float, float]]:
    """Every RGB fill and stroke colour set in the page content streams."""
    found = set()
    doc = reader(pdf)
    for page in doc.pages:
        stream = ContentStream(page.get_contents(), doc)
        for operands, operator in stream.operations:
            if operator in (b"rg", b"RG") and len(operands) == 3:
                found.add(tuple(round(float(x), 2) for x in operands))
    return found


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(round(int(hex_colour[i : i + 2], 16) / 255, 2) for i in (1, 3, 5))  # type: ignore[return-value]


def test_second_brand_switches_everything(built, project) -> None:
    default = project.brands["lindenfield"]
    other = project.brands["harborpines"]
    a = built(leaflet="cryoablation", variant="percutaneous", lang="en", paper="letter").pdf
    b = built(
        leaflet="cryoablation",
        variant="percutaneous",
        lang="en",
        paper="letter",
        brand="harborpines",
    ).pdf
    text_a, text_b = pdf_text(a), pdf_text(b)
    for brand, text, not_brand in ((default, text_a, other), (other, text_b, default)):
        assert brand.name in text
        assert brand.phone_appointments in text
        assert brand.phone_after_hours in text
        assert not_brand.name not in text
        assert not_brand.phone_appointments not in text
    assert "a fever above 101°F (38.3°C)" in text_a
    assert "a fever above 100.4°F (38°C)" in text_b
    assert reader(b).metadata.author == "Harbor Pines Health"
    colours_a, colours_b = _colours(a), _colours(b)
    assert _rgb(default.primary) in colours_a and _rgb(default.primary) not in colours_b
    assert _rgb(other.primary) in colours_b and _rgb(other.primary) not in colours_a
    assert _rgb(other.accent) in colours_b


def test_logo_is_the_brands_own(project, renderer) -> None:
    from leaflets.catalog import load_catalog
    from leaflets.render import BuildRequest, resolve

    request = BuildRequest("cryoablation", "percutaneous", "en", "letter", brand="harborpines")
    r = resolve(project, request)
    html = renderer.html(r, load_catalog(project, r.leaflet, "en"))
    assert 'src="' + project.brands["harborpines"].logo.as_uri() + '"' in html
    assert "lindenfield" not in html
