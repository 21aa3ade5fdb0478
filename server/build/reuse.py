"""What a build takes over from the current build: the graphs whose input files did not change.

A curator who adds one row to one sheet changes one graph; parsing and loading every other file again (the
territory alone is over a hundred thousand statements) would make them wait minutes for what is the same data.
So a build that finds a current build with the same store layout starts from a copy of its store (a RocksDB
checkpoint: hard links, taken in milliseconds, that the running server never notices) and replaces only what
changed:

- the named graphs whose input files changed or went away, and the graphs the build writes itself (derived,
  build version), are dropped, and their statements leave the default graph unless a kept graph states them too;
- the changed files are then loaded as in a full build, and everything after the load (derive, the shapes over
  the whole store, dumps, search index, examples) runs as in a full build.

The result is the store a full build makes, with the same blank nodes in the kept graphs; `tests/test_reuse.py`
compares the two. A graph's identity is the digest of its files' names and bytes, so an edit, a new file or a
removed file all count as a change.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from pyoxigraph import Store

from server.build.inputs import InputFile
from server.store.builds import DUMPS_DIR, ENGINE_DIR, BuildInfo, StoreNotBuilt, current_build, graph_dump_name

#: Changes whenever a build lays out its store differently (graphs it writes itself, the default graph as the
#: merge); with the engine's version it says whether a previous store may be continued.
LAYOUT = f"1/pyoxigraph-{pyoxigraph.__version__}"


def graph_digests(inputs: list[InputFile], files: dict[str, bytes]) -> dict[str, str]:
    """Per named graph, a digest of the names and bytes (`files`, by name: inputs.file_digests) of its files."""
    digests: dict[str, hashlib._Hash] = {}
    for item in sorted(inputs, key=lambda item: item.name):
        digest = digests.setdefault(item.graph, hashlib.sha256())
        digest.update(f"{item.name}\0".encode())
        digest.update(files[item.name])
    return {graph: digest.hexdigest()[:32] for graph, digest in sorted(digests.items())}


@dataclass(frozen=True)
class Reuse:
    """The previous build, and which of its graphs the new build keeps as they are."""

    build_dir: Path
    kept: frozenset[str]

    def keeps(self, graph: str) -> bool:
        return graph in self.kept


def find_reusable(store_dir: Path, digests: dict[str, str]) -> Reuse | None:
    """The current build, if it has the same layout and unchanged graphs that hold at least half its statements."""
    try:
        build_dir = current_build(store_dir)
        info = BuildInfo.read(build_dir)
    except (StoreNotBuilt, OSError, ValueError, TypeError, KeyError):  # none, or one another version wrote
        return None
    if info.layout != LAYOUT:
        return None
    kept = frozenset(graph for graph, digest in digests.items() if info.inputs.get(graph) == digest)
    kept_statements = sum(info.graphs.get(graph, 0) for graph in kept)
    # Dropping is one transaction, held in memory; where it would remove more than it keeps, loading anew is
    # both cheaper and lighter.
    return Reuse(build_dir, kept) if kept and kept_statements >= info.triples - kept_statements else None


def continue_store(reuse: Reuse, engine_dir: Path) -> Store:
    """A copy of the previous build's store with every graph but the kept ones removed, open for writing."""
    Store.read_only(str(reuse.build_dir / ENGINE_DIR)).backup(str(engine_dir))
    store = Store(str(engine_dir))
    dropped = [graph for graph in store.named_graphs() if graph.value not in reuse.kept]
    if dropped:
        kept = " ".join(f"<{graph}>" for graph in sorted(reuse.kept))
        # A statement leaves the default graph (the merge) only when no kept graph states it as well.
        store.update(
            "DELETE { ?s ?p ?o } WHERE { "
            f"VALUES ?dropped {{ {' '.join(str(graph) for graph in dropped)} }} GRAPH ?dropped {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ VALUES ?kept {{ {kept} }} GRAPH ?kept {{ ?s ?p ?o }} }} }}"
        )
        for graph in dropped:
            store.remove_graph(graph)
    return store


def reuse_dumps(reuse: Reuse, dumps_dir: Path) -> set[str]:
    """Link the previous build's dump of each kept graph into the new dumps; return the graphs so linked."""
    linked = set()
    for graph in sorted(reuse.kept):
        name = graph_dump_name(graph)
        source = reuse.build_dir / DUMPS_DIR / name
        if not source.is_file():
            continue
        try:
            os.link(source, dumps_dir / name)
        except OSError:
            shutil.copyfile(source, dumps_dir / name)
        linked.add(graph)
    return linked
