"""What a request means when it leaves something out: the leaflet and the output folder,
one rule each for every command and the API.

A project with one leaflet needs no ``--leaflet``; a project with several refuses to
guess, and says which ones there are. Taking "the first" silently would build, preview
or proof a different handout as soon as someone adds a leaflet.
"""

from __future__ import annotations

from pathlib import Path

from .config import Leaflet, Project
from .errors import UsageProblem


def choose_leaflet(project: Project, leaflet_id: str | None) -> Leaflet:
    """The leaflet named, else the project's only one.

    Raises UnknownChoiceError for a name the project does not have, and UsageProblem
    listing the leaflets when none is named and there are several.
    """
    if leaflet_id is not None:
        return project.leaflet(leaflet_id)
    if len(project.leaflets) != 1:
        raise UsageProblem(
            f"--leaflet is needed; valid values: {', '.join(sorted(project.leaflets))}"
        )
    return next(iter(project.leaflets.values()))


def out_folder(project: Project, out_dir: Path | None, *sub: str) -> Path:
    """The folder given (``--out``), else leaflets.toml's ``out_dir`` (or ``sub`` in it:
    ``preview``, ``review``)."""
    return out_dir or project.root.joinpath(project.settings.out_dir, *sub)
