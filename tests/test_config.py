"""Settings, leaflet and brand files are validated with every problem reported at once.

On copies of the small fixture project: loading it reads three catalogs, not 26."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from leaflets.cli import main
from leaflets.config import load_project
from leaflets.errors import ConfigError

from .conftest import ROOT, copy_fixture, rewrite


def test_every_settings_problem_at_once(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "leaflets.toml").write_text(
        '[project]\nsource_language = "en"\ndefault_brand = "nobody"\n'
        'default_paper = "a5"\nlanguages = "en"\ncolour = "blue"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_project(root)
    messages = [str(p) for p in info.value.problems]
    assert "leaflets.toml: project.out_dir: missing" in messages
    assert "leaflets.toml: project.languages: must be a list, not str" in messages
    assert "leaflets.toml: project.colour: unknown key" in messages
    assert "leaflets.toml: project.default_paper: must be one of a4, letter, not 'a5'" in messages


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "leaflets.toml").write_text('[project]\nsource_language = "en\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_project(root)
    problem = info.value.problems[0]
    assert problem.path == "leaflets.toml" and problem.line == 2


def test_brand_and_leaflet_problems_together(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    rewrite(
        root / "templates/brands/demo/brand.toml",
        ('primary = "#1f5a7a"', 'primary = "green"'),
        ('value = 101\nunit = "F"', 'value = 45\nunit = "C"'),
        ('after_hours = "(555) 010-2499"\n', ""),
    )
    rewrite(root / "templates/leaflets/visit/leaflet.toml", ("page_budget = 2", "page_budget = 0"))
    with pytest.raises(ConfigError) as info:
        load_project(root)
    text = str(info.value)
    b = "templates/brands/demo/brand.toml"
    assert f"{b}: colors.primary: must be a colour like #1a2b3c, not 'green'" in text
    assert f"{b}: phones.after_hours: missing" in text
    assert f"{b}: fever.value: 45 °C is not a plausible fever threshold" in text
    assert "templates/leaflets/visit/leaflet.toml: page_budget: must be at least 1" in text


def test_cli_reports_config_errors_without_traceback(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "templates/brands/demo/logo.svg").unlink()
    result = CliRunner().invoke(main, ["--project", str(root), "list"])
    assert result.exit_code == 1
    assert "templates/brands/demo/brand.toml: logo: file 'logo.svg' not found" in result.output
    assert "Traceback" not in result.output


def test_the_shipped_print_setting_embeds_the_profile() -> None:
    assert 'output_intent = "embedded"' in (ROOT / "leaflets.toml").read_text(encoding="utf-8")
    assert load_project(ROOT).settings.output_intent == "embedded"


def test_print_settings_are_validated_with_the_others(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    settings = root / "leaflets.toml"
    assert "[print]" not in settings.read_text(encoding="utf-8")
    assert load_project(root).settings.output_intent == "embedded"  # the default
    settings.write_text(
        settings.read_text(encoding="utf-8") + '\n[print]\noutput_intent = "embedded"\n',
        encoding="utf-8",
    )
    text = settings.read_text(encoding="utf-8")
    assert load_project(root).settings.output_intent == "embedded"
    settings.write_text(
        text.replace('output_intent = "embedded"', 'output_intent = "registry"'), "utf-8"
    )
    assert load_project(root).settings.output_intent == "registry"
    settings.write_text(
        text.replace('default_paper = "a4"', 'default_paper = "a5"').replace(
            'output_intent = "embedded"', 'output_intent = "inline"\nink = 300'
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_project(root)
    messages = [str(p) for p in info.value.problems]
    assert "leaflets.toml: project.default_paper: must be one of a4, letter, not 'a5'" in messages
    assert (
        "leaflets.toml: print.output_intent: must be one of embedded, registry, not 'inline'"
        in messages
    )
    assert "leaflets.toml: print.ink: unknown key" in messages
    settings.write_text(text.replace('output_intent = "embedded"', "output_intent = 1"), "utf-8")
    with pytest.raises(ConfigError) as info:
        load_project(root)
    assert [str(p) for p in info.value.problems] == [
        "leaflets.toml: print.output_intent: must be a str, not int"
    ]
