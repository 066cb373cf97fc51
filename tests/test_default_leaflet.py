"""One rule for a leaflet left out, in every command and the API: the project's only
leaflet, else a usage error that lists them (never silently the first)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leaflets.api import handout_request
from leaflets.config import load_project
from leaflets.defaults import choose_leaflet
from leaflets.errors import UnknownChoiceError, UsageProblem

from .conftest import cli

FIXTURE = Path(__file__).parent / "data" / "fixture"
NEEDED = "--leaflet is needed; valid values: knee, visit"


@pytest.fixture
def one(tmp_path: Path) -> Path:
    """The fixture project: one leaflet, visit."""
    root = tmp_path / "one"
    shutil.copytree(FIXTURE, root)
    return root


@pytest.fixture
def two(tmp_path: Path) -> Path:
    """The fixture project and a second leaflet made by `leaflets new`."""
    root = tmp_path / "two"
    shutil.copytree(FIXTURE, root)
    assert cli(root, "new", "knee", "--variants", "left,right")[0] == 0
    return root


def test_the_library_rule(one: Path, two: Path) -> None:
    single = load_project(one)
    assert choose_leaflet(single, None).id == "visit"
    assert handout_request(single, None, "video", "es").leaflet == "visit"
    both = load_project(two)
    assert sorted(both.leaflets) == ["knee", "visit"]
    with pytest.raises(UsageProblem) as raised:
        choose_leaflet(both, None)
    assert str(raised.value) == NEEDED
    with pytest.raises(UsageProblem, match=NEEDED):
        handout_request(both, None, "video", "es")
    assert choose_leaflet(both, "knee").id == "knee"
    with pytest.raises(
        UnknownChoiceError, match="unknown leaflet 'kne'; valid values: knee, visit"
    ):
        choose_leaflet(both, "kne")


# Every command that takes one leaflet, each with what it would write into OUT.
COMMANDS = [
    ("build", "--variant", "video", "--lang", "es", "--out", "OUT"),
    ("preview", "--lang", "es", "--once", "--out", "OUT"),
    ("proof", "--paper", "a4", "--out", "OUT"),
    ("review", "sign", "--lang", "es", "--reviewer", "Ana Ruiz"),
    ("review", "diff", "--lang", "es"),
    ("review", "sheet", "--lang", "es", "--out", "OUT"),
    ("review", "export", "--lang", "es", "-o", "OUT/es.xlf"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_several_leaflets_and_none_named_is_a_usage_error(
    two: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    out = tmp_path / "out"
    before = sorted(p.relative_to(two) for p in two.rglob("*"))
    code, output = cli(two, *(a.replace("OUT", str(out)) for a in args))
    assert code == 2, output
    assert f"Error: {NEEDED}" in output
    assert not out.exists()
    assert sorted(p.relative_to(two) for p in two.rglob("*")) == before  # nothing signed


def test_the_only_leaflet_is_used_when_none_is_named(one: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = cli(one, "preview", "--lang", "es", "--once", "--out", str(out))
    assert code == 0, output
    assert (out / "preview_visit_in-person_es_a4_clinic.pdf").is_file()
    code, output = cli(one, "proof", "--paper", "a4", "--lang", "en,es", "--out", str(out))
    assert code == 0, output
    assert output == f"wrote {out / 'proof_visit_in-person_a4.png'}\n"
    code, output = cli(one, "review", "export", "--lang", "es", "-o", str(out / "es.xlf"))
    assert code == 0 and (out / "es.xlf").is_file(), output


def test_a_named_leaflet_is_used_among_several(two: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = cli(
        two, "preview", "--leaflet", "visit", "--lang", "es", "--once", "--out", str(out)
    )
    assert code == 0, output
    assert (out / "preview_visit_in-person_es_a4_clinic.pdf").is_file()
    code, output = cli(two, "review", "diff", "--leaflet", "visit", "--lang", "es")
    assert code == 0, output
