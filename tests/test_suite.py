"""How the suite is run: ``make test`` spreads it over the cores (pytest-xdist) in work
units that keep each render to one process (tests/conftest.py)."""

from __future__ import annotations

import gc
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import _WHOLE_MODULES, GC_THRESHOLDS, ROOT, pytest_xdist_make_scheduler, work_unit

MODULE_FIXTURE = re.compile(r'^@pytest\.fixture\(scope="module"', re.M)


def test_tests_of_one_language_share_a_worker() -> None:
    urdu = [
        "tests/test_languages.py::test_language_builds_within_budget[ur-percutaneous-letter]",
        "tests/test_languages.py::test_text_layer_gives_back_the_words_of_the_page[ur]",
        "tests/test_layouts.py::test_large_print_sizes_and_budget[ur-a4]",
        "tests/test_layouts.py::test_bilingual_pairs_every_section_within_budget[ur-letter]",
    ]
    assert {work_unit(nodeid) for nodeid in urdu} == {"lang ur"}
    assert work_unit("tests/test_layouts.py::test_large_print_sizes_and_budget[zh_Hans-a4]") == (
        "lang zh_Hans"
    )


def test_a_modules_shared_server_stays_in_one_worker() -> None:
    browser = [
        "tests/test_desk_browser.py::test_the_page_asks_for_the_token_once",
        "tests/test_desk_browser.py::test_arabic_preview_is_right_to_left",
    ]
    assert len({work_unit(nodeid) for nodeid in browser}) == 1


def test_other_tests_go_wherever_a_worker_is_free() -> None:
    others = [
        "tests/test_batch.py::test_bundle_for_the_vendor",
        "tests/test_batch.py::test_shards_are_disjoint_and_merge_to_the_full_run",
        "tests/test_layouts.py::test_layouts_are_byte_reproducible[bilingual]",
    ]
    assert len({work_unit(nodeid) for nodeid in others}) == len(others)


def test_make_test_uses_the_work_units() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe is not None
    assert re.search(r"pytest .*-n auto .*--dist loadgroup", recipe.group(1))


def test_the_plugins_are_loaded_by_name_and_not_rewritten(pytestconfig: pytest.Config) -> None:
    """pyproject.toml names the suite's plugins; none is found by its entry point, so
    pytest does not rewrite the assertions of every module of their packages."""
    import hypothesis.core
    from _pytest.assertion.rewrite import AssertionRewritingHook

    assert pytestconfig.pluginmanager.has_plugin("xdist.plugin")
    assert pytestconfig.pluginmanager.has_plugin("_hypothesis_pytestplugin")
    assert not isinstance(hypothesis.core.__loader__, AssertionRewritingHook)
    assert isinstance(__loader__, AssertionRewritingHook)  # the tests' own asserts are


def test_the_session_collects_garbage_less_often_than_its_subprocesses() -> None:
    assert gc.get_threshold() == GC_THRESHOLDS
    default = subprocess.run(
        [sys.executable, "-c", "import gc; print(*gc.get_threshold())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert tuple(map(int, default.stdout.split())) < GC_THRESHOLDS


def test_the_scheduler_splits_by_work_unit(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pytestconfig.option, "dist", "loadgroup")
    monkeypatch.setattr(pytestconfig.option, "tx", ["2*popen"])
    scheduler = pytest_xdist_make_scheduler(pytestconfig, None)
    nodeid = "tests/test_layouts.py::test_large_print_sizes_and_budget[ur-a4]"
    assert scheduler._split_scope(nodeid) == "lang ur"
    monkeypatch.setattr(pytestconfig.option, "dist", "load")
    assert pytest_xdist_make_scheduler(pytestconfig, None) is None


def test_every_module_with_a_module_fixture_runs_whole() -> None:
    """A module fixture split over workers is made once in each (a server, a render)."""
    shared = {
        path.relative_to(ROOT).as_posix()
        for path in Path(ROOT / "tests").glob("test_*.py")
        if MODULE_FIXTURE.search(path.read_text(encoding="utf-8"))
    }
    assert shared and shared <= _WHOLE_MODULES, sorted(shared - _WHOLE_MODULES)
