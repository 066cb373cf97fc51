"""Process-wide caches of what was read from files: bounded, the least recently used
dropped first, keyed by the files' stamps and everything else the value depends on."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from pathlib import Path
from typing import Generic, TypeVar

V = TypeVar("V")


def stamp(path: Path) -> tuple[int, int] | None:
    """What tells one version of a file from the next: modification time and size
    (None while there is no file)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


class BoundedCache(Generic[V]):
    """At most ``maxsize`` values. A long-lived process (the desk, a preview, a batch
    worker) sees catalogs change many times; each version is a new key, so without a
    bound the old ones would pile up."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items
