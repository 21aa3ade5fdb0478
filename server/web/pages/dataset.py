"""The dataset page and its dumps: what GovSocial KG is, its licence and version, what it holds.

Dumps are written by the build (store.py) into the build's `dumps/` folder; a server serves those of
the build it answers from, so a dump always matches the version the pages and /sparql show.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, send_from_directory

from server import __version__
from server.rdf.namespaces import GRAPH
from server.store.builds import DUMPS_DIR, GraphTerms, graph_dump_name
from server.web import errors
from server.web.pages.resources import class_counts_of_app
from server.web.pages.vocabulary import vocabulary
from server.web.runtime import runtime
from server.web.self_description import LICENSE

blueprint = Blueprint("dataset", __name__)

#: What each dump holds, for the page.
DUMP_NOTES = {
    ".nq.gz": ("N-Quads, gzip", "every named graph, as quads"),
    ".ttl.gz": ("Turtle, gzip", "the union of all graphs, as triples"),
    ".txt": ("text", "the licences of every dump and graph, with the attribution they require"),
}
#: Names for the licences the graphs come under; another licence is shown by its IRI.
LICENCE_NAMES = {
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "https://creativecommons.org/licenses/by-sa/4.0/": "CC BY-SA 4.0",
    "https://www.govdata.de/dl-de/by-2-0": "Datenlizenz Deutschland – Namensnennung 2.0",
    "https://www.govdata.de/dl-de/zero-2-0": "Datenlizenz Deutschland – Zero 2.0",
}


def build_dir() -> Path:
    """The directory of the build this server answers from (the one it holds)."""
    return runtime().build_dir


def dumps() -> list[dict[str, object]]:
    """The build's dumps: file name, size, format, what it holds."""
    info = runtime().build
    found = []
    for name, size in getattr(info, "dumps", {}).items():
        fmt, holds = next((note for suffix, note in DUMP_NOTES.items() if name.endswith(suffix)), ("", ""))
        if name.startswith("graph-"):
            holds = f"the graph {name.removeprefix('graph-').removesuffix('.ttl.gz')} alone, under its own licence"
        found.append({"name": name, "size": size, "format": fmt, "holds": holds})
    return found


@blueprint.get("/dataset")
def dataset() -> str:
    """The dataset: description, licence, version, counts per class and per graph, dumps."""
    info = runtime().build
    counts = class_counts_of_app()
    vocab = vocabulary()
    graphs = [
        {
            "iri": iri,
            "name": iri[len(GRAPH) :] if iri.startswith(GRAPH) else iri,
            "triples": n,
            "licences": [(licence, LICENCE_NAMES.get(licence, licence)) for licence in _terms(iri).licences],
            "attribution": _terms(iri).rights_in("en"),
            "dump": graph_dump_name(iri) if graph_dump_name(iri) in info.dumps else None,
        }
        for iri, n in info.graphs.items()
    ]
    licences = [(licence, LICENCE_NAMES.get(licence, licence)) for licence in info.licences]
    return render_template(
        "dataset.html",
        info=info,
        software=__version__,
        license=LICENSE,
        licences=licences,
        counts=counts,
        vocab=vocab,
        graphs=graphs,
        dumps=dumps(),
    )


@blueprint.get("/dumps/<name>")
def dump(name: str) -> Response:
    """One dump file of the build this server answers from."""
    info = runtime().build
    if name not in getattr(info, "dumps", {}):
        raise errors.NotFound(f"no dump named {name!r}; see /dataset for the list")
    mimetype = "text/plain" if name.endswith(".txt") else "application/gzip"
    return send_from_directory(build_dir() / DUMPS_DIR, name, mimetype=mimetype, as_attachment=True, download_name=name)


def _terms(graph: str) -> GraphTerms:
    return runtime().build.terms.get(graph, GraphTerms())
