"""The instance's own routes: health, versions, settings in force, and the VoID description of the dataset."""

from __future__ import annotations

import os
from typing import Any

import pyoxigraph
from flask import Blueprint, Response, jsonify, request

from server import __version__
from server.rdf.formats import GRAPH_TYPES
from server.web import errors
from server.web.negotiation import choose, offers
from server.web.public_address import public_base
from server.web.runtime import runtime
from server.web.self_description import void_description

blueprint = Blueprint("instance", __name__)


@blueprint.get("/-/health")
def health() -> Response:
    """Liveness plus the dataset version and size, so operators see which build answers; 503 when this front end
    cannot answer for its build (no worker alive, or a remote engine that does not hold it or answers otherwise)."""
    state = runtime()
    info, engine = state.build, state.engine
    alive = engine.alive()  # the GOVSOCIAL_WORKERS of /sparql
    fit = state.engine_check.current() if state.engine_check is not None else None
    ok = alive > 0 and (fit is None or fit.ok)
    response = jsonify(
        ok=ok,
        version=info.version,
        replica=f"{state.settings.host}:{state.settings.port}",  # which replica behind a balancer answered
        pid=os.getpid(),
        triples=info.triples,
        distinct_triples=info.distinct_triples,
        built_at=info.built_at,
        workers=alive,
        workers_replaced=engine.replaced,
        engine=engine.kind,
        service_isolation=state.isolation,
        lanes=engine.lanes_alive(),
        clients_refused=state.clients.refused,
        result_cache=state.results.stats(),
        examples_prepared=len(state.prewarmed),
        **({"engine_check": fit.as_json()} if fit is not None else {}),
    )
    response.status_code = 200 if ok else 503  # a load balancer takes a 503 replica out of rotation
    return response


@blueprint.get("/-/version")
def version() -> Response:
    """Versions of the software and of the data, for bug reports."""
    return jsonify(govsocial=__version__, pyoxigraph=pyoxigraph.__version__, dataset=runtime().build.version)


@blueprint.get("/-/settings")
def settings_view() -> Response:
    """The settings in force (none of them is secret)."""
    return jsonify({name: _jsonable(value) for name, value in runtime().settings.as_dict().items()})


@blueprint.get("/.well-known/void")
def void() -> Response:
    """The VoID description of the dataset, as RDF in the negotiated format."""
    media_type = choose(offers(True), request.headers.get("Accept"), request.args.get("format"))
    if media_type is None:
        raise errors.NotAcceptable(f"VoID is RDF; available: {', '.join(offers(True))}", available=offers(True))
    state = runtime()
    base = public_base(state.settings)
    graph = void_description(base + "sparql", base + ".well-known/void", state.build, base + "dumps/")
    return Response(graph.serialize(GRAPH_TYPES[media_type]), mimetype=media_type, headers={"Vary": "Accept"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value if isinstance(value, (int, float, bool, str)) else str(value)
