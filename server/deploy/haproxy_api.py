"""HAProxy's runtime API over its stats socket: what each replica's state is, and taking one out or back in.

One command per connection (the socket's non-interactive mode): write the line, read until HAProxy closes.
`show stat` is CSV with a header line that names its columns, read by name, so a later HAProxy that adds
columns reads the same.
"""

from __future__ import annotations

import csv
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from server.deploy.haproxy_config import BACKEND, DeployError

#: The administrative states `set server ... state` takes.
STATES = ("ready", "drain", "maint")


@dataclass(frozen=True)
class ServerState:
    """One replica as HAProxy sees it: `status` is UP, DOWN, DRAIN, MAINT, or a transition such as "UP 1/2"."""

    name: str
    status: str
    sessions: int  # requests the replica has in flight now
    queued: int  # requests waiting in HAProxy for this replica
    total: int  # requests sent to it since HAProxy started
    address: str


class RuntimeApi:
    """The runtime API of one HAProxy, for the servers of one backend."""

    def __init__(self, socket_path: Path, backend: str = BACKEND):
        self.socket_path = socket_path
        self.backend = backend

    def command(self, line: str, timeout: float = 5.0) -> str:
        """Send one command and return HAProxy's whole answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            try:
                sock.connect(str(self.socket_path))
            except OSError as error:
                raise DeployError(f"HAProxy's stats socket {self.socket_path} does not answer ({error})") from error
            sock.sendall(line.encode("ascii") + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", "replace")

    def servers(self) -> dict[str, ServerState]:
        """Every server of the backend by name."""
        text = self.command("show stat").lstrip("# ")
        found = {}
        for row in csv.DictReader(text.splitlines()):
            if row.get("pxname") != self.backend or row.get("svname") in ("BACKEND", "FRONTEND"):
                continue
            found[row["svname"]] = ServerState(
                row["svname"],
                row.get("status", ""),
                int(row.get("scur") or 0),
                int(row.get("qcur") or 0),
                int(row.get("stot") or 0),
                row.get("addr", ""),
            )
        return found

    def server(self, name: str) -> ServerState:
        try:
            return self.servers()[name]
        except KeyError:
            raise DeployError(f"HAProxy has no server {self.backend}/{name}") from None

    def set_state(self, name: str, state: str) -> None:
        """Put a replica in `state`: ready (in the rotation), drain (no new requests), maint (no traffic, no checks)."""
        if state not in STATES:
            raise ValueError(f"state must be one of {STATES}, got {state!r}")
        answer = self.command(f"set server {self.backend}/{name} state {state}").strip()
        if answer:  # HAProxy answers nothing when the command took effect
            raise DeployError(f"HAProxy refused `set server {self.backend}/{name} state {state}`: {answer}")

    def wait_for(self, name: str, done: Callable[[ServerState], bool], seconds: float, what: str) -> ServerState:
        """Poll until `done(state)` holds for the replica; DeployError naming `what` after `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            state = self.server(name)
            if done(state):
                return state
            if time.monotonic() > deadline:
                raise DeployError(f"{name} did not {what} within {seconds:.0f} s (HAProxy says {state.status})")
            time.sleep(0.1)
