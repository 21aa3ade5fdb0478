"""The application factory: one Flask app per configuration, no module-level state."""

from __future__ import annotations

import atexit
import logging
from typing import Any

import pyoxigraph
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from server import __version__
from server.engine.isolation import resolve_mode
from server.engine.pool import WorkerFactory, WorkerLanes
from server.engine.remote import RemoteEngine
from server.engine.result_cache import ResultCache
from server.settings import Settings
from server.store.builds import ENGINE_DIR, current_build, hold_build, open_store
from server.web import errors
from server.web.client_limits import ClientLimiter
from server.web.examples import load_examples
from server.web.negotiation import GRAPH_TYPES, choose, offers, prefers_html
from server.web.pages.site import register_pages
from server.web.prewarm import prewarm_examples
from server.web.security_headers import register as register_security_headers
from server.web.self_description import void_description
from server.web.sparql import ALLOWED_METHODS
from server.web.sparql import blueprint as sparql_blueprint

log = logging.getLogger("govsocial")

#: HTTP errors raised by Flask or werkzeug themselves, mapped to our error types.
_HTTP_ERRORS: dict[int, type[errors.ApiError]] = {
    400: errors.BadParameter,
    404: errors.NotFound,
    413: errors.QueryTooLarge,
    415: errors.UnsupportedMediaType,
}


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    """Build the web app on the current build of the configured store.

    The build's metadata is read once; queries go to a pool of worker processes that open the same
    build read-only. Everything lives in `app.extensions["govsocial"]`, so apps on different stores can
    run side by side in one test session.
    """
    settings = config if isinstance(config, Settings) else Settings(config)
    build_dir = current_build(settings.store)
    held = hold_build(build_dir)
    _, info = open_store(settings.store)
    isolation, why = resolve_mode(settings.service_isolation)
    if settings.engine_url:
        pool: WorkerLanes | RemoteEngine = RemoteEngine(settings.engine_url)
    else:
        factory = WorkerFactory(str(build_dir / ENGINE_DIR), settings.worker_memory_mb, in_memory=settings.memory_store)
        pool = WorkerLanes(
            factory,
            settings.lane_sizes,
            isolation=isolation,
            wait_timeout=settings.worker_wait_s,
            queue_length=settings.queue_length,
        )
    log.warning("SERVICE isolation: %s (%s)", isolation, why)
    atexit.register(pool.close)

    app = Flask(__name__)
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=0, x_host=0)  # type: ignore[method-assign]
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_bytes * 3 + 4096  # form encoding can triple a query
    app.json.sort_keys = False
    app.extensions["govsocial"] = {
        "settings": settings,
        "build": info,
        "pool": pool,
        "isolation": isolation,
        "clients": ClientLimiter(settings.client_queries),
        "held_build": held,
        "build_dir": build_dir,
        "results": ResultCache(settings.result_cache_mb * 1024 * 1024),
        "examples": load_examples(settings.queries_dir) if settings.queries_dir.is_dir() else [],
    }
    app.register_blueprint(sparql_blueprint)
    register_pages(app)  # the workbench at /, /id/..., /ontology, /dashboard, /dataset, /search
    register_security_headers(app)  # CSP, nosniff, Referrer-Policy, X-Frame-Options on every answer
    _register_instance_routes(app)
    _register_error_handlers(app)
    if settings.cors:
        app.after_request(_cors)
    if settings.prewarm_examples and settings.result_cache_mb > 0:
        prewarm_examples(app)
    return app


def _engine_kind(ext: dict[str, Any]) -> str:
    """Where queries run: "memory" (the store held in memory), "disk" (read from RocksDB), or "remote"."""
    pool = ext["pool"]
    if not isinstance(pool, WorkerLanes):
        return "remote"
    return "memory" if pool.in_memory else "disk"


def _register_instance_routes(app: Flask) -> None:
    ext = app.extensions["govsocial"]

    @app.get("/-/health")
    def health() -> Response:
        """Liveness plus the dataset version and size, so operators see which build answers."""
        info = ext["build"]
        lanes = _lanes(ext)
        alive = lanes.get("query", 0) if lanes else ext["pool"].alive()  # the GOVSOCIAL_WORKERS of /sparql
        return jsonify(
            ok=alive > 0,
            version=info.version,
            triples=info.triples,
            distinct_triples=info.distinct_triples,
            built_at=info.built_at,
            workers=alive,
            workers_replaced=ext["pool"].replaced,
            engine=_engine_kind(ext),
            service_isolation=ext["isolation"],
            lanes=lanes,
            clients_refused=ext["clients"].refused,
            result_cache=ext["results"].stats(),
            examples_prepared=len(ext.get("prewarmed", [])),
        )

    @app.get("/-/version")
    def version() -> Response:
        """Versions of the software and of the data, for bug reports."""
        return jsonify(govsocial=__version__, pyoxigraph=pyoxigraph.__version__, dataset=ext["build"].version)

    @app.get("/-/settings")
    def settings_view() -> Response:
        """The settings in force (none of them is secret)."""
        return jsonify({name: _jsonable(value) for name, value in ext["settings"].as_dict().items()})

    @app.get("/.well-known/void")
    def void() -> Response:
        """The VoID description of the dataset, as RDF in the negotiated format."""
        media_type = choose(offers(True), request.headers.get("Accept"), request.args.get("format"))
        if media_type is None:
            raise errors.NotAcceptable(f"VoID is RDF; available: {', '.join(offers(True))}", available=offers(True))
        base = ext["settings"].base_url
        graph = void_description(base + "sparql", base + ".well-known/void", ext["build"], base + "dumps/")
        return Response(graph.serialize(GRAPH_TYPES[media_type]), mimetype=media_type, headers={"Vary": "Accept"})


def _lanes(ext: dict[str, Any]) -> dict[str, int]:
    """Live workers per lane of the embedded engine (nothing for a remote engine)."""
    pool = ext["pool"]
    return {name: lane.alive() for name, lane in pool.lanes.items()} if isinstance(pool, WorkerLanes) else {}


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value if isinstance(value, (int, float, bool, str)) else str(value)


def _register_error_handlers(app: Flask) -> None:
    def wants_html() -> bool:
        return prefers_html(request.headers.get("Accept"))

    @app.errorhandler(errors.ApiError)
    def api_error(error: errors.ApiError) -> Response:
        return errors.error_response(error, wants_html())

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        if code == 405:
            mapped: errors.ApiError = errors.MethodNotAllowed(
                f"{request.method} is not allowed here; use {', '.join(ALLOWED_METHODS)}",
                allowed=ALLOWED_METHODS,
            )
        else:
            kind = _HTTP_ERRORS.get(code, errors.ApiError)
            mapped = kind(error.description or error.name)
            mapped.status = code
        return errors.error_response(mapped, wants_html())

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        failure = errors.Unavailable("the server failed to answer this request; the error has been logged")
        failure.status = 500
        failure.type = "internal_error"
        return errors.error_response(failure, wants_html())


def _cors(response: Response) -> Response:
    """Let browser tools on other origins query us and read the answers, errors included."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Content-Type, Vary"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ", ".join(ALLOWED_METHODS)
        requested = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = requested or "Accept, Content-Type, If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
