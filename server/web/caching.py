"""HTTP caching for every answer: an ETag from the data's and the software's version and the request.

A server answers from one build for its whole life, so every page is a function of the build's
version, the software's version and the request's URL and format; that is the entity tag.
"""

from __future__ import annotations

import hashlib

from flask import Response, request

from server import __version__
from server.web.runtime import runtime


def etag_for(*parts: str) -> str:
    """A strong entity tag over the dataset version, the software version and the given parts.

    Each part is hashed with its length in front, so no choice of texts can make two different lists of
    parts hash alike (a separator byte could: a query may contain any character, NUL included).
    """
    return etag_of(runtime().build.version, *parts)


def etag_of(version: str, *parts: str) -> str:
    """The entity tag of `etag_for` for a given dataset version, where no Flask request is at hand."""
    return '"' + key_digest(version, __version__, *parts) + '"'


def key_digest(*parts: str) -> str:
    """A digest of an unambiguous, length-prefixed encoding of the parts."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:32]


def cache_headers(etag: str, ttl: int | None = None) -> dict[str, str]:
    """ETag plus Cache-Control from the cache_ttl_s setting (of the current app unless `ttl` is given)."""
    headers = {"ETag": etag}
    if ttl is None:
        ttl = runtime().settings.cache_ttl_s
    if ttl > 0:
        headers["Cache-Control"] = f"public, max-age={ttl}"
    return headers


def not_modified(etag: str, headers: dict[str, str]) -> Response | None:
    """A 304 when the client already holds this version, else None."""
    if request.if_none_match.contains_weak(etag.strip('"')):  # ETags holds values without their quotes
        return Response(status=304, headers=headers)
    return None


def query_etag(
    version: str,
    media_type: str,
    base: str,
    query: str,
    default_graphs: tuple[str, ...],
    named_graphs: tuple[str, ...],
) -> str:
    """The entity tag of a query's answer: data version, format, the base its relative IRIs resolve against,
    query text and protocol dataset. It is also the result cache's key, so it takes the build's version
    explicitly: it is computed where no Flask request is (the start-up's prepared answers, direct queries)."""
    graphs = (str(len(default_graphs)), *default_graphs, str(len(named_graphs)), *named_graphs)
    return etag_of(version, media_type, base, query, *graphs)
