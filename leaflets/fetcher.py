"""The sandboxed URL fetcher: the renderer may read project assets and nothing else.

WeasyPrint's default fetcher reads any local file and any URL. This one allows
only ``file:`` URLs whose real path (symlinks resolved) lies inside one of the
project's asset folders, and small ``data:`` URLs of images and fonts. Every
other request stops the rendering with a FetchRefusedError: a refused or
missing asset is an error, never a warning and a blank space.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from .errors import FetchRefusedError

MAX_DATA_URL = 2 * 1024 * 1024
_DATA_TYPES = ("image/", "font/", "application/font", "application/x-font")


class SandboxedFetcher(URLFetcher):  # type: ignore[misc]
    def __init__(self, allowed_dirs: Iterable[Path]) -> None:
        super().__init__(fail_on_errors=True, allowed_protocols=("file", "data"))
        self.allowed_dirs = tuple(d.resolve() for d in allowed_dirs)
        self.refused: list[FetchRefusedError] = []

    def _refuse(self, url: str, why: str) -> FetchRefusedError:
        shown = url if len(url) <= 120 else url[:117] + "..."
        error = FetchRefusedError(f"refused to fetch {shown!r}: {why}")
        error.url = url
        self.refused.append(error)
        return error

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return self._fetch_data(url, headers)
        if scheme != "file":
            raise self._refuse(url, "only project files and data: URLs may be used")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "file URLs on other hosts are not allowed")
        path = Path(url2pathname(parts.path))
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise self._refuse(url, "no such file") from None
        if not any(real.is_relative_to(d) for d in self.allowed_dirs):
            raise self._refuse(url, "outside the project's asset folders")
        if not real.is_file():
            raise self._refuse(url, "not a file")
        mime = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        if real.suffix == ".css":
            mime = "text/css"
        return URLFetcherResponse(real.as_uri(), real.read_bytes(), {"Content-Type": mime})

    def _fetch_data(self, url: str, headers: Any) -> URLFetcherResponse:
        if len(url) > MAX_DATA_URL:
            raise self._refuse(url, f"data: URL larger than {MAX_DATA_URL} bytes")
        media = unquote(url[5:].split(",", 1)[0]).split(";", 1)[0].strip().lower()
        if not media.startswith(_DATA_TYPES) or media == "image/svg+xml":
            # SVG may itself reference other files; keep it to real files we vet.
            raise self._refuse(url, f"data: URLs of type {media or 'text/plain'!r} are not allowed")
        response = super().fetch(url, headers)
        body = response.read()
        # An SVG hidden in a data: URL labelled as PNG would still be drawn as SVG,
        # with references of its own: refuse it like any data:image/svg+xml.
        head = body[:2048].lstrip().lower()
        if head.startswith((b"<", b"\xef\xbb\xbf<")) or b"<svg" in head:
            raise self._refuse(url, "data: URL holds markup (SVG), not an image")
        return URLFetcherResponse(url, body, {"Content-Type": media})
