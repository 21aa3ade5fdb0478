"""`/sparql` queries answered below Flask: the thinnest requests (a by-IRI lookup) cost what the engine costs.

Flask's request and application contexts, its routing, its response object and its after-request hooks cost
more per request than the HTTP server and the engine together on a lookup. A GET with a query string, or a
form or direct POST, to `/sparql` is therefore read here, as the WSGI application below Flask, by the same
functions the Flask view calls (`server.web.sparql.plan_query`, `answer_plan`), on the request class Flask
itself uses, with the app's body limits: there is one reading of a request, not two.

Only answers are written here: a 200 (from the result cache or the engine) and a 304, each finished by the
same header tables and compression rule as every other answer (security headers, CORS, gzip). Whatever else
can happen is Flask's: a request without a query, HEAD and OPTIONS go to Flask untouched, and every refusal
(an ApiError, a werkzeug HTTP error, an unexpected exception) is handed to Flask as the request's error, so the
one failure-to-HTTP mapping (server.web.errors) renders it with every hook applied. Nothing has run on the
engine when a check refuses, and an error of the engine is rendered the same way, so no request is run twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, request
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from server.web.compression import encode
from server.web.cors import CORS_HEADERS
from server.web.runtime import runtime_of
from server.web.security_headers import SECURITY_HEADERS
from server.web.sparql import DIRECT, FORM, answer_plan, client_address, content_type, plan_query

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: The environ key under which a refusal found here travels to Flask, which raises it before its view runs.
ERROR_KEY = "govsocial.direct_error"

_PATH = "/sparql"


def _status_line(status: int) -> str:
    """The status as werkzeug words it for Flask's answers (`304 NOT MODIFIED`)."""
    return f"{status} {HTTP_STATUS_CODES[status].upper()}"


class DirectQueries:
    """The WSGI application in front of Flask's own: answers `/sparql` queries, hands everything else on."""

    def __init__(self, app: Flask, inner: WSGIApp):
        self.app = app
        self.inner = inner  # Flask's wsgi_app
        self.state = runtime_of(app)
        app.before_request(_raise_handed_error)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not _is_query_request(environ):
            return self.inner(environ, start_response)
        req = self.app.request_class(environ)
        req.max_content_length = self.app.config["MAX_CONTENT_LENGTH"]  # as Flask's request reads it from config
        req.max_form_memory_size = self.app.config["MAX_FORM_MEMORY_SIZE"]
        req.max_form_parts = self.app.config["MAX_FORM_PARTS"]
        state = self.state
        try:
            plan = plan_query(req, state)
            if plan is None:  # a GET without `query`: the Service Description, Flask's; nothing of the body is read
                return self.inner(environ, start_response)
            if plan.not_modified:
                return self._finish(start_response, req, 304, plan.headers, b"", None)
            answered = answer_plan(plan, state, client_address(req))
        except Exception as error:
            environ[ERROR_KEY] = error
            return self.inner(environ, start_response)
        headers = {**plan.headers, "X-Cache": answered.cache_word}
        return self._finish(start_response, req, 200, headers, answered.body, answered.media_type)

    def _finish(
        self,
        start_response: Callable[..., Any],
        req: Request,
        status: int,
        headers: dict[str, str],
        body: bytes,
        media_type: str | None,
    ) -> Iterable[bytes]:
        """Write the answer with the headers every answer of the app gets (see the hooks in server.web.app)."""
        decided = encode(
            status,
            media_type,
            headers.get("Vary"),
            headers.get("ETag"),
            body if status == 200 else None,
            head=False,
            accept_encoding=req.headers.get("Accept-Encoding"),
        )
        decided.apply_to(headers)
        if decided.body is not None:
            body = decided.body
        listed = [("Content-Type", content_type(media_type))] if media_type else []
        if status == 200:
            listed.append(("Content-Length", str(len(body))))
        listed += headers.items()
        listed += SECURITY_HEADERS.items()
        if self.state.settings.cors:
            listed += CORS_HEADERS.items()
        start_response(_status_line(status), listed)
        return [body] if status == 200 else []


def _is_query_request(environ: dict[str, Any]) -> bool:
    """A request that may carry a query to `/sparql`: GET with a query string, or a form or direct POST."""
    if environ.get("PATH_INFO") != _PATH:
        return False
    method = environ.get("REQUEST_METHOD")
    if method == "GET":
        return bool(environ.get("QUERY_STRING"))
    if method == "POST":
        mimetype = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        return mimetype in (FORM, DIRECT)
    return False


def _raise_handed_error() -> None:
    """Flask's side: a refusal found by DirectQueries is raised here, so Flask's error handlers render it."""
    error = request.environ.pop(ERROR_KEY, None)
    if error is not None:
        raise error
