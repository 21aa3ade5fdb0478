"""Where a build spends its time and memory: the build's own steps, one by one, each timed.

`govsocial build` gives one total. To say where the time goes at 10^7 triples this module repeats the
steps of server.store.builds.build with the same functions (syntax pass, bulk load per file, each compiled SHACL
constraint as its own query, optimize, each dump, the count), timing each and sampling the process's RSS
in between. It writes into a scratch directory and never touches a store a server uses. Run it in a
process of its own (`python -m bench profile-build DATA_DIR`) so its peak memory is its own.
"""

from __future__ import annotations

import gzip
import json
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store


class _Peak:
    """Samples this process's RSS every 50 ms; `take()` returns the peak since the last call."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * resource.getpagesize()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.rss())

    def take(self) -> int:
        peak, self.peak = max(self.peak, self.rss()), 0
        return peak

    def stop(self) -> None:
        self._stop.set()


def profile_build(data_dir: Path, ontology_dir: Path, scratch: Path | None = None, experiments: bool = True) -> dict:
    """Time every step of a build of ontology_dir + data_dir; return the steps with seconds and peak RSS."""
    import rdflib

    from server.build.inputs import discover
    from server.build.validation.checks import check_syntax
    from server.build.validation.constraints import compile_constraints
    from server.build.validation.core import compile_core
    from server.build.validation.focus import FocusGraphs
    from server.store.builds import _write_dumps as write_dumps
    from server.store.search_index import write_search_index

    try:  # builds since 2026-11-21 also load every file into the default graph and query that
        from server.store.builds import load_inputs
    except ImportError:
        load_inputs = None
    union = {} if load_inputs is not None else {"use_default_graph_as_union": True}

    steps: list[dict] = []
    peak = _Peak()

    def step(name: str, started: float, **extra) -> None:
        steps.append({"step": name, "seconds": round(time.monotonic() - started, 3), "peak_rss_mb": peak.take() >> 20})
        steps[-1].update(extra)

    scratch = Path(tempfile.mkdtemp(prefix="govsocial-profile-", dir=scratch))
    try:
        started = time.monotonic()
        inputs = discover(ontology_dir, data_dir)
        problems, _ = check_syntax(inputs)
        step("syntax pass (parse every file, index subjects)", started, problems=len(problems))
        store = Store(str(scratch / "oxigraph"))
        for item in inputs:
            started = time.monotonic()
            if load_inputs is not None:  # the build's own loading (named graph, and the default graph)
                load_inputs(store, [item])
            else:
                store.bulk_load(path=str(item.path), format=item.format, to_graph=NamedNode(item.graph))
            if item.path.suffix == ".nt":
                step(f"bulk load {item.name}", started)
            elif steps[-1]["step"] == "bulk load ontology/*.ttl":
                steps[-1]["seconds"] += round(time.monotonic() - started, 3)
            else:
                step("bulk load ontology/*.ttl", started)
        shapes = rdflib.Graph()
        for item in inputs:
            if item.is_shapes:
                shapes.parse(item.path, format="turtle")
        focus = FocusGraphs(store)  # the build's own: each shape's focus nodes found once, for all its constraints
        for kind, constraint in [("sparql constraint", c) for c in compile_constraints(shapes)] + [
            ("core", c) for c in compile_core(shapes)
        ]:
            started = time.monotonic()
            before = len(focus)
            query = focus.rewrite(constraint.query, constraint.targets, constraint.prefixes)
            if len(focus) > before:
                step(f"focus nodes of {_short(constraint.shape)}", started)
            started = time.monotonic()
            rows = sum(1 for _ in store.query(query, **union))
            if kind == "core":
                name = f"core {_short(constraint.shape)} {_short(constraint.component)} {_short(constraint.path or '')}"
            else:
                name = f"sparql constraint {_short(constraint.shape)}: {_first_line(constraint.message)}"
            step(name, started, rows=rows)
        started = time.monotonic()
        focus.remove()
        step("focus nodes: scratch graphs removed", started)
        started = time.monotonic()
        store.optimize()
        step("optimize", started)
        started = time.monotonic()
        entries = write_search_index(store, scratch / "search.sqlite")
        step("search index", started, entries=entries)
        dumps = scratch / "dumps"
        started = time.monotonic()
        write_dumps(store, dumps)  # the build's own dumps, here alone; the build writes them while validating
        step(
            "dumps (the build's own: N-Quads + Turtle; in the build concurrent with validation)",
            started,
            bytes={path.name: path.stat().st_size for path in sorted(dumps.iterdir())},
        )
        started = time.monotonic()
        list(store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"))
        if load_inputs is not None:
            list(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
        store.flush()
        step("count triples per graph, flush", started)
        if experiments:
            _experiments(store, shapes, dumps, step, union)
        del store
    finally:
        peak.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    build_steps = [s for s in steps if not s["step"].startswith("experiment")]
    return {
        "steps": steps,
        "seconds": round(sum(s["seconds"] for s in build_steps), 3),
        "peak_rss_mb": max(s["peak_rss_mb"] for s in build_steps),
        "groups": _groups(build_steps),
    }


def _groups(steps: list[dict]) -> dict[str, float]:
    """Seconds per kind of step: syntax, load, validation, optimize, dumps, count."""
    groups: dict[str, float] = {}
    for item in steps:
        name = item["step"]
        key = next(
            (k for k, prefix in _GROUPS if name.startswith(prefix)),
            "other",
        )
        groups[key] = round(groups.get(key, 0) + item["seconds"], 3)
    return groups


_GROUPS = [
    ("syntax pass", "syntax"),
    ("bulk load", "bulk load"),
    ("validation (SHACL-SPARQL constraints)", "sparql constraint"),
    ("validation (core constraints)", "core"),
    ("validation (focus nodes, once per shape)", "focus nodes"),
    ("search index", "search index"),
    ("optimize", "optimize"),
    ("dumps", "dump"),
    ("count and flush", "count"),
]


RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


class _Null:
    """A sink that only counts bytes: the serialiser's own cost, without compression or disk."""

    size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass


_CLASS_PATH = re.compile(
    r"(\?\w+) (?:a|<http://www\.w3\.org/1999/02/22-rdf-syntax-ns#type>)"
    r"/<http://www\.w3\.org/2000/01/rdf-schema#subClassOf>\* <([^>]+)>"
)


def _experiments(store: Store, shapes, dumps: Path, step, union: dict) -> None:
    import rdflib

    """Measure the changes the report recommends, on the same store (not part of the build's figures)."""
    from server.build.validation.core import compile_core

    started = time.monotonic()
    sink = _Null()
    store.dump(sink, format=RdfFormat.N_QUADS)
    step("experiment: N-Quads serialisation alone (no gzip)", started, bytes=sink.size)
    for level in (1, 6):
        started = time.monotonic()
        target = dumps / f"level{level}.nq.gz"
        with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=level) as packed:
            store.dump(packed, format=RdfFormat.N_QUADS)
        step(f"experiment: dump N-Quads gzip level {level}", started, bytes=target.stat().st_size)
    started = time.monotonic()
    sink = _Null()
    store.dump(sink, format=RdfFormat.TURTLE, from_graph=DefaultGraph())
    step("experiment: Turtle of the default graph, serialisation alone", started, bytes=sink.size)
    # the subclass closure of each class, computed once: what `rdf:type/rdfs:subClassOf* C` costs per node
    closure: dict[str, str] = {}

    def values_of(cls: str) -> str:
        if cls not in closure:
            rows = store.query(
                f"SELECT DISTINCT ?c WHERE {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{cls}> }}",
                **union,
            )
            closure[cls] = " ".join(f"<{row['c'].value}>" for row in rows if row["c"] is not None)
        return closure[cls]

    counter = [0]

    def rewrite(match: re.Match[str]) -> str:
        counter[0] += 1
        var = f"?_cls{counter[0]}"
        return f"{match.group(1)} a {var} . VALUES {var} {{ {values_of(match.group(2))} }}"

    original = rewritten = 0.0
    targets_seen: dict[str, float] = {}
    for constraint in compile_core(shapes):
        started = time.monotonic()
        expected = sum(1 for _ in store.query(constraint.query, **union))
        original += time.monotonic() - started
        query = _CLASS_PATH.sub(rewrite, constraint.query)
        started = time.monotonic()
        got = sum(1 for _ in store.query(query, **union))
        rewritten += time.monotonic() - started
        if got != expected:
            raise AssertionError(f"rewritten constraint disagrees ({got} != {expected}): {constraint.query}")
        targets_seen.setdefault(constraint.shape, 0.0)
    step(
        "experiment: core constraints with subclass closures inlined as VALUES",
        time.monotonic(),
        before_seconds=round(original, 3),
        after_seconds=round(rewritten, 3),
    )
    # each shape's targets evaluated once: what every one of its constraints re-evaluates today
    from server.build.validation.constraints import compile_constraints, target_patterns

    uses: dict[str, int] = {}
    for constraint in [*compile_core(shapes), *compile_constraints(shapes)]:
        uses[constraint.shape] = uses.get(constraint.shape, 0) + 1
    for shape, count in sorted(uses.items()):
        prefixes: dict[str, str] = {}
        patterns = target_patterns(shapes, rdflib.URIRef(shape), prefixes)
        header = "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(prefixes.items()))
        query = header + "SELECT DISTINCT ?this WHERE { " + " UNION ".join("{ " + t + " }" for t in patterns) + " }"
        started = time.monotonic()
        focus = sum(1 for _ in store.query(query, **union))
        step(f"experiment: targets of {_short(shape)} alone", started, focus_nodes=focus, evaluated_times=count)


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _first_line(message: str) -> str:
    return message.split(".")[0][:70]


def main(argv: list[str]) -> int:
    """DATA_DIR ONTOLOGY_DIR OUTPUT.json [--no-experiments]"""
    data_dir, ontology_dir, output = Path(argv[0]), Path(argv[1]), Path(argv[2])
    result = profile_build(data_dir, ontology_dir, output.parent, experiments="--no-experiments" not in argv)
    output.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
