"""Security headers on every answer: pages, /sparql results and errors, static files, 404s and 304s.

The pages show text and IRIs taken from the data and from users' queries. Escaping and the link rule
(present.href) keep that text inert; the Content-Security-Policy is the second line should one of them
fail: only scripts and styles from this host run (no inline script, no `javascript:` URL, no eval), no
plugin, no `<base>` to redirect relative links, forms post only here, and no other site may frame us.
The site loads nothing from elsewhere (every file comes from this host, see assets.py), so 'self' is
all any directive needs. `style-src` has no 'unsafe-inline': the templates carry no inline style, and
the scripts style through the DOM's style properties, which CSP does not restrict.

The headers go on every response, whatever produced it, so no route can forget them.
"""

from __future__ import annotations

from flask import Flask, Response

#: Every header set on every answer, with its value; the policy is one directive per line.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        )
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def add_security_headers(response: Response) -> Response:
    """Set the headers of SECURITY_HEADERS on a response, replacing any other value they had."""
    response.headers.update(SECURITY_HEADERS)
    return response


def register(app: Flask) -> None:
    """Add the security headers to every response of the app, error pages and 304s included."""
    app.after_request(add_security_headers)
