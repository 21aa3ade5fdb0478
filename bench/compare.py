"""The engine comparison: the same mix through the same client at the same concurrency, A B A B.

For each query: one warm-up request per endpoint (its row count is compared across endpoints), a prefill
batch for endpoints that answer from a result cache (so that the timed rounds measure repeated queries),
then `rounds` rounds in which every endpoint runs one batch in turn (A B C A B C ...). An endpoint whose
warm-up took longer than `slow_seconds` keeps that single sample and sits out the timed rounds; one whose
warm-up timed out is restarted (a server that cannot cancel a query stays busy with it).
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Callable

from . import stats
from .client import Client, Sample, count_rows
from .endpoints import Server
from .mix import Query


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def compare(
    servers: list[Server],
    queries: list[Query],
    client: Client,
    rounds: int,
    batch_seconds: float,
    max_batch: int,
    slow_seconds: float,
    cached: set[str],
    restart: dict[str, Callable[[], Server]] | None = None,
) -> dict:
    restart = restart or {}
    names = [server.endpoint.name for server in servers]
    by_name = {server.endpoint.name: server for server in servers}
    results: dict[str, dict] = {}
    for query in queries:
        entry: dict = {"title": query.title, "example": query.example, "endpoints": {}}
        results[query.id] = entry
        warm: dict[str, Sample] = {}
        sizes: dict[str, int] = {}
        for name in names:
            sample, payload = client.request(by_name[name].endpoint, query, 0)
            warm[name] = sample
            rows = count_rows(payload, query.accept) if sample.status == 200 else None
            entry["endpoints"][name] = {"warmup_seconds": round(sample.seconds, 4), "rows": rows}
            if sample.status == 0 and sample.error == "timeout" and name in restart:
                _log(f"  {name} timed out on {query.id}; restarting it")
                by_name[name].stop()
                by_name[name] = restart[name]()
                servers[names.index(name)] = by_name[name]  # the caller stops what the list holds
        counts = {name: e["rows"] for name, e in entry["endpoints"].items() if e["rows"] is not None}
        entry["rows_agree"] = len(set(counts.values())) <= 1
        for name in names:
            sample = warm[name]
            if name in cached:  # answers come from memory after the warm-up: always a full batch
                sizes[name] = max_batch
            else:
                sizes[name] = stats.batch_size(
                    sample.seconds, client.concurrency, batch_seconds, client.concurrency, max_batch
                )
            if sample.status != 200 or (sample.seconds > slow_seconds and name not in cached):
                sizes[name] = 0
            if name in cached and sizes[name]:
                client.batch(by_name[name].endpoint, query, sizes[name])  # prefill: later rounds repeat these
        samples: dict[str, list[Sample]] = {name: [] for name in names}
        walls: dict[str, float] = dict.fromkeys(names, 0.0)
        for _, name in stats.schedule(names, rounds):
            if not sizes[name]:
                continue
            batch, wall = client.batch(by_name[name].endpoint, query, sizes[name])
            samples[name].extend(batch)
            walls[name] += wall
        line = []
        for name in names:
            info = entry["endpoints"][name]
            timed = samples[name]
            if not timed:  # sat out: its warm-up request is all there is
                timed, walls[name] = [warm[name]], warm[name].seconds
                info["note"] = "single warm-up sample" if warm[name].status == 200 else "failed at warm-up"
            ok = [s.seconds for s in timed if s.status == 200]
            info.update(
                requests=len(timed),
                ok=len(ok),
                errors=dict(Counter(s.error or f"http_{s.status}" for s in timed if s.status != 200)),
                batch=sizes[name],
                median_ms=round(stats.median(ok) * 1000, 2) if ok else math.nan,
                p95_ms=round(stats.p95(ok) * 1000, 2) if ok else math.nan,
                throughput=round(stats.throughput(len(ok), walls[name]), 3),
            )
            line.append(f"{name} {info['median_ms']}ms {info['throughput']}/s")
        _log(f"  {query.id:>7}: " + " | ".join(line))
    return {"queries": results, "summary": summarise(results, names)}


def summarise(results: dict[str, dict], names: list[str]) -> dict:
    """Mix throughput per endpoint, and ours / each peer over the queries both answered."""
    summary: dict = {"mix_throughput": {}, "ratios": {}}
    for name in names:
        per_query = [entry["endpoints"][name]["throughput"] for entry in results.values()]
        summary["mix_throughput"][name] = round(stats.mix_throughput(per_query), 3)
    ours = [name for name in names if name.startswith("ours")]
    peers = [name for name in names if not name.startswith("ours")]
    for mine in ours:
        for peer in peers:
            both = [
                entry for entry in results.values() if entry["endpoints"][mine]["ok"] and entry["endpoints"][peer]["ok"]
            ]
            mix_mine = stats.mix_throughput([e["endpoints"][mine]["throughput"] for e in both])
            mix_peer = stats.mix_throughput([e["endpoints"][peer]["throughput"] for e in both])
            per_query = [
                stats.ratio(e["endpoints"][mine]["throughput"], e["endpoints"][peer]["throughput"]) for e in both
            ]
            summary["ratios"][f"{mine}/{peer}"] = {
                "queries": len(both),
                "queries_peer_failed": sorted(
                    qid for qid, e in results.items() if e["endpoints"][mine]["ok"] and not e["endpoints"][peer]["ok"]
                ),
                "mix_throughput_ratio": round(stats.ratio(mix_mine, mix_peer), 3),
                "geomean_throughput_ratio": round(stats.geometric_mean(per_query), 3),
            }
    return summary
