"""Search over labels: `/-/search?q=` (JSON, also the editor's completion) and `/search` (a page).

The index itself (search_index.py) is written by the build; a server opens it read-only on first use.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from server.rdf.namespaces import GS, PREFIXES
from server.rdf.terms import compact
from server.store.search_index import SEARCH_FILE, Entry, SearchIndex
from server.web import errors
from server.web.pages.present import href
from server.web.pages.vocabulary import vocabulary
from server.web.runtime import runtime

blueprint = Blueprint("search", __name__)

MAX_LIMIT = 50
MAX_QUERY_CHARS = 200


def search_index() -> SearchIndex:
    """The current app's index: the build's file, opened on first use."""
    state = runtime()
    if state.pages.search_index is None:
        try:
            state.pages.search_index = SearchIndex(state.build_dir / SEARCH_FILE)
        except FileNotFoundError as error:
            raise errors.Unavailable(str(error)) from None
    return state.pages.search_index


def as_json(entry: Entry) -> dict[str, object]:
    """One hit as the JSON API and the editor's completion use it."""
    vocab = vocabulary()
    types = [t for t in entry.types if t.startswith(GS)] or entry.types
    return {
        "iri": entry.iri,
        "prefixed": compact(entry.iri),
        "href": href(entry.iri),
        "label": entry.labels.get("de"),
        "labels": {lang or "none": text for lang, text in entry.labels.by_lang.items()},
        "types": [{"iri": t, "prefixed": compact(t), "label": vocab.label(t, "en")} for t in types],
    }


def _params() -> tuple[str, int, str | None, str | None]:
    text = request.args.get("q", "")
    if len(text) > MAX_QUERY_CHARS:
        raise errors.BadParameter(f"`q` is limited to {MAX_QUERY_CHARS} characters")
    try:
        limit = int(request.args.get("limit", "10"))
    except ValueError:
        raise errors.BadParameter("`limit` must be a whole number") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise errors.BadParameter(f"`limit` must be between 1 and {MAX_LIMIT}")
    prefix = request.args.get("prefix")
    namespace = None
    if prefix:
        if prefix not in PREFIXES:
            raise errors.BadParameter(f"unknown prefix {prefix!r}; known: {', '.join(PREFIXES)}")
        namespace = PREFIXES[prefix]
    rdf_type = request.args.get("type")
    if rdf_type and ":" in rdf_type and not rdf_type.startswith(("http:", "https:")):
        name, _, local = rdf_type.partition(":")
        if name not in PREFIXES:
            raise errors.BadParameter(f"unknown prefix in `type`: {name!r}")
        rdf_type = PREFIXES[name] + local
    return text, limit, namespace, rdf_type


@blueprint.get("/-/search")
def search_api() -> Response:
    """Labelled resources matching `q` (accents folded), best first: `prefix=` and `type=` narrow it."""
    text, limit, namespace, rdf_type = _params()
    hits = search_index().search(text, limit, namespace, rdf_type)
    return jsonify(ok=True, q=text, count=len(hits), results=[as_json(entry) for entry in hits])


@blueprint.get("/search")
def search_page() -> str:
    """The search results as a page, for the header's search box without JavaScript."""
    text, _, namespace, rdf_type = _params()
    hits = search_index().search(text, MAX_LIMIT, namespace, rdf_type) if text.strip() else []
    return render_template("search.html", q=text, hits=[as_json(entry) for entry in hits])
