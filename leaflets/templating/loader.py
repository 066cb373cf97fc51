"""Templates from one folder only: the loader refuses whatever leads outside it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from jinja2 import FileSystemLoader, TemplateNotFound
from jinja2.environment import Environment
from jinja2.loaders import split_template_path


class ConfinedLoader(FileSystemLoader):
    """Templates from one folder only: an include of a symlink, an absolute path or a
    path that leads out of the folder is refused, as the URL fetcher refuses files
    outside the assets."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.folder = folder.resolve()

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        # split_template_path refuses ".." segments. Check before anything is read: a
        # symlink to a secret must not even be opened.
        candidate = self.folder.joinpath(*split_template_path(template))
        if candidate.exists() and not candidate.resolve().is_relative_to(self.folder):
            raise TemplateNotFound(f"{template} (leads outside the templates folder)")
        try:
            return super().get_source(environment, template)
        except TemplateNotFound:
            # Jinja's message names the folder's absolute path: keep it out of errors.
            raise TemplateNotFound(template) from None
