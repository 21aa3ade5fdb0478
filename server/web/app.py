"""The application factory: one Flask app per configuration, no module-level state."""

from __future__ import annotations

import atexit
import logging
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from server.engine.examples import load_examples
from server.engine.interface import Engine
from server.engine.isolation import resolve_mode
from server.engine.pool import WorkerFactory, WorkerLanes
from server.engine.remote import EngineDataset, RemoteEngine
from server.engine.result_cache import ResultCache
from server.settings import Settings
from server.store.builds import ENGINE_DIR, BuildInfo, current_build, hold_build
from server.web import errors, instance, reconcile
from server.web.client_limits import ClientLimiter
from server.web.compression import register_compression
from server.web.cors import CORS_HEADERS, preflight_headers
from server.web.direct_queries import DirectQueries
from server.web.engine_check import EngineCheck
from server.web.pages.site import register_pages
from server.web.prewarm import prewarm_examples
from server.web.runtime import Runtime
from server.web.security_headers import register as register_security_headers
from server.web.sparql import ALLOWED_METHODS
from server.web.sparql import blueprint as sparql_blueprint

log = logging.getLogger("govsocial")


def create_app(config: Settings | dict[str, Any] | None = None, engine: Engine | None = None) -> Flask:
    """Build the web app on the current build of the configured store.

    The build's metadata is read once from build.json. Queries go to `engine` when one is given (the
    in-process tests pass a server.engine.local.LocalEngine), else to the engine the settings choose: a
    remote endpoint (`engine_url`), or lanes of worker processes that open the same build read-only.
    """
    settings = config if isinstance(config, Settings) else Settings(config)
    build_dir = current_build(settings.store)
    held = hold_build(build_dir)
    if engine is None:
        engine = _start_engine(settings, build_dir)
        atexit.register(engine.close)
    runtime = Runtime(
        settings=settings,
        build=BuildInfo.read(build_dir),
        build_dir=build_dir,
        engine=engine,
        clients=ClientLimiter(settings.client_queries),
        results=ResultCache(settings.result_cache_mb * 1024 * 1024),
        examples=load_examples(settings.queries_dir) if settings.queries_dir.is_dir() else [],
        held_build=held,
    )

    if settings.engine_url:
        runtime.engine_check = EngineCheck(
            engine,
            runtime.build.version,
            build_dir,
            runtime.examples,
            settings.query_timeout_s,
            settings.max_result_bytes,
        )
        runtime.engine_check.start()

    app = Flask(__name__)
    runtime.attach(app)
    app.wsgi_app = DirectQueries(app, app.wsgi_app)  # type: ignore[method-assign]
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=0, x_host=0)  # type: ignore[method-assign]
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_bytes * 3 + 4096  # form encoding can triple a query
    app.json.sort_keys = False
    app.register_blueprint(sparql_blueprint)
    register_pages(app)  # the workbench at /, /id/..., /ontology, /dashboard, /dataset, /search
    register_security_headers(app)  # CSP, nosniff, Referrer-Policy, X-Frame-Options on every answer
    app.register_blueprint(instance.blueprint)  # /-/health, /-/version, /-/settings, /.well-known/void
    app.register_blueprint(reconcile.blueprint)  # /reconcile: the W3C Reconciliation Service API (OpenRefine)
    errors.register(app, ALLOWED_METHODS)
    register_compression(app)  # gzip for large answers a client accepts compressed
    if settings.cors:
        app.after_request(_cors)
    if settings.prewarm_examples and settings.result_cache_mb > 0:
        prewarm_examples(app)
    return app


def _start_engine(settings: Settings, build_dir: Path) -> Engine:
    """The engine the settings ask for, with its SERVICE isolation logged."""
    if settings.engine_url:
        graphs = tuple(BuildInfo.read(build_dir).graphs) if settings.engine_dataset == "named" else ()
        engine: Engine = RemoteEngine(settings.engine_url, EngineDataset(graphs), settings.engine_max_rows)
        why = "the remote engine makes SERVICE calls with its own network; only the allowlist check applies"
    else:
        isolation, why = resolve_mode(settings.service_isolation)
        factory = WorkerFactory(str(build_dir / ENGINE_DIR), settings.worker_memory_mb, in_memory=settings.memory_store)
        engine = WorkerLanes(
            factory,
            settings.lane_sizes,
            isolation=isolation,
            wait_timeout=settings.worker_wait_s,
            queue_length=settings.queue_length,
        )
    log.warning("SERVICE isolation: %s (%s)", engine.isolation, why)
    return engine


def _cors(response: Response) -> Response:
    """Let browser tools on other origins query us and read the answers, errors included."""
    response.headers.update(CORS_HEADERS)
    if request.method == "OPTIONS":
        response.headers.update(
            preflight_headers(ALLOWED_METHODS, request.headers.get("Access-Control-Request-Headers"))
        )
    return response
