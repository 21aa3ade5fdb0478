"""Print the tables, check the targets and draw the plot of a result file."""

from __future__ import annotations

import math
from pathlib import Path

TARGETS = {
    "mix_vs_oxigraph": 1.0,  # ours (cache off) / oxigraph serve-read-only, mix throughput, at 10^6
    "cache_vs_oxigraph": 5.0,  # ours (cache on, repeated) / oxigraph, at 10^6
    "example_p95_ms": 250.0,  # every example query at 10^6, through our endpoint (cache off, and default settings)
    "vs_rdflib": 8.0,  # ours (cache off) / rdflib-endpoint, mix throughput, at 10^5
    "build_seconds": 180.0,  # 10^7 triples, validation included
    "build_peak_mb": 4096.0,
    "lookup_vs_oxigraph": 0.5,  # ours (cache off) / oxigraph, by-IRI lookups, on the real data and at 10^6
    "rebuild_seconds": 30.0,  # the real data again after one graph changed: a curator waits seconds, not minutes
}


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    return f"{value:.{digits}f}"


def comparison_table(scale: str, result: dict) -> str:
    names = list(next(iter(result["queries"].values()))["endpoints"])
    header = f"{'query':<8}" + "".join(f"{name + ' med/p95 ms, q/s':>40}" for name in names)
    peers = [n for n in names if not n.startswith("ours")]
    header += "".join(f"{'ours-nocache/' + p:>22}" for p in peers)
    lines = [f"== query mix at {scale} triples ==", header]
    for qid, entry in result["queries"].items():
        row = f"{qid:<8}"
        for name in names:
            e = entry["endpoints"][name]
            cell = f"{_fmt(e['median_ms'])}/{_fmt(e['p95_ms'])}, {_fmt(e['throughput'])}"
            if e.get("note"):
                cell += "*"
            if e["errors"]:
                cell += "!"
            row += f"{cell:>40}"
        for peer in peers:
            mine, theirs = entry["endpoints"]["ours-nocache"]["throughput"], entry["endpoints"][peer]["throughput"]
            row += f"{_fmt(mine / theirs if theirs and not math.isnan(theirs) else math.nan, 2):>22}"
        if not entry["rows_agree"]:
            row += "  (row counts differ)"
        lines.append(row)
    summary = result["summary"]
    lines.append(
        "mix throughput (q/s): " + ", ".join(f"{k} {_fmt(v, 2)}" for k, v in summary["mix_throughput"].items())
    )
    for pair, r in summary["ratios"].items():
        failed = f"; peer failed: {', '.join(r['queries_peer_failed'])}" if r["queries_peer_failed"] else ""
        lines.append(
            f"  {pair}: mix {_fmt(r['mix_throughput_ratio'], 2)}x, geomean {_fmt(r['geomean_throughput_ratio'], 2)}x"
            f" over {r['queries']} queries{failed}"
        )
    lines.append("  (* a single warm-up sample: too slow for timed rounds; ! some requests failed)")
    return "\n".join(lines)


def build_table(builds: dict[str, dict]) -> str:
    lines = [
        "== builds ==",
        f"{'scale':<6}{'triples':>11}{'gen s':>8}{'build s':>9}{'peak MB':>9}{'store MB':>10}{'dumps MB':>10}",
    ]
    for scale, entry in builds.items():
        b, g = entry["build"], entry["data"]
        if not b.get("ok"):
            lines.append(f"{scale:<6} build failed: {b.get('error', '')[-300:]}")
            continue
        if "triples" not in b:
            lines.append(f"{scale:<6} {b.get('note', 'no figures')}")
            continue
        lines.append(
            f"{scale:<6}{b['triples']:>11}{_fmt(g.get('seconds')):>8}{_fmt(b['seconds']):>9}{b['peak_rss_mb']:>9}"
            f"{_fmt(b['store_mb']):>10}{_fmt(b['dumps_mb']):>10}"
        )
        groups = entry.get("profile", {}).get("groups")
        if groups:
            lines.append("       profile: " + ", ".join(f"{k} {_fmt(v)} s" for k, v in groups.items()))
    return "\n".join(lines)


def load_table(load: dict) -> str:
    m = load["memory"]
    exited = load.get("server_exited")
    return "\n".join(
        (
            [f"!! the server exited during the test (code {exited['returncode']}, ~{exited['about_second']} s)"]
            if exited
            else []
        )
        + [
            f"== load test at {load['scale']}: {load['clients']} clients ({load['runaway_clients']} runaway) "
            f"for {load['seconds']} s, query timeout {load['query_timeout_s']} s ==",
            f"sent {load['sent']} (runaway {load['sent_runaway']}), answered {load['answered']}, lost {load['lost']},"
            f" unexpected {load['unexpected']}",
            "outcomes: " + ", ".join(f"{k}: {v}" for k, v in sorted(load["outcomes"].items())),
            f"mix: {load['mix_answers_per_s']} answers/s, median {load['mix_median_ms']} ms,"
            f" p95 {load['mix_p95_ms']} ms; workers replaced {load['workers_replaced']}",
            "memory MB (PSS) (start/end/max after 5 s): "
            + "; ".join(f"{k} {v['start_mb']}/{v['end_mb']}/{v['max_mb']}" for k, v in m.items()),
        ]
    )


def targets(results: dict) -> list[dict]:
    """Each target of the issue: the measured value, the goal, whether it is met, and why not where it is missed."""
    checks = []
    comparison = results.get("comparisons", {})
    for scale, label in (("real", "the real data"), ("1e6", "10^6")):
        if scale not in comparison:
            continue
        ratios = comparison[scale]["summary"]["ratios"].get("ours-nocache/oxigraph", {})
        name = f"mix throughput at {label}, cache off, ours/oxigraph"
        checks.append(_check(name, ratios.get("mix_throughput_ratio"), ">=", TARGETS["mix_vs_oxigraph"]))
        lookup = comparison[scale]["queries"].get("lookup")
        if lookup:
            ours, theirs = (lookup["endpoints"][n]["throughput"] for n in ("ours-nocache", "oxigraph"))
            value = ours / theirs if theirs and not math.isnan(theirs) else None
            name = f"by-IRI lookups at {label}, cache off, ours/oxigraph"
            reason = f"{_fmt(ours)} against {_fmt(theirs)} lookups/s" if value is not None else ""
            floor = comparison[scale].get("http_floor", {}).get("throughput")
            if reason and floor:
                share = _fmt(floor / theirs, 2)
                reason += f"; our HTTP server alone answers {_fmt(floor)}/s of the same body ({share}×)"
            checks.append(_check(name, value, ">=", TARGETS["lookup_vs_oxigraph"], reason))
    if "1e6" in comparison:
        ratios = comparison["1e6"]["summary"]["ratios"]
        value = ratios.get("ours-cache/oxigraph", {}).get("mix_throughput_ratio")
        name = "mix throughput at 10^6, cache on (repeated), ours/oxigraph"
        checks.append(_check(name, value, ">=", TARGETS["cache_vs_oxigraph"]))
        goal = TARGETS["example_p95_ms"]
        explanations = comparison["1e6"].get("explanations", {})
        for qid, entry in comparison["1e6"]["queries"].items():
            if entry["example"]:
                value = entry["endpoints"]["ours-nocache"]["p95_ms"]
                engine = entry["endpoints"].get("oxigraph", {}).get("p95_ms")
                reason = f"Oxigraph's own server takes {_fmt(engine)} ms (p95) on it" if engine is not None else ""
                explained = explanations.get(qid, {})
                if explained.get("summary") or explained.get("error"):
                    account = explained.get("summary") or f"no explanation: {explained['error']}"
                    reason = f"{reason}; {account}" if reason else account
                name = f"p95 of example query {qid} at 10^6, ours, cache off (ms)"
                checks.append(_check(name, value, "<", goal, reason))
        for qid, entry in comparison["1e6"]["queries"].items():
            if entry["example"] and "ours-cache" in entry["endpoints"]:
                # the default settings: example answers are computed at start-up and kept in the result cache
                value = entry["endpoints"]["ours-cache"]["p95_ms"]
                name = f"p95 of example query {qid} at 10^6, ours, default settings (answers cached) (ms)"
                checks.append(_check(name, value, "<", goal))
    if "1e5" in comparison:
        value = comparison["1e5"]["summary"]["ratios"].get("ours-nocache/rdflib", {}).get("mix_throughput_ratio")
        if value is not None:
            checks.append(_check("mix throughput at 10^5, cache off, ours/rdflib-endpoint", value, ">=", 8.0))
    entry = results.get("builds", {}).get("1e7", {})
    build = entry.get("build")
    if build and build.get("ok"):
        reason = _slowest_stages(entry.get("profile", {}))
        seconds = build["seconds"]
        checks.append(_check("build of 10^7 triples (s)", seconds, "<", TARGETS["build_seconds"], reason))
        checks.append(
            _check("build of 10^7 triples, peak RSS (MB)", build["peak_rss_mb"], "<", TARGETS["build_peak_mb"])
        )
    rebuild = results.get("builds", {}).get("real", {}).get("rebuild", {})
    if rebuild.get("rebuild", {}).get("ok"):
        seconds, full = rebuild["rebuild"]["seconds"], rebuild["full"]["seconds"]
        reason = f"the full build took {_fmt(full)} s; {rebuild.get('reused_graphs', 0)} graphs were reused"
        name = f"rebuild of the real data after one changed graph ({rebuild['changed_graph']}) (s)"
        checks.append(_check(name, seconds, "<", TARGETS["rebuild_seconds"], reason))
    load = results.get("load")
    if load:
        checks.append(_check("load test: unexpected answers", load["unexpected"], "==", 0))
        checks.append(_check("load test: lost requests", load["lost"], "==", 0))
    return checks


def _slowest_stages(profile: dict, count: int = 3) -> str:
    """The build stages that took longest, from the build's own profile (bench/buildprofile.py), if it ran."""
    groups = profile.get("groups") or {}
    slowest = sorted(groups.items(), key=lambda item: -item[1])[:count]
    return "slowest stages: " + ", ".join(f"{name} {_fmt(seconds)} s" for name, seconds in slowest) if slowest else ""


def _check(name: str, value: float | None, op: str, goal: float, reason: str = "") -> dict:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        met = None
    elif op == ">=":
        met = value >= goal
    elif op == "<":
        met = value < goal
    else:
        met = value == goal
    return {"target": name, "value": value, "goal": f"{op} {goal:g}", "met": met, "reason": reason}


def targets_table(checks: list[dict]) -> str:
    lines = ["== targets =="]
    for c in checks:
        verdict = {True: "met", False: "MISSED", None: "not measured"}[c["met"]]
        value = c["value"] if not isinstance(c["value"], float) else _fmt(c["value"], 2)
        why = f"; {c['reason']}" if c.get("reason") and c["met"] is not True else ""
        lines.append(f"  {verdict:<12} {c['target']}: {value} (goal {c['goal']}){why}")
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    """Median latency per query (bars) with p95 (whiskers), ours vs the peers, one panel per scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    comparisons = results.get("comparisons", {})
    if not comparisons:
        return
    fig, axes = plt.subplots(len(comparisons), 1, figsize=(14, 4.5 * len(comparisons)), squeeze=False)
    colours = {"ours-nocache": "#1f77b4", "ours-cache": "#2ca02c", "oxigraph": "#ff7f0e", "rdflib": "#d62728"}
    for ax, (scale, result) in zip(axes[:, 0], comparisons.items(), strict=True):
        qids = list(result["queries"])
        names = list(next(iter(result["queries"].values()))["endpoints"])
        width = 0.8 / len(names)
        for i, name in enumerate(names):
            med = [result["queries"][q]["endpoints"][name]["median_ms"] for q in qids]
            p95 = [result["queries"][q]["endpoints"][name]["p95_ms"] for q in qids]
            xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(qids))]
            med = [m if m == m else 0 for m in med]
            err = [max(p - m, 0) if p == p else 0 for m, p in zip(med, p95, strict=True)]
            ax.bar(xs, med, width, yerr=[[0] * len(err), err], label=name, color=colours.get(name), capsize=2)
            for x, q in zip(xs, qids, strict=True):  # no answer at all: say so where the bar would be
                if not result["queries"][q]["endpoints"][name]["ok"]:
                    ax.text(x, 1.2, "fail", rotation=90, ha="center", va="bottom", fontsize=7, color=colours.get(name))
        ax.set_yscale("log")
        ax.set_xticks(range(len(qids)), qids)
        ax.set_ylabel("latency ms (median, whisker p95)")
        conc = results["settings"]["concurrency"]
        ax.set_title(f"{scale} triples, concurrency {conc}: latency per query (log scale)")
        ax.axhline(250, color="grey", linestyle=":", linewidth=1)
        ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
