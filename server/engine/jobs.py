"""One query request and its answer, and how a store answers it within a byte limit.

Shared by the web process and the query workers, so it must not import Flask.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, QueryTriples, Store, Triple, serialize

from server.engine.failures import Failure, QueryFailure
from server.rdf.formats import GRAPH_TYPES, RESULT_TYPES
from server.rdf.namespaces import PREFIXES


@dataclass(frozen=True)
class QueryJob:
    """What a worker needs to answer one request."""

    text: str
    media_type: str
    max_result_bytes: int  # the setting of the same name: /sparql and the pages are held to one limit
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    declares_dataset: bool = False  # the query text has FROM / FROM NAMED
    calls_service: bool = False  # the query text has SERVICE: connection errors are the remote's
    lane: str = "query"  # which workers answer it: "query", "service" (allowlisted SERVICE calls) or "page"
    base_iri: str | None = None  # relative IRIs of a query without BASE resolve against it (the endpoint's URL)


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes


class _LimitPassed(Exception):
    """Raised inside the serialiser's sink to stop it; `execute` turns it into a QueryFailure."""


class _BoundedBuffer:
    """A file-like sink that stops the serialiser once the limit is passed."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self.exceeded = False
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.exceeded = True
            raise _LimitPassed
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def execute(store: Store, job: QueryJob) -> Answer:
    """Run one query and serialise its result within the byte limit (in a worker, or in the local engine).

    Raises QueryFailure(TOO_LARGE) past the job's byte limit, SyntaxError for a query that does not parse,
    and the engine's own errors (OSError, RuntimeError, ValueError) for the caller to classify.

    The dataset follows SPARQL 1.1: the protocol's default-graph-uri / named-graph-uri win, and a side
    they leave out is empty; else the query's FROM / FROM NAMED; else the store's default graph, which
    the build made the merge of all named graphs.
    """
    dataset = {}
    if job.default_graphs or job.named_graphs:
        dataset = {
            "default_graph": [NamedNode(iri) for iri in job.default_graphs],
            "named_graphs": [NamedNode(iri) for iri in job.named_graphs],
        }
    if job.base_iri:
        dataset["base_iri"] = job.base_iri
    return answer(store.query(job.text, prefixes=PREFIXES, **dataset), job)


def answer(result: QuerySolutions | QueryBoolean | QueryTriples | list[Triple], job: QueryJob) -> Answer:
    """Serialise a result in the job's format within its byte limit: the one writer of every engine's answers
    (a remote engine's answer is parsed, then written here), so each format reads the same whatever answered.

    A graph result is the engine's QueryTriples or a list of triples (a remote engine's, parsed).
    """
    is_graph = isinstance(result, (QueryTriples, list))
    table = GRAPH_TYPES if is_graph else RESULT_TYPES
    media_type = job.media_type if job.media_type in table else next(iter(table))
    if isinstance(result, QueryBoolean) and media_type in _BOOLEAN_TABLES:
        return Answer(media_type, _BOOLEAN_TABLES[media_type].format("true" if bool(result) else "false").encode())
    sink = _BoundedBuffer(job.max_result_bytes)
    try:
        if isinstance(result, list):
            serialize(result, output=sink, format=table[media_type])
        else:
            result.serialize(output=sink, format=table[media_type])
    except (OSError, _LimitPassed):
        if sink.exceeded:
            raise QueryFailure(
                Failure.TOO_LARGE, f"the result exceeds the limit of {job.max_result_bytes} bytes"
            ) from None
        raise
    body = b"".join(sink.parts)
    if media_type in _XML_TYPES and b"\r" in body:
        body = body.replace(b"\r", b"&#13;")
    return Answer(media_type, body)


#: An ASK answer as CSV or TSV: the SPARQL 1.1 formats define none, so one column `_askResult` with one row, as
#: Apache Jena writes it, which a CSV reader takes as a table (the engine writes a bare `true`).
_BOOLEAN_TABLES = {"text/csv": "_askResult\r\n{}\r\n", "text/tab-separated-values": "?_askResult\n{}\n"}

#: XML answers: a carriage return inside a literal must be a character reference, since XML parsers read a raw
#: one as a line feed (XML 1.0, 2.11); the writers emit it raw, and our markup itself has none.
_XML_TYPES = frozenset({"application/sparql-results+xml", "application/rdf+xml"})
