"""Answers to the example queries, computed when the server starts.

The workbench's examples and the dashboard's charts are the queries people run most, and a server
answers from one build for its whole life, so their answers cannot go stale: the server computes them
once in the background at start-up and keeps them in the result cache, where the first visitor finds
them as every later one does. A query that fails or runs past the time limit is simply not cached.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from server.engine.failures import QueryFailure
from server.engine.jobs import QueryJob
from server.engine.querytext import inspect
from server.rdf.namespaces import PREFIXES
from server.web.caching import query_etag
from server.web.runtime import runtime_of

JSON = "application/sparql-results+json"
log = logging.getLogger(__name__)


def prewarm_examples(app: Flask) -> threading.Thread:
    """Start computing the example queries' JSON answers into the result cache; returns the thread."""
    state = runtime_of(app)

    def run() -> None:
        settings = state.settings
        with app.app_context():
            for example in state.examples:
                facts = inspect(example.text, PREFIXES)
                if example.federated or facts.services or facts.is_graph_query or facts.is_update:
                    continue  # only answers that depend on our data alone, in the format the pages ask for
                # on the pages' workers: a /sparql client arriving during start-up never waits behind them
                # with the base of requests that reach us without forwarded headers (the settings' address)
                base = settings.base_url
                limit = settings.max_result_bytes
                job = QueryJob(example.text, JSON, max_result_bytes=limit, lane="page", base_iri=base + "sparql")
                try:
                    answer = state.engine.run(job, settings.query_timeout_s)
                except QueryFailure as failure:
                    log.warning("example %s not prepared: %s", example.name, failure.message)
                    continue
                etag = query_etag(state.build.version, JSON, base, example.text, (), ())
                state.results.put(etag, answer.media_type, answer.body)
                state.prewarmed.append(example.name)

    thread = threading.Thread(target=run, name="govsocial-prewarm", daemon=True)
    thread.start()
    return thread
