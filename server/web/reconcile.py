"""`/reconcile`: the W3C Reconciliation Service API (version 0.2), so OpenRefine can match a spreadsheet to us.

GET /reconcile without queries gives the service manifest; `queries` (a JSON object of named queries, by GET
or form POST) gives candidates per query, best first, from the same matcher as `govsocial curate`:
`match` is true only for an unambiguous match. Properties `land` (a Land's name or our IRI) and `wikidata` (a
QID) narrow a query. `/reconcile/preview?id=…` is a small card, `/reconcile/suggest/entity?prefix=…` completes
names. Identifiers are our IRIs relative to the identifier space (`org/dresden`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from server.rdf.namespaces import GS, GSID
from server.reconcile.candidates import Candidate, load_candidates
from server.reconcile.matcher import FEDERAL, Hints, Matcher
from server.web.errors import BadParameter, NotFound
from server.web.pages.queries import build_queries
from server.web.public_address import public_base
from server.web.runtime import runtime

blueprint = Blueprint("reconcile", __name__)

VERSIONS = ["0.2"]
MAX_QUERIES = 50
MAX_QUERY_CHARS = 500
DEFAULT_LIMIT = 3
MAX_LIMIT = 25
#: The types a query may name (ids relative to the schema space, gs:), with their English names.
TYPES = {
    "PublicInstitution": "public institution",
    "Ministry": "ministry",
    "Government": "government",
    "StateChancellery": "state chancellery",
    "Parliament": "parliament",
    "Agency": "agency",
    "Police": "police",
    "Court": "court",
    "DataProtectionAuthority": "data-protection authority",
    "HigherEducationInstitution": "higher education institution",
    "Municipality": "municipality",
    "District": "district",
    "FederalState": "Land (federal state)",
    "Country": "country",
    "Military": "armed forces",
    "OrganisationalUnit": "organisational unit",
}
_CALLBACK = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$.]{0,63}$")


def matcher() -> Matcher:
    """The matcher over this build's institutions, made on first use and kept (the build does not change)."""
    memo = runtime().pages
    if memo.matcher is None:
        queries = build_queries()

        def select(text: str) -> list[dict[str, str]]:
            return [{name: term.value for name, term in row.items()} for row in queries.select(text)]

        memo.matcher = Matcher(load_candidates(select))
    return memo.matcher


@blueprint.route("/reconcile", methods=["GET", "POST"])
def service() -> Response:
    raw = request.values.get("queries")
    if raw is None and "query" in request.values:
        raw = json.dumps({"q0": _single(request.values["query"])})
    if raw is None:
        return _answer(manifest())
    return _answer({key: {"result": _candidates(query)} for key, query in _parse(raw).items()})


@blueprint.get("/reconcile/preview")
def preview() -> Response:
    candidate = _candidate(request.args.get("id", ""))
    html = render_template("reconcile_preview.html", candidate=candidate, iri=candidate.iri, types=_types(candidate))
    return Response(html, mimetype="text/html")


@blueprint.get("/reconcile/suggest/entity")
def suggest() -> Response:
    prefix = request.args.get("prefix", "").strip()
    if not prefix or len(prefix) > MAX_QUERY_CHARS:
        raise BadParameter(f"prefix must be 1 to {MAX_QUERY_CHARS} characters")
    outcome = matcher().reconcile(prefix, Hints(), limit=10)
    result = [
        {"id": _id(s.candidate), "name": s.candidate.name, "description": _description(s.candidate)}
        for s in outcome.candidates
    ]
    return _answer({"result": result})


def manifest() -> dict[str, Any]:
    base = public_base(runtime().settings).rstrip("/")
    return {
        "versions": VERSIONS,
        "name": "GovSocial KG: German public institutions",
        "identifierSpace": GSID,
        "schemaSpace": GS,
        "defaultTypes": [{"id": "PublicInstitution", "name": TYPES["PublicInstitution"]}],
        "view": {"url": base + "/id/{{id}}"},
        "preview": {"url": base + "/reconcile/preview?id={{id}}", "width": 420, "height": 140},
        "suggest": {"entity": {"service_url": base, "service_path": "/reconcile/suggest/entity"}},
    }


# -- queries -------------------------------------------------------------------------------------------------


def _single(text: str) -> dict[str, Any] | str:
    try:
        value = json.loads(text)
    except ValueError:
        return {"query": text}
    return value if isinstance(value, dict) else {"query": text}


def _parse(raw: str) -> dict[str, dict[str, Any]]:
    try:
        queries = json.loads(raw)
    except ValueError as error:
        raise BadParameter(f"queries is not JSON ({error.args[0]})") from error
    if not isinstance(queries, dict) or not queries:
        raise BadParameter('queries must be a JSON object of named queries, e.g. {"q0": {"query": "Dresden"}}')
    if len(queries) > MAX_QUERIES:
        raise BadParameter(f"{len(queries)} queries: send at most {MAX_QUERIES} per request")
    for key, query in queries.items():
        if not isinstance(query, dict) or not isinstance(query.get("query"), str) or not query["query"].strip():
            raise BadParameter(f"query {key!r} needs a non-empty string 'query'")
        if len(query["query"]) > MAX_QUERY_CHARS:
            raise BadParameter(f"query {key!r} is longer than {MAX_QUERY_CHARS} characters")
        limit = query.get("limit", DEFAULT_LIMIT)
        if isinstance(limit, float) and limit.is_integer():
            limit = query["limit"] = int(limit)  # the schema says "number": 3.0 is 3
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
            raise BadParameter(f"query {key!r}: limit must be an integer from 1 to {MAX_LIMIT}")
        kind = query.get("type")
        if kind is not None and not isinstance(kind, str | list):
            raise BadParameter(f"query {key!r}: type must be a type id or a list of them")
        properties = query.get("properties", [])
        if not isinstance(properties, list) or not all(isinstance(p, dict) for p in properties):
            raise BadParameter(f"query {key!r}: properties must be a list of {{'pid': …, 'v': …}} objects")
    return queries


def _candidates(query: dict[str, Any]) -> list[dict[str, Any]]:
    match = matcher()
    kind = _kind(query.get("type"))
    land, qid = None, None
    for prop in query.get("properties", []):
        pid, value = prop.get("pid"), prop.get("v")
        value = value[0] if isinstance(value, list) and value else value  # a list of values: the first decides
        value = value.get("id") if isinstance(value, dict) else value
        if not isinstance(value, str) or not value.strip():
            continue
        if pid == "land":
            land = _land(match, value.strip())
        elif pid == "wikidata":
            qid = value.strip()
        else:
            raise BadParameter(f"unknown property {pid!r}: use 'land' or 'wikidata'")
    name = qid or query["query"]
    outcome = match.reconcile(name, Hints(kind=kind, land=land), limit=query.get("limit", DEFAULT_LIMIT))
    return [
        {
            "id": _id(s.candidate),
            "name": s.candidate.name,
            "type": _types(s.candidate),
            "score": s.score,
            "match": s.match,
            "description": "; ".join(s.reasons),
        }
        for s in outcome.candidates
    ]


def _kind(value: Any) -> str | None:
    kinds = value if isinstance(value, list) else [value] if value else []
    for kind in kinds:
        kind = str(kind).removeprefix(GS).removeprefix("gs:")
        if kind not in TYPES:
            raise BadParameter(f"unknown type {kind!r}: use one of {', '.join(TYPES)}")
        if kind != "PublicInstitution":
            return kind
    return None


def _land(match: Matcher, value: str) -> str | None:
    if value.casefold() in {"bund", "deutschland", "federal"}:
        return FEDERAL
    outcome = match.reconcile(value, Hints(kind="FederalState"), limit=1)
    if outcome.match is None:
        raise BadParameter(f"land {value!r} is not a Land: give its German name (Sachsen) or 'Bund'")
    return outcome.match.iri


def _id(candidate: Candidate) -> str:
    return candidate.iri.removeprefix(GSID)


def _types(candidate: Candidate) -> list[dict[str, str]]:
    names = sorted(kind for kind in candidate.types if kind in TYPES) or ["PublicInstitution"]
    if "Organization" in candidate.types and not candidate.types & set(TYPES):
        return [{"id": "Organization", "name": "organisation (not a public institution)"}]
    return [{"id": kind, "name": TYPES[kind]} for kind in names]


def _description(candidate: Candidate) -> str:
    parts = [", ".join(t["name"] for t in _types(candidate))]
    if candidate.qids:
        parts.append("Wikidata " + ", ".join(sorted(candidate.qids)))
    return "; ".join(parts)


def _candidate(identifier: str) -> Candidate:
    found = matcher().candidates.get(GSID + identifier)
    if found is None:
        raise NotFound(f"no institution with id {identifier!r}")
    return found


def _answer(data: dict[str, Any]) -> Response:
    body = json.dumps(data, ensure_ascii=False)
    callback = request.values.get("callback")
    if callback is not None:
        if not _CALLBACK.match(callback):
            raise BadParameter("callback must be a JavaScript identifier")
        return Response(f"/**/{callback}({body});", mimetype="application/javascript")
    response = Response(body, mimetype="application/json")
    if current_app.config.get("RECONCILE_CORS", True):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response
