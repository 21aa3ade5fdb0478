"""Queries run in worker processes that can be killed, so a time limit really stops the work.

pyoxigraph cannot cancel a running query and Python threads cannot be interrupted, so each query goes
to one of a few spawned processes that hold the store open read-only. The web process waits on a pipe
for at most the time limit; on expiry it kills the worker (its CPU is free at once), answers 503, and
starts a replacement in the background. A worker that dies of a crash or of its memory limit is
replaced the same way. Results are serialised in the worker with a byte limit, so an oversized answer
is refused without ever being built whole.

This module is imported by the workers too: it must not import Flask.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection

from pyoxigraph import NamedNode, QueryTriples, Store

from .namespaces import PREFIXES
from .negotiation import GRAPH_TYPES, RESULT_TYPES


@dataclass(frozen=True)
class QueryJob:
    """What a worker needs to answer one request."""

    text: str
    media_type: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_result_bytes: int = 50 * 1024 * 1024
    declares_dataset: bool = False  # the query text has FROM / FROM NAMED
    calls_service: bool = False  # the query text has SERVICE: connection errors are the remote's


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes


class QueryFailure(Exception):
    """A query ended without an answer; `kind` says why in words the web layer maps to a status."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind  # syntax | engine | remote | too_large | timeout | busy | died
        self.message = message


# --------------------------------------------------------------------------------------------------
# In the worker process
# --------------------------------------------------------------------------------------------------


class _ResultTooLarge(Exception):
    pass


class _BoundedBuffer:
    """A file-like sink that stops the serialiser once the limit is passed."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self.exceeded = False
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.exceeded = True
            raise _ResultTooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def execute(store: Store, job: QueryJob) -> Answer:
    """Run one query and serialise its result within the byte limit (also used without workers).

    The dataset follows SPARQL 1.1: the protocol's default-graph-uri / named-graph-uri win, and a side
    they leave out is empty; else the query's FROM / FROM NAMED; else the store's default graph, which
    the build made the merge of all named graphs.
    """
    dataset = {}
    if job.default_graphs or job.named_graphs:
        dataset = {
            "default_graph": [NamedNode(iri) for iri in job.default_graphs],
            "named_graphs": [NamedNode(iri) for iri in job.named_graphs],
        }
    result = store.query(job.text, prefixes=PREFIXES, **dataset)
    table = GRAPH_TYPES if isinstance(result, QueryTriples) else RESULT_TYPES
    media_type = job.media_type if job.media_type in table else next(iter(table))
    sink = _BoundedBuffer(job.max_result_bytes)
    try:
        result.serialize(output=sink, format=table[media_type])
    except (OSError, _ResultTooLarge):
        if sink.exceeded:
            raise _ResultTooLarge from None
        raise
    return Answer(media_type, b"".join(sink.parts))


def _die_with_parent() -> None:
    """Ask Linux to kill this worker if the web process dies, so no runaway query outlives it."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _worker_main(conn: Connection, store_path: str, memory_mb: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    _limit_memory(memory_mb)
    store = Store.read_only(store_path)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job: QueryJob = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = execute(store, job)
        except SyntaxError as error:
            conn.send(("syntax", error.msg))
        except _ResultTooLarge:
            conn.send(("too_large", f"the result exceeds the limit of {job.max_result_bytes} bytes"))
        except (OSError, RuntimeError, ValueError, TypeError) as error:
            text = str(error)
            remote = job.calls_service and (
                isinstance(error, OSError) or "SERVICE" in text.upper() or "HTTP" in text.upper()
            )
            conn.send(("remote" if remote else "engine", text))
        else:
            conn.send(("ok", answer.media_type))
            conn.send_bytes(answer.body)


# --------------------------------------------------------------------------------------------------
# In the web process
# --------------------------------------------------------------------------------------------------


class _Worker:
    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection):
        self.process = process
        self.conn = conn

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.process.join(timeout=5)
        with contextlib.suppress(OSError):
            self.conn.close()


class WorkerPool:
    """A fixed number of query workers on one store; each request borrows one for one query."""

    def __init__(self, store_path: str, size: int, memory_mb: int = 0, start_timeout: float = 60):
        self.store_path = store_path
        self.size = size
        self.memory_mb = memory_mb
        self.start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.replaced = 0
        # Every worker is started from this one long-lived thread: Linux sends the parent-death signal
        # when the *thread* that forked a worker ends, so a short-lived starter would kill its worker.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govsocial-spawner")
        for started in [self._spawner.submit(self._start) for _ in range(size)]:
            self._idle.put(started.result())

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_worker_main, args=(child, self.store_path, self.memory_mb), daemon=True, name="govsocial-query"
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        if not parent.poll(self.start_timeout):
            worker.kill()
            raise RuntimeError(f"a query worker did not start within {self.start_timeout} s on {self.store_path}")
        try:
            parent.recv()
        except EOFError:
            worker.kill()
            raise RuntimeError(f"a query worker exited before it was ready (store {self.store_path})") from None
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker now and start its successor in the background."""
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            self.replaced += 1

        def start_successor() -> None:
            while not self._closed:
                try:
                    self._idle.put(self._start())
                    return
                except RuntimeError:
                    time.sleep(1)

        if not self._closed:
            self._spawner.submit(start_successor)

    def run(self, job: QueryJob, timeout: float) -> Answer:
        """Answer a job within `timeout` seconds (waiting for a free worker included) or raise QueryFailure."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryFailure("busy", f"every query worker stayed busy for {timeout:g} s") from None
        try:
            worker.conn.send(job)
            if not worker.conn.poll(max(deadline - time.monotonic(), 0)):
                self._replace(worker)
                raise QueryFailure("timeout", f"the query ran longer than the limit of {timeout:g} s and was stopped")
            message = worker.conn.recv()
            body = worker.conn.recv_bytes() if message[0] == "ok" else b""
        except (EOFError, OSError):
            self._replace(worker)
            raise QueryFailure(
                "died", "the query stopped its worker process (a crash or memory exhaustion); it has been replaced"
            ) from None
        self._idle.put(worker)
        if message[0] == "ok":
            return Answer(message[1], body)
        raise QueryFailure(message[0], message[1])

    def alive(self) -> int:
        with self._lock:
            return sum(1 for worker in self._all if worker.process.is_alive())

    def close(self) -> None:
        self._closed = True
        self._spawner.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
