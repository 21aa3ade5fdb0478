"""Which files a build loads, into which named graph, and the dataset version they make.

Each source of statements gets its own named graph so users can filter by provenance and licence:
everything in ontology/ goes to graph/ontology, and each folder directly under data/ to a graph of
that folder's name (data/curated -> graph/curated; imports add folders of their own).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat

from server.rdf.namespaces import graph_iri

#: The serialisations a build accepts, by file suffix in lower case (`.TTL` is Turtle too).
FORMATS: dict[str, RdfFormat] = {
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
}
SHAPES_FILE = "shapes.ttl"


@dataclass(frozen=True)
class InputFile:
    """One RDF file of the build and the named graph it is loaded into."""

    path: Path
    graph: str
    name: str  # the path as a curator knows it, e.g. data/curated/events.ttl

    @property
    def format(self) -> RdfFormat:
        return FORMATS[self.path.suffix.lower()]

    @property
    def is_shapes(self) -> bool:
        return self.path.name == SHAPES_FILE and self.graph == graph_iri("ontology")


#: Graphs the build fills itself (server.build.derive), so no folder of data/ may take their names.
RESERVED_FOLDERS = frozenset({"derived", "ontology"})


class InputError(Exception):
    """The input folders are missing or hold nothing to load."""


def discover(ontology_dir: Path, data_dir: Path) -> list[InputFile]:
    """List the build's inputs in a stable order (ontology first, then data by folder and name)."""
    for folder in (ontology_dir, data_dir):
        if not folder.is_dir():
            raise InputError(f"{folder} is not a directory; set GOVSOCIAL_ONTOLOGY_DIR / GOVSOCIAL_DATA_DIR")
    found = [
        InputFile(path, graph_iri("ontology"), f"ontology/{path.relative_to(ontology_dir).as_posix()}")
        for path in _rdf_files(ontology_dir)
    ]
    if not any(item.is_shapes for item in found):
        raise InputError(f"{ontology_dir / SHAPES_FILE} is missing: the build cannot validate without shapes")
    for folder in sorted(p for p in data_dir.iterdir() if p.is_dir()):
        if folder.name in RESERVED_FOLDERS:
            raise InputError(
                f"{folder} is named like a graph the build writes itself (graph/{folder.name}); rename the folder"
            )
        found.extend(
            InputFile(path, graph_iri(folder.name), f"data/{path.relative_to(data_dir).as_posix()}")
            for path in _rdf_files(folder)
        )
    if len(found) == sum(1 for item in found if item.graph == graph_iri("ontology")):
        raise InputError(f"no RDF files under {data_dir}/*/ (expected e.g. {data_dir}/curated/*.ttl)")
    return found


def _rdf_files(folder: Path) -> list[Path]:
    """Every Turtle and N-Triples file under the folder, whatever the case of its suffix.

    Files saved on Windows or macOS often end in `.TTL`; skipping them would drop data without a word.
    """
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS)


def file_digests(inputs: list[InputFile]) -> dict[str, bytes]:
    """The SHA-256 of each input file's bytes, by its name: read once for the version and the graphs' digests."""
    return {item.name: hashlib.sha256(item.path.read_bytes()).digest() for item in inputs}


def dataset_version(inputs: list[InputFile], digests: dict[str, bytes] | None = None) -> str:
    """A content hash of every input file and the graph it goes to.

    The same files always give the same version, whatever their timestamps, so the version can serve
    as an ETag and in VoID: it changes exactly when the data a user can query changes.
    """
    digests = digests if digests is not None else file_digests(inputs)
    digest = hashlib.sha256()
    for item in inputs:
        digest.update(f"{item.name}\0{item.graph}\0".encode())
        digest.update(digests[item.name])
    return digest.hexdigest()[:16]
