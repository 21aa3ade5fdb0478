"""The endpoint's errors: each knows its HTTP status and a stable type, rendered in one shape.

JSON clients get ``{"ok": false, "error": "...", "status": 400, "type": "malformed_query"}``;
browsers get the same words as a small HTML page (templates/error.html). Both carry the CORS headers, so
a browser tool elsewhere can read why its request failed. This module is the one place where failures
become HTTP: the error classes, the handlers an app registers, and `from_failure` for the engine's failures.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, render_template, request
from werkzeug.exceptions import HTTPException

from server.engine.failures import Failure, QueryFailure
from server.settings import Settings
from server.web.negotiation import prefers_html

log = logging.getLogger("govsocial")


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


class TooManyRequests(ApiError):
    """One client has as many queries running or waiting as it may; it should retry after the given time."""

    status = 429
    type = "too_many_requests"

    def __init__(self, message: str, retry_after: int, **details: Any):
        super().__init__(message, retry_after_s=retry_after, **details)
        self.headers["Retry-After"] = str(retry_after)


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


class EngineFailed(ApiError):
    """The remote query engine answered with an error, or with an answer that is cut or not whole."""

    status = 502
    type = "engine_failed"


class LimitReached(ApiError):
    """A hard limit of the server stopped the query; `limit` names the setting."""

    status = 503
    type = "limit_reached"


class Unavailable(ApiError):
    status = 503
    type = "unavailable"


class InternalError(ApiError):
    """Something failed that no client caused; logged with its traceback, answered without it."""

    status = 500
    type = "internal_error"


def error_response(error: ApiError, html: bool) -> Response:
    """One rendering for every error, JSON for programs and a page for people."""
    if html:
        page = render_template("error.html", error=error)
        response = Response(page, status=error.status, mimetype="text/html")
    else:
        response = Response(json.dumps(error.body()), status=error.status, mimetype="application/json")
    response.headers.update(error.headers)
    return response


def from_failure(failure: QueryFailure, settings: Settings) -> ApiError:
    """The one mapping of a query's failure to what the client is told.

    `/sparql` and the pages both use it, so a limit reads the same wherever it is reached.
    """
    kind, message = failure.kind, failure.message
    if kind is Failure.SYNTAX:
        return MalformedQuery(f"malformed query: {message}")
    if kind is Failure.TOO_LARGE:
        return ResultTooLarge(
            f"{message}; narrow the query (LIMIT, fewer variables)",
            limit="max_result_bytes",
            max_result_bytes=settings.max_result_bytes,
        )
    if kind is Failure.TIMEOUT:
        return LimitReached(message, limit="query_timeout_s", query_timeout_s=settings.query_timeout_s)
    if kind is Failure.BUSY:
        return LimitReached(
            message,
            limit="workers",
            workers=settings.workers,
            worker_wait_s=settings.worker_wait_s,
            queue_length=settings.queue_length,
        )
    if kind is Failure.DIED:
        return LimitReached(message, limit="worker_memory_mb", worker_memory_mb=settings.worker_memory_mb)
    if kind in (Failure.UNREACHABLE, Failure.UNAVAILABLE):
        return Unavailable(message)
    if kind is Failure.ENGINE_FAILED:
        return EngineFailed(message)
    if kind is Failure.BLOCKED:
        return ServiceNotAllowed(
            "the query calls a SERVICE endpoint that the allowlist check could not verify; nothing was contacted. "
            f"Write SERVICE <endpoint> with an endpoint from the allowlist: {' '.join(settings.service_allowlist)}",
            endpoint=None,
        )
    if kind is Failure.REMOTE:
        return RemoteServiceFailed(f"a SERVICE call failed: {message}")
    return EngineError(f"the query could not be evaluated: {message}")


#: HTTP errors raised by Flask or werkzeug themselves, mapped to our error types.
_HTTP_ERRORS: dict[int, type[ApiError]] = {
    400: BadParameter,
    404: NotFound,
    413: QueryTooLarge,
    415: UnsupportedMediaType,
}


def register(app: Flask, allowed_methods: list[str]) -> None:
    """Answer every error of the app in the one shape: ours, werkzeug's, and anything unexpected."""

    def wants_html() -> bool:
        return prefers_html(request.headers.get("Accept"))

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return error_response(error, wants_html())

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        if code == 405:
            mapped: ApiError = MethodNotAllowed(
                f"{request.method} is not allowed here; use {', '.join(allowed_methods)}", allowed=allowed_methods
            )
        else:
            mapped = _HTTP_ERRORS.get(code, ApiError)(error.description or error.name)
            mapped.status = code
        return error_response(mapped, wants_html())

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(
            InternalError("the server failed to answer this request; the error has been logged"), wants_html()
        )
