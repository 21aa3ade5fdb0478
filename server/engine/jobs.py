"""One query request and its answer, and how a store answers it within a byte limit.

Shared by the web process and the query workers, so it must not import Flask.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import NamedNode, QueryTriples, Store

from server.rdf.namespaces import PREFIXES
from server.web.negotiation import GRAPH_TYPES, RESULT_TYPES


@dataclass(frozen=True)
class QueryJob:
    """What a worker needs to answer one request."""

    text: str
    media_type: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_result_bytes: int = 50 * 1024 * 1024
    declares_dataset: bool = False  # the query text has FROM / FROM NAMED
    calls_service: bool = False  # the query text has SERVICE: connection errors are the remote's
    lane: str = "query"  # which workers answer it: "query", "service" (allowlisted SERVICE calls) or "page"


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes


class QueryFailure(Exception):
    """A query ended without an answer; `kind` says why in words the web layer maps to a status."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        # syntax | engine | remote | blocked | too_large | timeout | busy | died | unavailable | unreachable
        self.kind = kind
        self.message = message


class ResultTooLarge(Exception):
    """The serialised result passed the job's byte limit; nothing of it is kept."""


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
            raise ResultTooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def execute(store: Store, job: QueryJob) -> Answer:
    """Run one query and serialise its result within the byte limit (also used without workers).

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
    result = store.query(job.text, prefixes=PREFIXES, **dataset)
    table = GRAPH_TYPES if isinstance(result, QueryTriples) else RESULT_TYPES
    media_type = job.media_type if job.media_type in table else next(iter(table))
    sink = _BoundedBuffer(job.max_result_bytes)
    try:
        result.serialize(output=sink, format=table[media_type])
    except (OSError, ResultTooLarge):
        if sink.exceeded:
            raise ResultTooLarge from None
        raise
    return Answer(media_type, b"".join(sink.parts))
