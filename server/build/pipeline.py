"""`govsocial build` as named stages: inputs, load (which checks the syntax), derive, count, validation beside the
dumps and the search index, examples, optimize, switch.

Every statement is loaded into the named graph of its source, and once more into the default graph, which is
thus the RDF merge of all named graphs: a triple that two sources state matches once, as SPARQL's union default
graph should (pyoxigraph's own union flag would match it twice).

A build goes into a fresh directory of the store (server.store.builds) and becomes current only after every
stage passed; a refusal or a crash removes the directory and leaves `current` as it was. Graphs whose input
files are unchanged since the current build are taken over from its store instead of being parsed and loaded
again (server.build.reuse); everything after the load runs over the whole store either way. An `observe`
callback is told of each stage (and of each file loaded and each constraint checked) with its seconds: the
build's own profile, which `bench/buildprofile.py` records.
"""

from __future__ import annotations

import shutil
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store

from server.build.derive import DERIVED, derive
from server.build.dumps import write_dumps
from server.build.inputs import InputFile, dataset_version, discover, file_digests
from server.build.licences import describe_derived, graph_terms
from server.build.reuse import LAYOUT, Reuse, continue_store, find_reusable, graph_digests, reuse_dumps
from server.build.search_index import write_search_index
from server.build.validation.problems import Problem, ValidationFailed
from server.build.validation.shapes import check_shapes
from server.build.validation.syntax import SubjectFiles, load_problem
from server.engine.conformance import record, version_quads, write_expected
from server.engine.examples import Example, load_examples
from server.rdf.namespaces import graph_iri
from server.store.builds import (
    BUILDS,
    DUMPS_DIR,
    ENGINE_DIR,
    BuildInfo,
    GraphTerms,
    build_lock,
    prune,
    remove_incomplete,
    switch,
)
from server.store.search_index import SEARCH_FILE

#: Told `(name, seconds, **facts)` after each stage, file and constraint; may be called from two threads.
Observer = Callable[..., None]
#: The stages in the order they start (dumps and search index run beside validation, on a second core).
STAGES = ("inputs", "load", "derive", "count", "validation", "dumps", "search index", "examples", "optimize", "switch")


def build(
    store_dir: Path,
    ontology_dir: Path,
    data_dir: Path,
    keep: int = 2,
    observe: Observer | None = None,
    queries_dir: Path | None = None,
    full: bool = False,
    memory_mb: int = 2048,
) -> BuildInfo:
    """Validate the inputs, load them into a fresh store and make it current.

    Unless `full`, graphs whose files are unchanged since the current build are taken over from it. The shapes
    are checked on an in-memory copy of the default graph if it fits in `memory_mb` (the setting
    build_memory_mb), else in the store on disk.

    Raises ValidationFailed (with a curator's report), InputError, or whatever stopped the build (a full
    disk is an OSError); in every case `current` is untouched and the new build's directory removed.
    """
    started = time.monotonic()
    tell = _Teller(observe)
    with tell.stage("inputs"):
        inputs = discover(ontology_dir, data_dir)
        files = file_digests(inputs)
        digests = graph_digests(inputs, files)
    version = dataset_version(inputs, files)
    store_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(store_dir):
        remove_incomplete(store_dir)
        reuse = None if full else find_reusable(store_dir, digests)
        build_id = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}-{version}"
        build_dir = store_dir / BUILDS / build_id
        build_dir.mkdir(parents=True)
        try:
            examples = load_examples(queries_dir) if queries_dir is not None and queries_dir.is_dir() else []
            graphs, distinct, terms = _load_and_validate(build_dir, inputs, reuse, tell, version, examples, memory_mb)
            info = BuildInfo(
                version=version,
                built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                triples=sum(graphs.values()),
                distinct_triples=distinct,
                graphs=graphs,
                files={item.name: item.graph for item in inputs},
                seconds=round(time.monotonic() - started, 3),
                dumps={path.name: path.stat().st_size for path in sorted((build_dir / DUMPS_DIR).iterdir())},
                terms=terms,
                inputs=digests,
                reused=sorted(reuse.kept) if reuse is not None else [],
                layout=LAYOUT,
            )
            with tell.stage("switch"):
                info.write(build_dir)
                switch(store_dir, build_dir)
        except BaseException as error:
            _discard(build_dir, error)
            raise
        prune(store_dir, keep)
    return info


def _load_and_validate(
    build_dir: Path,
    inputs: list[InputFile],
    reuse: Reuse | None,
    tell: _Teller,
    version: str,
    examples: list[Example],
    memory_mb: int,
) -> tuple[dict[str, int], int, dict[str, GraphTerms]]:
    """Load every input into the new store, check the shapes there, write the dumps; count triples per graph.

    The store also gets the build's version (graph `…/graph/build`), and the examples' answers are recorded
    beside it, so a front end can check that a remote engine holds this build and answers as it did.

    The store is not yet current, so a refusal only costs the directory the caller removes.
    """
    engine_dir = build_dir / ENGINE_DIR
    derivatives = None
    store = None
    try:
        changed = [item for item in inputs if reuse is None or not reuse.keeps(item.graph)]
        with tell.stage("load", files=len(changed), reused_graphs=len(reuse.kept) if reuse else 0):
            begun = time.monotonic()
            store = continue_store(reuse, engine_dir) if reuse is not None else Store(str(engine_dir))
            if reuse is not None and tell.observe is not None:
                tell.observe("load the unchanged graphs of the previous build", time.monotonic() - begun)
            problems = load_inputs(store, changed, tell.observe)
        if problems:
            raise ValidationFailed(problems)
        with tell.stage("derive"):
            derive(store)  # presence periods and gs:withinLand, checked by the shapes below like the rest
            store.extend(version_quads(version))
            terms = graph_terms(store)
            terms[graph_iri(DERIVED)] = describe_derived(store, terms, DERIVED)
        # The dumps and the search index only read the default and the named graphs, and pyoxigraph releases
        # the GIL while it evaluates and serialises, so they are written on a second core while the shapes
        # are checked (in scratch graphs of their own); a refused build discards them.
        derivatives = _Background(_write_derivatives, store, build_dir, terms, tell, reuse)
        with tell.stage("count"):
            counts = {
                solution["g"].value: int(solution["n"].value)
                for solution in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            }
            distinct = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
        in_memory = fits_in_memory(distinct, memory_mb)
        with tell.stage("validation", in_memory=in_memory):
            checked = store
            if in_memory:
                begun = time.monotonic()
                checked = default_graph_in_memory(store)
                if tell.observe is not None:
                    tell.observe("copy of the default graph into memory", time.monotonic() - begun, quads=distinct)
            found = check_shapes(checked, inputs, SubjectFiles(inputs), tell.observe)
            problems = [p for p in found if p.severity == "Violation"]
            del checked
        if problems:
            raise ValidationFailed(problems)
        derivatives.result()
        with tell.stage("examples", queries=len(examples)):
            write_expected(build_dir, record(store, examples))
        with tell.stage("optimize"):
            store.optimize()  # compacts away the scratch graphs too
            store.flush()
    finally:
        if derivatives is not None:
            derivatives.wait()
        del store  # releases the RocksDB lock before the directory is made current or removed
    return dict(sorted(counts.items())), distinct, terms


#: What a statement of the default graph costs in pyoxigraph's in-memory store (measured: 579 MB for 1.45 million).
BYTES_PER_QUAD_IN_MEMORY = 450


def fits_in_memory(quads: int, memory_mb: int) -> bool:
    """Whether a copy of `quads` statements in memory stays within `memory_mb`."""
    return memory_mb > 0 and quads * BYTES_PER_QUAD_IN_MEMORY <= memory_mb * 1024 * 1024


def default_graph_in_memory(store: Store) -> Store:
    """The default graph (the merge the shapes are checked on) copied into memory, blank nodes included.

    Oxigraph answers the shapes' queries on its in-memory store five to seven times faster than on RocksDB, where
    every term is read back from disk; the shapes read the default graph only, and their scratch graphs then go
    into the copy, which is dropped when validation ends.
    """
    memory = Store()
    memory.bulk_extend(store.quads_for_pattern(None, None, None, DefaultGraph()))
    return memory


def load_inputs(store: Store, inputs: list[InputFile], observe: Observer | None = None) -> list[Problem]:
    """Each file into the named graph of its source; then the default graph as the union of those graphs.

    Loading is the syntax check: the store's own parser reads each file once, and a file it refuses is reported
    with its first error (every file is tried, so one report names them all). The store is then discarded.

    The union is made from the store's own quads, not by parsing each file again: a blank node is then the same
    node in its named graph and in the default graph (a second parse would mint other ones), as
    `sd:UnionDefaultGraph` promises.
    """
    problems = []
    for item in inputs:
        started = time.monotonic()
        try:
            store.bulk_load(path=str(item.path), format=item.format, to_graph=NamedNode(item.graph))
        except (SyntaxError, MemoryError) as error:
            problems.append(load_problem(item, error))
        if observe is not None:
            observe(f"load {item.name}", time.monotonic() - started)
    if problems:
        return problems
    started = time.monotonic()
    for graph in sorted({item.graph for item in inputs}):
        files = [item for item in inputs if item.graph == graph]
        if not any(may_have_blank_nodes(item) for item in files):
            for item in files:  # the store's parser again is several times faster than copying quads through Python
                store.bulk_load(path=str(item.path), format=item.format, to_graph=DefaultGraph())
            continue
        store.bulk_extend(
            Quad(quad.subject, quad.predicate, quad.object, DefaultGraph())
            for quad in store.quads_for_pattern(None, None, None, NamedNode(graph))
        )
    if observe is not None:
        observe("load union default graph", time.monotonic() - started)
    return []


#: What every blank node of N-Triples or Turtle is written with: a label, a property list, or a collection.
_BLANK_NODE_SIGNS = {RdfFormat.N_TRIPLES: (b"_:",), RdfFormat.TURTLE: (b"_:", b"[", b"(")}


def may_have_blank_nodes(item: InputFile) -> bool:
    """False only when the file cannot hold a blank node: none of their signs occurs anywhere in its bytes.

    A second parse mints new blank nodes, which would not be those of the named graph; a file whose strings
    merely contain such a sign is copied from the store's quads, like one with blank nodes.
    """
    data = item.path.read_bytes()
    return any(sign in data for sign in _BLANK_NODE_SIGNS.get(item.format, (b"",)))


def _write_derivatives(
    store: Store, build_dir: Path, terms: dict[str, GraphTerms], tell: _Teller, reuse: Reuse | None
) -> None:
    """What a build derives from its store for downloads and pages: the dumps and the search index.

    The dump of a graph taken over from the previous build is that build's file, linked.
    """
    with tell.stage("dumps"):
        dumps_dir = build_dir / DUMPS_DIR
        dumps_dir.mkdir()
        linked = reuse_dumps(reuse, dumps_dir) if reuse is not None else set()
        write_dumps(store, dumps_dir, terms, skip_graphs=linked)
    with tell.stage("search index"):
        write_search_index(store, build_dir / SEARCH_FILE)


def _discard(build_dir: Path, error: BaseException) -> None:
    """Remove the directory of a failed build, after closing the store that was being written into it.

    The frames of the error's traceback still reference that store; until it is dropped, RocksDB keeps
    writing files into the directory while it is being removed, and leaves some behind.
    """
    seen: BaseException | None = error
    while seen is not None:
        traceback.clear_frames(seen.__traceback__)
        seen = seen.__context__
    shutil.rmtree(build_dir, ignore_errors=True)


class _Teller:
    """Times the stages for the observer, if there is one."""

    def __init__(self, observe: Observer | None):
        self.observe = observe

    @contextmanager
    def stage(self, name: str, **facts: object) -> Iterator[None]:
        started = time.monotonic()
        yield
        if self.observe is not None:
            self.observe(name, time.monotonic() - started, stage=True, **facts)


class _Background:
    """A function running in a thread; `result()` re-raises what it raised."""

    def __init__(self, function: Callable[..., None], *args: object):
        self._error: BaseException | None = None

        def run() -> None:
            try:
                function(*args)
            except BaseException as error:  # handed to the builder, which decides
                # The frames' locals (the store's iterators among them) are dropped here, in the thread that
                # made them: pyoxigraph refuses to drop an iterator on another thread.
                traceback.clear_frames(error.__traceback__)
                self._error = error

        self._thread = threading.Thread(target=run, name=f"govsocial-{function.__name__}", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> None:
        self.wait()
        if self._error is not None:
            raise self._error
