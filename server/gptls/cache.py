"""Results cache: model answers by content hash + action + model settings, bounded in size."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def cache_key(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


class ResultCache(Generic[T]):
    """An in-memory LRU of parsed answers; never holds more than ``size`` entries."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[str, T] = OrderedDict()

    def get(self, key: str) -> T | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: str, value: T) -> None:
        if self.size <= 0:
            return
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def resize(self, size: int) -> None:
        self.size = size
        while len(self._items) > max(size, 0):
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
