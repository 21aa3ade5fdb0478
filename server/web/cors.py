"""CORS: browser tools on other origins (YASGUI, Comunica in a page) may query us and read the answers.

The headers are one table, so the Flask hook (server.web.app) and the direct path of `/sparql`
(server.web.direct_queries) send the same ones.
"""

from __future__ import annotations

#: On every answer, errors included, when the `cors` setting is on.
CORS_HEADERS: dict[str, str] = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Content-Type, Vary, Link, Content-Location",
}


def preflight_headers(allowed_methods: list[str], requested_headers: str | None) -> dict[str, str]:
    """The extra headers of an answer to a preflight (OPTIONS) request."""
    return {
        "Access-Control-Allow-Methods": ", ".join(allowed_methods),
        "Access-Control-Allow-Headers": requested_headers or "Accept, Content-Type, If-None-Match",
        "Access-Control-Max-Age": "86400",
    }
