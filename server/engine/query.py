"""Run SPARQL against the store the way every entry point does: our prefixes, union default graph."""

from __future__ import annotations

from pyoxigraph import QueryBoolean, QuerySolutions, QueryTriples, Store

from server.engine.querytext import check_nesting
from server.rdf.namespaces import PREFIXES

QueryResult = QuerySolutions | QueryBoolean | QueryTriples


class QuerySyntaxError(ValueError):
    """The query does not parse; the message is the parser's, with line and column."""


def run_query(store: Store, text: str) -> QueryResult:
    """Answer a query with our prefixes pre-declared, over the default graph: the merge of all graphs.

    That is what a researcher expects: ontology, curated data and imports answer together unless the
    query names graphs itself (the build materialises the merge, see store.py). Raises QuerySyntaxError,
    or QueryTooDeep for brackets nested too deep to parse.
    """
    check_nesting(text)  # raises QueryTooDeep, where the engine's parser would crash the process
    try:
        return store.query(text, prefixes=PREFIXES)
    except SyntaxError as error:
        raise QuerySyntaxError(error.msg) from None
