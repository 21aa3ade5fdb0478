"""The application factory: one Flask app per configuration, no module-level state."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify

from .settings import Settings
from .sparql import blueprint as sparql_blueprint
from .store import open_store


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    """Build the web app on the current build of the configured store.

    The store is opened once, read-only, and kept in `app.extensions`, so tests can start any
    number of apps on different stores side by side.
    """
    settings = config if isinstance(config, Settings) else Settings(config)
    store, info = open_store(settings.store)
    app = Flask(__name__)
    app.extensions["govsocial"] = {"settings": settings, "store": store, "build": info}
    app.register_blueprint(sparql_blueprint)

    @app.get("/-/health")
    def health() -> Any:
        """Liveness plus the dataset version, so operators see which build answers."""
        return jsonify(ok=True, version=info.version, triples=info.triples, built_at=info.built_at)

    return app
