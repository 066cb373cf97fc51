"""A click group that imports a command's module only when that command is used.

Click's documented pattern ("Lazily Loading Subcommands"): ``list_commands`` names
every command from a table, ``get_command`` imports the one module that defines it.
``leaflets batch`` so never imports the desk (Flask) or the review tools, and
``leaflets --version`` imports no command at all. ``leaflets --help`` loads them all,
to show each one's first line.

This is the one import by name in the package; tests/test_architecture.py knows it
and checks that the table names only modules of ``leaflets.cli``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click


class LazyGroup(click.Group):
    """``lazy_commands`` maps a command name to ``"module:attribute"``, the module
    relative to this package (``"building:batch"``)."""

    def __init__(self, *args: Any, lazy_commands: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_commands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_commands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        return load_command(target)


def load_command(target: str) -> click.Command:
    """The command ``"module:attribute"`` names, its module imported now."""
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(f"{__package__}.{module_name}")
    command = getattr(module, attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{target} is not a click command")
    return command
