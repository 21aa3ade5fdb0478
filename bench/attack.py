"""Attack a running `govsocial serve` the way a careless or hostile client would; measure what others see.

Standalone, standard library only, so the same file measures any checkout of the same code with one
virtualenv (before and after a change):

    python bench/attack.py --server-dir DIR --store STOREDIR [--seconds 30] [--out results.json]

Three scenarios, each on a fresh server started from DIR (`python -m server.cli serve` with cwd=DIR and
PYTHONPATH=DIR), because one attack spoils the next: a runaway query keeps a request thread and a query
worker for up to a minute after its client has gone.

* fairness: an attacker (127.0.0.2) keeps 8 runaway queries in flight; a victim (127.0.0.3) sends a cheap
  query every 0.5 s, a third client (127.0.0.4) GETs /-/health and a static file every 0.5 s.
* slowloris: 300 connections (127.0.0.5) each drip a never-ending request head, one byte every 2 s, while
  /-/health is probed (127.0.0.6) every 0.5 s.
* bigbody: one POST /sparql (127.0.0.7) announcing 100 MB and sending it in 1 MB chunks; when does the
  server answer, and does its temp directory fill up meanwhile.

Probes are sent on a fixed schedule whatever happened to the previous one (an open loop), so a stalled
server shows up as many slow answers, not as few requests. Every request uses a new connection from its
own 127.0.0.x source address (the whole 127.0.0.0/8 reaches a server on 127.0.0.1 on Linux), so a
server that tells clients apart by address can be measured too. Everything is bounded in time and count,
talks only to 127.0.0.x, and the server's whole process group is killed at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode

from server.engine import procfs

HOST = "127.0.0.1"
ATTACKER, VICTIM, BYSTANDER = "127.0.0.2", "127.0.0.3", "127.0.0.4"
SLOW_CLIENT, SLOW_PROBE, UPLOADER = "127.0.0.5", "127.0.0.6", "127.0.0.7"

#: A cross product of the graph with itself three times: no engine finishes it within the 30 s limit.
#: The variable name carries a counter so that no two requests are the same text: a result cache or a
#: coalescing of identical queries must not make the attack cheaper than a real attacker's would be.
RUNAWAY = "SELECT (COUNT(*) AS ?n{k}) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }}"
#: The victim's cheap query; numbered for the same reason, so that it really needs a query worker.
CHEAP = "SELECT ?s{k} WHERE {{ ?s{k} ?p ?o }} LIMIT 1"
CHEAP_CACHED = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}


# --------------------------------------------------------------------------------------------------------
# The server under test


def free_port() -> int:
    """A port that was free a moment ago on 127.0.0.1 (the server binds it right after)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def connect_from(source: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to the server from a given loopback address (each client has its own)."""
    return socket.create_connection((HOST, port), timeout=timeout, source_address=(source, 0))


def open_files(pid: int) -> Iterator[tuple[str, str]]:
    """(fd path, link target) of every open file of a process; gone processes and fds are skipped."""
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            path = f"/proc/{pid}/fd/{fd}"
            with contextlib.suppress(OSError):
                yield path, os.readlink(path)


def rss_bytes(pid: int) -> int:
    """Resident memory of one process (0 when it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Server:
    """`govsocial serve` from a checkout, in its own process group so that it and its workers all stop."""

    def __init__(self, python: str, server_dir: Path, store: Path, log_dir: Path, name: str, env: dict[str, str]):
        self.port = free_port()
        self.log_path = log_dir / f"server-{name}.log"
        self.env = _server_env(server_dir, store, env)
        self._log = self.log_path.open("w")  # a file, not a pipe: a full pipe would stall the server
        started = time.monotonic()
        self.process = subprocess.Popen(
            [python, "-m", "server.cli", "serve", "--host", HOST, "--port", str(self.port)],
            cwd=server_dir,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_until_up(deadline=started + 180)
        except BaseException:
            self.stop()
            raise
        self.startup_s = time.monotonic() - started

    def _wait_until_up(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log_tail()}")
            result = request(HOST, self.port, "GET", "/-/health", timeout=2)
            if result.outcome == "200":
                return
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer /-/health within 180 s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def log_warnings(self) -> dict[str, int]:
        """waitress's own view (queue depth, connection limit), its numbers folded so the lines can be counted."""
        with contextlib.suppress(OSError):
            lines = self.log_path.read_text(errors="replace").splitlines()
            found = Counter(re.sub(r"\d+", "N", line) for line in lines if line.startswith(("WARNING", "ERROR")))
            return dict(found.most_common())
        return {}

    def processes(self) -> list[int]:
        return [self.process.pid, *procfs.descendants(self.process.pid)]

    def stop(self) -> None:
        """SIGTERM as an operator would (the server closes its workers), then SIGKILL whatever is left."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # the group is ours: start_new_session made it
        self._log.close()


def _server_env(server_dir: Path, store: Path, overrides: dict[str, str]) -> dict[str, str]:
    """Our environment without inherited GOVSOCIAL_* settings, so the server runs on its defaults."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("GOVSOCIAL_")}
    env.update(PYTHONPATH=str(server_dir), GOVSOCIAL_STORE=str(store), PYTHONUNBUFFERED="1")
    env.update(overrides)
    return env


def check_checkout(python: str, server_dir: Path, store: Path, overrides: dict[str, str]) -> str:
    """The `server` package the server will import: it must be DIR's, not the venv's editable install."""
    found = subprocess.run(
        [python, "-c", "import server; print(server.__file__)"],
        cwd=server_dir,
        env=_server_env(server_dir, store, overrides),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(server_dir.resolve()):
        raise SystemExit(f"attack.py: {python} imports `server` from {found}, not from {server_dir}")
    return found


def describe_checkout(server_dir: Path) -> dict[str, Any]:
    """Which code was measured: commit and whether the work tree differs (read-only git commands)."""
    info: dict[str, Any] = {"dir": str(server_dir)}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = ["git", "--no-optional-locks", "-C", str(server_dir)]
        info["commit"] = subprocess.run(
            [*git, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
        status = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True, timeout=30).stdout
        info["dirty_files"] = len(status.splitlines())
    return info


# --------------------------------------------------------------------------------------------------------
# Requests and their outcomes


@dataclass
class Sample:
    """One request: `outcome` is the HTTP status, or what went wrong when there was none."""

    started: float  # seconds since the scenario began
    seconds: float
    outcome: str  # "200", "503", ..., or "timeout", "reset", "refused", "closed", an exception's name
    detail: str = ""  # X-Cache of an answer, or the `type`/`limit` of our JSON error

    @property
    def answered(self) -> bool:
        return self.outcome.isdigit()


class Sockets:
    """Sockets that another thread may have to cut: the attacker's requests wait far past the period."""

    def __init__(self) -> None:
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)

    def discard(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)

    def cut_all(self) -> None:
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)  # the blocked reader returns at once


def request(
    host: str,
    port: int,
    method: str,
    path: str,
    *,
    source: str | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
    origin: float = 0.0,
    cuttable: Sockets | None = None,
) -> Sample:
    """One request on a new connection from `source`; never raises for what the server did.

    The timeout applies to each socket operation; on loopback with small answers that is the whole time.
    """
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(source, 0) if source else None)
    outcome, detail, sock = "", "", None
    try:
        connection.connect()
        sock = connection.sock  # http.client forgets it once an answer says Connection: close
        if cuttable is not None and sock is not None:
            cuttable.add(sock)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        payload = response.read()
        outcome = str(response.status)
        detail = response.getheader("X-Cache", "") if response.status == 200 else _error_kind(payload)
    except TimeoutError:
        outcome = "timeout"
    except ConnectionRefusedError:
        outcome = "refused"
    except ConnectionResetError:
        outcome = "reset"
    except http.client.RemoteDisconnected:
        outcome = "closed"
    except (http.client.HTTPException, OSError) as error:
        outcome = type(error).__name__
    finally:
        if cuttable is not None and sock is not None:
            cuttable.discard(sock)
        connection.close()
    return Sample(started - origin, time.monotonic() - started, outcome, detail)


def _error_kind(payload: bytes) -> str:
    try:
        error = json.loads(payload)
    except ValueError:
        return payload[:60].decode("utf-8", "replace").strip()
    if not isinstance(error, dict):
        return ""
    return "/".join(str(error[key]) for key in ("type", "limit") if error.get(key))


class Schedule:
    """Run `action` every `interval` seconds until `until`, each in its own thread (an open loop).

    A closed loop would wait for the previous answer and so hide a stall behind a low request count.
    """

    def __init__(self, interval: float, until: float, action: Callable[[], Sample]):
        self.samples: list[Sample] = []
        self._threads: list[threading.Thread] = []
        self._interval, self._until, self._action = interval, until, action
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        due = time.monotonic()
        while due < self._until:
            thread = threading.Thread(target=lambda: self.samples.append(self._action()), daemon=True)
            thread.start()
            self._threads.append(thread)
            due += self._interval
            time.sleep(max(0.0, due - time.monotonic()))

    def join(self, timeout: float) -> None:
        """Wait for the requests already sent (each bounded by its own timeout)."""
        deadline = time.monotonic() + timeout
        self._ticker.join(max(0.0, deadline - time.monotonic()))
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))


def percentile(samples: list[Sample], q: float) -> Sample | None:
    """Nearest-rank percentile by time taken; failures count with the time they took to fail."""
    if not samples:
        return None
    ordered = sorted(samples, key=lambda sample: sample.seconds)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summarize(samples: list[Sample], fast_s: float) -> dict[str, Any]:
    """What a client saw: share of 200s within `fast_s`, median and p95 time, and every outcome."""
    median, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
    return {
        "requests": len(samples),
        "fast_s": fast_s,
        "ok_fast": sum(1 for sample in samples if sample.outcome == "200" and sample.seconds <= fast_s),
        "ok_fast_fraction": (
            sum(1 for sample in samples if sample.outcome == "200" and sample.seconds <= fast_s) / len(samples)
            if samples
            else None
        ),
        "median_s": median.seconds if median else None,
        "median_answered": median.answered if median else None,
        "p95_s": p95.seconds if p95 else None,
        "p95_answered": p95.answered if p95 else None,
        "outcomes": dict(Counter(sample.outcome for sample in samples).most_common()),
        "details": dict(Counter(sample.detail for sample in samples if sample.detail).most_common()),
        "samples": [asdict(sample) for sample in sorted(samples, key=lambda sample: sample.started)],
    }


# --------------------------------------------------------------------------------------------------------
# (a) fairness: runaway queries against cheap ones


def fairness(server: Server, seconds: float, args: argparse.Namespace) -> dict[str, Any]:
    """8 runaway queries kept in flight from one address; a victim's cheap queries and page loads from others."""
    origin = time.monotonic()
    stop = threading.Event()
    cuttable = Sockets()
    send = partial(request, HOST, server.port, origin=origin)  # the probes: each ends by its own timeout
    attack: list[Sample] = []
    counter = iter(range(10**9))
    lock = threading.Lock()

    def attacker() -> None:
        while not stop.is_set():
            with lock:
                k = next(counter)
            body = urlencode({"query": RUNAWAY.format(k=k)}).encode()
            sample = send(
                "POST",
                "/sparql",
                source=ATTACKER,
                body=body,
                headers=FORM,
                timeout=args.attack_timeout,
                cuttable=cuttable,
            )
            if not stop.is_set():  # a request cut at the end of the period is no answer of the server's
                attack.append(sample)

    attackers = [threading.Thread(target=attacker, daemon=True) for _ in range(args.attack_queries)]
    for thread in attackers:
        thread.start()
    time.sleep(args.head_start)  # the runaway queries reach the workers before the first probe
    until = time.monotonic() + seconds
    victim_counter = iter(range(10**9))

    def victim() -> Sample:
        with lock:
            k = next(victim_counter)
        text = CHEAP_CACHED if args.victim_cached else CHEAP.format(k=k)
        body = urlencode({"query": text}).encode()
        return send("POST", "/sparql", source=VICTIM, body=body, headers=FORM, timeout=args.probe_timeout)

    def health() -> Sample:
        return send("GET", "/-/health", source=BYSTANDER, timeout=args.probe_timeout)

    def static() -> Sample:
        return send("GET", args.static_path, source=BYSTANDER, timeout=args.probe_timeout)

    schedules = {
        "victim": Schedule(args.interval, until, victim),
        "health": Schedule(args.interval, until, health),
        "static": Schedule(args.interval, until, static),
    }
    time.sleep(max(0.0, until - time.monotonic()))
    stop.set()
    cuttable.cut_all()
    for thread in attackers:
        thread.join(5)
    for schedule in schedules.values():
        schedule.join(args.probe_timeout + 5)
    return {
        "seconds": seconds,
        "attack_queries": args.attack_queries,
        "head_start_s": args.head_start,
        "victim_query": CHEAP_CACHED if args.victim_cached else CHEAP,
        "runaway_query": RUNAWAY,
        "victim": summarize(schedules["victim"].samples, 2.0),
        "health": summarize(schedules["health"].samples, 1.0),
        "static": summarize(schedules["static"].samples, 1.0),
        "attacker": summarize(attack, 2.0),
    }


# --------------------------------------------------------------------------------------------------------
# (b) slowloris: connections that never finish their request head


REQUEST_HEAD = b"GET /-/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
FILLER = b"X-Slow: a\r\n"  # never an empty line, so the head never ends


def slow_byte(index: int) -> bytes:
    """The `index`th byte of a request head that never ends."""
    if index < len(REQUEST_HEAD):
        return REQUEST_HEAD[index : index + 1]
    index -= len(REQUEST_HEAD)
    return FILLER[index % len(FILLER) : index % len(FILLER) + 1]


@dataclass
class SlowConnection:
    """One dripping connection, and what the server did to it."""

    sock: socket.socket
    opened: float
    sent: int = 0
    next_send: float = 0.0
    closed_at: float | None = None
    closed_how: str = ""  # "eof", "reset", "answered HTTP/1.1 400 ..."


@dataclass
class SlowState:
    """Shared by the opener, the dripper and the report; the lock guards `connections`."""

    connections: list[SlowConnection] = field(default_factory=list)
    connect_failures: Counter[str] = field(default_factory=Counter)
    all_open_after_s: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def server_tcp_connections(server: Server, source: str) -> dict[str, int]:
    """Connections from `source` to the server: accepted by it (their socket is its fd) or still in backlog.

    A connection the kernel completed but the server has not accepted has no file, so inode 0 in /proc/net/tcp.
    """
    inodes = set()
    for _, target in open_files(server.process.pid):
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    counts = Counter()
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            if int(local.split(":")[1], 16) != server.port or state != "01":  # 01: ESTABLISHED
                continue
            if socket.inet_ntoa(struct.pack("<I", int(remote.split(":")[0], 16))) != source:
                continue
            counts["accepted" if inode in inodes else "backlog" if inode == "0" else "other"] += 1
    return {"accepted": counts["accepted"], "backlog": counts["backlog"], "other": counts["other"]}


def slowloris(server: Server, seconds: float, args: argparse.Namespace) -> dict[str, Any]:
    """300 connections drip a request head; does /-/health still answer, and does the server shed them."""
    origin = time.monotonic()
    until = origin + seconds
    state = SlowState()
    stop = threading.Event()

    def opener() -> None:
        attempts = 0
        while len(state.connections) < args.slow_connections and attempts < 3 * args.slow_connections:
            if time.monotonic() >= until:
                return
            attempts += 1
            try:
                sock = connect_from(SLOW_CLIENT, server.port, 3)
                sock.setblocking(False)
            except OSError as error:
                state.connect_failures["timeout" if isinstance(error, TimeoutError) else type(error).__name__] += 1
                continue
            now = time.monotonic()
            with state.lock:
                state.connections.append(SlowConnection(sock, now - origin, next_send=now))
        state.all_open_after_s = time.monotonic() - origin

    def close(connection: SlowConnection, how: str) -> None:
        connection.closed_at = time.monotonic() - origin
        connection.closed_how = how
        connection.sock.close()

    def dripper() -> None:
        poller = select.poll()
        by_fd: dict[int, SlowConnection] = {}
        while not stop.is_set():
            with state.lock:
                fresh = [c for c in state.connections if c.closed_at is None and c.sock.fileno() not in by_fd]
            for connection in fresh:
                by_fd[connection.sock.fileno()] = connection
                poller.register(connection.sock, select.POLLIN | select.POLLERR | select.POLLHUP)
            for fd, _ in poller.poll(0):
                connection = by_fd.pop(fd)
                poller.unregister(fd)
                try:
                    data = connection.sock.recv(4096)
                    how = f"answered {data.splitlines()[0].decode('latin-1')}" if data else "eof"
                except ConnectionResetError:
                    how = "reset"
                except OSError as error:
                    how = type(error).__name__
                close(connection, how)
            now = time.monotonic()
            for fd, connection in list(by_fd.items()):
                if connection.next_send > now:
                    continue
                try:
                    connection.sock.send(slow_byte(connection.sent))
                    connection.sent += 1
                    connection.next_send += args.drip_interval
                except BlockingIOError:
                    connection.next_send = now + args.drip_interval
                except OSError as error:
                    poller.unregister(fd)
                    del by_fd[fd]
                    reset = isinstance(error, (ConnectionResetError, BrokenPipeError))
                    close(connection, "reset" if reset else type(error).__name__)
            time.sleep(0.05)

    sockets_seen: list[dict[str, Any]] = []

    def sampler() -> None:
        while not stop.is_set():
            sockets_seen.append(
                {"t": round(time.monotonic() - origin, 2), **server_tcp_connections(server, SLOW_CLIENT)}
            )
            stop.wait(1)

    threads = [threading.Thread(target=target, daemon=True) for target in (opener, dripper, sampler)]
    for thread in threads:
        thread.start()

    timeout = args.slow_probe_timeout

    def health() -> Sample:
        return request(HOST, server.port, "GET", "/-/health", source=SLOW_PROBE, timeout=timeout, origin=origin)

    probes = Schedule(args.interval, until, health)
    time.sleep(max(0.0, until - time.monotonic()))
    final = server_tcp_connections(server, SLOW_CLIENT)
    stop.set()
    for thread in threads:
        thread.join(5)
    probes.join(args.slow_probe_timeout + 5)
    with state.lock:
        connections = list(state.connections)
    closed = [c for c in connections if c.closed_at is not None]
    still_open = [c for c in connections if c.closed_at is None]
    for connection in still_open:
        connection.sock.close()
    return {
        "seconds": seconds,
        "connections_wanted": args.slow_connections,
        "connections_opened": len(connections),
        "all_opened_after_s": state.all_open_after_s,
        "connect_failures": dict(state.connect_failures),
        "still_open_at_end": len(still_open),
        "closed_by_server": len(closed),
        "closed_how": dict(Counter(c.closed_how for c in closed).most_common()),
        "closed_after_s": sorted(round(c.closed_at or 0, 2) for c in closed),
        "bytes_sent_before_close": sorted(c.sent for c in closed),
        "server_side_at_end": final,
        "server_side_max_accepted": max((s["accepted"] for s in sockets_seen), default=0),
        "server_side_series": sockets_seen,
        "health": summarize(probes.samples, 2.0),
    }


# --------------------------------------------------------------------------------------------------------
# (c) a body far too large for a query, sent slowly


def spooled_files(server: Server, temp_dir: str) -> dict[str, int]:
    """Deleted files under the temp directory that the server's processes hold open, with their sizes.

    waitress spools a large request body to an anonymous temporary file; its size is the disk it takes.
    """
    found = {}
    for pid in server.processes():
        for path, target in open_files(pid):
            if target.startswith(temp_dir) and target.endswith(" (deleted)"):
                with contextlib.suppress(OSError):
                    found[f"{pid}:{target}"] = os.stat(path).st_size
    return found


def read_answer(sock: socket.socket, wait: float) -> str | None:
    """The status line if the server has answered (or closed) within `wait` seconds, else None."""
    readable, _, _ = select.select([sock], [], [], wait)
    if not readable:
        return None
    try:
        data = sock.recv(65536)
    except ConnectionResetError:
        return "reset"
    except OSError as error:
        return type(error).__name__
    return data.splitlines()[0].decode("latin-1") if data else "eof"


def bigbody(server: Server, seconds: float, args: argparse.Namespace) -> dict[str, Any]:
    """Announce and send 100 MB as a form POST, 1 MB at a time; note when the server answers, and its disk."""
    temp_dir = tempfile.gettempdir()  # the server runs with our environment, so it has the same one
    total, chunk_size = args.body_mb * 1024 * 1024, 1024 * 1024
    interval = seconds / args.body_mb if args.chunk_interval is None else args.chunk_interval
    origin = time.monotonic()
    stop = threading.Event()
    progress = {"sent": 0}
    baseline = spooled_files(server, temp_dir)
    series: list[dict[str, Any]] = []

    def sampler() -> None:
        while not stop.is_set():
            spooled = {name: size for name, size in spooled_files(server, temp_dir).items() if name not in baseline}
            series.append(
                {
                    "t": round(time.monotonic() - origin, 2),
                    "sent": progress["sent"],
                    "temp_files": len(spooled),
                    "temp_bytes": sum(spooled.values()),
                    "server_rss": rss_bytes(server.process.pid),
                }
            )
            stop.wait(0.2)

    watcher = threading.Thread(target=sampler, daemon=True)
    watcher.start()
    head = (
        f"POST /sparql HTTP/1.1\r\nHost: {HOST}:{server.port}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {total}\r\n"
        "Accept: application/sparql-results+json\r\nConnection: close\r\n\r\n"
    ).encode()
    answer: str | None = None
    answered_after: int | None = None
    answered_at: float | None = None
    send_error = ""
    sock: socket.socket | None = None
    try:
        sock = connect_from(UPLOADER, server.port, 10)
        sock.sendall(head)
        answer = read_answer(sock, 0.5)
        chunk = b"query=" + b"a" * (chunk_size - 6)
        while answer is None and progress["sent"] < total:
            try:
                sock.sendall(chunk[: total - progress["sent"]])
            except TimeoutError:
                send_error = "the server stopped reading for 10 s"
                break
            except OSError as error:
                send_error = type(error).__name__
                break
            progress["sent"] += min(chunk_size, total - progress["sent"])
            chunk = b"a" * chunk_size
            answer = read_answer(sock, interval)
        if answer is None:
            answer = read_answer(sock, args.answer_wait)
        if answer is not None:
            answered_after, answered_at = progress["sent"], time.monotonic() - origin
    except OSError as error:
        send_error = send_error or f"{type(error).__name__}: {error}"
    finally:
        if sock is not None:
            sock.close()
        time.sleep(1)  # one more sample: is the spooled file gone with the connection
        stop.set()
        watcher.join(5)
    return {
        "announced_bytes": total,
        "chunk_bytes": chunk_size,
        "chunk_interval_s": interval,
        "sent_bytes": progress["sent"],
        "answer": answer,
        "answered_after_bytes": answered_after,
        "answered_after_s": answered_at,
        "send_error": send_error,
        "temp_dir": temp_dir,
        "temp_files_before": len(baseline),
        "temp_bytes_max": max((sample["temp_bytes"] for sample in series), default=0),
        "temp_bytes_at_end": series[-1]["temp_bytes"] if series else 0,
        "server_rss_max": max((sample["server_rss"] for sample in series), default=0),
        "server_rss_start": series[0]["server_rss"] if series else 0,
        "series": series,
    }


# --------------------------------------------------------------------------------------------------------
# Report


def _time(seconds: float | None, answered: bool | None) -> str:
    if seconds is None:
        return "-"
    return f"{'' if answered else '>'}{seconds:.2f}"


def _outcomes(summary: dict[str, Any]) -> str:
    parts = [f"{name}:{count}" for name, count in summary["outcomes"].items()]
    details = [f"{name}:{count}" for name, count in summary["details"].items()]
    return " ".join(parts) + (f"  [{' '.join(details)}]" if details else "")


def _rows(title: str, summaries: dict[str, dict[str, Any]]) -> list[str]:
    lines = [title, f"  {'client':<10} {'n':>4} {'ok fast':>13} {'median s':>9} {'p95 s':>8}  outcomes [details]"]
    for name, summary in summaries.items():
        fraction = summary["ok_fast_fraction"]
        fast = f"{fraction:.2f} (<{summary['fast_s']:g}s)" if fraction is not None else "-"
        median = _time(summary["median_s"], summary["median_answered"])
        p95 = _time(summary["p95_s"], summary["p95_answered"])
        lines.append(f"  {name:<10} {summary['requests']:>4} {fast:>13} {median:>9} {p95:>8}  {_outcomes(summary)}")
    return lines


def table(results: dict[str, Any]) -> str:
    """The figures that matter, one scenario after another; '>' marks a time that ended without an answer."""
    lines = [f"server: {results['checkout']}", ""]
    scenarios = results["scenarios"]
    if "fairness" in scenarios:
        run = scenarios["fairness"]
        title = f"(a) fairness: {run['attack_queries']} runaway queries from {ATTACKER}, {run['seconds']:g} s"
        lines += _rows(title, {name: run[name] for name in ("victim", "health", "static", "attacker")})
        lines.append("")
    if "slowloris" in scenarios:
        run = scenarios["slowloris"]
        lines += _rows(
            f"(b) slowloris: {run['connections_wanted']} dripping connections from {SLOW_CLIENT}, {run['seconds']:g} s",
            {"health": run["health"]},
        )
        side = run["server_side_at_end"]
        lines += [
            f"  slow connections opened {run['connections_opened']} "
            f"(all after {_time(run['all_opened_after_s'], True)} s), connect failures {run['connect_failures'] or 0}",
            f"  still open at end {run['still_open_at_end']}, closed by the server {run['closed_by_server']} "
            f"{run['closed_how'] or ''}",
            f"  server side at end: accepted {side['accepted']}, in backlog {side['backlog']}; "
            f"most accepted at once {run['server_side_max_accepted']}",
            "",
        ]
    if "bigbody" in scenarios:
        run = scenarios["bigbody"]
        mb = 1024 * 1024
        after = run["answered_after_bytes"]
        lines += [
            f"(c) big body from {UPLOADER}: Content-Length {run['announced_bytes'] // mb} MB, "
            f"1 MB every {run['chunk_interval_s']:.2f} s",
            f"  answer {run['answer']!r} after {after / mb if after is not None else '-'} MB sent, "
            f"{_time(run['answered_after_s'], True)} s; sent {run['sent_bytes'] / mb:.0f} MB"
            + (f"; send stopped: {run['send_error']}" if run["send_error"] else ""),
            f"  temp files under {run['temp_dir']}: max {run['temp_bytes_max'] / mb:.1f} MB, "
            f"at end {run['temp_bytes_at_end'] / mb:.1f} MB; server RSS {run['server_rss_start'] / mb:.0f} -> "
            f"max {run['server_rss_max'] / mb:.0f} MB",
            "",
        ]
    for name, run in scenarios.items():
        for line, count in run.get("server_log", {}).items():
            lines.append(f"server log ({name}): {count} x {line}")
    for name, error in results.get("errors", {}).items():
        lines.append(f"{name}: FAILED: {error}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------
# Command line


SCENARIOS: dict[str, Callable[[Server, float, argparse.Namespace], dict[str, Any]]] = {
    "fairness": fairness,
    "slowloris": slowloris,
    "bigbody": bigbody,
}


def _setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    name = name.upper()
    return (name if name.startswith("GOVSOCIAL_") else f"GOVSOCIAL_{name}"), value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python bench/attack.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-dir", type=Path, required=True, help="checkout whose server/ is measured")
    parser.add_argument("--store", type=Path, required=True, help="store directory built for that checkout")
    parser.add_argument("--seconds", type=float, default=30, help="length of each scenario (default 30)")
    parser.add_argument("--out", type=Path, help="write the results (with every sample) as JSON here")
    parser.add_argument("--python", default=sys.executable, help="interpreter of the venv (default: this one)")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help=f"comma-separated subset of {','.join(SCENARIOS)}"
    )
    parser.add_argument(
        "--set",
        dest="settings",
        type=_setting,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a server setting, e.g. --set threads=16 (GOVSOCIAL_ prefix optional; repeatable)",
    )
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between probes (default 0.5)")
    parser.add_argument("--probe-timeout", type=float, default=10, help="fairness probes' timeout (default 10)")
    parser.add_argument("--attack-queries", type=int, default=8, help="runaway queries in flight (default 8)")
    parser.add_argument("--attack-timeout", type=float, default=90, help="attacker's client timeout (default 90)")
    parser.add_argument("--head-start", type=float, default=1, help="seconds the attack runs before probing")
    parser.add_argument(
        "--victim-cached", action="store_true", help="victim repeats one query text (the result cache answers it)"
    )
    parser.add_argument("--static-path", default="/static/site.css", help="static file probed (default site.css)")
    parser.add_argument("--slow-connections", type=int, default=300, help="slowloris connections (default 300)")
    parser.add_argument("--drip-interval", type=float, default=2, help="seconds between slow bytes (default 2)")
    parser.add_argument("--slow-probe-timeout", type=float, default=5, help="slowloris probes' timeout (default 5)")
    parser.add_argument("--body-mb", type=int, default=100, help="announced and sent body in MB (default 100)")
    parser.add_argument(
        "--chunk-interval", type=float, help="seconds between 1 MB chunks (default: --seconds spread over the body)"
    )
    parser.add_argument("--answer-wait", type=float, default=15, help="wait for an answer after the body (s)")
    return parser


def log(message: str) -> None:
    """Progress on stderr, so the table on stdout stays clean."""
    print(f"attack.py: {message}", file=sys.stderr, flush=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM takes the same way out as Ctrl-C: the finally clauses stop the server


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios, each on its own server; print the table, write the JSON."""
    args = _parser().parse_args(argv)
    names = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        raise SystemExit(f"attack.py: unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    server_dir, store = args.server_dir.resolve(), args.store.resolve()
    overrides = dict(args.settings)
    signal.signal(signal.SIGTERM, _interrupt)
    results: dict[str, Any] = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "checkout": describe_checkout(server_dir),
        "imports": check_checkout(args.python, server_dir, store, overrides),
        "store": str(store),
        "settings": overrides,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "options": {key: str(value) for key, value in vars(args).items()},
        "scenarios": {},
        "errors": {},
    }
    log_dir = Path(tempfile.mkdtemp(prefix="govsocial-attack-"))
    results["logs"] = str(log_dir)
    try:
        for name in names:
            log(f"{name}: starting a server from {server_dir}")
            try:
                server = Server(args.python, server_dir, store, log_dir, name, overrides)
            except RuntimeError as error:
                results["errors"][name] = str(error)
                continue
            try:
                log(f"{name}: server pid {server.process.pid} up in {server.startup_s:.1f} s; {args.seconds:g} s")
                run = SCENARIOS[name](server, args.seconds, args)
                run["server_startup_s"] = server.startup_s
                run["server_alive_at_end"] = server.process.poll() is None
                run["load_average_after"] = os.getloadavg()
                results["scenarios"][name] = run
            finally:
                server.stop()
            if name in results["scenarios"]:
                results["scenarios"][name]["server_log"] = server.log_warnings()
    except KeyboardInterrupt:
        log("interrupted: the servers are stopped; partial results follow")
        results["interrupted"] = True
    print(table(results))
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=1) + "\n")
        print(f"results: {args.out}  server logs: {log_dir}")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
