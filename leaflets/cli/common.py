"""What every command module shares: library errors as click errors (in this one
place), the project of ``--project``, comma-separated lists, and the options that
several commands take with the same meaning."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..config import Project, load_project
from ..errors import LeafletsError, UsageProblem
from ..process import setup_process

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn library errors into clean messages and exit codes, never a traceback: exit
    code 2 for a bad argument (UsageProblem), 1 for anything else that went wrong."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UsageProblem as exc:
            raise click.UsageError(str(exc)) from None
        except LeafletsError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def project_root() -> Path:
    """The folder of ``leaflets --project`` (default: the current one)."""
    return Path(click.get_current_context().find_root().params.get("project") or ".")


def load() -> Project:
    """The project of ``leaflets --project``, every problem of its settings at once;
    the process is set up to render it (the command owns its process)."""
    project = load_project(project_root())
    setup_process(project.fonts_dir)
    return project


def split_list(values: tuple[str, ...]) -> list[str]:
    """``--lang es,fr --lang vi`` -> ["es", "fr", "vi"]."""
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def echo_lines(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


def out_option(
    help: str = "Output folder. Default: from leaflets.toml (out/).",
) -> Callable[[F], F]:
    """``--out FOLDER``, as ``out_dir`` (None: the command's folder in leaflets.toml's)."""
    return click.option(
        "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help=help
    )


def output_option(help: str, required: bool = False) -> Callable[[F], F]:
    """``-o/--output FILE``, as ``output``: where one file is written."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        required=required,
        help=help,
    )


OUT_OPTION = out_option()
LEAFLET_OPTION = click.option(
    "--leaflet", "leaflet_id", default=None, help="Leaflet id. Default: the only one."
)
LANGS_OPTION = click.option(
    "--lang", "langs", multiple=True, help="Only these languages (comma-separated)."
)
FORMAT_TABLE = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
ALLOW_INCOMPLETE = click.option(
    "--allow-incomplete",
    is_flag=True,
    help="Build a language with untranslated or fuzzy messages: they print in English, "
    "and every page says the translation is incomplete.",
)
ALLOW_DRAFT = click.option(
    "--allow-draft",
    is_flag=True,
    help="Print edition: accept a translation not yet reviewed by a qualified medical "
    "translator (it keeps its draft mark). The clinic edition always marks drafts.",
)
MARKS = click.option("--marks", is_flag=True, help="Print edition: crop marks in the bleed.")
LAYOUT_OPTION = click.option(
    "--layout",
    default=None,
    help="standard, large-print (18 pt and up, for low vision) or bilingual (English beside "
    "the patient's language). Default: standard.",
)
