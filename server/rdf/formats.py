"""The one table of the formats we read and write: media type, short names, file suffix, engine format, W3C IRI.

Content negotiation on /sparql and on the Linked Data pages, the pages' file suffixes, the command line's
`--format`, the Service Description's list of result formats, the query page's select and the workbench's
downloads (which receive the table in their embedded configuration) all read it, so a format is added or
renamed in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat

#: The W3C's IRIs for formats (https://www.w3.org/ns/formats/), as the Service Description names them.
W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    """One serialisation: for SELECT/ASK results (`result`) or for graphs (`graph`)."""

    media_type: str
    name: str  # the short name of `format=` and of the command line's --format
    suffix: str  # the file suffix of a download or of a Linked Data URL, without the dot
    label: str  # what a person reads in a menu
    w3c: str  # the local name under W3C_FORMATS
    result: QueryResultsFormat | None = None
    graph: RdfFormat | None = None
    names: tuple[str, ...] = ()  # further short names clients use
    aliases: tuple[str, ...] = ()  # further media types clients send for it
    resource: bool = False  # a representation of a Linked Data resource (triples only, no named graphs)

    @property
    def w3c_iri(self) -> str:
        return W3C_FORMATS + self.w3c


#: Every format, the defaults first: SPARQL JSON for results, Turtle for graphs.
FORMATS: tuple[Format, ...] = (
    Format(
        "application/sparql-results+json",
        "json",
        "srj",
        "SPARQL JSON",
        "SPARQL_Results_JSON",
        result=QueryResultsFormat.JSON,
        names=("srj",),
        aliases=("application/json",),
    ),
    Format(
        "application/sparql-results+xml",
        "xml",
        "srx",
        "SPARQL XML",
        "SPARQL_Results_XML",
        result=QueryResultsFormat.XML,
        names=("srx",),
        aliases=("application/xml", "text/xml"),
    ),
    Format("text/csv", "csv", "csv", "CSV", "SPARQL_Results_CSV", result=QueryResultsFormat.CSV),
    Format("text/tab-separated-values", "tsv", "tsv", "TSV", "SPARQL_Results_TSV", result=QueryResultsFormat.TSV),
    Format(
        "text/turtle",
        "turtle",
        "ttl",
        "Turtle",
        "Turtle",
        graph=RdfFormat.TURTLE,
        names=("ttl", "n3"),  # Turtle is N3; SPARQLWrapper asks for n3 this way
        aliases=("application/x-turtle", "text/n3"),
        resource=True,
    ),
    Format(
        "application/n-triples",
        "ntriples",
        "nt",
        "N-Triples",
        "N-Triples",
        graph=RdfFormat.N_TRIPLES,
        names=("nt",),
        aliases=("text/plain",),
        resource=True,
    ),
    Format(
        "application/rdf+xml",
        "rdfxml",
        "rdf",
        "RDF/XML",
        "RDF_XML",
        graph=RdfFormat.RDF_XML,
        names=("rdf", "rdf+xml"),
        resource=True,
    ),
    Format(
        "application/ld+json",
        "jsonld",
        "jsonld",
        "JSON-LD",
        "JSON-LD",
        graph=RdfFormat.JSON_LD,
        names=("json-ld",),
        resource=True,
    ),
    Format("application/n-quads", "nquads", "nq", "N-Quads", "N-Quads", graph=RdfFormat.N_QUADS, names=("nq",)),
    Format("application/trig", "trig", "trig", "TriG", "TriG", graph=RdfFormat.TRIG),
)

#: SELECT and ASK results, the default first.
RESULT_TYPES: dict[str, QueryResultsFormat] = {f.media_type: f.result for f in FORMATS if f.result is not None}
#: CONSTRUCT and DESCRIBE results, the default first.
GRAPH_TYPES: dict[str, RdfFormat] = {f.media_type: f.graph for f in FORMATS if f.graph is not None}
#: Media types clients send for our formats, to the canonical type we answer with.
ALIASES: dict[str, str] = {alias: f.media_type for f in FORMATS for alias in f.aliases}
#: Short names of `format=` and --format, to media types.
SHORT_NAMES: dict[str, str] = {name: f.media_type for f in FORMATS for name in (f.name, *f.names)}
#: Media types by file suffix (with the dot), for downloads and Linked Data URLs.
SUFFIXES: dict[str, str] = {"." + f.suffix: f.media_type for f in FORMATS}
BY_MEDIA_TYPE: dict[str, Format] = {f.media_type: f for f in FORMATS}
#: The graph format of the same family, for a JSON or XML name asked of a graph result.
_GRAPH_FAMILY = (("+json", "application/ld+json"), ("+xml", "application/rdf+xml"))


def resolve(word: str, offered: list[str] | tuple[str, ...]) -> str | None:
    """The offered media type a `format=` word (a short name or a media type) asks for, or None.

    `json` and `xml` (and their media types) mean the graph format of that family where only graph formats
    are offered: JSON-LD and RDF/XML, as clients that ask a CONSTRUCT for "json" expect.
    """
    wanted = word.strip().lower()
    wanted = SHORT_NAMES.get(wanted, ALIASES.get(wanted, wanted))
    if wanted in offered:
        return wanted
    for ending, family in _GRAPH_FAMILY:
        if wanted.endswith(ending) and family in offered:
            return family
    return None


def formats_for(result: bool = False, graph: bool = False) -> list[Format]:
    """The formats of one kind of answer, in table order."""
    return [f for f in FORMATS if (result and f.result is not None) or (graph and f.graph is not None)]


def as_config() -> dict[str, list[dict[str, str]]]:
    """The table as the workbench's embedded configuration reads it: downloads per kind of result."""

    def entries(formats: list[Format]) -> list[dict[str, str]]:
        return [{"name": f.name, "label": f.label, "suffix": f.suffix, "media_type": f.media_type} for f in formats]

    return {"table": entries(formats_for(result=True)), "graph": entries(formats_for(graph=True))}
