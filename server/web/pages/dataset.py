"""The dataset page and its dumps: what GovSocial KG is, its licence and version, what it holds.

Dumps are written by the build (store.py) into the build's `dumps/` folder; a server serves those of
the build it answers from, so a dump always matches the version the pages and /sparql show.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import Blueprint, Response, render_template, send_from_directory

from server import __version__
from server.rdf.namespaces import GRAPH
from server.store.builds import DUMPS_DIR, BuildInfo, GraphTerms, graph_dump_name
from server.web import errors
from server.web.pages.queries import build_queries
from server.web.pages.resources import class_counts_of_app
from server.web.pages.vocabulary import vocabulary
from server.web.runtime import runtime

blueprint = Blueprint("dataset", __name__)

#: What each dump holds, for the page.
DUMP_NOTES = {
    ".nq.gz": ("N-Quads, gzip", "every named graph, as quads (the default graph is their union: load it as such)"),
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
    graphs = [_graph_row(info, iri, n) for iri, n in info.graphs.items()]
    return render_template(
        "dataset.html",
        info=info,
        software=__version__,
        licences=_named(info.licences),
        counts=counts,
        vocab=vocab,
        graphs=graphs,
        dumps=dumps(),
        press=press_sources(),
    )


#: The publishers of the web pages the event sheets cite, with how many pages and events each gives.
PRESS_SOURCES = f"""PREFIX gs: <https://w3id.org/govsocial/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?publisher (COUNT(DISTINCT ?source) AS ?pages) (COUNT(DISTINCT ?event) AS ?events) WHERE {{
  GRAPH <{GRAPH}press> {{ ?source a gs:Source ; dcterms:publisher ?publisher }}
  OPTIONAL {{ ?event prov:wasDerivedFrom ?source ; gs:platform ?platform }}
}}
GROUP BY ?publisher ORDER BY DESC(?pages) ?publisher"""


def press_sources() -> list[dict[str, str]]:
    """The event sheets' sources by publisher (empty when the build has no press graph)."""
    rows = build_queries().select(PRESS_SOURCES)
    return [{name: term.value for name, term in row.items()} for row in rows]


@blueprint.get("/dumps/<name>")
def dump(name: str) -> Response:
    """One dump file of the build this server answers from."""
    info = runtime().build
    if name not in getattr(info, "dumps", {}):
        raise errors.NotFound(f"no dump named {name!r}; see /dataset for the list")
    mimetype = "text/plain" if name.endswith(".txt") else "application/gzip"
    return send_from_directory(build_dir() / DUMPS_DIR, name, mimetype=mimetype, as_attachment=True, download_name=name)


def _graph_row(info: BuildInfo, iri: str, triples: int) -> dict[str, object]:
    """One named graph as the dataset page lists it: name, size, licences, attribution, its own dump."""
    terms = info.terms.get(iri, GraphTerms())
    dump = graph_dump_name(iri)
    return {
        "iri": iri,
        "name": iri[len(GRAPH) :] if iri.startswith(GRAPH) else iri,
        "triples": triples,
        "licences": _named(terms.licences),
        "attribution": terms.rights_in("en"),
        "dump": dump if dump in info.dumps else None,
    }


def _named(licences: Iterable[str]) -> list[tuple[str, str]]:
    """(IRI, name) of each licence, for links."""
    return [(licence, LICENCE_NAMES.get(licence, licence)) for licence in licences]
