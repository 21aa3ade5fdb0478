"""Recent query answers kept in memory, bounded in bytes.

The data changes only with a build, and a server answers from one build for its whole life, so an
answer keyed by the request's entity tag (dataset version + query + dataset + format) stays right.
Dashboards and example queries repeat the same requests; they skip the engine entirely.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class ResultCache:
    """A least-recently-used map from entity tag to (media type, body), at most `max_bytes` of bodies."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> tuple[str, bytes] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: str, media_type: str, body: bytes) -> None:
        """Keep an answer unless it would take more than a quarter of the budget on its own."""
        if self.max_bytes <= 0 or len(body) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old[1])
            self._entries[key] = (media_type, body)
            self._size += len(body)
            while self._size > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._size -= len(evicted)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._size, "hits": self.hits, "misses": self.misses}
