"""Where a build spends its time and memory: the build's own stages, one by one, each timed.

`govsocial build` gives one total. To say where the time goes at 10^7 triples this module runs the build itself
(server.build.pipeline) with an observer that it tells of every stage, every file loaded and every constraint
checked, and samples the process's RSS in between. It writes into a scratch directory and never touches a store
a server uses. Run it in a
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

from pyoxigraph import DefaultGraph, RdfFormat, Store

#: The example queries whose answers a build records (its stage "examples").
QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"


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
    """Run the build of ontology_dir + data_dir into a scratch store; return its stages with seconds and peak RSS.

    The build reports each stage, each file it loads and each constraint it checks to an observer; the dumps
    and the search index run beside validation, so their seconds overlap it (`wall_seconds` is the total).
    """
    from server.build.pipeline import build
    from server.store.builds import ENGINE_DIR, current_build

    steps: list[dict] = []
    peak = _Peak()

    def observe(name: str, seconds: float, **facts) -> None:
        steps.append({"step": name, "seconds": round(seconds, 3), "peak_rss_mb": peak.take() >> 20, **facts})

    scratch = Path(tempfile.mkdtemp(prefix="govsocial-profile-", dir=scratch))
    try:
        started = time.monotonic()
        # with the example queries, as `govsocial build` runs it: recording their answers is a stage of the build
        build(scratch / "store", ontology_dir, data_dir, observe=observe, queries_dir=QUERIES_DIR)
        wall = round(time.monotonic() - started, 3)
        if experiments:
            import rdflib

            shapes = rdflib.Graph()
            shapes.parse(ontology_dir / "shapes.ttl", format="turtle")
            store = Store(str(current_build(scratch / "store") / ENGINE_DIR))
            dumps = scratch / "experiments"
            dumps.mkdir()

            def step(name: str, began: float, **extra) -> None:
                observe(name, time.monotonic() - began, **extra)

            _experiments(store, shapes, dumps, step, {})
            del store
    finally:
        peak.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    # the parts (files, constraints) and the experiments, not the stages that contain the parts
    parts = [s for s in steps if not s["step"].startswith("experiment") and not _contains_parts(s)]
    return {
        "steps": steps,
        "seconds": round(sum(s["seconds"] for s in parts), 3),
        "wall_seconds": wall,
        "peak_rss_mb": max(s["peak_rss_mb"] for s in steps if not s["step"].startswith("experiment")),
        "groups": _groups(parts),
    }


def _contains_parts(step: dict) -> bool:
    """A stage whose files or constraints are reported one by one (counting both would count them twice)."""
    return bool(step.get("stage")) and step["step"] in ("load", "validation")


def _groups(steps: list[dict]) -> dict[str, float]:
    """Seconds per kind of step: load, derive, validation, dumps, search index, count, examples, optimize."""
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
    ("inputs", "inputs"),
    ("syntax pass", "syntax"),
    ("bulk load", "load "),
    ("derive", "derive"),
    ("validation (copy into memory)", "copy of the default graph"),
    ("examples", "examples"),
    ("validation (SHACL-SPARQL constraints)", "constraint sparql"),
    ("validation (core constraints)", "constraint core"),
    ("search index", "search index"),
    ("optimize", "optimize"),
    ("dumps", "dumps"),
    ("count", "count"),
    ("switch", "switch"),
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
