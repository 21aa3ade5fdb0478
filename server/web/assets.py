"""Third-party front-end files, served from node_modules as `npm ci` installed them (package-lock.json).

Nothing is fetched from a CDN: the pages load their editor and charts from this host, so the site works
with no internet access. Only the files listed here are served, never the whole node_modules folder.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory

from server.settings import PROJECT_DIR

blueprint = Blueprint("assets", __name__)

NODE_MODULES = PROJECT_DIR / "node_modules"
#: The files the templates load, by their path under node_modules (package name first).
VENDOR_FILES = frozenset(
    {
        "codemirror/lib/codemirror.js",
        "codemirror/lib/codemirror.css",
        "codemirror/mode/sparql/sparql.js",
        "codemirror/mode/turtle/turtle.js",
        "codemirror/mode/javascript/javascript.js",
        "codemirror/mode/xml/xml.js",
        "codemirror/addon/hint/show-hint.js",
        "codemirror/addon/hint/show-hint.css",
        "codemirror/addon/edit/matchbrackets.js",
        "codemirror/addon/edit/closebrackets.js",
        "codemirror/addon/display/placeholder.js",
        "chart.js/dist/chart.umd.min.js",
        "chartjs-chart-sankey/dist/chartjs-chart-sankey.min.js",
    }
)
#: A week: the files change only when package-lock.json does, and a reload after an upgrade revalidates.
MAX_AGE_S = 7 * 24 * 3600


def installed() -> bool:
    """Whether `npm ci` has installed the front-end packages (the pages degrade to plain forms without)."""
    return all((NODE_MODULES / name).is_file() for name in VENDOR_FILES)


@blueprint.get("/assets/<path:name>")
def asset(name: str) -> Response:
    """One vendored file, if it is on the list and installed."""
    if name not in VENDOR_FILES or not (NODE_MODULES / name).is_file():
        abort(404)
    return send_from_directory(NODE_MODULES, name, max_age=MAX_AGE_S)
