"""Content negotiation for the SPARQL protocol, as pure functions over the request's words.

The formats come from the one table (server.rdf.formats). A `format=` parameter (a short name or a media
type) overrides the Accept header, as YASGUI and curl users expect, where it can carry the result; where it
cannot (SPARQLWrapper sends `format=json` with every query, a CONSTRUCT too), the Accept header decides. A
CONSTRUCT asked for as `application/sparql-results+xml` (roqet and rdflib's SPARQLStore send it) is RDF/XML,
as `format=xml` is.
"""

from __future__ import annotations

from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from server.rdf.formats import ALIASES, GRAPH_TYPES, RESULT_TYPES, resolve


def offers(graph: bool) -> list[str]:
    """The media types a result of this kind can be sent as, the default first."""
    return list(GRAPH_TYPES if graph else RESULT_TYPES)


def choose(offered: list[str], accept: str | None, format_param: str | None = None) -> str | None:
    """The media type to answer with, or None when nothing acceptable is offered (406).

    `format=` wins over Accept. Without either, or with `*/*`, the first offer is the answer.
    """
    if format_param and (chosen := resolve(format_param, offered)):
        return chosen
    if not accept or not accept.strip():
        return offered[0]
    best = _remembered_best if len(accept) <= _REMEMBERED_ACCEPT_CHARS else _best
    return best(tuple(offered), accept)


#: Accept headers up to this length have their best offer remembered (512 of them): clients repeat theirs.
_REMEMBERED_ACCEPT_CHARS = 256


def _best(offered: tuple[str, ...], accept: str) -> str | None:
    """The best offer for an Accept header."""
    parsed = parse_accept_header(accept, MIMEAccept)
    families = {alias: target for alias, target in _RESULT_AS_GRAPH.items() if target in offered}
    aliases = {alias: target for alias, target in ALIASES.items() if target in offered} | families
    best = parsed.best_match([*offered, *aliases])
    return aliases.get(best, best) if best else None


_remembered_best = lru_cache(maxsize=512)(_best)


def known_format(word: str) -> bool:
    """Whether a `format=` word names a format this endpoint has at all (for one kind of result or another)."""
    return resolve(word, [*RESULT_TYPES, *GRAPH_TYPES]) is not None


#: Result types a client may ask a graph result for, and the graph format of the same family it gets.
_RESULT_AS_GRAPH = {"application/sparql-results+xml": "application/rdf+xml"}


def prefers_html(accept: str | None) -> bool:
    """Whether a client (a browser) wants HTML more than any machine format we offer."""
    if not accept:
        return False
    parsed = parse_accept_header(accept, MIMEAccept)
    html = parsed.quality("text/html")
    if html <= 0 or "text/html" not in accept.lower():
        return False
    machine = max(parsed.quality(media) for media in ["application/json", *RESULT_TYPES, *GRAPH_TYPES])
    return html >= machine
