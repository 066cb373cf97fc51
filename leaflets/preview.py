"""Watch mode for translators: re-render one handout whenever its inputs change."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from .config import Project
from .defaults import choose_leaflet, out_folder
from .errors import LeafletsError
from .files import write_atomic
from .render import BuildRequest, Renderer, resolve
from .review import ledger_path


class Preview:
    def __init__(
        self, project: Project, leaflet: str, variant: str, lang: str, paper: str, out_dir: Path
    ) -> None:
        self.project = project
        self.request = BuildRequest(leaflet, variant, lang, paper, allow_incomplete=True)
        self.target = out_dir / f"preview_{self.request.filename()}"

    def check_request(self) -> None:
        resolve(self.project, self.request)

    def _inputs(self) -> dict[Path, float]:
        """Modification times of everything a render reads."""
        folders = (self.project.templates_dir, self.project.fonts_dir)
        files = [p for folder in folders for p in folder.rglob("*") if p.is_file()]
        catalog = self.project.catalog_path(self.request.leaflet, self.request.lang)
        files += [catalog, ledger_path(catalog)]
        times = {}
        for path in files:
            try:
                times[path] = path.stat().st_mtime
            except OSError:
                continue
        return times

    def render_once(self, renderer: Renderer) -> str:
        started = time.perf_counter()
        try:
            result = renderer.render(self.request)
        except LeafletsError as exc:
            return f"error: {exc}"
        write_atomic(self.target, result.pdf)
        seconds = time.perf_counter() - started
        notes = (
            [] if result.catalog.complete else ["incomplete: English shown for missing messages"]
        )
        if result.catalog.review.is_draft:
            notes.append("draft")
        extra = f" ({'; '.join(notes)})" if notes else ""
        return f"rendered {self.target} in {seconds:.2f} s, {result.pages} pages{extra}"

    def run(self, once: bool = False, interval: float = 0.3) -> Iterator[str]:
        with Renderer(self.project) as renderer:
            seen = self._inputs()
            yield self.render_once(renderer)
            if once:
                return
            yield "watching for changes (Ctrl+C to stop)"
            try:
                while True:
                    time.sleep(interval)
                    now = self._inputs()
                    if now != seen:
                        seen = now
                        # A save may be half-done when first seen: wait for it to settle.
                        time.sleep(0.05)
                        seen = self._inputs()
                        yield self.render_once(renderer)
            except KeyboardInterrupt:
                return


def open_preview(
    project: Project,
    lang: str,
    *,
    leaflet: str | None = None,
    variant: str | None = None,
    paper: str | None = None,
    out_dir: Path | None = None,
) -> Preview:
    """A preview of one language, checked before the first render. Defaults: the only
    leaflet, its first variant, leaflets.toml's paper, <out_dir>/preview."""
    chosen = choose_leaflet(project, leaflet)
    session = Preview(
        project,
        chosen.id,
        variant or chosen.variants[0].id,
        lang,
        paper or project.settings.default_paper,
        out_folder(project, out_dir, "preview"),
    )
    session.check_request()
    return session
