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

from .jobs import Answer, QueryFailure, QueryJob
from .worker_process import holder_main, spawned_worker_main


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
        try:
            os.kill(self.pid, 0)
        except OSError:
            return False
        return True


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

    def fork(self) -> tuple[Connection, int]:
        ours, theirs = socket.socketpair()
        try:
            self.conn.send(("fork",))
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


class WorkerPool:
    """A fixed number of query workers on one store; each request borrows one for one query."""

    def __init__(
        self,
        store_path: str,
        size: int,
        memory_mb: int = 0,
        *,
        in_memory: bool = True,
        wait_timeout: float = 30,
        start_timeout: float = 60,
    ):
        self.store_path = store_path
        self.size = size
        self.memory_mb = memory_mb
        self.in_memory = in_memory
        self.wait_timeout = wait_timeout
        self.start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._holder: _Holder | None = None
        self.replaced = 0
        # Every process is started from this one long-lived thread: Linux sends the parent-death signal
        # when the *thread* that started a process ends, so a short-lived starter would kill its worker.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govsocial-spawner")
        for started in [self._spawner.submit(self._start) for _ in range(size)]:
            self._idle.put(started.result())

    def _start(self) -> _Worker:
        if self.in_memory:
            if self._holder is None or not self._holder.process.is_alive():
                if self._holder is not None:
                    self._holder.close()
                self._holder = _Holder(self._context, self.store_path, self.memory_mb)
            conn, pid = self._holder.fork()
            worker = _Worker(conn, pid)
        else:
            parent, child = self._context.Pipe(duplex=True)
            process = self._context.Process(
                target=spawned_worker_main,
                args=(child, self.store_path, self.memory_mb),
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
            worker.conn.recv()
        except (EOFError, OSError):
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
        """Answer a job within `timeout` seconds of run time, after waiting at most `wait_timeout` for a worker."""
        try:
            worker = self._idle.get(timeout=self.wait_timeout)
        except queue.Empty:
            raise QueryFailure(
                "busy", f"every query worker stayed busy for {self.wait_timeout:g} s; try again shortly"
            ) from None
        try:
            worker.conn.send(job)
            if not worker.conn.poll(timeout):
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
            return sum(1 for worker in self._all if worker.is_alive())

    def close(self) -> None:
        self._closed = True
        self._spawner.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
        if self._holder is not None:
            self._holder.close()
