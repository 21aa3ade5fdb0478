"""One HTTP client for every endpoint: SPARQL Protocol POSTs over kept-alive connections, from N threads.

Each thread keeps one connection per endpoint (http.client, no extra dependency), sends
`application/x-www-form-urlencoded` POSTs with the same Accept header whatever the endpoint, reads the
whole answer and records its status, size and latency. A failed connection is counted and reopened.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from .mix import Query


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL query URL under a name; `kind` is ours, oxigraph or rdflib."""

    name: str
    url: str
    kind: str


@dataclass(frozen=True)
class Sample:
    """One request: status 0 means no HTTP answer (`error` says why)."""

    query: str
    status: int
    seconds: float
    size: int
    error: str = ""  # the `type` (and `limit`) of our JSON error, or the client-side exception
    started: float = 0.0


class Client:
    """A fixed pool of `concurrency` threads; each keeps its own connections."""

    def __init__(self, concurrency: int, timeout: float):
        self.concurrency = concurrency
        self.timeout = timeout
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bench-client")

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _connection(self, endpoint: Endpoint) -> http.client.HTTPConnection:
        connections = getattr(self._local, "connections", None)
        if connections is None:
            connections = self._local.connections = {}
        conn = connections.get(endpoint.url)
        if conn is None:
            parts = urlsplit(endpoint.url)
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
            connections[endpoint.url] = conn
        return conn

    def _drop(self, endpoint: Endpoint) -> None:
        conn = self._local.connections.pop(endpoint.url, None)
        if conn is not None:
            conn.close()

    def request(self, endpoint: Endpoint, query: Query, number: int) -> tuple[Sample, bytes]:
        """Send the query's `number`-th request and wait for the whole answer."""
        body = urlencode({"query": query.text(number)}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": query.accept}
        path = urlsplit(endpoint.url).path or "/"
        started = time.perf_counter()
        for attempt in (1, 2):
            conn = self._connection(endpoint)
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                seconds = time.perf_counter() - started
                if response.getheader("Connection", "").lower() == "close":
                    self._drop(endpoint)
                error = _error_type(payload) if response.status >= 400 else ""
                return Sample(query.id, response.status, seconds, len(payload), error, started), payload
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as failure:
                self._drop(endpoint)
                # a kept-alive connection the server closed while idle: resend once on a fresh one
                if attempt == 1 and time.perf_counter() - started < 0.05:
                    started = time.perf_counter()
                    continue
                return Sample(query.id, 0, time.perf_counter() - started, 0, type(failure).__name__, started), b""
            except (OSError, http.client.HTTPException) as failure:
                self._drop(endpoint)
                kind = "timeout" if isinstance(failure, (socket.timeout, TimeoutError)) else type(failure).__name__
                return Sample(query.id, 0, time.perf_counter() - started, 0, kind, started), b""
        raise AssertionError("unreachable")

    def batch(self, endpoint: Endpoint, query: Query, requests: int, first: int = 0) -> tuple[list[Sample], float]:
        """`requests` requests of one query with `concurrency` in flight; returns the samples and the wall time."""
        counter = iter(range(first, first + requests))
        lock = threading.Lock()
        samples: list[Sample] = []

        def work() -> None:
            while True:
                with lock:
                    number = next(counter, None)
                if number is None:
                    return
                sample, _ = self.request(endpoint, query, number)
                with lock:
                    samples.append(sample)

        started = time.perf_counter()
        futures = [self._pool.submit(work) for _ in range(min(self.concurrency, requests))]
        for future in futures:
            future.result()
        return samples, time.perf_counter() - started


def _error_type(payload: bytes) -> str:
    """`type` and `limit` of our JSON error body, e.g. "limit_reached:query_timeout_s"; "" for other bodies."""
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return ""
    if not isinstance(data, dict):
        return ""
    kind = str(data.get("type", ""))
    limit = data.get("limit")
    return f"{kind}:{limit}" if limit else kind


def count_rows(payload: bytes, accept: str) -> int | None:
    """Number of solutions in a SPARQL JSON result (None when the body is something else)."""
    try:
        data = json.loads(payload)
        return len(data["results"]["bindings"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
