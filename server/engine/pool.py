"""A pool of query workers that can be killed, so a time limit really stops the work.

pyoxigraph cannot cancel a running query and Python threads cannot be interrupted, so each query goes
to a worker process (worker_process.py). The web process waits on the worker's pipe for at most the
time limit; on expiry it kills the worker (its CPU is free at once), answers 503, and starts a
replacement in the background. A worker that dies of a crash or of its memory limit is replaced the
same way. Waiting for a free worker has its own budget, so a query never loses its run time to the
queue. Results are serialised in the worker with a byte limit.

This module must not import Flask: the workers import the package too.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import reduction
from multiprocessing.connection import Connection

from server.engine import procfs
from server.engine.failures import Failure, QueryFailure
from server.engine.isolation import NAMESPACE
from server.engine.jobs import Answer, QueryJob
from server.engine.worker import holder_main, spawned_worker_main

log = logging.getLogger("govsocial")


class _Worker:
    """One query process seen from the web process: its pipe, and how to kill it."""

    def __init__(self, conn: Connection, pid: int, process: multiprocessing.process.BaseProcess | None = None):
        self.conn = conn
        self.pid = pid
        self.process = process  # spawned workers; forked ones are children of the holder

    def kill(self) -> None:
        if self.process is not None:
            with contextlib.suppress(OSError, ValueError):
                self.process.kill()
            self.process.join(timeout=5)
        else:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while self.is_alive() and time.monotonic() < deadline:  # gone, CPU freed, before we answer
                time.sleep(0.002)
        with contextlib.suppress(OSError):
            self.conn.close()

    def is_alive(self) -> bool:
        if self.process is not None:
            return self.process.is_alive()
        process = procfs.stat(self.pid)
        return process is not None and process.alive  # a killed worker whose parent died may linger as a zombie

    def is_idle_and_usable(self) -> bool:
        """Nothing on its pipe: an idle worker sends nothing, and the kernel closes a dead one's end, so data or
        EOF means it is gone (one poll, no read of /proc on every request)."""
        try:
            return not self.conn.poll(0)
        except (OSError, ValueError):
            return False


class _Holder:
    """The process that keeps the store in memory and forks workers from it."""

    def __init__(self, context: multiprocessing.context.SpawnContext, store_path: str, memory_mb: int):
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(
            target=holder_main, args=(child, store_path, memory_mb), daemon=True, name="govsocial-store"
        )
        self.process.start()
        child.close()
        while not self.conn.poll(0.2):  # loading takes about ten seconds per million statements
            if not self.process.is_alive():
                raise RuntimeError(f"the process loading {store_path} into memory exited; is the store built?")
        message = self.conn.recv()
        if message[0] != "ready":
            raise RuntimeError(message[1])
        self.pid: int = message[1]

    def fork(self, isolated: bool) -> tuple[Connection, int]:
        ours, theirs = socket.socketpair()
        try:
            self.conn.send(("fork", isolated))
            reduction.send_handle(self.conn, theirs.fileno(), self.pid)
            reply = self.conn.recv()
        except (EOFError, OSError) as error:
            ours.close()
            raise RuntimeError(f"the store process is gone ({error})") from None
        finally:
            theirs.close()
        return Connection(ours.detach()), reply[1]

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.process.join(timeout=5)
        with contextlib.suppress(OSError):
            self.conn.close()


class WorkerFactory:
    """Starts query workers on one store, for every lane: forked from the holder, or spawned on disk."""

    def __init__(self, store_path: str, memory_mb: int = 0, *, in_memory: bool = True, start_timeout: float = 60):
        self.store_path = store_path
        self.memory_mb = memory_mb
        self.in_memory = in_memory
        self.start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")
        self._holder: _Holder | None = None
        self._lock = threading.Lock()  # lanes start workers from their own threads; one holder serves all

    def start(self, isolated: bool) -> _Worker:
        """A ready worker, or RuntimeError saying why none could be started."""
        with self._lock:
            if self.in_memory:
                if self._holder is None or not self._holder.process.is_alive():
                    if self._holder is not None:
                        self._holder.close()
                    self._holder = _Holder(self._context, self.store_path, self.memory_mb)
                conn, pid = self._holder.fork(isolated)
                worker = _Worker(conn, pid)
            else:
                parent, child = self._context.Pipe(duplex=True)
                process = self._context.Process(
                    target=spawned_worker_main,
                    args=(child, self.store_path, self.memory_mb, isolated),
                    daemon=True,
                    name="govsocial-query",
                )
                process.start()
                child.close()
                worker = _Worker(parent, process.pid or 0, process)
        if not worker.conn.poll(self.start_timeout):
            worker.kill()
            raise RuntimeError(f"a query worker did not start within {self.start_timeout} s on {self.store_path}")
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            worker.kill()
            raise RuntimeError(f"a query worker exited before it was ready (store {self.store_path})") from None
        if message[0] != "ready":
            worker.kill()
            raise RuntimeError(message[1])
        return worker

    def close(self) -> None:
        if self._holder is not None:
            self._holder.close()


class WorkerPool:
    """One lane: a fixed number of query workers; each request borrows one for one query.

    At most `queue_length` requests wait for a worker; the next one is refused at once, so waiting
    requests can never take every thread of the HTTP server.
    """

    def __init__(
        self,
        factory: WorkerFactory,
        size: int,
        *,
        isolated: bool = False,
        wait_timeout: float = 30,
        queue_length: int = 8,
        name: str = "query",
    ):
        self.factory = factory
        self.size = size
        self.isolated = isolated
        self.wait_timeout = wait_timeout
        self.queue_length = queue_length
        self.name = name
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._waiting = 0
        self._closed = False
        self.replaced = 0
        self.start_error: str | None = None
        # Every process is started from this one long-lived thread: Linux sends the parent-death signal
        # when the *thread* that started a process ends, so a short-lived starter would kill its worker.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"govsocial-{name}-spawner")
        for started in [self._spawner.submit(self._start) for _ in range(size)]:
            self._idle.put(started.result())

    def _start(self) -> _Worker:
        worker = self.factory.start(self.isolated)
        with self._lock:
            self._all.add(worker)
            self.start_error = None
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
                except RuntimeError as error:
                    with self._lock:
                        first = self.start_error is None
                        self.start_error = str(error)
                    if first:
                        log.error("%s lane: a query worker cannot be started: %s", self.name, error)
                    time.sleep(1)

        if not self._closed:
            self._spawner.submit(start_successor)

    def _borrow(self) -> _Worker:
        """An idle worker that is alive, within the wait budget; dead ones are replaced, never handed out."""
        with self._lock:
            if self._waiting >= self.queue_length and self._idle.empty():
                raise QueryFailure(
                    Failure.BUSY,
                    f"{self._waiting} queries are already waiting for a {self.name} worker; try again shortly",
                )
            self._waiting += 1
        try:
            deadline = time.monotonic() + self.wait_timeout
            while True:
                self._fail_fast_if_broken()
                remaining = deadline - time.monotonic()
                try:
                    worker = self._idle.get(timeout=max(0.0, min(remaining, 0.5)))
                except queue.Empty:
                    if remaining <= 0.5:
                        raise QueryFailure(
                            Failure.BUSY,
                            f"every query worker stayed busy for {self.wait_timeout:g} s; try again shortly",
                        ) from None
                    continue
                if worker.is_idle_and_usable():
                    return worker
                self._replace(worker)
        finally:
            with self._lock:
                self._waiting -= 1

    def _fail_fast_if_broken(self) -> None:
        """Answer at once, with the reason, while no worker is alive and none can be started."""
        with self._lock:
            error = self.start_error
            broken = error is not None and not any(worker.is_alive() for worker in self._all)
        if broken:
            raise QueryFailure(Failure.UNAVAILABLE, f"no query worker can be started: {error}")

    def run(self, job: QueryJob, timeout: float) -> Answer:
        """Answer a job within `timeout` seconds of run time, after waiting at most `wait_timeout` for a worker."""
        worker = self._borrow()
        try:
            worker.conn.send(job)
            if not worker.conn.poll(timeout):
                self._replace(worker)
                raise QueryFailure(
                    Failure.TIMEOUT, f"the query ran longer than the limit of {timeout:g} s and was stopped"
                )
            status, text, body = worker.conn.recv()  # one message: the answer's bytes travel with its status
        except (EOFError, OSError):
            self._replace(worker)
            raise QueryFailure(
                Failure.DIED,
                "the query stopped its worker process (a crash or memory exhaustion); it has been replaced",
            ) from None
        self._idle.put(worker)
        if status == "ok":
            return Answer(text, body)
        raise QueryFailure(Failure(status), text)

    def alive(self) -> int:
        with self._lock:
            return sum(1 for worker in self._all if worker.is_alive())

    def close(self) -> None:
        self._closed = True
        self._spawner.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()


#: The lanes of the local engine: SPARQL queries, queries with allowlisted SERVICE calls, page queries.
LANES = ("query", "service", "page")


class WorkerLanes:
    """The embedded engine: one store, a lane of workers per kind of job, so no kind waits behind another.

    Pages get their own workers, so a flood of slow SPARQL queries cannot stall them; federated queries
    get workers that keep the network, all others (in the namespace isolation mode) workers without it.
    """

    def __init__(
        self,
        factory: WorkerFactory,
        sizes: dict[str, int],
        *,
        isolation: str,
        wait_timeout: float = 30,
        queue_length: int = 8,
    ):
        self.factory = factory
        self.isolation = isolation
        self.in_memory = factory.in_memory
        self.lanes: dict[str, WorkerPool] = {}
        try:
            for lane in LANES:
                self.lanes[lane] = WorkerPool(
                    factory,
                    sizes[lane],
                    isolated=isolation == NAMESPACE and lane != "service",
                    wait_timeout=wait_timeout,
                    queue_length=queue_length,
                    name=lane,
                )
        except BaseException:
            self.close()
            raise

    @property
    def kind(self) -> str:
        """ "memory" (the build held in memory by the holder) or "disk" (each worker reads RocksDB)."""
        return "memory" if self.in_memory else "disk"

    def run(self, job: QueryJob, timeout: float) -> Answer:
        return self.lanes[job.lane].run(job, timeout)

    def alive(self) -> int:
        """Live workers of the query lane: those that answer /sparql (the GOVSOCIAL_WORKERS)."""
        return self.lanes["query"].alive()

    def lanes_alive(self) -> dict[str, int]:
        return {name: lane.alive() for name, lane in self.lanes.items()}

    @property
    def replaced(self) -> int:
        return sum(pool.replaced for pool in self.lanes.values())

    def close(self) -> None:
        for pool in self.lanes.values():
            pool.close()
        self.factory.close()
