"""What runs inside the query processes: a loop that answers jobs, and the holder that forks them.

The data can be held two ways (setting ``memory_store``):

- in memory (default): one holder process copies the build into an in-memory Oxigraph store once and
  forks every worker from itself. The workers share its pages copy-on-write, so four workers cost about
  one copy, and a worker killed at the time limit is replaced by a fork in milliseconds, not a reload.
  Oxigraph's in-memory store answers our example queries five to ten times faster than RocksDB.
- on disk: each worker is spawned and opens the build's RocksDB store read-only; for stores too large
  for memory.

The holder only loads and forks; it runs no Python threads, so forking it is safe. Every process asks
Linux to kill it when its parent dies, so no runaway query outlives the server.

This module runs in the workers: it must not import Flask.
"""

from __future__ import annotations

import contextlib
import os
import signal
from multiprocessing import reduction
from multiprocessing.connection import Connection

from pyoxigraph import Store

from server.engine.failures import Failure, QueryFailure
from server.engine.isolation import enter_network_namespace
from server.engine.jobs import execute

#: How the engine words a failed connection: pyoxigraph raises an OSError, or reports the OS error's text.
_NETWORK_WORDS = ("os error", "unreachable", "failed to lookup", "name resolution")


def serve_jobs(conn: Connection, store: Store, isolated: bool = False) -> None:
    """Say ready, then answer jobs from the pipe until the web process closes it.

    An isolated worker first leaves the network (isolation.py); if it cannot, it says so and answers
    nothing, so a query never runs with network where the pool expects none.
    """
    if isolated:
        reason = enter_network_namespace()
        if reason is not None:
            conn.send(("failed", f"a query worker could not leave the network: {reason}"))
            return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        # Every reply is one message (status, media type or message, body): one write and one read per job.
        try:
            answer = execute(store, job)
        except QueryFailure as failure:
            conn.send((failure.kind.value, failure.message, b""))
        except SyntaxError as error:
            conn.send((Failure.SYNTAX.value, error.msg, b""))
        except (OSError, RuntimeError, ValueError, TypeError) as error:
            kind = classify(error, job.calls_service, isolated)
            conn.send((kind.value, str(error), b""))
        else:
            conn.send(("ok", answer.media_type, answer.body))


def classify(error: Exception, calls_service: bool, isolated: bool) -> Failure:
    """The failure an engine error stands for.

    A worker without network has nothing to connect to, so a connection error there can only come from
    a SERVICE call that the lexical check did not see: it was blocked, and nothing was contacted.
    """
    text = str(error)
    networked = isinstance(error, OSError) or any(word in text.lower() for word in _NETWORK_WORDS)
    if isolated and not calls_service and networked:
        return Failure.BLOCKED
    if calls_service and (networked or "SERVICE" in text.upper() or "HTTP" in text.upper()):
        return Failure.REMOTE
    return Failure.ENGINE


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def _address_space() -> int:
    """Bytes of address space this process already uses (VmSize), so a limit can be set on top of it."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _limit_memory(megabytes: int, base: int = 0) -> None:
    """Cap the address space at `base` plus `megabytes`: a query that needs more fails in its own worker."""
    if megabytes > 0:
        import resource

        limit = base + megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def spawned_worker_main(conn: Connection, store_path: str, memory_mb: int, isolated: bool = False) -> None:
    """A worker on the on-disk store: opens it read-only and answers jobs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    _limit_memory(memory_mb)
    try:
        store = Store.read_only(store_path)
    except OSError as error:
        conn.send(("failed", f"cannot open the store {store_path}: {error}"))
        return
    serve_jobs(conn, store, isolated)


def load_into_memory(store_path: str) -> Store:
    """Copy every quad of a built store (named graphs and the merged default graph) into memory."""
    disk = Store.read_only(store_path)
    memory = Store()
    memory.bulk_extend(disk.quads_for_pattern(None, None, None, None))
    del disk
    return memory


def holder_main(control: Connection, store_path: str, memory_mb: int) -> None:
    """Load the store into memory, then fork one worker per request from the web process.

    A request is ("fork", isolated) followed by one end of a socket pair passed as a file descriptor; the
    child answers jobs on it, without network when `isolated`. The reply is the child's pid, which the
    web process uses to kill it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps killed workers: no zombies
    _die_with_parent()
    try:
        store = load_into_memory(store_path)
    except OSError as error:
        control.send(("failed", f"cannot load the store {store_path} into memory: {error}"))
        return
    holder = os.getpid()
    control.send(("ready", holder))
    while True:
        try:
            request = control.recv()
            fd = reduction.recv_handle(control)
        except (EOFError, OSError):
            return
        pid = os.fork()
        if pid == 0:  # the worker
            try:
                control.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _die_with_parent()
                if os.getppid() != holder:  # the holder died between fork and prctl
                    os._exit(0)
                _limit_memory(memory_mb, base=_address_space())
                serve_jobs(Connection(fd), store, isolated=bool(request[1]))
            finally:
                os._exit(0)
        os.close(fd)
        control.send(("forked", pid))
