"""`/sparql`: the SPARQL 1.1 Protocol query operation over the built store."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from pyoxigraph import QueryResultsFormat, QueryTriples, RdfFormat

from .query import QuerySyntaxError, run_query

blueprint = Blueprint("sparql", __name__)

RESULT_TYPES = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify(ok=False, error=message, status=status), status


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Any:
    """Answer a query given as `query=` (GET or form POST) or as an application/sparql-query body."""
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        text = request.get_data(as_text=True)
    else:
        text = request.values.get("query")
    if not text:
        return _error(400, "no query: pass the SPARQL query as the `query` parameter")
    store = current_app.extensions["govsocial"]["store"]
    try:
        result = run_query(store, text)
    except QuerySyntaxError as error:
        return _error(400, f"malformed query: {error}")
    table = RESULT_TYPES if not isinstance(result, QueryTriples) else GRAPH_TYPES
    media_type = request.accept_mimetypes.best_match(list(table), default=next(iter(table)))
    if media_type is None:
        return _error(406, f"none of the accepted types is available; offered: {', '.join(table)}")
    body = result.serialize(format=table[media_type])
    return Response(body, mimetype=media_type, headers={"Vary": "Accept"})
