"""The process-wide caches of parsed catalogs, review status and font character maps:
bounded, and keyed by everything their values depend on (a font change included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaflets import fonts
from leaflets.catalog import load_catalog, translations
from leaflets.config import load_project
from leaflets.errors import CatalogError
from leaflets.fonts import language_coverage, load_fonts
from leaflets.memo import BoundedCache
from leaflets.review import project_reviews, status

from .conftest import LATIN_FONTS, ROOT, copy_project

LATIN = '[stacks.latin]\nregular = ["lf-latin"]\nbold = ["lf-latin-bold"]\n'
# The Thai faces draw no Latin letter at all.
THAI_FOR_LATIN = '[stacks.latin]\nregular = ["lf-thai"]\nbold = ["lf-thai-bold"]\n'


def test_a_bounded_cache_drops_the_least_recently_used() -> None:
    cache: BoundedCache[str] = BoundedCache(2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # now b is the least recently used
    cache.put("c", "C")
    assert len(cache) == 2 and "b" not in cache
    assert (cache.get("a"), cache.get("c"), cache.get("b")) == ("A", "C", None)


def test_a_loaded_catalog_follows_the_fonts(tmp_path: Path) -> None:
    root = copy_project(tmp_path, fonts=(*LATIN_FONTS, "noto-sans-thai"))
    project = load_project(root)
    leaflet = project.leaflet("cryoablation")
    assert load_catalog(project, leaflet, "es").complete
    fonts = root / "fonts/fonts.toml"
    text = fonts.read_text(encoding="utf-8")
    assert LATIN in text
    fonts.write_text(text.replace(LATIN, THAI_FOR_LATIN), encoding="utf-8")
    # The catalog did not change, but its text can no longer be drawn.
    with pytest.raises(CatalogError, match="glyph"):
        load_catalog(project, leaflet, "es")
    fonts.write_text(text, encoding="utf-8")
    assert load_catalog(project, leaflet, "es").complete


def test_loaded_catalogs_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # A cache of its own: earlier tests' entries would be hits, never insertions.
    monkeypatch.setattr(translations, "PARSED", BoundedCache(2))
    project = load_project(ROOT)
    leaflet = project.leaflet("cryoablation")
    for lang in ("es", "fr", "vi"):
        load_catalog(project, leaflet, lang)
    assert len(translations.PARSED) == 2


def test_catalog_reviews_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # A cache of its own: earlier tests' entries would be hits, never insertions.
    monkeypatch.setattr(status, "REVIEWS", BoundedCache(3))
    project = load_project(ROOT)
    assert len(project_reviews(project)) > 3
    assert len(status.REVIEWS) == 3


def test_glyph_coverage_follows_the_font_files_and_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fonts, "CMAPS", BoundedCache(2))
    root = copy_project(tmp_path, fonts=(*LATIN_FONTS, "noto-sans-thai"))
    faces = load_fonts(root / "fonts").faces
    assert ord("ñ") in language_coverage(root / "fonts", "es")
    assert ord("ก") in language_coverage(root / "fonts", "th")
    assert len(fonts.CMAPS) == 2
    # The Latin faces' files replaced by the Thai ones: the same paths, new contents.
    for latin, thai in (("lf-latin", "lf-thai"), ("lf-latin-bold", "lf-thai-bold")):
        faces[latin][0].write_bytes(faces[thai][0].read_bytes())
    assert ord("ñ") not in language_coverage(root / "fonts", "es")
    assert len(fonts.CMAPS) == 2


def test_font_sets_are_read_again_when_a_font_file_changes(tmp_path: Path) -> None:
    """Every render asks for its fonts: the font list is read once per version of
    fonts.toml and of the faces it names, and a change to any of them is seen."""
    root = copy_project(tmp_path)
    fonts_dir = root / "fonts"
    first = load_fonts(fonts_dir)
    assert load_fonts(fonts_dir) is first and not first.broken
    family = "lf-latin"
    face = first.faces[family][0]
    face.write_bytes(b"version https://git-lfs.github.com/spec/v1\n")
    second = load_fonts(fonts_dir)
    assert "Git LFS" in second.broken[family] and load_fonts(fonts_dir) is second
    listing = fonts_dir / "fonts.toml"
    text = listing.read_text(encoding="utf-8")
    listing.write_text(text.replace("line_height = 1.8", "line_height = 1.9"), encoding="utf-8")
    assert load_fonts(fonts_dir).line_heights["nastaliq"] == 1.9
