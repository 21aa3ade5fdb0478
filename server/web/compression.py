"""gzip for answers a client accepts compressed: a SPARQL result or a dump of thousands of rows shrinks tenfold.

Only bodies held whole (our answers are), of 1 KiB or more, in a type that compresses (not already gzip),
when `Accept-Encoding` allows gzip. The representation's ETag becomes weak (W/"…"): the compressed and the
plain bytes are one representation in content, which weak comparison (If-None-Match) treats as equal, and
`Vary: Accept-Encoding` tells caches the encoding depends on the request.

The rule is `encode`, over plain values, so the Flask hook and the direct path of `/sparql`
(server.web.direct_queries) apply the same one.
"""

from __future__ import annotations

import gzip
from collections.abc import MutableMapping
from dataclasses import dataclass

from flask import Flask, Response, request
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

MIN_BYTES = 1024
#: Types whose bodies are already compressed.
_COMPRESSED = ("application/gzip", "image/png", "image/jpeg", "font/woff2")


@dataclass(frozen=True)
class Encoded:
    """What `encode` decided for one answer: its Vary header, and its gzip body and weak ETag if compressed."""

    vary: str | None
    body: bytes | None  # None: the body stays as it was
    etag: str | None = None

    def apply_to(self, headers: MutableMapping[str, str]) -> None:
        """Set the headers the decision changes (the body is the caller's to replace)."""
        if self.vary is not None:
            headers["Vary"] = self.vary
        if self.body is not None:
            headers["Content-Encoding"] = "gzip"
            if self.etag:
                headers["ETag"] = self.etag


def register_compression(app: Flask) -> None:
    app.after_request(_compress)


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header admits gzip."""
    return bool(header) and parse_accept_header(header, Accept).quality("gzip") > 0


def encode(
    status: int,
    mimetype: str | None,
    vary: str | None,
    etag: str | None,
    body: bytes | None,
    *,
    head: bool,
    accept_encoding: str | None,
) -> Encoded:
    """The compression rule for one answer; `body` None stands for a body this rule must not touch (streamed)."""
    if status in (200, 304) and mimetype not in _COMPRESSED:  # a 304 names it too
        parts = {part.strip() for part in (vary or "").split(",") if part.strip()}
        vary = ", ".join(sorted(parts | {"Accept-Encoding"}))
    if head or status != 200 or body is None or mimetype in _COMPRESSED:
        return Encoded(vary, None)
    if len(body) < MIN_BYTES or not accepts_gzip(accept_encoding):
        return Encoded(vary, None)
    weak = "W/" + etag if etag and not etag.startswith("W/") else etag
    return Encoded(vary, gzip.compress(body, compresslevel=6, mtime=0), weak)


def _compress(response: Response) -> Response:
    untouchable = response.direct_passthrough or response.is_streamed or "Content-Encoding" in response.headers
    body = None if untouchable else response.get_data()  # a body held whole: reading it copies nothing
    decided = encode(
        response.status_code,
        response.mimetype,
        response.headers.get("Vary"),
        response.headers.get("ETag"),
        body,
        head=request.method == "HEAD",
        accept_encoding=request.headers.get("Accept-Encoding"),
    )
    decided.apply_to(response.headers)
    if decided.body is not None:
        response.set_data(decided.body)
    return response
