"""One replica: a `govsocial serve` process on an address of its own, started, asked for its health, stopped.

A replica always runs behind the balancer, so it trusts exactly one proxy (GOVSOCIAL_TRUSTED_PROXIES=1): the
client is the address HAProxy appended to X-Forwarded-For, and the public host the one it set. Every other
setting comes from the environment, the same for every replica.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from server.deploy import processes
from server.deploy.haproxy_config import DeployError, Upstream
from server.settings import PROJECT_DIR

#: Seconds a replica may take from its start to a healthy /-/health (it loads the build into memory first).
START_SECONDS = 120.0


@dataclass
class Replica:
    """A replica of the cluster; `upstream` is its name and address in the balancer."""

    upstream: Upstream
    store: Path
    log: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.upstream.name

    @property
    def url(self) -> str:
        return f"http://{self.upstream.address}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start `govsocial serve` on the store's current build; `wait_ready` tells when it answers."""
        env = {**os.environ, "GOVSOCIAL_STORE": str(self.store), "GOVSOCIAL_TRUSTED_PROXIES": "1"}
        command = [sys.executable, "-m", "server.cli", "serve", "--host", self.upstream.host]
        command += ["--port", str(self.upstream.port), "--store", str(self.store)]
        self.process = processes.spawn(command, self.log, env=env, cwd=PROJECT_DIR)

    def health(self, timeout: float = 2.0) -> dict | None:
        """The replica's /-/health document, or None while it does not answer one."""
        try:
            with urlopen(f"{self.url}/-/health", timeout=timeout) as response:
                return json.loads(response.read())
        except (URLError, OSError, ValueError):
            return None

    def wait_ready(self, version: str | None = None, seconds: float = START_SECONDS) -> dict:
        """Wait until the replica is healthy (and serves `version`, if given); its health document.

        A replica that exits first, or does not answer in time, is a DeployError with the end of its own log,
        where `govsocial serve` wrote its cause (no build, port taken, a setting it refuses).
        """
        deadline = time.monotonic() + seconds
        while True:
            if self.process is None or self.process.poll() is not None:
                how = processes.describe_exit(self.process.returncode) if self.process else "was never started"
                raise DeployError(
                    f"replica {self.name} ({self.upstream.address}) exited with {how} before it answered: "
                    f"{processes.tail(self.log) or 'no output'} (log: {self.log})"
                )
            health = self.health()
            if health and health.get("ok"):
                if version is None or health.get("version") == version:
                    return health
                raise DeployError(f"replica {self.name} serves build {health.get('version')}, not {version}")
            if time.monotonic() > deadline:
                self.stop()
                raise DeployError(
                    f"replica {self.name} ({self.upstream.address}) was not healthy within {seconds:.0f} s; "
                    f"see {self.log}"
                )
            time.sleep(0.1)

    def signal_stop(self) -> None:
        """Ask the replica to stop (SIGTERM), without waiting: replicas stop side by side."""
        if self.running:
            self.process.terminate()

    def stop(self, grace: float = 15.0) -> None:
        """Stop the replica and its query workers; killed after `grace` seconds."""
        if self.process is not None:
            processes.stop(self.process, grace=grace)
