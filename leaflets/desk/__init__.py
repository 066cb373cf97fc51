"""The clinic desk: a web page and a JSON API over ``leaflets.api`` (``leaflets serve``)."""

from .app import create_app
from .engine import LocalEngine, PoolEngine
from .server import serve

__all__ = ["LocalEngine", "PoolEngine", "create_app", "serve"]
