"""What the desk offers (``leaflets.api.describe``), read again only when a catalog
or its review ledger changed."""

from __future__ import annotations

from ..api import Offer, describe
from ..config import Project


class OfferCache:
    """``describe`` reads every catalog; do it again only when a catalog or its review
    ledger changed, so the form page stays fast and still shows a translator's latest
    work and a reviewer's latest seal. (Leaflets and settings are read once, when the
    desk starts.)"""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._key: tuple[tuple[str, int, int], ...] | None = None
        self._offer: Offer | None = None

    def _stamp(self) -> tuple[tuple[str, int, int], ...]:
        # Catalogs and their review ledgers: a seal changes what the form says.
        found = self.project.locales_dir.glob("*/LC_MESSAGES/*")
        paths = sorted(p for p in found if p.suffix in (".po", ".toml"))
        stamps = []
        for path in paths:
            try:
                st = path.stat()
            except OSError:
                continue
            stamps.append((str(path), st.st_mtime_ns, st.st_size))
        return tuple(stamps)

    def get(self) -> Offer:
        key = self._stamp()
        if self._offer is None or key != self._key:
            self._offer = describe(self.project)
            self._key = key
        return self._offer
