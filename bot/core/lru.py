"""A read-through cache of per-person state, kept in step with committed writes.

The database is the source of truth: on a miss (e.g. after a restart) state is
read from it, and the cache is only updated after a unit of work committed.
Telegram allows one `getUpdates` consumer per token, so one process owns a
bot's state and nothing else writes behind this cache's back.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

_MISSING = object()


class LRU(Generic[K, V]):
    """A small least-recently-used map with a size bound."""

    def __init__(self, size: int, on_evict: Callable[[K], None] | None = None) -> None:
        """Keep at most `size` entries; `on_evict` hears of each key pushed out."""
        self._size = size
        self._data: OrderedDict[K, V] = OrderedDict()
        self._on_evict = on_evict

    def get(self, key: K) -> V | object:
        """The cached value, or `MISSING`."""
        value = self._data.get(key, _MISSING)
        if value is not _MISSING:
            self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Cache `value`."""
        self._data[key] = value
        self._data.move_to_end(key)
        if len(self._data) > self._size:
            evicted, _ = self._data.popitem(last=False)
            if self._on_evict is not None:
                self._on_evict(evicted)

    def drop(self, key: K) -> None:
        """Forget `key`."""
        self._data.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


MISSING = _MISSING
