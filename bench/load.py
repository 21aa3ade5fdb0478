"""A bounded load test of our endpoint: N clients for S seconds over the mix plus runaway queries.

Most clients cycle through the comparison mix (varying IRIs and words); `runaway_clients` of them send only
queries that run past the time limit. Every request is counted when sent and when answered; the RSS of the
server and its query workers is sampled every second. Expected answers: 200, and 503 limit_reached
(query_timeout_s) for a query stopped at the limit. Everything else is counted as unexpected, by kind.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from urllib.request import urlopen

from . import stats
from .client import Client, Sample
from .endpoints import Server
from .mix import Query


def _health(server: Server) -> dict:
    url = server.endpoint.url.rsplit("/sparql", 1)[0] + "/-/health"
    try:
        with urlopen(url, timeout=10) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return {}


def load_test(
    server: Server,
    mix: list[Query],
    runaways: list[Query],
    clients: int,
    seconds: float,
    runaway_clients: int,
    timeout: float,
) -> dict:
    client = Client(clients, timeout)
    sent = Counter()
    samples: list[tuple[bool, Sample]] = []
    lock = threading.Lock()
    memory: list[dict] = []
    stop = threading.Event()
    started = time.monotonic()
    deadline = started + seconds

    def sampler() -> None:
        while not stop.is_set():
            memory.append({"t": round(time.monotonic() - started, 2), **server.memory()})
            stop.wait(1.0)

    def run_client(index: int) -> None:
        runaway = index < runaway_clients
        pool = runaways if runaway else mix
        step = 0
        while time.monotonic() < deadline:
            if server.process.poll() is not None:  # the server is gone: stop instead of counting refusals
                return
            query = pool[(index + step) % len(pool)]
            number = index * 100_003 + step
            step += 1
            with lock:
                sent[runaway] += 1
            sample, _ = client.request(server.endpoint, query, number)
            with lock:
                samples.append((runaway, sample))

    health_before = _health(server)
    watcher = threading.Thread(target=sampler, daemon=True)
    watcher.start()
    threads = [threading.Thread(target=run_client, args=(i,), name=f"load-{i}") for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    stop.set()
    watcher.join()
    memory.append({"t": round(time.monotonic() - started, 2), **server.memory()})
    health_after = _health(server)
    client.close()
    result = summarise_load(samples, sent, memory, elapsed, clients, runaway_clients, health_before, health_after)
    if server.process.poll() is not None:
        died = next((m["t"] for m in memory if m["processes"] <= 1 and m["main"] == 0), None)
        result["server_exited"] = {"returncode": server.process.returncode, "about_second": died}
    return result


def classify(runaway: bool, sample: Sample) -> str:
    """ "expected:..." or "unexpected:..." for one answered or failed request.

    A query stopped at the time limit is expected whoever sent it: at a large scale some example queries take
    longer than a short GOVSOCIAL_QUERY_TIMEOUT_S and are then runaways too (counted apart from the designed
    ones). Everything else that is not a 200 is unexpected, `limit_reached:workers` (no idle worker within
    the limit) included.
    """
    if sample.status == 0:
        return f"unexpected:no answer ({sample.error})"
    stopped = sample.status == 503 and sample.error == "limit_reached:query_timeout_s"
    if runaway:
        return "expected:runaway stopped" if stopped else f"unexpected:runaway {sample.status} {sample.error}".rstrip()
    if sample.status == 200:
        return "expected:answered"
    if stopped:
        return "expected:mix query over the time limit"
    return f"unexpected:mix {sample.status} {sample.error}".rstrip()


def summarise_load(
    samples: list[tuple[bool, Sample]],
    sent: Counter,
    memory: list[dict],
    elapsed: float,
    clients: int,
    runaway_clients: int,
    health_before: dict,
    health_after: dict,
) -> dict:
    outcomes = Counter(classify(runaway, sample) for runaway, sample in samples)
    mix_ok = [s.seconds for runaway, s in samples if not runaway and s.status == 200]
    answered = sum(1 for _, s in samples if s.status != 0)
    mb = 1 << 20
    settle = [m for m in memory if m["t"] >= 5] or memory  # after the first seconds: workers warm, cache filling

    def series(key: str) -> dict:
        values = [m[key] for m in settle]
        return {"start_mb": values[0] // mb, "end_mb": values[-1] // mb, "max_mb": max(values) // mb}

    return {
        "clients": clients,
        "runaway_clients": runaway_clients,
        "seconds": round(elapsed, 1),
        "sent": sum(sent.values()),
        "sent_runaway": sent[True],
        "answered": answered,
        "lost": sum(sent.values()) - answered,
        "outcomes": dict(outcomes),
        "unexpected": sum(n for kind, n in outcomes.items() if kind.startswith("unexpected")),
        "mix_answers_per_s": round(len(mix_ok) / elapsed, 2),
        "mix_median_ms": round(stats.median(mix_ok) * 1000, 1) if mix_ok else None,
        "mix_p95_ms": round(stats.p95(mix_ok) * 1000, 1) if mix_ok else None,
        "memory": {"web_process": series("main"), "workers": series("children"), "total": series("total")},
        "memory_samples": memory,
        "workers_replaced": health_after.get("workers_replaced", 0) - health_before.get("workers_replaced", 0),
        "result_cache": health_after.get("result_cache"),
    }
