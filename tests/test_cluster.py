"""Several replicas behind HAProxy (`govsocial cluster`): queries through the balancer, every replica's health,
a replica killed under load, the rolling update onto a new build under load, and stopping all of it.

The cluster runs as an operator runs it, `govsocial cluster` in a process of its own, on a copy of the session's
build. The load comes from several clients, each from its own loopback address (127.0.0.2, 127.0.0.3, ...) with
one query in flight, so that no client reaches its own share of a replica (GOVSOCIAL_CLIENT_QUERIES) and every
answer other than a 200 is a failure of the cluster. `make test` installs HAProxy (target `clients`); the
module is skipped only where it is missing.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from server.deploy.haproxy_api import RuntimeApi
from server.deploy.haproxy_config import Upstream, check, render
from server.settings import PROJECT_DIR, Settings
from server.store.artifact import pack, unpack
from server.store.builds import CURRENT, IN_USE_FILE, BuildInfo, current_build, switch

from .support import GOVSOCIAL, free_port, govsocial

HAPROXY = shutil.which("haproxy")
pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed (`make test` installs it)"),
]

#: A query that reads every label: slow enough (tens of ms) that some are in flight when a replica dies, and
#: never the same text twice, so no answer comes from a replica's result cache.
SCAN = 'SELECT (COUNT(*) AS ?n) WHERE {{ ?s rdfs:label ?label FILTER(STR(?label) != "{number}") }}'
LIGHT = "ASK {{ FILTER({number} > 0) }}"


def copy_store(source: Path, target: Path) -> Path:
    """A store directory of its own with a copy of the session's current build (a cluster may switch it)."""
    build_dir = current_build(source)
    (target / "builds").mkdir(parents=True)
    shutil.copytree(build_dir, target / "builds" / build_dir.name, ignore=shutil.ignore_patterns(IN_USE_FILE))
    (target / CURRENT).symlink_to(Path("builds") / build_dir.name)
    return target


class ClusterProcess:
    """`govsocial cluster` on a free port, started the way an operator starts it, output kept in a file."""

    def __init__(self, store: Path, run_dir: Path, replicas: int, **settings: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.run_dir = run_dir
        self.output = run_dir.parent / f"{run_dir.name}.out"
        env = {**os.environ, **{f"GOVSOCIAL_{name.upper()}": value for name, value in settings.items()}}
        command = [GOVSOCIAL, "cluster", "--replicas", str(replicas), "--port", str(self.port)]
        command += ["--store", str(store), "--run-dir", str(run_dir)]
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=PROJECT_DIR)
        self.api = RuntimeApi(run_dir / "haproxy.sock")

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, words: str, seconds: float = 90) -> None:
        """Until the cluster has said `words`; fails with everything it said when it exits or takes too long."""
        deadline = time.monotonic() + seconds
        while words not in self.text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the cluster did not say {words!r} (exit {self.process.poll()}):\n{self.text()}")
            time.sleep(0.1)

    def replica_urls(self) -> dict[str, str]:
        """Each replica's own URL by name (r1, r2), as HAProxy knows its address."""
        return {name: f"http://{state.address}" for name, state in self.api.servers().items()}

    def health(self, name: str) -> dict:
        return requests.get(self.replica_urls()[name] + "/-/health", timeout=10).json()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (the balancer, the replicas, their store holders and query workers)."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting for its parent."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass(frozen=True)
class Failure:
    """A request that did not come back 200: what happened, and when it was sent and ended (monotonic time)."""

    outcome: str
    detail: str
    sent: float
    ended: float


#: How an answer cut short reads at the client: the replica died after HAProxy had passed its headers on.
CUT_SHORT = {"IncompleteRead", "RemoteDisconnected", "ConnectionResetError"}


class Load:
    """Clients sending queries through the balancer until stopped, each counting its answers by outcome."""

    def __init__(self, url: str, clients: int = 4):
        self.clients = clients
        self.host, self.port = url.removeprefix("http://").split(":")
        self.outcomes: Counter[str] = Counter()
        self.failures: list[Failure] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(clients)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)

    @property
    def answered(self) -> int:
        return self.outcomes["200"]

    def wait_answers(self, count: int, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        start = self.answered
        while self.answered < start + count and time.monotonic() < deadline:
            time.sleep(0.05)

    def _client(self, index: int) -> None:
        source = f"127.0.0.{index + 2}"  # a client of its own: its own share of each replica
        connection = http.client.HTTPConnection(self.host, int(self.port), timeout=60, source_address=(source, 0))
        number = 0
        while not self._stop.is_set():
            number += 1
            query = (SCAN if number % 2 else LIGHT).format(number=index * 1_000_000 + number)
            sent = time.monotonic()
            try:
                connection.request(
                    "POST",
                    "/sparql",
                    body=urlencode({"query": query}),
                    headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
                )
                response = connection.getresponse()
                body = response.read()
                outcome = str(response.status)
                detail = body[:200].decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                outcome, detail = type(error).__name__, str(error)
            with self._lock:
                self.outcomes[outcome] += 1
                if outcome != "200":
                    self.failures.append(Failure(outcome, detail, sent, time.monotonic()))


def query_through(url: str, query: str, **headers: str) -> requests.Response:
    return requests.post(f"{url}/sparql", data={"query": query}, headers={"Accept": "text/csv", **headers}, timeout=30)


# ------------------------------------------------------------------------------------------- the configuration


def test_the_filled_template_is_a_configuration_haproxy_accepts(tmp_path: Path) -> None:
    """deploy/haproxy.cfg filled for two replicas passes `haproxy -c`, with every choice of the deployment in it."""
    text = render(
        [Upstream("r1", "10.0.0.11", 8000), Upstream("r2", "10.0.0.12", 8000)],
        "127.0.0.1:8080",
        tmp_path / "admin.sock",
        Settings(environ={}),
    )
    config = tmp_path / "haproxy.cfg"
    config.write_text(text, encoding="utf-8")
    check(config, HAPROXY)
    for line in (
        "balance leastconn",
        "option httpchk GET /-/health",
        "http-check expect status 200",
        "option forwardfor",
        "http-request set-header X-Forwarded-Host %[req.hdr(host)]",
        "retry-on conn-failure empty-response response-timeout",
        "option redispatch 1",
        "http-request disable-l7-retry unless METH_GET || METH_HEAD || METH_OPTIONS || METH_POST",
        "timeout http-request 10s",
        "timeout server 75s",  # worker wait 30 s + query limit 30 s + 15: a replica's own 503 comes first
        "maxconn 1000",
        f"maxconn {Settings(environ={}).request_threads}",  # per replica: its request threads
        "server r1 10.0.0.11:8000",
        "server r2 10.0.0.12:8000",
        f"stats socket {tmp_path / 'admin.sock'} mode 600 level admin",
    ):
        assert line in text, line


def test_haproxy_config_prints_the_balancer_for_replicas_on_other_machines(tmp_path: Path) -> None:
    result = govsocial("haproxy-config", "--replica", "10.0.0.11:8000", "--replica", "[fd00::12]:8000", "--bind", ":80")
    assert result.returncode == 0, result.stderr
    assert "server r1 10.0.0.11:8000" in result.stdout and "server r2 [fd00::12]:8000" in result.stdout
    (tmp_path / "haproxy.cfg").write_text(result.stdout, encoding="utf-8")
    check(tmp_path / "haproxy.cfg", HAPROXY)


def test_haproxy_config_refuses_an_address_without_a_port() -> None:
    result = govsocial("haproxy-config", "--replica", "10.0.0.11")
    assert result.returncode == 2
    assert "'10.0.0.11' is not an address HOST:PORT" in result.stderr


# ------------------------------------------------------------------------------------------ a running cluster


@pytest.fixture(scope="module")
def cluster(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterProcess]:
    """Two replicas behind HAProxy on a copy of the session's build."""
    folder = tmp_path_factory.mktemp("cluster")
    running = ClusterProcess(copy_store(built_store_dir, folder / "store"), folder / "run", replicas=2)
    running.wait_for("ready:")
    yield running
    running.stop()


def test_a_query_through_the_balancer_is_answered(cluster: ClusterProcess) -> None:
    response = query_through(cluster.url, "SELECT ?platform WHERE { ?platform a gs:Platform } ORDER BY ?platform")
    assert response.status_code == 200, response.text
    assert "https://w3id.org/govsocial/id/platform/x" in response.text


def test_every_replica_reports_its_address_its_pid_and_the_same_version(
    cluster: ClusterProcess, build_info: BuildInfo
) -> None:
    urls = cluster.replica_urls()
    healths = {name: cluster.health(name) for name in urls}
    assert sorted(healths) == ["r1", "r2"]
    for name, health in healths.items():
        assert health["replica"] == urls[name].removeprefix("http://")
        assert health["version"] == build_info.version
    assert len({health["pid"] for health in healths.values()}) == 2


def test_the_balancer_spreads_queries_over_both_replicas(cluster: ClusterProcess) -> None:
    before = {name: state.total for name, state in cluster.api.servers().items()}
    with Load(cluster.url, clients=4) as load:
        load.wait_answers(40)
    assert load.failures == [], load.failures[:5]
    served = {name: state.total - before[name] for name, state in cluster.api.servers().items()}
    assert all(count > 0 for count in served.values()), served


def test_the_replicas_see_the_public_host_and_client_the_balancer_forwards(cluster: ClusterProcess) -> None:
    """HAProxy sets X-Forwarded-Host and -Proto; a replica trusting one proxy names the public address, not its own."""
    response = query_through(cluster.url, "SELECT ?s WHERE { BIND(<s> AS ?s) }", Host="kg.example.org")
    assert response.status_code == 200, response.text
    assert response.text.splitlines()[1] == "http://kg.example.org/s"


@pytest.mark.slow
def test_a_replica_killed_under_load_fails_at_most_the_answers_it_had_begun(cluster: ClusterProcess) -> None:
    """SIGKILL of a replica while queries run. HAProxy sends a request the replica had not begun to answer to
    the other one (retry-on empty-response, redispatch), and every later request goes there. The one thing
    that can fail is an answer already under way: HAProxy cannot replay half an answer, so such a client sees
    it cut short. That is at most one per client, for requests in flight at the kill; none sent after it fails.
    The cluster starts the killed replica again."""
    victim = cluster.health("r1")["pid"]
    with Load(cluster.url, clients=4) as load:
        load.wait_answers(20)
        killed = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        answered_at_kill = load.answered
        load.wait_answers(60)
    assert load.answered - answered_at_kill >= 60
    assert [f for f in load.failures if f.sent > killed or f.ended < killed] == [], load.failures
    assert len(load.failures) <= load.clients, load.failures
    assert {f.outcome for f in load.failures} <= CUT_SHORT, load.failures
    cluster.wait_for("healthy again", seconds=60)
    cluster.api.wait_for("r1", lambda state: state.status == "UP", 30, "come back up")
    assert cluster.health("r1")["pid"] != victim


@pytest.mark.slow
def test_a_rolling_update_under_load_fails_no_request(
    cluster: ClusterProcess, build_info: BuildInfo, tmp_path: Path
) -> None:
    """A new build unpacked into the cluster's store and SIGHUP: replicas drained and restarted one at a time
    while clients query; no request fails, and afterwards every replica serves the new version."""
    new_version = "f" * 16
    store = cluster.run_dir.parent / "store"
    archive = tmp_path / "next.tar.gz"
    pack(next_build(store, tmp_path / "next", new_version), archive)
    with Load(cluster.url, clients=4) as load:
        load.wait_answers(20)
        unpack(store, archive)
        cluster.process.send_signal(signal.SIGHUP)
        cluster.wait_for(f"update: every replica serves build {new_version}", seconds=120)
        load.wait_answers(20)
    assert load.failures == [], f"{len(load.failures)} of {sum(load.outcomes.values())} failed: {load.failures[:5]}"
    assert load.answered > 40
    assert {cluster.health(name)["version"] for name in ("r1", "r2")} == {new_version}
    assert cluster.text().count("drained") >= 2
    assert build_info.version != new_version


@pytest.mark.slow
def test_a_build_no_replica_can_serve_stops_the_update_on_the_build_they_serve(cluster: ClusterProcess) -> None:
    """A current build whose store is unreadable and SIGHUP: the first replica fails to start on it, is started
    again on the build the others serve, and the update stops there; every replica serves that one build."""
    store = cluster.run_dir.parent / "store"
    serving = cluster.health("r1")["version"]
    broken = store / "builds" / "29991231T000000000001Z-badbadbadbadbad0"
    (broken / "oxigraph").mkdir(parents=True)
    info = json.loads((current_build(store) / "build.json").read_text(encoding="utf-8"))
    (broken / "build.json").write_text(json.dumps({**info, "version": "badbadbadbadbad0"}), encoding="utf-8")
    previous = current_build(store)
    switch(store, broken)
    try:
        cluster.process.send_signal(signal.SIGHUP)
        cluster.wait_for(f"serves {serving} again, as the others do", seconds=120)
    finally:
        switch(store, previous)
    assert "update stopped: replica r1" in cluster.text()
    assert {cluster.health(name)["version"] for name in ("r1", "r2")} == {serving}
    assert {state.status for state in cluster.api.servers().values()} == {"UP"}


def next_build(store: Path, target: Path, version: str) -> Path:
    """A store whose current build is the cluster's build under another dataset version: what a new build is to
    a rolling update, without the minutes of a build."""
    build_dir = current_build(store)
    name = f"29991231T000000000000Z-{version}"
    copy = target / "builds" / name
    shutil.copytree(build_dir, copy, ignore=shutil.ignore_patterns(IN_USE_FILE))
    info = json.loads((copy / "build.json").read_text(encoding="utf-8"))
    (copy / "build.json").write_text(json.dumps({**info, "version": version}), encoding="utf-8")
    (target / CURRENT).symlink_to(Path("builds") / name)
    return target


# -------------------------------------------------------------------------------------------- start and stop


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stop_signal_stops_the_balancer_and_every_replica(
    built_store_dir: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    running = ClusterProcess(copy_store(built_store_dir, tmp_path / "store"), tmp_path / "run", replicas=1)
    running.wait_for("ready:")
    below = descendants(running.process.pid)
    assert len(below) >= 4  # HAProxy, the replica, its store holder and its workers
    assert running.stop(sig) == 0
    assert [pid for pid in below if alive(pid)] == []
    assert "stopped" in running.text()
    with pytest.raises(requests.ConnectionError):
        requests.get(running.url + "/-/health", timeout=5)


def test_a_replica_that_cannot_start_fails_the_cluster_with_its_cause(built_store_dir: Path, tmp_path: Path) -> None:
    """A build whose store is gone: the replica's own message, a non-zero exit, and nothing left running."""
    store = copy_store(built_store_dir, tmp_path / "store")
    engine = current_build(store) / "oxigraph"
    shutil.rmtree(engine)
    engine.mkdir()
    running = ClusterProcess(store, tmp_path / "run", replicas=2)
    status = running.process.wait(timeout=90)
    said = running.text()
    assert status == 2, said
    assert "govsocial cluster: replica r" in said and "before it answered" in said, said
    assert not (tmp_path / "run" / "haproxy.sock").exists()
    processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout.splitlines()
    assert [line for line in processes if str(store) in line] == []
