"""Fair sharing: how many queries one client may have running or waiting at once.

Workers are few (a query can hold one for its whole time limit), so without a per-client bound one
client sending runaway queries in parallel takes every worker and everybody else waits. Each client,
known by its address (see `client_address`), may have `limit` queries in flight per lane; the next one
is answered 429 with Retry-After at once, holding nothing.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager


class ClientBusy(Exception):
    """The client already has as many queries in flight as it may."""

    def __init__(self, client: str, lane: str, limit: int):
        super().__init__(
            f"this client ({client}) already has {limit} {lane} queries running or waiting, the most one client "
            "may have at once; wait for one to finish, then retry"
        )
        self.limit = limit


class ClientLimiter:
    """Counts queries in flight per (client, lane); thread-safe."""

    def __init__(self, limit: int):
        self.limit = limit
        self._in_flight: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self.refused = 0

    @contextmanager
    def hold(self, client: str, lane: str) -> Iterator[None]:
        """Count one query of `client` in `lane` while the block runs, or raise ClientBusy at once."""
        key = (client, lane)
        with self._lock:
            if self._in_flight[key] >= self.limit:
                self.refused += 1
                raise ClientBusy(client, lane, self.limit)
            self._in_flight[key] += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight[key] -= 1
                if self._in_flight[key] <= 0:
                    del self._in_flight[key]

    def in_flight(self) -> int:
        with self._lock:
            return sum(self._in_flight.values())
