"""`/sparql`: the SPARQL 1.1 Protocol query operation, read-only, with hard limits.

Request handling happens here in the web process and stays cheap: read the query from GET, a form or
a direct body; refuse updates and off-allowlist SERVICE calls lexically, before anything runs;
negotiate the format; then hand the query to a killable worker (workers.py). Without a query, GET
answers with the Service Description (or the query page for a browser).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Blueprint, Response, render_template, request
from pyoxigraph import NamedNode
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Request

from server.engine.failures import Failure, QueryFailure
from server.engine.isolation import NAMESPACE
from server.engine.jobs import Answer, QueryJob
from server.engine.querytext import QueryFacts, QueryTooDeep, inspect, refuse_nesting, unknown_prefixes
from server.rdf.formats import GRAPH_TYPES, as_config
from server.rdf.namespaces import PREFIXES
from server.settings import Settings
from server.web import errors
from server.web.caching import cache_headers, query_etag
from server.web.client_limits import ClientBusy
from server.web.negotiation import choose, known_format, offers, prefers_html
from server.web.public_address import public_base
from server.web.runtime import Runtime, runtime
from server.web.self_description import service_description

blueprint = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
ALLOWED_METHODS = ["GET", "POST", "OPTIONS"]


@dataclass(frozen=True)
class ProtocolRequest:
    """A query request as the protocol defines it, whichever way it arrived."""

    query: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]


def read_request(req: Request, settings: Settings) -> ProtocolRequest:
    """Read query and dataset from GET parameters, a form body or a direct body; refuse the rest."""
    if req.content_length is not None and req.content_length > settings.max_query_bytes * 3 + 4096:
        raise errors.QueryTooLarge(f"the request body exceeds the limit of {settings.max_query_bytes} bytes")
    _check_query_string(req.query_string)
    if "update" in req.args:  # an update in the URL is refused whatever the body says, as on GET
        raise errors.ReadOnly(_READ_ONLY)
    if req.method in ("GET", "HEAD"):
        params = req.args
    elif req.mimetype == FORM:
        try:
            form = req.form
        except BadRequest as error:
            raise errors.BadParameter(f"the form body cannot be read: {error.description}") from None
        if "update" in form:
            raise errors.ReadOnly(_READ_ONLY)
        params = form.copy()
        for key, values in req.args.lists():
            params.setlist(key, params.getlist(key) + values)
        if not params.getlist("query"):
            raise errors.BadParameter("a form POST needs a `query` parameter with the SPARQL query")
    elif req.mimetype == DIRECT:
        params = req.args
        if "query" in params:
            raise errors.BadParameter("a direct POST carries the query in its body; do not also pass `query=`")
        charset = req.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):  # the protocol's body is UTF-8; another one would be misread
            raise errors.UnsupportedMediaType(
                f"a direct POST's query must be UTF-8 (the SPARQL 1.1 Protocol, 2.1.3); got charset={charset}",
                accepted=[f"{DIRECT}; charset=utf-8"],
            )
        try:
            body = req.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError:
            raise errors.BadParameter("the query body is not valid UTF-8") from None
        return _checked(ProtocolRequest(body, *_dataset(params)), settings.max_query_bytes)
    elif req.mimetype == UPDATE:
        raise errors.ReadOnly(_READ_ONLY)
    else:
        given = req.mimetype or "none"
        raise errors.UnsupportedMediaType(
            f"POST bodies must be {FORM} or {DIRECT}; got Content-Type {given}",
            accepted=[FORM, DIRECT],
        )
    queries = params.getlist("query")
    if len(queries) > 1:
        raise errors.BadParameter(f"exactly one `query` parameter is allowed; got {len(queries)}")
    return _checked(ProtocolRequest(queries[0] if queries else None, *_dataset(params)), settings.max_query_bytes)


def _check_query_string(raw: bytes) -> None:
    """Refuse a URL whose parameters are not UTF-8 once decoded (werkzeug would silently replace the bytes).

    A direct POST with the same bytes in its body is refused as well, so both ways agree.
    """
    for part in raw.split(b"&"):
        for piece in part.split(b"=", 1):
            try:
                unquote_to_bytes(piece.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                raise errors.BadParameter("the URL's parameters are not valid UTF-8 once percent-decoded") from None


_READ_ONLY = (
    "this endpoint is read-only: SPARQL Update is not accepted. The data changes only through data/ and a build."
)


def _dataset(params: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    graphs = []
    for name in ("default-graph-uri", "named-graph-uri"):
        iris = params.getlist(name)
        for iri in iris:
            try:
                NamedNode(iri)
            except ValueError:
                raise errors.BadParameter(f"{name} must be an absolute IRI; got {iri!r}") from None
            if not urlsplit(iri).scheme:
                raise errors.BadParameter(f"{name} must be an absolute IRI; got {iri!r}")
        graphs.append(tuple(dict.fromkeys(iris)))  # the merge of a graph with itself is that graph
    return graphs[0], graphs[1]


def _checked(protocol: ProtocolRequest, limit: int) -> ProtocolRequest:
    if protocol.query is not None and protocol.query.startswith("\ufeff"):  # a file saved with a byte-order mark
        protocol = ProtocolRequest(protocol.query[1:], protocol.default_graphs, protocol.named_graphs)
    if protocol.query is not None:
        size = len(protocol.query.encode("utf-8"))
        if size > limit:
            raise errors.QueryTooLarge(f"the query has {size} bytes; the limit is {limit}", limit=limit)
        if not protocol.query.strip():
            raise errors.MalformedQuery("the query is empty")
    return protocol


def check_nesting_or_refuse(facts: QueryFacts) -> None:
    """400 for brackets nested deeper than the engine's parser can take (it would crash its worker)."""
    try:
        refuse_nesting(facts.nesting)
    except QueryTooDeep as error:
        raise errors.MalformedQuery(str(error)) from None


def same_endpoint(a: str, b: str) -> bool:
    """Whether two endpoint IRIs name the same endpoint: scheme, host, port, path and query, exactly."""
    try:
        one, two = urlsplit(a), urlsplit(b)
        return _endpoint_key(one) == _endpoint_key(two)
    except ValueError:
        return False


def _endpoint_key(parts: Any) -> tuple[str, str | None, str | None, str, int | None, str, str]:
    default_port = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return (
        parts.scheme.lower(),
        parts.username,
        parts.password,
        (parts.hostname or "").lower(),
        parts.port or default_port,
        parts.path or "/",
        parts.query,
    )


def check_services(services: tuple[str | None, ...], allowlist: tuple[str, ...]) -> None:
    """Refuse a query whose SERVICE endpoints are not all on the allowlist, naming the first offender."""
    for endpoint in services:
        if endpoint is None:
            raise errors.ServiceNotAllowed(
                "SERVICE needs a constant endpoint IRI from the allowlist; a variable or unresolved endpoint "
                f"is not allowed. Allowed: {' '.join(allowlist) or '(none)'}",
                endpoint=None,
            )
        if not any(same_endpoint(endpoint, allowed) for allowed in allowlist):
            raise errors.ServiceNotAllowed(
                f"SERVICE <{endpoint}> is not on this endpoint's allowlist. Allowed: {' '.join(allowlist) or '(none)'}",
                endpoint=endpoint,
            )


def check_service_text(facts: QueryFacts, isolation: str, allowlist: tuple[str, ...]) -> str:
    """The lane a query runs in, or 403 for SERVICE written where the lexer could not check it.

    A query without a checked SERVICE call runs where the network is out of reach (in the namespace mode);
    one with calls, all on the allowlist, runs with network, so it must not mention SERVICE anywhere else
    (a string, a comment, a glued or escaped form): the lexer and the engine could read such a mention
    differently. Without isolation every query is held to that rule: the check fails closed.
    """
    lane = "service" if facts.services else "query"
    if facts.unexplained_mentions and (lane == "service" or isolation != NAMESPACE):
        raise errors.ServiceNotAllowed(
            "the query writes SERVICE somewhere that is not a SERVICE call to a checked endpoint (in a string, "
            "or glued to another word); this endpoint refuses that, since it cannot check such a call. "
            f"Remove the extra mention. Allowed endpoints: {' '.join(allowlist) or '(none)'}",
            endpoint=None,
        )
    return lane


def client_address(req: Request) -> str:
    """The client's address: the peer's, or X-Forwarded-For as written by the trusted proxies (ProxyFix)."""
    return req.remote_addr or "unknown"


def run_limited(job: QueryJob) -> Answer:
    """Run a job for the current Flask request (the pages' queries): see `run_for`."""
    return run_for(job, runtime(), client_address(request))


def run_for(job: QueryJob, state: Runtime, client: str) -> Answer:
    """Run a job on the engine, within the client's share and the time limit; failures become ApiErrors."""
    settings = state.settings
    try:
        with state.clients.hold(client, job.lane):
            return state.engine.run(job, settings.query_timeout_s)
    except ClientBusy as busy:
        raise errors.TooManyRequests(str(busy), retry_after=RETRY_AFTER_S, client_queries=busy.limit) from None
    except QueryFailure as failure:
        raise errors.from_failure(_explained(failure, job.text), settings) from None


#: Seconds a client over its share is asked to wait: about the time a cheap query takes to finish.
RETRY_AFTER_S = 2


@dataclass(frozen=True)
class QueryPlan:
    """A checked query request, ready for the result cache or the engine: what to run and the answer's headers."""

    job: QueryJob
    etag: str
    headers: dict[str, str]  # Vary, ETag, Cache-Control: the same on a 200, a 304 and a cache hit
    not_modified: bool  # If-None-Match holds the answer's ETag (a GET is then answered 304)


@dataclass(frozen=True)
class Answered:
    """The body of a query's answer, from the result cache (`hit`) or from the engine."""

    media_type: str
    body: bytes
    hit: bool

    @property
    def cache_word(self) -> str:
        return "hit" if self.hit else "miss"


def plan_query(req: Request, state: Runtime) -> QueryPlan | None:
    """Every check of a query request, in order, without running anything; None when it carries no query.

    Both ways of answering `/sparql` (the Flask view below and server.web.direct_queries) call this one
    function, so there is one reading of a request and one set of refusals (raised as ApiError).
    """
    settings = state.settings
    protocol = read_request(req, settings)
    if protocol.query is None:
        return None
    facts = inspect(protocol.query, PREFIXES)
    if facts.is_update:
        raise errors.ReadOnly(_READ_ONLY)
    check_nesting_or_refuse(facts)
    if facts.pragmas:  # never forwarded: an engine behind us would obey what this endpoint does not offer
        raise errors.MalformedQuery(
            f"malformed query: `{facts.pragmas[0]}` is a vendor pragma, not SPARQL 1.1; this endpoint answers "
            "standard SPARQL only. Remove it"
        )
    check_services(facts.services, settings.service_allowlist)
    lane = check_service_text(facts, state.isolation, settings.service_allowlist)
    offered = offers(facts.is_graph_query)
    format_word = req.values.get("format")
    if format_word and not known_format(format_word):
        raise errors.NotAcceptable(
            f"format={format_word!r} names no format of this endpoint; available: {', '.join(offered)}",
            available=offered,
        )
    media_type = choose(offered, req.headers.get("Accept"), format_word)
    if media_type is None:
        raise errors.NotAcceptable(
            f"none of the types in Accept can carry this result; available: {', '.join(offered)}", available=offered
        )
    # the answer depends on the data's version, the query, the dataset, the format and the base: relative IRIs
    # resolve against it
    base = public_base(settings, req.headers)
    etag = query_etag(
        state.build.version, media_type, base, protocol.query, protocol.default_graphs, protocol.named_graphs
    )
    headers = {"Vary": "Accept", **cache_headers(etag, settings.cache_ttl_s)}
    not_modified = req.if_none_match.contains_weak(etag.strip('"'))  # weak comparison (RFC 9110 13.1.2)
    if not_modified and req.method not in ("GET", "HEAD"):
        raise errors.PreconditionFailed("If-None-Match matches the current answer; a POST cannot be answered 304")
    job = QueryJob(
        protocol.query,
        media_type,
        settings.max_result_bytes,
        protocol.default_graphs,
        protocol.named_graphs,
        declares_dataset=facts.declares_dataset,
        calls_service=bool(facts.services),
        lane=lane,
        base_iri=base + "sparql",  # <s> in a query without BASE is an IRI of this endpoint
    )
    return QueryPlan(job, etag, headers, not_modified)


def answer_plan(plan: QueryPlan, state: Runtime, client: str) -> Answered:
    """The answer of a checked query: from the result cache, else from the engine (then kept in the cache)."""
    cached = state.results.get(plan.etag)
    if cached is not None:
        return Answered(cached[0], cached[1], hit=True)
    answer = run_for(plan.job, state, client)
    state.results.put(plan.etag, answer.media_type, answer.body)
    return Answered(answer.media_type, answer.body, hit=False)


@blueprint.route("/sparql", methods=ALLOWED_METHODS, strict_slashes=False)
def sparql() -> Response:
    """Answer a SPARQL query (GET or POST), or describe the service when no query is given."""
    if request.method == "OPTIONS":  # a CORS preflight; the CORS headers are added to every response
        return Response(status=204, headers={"Allow": ", ".join(ALLOWED_METHODS)})
    state = runtime()
    plan = plan_query(request, state)
    if plan is None:
        return describe_service()
    if plan.not_modified:
        return Response(status=304, headers=plan.headers)
    answered = answer_plan(plan, state, client_address(request))
    headers = {**plan.headers, "X-Cache": answered.cache_word}
    return Response(answered.body, content_type=content_type(answered.media_type), headers=headers)


def _explained(failure: QueryFailure, query: str) -> QueryFailure:
    """The engine's refusal of an unknown prefix, said in words: which prefix, and which ones we declare.

    The engine says "Prefix not found" only where a prefixed name is the one thing its grammar allows; elsewhere
    (`STR(foo:)`) it lists what it expected instead. A prefix that is neither declared nor ours is an error
    wherever it stands, so it is named whenever the query has one.
    """
    if failure.kind is not Failure.SYNTAX:
        return failure
    unknown = unknown_prefixes(query, PREFIXES)
    if not unknown and "Prefix not found" not in failure.message:
        return failure
    position = re.match(r"error at \d+:\d+", failure.message)
    where = position.group() if position else ""
    names = ", ".join(f"{name}:" for name in unknown) or "a prefix"
    return QueryFailure(
        Failure.SYNTAX,
        f"{where + ': ' if where else ''}unknown prefix {names}; declare it (PREFIX {unknown[0] if unknown else 'x'}: "
        f"<…>) or use one this endpoint declares: {', '.join(sorted(PREFIXES))}",
    )


def content_type(media_type: str) -> str:
    """The Content-Type of an answer in this media type: text types say their charset."""
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def describe_service() -> Response:
    """The Service Description as RDF, or the query page for a browser."""
    state = runtime()
    accept = request.headers.get("Accept")
    if prefers_html(accept):
        page = render_template("query.html", examples=state.examples, formats=as_config())
        return Response(page, mimetype="text/html")
    media_type = choose(offers(True), accept, request.args.get("format"))
    if media_type is None:
        raise errors.NotAcceptable(
            f"the service description is RDF; available: {', '.join(offers(True))}", available=offers(True)
        )
    base = public_base(state.settings)
    graph = service_description(base + "sparql", state.build, base + ".well-known/void")
    return Response(graph.serialize(GRAPH_TYPES[media_type]), mimetype=media_type, headers={"Vary": "Accept"})
