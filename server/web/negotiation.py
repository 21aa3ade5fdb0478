"""Content negotiation for the SPARQL protocol, as pure functions over the request's words.

Tables map media types to pyoxigraph formats. A `format=` parameter (a short name or a media type)
overrides the Accept header, as YASGUI and curl users expect.
"""

from __future__ import annotations

from pyoxigraph import QueryResultsFormat, RdfFormat
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

#: SELECT and ASK results, the default first.
RESULT_TYPES: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
#: CONSTRUCT and DESCRIBE results, the default first.
GRAPH_TYPES: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/trig": RdfFormat.TRIG,
}
#: Types clients send for the same formats; answered with the canonical type.
ALIASES: dict[str, str] = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "text/plain": "application/n-triples",
    "application/x-turtle": "text/turtle",
}
#: Short names accepted by `format=`.
SHORT_NAMES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "n3": "text/turtle",  # Turtle is N3; SPARQLWrapper asks for n3 this way
    "rdf+xml": "application/rdf+xml",
    "nquads": "application/n-quads",
    "nq": "application/n-quads",
    "trig": "application/trig",
}


def offers(graph: bool) -> list[str]:
    """The media types a result of this kind can be sent as, the default first."""
    return list(GRAPH_TYPES if graph else RESULT_TYPES)


def choose(offered: list[str], accept: str | None, format_param: str | None = None) -> str | None:
    """The media type to answer with, or None when nothing acceptable is offered (406).

    `format=` wins over Accept. Without either, or with `*/*`, the first offer is the answer.
    """
    if format_param:
        wanted = format_param.strip().lower()
        wanted = SHORT_NAMES.get(wanted, ALIASES.get(wanted, wanted))
        # the JSON and XML short names mean the graph format of that family for CONSTRUCT/DESCRIBE
        if wanted not in offered and "application/ld+json" in offered and wanted.endswith("+json"):
            wanted = "application/ld+json"
        if wanted not in offered and "application/rdf+xml" in offered and wanted.endswith("+xml"):
            wanted = "application/rdf+xml"
        return wanted if wanted in offered else None
    if not accept or not accept.strip():
        return offered[0]
    parsed = parse_accept_header(accept, MIMEAccept)
    candidates = offered + [alias for alias, target in ALIASES.items() if target in offered]
    best = parsed.best_match(candidates)
    return ALIASES.get(best, best) if best else None


def prefers_html(accept: str | None) -> bool:
    """Whether a client (a browser) wants HTML more than any machine format we offer."""
    if not accept:
        return False
    parsed = parse_accept_header(accept, MIMEAccept)
    html = parsed.quality("text/html")
    if html <= 0 or "text/html" not in accept.lower():
        return False
    machine = max(parsed.quality(media) for media in ["application/json", *RESULT_TYPES, *GRAPH_TYPES])
    return html >= machine
