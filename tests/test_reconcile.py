"""/reconcile: the W3C Reconciliation Service API 0.2, checked against the specification's own JSON schemas,
and the matcher behind it on names that must match, must be ambiguous, and must match nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from server.reconcile.matcher import Hints

from .support import assert_error, media_type

SCHEMAS = Path(__file__).parent / "reconciliation_schemas"
ORG = "https://w3id.org/govsocial/id/org/"


def _validator(name: str) -> Draft7Validator:
    """A validator for one of the specification's schemas, resolving their references among each other."""
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7)))
    registry = Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=registry)


def _valid(name: str, instance: object) -> None:
    errors = sorted(_validator(name).iter_errors(instance), key=str)
    assert not errors, [error.message for error in errors]


def reconcile(http, queries: dict, method: str = "post"):
    """A query batch as OpenRefine sends it (form POST), or as a GET."""
    if method == "post":
        return http.post("/reconcile", data={"queries": json.dumps(queries)})
    return http.get("/reconcile", params={"queries": json.dumps(queries)})


def test_manifest_is_valid_and_names_our_spaces(http) -> None:
    response = http.get("/reconcile")
    assert response.status_code == 200 and media_type(response) == "application/json"
    manifest = response.json()
    _valid("manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "https://w3id.org/govsocial/id/"
    assert manifest["view"]["url"].endswith("/id/{{id}}")


@pytest.mark.parametrize("method", ["post", "get"])
def test_query_batch_answers_in_the_result_schema(http, method: str) -> None:
    queries = {"q0": {"query": "Landeshauptstadt Dresden"}, "q1": {"query": "BMVg", "type": "Ministry", "limit": 2}}
    _valid("reconciliation-query-batch", queries)
    answer = reconcile(http, queries, method).json()
    _valid("reconciliation-result-batch", answer)
    assert answer["q0"]["result"][0] == answer["q0"]["result"][0] | {"id": "org/dresden", "match": True}
    assert answer["q1"]["result"][0]["id"] == "org/bmvg" and len(answer["q1"]["result"]) <= 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # right: forms, abbreviations, other word orders, a Land given as a property
        ({"query": "Stadt Zwickau"}, "org/zwickau"),
        ({"query": "Landkreis Zwickau"}, "org/landkreis-zwickau"),
        ({"query": "Verteidigungsministerium"}, "org/bmvg"),
        ({"query": "Landtag Niedersachsen"}, "org/niedersaechsischer-landtag"),
        ({"query": "Hagen", "properties": [{"pid": "land", "v": "Nordrhein-Westfalen"}]}, "org/hagen-05914000"),
        ({"query": "Robert Koch-Institut", "type": "Agency"}, "org/robert-koch-institut"),
        ({"query": "Dresden", "properties": [{"pid": "wikidata", "v": "Q1731"}]}, "org/dresden"),
    ],
)
def test_names_that_must_match(http, query: dict, expected: str) -> None:
    result = reconcile(http, {"q": query}).json()["q"]["result"]
    assert result[0]["id"] == expected and result[0]["match"] is True
    assert all(candidate["match"] is False for candidate in result[1:])


@pytest.mark.parametrize(
    ("name", "both"),
    [
        ("Zwickau", {"org/zwickau", "org/landkreis-zwickau"}),  # the city and the district
        ("Hagen", {"org/hagen-01060031", "org/hagen-05914000"}),  # two Gemeinden in two Länder
    ],
)
def test_ambiguous_names_are_listed_and_never_matched(http, name: str, both: set[str]) -> None:
    result = reconcile(http, {"q": {"query": name}}).json()["q"]["result"]
    assert both <= {candidate["id"] for candidate in result}
    assert not any(candidate["match"] for candidate in result)


@pytest.mark.parametrize("name", ["Deutsche Bahn", "Bundesministerium für Zeitreisen", "Stadtwerke Atlantis", "xyz"])
def test_names_that_must_match_nothing(http, name: str) -> None:
    result = reconcile(http, {"q": {"query": name}}).json()["q"]["result"]
    assert not any(candidate["match"] for candidate in result)
    assert all(candidate["score"] < 90 for candidate in result)


def test_a_type_that_does_not_fit_lowers_the_score_and_says_why(http) -> None:
    result = reconcile(http, {"q": {"query": "Polizei Sachsen", "type": "Ministry"}}).json()["q"]["result"]
    assert result == [] or (result[0]["match"] is False and "not a Ministry" in result[0]["description"])


def test_preview_and_suggest(http) -> None:
    preview = http.get("/reconcile/preview?id=org/dresden")
    assert preview.status_code == 200 and "Dresden" in preview.text
    assert "Q1731" in preview.text
    suggest = http.get("/reconcile/suggest/entity", params={"prefix": "Bundesministerium der Verteidigung"})
    _valid("suggest-entities-response", suggest.json())
    assert suggest.json()["result"][0]["id"] == "org/bmvg"


def test_jsonp_callback_is_an_identifier_only(http) -> None:
    good = http.get("/reconcile", params={"callback": "jsonp_1"})
    assert good.status_code == 200 and good.text.startswith("/**/jsonp_1(")
    assert media_type(good) == "application/javascript"
    assert_error(http.get("/reconcile", params={"callback": "alert(1)//"}), 400, "bad_parameter")


@pytest.mark.parametrize(
    "queries",
    [
        "not json",
        "[]",
        "{}",
        json.dumps({"q": {"query": ""}}),
        json.dumps({"q": {"query": "x" * 501}}),
        json.dumps({"q": {"query": "Dresden", "limit": 0}}),
        json.dumps({"q": {"query": "Dresden", "type": "Spaceship"}}),
        json.dumps({"q": {"query": "Dresden", "properties": [{"pid": "colour", "v": "blue"}]}}),
        json.dumps({"q": {"query": "Dresden", "properties": [{"pid": "land", "v": "Atlantis"}]}}),
        json.dumps({f"q{n}": {"query": "Dresden"} for n in range(51)}),
    ],
)
def test_bad_queries_are_a_400_that_says_what_is_wrong(http, queries: str) -> None:
    response = http.post("/reconcile", data={"queries": queries})
    assert_error(response, 400, "bad_parameter")


def test_unknown_preview_id_is_a_404(http) -> None:
    assert_error(http.get("/reconcile/preview?id=org/no-such-body"), 404, "not_found")


def test_the_matcher_explains_each_candidate(app) -> None:
    """Scores come with reasons a curator can check: the form, the type, the Land."""
    with app.test_request_context("/reconcile"):
        from server.web.reconcile import matcher

        outcome = matcher().reconcile("Stadt Zwickau", Hints(kind="Municipality"))
    assert outcome.status == "matched" and outcome.match.iri == ORG + "zwickau"
    assert "same name" in outcome.candidates[0].reasons and "is a Municipality" in outcome.candidates[0].reasons
