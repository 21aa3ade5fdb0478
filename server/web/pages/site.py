"""The human side of the site, registered on an app: pages, Linked Data, search, workbench, dashboard.

Also the Jinja filters and the context every template shares (dataset version, asset URLs), so the
templates write IRIs, labels and dates one way everywhere.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from server import __version__
from server.rdf.terms import compact
from server.web import assets
from server.web.pages import coverage, dashboard, dataset, howto, linkeddata, search, workbench
from server.web.pages.present import datatype_name, format_date, href, human_size, is_local, wikidata_page
from server.web.runtime import runtime


def register_pages(app: Flask) -> None:
    """Add the page blueprints, the template filters and the shared template context to an app."""
    for module in (workbench, linkeddata, search, dashboard, dataset, coverage, howto, assets):
        app.register_blueprint(module.blueprint)
    app.jinja_env.filters.update(
        compact=compact,
        href=href,
        is_local=is_local,
        when=format_date,
        datatype=datatype_name,
        size=human_size,
        wikidata=wikidata_page,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.context_processor(_site_context)


def _site_context() -> dict[str, Any]:
    info = runtime().build
    return {
        "site": {"version": info.version, "built_at": info.built_at, "software": __version__},
        "asset": lambda name: "/assets/" + name,
        "assets_installed": assets.installed(),
    }
