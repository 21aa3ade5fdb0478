"""`python -m bench`: generate, build, compare ours with the peers A B A B, load-test; write JSON and a plot.

Default (`make bench`): scales 10^5 and 10^6 (generation, build and comparison), rdflib-endpoint at the
smallest scale, the load test at the smallest scale (at 10^6 most example queries pass a 2 s limit).
`--build-only 1e7` adds the 10^7 generation and build (time, peak memory, store size; `--profile` times
each step of the build as well). Everything goes to bench/out/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from . import cluster, report
from .builds import REAL, build, ensure_data, profile, rebuild_after_one_change, scale_name
from .client import Client
from .compare import compare
from .endpoints import Server, copy_store, materialised_default_graph, start_ours, start_oxigraph, start_rdflib
from .explain import ExplainError, explain
from .floor import start_floor
from .generate import DEFAULT_SEED
from .load import load_test
from .mix import RUNAWAYS, Query, comparison_mix, parameters

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _scales(text: str) -> list[int]:
    return [int(float(part)) for part in text.split(",") if part.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scales", type=_scales, default=[10**5, 10**6], help="compared scales (default 1e5,1e6)")
    parser.add_argument("--build-only", type=_scales, default=[], help="scales only generated and built, e.g. 1e7")
    parser.add_argument("--profile", action="store_true", help="also time each step of every build")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "bench" / "out")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight, the same for every endpoint")
    parser.add_argument("--rounds", type=int, default=3, help="A B A B rounds per query")
    parser.add_argument("--batch-seconds", type=float, default=1.5, help="about how long one batch runs")
    parser.add_argument("--max-batch", type=int, default=200, help="most requests in one batch")
    parser.add_argument("--slow-seconds", type=float, default=5, help="a warm-up slower than this skips the rounds")
    parser.add_argument(
        "--query-timeout", type=float, default=30, help="time limit per query for every endpoint (ours and oxigraph)"
    )
    parser.add_argument("--rdflib-scale", type=_scales, default=None, help="scales with rdflib-endpoint (smallest)")
    parser.add_argument("--no-load", action="store_true", help="skip the load test")
    parser.add_argument(
        "--no-explain", action="store_true", help="skip the engine's own explanation of each example query"
    )
    parser.add_argument(
        "--explain-timeout", type=float, default=180, help="time limit of one explanation (the statistics cost time)"
    )
    parser.add_argument("--no-compare", action="store_true", help="skip the engine comparison (builds, load test)")
    parser.add_argument(
        "--load-scale", type=_scales, default=None, help="scale of the load test (default: the smallest compared)"
    )
    parser.add_argument("--load-workers", type=int, default=0, help="GOVSOCIAL_WORKERS under load (0: default)")
    parser.add_argument("--load-clients", type=int, default=16)
    parser.add_argument("--load-runaway-clients", type=int, default=2)
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument("--load-timeout-s", type=float, default=2, help="GOVSOCIAL_QUERY_TIMEOUT_S under load")
    parser.add_argument("--no-rebuild", action="store_true", help="reuse a store already built from the same data")
    parser.add_argument(
        "--no-real", action="store_true", help="skip the real data (data/): its build, comparison and rebuild"
    )
    parser.add_argument(
        "--cluster", action="store_true", help="also measure 2 replicas behind HAProxy against 1, and a replica killed"
    )
    parser.add_argument(
        "--cluster-store", type=Path, default=None, help="built store of the cluster measurement (default: ours, real)"
    )
    parser.add_argument("--cluster-clients", type=int, default=8)
    parser.add_argument("--cluster-seconds", type=float, default=20, help="seconds of each turn A B A B")
    parser.add_argument("--cluster-rounds", type=int, default=2)
    parser.add_argument("--cluster-kills", type=int, default=4, help="replicas killed under load, one per turn")
    return parser


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _stop_on_term(signum: int, frame: object) -> None:
    sys.exit(128 + signum)  # unwinds the `finally` blocks, which stop every server this run started


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_term)
    args = _parser().parse_args(argv)
    out: Path = args.out
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    rdflib_scales = args.rdflib_scale if args.rdflib_scale is not None else [min(args.scales)] if args.scales else []
    results: dict = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": _machine(),
        "builds": {},
        "comparisons": {},
    }
    scales = [(scale_name(triples), triples) for triples in sorted(set(args.scales) | set(args.build_only))]
    if not args.no_real:
        scales.insert(0, (REAL, 0))
    for name, triples in scales:
        data_dir, store_dir = out / "data" / name, out / "stores" / name / "built"
        _log(f"[{name}] data ...")
        if name == REAL:
            data_dir = PROJECT_DIR / "data"
            data = {"generated": False, "triples": None, "source": str(data_dir)}
        else:
            data = ensure_data(data_dir, triples, args.seed)
        entry: dict = {"data": data}
        if args.no_rebuild and not data["generated"] and (store_dir / "current").exists():
            entry["build"] = results_cached(out, name)
        else:
            _log(f"[{name}] build ({data['triples'] or 'real'} triples) ...")
            entry["build"] = build(data_dir, store_dir, logs / f"build-{name}.log")
        _log(f"[{name}] build: {json.dumps(entry['build'])}")
        if args.profile:
            _log(f"[{name}] profile of the build steps ...")
            entry["profile"] = profile(
                data_dir,
                out / "stores" / name / "profile.json",
                logs / f"profile-{name}.log",
                experiments=triples < 10**7,  # at 10^7 the extra dumps and queries would take as long again
            )
        if name == REAL and entry["build"].get("ok"):
            _log(f"[{name}] rebuild after one changed graph ...")
            entry["rebuild"] = rebuild_after_one_change(data_dir, out / "stores" / "rebuild", logs)
            _log(f"[{name}] rebuild: {json.dumps(entry['rebuild'])}")
        results["builds"][name] = entry
        _save(out, results)
    compared = ([] if args.no_real else [REAL]) + [scale_name(triples) for triples in args.scales]
    for name in [] if args.no_compare else compared:
        if not results["builds"][name]["build"].get("ok"):
            continue
        with_rdflib = name in {scale_name(triples) for triples in rdflib_scales}
        results["comparisons"][name] = _compare_scale(args, name, with_rdflib, logs)
        _save(out, results)
        _log(report.comparison_table(name, results["comparisons"][name]))
    if not args.no_load and args.scales:
        name = scale_name(args.load_scale[0] if args.load_scale else min(args.scales))
        if results["builds"][name]["build"].get("ok"):
            results["load"] = _load(args, name, logs)
    if args.cluster:
        results["cluster"] = _cluster(args, logs)
        _save(out, results)
    results["targets"] = report.targets(results)
    results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    path = _save(out, results)
    report.plot(results, out / "latency.png")
    print(report.build_table(results["builds"]))
    for name, comparison in results["comparisons"].items():
        print(report.comparison_table(name, comparison))
    if "load" in results:
        print(report.load_table(results["load"]))
    if "cluster" in results:
        print(cluster.table(results["cluster"]))
    print(report.targets_table(results["targets"]))
    print(f"results: {path}\nplot: {out / 'latency.png'}")
    return 0


def results_cached(out: Path, name: str) -> dict:
    try:
        return json.loads((out / "results.json").read_text())["builds"][name]["build"]
    except (OSError, KeyError, ValueError):
        return {"ok": True, "note": "reused an earlier build; no figures"}


def _compare_scale(args: argparse.Namespace, name: str, with_rdflib: bool, logs: Path) -> dict:
    built = args.out / "stores" / name / "built"
    ours_copy = copy_store(built, args.out / "stores" / name / "ours")
    oxigraph_copy = copy_store(built, args.out / "stores" / name / "oxigraph")
    iris, words = parameters((ours_copy / "current").resolve() / "oxigraph", args.seed)
    queries = comparison_mix(PROJECT_DIR / "queries", iris, words)
    servers = []
    restart = {}
    try:
        _log(f"[{name}] starting the endpoints ...")
        # one benchmark client stands for --concurrency clients: none of its requests may be refused 429
        ours = {"query_timeout_s": str(args.query_timeout), "client_queries": str(max(args.concurrency, 2))}
        servers.append(start_ours("ours-nocache", ours_copy, logs, result_cache_mb="0", **ours))
        servers.append(start_ours("ours-cache", ours_copy, logs, **ours))
        servers.append(start_oxigraph("oxigraph", oxigraph_copy, logs, timeout_s=args.query_timeout))
        if with_rdflib:
            files = sorted((PROJECT_DIR / "ontology").glob("*.ttl"))
            files += sorted((args.out / "data" / name / "synthetic").glob("*.nt"))
            servers.append(start_rdflib("rdflib", files, logs))
            restart["rdflib"] = lambda: start_rdflib("rdflib", files, logs)
        started = {s.endpoint.name: s.started_in for s in servers}
        _log(f"[{name}] comparing {', '.join(started)} on {len(queries)} queries ...")
        client = Client(args.concurrency, args.query_timeout + 10)
        begun = time.monotonic()
        try:
            result = compare(
                servers,
                queries,
                client,
                rounds=args.rounds,
                batch_seconds=args.batch_seconds,
                max_batch=args.max_batch,
                slow_seconds=args.slow_seconds,
                cached={"ours-cache"},
                restart=restart,
            )
            result["http_floor"] = _http_floor(client, servers[0], queries, logs, args.rounds)
        finally:
            client.close()
        result["seconds"] = round(time.monotonic() - begun, 1)
        result["startup_seconds"] = started
        result["memory_after_mb"] = {s.endpoint.name: s.memory()["total"] >> 20 for s in servers}
    finally:
        for server in servers:
            server.stop()
    try:
        if not args.no_explain:  # once every server has stopped: the store is free, the machine idle
            _log(f"[{name}] the engine's explanation of each example ...")
            result["explanations"] = _explain_examples(oxigraph_copy, queries, args.explain_timeout)
    finally:
        shutil.rmtree(oxigraph_copy, ignore_errors=True)
    return result


def _explain_examples(store_dir: Path, queries: list[Query], timeout_s: float) -> dict[str, dict]:
    """Oxigraph's explanation of each example query (bench/explain.py), or why it has none."""
    location = (store_dir / "current").resolve() / "oxigraph"
    union = not materialised_default_graph(store_dir)
    explanations: dict[str, dict] = {}
    for query in queries:
        if not query.example:
            continue
        try:
            explained = explain(location, query.text(0), timeout_s, union_default_graph=union)
        except ExplainError as error:
            explanations[query.id] = {"error": str(error)}
        else:
            explanations[query.id] = explained.as_dict()
        _log(f"  {query.id}: {explanations[query.id].get('summary') or explanations[query.id]['error']}")
    return explanations


def _http_floor(client: Client, ours: Server, queries: list[Query], logs: Path, rounds: int) -> dict:
    """Lookups/s of our HTTP server alone (bench/floor.py), answering the body our endpoint answers a lookup."""
    lookup = next(query for query in queries if query.id == "lookup")
    _, body = client.request(ours.endpoint, lookup, 0)
    floor = start_floor("http-floor", body, logs)
    try:
        client.batch(floor.endpoint, lookup, 500)  # warm-up
        rates = []
        for _ in range(max(rounds, 1)):
            samples, wall = client.batch(floor.endpoint, lookup, FLOOR_REQUESTS)
            rates.append(sum(1 for sample in samples if sample.status == 200) / wall)
    finally:
        floor.stop()
    _log(f"  http floor: {max(rates):.0f} answers/s of a constant {len(body)}-byte body")
    return {"throughput": round(max(rates), 1), "body_bytes": len(body), "requests": FLOOR_REQUESTS}


#: Requests per round against the HTTP floor: a few seconds at its rate.
FLOOR_REQUESTS = 5000


def _load(args: argparse.Namespace, name: str, logs: Path) -> dict:
    built = args.out / "stores" / name / "built"
    copy = args.out / "stores" / name / "ours"
    if not (copy / "current").exists():
        copy_store(built, copy)
    iris, words = parameters((copy / "current").resolve() / "oxigraph", args.seed)
    mix = comparison_mix(PROJECT_DIR / "queries", iris, words)
    _log(f"[{name}] load test: {args.load_clients} clients for {args.load_seconds} s ...")
    settings = {"query_timeout_s": str(args.load_timeout_s)}
    if args.load_workers:
        settings["workers"] = str(args.load_workers)
    server = start_ours("ours-load", copy, logs, **settings)
    try:
        result = load_test(
            server,
            mix,
            RUNAWAYS,
            clients=args.load_clients,
            seconds=args.load_seconds,
            runaway_clients=args.load_runaway_clients,
            timeout=max(30.0, args.load_timeout_s * 10),
        )
    finally:
        server.stop()
    result.update(scale=name, query_timeout_s=args.load_timeout_s, settings=settings)
    _log(report.load_table(result))
    return result


def _cluster(args: argparse.Namespace, logs: Path) -> dict:
    """The cluster measurement (bench/cluster.py) on our own build of the real data unless told otherwise."""
    from server.settings import Settings

    store = args.cluster_store or Settings().store
    work = args.out / "stores" / "cluster"
    work.mkdir(parents=True, exist_ok=True)
    iris, words = parameters((store / "current").resolve() / "oxigraph", args.seed)
    mix = comparison_mix(PROJECT_DIR / "queries", iris, words)
    _log(f"[cluster] {store}: 1 replica against 2, {len(mix)} queries in the mix ...")
    result = cluster.measure(
        store,
        work,
        mix,
        clients=args.cluster_clients,
        seconds=args.cluster_seconds,
        rounds=args.cluster_rounds,
        timeout=args.query_timeout + 10,
        kills=args.cluster_kills,
        log=_log,
    )
    result["store"] = str(store)
    _log(cluster.table(result))
    return result


def _machine() -> dict:
    import os
    import platform

    load = os.getloadavg()
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_at_start": [round(x, 2) for x in load],
    }


def _save(out: Path, results: dict) -> Path:
    text = json.dumps(results, indent=1, default=str, allow_nan=True)
    (out / "results.json").write_text(text)
    stamp = results["started"].replace(":", "").replace("-", "")
    (out / "runs").mkdir(exist_ok=True)
    (out / "runs" / f"results-{stamp}.json").write_text(text)
    return out / "results.json"


if __name__ == "__main__":
    sys.exit(main())
