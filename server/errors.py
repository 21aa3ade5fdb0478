"""The endpoint's errors: each knows its HTTP status and a stable type, rendered in one shape.

JSON clients get ``{"ok": false, "error": "...", "status": 400, "type": "malformed_query"}``;
browsers get the same words as a small HTML page. Both carry the CORS headers, so a browser tool
elsewhere can read why its request failed.
"""

from __future__ import annotations

from html import escape
from typing import Any

from flask import Response, json


class ApiError(Exception):
    """An error a client caused or should know about; never a stack trace."""

    status = 400
    type = "bad_request"

    def __init__(self, message: str, **details: Any):
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers: dict[str, str] = {}

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.message, "status": self.status, "type": self.type, **self.details}


class MalformedQuery(ApiError):
    type = "malformed_query"


class BadParameter(ApiError):
    type = "bad_parameter"


class ReadOnly(ApiError):
    status = 403
    type = "read_only"


class ServiceNotAllowed(ApiError):
    status = 403
    type = "service_not_allowed"


class NotFound(ApiError):
    status = 404
    type = "not_found"


class MethodNotAllowed(ApiError):
    status = 405
    type = "method_not_allowed"

    def __init__(self, message: str, allowed: list[str]):
        super().__init__(message, allowed=allowed)
        self.headers["Allow"] = ", ".join(allowed)


class NotAcceptable(ApiError):
    status = 406
    type = "not_acceptable"


class PreconditionFailed(ApiError):
    status = 412
    type = "precondition_failed"


class QueryTooLarge(ApiError):
    status = 413
    type = "query_too_large"


class UnsupportedMediaType(ApiError):
    status = 415
    type = "unsupported_media_type"


class ResultTooLarge(ApiError):
    """The answer would exceed the result size limit: the client should narrow the query (LIMIT)."""

    status = 422
    type = "result_too_large"


class EngineError(ApiError):
    """The engine refused to evaluate a well-formed query."""

    type = "query_failed"


class RemoteServiceFailed(ApiError):
    status = 502
    type = "service_failed"


class LimitReached(ApiError):
    """A hard limit of the server stopped the query; `limit` names the setting."""

    status = 503
    type = "limit_reached"


class Unavailable(ApiError):
    status = 503
    type = "unavailable"


def error_response(error: ApiError, html: bool) -> Response:
    """One rendering for every error, JSON for programs and a page for people."""
    if html:
        page = (
            "<!doctype html><html lang=en><meta charset=utf-8>"
            f"<title>{error.status} {escape(error.type)}</title>"
            '<body style="font-family:sans-serif;max-width:50rem;margin:2rem auto">'
            f"<h1>{error.status}: {escape(error.type.replace('_', ' '))}</h1>"
            f"<pre style='white-space:pre-wrap'>{escape(error.message)}</pre>"
            '<p><a href="/sparql">Query page</a> · <a href="/">Home</a></p></body></html>'
        )
        response = Response(page, status=error.status, mimetype="text/html")
    else:
        response = Response(json.dumps(error.body()), status=error.status, mimetype="application/json")
    response.headers.update(error.headers)
    return response
