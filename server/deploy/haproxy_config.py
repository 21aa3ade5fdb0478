"""The balancer's configuration: deploy/haproxy.cfg filled with the replicas' addresses and the public port.

The template is kept in the repository as HAProxy reads it, so an operator can read every choice (health
checks, limits, timeouts, retries) in one file; this module only fills its ${...} fields and asks HAProxy
itself whether the result is valid.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template

from server.settings import PROJECT_DIR, Settings

TEMPLATE = PROJECT_DIR / "deploy" / "haproxy.cfg"
#: The backend of the template; the runtime API names a replica as BACKEND/NAME.
BACKEND = "kg"
#: What HAProxy adds to a replica's longest answer before it gives up on it (`timeout server`).
SERVER_TIMEOUT_MARGIN_S = 15
#: A unix socket's path may not be longer (sun_path holds 108 bytes with its terminating zero).
MAX_SOCKET_PATH = 107


class DeployError(Exception):
    """The cluster or its balancer cannot do what was asked; the message names the cause and what to do."""


@dataclass(frozen=True)
class Upstream:
    """One replica as the balancer knows it: its name in the backend (r1, r2, ...) and its address."""

    name: str
    host: str
    port: int

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_address(text: str) -> tuple[str, int]:
    """HOST:PORT (or [IPv6]:PORT) as given on the command line, refused with what is wrong."""
    match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(\d{1,5})|([^:\s\[\]]+):(\d{1,5})", text.strip())
    port = int((match.group(2) or match.group(4)) if match else 0)
    if match is None or not 0 < port < 65536:
        raise DeployError(f"{text!r} is not an address HOST:PORT (for example 10.0.0.11:8000)")
    return match.group(1) or match.group(3), port


def upstreams(addresses: Sequence[tuple[str, int]]) -> list[Upstream]:
    """The replicas named r1, r2, ... in the order given."""
    return [Upstream(f"r{number}", host, port) for number, (host, port) in enumerate(addresses, start=1)]


def render(
    replicas: Sequence[Upstream],
    bind: str,
    stats_socket: Path,
    settings: Settings,
    maxconn: int = 1000,
    template: Path = TEMPLATE,
) -> str:
    """The template filled in; `settings` are the replicas' own, from which the timeouts and limits follow."""
    if not replicas:
        raise DeployError("a balancer needs at least one replica")
    if len(str(stats_socket)) > MAX_SOCKET_PATH:
        raise DeployError(
            f"the stats socket path {stats_socket} is longer than a unix socket allows ({MAX_SOCKET_PATH} bytes); "
            "choose a shorter --run-dir"
        )
    fields = {
        "bind": bind,
        "maxconn": str(maxconn),
        "stats_socket": str(stats_socket),
        "read_timeout_s": _seconds(settings.read_timeout_s),
        "server_timeout_s": _seconds(settings.worker_wait_s + settings.query_timeout_s + SERVER_TIMEOUT_MARGIN_S),
        "queue_timeout_s": _seconds(settings.worker_wait_s),
        "server_maxconn": str(settings.request_threads),
        "servers": "\n".join(f"    server {replica.name} {replica.address}" for replica in replicas),
    }
    try:
        return Template(template.read_text(encoding="utf-8")).substitute(fields)
    except (KeyError, ValueError) as error:
        raise DeployError(
            f"{template} has a field that cannot be filled ({error}); compare it with the repository's"
        ) from None


def _seconds(value: float) -> str:
    return str(max(1, round(value)))


def find_haproxy() -> str:
    """The haproxy command, or what to install to have it."""
    found = shutil.which("haproxy")
    if found is None:
        raise DeployError("haproxy is not installed; `make clients` installs it (Debian: apt-get install haproxy)")
    return found


def check(config: Path, haproxy: str) -> None:
    """Ask HAProxy whether the configuration is valid, before anything is started with it."""
    result = subprocess.run([haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
        raise DeployError(f"HAProxy refuses the configuration {config}: {' '.join(lines[-3:])}")
