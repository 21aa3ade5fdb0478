"""Content negotiation for the SPARQL protocol, as pure functions over the request's words.

The formats come from the one table (server.rdf.formats). A `format=` parameter (a short name or a media
type) overrides the Accept header, as YASGUI and curl users expect.
"""

from __future__ import annotations

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
    if format_param:
        return resolve(format_param, offered)
    if not accept or not accept.strip():
        return offered[0]
    parsed = parse_accept_header(accept, MIMEAccept)
    candidates = offered + [alias for alias, target in ALIASES.items() if target in offered]
    best = parsed.best_match(candidates)
    return ALIASES.get(best, best) if best else None


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
