"""gzip for answers a client accepts compressed: a SPARQL result or a dump of thousands of rows shrinks tenfold.

Only bodies held whole (our answers are), of 1 KiB or more, in a type that compresses (not already gzip),
when `Accept-Encoding` allows gzip. The representation's ETag becomes weak (W/"…"): the compressed and the
plain bytes are one representation in content, which weak comparison (If-None-Match) treats as equal, and
`Vary: Accept-Encoding` tells caches the encoding depends on the request.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

MIN_BYTES = 1024
#: Types whose bodies are already compressed.
_COMPRESSED = ("application/gzip", "image/png", "image/jpeg", "font/woff2")


def register_compression(app: Flask) -> None:
    app.after_request(_compress)


def _accepts_gzip() -> bool:
    header = request.headers.get("Accept-Encoding")
    return bool(header) and parse_accept_header(header, Accept).quality("gzip") > 0


def _compress(response: Response) -> Response:
    if response.status_code in (200, 304) and response.mimetype not in _COMPRESSED:  # a 304 names it too
        vary = {part.strip() for part in response.headers.get("Vary", "").split(",") if part.strip()}
        response.headers["Vary"] = ", ".join(sorted(vary | {"Accept-Encoding"}))
    if (
        request.method == "HEAD"
        or response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or response.mimetype in _COMPRESSED
    ):
        return response
    if (response.content_length or 0) < MIN_BYTES or not _accepts_gzip():
        return response
    body = response.get_data()
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag = response.headers.get("ETag")
    if etag and not etag.startswith("W/"):
        response.headers["ETag"] = "W/" + etag
    return response
