"""The cluster measurement: the query mix through HAProxy to 2 replicas against 1, and a replica killed under load.

Both clusters (`govsocial cluster --replicas 1` and `--replicas 2`) run on copies of the same build, with the
result cache off (every answer is the engine's work, as in the engine comparison), and take turns A B A B under
the same load: `clients` threads cycling through the mix (bench/mix.py) through the same client
(bench/client.py) for `seconds` each turn. Reported per cluster: answers per second, median and p95 latency of
the answers, failed requests; and 2 replicas / 1 as ratios. Then, on the 2-replica cluster under the same
load, a replica is killed (SIGKILL) a third of the way into each of `kills` turns, r1 and r2 by turns: every
request sent is counted, and every one that did not come back 200 is a failure, told apart by whether it was
in flight at the kill (an answer under way can be cut short) or sent after it (none should fail). The cluster
starts the killed replica again before the next turn.

All clients run on this machine and share its one address, so the clusters run with a client share
(GOVSOCIAL_CLIENT_QUERIES) large enough that none is refused 429: one load generator stands for many clients.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen

from . import stats
from .client import Client, Endpoint, Sample
from .endpoints import copy_store, free_port
from .mix import Query

BIN = Path(sys.executable).parent
PROJECT_DIR = Path(__file__).resolve().parent.parent
#: What every replica of both clusters runs with (see the module's docstring).
SETTINGS = {"GOVSOCIAL_RESULT_CACHE_MB": "0", "GOVSOCIAL_PREWARM_EXAMPLES": "false", "GOVSOCIAL_CLIENT_QUERIES": "1000"}


@dataclass
class RunningCluster:
    """A `govsocial cluster` process and the SPARQL endpoint of its balancer."""

    name: str
    process: subprocess.Popen
    endpoint: Endpoint
    run_dir: Path
    log: Path
    started_in: float

    def replica_pid(self, replica: str) -> int:
        """The pid of a replica (r1, r2, ...), asked of the replica itself at the address HAProxy has for it."""
        from server.deploy.haproxy_api import RuntimeApi

        address = RuntimeApi(self.run_dir / "haproxy.sock").server(replica).address
        with urlopen(f"http://{address}/-/health", timeout=10) as response:
            return int(json.loads(response.read())["pid"])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_cluster(name: str, store: Path, replicas: int, work: Path) -> RunningCluster:
    """`govsocial cluster` with `replicas` replicas on a free port; returns once it says it is ready."""
    port = free_port()
    run_dir, log = work / name, work / f"{name}.log"
    env = {**os.environ, "GOVSOCIAL_STORE": str(store), **SETTINGS}
    command = [str(BIN / "govsocial"), "cluster", "--replicas", str(replicas), "--port", str(port)]
    command += ["--store", str(store), "--run-dir", str(run_dir)]
    began = time.monotonic()
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=PROJECT_DIR)
    endpoint = Endpoint(name, f"http://127.0.0.1:{port}/sparql", "ours")
    cluster = RunningCluster(name, process, endpoint, run_dir, log, 0.0)
    deadline = began + 180
    while "ready:" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            cluster.stop()
            raise RuntimeError(f"{name} did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)
    cluster.started_in = round(time.monotonic() - began, 1)
    return cluster


def drive(
    endpoint: Endpoint,
    mix: list[Query],
    clients: int,
    seconds: float,
    timeout: float,
    at: float | None = None,
    then: Callable[[], None] | None = None,
) -> tuple[list[Sample], float]:
    """`clients` threads cycling through the mix for `seconds`; `then()` is called once after `at` seconds."""
    client = Client(clients, timeout)
    samples: list[Sample] = []
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds

    def run(index: int) -> None:
        step = 0
        while time.monotonic() < deadline:
            query = mix[(index + step) % len(mix)]
            sample, _ = client.request(endpoint, query, index * 100_003 + step)
            step += 1
            with lock:
                samples.append(sample)

    threads = [threading.Thread(target=run, args=(index,), name=f"cluster-load-{index}") for index in range(clients)]
    for thread in threads:
        thread.start()
    if then is not None and at is not None:
        time.sleep(max(0.0, started + at - time.monotonic()))
        then()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    client.close()
    return samples, elapsed


def summarise(samples: list[Sample], seconds: float) -> dict:
    """Answers per second, latency of the answers, and every request that did not come back 200, by kind."""
    answered = [sample.seconds for sample in samples if sample.status == 200]
    failed = Counter(f"{sample.status} {sample.error}".strip() for sample in samples if sample.status != 200)
    return {
        "sent": len(samples),
        "answered": len(answered),
        "failed": sum(failed.values()),
        "failures": dict(failed),
        "seconds": round(seconds, 1),
        "answers_per_s": round(len(answered) / seconds, 2) if seconds else None,
        "median_ms": round(stats.median(answered) * 1000, 1) if answered else None,
        "p95_ms": round(stats.p95(answered) * 1000, 1) if answered else None,
    }


def measure(
    store: Path,
    work: Path,
    mix: list[Query],
    clients: int,
    seconds: float,
    rounds: int,
    timeout: float,
    kills: int = 4,
    log: Callable[[str], None] = print,
) -> dict:
    """1 replica against 2, A B A B, then a replica of the 2 killed under load; every figure in one dict."""
    copies = {replicas: copy_store(store, work / f"store-{replicas}") for replicas in (1, 2)}
    clusters: dict[int, RunningCluster] = {}
    try:
        for replicas, copy in copies.items():
            clusters[replicas] = start_cluster(f"cluster-{replicas}", copy, replicas, work)
        for endpoint in (c.endpoint for c in clusters.values()):  # one pass each: the workers warm, pages loaded
            drive(endpoint, mix, 1, 0.1 * len(mix), timeout)
        collected: dict[int, list[tuple[list[Sample], float]]] = {1: [], 2: []}
        for number in range(rounds):
            for replicas, cluster in clusters.items():
                log(f"[cluster] round {number + 1}/{rounds}: {replicas} replica(s), {clients} clients, {seconds} s")
                collected[replicas].append(drive(cluster.endpoint, mix, clients, seconds, timeout))
        result: dict = {"clients": clients, "seconds_per_round": seconds, "rounds": rounds, "settings": SETTINGS}
        for replicas, runs in collected.items():
            result[f"replicas_{replicas}"] = summarise(
                [sample for samples, _ in runs for sample in samples], sum(elapsed for _, elapsed in runs)
            )
            result[f"replicas_{replicas}"]["started_in_s"] = clusters[replicas].started_in
        one, two = result["replicas_1"], result["replicas_2"]
        result["ratios"] = {
            "throughput_2_over_1": _ratio(two["answers_per_s"], one["answers_per_s"]),
            "p95_2_over_1": _ratio(two["p95_ms"], one["p95_ms"]),
            "median_2_over_1": _ratio(two["median_ms"], one["median_ms"]),
        }
        log(f"[cluster] a replica of 2 killed under load, {kills} times, {clients} clients, {seconds / 2} s each")
        result["replica_killed"] = _kill_under_load(clusters[2], mix, clients, seconds / 2, timeout, kills)
        return result
    finally:
        for cluster in clusters.values():
            cluster.stop()


def _kill_under_load(
    cluster: RunningCluster, mix: list[Query], clients: int, seconds: float, timeout: float, kills: int
) -> dict:
    """`kills` turns of `seconds` each; in each, r1 or r2 (by turns) is killed a third of the way in. Between
    turns the cluster has started the killed replica again and HAProxy counts it as up."""
    from server.deploy.haproxy_api import RuntimeApi

    api = RuntimeApi(cluster.run_dir / "haproxy.sock")
    turns = []
    for turn in range(kills):
        replica = f"r{turn % 2 + 1}"
        victim = cluster.replica_pid(replica)
        killed: dict = {}

        def kill(victim: int = victim, killed: dict = killed) -> None:
            killed["at"] = time.perf_counter()
            os.kill(victim, signal.SIGKILL)

        samples, elapsed = drive(cluster.endpoint, mix, clients, seconds, timeout, at=seconds / 3, then=kill)
        at = killed["at"]
        result = summarise(samples, elapsed)
        result["replica"] = replica
        result["in_flight_at_kill"] = sum(1 for s in samples if s.started <= at <= s.started + s.seconds)
        result["failed_in_flight_at_kill"] = sum(
            1 for s in samples if s.status != 200 and s.started <= at <= s.started + s.seconds
        )
        result["failed_sent_after_kill"] = sum(1 for s in samples if s.status != 200 and s.started > at)
        api.wait_for(replica, lambda state: state.status == "UP", 120, "come back up")
        result["started_again"] = True
        turns.append(result)
    total = summarise([], 1.0)
    for key in ("sent", "answered", "failed"):
        total[key] = sum(turn[key] for turn in turns)
    total["failures"] = dict(sum((Counter(turn["failures"]) for turn in turns), Counter()))
    for key in ("in_flight_at_kill", "failed_in_flight_at_kill", "failed_sent_after_kill"):
        total[key] = sum(turn[key] for turn in turns)
    return {"kills": kills, "seconds_per_kill": seconds, "total": total, "turns": turns}


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    if not ours or not theirs:
        return None
    return round(ours / theirs, 2)


def _kinds(failures: dict) -> str:
    return " (" + ", ".join(f"{n} {kind}" for kind, n in failures.items()) + ")" if failures else ""


def table(result: dict) -> str:
    """The measurement as text: 1 and 2 replicas side by side, the ratios, the kill."""
    one, two, ratios, kill = result["replicas_1"], result["replicas_2"], result["ratios"], result["replica_killed"]
    total = kill["total"]
    rows = [
        f"Cluster: the mix through HAProxy, {result['clients']} clients, {result['rounds']} x "
        f"{result['seconds_per_round']} s per cluster (A B A B), result cache off",
        f"{'':28}{'1 replica':>12}{'2 replicas':>12}{'2 / 1':>9}",
        f"{'answers per second':28}{one['answers_per_s']:>12}{two['answers_per_s']:>12}"
        f"{ratios['throughput_2_over_1']!s:>9}",
        f"{'median latency (ms)':28}{one['median_ms']:>12}{two['median_ms']:>12}{ratios['median_2_over_1']!s:>9}",
        f"{'p95 latency (ms)':28}{one['p95_ms']:>12}{two['p95_ms']:>12}{ratios['p95_2_over_1']!s:>9}",
        f"{'requests sent / failed':28}{one['sent']:>7} / {one['failed']:<3}{two['sent']:>7} / {two['failed']:<3}",
        f"A replica of 2 killed (SIGKILL) {kill['kills']} times, r1 and r2 by turns, a third into "
        f"{kill['seconds_per_kill']:.0f} s of load each: {total['sent']} requests, {total['failed']} failed"
        f"{_kinds(total['failures'])}; {total['in_flight_at_kill']} in flight (on both replicas) at the kills, "
        f"{total['failed_in_flight_at_kill']} of them failed; {total['failed_sent_after_kill']} failed of those "
        "sent after a kill",
    ]
    return "\n".join(rows)
