"""The build directory on disk: which build is current, holding and pruning builds, and opening the current one.

Layout of a store directory::

    STORE/current -> builds/20261121T061500Z-<version>   (relative symlink)
    STORE/builds/<id>/oxigraph/                            the RocksDB store
    STORE/builds/<id>/build.json                           version, counts, time
    STORE/builds/<id>/search.sqlite                        the label index of search and browse pages
    STORE/builds/<id>/dumps/                               compressed downloads

Every statement is loaded into the named graph of its source, and once more into the default graph,
which is thus the RDF merge of all named graphs: a triple that two sources state matches once, as
SPARQL's union default graph should (pyoxigraph's own union flag would match it twice).

A build (server.build) always goes into a fresh directory; `current` is switched with one atomic rename only
after every file loaded, so a failed or interrupted build leaves the last good store answering. The next build
removes whatever a killed one left behind (a directory without build.json).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from pyoxigraph import RdfFormat, Store

CURRENT = "current"
BUILDS = "builds"
ENGINE_DIR = "oxigraph"
INFO_FILE = "build.json"
IN_USE_FILE = ".in-use"
DUMPS_DIR = "dumps"
#: Downloadable dumps of every build: the named graphs as N-Quads (without the default graph, which is their
#: union), and the union as Turtle.
DUMPS = {"govsocial.nq.gz": RdfFormat.N_QUADS, "govsocial.ttl.gz": RdfFormat.TURTLE}
#: Beside the dumps: which licences apply to each of them, with the attribution every graph requires.
LICENCES_FILE = "LICENCES.txt"


def graph_dump_name(graph: str) -> str:
    """The file in dumps/ that holds one named graph alone, as Turtle: graph-NAME.ttl.gz."""
    return f"graph-{graph.rstrip('/').rsplit('/', 1)[-1]}.ttl.gz"


@dataclass(frozen=True)
class GraphTerms:
    """The terms of one named graph as its void:Dataset description states them: licences, sources, rights."""

    licences: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    rights: tuple[tuple[str, str], ...] = ()  # (language, attribution text)

    def rights_in(self, lang: str) -> list[str]:
        return [text for language, text in self.rights if language == lang]

    @classmethod
    def from_json(cls, data: dict) -> GraphTerms:
        return cls(
            tuple(data.get("licences", ())),
            tuple(data.get("sources", ())),
            tuple((lang, text) for lang, text in data.get("rights", ())),
        )


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
    terms: dict[str, GraphTerms] = field(default_factory=dict)  # graph IRI -> its licences, sources, rights
    inputs: dict[str, str] = field(default_factory=dict)  # graph IRI -> digest of its input files (server.build.reuse)
    reused: list[str] = field(default_factory=list)  # graphs taken over from the previous build, not loaded again
    layout: str = ""  # how the build wrote its store; a later build reuses graphs only from the same layout

    @classmethod
    def read(cls, build_dir: Path) -> BuildInfo:
        data = json.loads((build_dir / INFO_FILE).read_text(encoding="utf-8"))
        data["terms"] = {graph: GraphTerms.from_json(terms) for graph, terms in data.get("terms", {}).items()}
        return cls(**data)

    @property
    def licences(self) -> list[str]:
        """Every licence that applies to the union of the graphs (the default graph and its dumps)."""
        return sorted({licence for terms in self.terms.values() for licence in terms.licences})

    def write(self, build_dir: Path) -> None:
        (build_dir / INFO_FILE).write_text(json.dumps(asdict(self), indent=2, sort_keys=True), encoding="utf-8")


class StoreNotBuilt(Exception):
    """There is no good build to open; the message says which command makes one."""


def switch(store_dir: Path, build_dir: Path) -> None:
    """Make a complete build current."""
    link = store_dir / CURRENT
    temporary = store_dir / f".{CURRENT}.{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(build_dir.relative_to(store_dir))
    os.replace(temporary, link)  # atomic on POSIX: readers see the old build or the new one


def prune(store_dir: Path, keep: int) -> None:
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


def remove_incomplete(store_dir: Path) -> None:
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
def build_lock(store_dir: Path) -> Iterator[None]:
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
