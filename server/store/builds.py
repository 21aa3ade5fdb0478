"""Build the Oxigraph store from ontology/ and data/, and open the last good build.

Layout of a store directory::

    STORE/current -> builds/20261121T061500Z-<version>   (relative symlink)
    STORE/builds/<id>/oxigraph/                            the RocksDB store
    STORE/builds/<id>/build.json                           version, counts, time
    STORE/builds/<id>/search.sqlite                        the label index of search and browse pages
    STORE/builds/<id>/dumps/                               compressed downloads

Every statement is loaded into the named graph of its source, and once more into the default graph,
which is thus the RDF merge of all named graphs: a triple that two sources state matches once, as
SPARQL's union default graph should (pyoxigraph's own union flag would match it twice).

A build always goes into a fresh directory; `current` is switched with one atomic rename only after
every file loaded, so a failed or interrupted build leaves the last good store answering. The next build
removes whatever a killed one left behind (a directory without build.json).
"""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import shutil
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store

from server.build.inputs import InputFile, dataset_version, discover
from server.build.validation.checks import ValidationFailed, check_shapes, check_syntax
from server.rdf.namespaces import PREFIXES
from server.store.search_index import SEARCH_FILE, write_search_index

CURRENT = "current"
BUILDS = "builds"
ENGINE_DIR = "oxigraph"
INFO_FILE = "build.json"
IN_USE_FILE = ".in-use"
DUMPS_DIR = "dumps"
#: Downloadable dumps of every build: all named graphs as N-Quads, and their union as Turtle.
DUMPS = {"govsocial.nq.gz": RdfFormat.N_QUADS, "govsocial.ttl.gz": RdfFormat.TURTLE}


@dataclass(frozen=True)
class BuildInfo:
    """What a build produced; read back by the server for ETags, VoID and health."""

    version: str
    built_at: str
    triples: int  # statements over all named graphs
    graphs: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)  # file name -> graph IRI
    seconds: float = 0.0
    dumps: dict[str, int] = field(default_factory=dict)  # file name in dumps/ -> size in bytes
    distinct_triples: int = 0  # triples of the default graph, the merge of the named graphs

    @classmethod
    def read(cls, build_dir: Path) -> BuildInfo:
        return cls(**json.loads((build_dir / INFO_FILE).read_text(encoding="utf-8")))

    def write(self, build_dir: Path) -> None:
        (build_dir / INFO_FILE).write_text(json.dumps(asdict(self), indent=2, sort_keys=True), encoding="utf-8")


class StoreNotBuilt(Exception):
    """There is no good build to open; the message says which command makes one."""


def build(store_dir: Path, ontology_dir: Path, data_dir: Path, keep: int = 2) -> BuildInfo:
    """Validate the inputs, load them into a fresh store and make it current.

    Raises ValidationFailed (with a curator's report), InputError, or whatever stopped the build (a full
    disk is an OSError); in every case `current` is untouched and the new build's directory removed.
    """
    started = time.monotonic()
    inputs = discover(ontology_dir, data_dir)
    problems, files_of = check_syntax(inputs)
    if problems:
        raise ValidationFailed(problems)
    version = dataset_version(inputs)
    store_dir.mkdir(parents=True, exist_ok=True)
    with _build_lock(store_dir):
        _remove_incomplete(store_dir)
        build_id = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}-{version}"
        build_dir = store_dir / BUILDS / build_id
        build_dir.mkdir(parents=True)
        try:
            graphs, distinct = _load_and_validate(build_dir / ENGINE_DIR, inputs, files_of, build_dir / DUMPS_DIR)
            info = BuildInfo(
                version=version,
                built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                triples=sum(graphs.values()),
                distinct_triples=distinct,
                graphs=graphs,
                files={item.name: item.graph for item in inputs},
                seconds=round(time.monotonic() - started, 3),
                dumps={path.name: path.stat().st_size for path in sorted((build_dir / DUMPS_DIR).iterdir())},
            )
            info.write(build_dir)
            _switch(store_dir, build_dir)
        except BaseException as error:
            _discard(build_dir, error)
            raise
        _prune(store_dir, keep)
    return info


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


def _load_and_validate(
    path: Path, inputs: list[InputFile], files_of: dict[str, list[str]], dumps_dir: Path
) -> tuple[dict[str, int], int]:
    """Load every input into the new store, check the shapes there, write the dumps; count triples per graph.

    The store is not yet current, so a refusal only costs the directory the caller removes.
    """
    store = Store(str(path))
    dumps = None
    try:
        load_inputs(store, inputs)
        # The dumps and the search index only read the default and the named graphs, and pyoxigraph releases
        # the GIL while it evaluates and serialises, so they are written on a second core while the shapes
        # are checked (in scratch graphs of their own); a refused build discards them.
        dumps = _Background(_write_derivatives, store, dumps_dir, path.parent / SEARCH_FILE)
        problems = [p for p in check_shapes(store, inputs, files_of) if p.severity == "Violation"]
        if problems:
            raise ValidationFailed(problems)
        counts = {
            solution["g"].value: int(solution["n"].value)
            for solution in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        }
        distinct = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
        dumps.result()
        store.optimize()  # compacts away the scratch graphs too
        store.flush()
    finally:
        if dumps is not None:
            dumps.wait()
        del store  # releases the RocksDB lock before the directory is made current or removed
    return dict(sorted(counts.items())), distinct


class _Background:
    """A function running in a thread; `result()` re-raises what it raised."""

    def __init__(self, function: Callable[..., None], *args: object):
        self._error: BaseException | None = None

        def run() -> None:
            try:
                function(*args)
            except BaseException as error:  # handed to the builder, which decides
                self._error = error

        self._thread = threading.Thread(target=run, name=f"govsocial-{function.__name__}", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> None:
        self.wait()
        if self._error is not None:
            raise self._error


def load_inputs(store: Store, inputs: list[InputFile]) -> None:
    """Each file into the named graph of its source, and into the default graph that merges them all."""
    for item in inputs:
        store.bulk_load(path=str(item.path), format=item.format, to_graph=NamedNode(item.graph))
        store.bulk_load(path=str(item.path), format=item.format, to_graph=DefaultGraph())


def _write_derivatives(store: Store, dumps_dir: Path, search_file: Path) -> None:
    """What a build derives from its store for downloads and pages: the dumps and the search index."""
    _write_dumps(store, dumps_dir)
    write_search_index(store, search_file)


def _write_dumps(store: Store, dumps_dir: Path) -> None:
    """Compressed dumps for download: N-Quads of the whole dataset, Turtle of the default graph (the merge)."""
    dumps_dir.mkdir()
    for name, fmt in DUMPS.items():
        # mtime=0 keeps the compressed bytes identical for identical data
        with (
            open(dumps_dir / name, "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as packed,  # 9 is slower, no smaller
        ):
            if fmt == RdfFormat.N_QUADS:
                store.dump(packed, format=fmt)
            else:
                store.dump(packed, format=fmt, from_graph=DefaultGraph(), prefixes=PREFIXES)


def _switch(store_dir: Path, build_dir: Path) -> None:
    link = store_dir / CURRENT
    temporary = store_dir / f".{CURRENT}.{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(build_dir.relative_to(store_dir))
    os.replace(temporary, link)  # atomic on POSIX: readers see the old build or the new one


def _prune(store_dir: Path, keep: int) -> None:
    """Keep the current build and the newest `keep - 1` other complete ones; remove the rest.

    Removing by name alone would count a build that was killed mid-way as the newest one, keep it and
    remove the last good build instead. A build a running server holds is never removed (see hold_build).
    """
    complete, incomplete = _other_builds(store_dir)
    _remove(incomplete + complete[max(keep - 1, 0) :])


def _other_builds(store_dir: Path) -> tuple[list[Path], list[Path]]:
    """The builds besides the current one: the complete ones newest first, and the incomplete ones.

    Only a build that finished writes build.json (last, before the switch), and builds run under the
    build lock, so a directory without it is a build that failed or was killed, never one in progress.
    """
    builds_dir = store_dir / BUILDS
    if not builds_dir.is_dir():
        return [], []
    current = (store_dir / CURRENT).resolve()
    others = [path for path in sorted(builds_dir.iterdir(), reverse=True) if path.resolve() != current]
    complete = [path for path in others if not _missing_parts(path)]
    return complete, [path for path in others if path not in complete]


def _remove_incomplete(store_dir: Path) -> None:
    """Remove what failed or killed builds left, before a new build needs the disk space they take."""
    _remove(_other_builds(store_dir)[1])


def _remove(build_dirs: list[Path]) -> None:
    for build_dir in build_dirs:
        if not _in_use(build_dir):
            shutil.rmtree(build_dir, ignore_errors=True)


def _missing_parts(build_dir: Path) -> list[str]:
    """What a complete build has and this one lacks: its store and its build.json."""
    parts = {f"{ENGINE_DIR}/": build_dir / ENGINE_DIR, INFO_FILE: build_dir / INFO_FILE}
    return [name for name, path in parts.items() if not path.exists()]


def _in_use(build_dir: Path) -> bool:
    """Whether a running server holds this build (see hold_build)."""
    marker = build_dir / IN_USE_FILE
    if not marker.exists():
        return False
    try:
        with open(marker) as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
    except OSError:
        return True  # a marker this process cannot read: better to keep the build than to pull it from a server
    return False


def hold_build(build_dir: Path) -> IO[str]:
    """Mark a build as read by this process for as long as the returned handle stays open.

    A server keeps answering from the build it started on; later builds switch `current` but do not
    remove a build that a server still holds.
    """
    handle = open(build_dir / IN_USE_FILE, "a")  # noqa: SIM115 - the open handle is the lock
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


@contextmanager
def _build_lock(store_dir: Path) -> Iterator[None]:
    """One build at a time per store directory; a second one waits rather than interleaving."""
    with open(store_dir / ".build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_build(store_dir: Path) -> Path:
    """The directory of the build that `current` points to."""
    link = store_dir / CURRENT
    if not link.exists() and not link.is_symlink():
        raise StoreNotBuilt(f"no built store in {store_dir}; run `govsocial build --store {store_dir}` first")
    build_dir = link.resolve()
    missing = _missing_parts(build_dir)
    if missing:
        raise StoreNotBuilt(
            f"the current build {build_dir} is incomplete (it has no {' and no '.join(missing)}); "
            f"run `govsocial build --store {store_dir}` to make a new one"
        )
    return build_dir


def open_store(store_dir: Path) -> tuple[Store, BuildInfo]:
    """Open the current build read-only, so any number of processes can query it at once."""
    build_dir = current_build(store_dir)
    return Store.read_only(str(build_dir / ENGINE_DIR)), BuildInfo.read(build_dir)
