"""`govsocial cluster`: N replicas on this machine behind HAProxy, in the foreground, until stopped.

Only our own workers can stop a runaway query, so more capacity means more whole servers, each on the same
build, behind a balancer that checks their health and sends a query that lost its replica to another one. The
command starts the replicas on free ports of 127.0.0.1, waits until each answers /-/health, then starts HAProxy
on the public port from deploy/haproxy.cfg and waits until it counts every replica as up. Then it watches:
a replica that exits is started again; HAProxy exiting ends the cluster.

Signals: SIGTERM or Ctrl-C stops the balancer, then every replica, and returns. SIGHUP rolls the replicas one
at a time onto the store's current build (after `govsocial unpack` or `govsocial build` switched it): drain
one in HAProxy, wait until it has no request in flight, stop it, start it on the new build, wait for its
health, put it back in the rotation, wait until HAProxy counts it as up, then the next. The others answer
meanwhile, so no request fails.

The replicas serve the build the cluster pins, not whatever `current` says: RUN_DIR/store/current links to
it, and only a rolling update moves that link. A replica started again after a crash therefore serves the
same build as the others even when `current` already names a newer one.

Every child is started from the main thread and in a session of its own (see server.deploy.processes).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from server.deploy import processes
from server.deploy.haproxy_api import RuntimeApi
from server.deploy.haproxy_config import DeployError, check, find_haproxy, render, upstreams
from server.deploy.replica import Replica
from server.settings import Settings
from server.store.builds import CURRENT, BuildInfo, StoreNotBuilt, current_build

#: Seconds the balancer may take to open its port and count every replica as up (two checks a second apart).
BALANCER_SECONDS = 30.0
#: Seconds a soft-stopped HAProxy may take to finish the requests it holds before it is killed.
BALANCER_GRACE = 10.0


class Stopped(Exception):
    """SIGTERM or SIGINT arrived: unwind whatever runs and stop everything."""


class Cluster:
    """The replicas and their balancer, owned by this process."""

    def __init__(
        self,
        replicas: int,
        port: int,
        store: Path,
        run_dir: Path,
        host: str = "127.0.0.1",
        maxconn: int = 1000,
        say: Callable[[str], None] | None = None,
    ):
        if replicas < 1:
            raise DeployError(f"a cluster needs at least one replica, not {replicas}")
        self.port, self.host, self.store, self.run_dir, self.maxconn = port, host, store, run_dir, maxconn
        self.say = say or _print
        self.api = RuntimeApi(run_dir / "haproxy.sock")
        self.pinned = run_dir / "store"  # the store the replicas read: `current` is the build the cluster serves
        addresses = [("127.0.0.1", port_) for port_ in _free_ports(replicas)]
        self.replicas = [Replica(up, self.pinned, run_dir / f"{up.name}.log") for up in upstreams(addresses)]
        self.haproxy: subprocess.Popen | None = None
        self.update_requested = False
        self._given_up: set[str] = set()  # replicas that could not be started again; SIGHUP tries once more

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ----------------------------------------------------------------------------------------- the whole run

    def run(self) -> int:
        """Start everything, watch until SIGTERM or Ctrl-C, stop everything; 0 after a requested stop."""
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)
        signal.signal(signal.SIGHUP, self._on_hangup)
        try:
            self.start()
            self.watch()
        except Stopped:
            self.say("stopping: the balancer, then every replica")
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.say("stopped")
        return 0

    def _on_stop(self, signum: int, frame: FrameType | None) -> None:
        raise Stopped(signal.Signals(signum).name)

    def _on_hangup(self, signum: int, frame: FrameType | None) -> None:
        self.update_requested = True  # acted on by the watch loop, never in the middle of another step

    def start(self) -> None:
        """The replicas side by side, each healthy; then the balancer, with every replica up."""
        _check_port_free(self.host, self.port)
        haproxy = find_haproxy()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "cluster.pid").write_text(f"{os.getpid()}\n", encoding="ascii")
        version = self._pin(current_build(self.store))
        for replica in self.replicas:
            replica.start()
        for replica in self.replicas:
            replica.wait_ready(version)
            self.say(f"replica {replica.name} at {replica.upstream.address} (pid {replica.process.pid}): healthy")
        config = self.run_dir / "haproxy.cfg"
        upstream = [replica.upstream for replica in self.replicas]
        config.write_text(
            render(upstream, f"{self.host}:{self.port}", self.api.socket_path, Settings(), self.maxconn),
            encoding="utf-8",
        )
        check(config, haproxy)
        self.api.socket_path.unlink(missing_ok=True)
        self.haproxy = processes.spawn([haproxy, "-db", "-f", str(config)], self.run_dir / "haproxy.log")
        self._wait_balancer_up()
        self.say(
            f"ready: {len(self.replicas)} replica(s) of build {version} behind HAProxy at "
            f"{self.url}/sparql; SIGHUP rolls them onto the current build, SIGTERM or Ctrl-C stops all "
            f"(pid {os.getpid()}, files in {self.run_dir})"
        )

    def _pin(self, build_dir: Path) -> str:
        """Make `build_dir` the build every replica started from now on serves; its dataset version."""
        version = BuildInfo.read(build_dir).version
        self.pinned.mkdir(parents=True, exist_ok=True)
        link, temporary = self.pinned / CURRENT, self.pinned / f".{CURRENT}.{os.getpid()}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(build_dir.resolve())
        os.replace(temporary, link)  # atomic: a replica starting meanwhile reads the old build or the new one
        return version

    def _wait_balancer_up(self) -> None:
        deadline = time.monotonic() + BALANCER_SECONDS
        while True:
            if self.haproxy.poll() is not None:
                raise DeployError(
                    f"HAProxy exited with {processes.describe_exit(self.haproxy.returncode)}: "
                    f"{processes.tail(self.run_dir / 'haproxy.log')}"
                )
            try:
                states = self.api.servers() if self.api.socket_path.exists() else {}
            except DeployError:
                states = {}
            if states and all(state.status == "UP" for state in states.values()):
                return
            if time.monotonic() > deadline:
                seen = ", ".join(f"{name} {state.status}" for name, state in states.items()) or "no answer"
                raise DeployError(f"HAProxy did not count every replica as up within {BALANCER_SECONDS:.0f} s: {seen}")
            time.sleep(0.1)

    def watch(self) -> None:
        """Until stopped: start again a replica that exited, roll onto the current build on SIGHUP."""
        while True:
            if self.haproxy.poll() is not None:
                raise DeployError(
                    f"HAProxy exited with {processes.describe_exit(self.haproxy.returncode)}: "
                    f"{processes.tail(self.run_dir / 'haproxy.log')}"
                )
            if self.update_requested:
                self.update_requested = False
                self._given_up.clear()
                self.rolling_update()
            for replica in self.replicas:
                if not replica.running and replica.name not in self._given_up:
                    self._start_again(replica)
            time.sleep(0.2)

    def _start_again(self, replica: Replica) -> None:
        """A replica that exited unasked: HAProxy already sends its requests to the others; start it anew."""
        how = processes.describe_exit(replica.process.returncode) if replica.process else "not running"
        self.say(f"replica {replica.name} exited with {how}; starting it again")
        replica.stop()  # whatever of its session is left
        replica.start()
        try:
            replica.wait_ready()
        except DeployError as error:
            self._given_up.add(replica.name)
            self.say(f"{error}; the others go on answering, SIGHUP tries it again")
            return
        self.say(f"replica {replica.name} (pid {replica.process.pid}): healthy again")

    # ------------------------------------------------------------------------------------- the rolling update

    def rolling_update(self) -> bool:
        """Every replica onto the store's current build, one at a time; False when a replica failed to start.

        A replica that does not start on the new build is started again on the build the others still serve,
        and the update stops there: the cluster keeps answering from one build.
        """
        previous = (self.pinned / CURRENT).resolve()
        try:
            build_dir = current_build(self.store)
            version = self._pin(build_dir)
        except (StoreNotBuilt, OSError, ValueError, TypeError) as error:  # the replicas keep answering, untouched
            self.say(f"update not started: {error}")
            return False
        self.say(f"update: rolling {len(self.replicas)} replica(s) onto build {version}")
        for replica in self.replicas:
            health = replica.health() if replica.running else None
            if health and health.get("version") == version:
                self.say(f"update: {replica.name} already serves {version}")
                continue
            try:
                self._replace(replica, version)
            except DeployError as error:
                self.say(f"update stopped: {error}")
                self._roll_back(replica, previous)
                return False
        self.say(f"update: every replica serves build {version}")
        return True

    def _roll_back(self, replica: Replica, previous: Path) -> None:
        """The replica that failed on the new build, back on the build the others serve, and into the rotation."""
        version = self._pin(previous)
        try:
            self._replace(replica, version)
        except DeployError as error:
            self.say(f"{error}; {replica.name} stays out of the rotation, the others answer")
            return
        self.say(f"update: {replica.name} serves {version} again, as the others do; fix the build, then SIGHUP")

    def _replace(self, replica: Replica, version: str) -> None:
        """Drain, stop, start on the new build, wait for health, back into the rotation."""
        name, began = replica.name, time.monotonic()
        self.api.set_state(name, "drain")
        drained = self.api.wait_for(
            name, lambda s: s.sessions == 0 and s.queued == 0, self._drain_seconds(), "finish its requests"
        )
        self.api.set_state(name, "maint")
        self.say(f"update: {name} drained ({drained.total} requests served); restarting it")
        replica.stop()
        replica.start()
        replica.wait_ready(version)
        self.api.set_state(name, "ready")
        self.api.wait_for(name, lambda s: s.status == "UP", BALANCER_SECONDS, "come back up in HAProxy")
        self.say(
            f"update: {name} (pid {replica.process.pid}) serves {version} and is back in the rotation "
            f"after {time.monotonic() - began:.1f} s"
        )

    def _drain_seconds(self) -> float:
        """As long as the longest answer a replica can give: a wait for a worker plus a query's time limit."""
        settings = Settings()
        return settings.worker_wait_s + settings.query_timeout_s + 5

    # --------------------------------------------------------------------------------------------- stopping

    def stop(self) -> None:
        """The balancer first (it finishes what it holds), then the replicas side by side; nothing left."""
        if self.haproxy is not None:
            processes.stop(self.haproxy, signal.SIGUSR1, grace=BALANCER_GRACE)  # SIGUSR1: HAProxy's soft stop
        for replica in self.replicas:
            replica.signal_stop()
        for replica in self.replicas:
            replica.stop()
        self.api.socket_path.unlink(missing_ok=True)
        (self.run_dir / "cluster.pid").unlink(missing_ok=True)


def _print(message: str) -> None:
    print(f"govsocial cluster: {message}", flush=True)


def _free_ports(count: int) -> list[int]:
    """Ports of 127.0.0.1 nothing listens on, all different (held open together while they are chosen)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _check_port_free(host: str, port: int) -> None:
    """Refuse a public port something else holds before any replica is started."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            raise DeployError(f"cannot listen on {host}:{port} ({error.strerror}); choose another port") from None
