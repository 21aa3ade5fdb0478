"""The SPARQL 1.1 Protocol, to the letter: against the app in process (Flask's test client over the local
engine), and CORS against a real server on 127.0.0.1.

Every answer is parsed with a real parser (json, xml.etree, csv, pyoxigraph) and compared with what the
built store itself answers, so a test fails on a wrong body, not only on a wrong status. The tables of
media types are written out here, independently of server/rdf/formats.py, so a server that drops or
renames a format fails these tests instead of silently agreeing with itself.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pyoxigraph
import pytest
import rdflib
from pyoxigraph import QueryResultsFormat, RdfFormat, Store

import server

from .support import DATA_DIR, ONTOLOGY_DIR, Http, InProcess, Web, assert_error, media_type, send
from .support import health as support_health

GS = "https://w3id.org/govsocial/ontology#"
DRESDEN = "https://w3id.org/govsocial/id/org/dresden"
GRAPH_ONTOLOGY = "https://w3id.org/govsocial/graph/ontology"
GRAPH_CURATED = "https://w3id.org/govsocial/graph/curated"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SRX = "{http://www.w3.org/2005/sparql-results#}"

#: The three ways the protocol lets a query travel.
METHODS = ("GET", "POST form", "POST direct")

SELECT = (
    "PREFIX gs: <https://w3id.org/govsocial/ontology#>\n"
    "SELECT ?ags ?type WHERE { <https://w3id.org/govsocial/id/org/dresden> gs:ags ?ags ; a ?type }"
)
ASK_TRUE = 'ASK { <https://w3id.org/govsocial/id/org/dresden> <https://w3id.org/govsocial/ontology#ags> "14612000" }'
ASK_FALSE = 'ASK { <https://w3id.org/govsocial/id/org/dresden> <https://w3id.org/govsocial/ontology#ags> "0" }'
CONSTRUCT = "CONSTRUCT WHERE { <https://w3id.org/govsocial/id/org/dresden> ?p ?o }"
DESCRIBE = "DESCRIBE <https://w3id.org/govsocial/id/org/dresden>"
DEPARTURES = "SELECT (COUNT(*) AS ?n) WHERE { ?event a <https://w3id.org/govsocial/ontology#Departure> }"
GRAPHS_SEEN = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
DEFAULT_GRAPH_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


# --------------------------------------------------------------------------------------------------
# Sending and reading
# --------------------------------------------------------------------------------------------------


def _select_json(body: bytes) -> tuple[list[str], set[tuple[str, ...]]]:
    data = json.loads(body)
    names = data["head"]["vars"]
    return names, {tuple(row[name]["value"] for name in names) for row in data["results"]["bindings"]}


def _select_xml(body: bytes) -> tuple[list[str], set[tuple[str, ...]]]:
    root = ET.fromstring(body)
    names = [variable.get("name") for variable in root.iter(f"{SRX}variable")]
    rows = set()
    for result in root.iter(f"{SRX}result"):
        values = {binding.get("name"): next(iter(binding)).text for binding in result.iter(f"{SRX}binding")}
        rows.add(tuple(values[name] for name in names))
    return names, rows


def _select_csv(body: bytes) -> tuple[list[str], set[tuple[str, ...]]]:
    names, *rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    return names, {tuple(row) for row in rows}


def _select_tsv(body: bytes) -> tuple[list[str], set[tuple[str, ...]]]:
    solutions = pyoxigraph.parse_query_results(body, QueryResultsFormat.TSV)
    names = [variable.value for variable in solutions.variables]
    return names, {tuple(solution[name].value for name in names) for solution in solutions}


def _ask_json(body: bytes) -> bool:
    return json.loads(body)["boolean"]


def _ask_xml(body: bytes) -> bool:
    element = ET.fromstring(body).find(f"{SRX}boolean")
    assert element is not None
    return {"true": True, "false": False}[element.text]


def _ask_csv(body: bytes) -> bool:
    """An ASK answer in CSV: the one-column table `_askResult` (the formats define no boolean; Jena's shape)."""
    [[header], [value]] = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert header == "_askResult"
    return {"true": True, "false": False}[value]


def _ask_tsv(body: bytes) -> bool:
    [[header], [value]] = list(csv.reader(io.StringIO(body.decode("utf-8")), delimiter="\t"))
    assert header == "?_askResult"
    return {"true": True, "false": False}[value]


#: SELECT results: media type -> parser giving (variables, rows of plain values). The default first.
SELECT_PARSERS: dict[str, Callable[[bytes], tuple[list[str], set[tuple[str, ...]]]]] = {
    "application/sparql-results+json": _select_json,
    "application/sparql-results+xml": _select_xml,
    "text/csv": _select_csv,
    "text/tab-separated-values": _select_tsv,
}
#: ASK results: media type -> parser giving the boolean. The default first.
ASK_PARSERS: dict[str, Callable[[bytes], bool]] = {
    "application/sparql-results+json": _ask_json,
    "application/sparql-results+xml": _ask_xml,
    "text/csv": _ask_csv,
    "text/tab-separated-values": _ask_tsv,
}
#: CONSTRUCT and DESCRIBE results: media type -> pyoxigraph format. The default first.
GRAPH_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/trig": RdfFormat.TRIG,
}
#: The W3C's names for those formats, which a Service Description must use in sd:resultFormat.
W3C_FORMAT_IRIS = {
    "application/sparql-results+json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "application/sparql-results+xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "text/csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "text/tab-separated-values": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "application/rdf+xml": "http://www.w3.org/ns/formats/RDF_XML",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
    "application/n-quads": "http://www.w3.org/ns/formats/N-Quads",
    "application/trig": "http://www.w3.org/ns/formats/TriG",
}


def parse_graph(body: bytes, fmt: RdfFormat) -> set[str]:
    """The triples of an RDF answer in N-Triples form, whatever format (or default graph of a dataset)."""
    statements = set()
    for statement in pyoxigraph.parse(body, fmt):
        if isinstance(statement, pyoxigraph.Quad):
            assert statement.graph_name == pyoxigraph.DefaultGraph(), "a query answer has no named graphs"
        statements.add(f"{statement.subject} {statement.predicate} {statement.object}")
    return statements


def count(response: Any) -> int:
    """The single ?n of a COUNT query answered as SPARQL JSON."""
    assert response.status_code == 200, response.text[:500]
    [row] = response.json()["results"]["bindings"]
    return int(row["n"]["value"])


def graph_names(response: Any) -> set[str]:
    """The ?g values of a SELECT answered as SPARQL JSON."""
    assert response.status_code == 200, response.text[:500]
    return {row["g"]["value"] for row in response.json()["results"]["bindings"]}


# --------------------------------------------------------------------------------------------------
# Oracles: what the built store answers in process, without HTTP
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def expected_select(store: Store) -> set[tuple[str, ...]]:
    """Dresden's AGS and types, as the store answers them; includes the fact every format must carry."""
    rows = {(s["ags"].value, s["type"].value) for s in store.query(SELECT)}
    assert ("14612000", GS + "Municipality") in rows
    return rows


@pytest.fixture(scope="module")
def expected_dresden_triples(store: Store) -> set[str]:
    """Every triple with Dresden as subject, in N-Triples form, as the store answers them."""
    triples = {f"{t.subject} {t.predicate} {t.object}" for t in store.query(CONSTRUCT)}
    assert f'<{DRESDEN}> <{GS}ags> "14612000"' in triples
    return triples


@pytest.fixture(scope="module")
def health(http: Web) -> dict:
    """The /-/health document of the app under test."""
    return support_health(http)


# --------------------------------------------------------------------------------------------------
# The matrix: every way of sending x every result format, with the answer's content checked
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", list(SELECT_PARSERS))
@pytest.mark.parametrize("method", METHODS)
def test_select_answers_in_each_result_format(
    http: Web, method: str, accept: str, expected_select: set[tuple[str, ...]]
) -> None:
    """A SELECT sent each way comes back in the requested result format with the store's rows.

    The body is parsed with that format's own parser: a right status over a wrong or truncated body fails.
    """
    response = send(http, method, SELECT, accept=accept)
    assert response.status_code == 200, response.text[:500]
    assert media_type(response) == accept
    names, rows = SELECT_PARSERS[accept](response.content)
    assert names == ["ags", "type"]
    assert rows == expected_select


@pytest.mark.parametrize(("query", "expected"), [(ASK_TRUE, True), (ASK_FALSE, False)], ids=["true", "false"])
@pytest.mark.parametrize("accept", list(ASK_PARSERS))
@pytest.mark.parametrize("method", METHODS)
def test_ask_answers_in_each_result_format(http: Web, method: str, accept: str, query: str, expected: bool) -> None:
    """An ASK sent each way answers true or false in the requested result format, as the data says."""
    response = send(http, method, query, accept=accept)
    assert response.status_code == 200, response.text[:500]
    assert media_type(response) == accept
    assert ASK_PARSERS[accept](response.content) is expected


@pytest.mark.parametrize("accept", list(GRAPH_FORMATS))
@pytest.mark.parametrize("method", METHODS)
def test_construct_answers_in_each_graph_format(
    http: Web, method: str, accept: str, expected_dresden_triples: set[str]
) -> None:
    """A CONSTRUCT sent each way comes back as RDF in the requested format with exactly the store's triples."""
    response = send(http, method, CONSTRUCT, accept=accept)
    assert response.status_code == 200, response.text[:500]
    assert media_type(response) == accept
    assert parse_graph(response.content, GRAPH_FORMATS[accept]) == expected_dresden_triples


@pytest.mark.parametrize("accept", list(GRAPH_FORMATS))
@pytest.mark.parametrize("method", METHODS)
def test_describe_answers_in_each_graph_format(
    http: Web, method: str, accept: str, expected_dresden_triples: set[str]
) -> None:
    """DESCRIBE of Dresden sent each way gives, in the requested format, at least every triple about Dresden."""
    response = send(http, method, DESCRIBE, accept=accept)
    assert response.status_code == 200, response.text[:500]
    assert media_type(response) == accept
    assert parse_graph(response.content, GRAPH_FORMATS[accept]) >= expected_dresden_triples


@pytest.mark.parametrize(
    ("query", "default"),
    [
        (SELECT, "application/sparql-results+json"),
        (ASK_TRUE, "application/sparql-results+json"),
        (CONSTRUCT, "text/turtle"),
        (DESCRIBE, "text/turtle"),
    ],
    ids=["select", "ask", "construct", "describe"],
)
@pytest.mark.parametrize("accept", [None, "*/*", ""], ids=["no-accept", "any", "empty"])
@pytest.mark.parametrize("method", METHODS)
def test_without_a_preference_the_default_format_answers(
    http: Web, method: str, accept: str | None, query: str, default: str
) -> None:
    """No Accept, `*/*` or an empty Accept gives SPARQL JSON for SELECT/ASK and Turtle for CONSTRUCT/DESCRIBE,
    the very bytes an explicit request for that type gets."""
    response = send(http, method, query, accept=accept)
    assert response.status_code == 200, response.text[:500]
    assert media_type(response) == default
    assert response.content == send(http, method, query, accept=default).content


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        (SELECT, "text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        (SELECT, "application/sparql-results+xml;q=0.1, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
        (SELECT, "image/png, text/csv;q=0.2", "text/csv"),
        (SELECT, "application/sparql-results+json;q=0, text/csv;q=0.1", "text/csv"),
        (CONSTRUCT, "application/n-triples;q=0.2, application/rdf+xml;q=0.8", "application/rdf+xml"),
        (CONSTRUCT, "text/turtle;q=0.3, application/ld+json;q=0.4, application/trig;q=0.35", "application/ld+json"),
    ],
    ids=["xml-over-csv", "tsv-over-xml", "skip-unknown", "q0-refuses", "rdfxml-over-nt", "jsonld-highest"],
)
def test_accept_quality_values_choose_the_preferred_format(http: Web, query: str, accept: str, expected: str) -> None:
    """The Accept header's q-values decide the format: the highest acceptable one wins, q=0 means never."""
    response = send(http, "GET", query, accept=accept)
    assert response.status_code == 200, response.text[:500]
    assert media_type(response) == expected


@pytest.mark.parametrize(
    ("query", "format_value", "accept", "expected"),
    [
        (SELECT, "csv", "application/sparql-results+xml", "text/csv"),
        (SELECT, "tsv", "application/sparql-results+json", "text/tab-separated-values"),
        (SELECT, "application/sparql-results+xml", "text/csv", "application/sparql-results+xml"),
        (SELECT, "json", "image/png", "application/sparql-results+json"),
        (CONSTRUCT, "ntriples", "text/turtle", "application/n-triples"),
        (CONSTRUCT, "application/trig", "application/rdf+xml", "application/trig"),
    ],
    ids=["csv", "tsv", "xml-media-type", "json-despite-png", "ntriples", "trig-media-type"],
)
@pytest.mark.parametrize("method", METHODS)
def test_format_parameter_overrides_accept(
    http: Web, method: str, query: str, format_value: str, accept: str, expected: str
) -> None:
    """`format=` (short name or media type) wins over the Accept header, however the query was sent."""
    response = send(http, method, query, accept=accept, params={"format": format_value})
    assert response.status_code == 200, response.text[:500]
    assert media_type(response) == expected


@pytest.mark.parametrize("method", METHODS)
def test_answers_say_they_vary_on_accept(http: Web, method: str) -> None:
    """Answers carry `Vary: Accept`, so a shared cache never serves CSV to a client that asked for JSON."""
    response = send(http, method, SELECT, accept="text/csv")
    assert response.status_code == 200
    vary = [part.strip().lower() for part in response.headers.get("Vary", "").split(",")]
    assert "accept" in vary


# --------------------------------------------------------------------------------------------------
# The RDF dataset: default-graph-uri and named-graph-uri
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_default_graph_uri_of_the_ontology_hides_the_curated_events(http: Web, method: str) -> None:
    """With default-graph-uri=.../graph/ontology the default graph holds only that graph: no departures."""
    assert count(send(http, method, DEPARTURES, params={"default-graph-uri": GRAPH_ONTOLOGY})) == 0


@pytest.mark.parametrize("method", METHODS)
def test_default_graph_uri_of_the_curated_graph_holds_its_departures_only(http: Web, method: str) -> None:
    """With default-graph-uri=.../graph/curated the default graph is that graph: its departures are found, as
    many as GRAPH <curated> holds, and not those of the other graphs (the event sheets') the union sees."""
    in_union = count(send(http, method, DEPARTURES))
    in_curated = count(
        send(http, method, DEPARTURES.replace("{ ?event", f"{{ GRAPH <{GRAPH_CURATED}> {{ ?event") + " }")
    )
    assert 0 < in_curated < in_union
    assert count(send(http, method, DEPARTURES, params={"default-graph-uri": GRAPH_CURATED})) == in_curated


@pytest.mark.parametrize("method", METHODS)
def test_two_default_graph_uris_are_merged(http: Web, method: str) -> None:
    """Two default-graph-uri values make a default graph of both: the curated events and the ontology's
    class declarations are seen together, though each lives in only one of the graphs."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?event a gs:Departure . gs:Departure a owl:Class }"
    both = {"default-graph-uri": [GRAPH_ONTOLOGY, GRAPH_CURATED]}
    assert count(send(http, method, query, params=both)) > 0
    for single in (GRAPH_ONTOLOGY, GRAPH_CURATED):
        assert count(send(http, method, query, params={"default-graph-uri": single})) == 0


@pytest.mark.parametrize(
    "named", [[GRAPH_CURATED], [GRAPH_ONTOLOGY], [GRAPH_ONTOLOGY, GRAPH_CURATED]], ids=["curated", "ontology", "both"]
)
@pytest.mark.parametrize("method", METHODS)
def test_named_graph_uri_limits_what_graph_patterns_see(http: Web, method: str, named: list[str]) -> None:
    """GRAPH ?g sees exactly the graphs listed in named-graph-uri, no other."""
    assert graph_names(send(http, method, GRAPHS_SEEN, params={"named-graph-uri": named})) == set(named)


@pytest.mark.parametrize("method", METHODS)
def test_both_dataset_parameters_give_exactly_the_requested_dataset(http: Web, method: str) -> None:
    """default-graph-uri=ontology with named-graph-uri=curated: no departures outside GRAPH, only curated inside."""
    params = {"default-graph-uri": GRAPH_ONTOLOGY, "named-graph-uri": GRAPH_CURATED}
    assert count(send(http, method, DEPARTURES, params=params)) == 0
    assert graph_names(send(http, method, GRAPHS_SEEN, params=params)) == {GRAPH_CURATED}


@pytest.mark.parametrize("method", METHODS)
def test_named_graph_uri_alone_leaves_the_default_graph_empty(http: Web, method: str) -> None:
    """Protocol 2.1.4 / Query 13.2: a dataset with named graphs only has an empty default graph.

    Otherwise a client restricting the query to the curated graph still sees the ontology's triples.
    """
    assert count(send(http, method, DEFAULT_GRAPH_SIZE, params={"named-graph-uri": GRAPH_CURATED})) == 0


@pytest.mark.parametrize("method", METHODS)
def test_default_graph_uri_alone_leaves_no_named_graphs(http: Web, method: str) -> None:
    """A protocol dataset without named-graph-uri has no named graphs: GRAPH ?g matches nothing."""
    assert graph_names(send(http, method, GRAPHS_SEEN, params={"default-graph-uri": GRAPH_CURATED})) == set()


def test_repeated_default_graph_uri_is_merged_once(http: Web) -> None:
    """The RDF merge of a graph with itself is that graph: listing it twice must not double its triples."""
    once = count(send(http, "GET", DEFAULT_GRAPH_SIZE, params={"default-graph-uri": GRAPH_CURATED}))
    twice = {"default-graph-uri": [GRAPH_CURATED, GRAPH_CURATED]}
    assert count(send(http, "GET", DEFAULT_GRAPH_SIZE, params=twice)) == once


def test_union_default_graph_holds_a_triple_once(http: Web, store: Store) -> None:
    """A triple that two named graphs both state is one triple of the union default graph: it matches once."""
    shared = list(
        store.query(
            "SELECT ?s ?p ?o WHERE { GRAPH ?g1 { ?s ?p ?o } GRAPH ?g2 { ?s ?p ?o } "
            "FILTER(?g1 != ?g2 && !isBlank(?s) && !isBlank(?o)) } LIMIT 1"
        )
    )
    if not shared:
        pytest.skip("no triple of this build is stated in two named graphs")
    [row] = shared
    pattern = f"SELECT (COUNT(*) AS ?n) WHERE {{ {row['s']} {row['p']} {row['o']} }}"
    assert count(send(http, "GET", pattern)) == 1


def test_protocol_dataset_overrides_from_in_the_query(http: Web) -> None:
    """Protocol 2.1.4: default-graph-uri wins over the query's own FROM."""
    query = DEPARTURES.replace("WHERE", f"FROM <{GRAPH_CURATED}> WHERE")
    assert count(send(http, "GET", query, params={"default-graph-uri": GRAPH_ONTOLOGY})) == 0


def test_from_named_in_the_query_limits_graph_patterns(http: Web) -> None:
    """FROM NAMED in the query text restricts GRAPH ?g to that graph when the protocol gives no dataset."""
    query = GRAPHS_SEEN.replace("WHERE", f"FROM NAMED <{GRAPH_CURATED}> WHERE")
    assert graph_names(send(http, "GET", query)) == {GRAPH_CURATED}


def test_from_in_the_query_sets_the_default_graph(http: Web) -> None:
    """Without protocol parameters, the query's FROM <ontology> makes the ontology the default graph."""
    query = DEPARTURES.replace("WHERE", f"FROM <{GRAPH_ONTOLOGY}> WHERE")
    assert count(send(http, "GET", query)) == 0


def test_from_named_alone_leaves_the_default_graph_empty(http: Web) -> None:
    """Query 13.2: FROM NAMED without FROM gives an empty default graph."""
    query = DEFAULT_GRAPH_SIZE.replace("WHERE", f"FROM NAMED <{GRAPH_CURATED}> WHERE")
    assert count(send(http, "GET", query)) == 0


# --------------------------------------------------------------------------------------------------
# Errors: every status in one JSON shape
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["SELEC * WHERE { ?s ?p ?o }", "SELECT * WHERE { ?s ?p }", "ASK { <no closing bracket }"]
)
@pytest.mark.parametrize("method", METHODS)
def test_malformed_query_is_400_with_the_parsers_message(http: Web, method: str, query: str) -> None:
    """A query that does not parse is a 400 malformed_query whose message is the parser's own (line, column)."""
    try:
        Store().query(query)
    except SyntaxError as error:
        parser_message = error.msg
    else:
        pytest.fail("the test query parses")
    body = assert_error(send(http, method, query), 400, "malformed_query")
    assert parser_message in body["error"]


@pytest.mark.parametrize("method", METHODS)
def test_empty_query_is_400(http: Web, method: str) -> None:
    """An empty or blank query is a malformed query, not a Service Description request."""
    assert_error(send(http, method, "  \n"), 400, "malformed_query")


@pytest.mark.parametrize("how", ["GET twice", "form twice", "form and URL"])
def test_two_query_parameters_are_400(http: Web, how: str) -> None:
    """Protocol 2.1: exactly one `query`; two (in the URL, the form, or one in each) is a client error."""
    url = "/sparql"
    if how == "GET twice":
        response = http.get(url, params={"query": [ASK_TRUE, ASK_FALSE]})
    elif how == "form twice":
        response = http.post(url, data={"query": [ASK_TRUE, ASK_FALSE]})
    else:
        response = http.post(url, params={"query": ASK_TRUE}, data={"query": ASK_FALSE})
    body = assert_error(response, 400, "bad_parameter")
    assert "query" in body["error"]


def test_direct_post_with_a_query_parameter_too_is_400(http: Web) -> None:
    """A direct POST carries the query in its body; a second one in `query=` is ambiguous and refused."""
    response = send(http, "POST direct", ASK_TRUE, params={"query": ASK_FALSE})
    assert_error(response, 400, "bad_parameter")


@pytest.mark.parametrize("form", [{}, {"default-graph-uri": GRAPH_CURATED}, {"format": "json"}], ids=str)
def test_form_post_without_query_is_400(http: Web, form: dict[str, str]) -> None:
    """A form POST must carry `query` (a form POST is never a Service Description request)."""
    response = http.post(
        "/sparql",
        data=form or b"",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    body = assert_error(response, 400, "bad_parameter")
    assert "query" in body["error"]


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("iri", ["not an iri", "relative/path", "<http://example.org/g>", "http://exa mple.org/"])
@pytest.mark.parametrize("method", METHODS)
def test_bad_graph_iri_is_400(http: Web, method: str, parameter: str, iri: str) -> None:
    """A dataset parameter that is not an absolute IRI is a 400 that names the parameter."""
    body = assert_error(send(http, method, SELECT, params={parameter: iri}), 400, "bad_parameter")
    assert parameter in body["error"]


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (SELECT, "image/png"),
        (SELECT, "text/turtle"),
        (ASK_TRUE, "application/rdf+xml"),
        (CONSTRUCT, "application/sparql-results+json"),
        (CONSTRUCT, "text/csv"),
        (SELECT, "application/sparql-results+json;q=0"),
    ],
    ids=["select-png", "select-turtle", "ask-rdfxml", "construct-srj", "construct-csv", "select-json-q0"],
)
@pytest.mark.parametrize("method", METHODS)
def test_nothing_acceptable_is_406_listing_what_is(http: Web, method: str, query: str, accept: str) -> None:
    """When no acceptable type can carry the result, the answer is 406 and says which types are available."""
    body = assert_error(send(http, method, query, accept=accept), 406, "not_acceptable")
    assert body["available"]
    assert all(available in body["error"] for available in body["available"])


def test_unknown_format_parameter_is_406(http: Web) -> None:
    """`format=` naming no format we serve is refused (406), never silently replaced, and the message blames
    `format=`, not the Accept header."""
    for word in ("image/png", "foo"):
        body = assert_error(send(http, "GET", SELECT, params={"format": word}), 406, "not_acceptable")
        assert f"format={word!r}" in body["error"] and "Accept" not in body["error"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("query", "word", "accept", "expected"),
    [
        # SPARQLWrapper sends a format= with every query: one that cannot carry the result leaves it to Accept
        (SELECT, "turtle", "*/*", "application/sparql-results+json"),
        (SELECT, "turtle", "text/csv", "text/csv"),
        (CONSTRUCT, "csv", "text/turtle", "text/turtle"),
        (CONSTRUCT, "csv", "*/*", "text/turtle"),
        # one that can carry it still wins over Accept
        (SELECT, "xml", "application/sparql-results+json", "application/sparql-results+xml"),
    ],
)
def test_a_format_that_cannot_carry_the_result_leaves_it_to_accept(
    http: Web, method: str, query: str, word: str, accept: str, expected: str
) -> None:
    response = send(http, method, query, accept=accept, params={"format": word})
    assert response.status_code == 200, response.text[:300]
    assert media_type(response) == expected


@pytest.mark.parametrize("method", METHODS)
def test_construct_asked_for_as_sparql_results_xml_is_rdf_xml(http: Web, method: str) -> None:
    """roqet and rdflib's SPARQLStore ask every query for application/sparql-results+xml: a CONSTRUCT answers
    RDF/XML (as format=xml does), and rdflib reads the triples back."""
    response = send(http, method, CONSTRUCT, accept="application/sparql-results+xml")
    assert response.status_code == 200 and media_type(response) == "application/rdf+xml"
    graph = rdflib.Graph().parse(data=response.content, format="xml")
    assert len(graph) > 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "application/sparql-results+json", None])
def test_unknown_post_body_type_is_415(http: Web, content_type: str | None) -> None:
    """A POST body that is neither a form nor application/sparql-query is 415, naming the accepted types."""
    headers = {"Content-Type": content_type} if content_type else {}
    response = http.post("/sparql", data=ASK_TRUE.encode(), headers=headers)
    body = assert_error(response, 415, "unsupported_media_type")
    assert "application/sparql-query" in body["error"]


@pytest.mark.parametrize("verb", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_with_allow(http: Web, verb: str) -> None:
    """PUT, DELETE and PATCH on /sparql are 405 with an Allow header listing GET and POST."""
    response = http.request(verb, "/sparql", data=ASK_TRUE)
    assert_error(response, 405, "method_not_allowed")
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed
    assert verb not in allowed


UPDATE = "INSERT DATA { <urn:x> <urn:y> <urn:z> }"


@pytest.mark.parametrize(
    "how",
    [
        "form update=",
        "application/sparql-update",
        "GET update=",
        "GET query=",
        "direct query body",
        "update= in the URL of a form POST",
        "update= in the URL of a direct POST",
    ],
)
def test_updates_are_403_read_only(http: Web, how: str) -> None:
    """SPARQL Update in any shape is refused with 403 and a message saying the endpoint is read-only."""
    url = "/sparql"
    if how == "form update=":
        response = http.post(url, data={"update": UPDATE})
    elif how == "application/sparql-update":
        response = http.post(url, data=UPDATE.encode(), headers={"Content-Type": "application/sparql-update"})
    elif how == "GET update=":
        response = http.get(url, params={"update": UPDATE})
    elif how == "GET query=":
        response = send(http, "GET", UPDATE)
    elif how == "update= in the URL of a form POST":  # an ambiguous request: not answered as if the URL were empty
        response = send(http, "POST form", "ASK {}", params={"update": UPDATE})
    elif how == "update= in the URL of a direct POST":
        response = send(http, "POST direct", "ASK {}", params={"update": UPDATE})
    else:
        response = send(http, "POST direct", "DELETE WHERE { ?s ?p ?o }")
    body = assert_error(response, 403, "read_only")
    assert "read-only" in body["error"]


@pytest.mark.parametrize("charset", ["UTF-16", "iso-8859-1"])
def test_a_direct_post_in_another_charset_is_415_not_misread(http: Web, charset: str) -> None:
    """The protocol's direct POST body is UTF-8; a body declared in another charset is refused, not decoded as
    UTF-8 by chance (`ASK {}` is the same bytes in Latin-1), and UTF-8 stated explicitly is accepted."""
    for declared in (charset, charset.lower()):
        response = http.post(
            "/sparql", data=b"ASK {}", headers={"Content-Type": f"application/sparql-query; charset={declared}"}
        )
        body = assert_error(response, 415, "unsupported_media_type")
        assert "must be UTF-8" in body["error"]
    fine = http.post("/sparql", data=b"ASK {}", headers={"Content-Type": "application/sparql-query; charset=UTF-8"})
    assert fine.status_code == 200


def test_updates_leave_the_data_untouched(http: Web) -> None:
    """After an update was refused, the triple it tried to insert is not there."""
    http.post("/sparql", data={"update": UPDATE})
    assert (
        ASK_PARSERS["application/sparql-results+json"](send(http, "GET", "ASK { <urn:x> <urn:y> <urn:z> }").content)
        is False
    )


@pytest.fixture(scope="module")
def small_query_server(make_app) -> InProcess:
    """The app accepting queries of at most 512 bytes."""
    return make_app(max_query_bytes="512")


def _query_of_size(size: int) -> str:
    """A valid ASK query of exactly `size` UTF-8 bytes (padded with a comment)."""
    head = "ASK {}\n#"
    return head + "x" * (size - len(head))


@pytest.mark.parametrize("method", METHODS)
def test_query_above_max_query_bytes_is_413(small_query_server: InProcess, method: str) -> None:
    """A query one byte above GOVSOCIAL_MAX_QUERY_BYTES is refused with 413 before it runs."""
    assert_error(send(small_query_server, method, _query_of_size(513)), 413, "query_too_large")


@pytest.mark.parametrize("method", METHODS)
def test_query_of_exactly_max_query_bytes_is_answered(small_query_server: InProcess, method: str) -> None:
    """The limit is inclusive: a query of exactly GOVSOCIAL_MAX_QUERY_BYTES bytes runs."""
    response = send(small_query_server, method, _query_of_size(512), accept="application/sparql-results+json")
    assert response.status_code == 200, response.text[:300]
    assert response.json()["boolean"] is True


def test_huge_form_body_is_413_in_our_shape(small_query_server: InProcess) -> None:
    """A form body far above the limit is refused as 413 in the JSON shape, not by the framework's page."""
    response = small_query_server.post("/sparql", data={"query": "x" * 100_000})
    assert_error(response, 413, "query_too_large")


@pytest.mark.parametrize(
    ("method", "query", "accept", "status", "words"),
    [
        ("GET", "SELEC *", "text/html, */*;q=0.1", 400, "malformed query"),
        ("POST form", "SELEC *", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 400, "error at"),
        ("GET", SELECT, "text/html", 406, "available"),
        ("POST direct", UPDATE, "text/html", 403, "read-only"),
    ],
    ids=["malformed", "browser-malformed", "not-acceptable", "update"],
)
def test_errors_are_html_pages_for_browsers(
    http: Web, method: str, query: str, accept: str, status: int, words: str
) -> None:
    """A client that prefers text/html gets the error as a page with the status and the message."""
    response = send(http, method, query, accept=accept)
    assert response.status_code == status
    assert media_type(response) == "text/html"
    assert response.text.lstrip().lower().startswith("<!doctype html")
    assert f"<h1>{status}" in response.text
    assert words in response.text


def test_html_error_page_escapes_request_text(http: Web) -> None:
    """Request text that an HTML error page repeats (here a bad graph IRI) is escaped, never markup."""
    params = {"default-graph-uri": "<script>alert(1)</script>"}
    response = send(http, "GET", SELECT, accept="text/html, */*;q=0.1", params=params)
    assert response.status_code == 400
    assert media_type(response) == "text/html"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<script>" not in response.text


# --------------------------------------------------------------------------------------------------
# GET /sparql without a query: the Service Description
# --------------------------------------------------------------------------------------------------


def _service_description(http: Web, accept: str | None = None) -> tuple[Any, Store]:
    response = http.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200, response.text[:300]
    store = Store()
    store.load(response.content, GRAPH_FORMATS[media_type(response)])
    return response, store


def _objects(store: Store, subject: pyoxigraph.NamedNode | pyoxigraph.BlankNode, predicate: str) -> list:
    return [quad.object for quad in store.quads_for_pattern(subject, pyoxigraph.NamedNode(predicate), None)]


def _service(store: Store) -> pyoxigraph.NamedNode:
    [service] = [
        q.subject
        for q in store.quads_for_pattern(None, pyoxigraph.NamedNode(RDF_TYPE), None)
        if q.object == pyoxigraph.NamedNode(SD + "Service")
    ]
    return service


@pytest.mark.parametrize("accept", [None, "*/*", "text/turtle"], ids=["no-accept", "any", "turtle"])
def test_service_description_is_turtle_by_default(http: Web, accept: str | None) -> None:
    """GET /sparql without a query answers with the Service Description as Turtle, naming this endpoint."""
    response, store = _service_description(http, accept)
    assert media_type(response) == "text/turtle"
    service = _service(store)
    assert _objects(store, service, SD + "endpoint") == [pyoxigraph.NamedNode(f"{http.url}/sparql")]


def test_service_description_as_json_ld_on_request(http: Web) -> None:
    """Asked for JSON-LD, the Service Description is JSON-LD with the same statements as the Turtle one."""
    response, as_json_ld = _service_description(http, "application/ld+json")
    assert media_type(response) == "application/ld+json"
    _, as_turtle = _service_description(http, "text/turtle")
    assert len(as_json_ld) == len(as_turtle)
    assert _service(as_json_ld) == _service(as_turtle)


def test_service_description_is_a_query_page_for_a_browser(http: Web) -> None:
    """A browser's Accept header gets an HTML page with a query form that posts to /sparql."""
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
    response = http.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert media_type(response) == "text/html"
    assert "<form" in response.text and 'name="query"' in response.text


@pytest.mark.parametrize("media", list(W3C_FORMAT_IRIS))
def test_service_description_lists_each_result_format(http: Web, media: str) -> None:
    """sd:resultFormat names, with the W3C's IRI, every format the endpoint answers in."""
    _, store = _service_description(http)
    formats = _objects(store, _service(store), SD + "resultFormat")
    assert pyoxigraph.NamedNode(W3C_FORMAT_IRIS[media]) in formats


@pytest.mark.parametrize(
    ("predicate", "value"),
    [(SD + "supportedLanguage", SD + "SPARQL11Query"), (SD + "feature", SD + "UnionDefaultGraph")],
    ids=["sparql11query", "union-default-graph"],
)
def test_service_description_states_language_and_features(http: Web, predicate: str, value: str) -> None:
    """The Service Description says we speak SPARQL 1.1 Query and that the default graph is the union."""
    _, store = _service_description(http)
    assert pyoxigraph.NamedNode(value) in _objects(store, _service(store), predicate)


def test_service_description_names_graphs_with_counts_matching_health(http: Web, health: dict) -> None:
    """The named graphs are listed with void:triples that add up to /-/health's triple count, and each count
    equals what a query over that graph counts."""
    _, store = _service_description(http)
    [dataset] = _objects(store, _service(store), SD + "defaultDataset")
    counts = {}
    for named in _objects(store, dataset, SD + "namedGraph"):
        [name] = _objects(store, named, SD + "name")
        [graph] = _objects(store, named, SD + "graph")
        [triples] = _objects(store, graph, VOID + "triples")
        counts[name.value] = int(triples.value)
    assert {GRAPH_ONTOLOGY, GRAPH_CURATED} <= set(counts)
    assert sum(counts.values()) == health["triples"]
    for name, triples in counts.items():
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
        assert count(send(http, "GET", query)) == triples


# --------------------------------------------------------------------------------------------------
# /.well-known/void
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def void(http: Web) -> tuple[Store, pyoxigraph.NamedNode]:
    """The VoID description, parsed, and its dataset node."""
    response = http.get("/.well-known/void")
    assert response.status_code == 200
    store = Store()
    store.load(response.content, GRAPH_FORMATS[media_type(response)])
    dataset = pyoxigraph.NamedNode("https://w3id.org/govsocial/dataset")  # stable, not the document's URL
    assert list(store.quads_for_pattern(dataset, None, None)), "the VoID document describes the dataset"
    document = pyoxigraph.NamedNode(f"{http.url}/.well-known/void")
    topic = pyoxigraph.NamedNode("http://xmlns.com/foaf/0.1/primaryTopic")
    assert [q.object for q in store.quads_for_pattern(document, topic, None)] == [dataset]
    return store, dataset


def test_void_creator_is_an_agent(void: tuple[Store, pyoxigraph.NamedNode]) -> None:
    store, dataset = void
    [creator] = _objects(store, dataset, "http://purl.org/dc/terms/creator")
    assert isinstance(creator, pyoxigraph.NamedNode)
    assert _objects(store, creator, RDF_TYPE) == [pyoxigraph.NamedNode("http://xmlns.com/foaf/0.1/Organization")]


def test_void_states_a_license(void: tuple[Store, pyoxigraph.NamedNode]) -> None:
    """VoID names the data's licences with dcterms:license, as IRIs: every licence of a graph applies to the
    union, and each graph (a void:subset) states its own, CC BY-SA 4.0 for the fedipol graph."""
    store, dataset = void
    licences = _objects(store, dataset, "http://purl.org/dc/terms/license")
    assert licences and all(isinstance(licence, pyoxigraph.NamedNode) for licence in licences)
    assert {licence.value for licence in licences} >= {
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    }
    fedipol = pyoxigraph.NamedNode("https://w3id.org/govsocial/graph/fedipol")
    assert pyoxigraph.NamedNode(VOID + "subset") in {
        q.predicate for q in store.quads_for_pattern(dataset, None, fedipol)
    }
    assert [licence.value for licence in _objects(store, fedipol, "http://purl.org/dc/terms/license")] == [
        "https://creativecommons.org/licenses/by-sa/4.0/"
    ]
    assert _objects(store, fedipol, VOID + "dataDump")


def test_void_version_is_the_health_version(void: tuple[Store, pyoxigraph.NamedNode], health: dict) -> None:
    """owl:versionInfo in VoID is the dataset version /-/health reports for the build that answers."""
    store, dataset = void
    assert [v.value for v in _objects(store, dataset, "http://www.w3.org/2002/07/owl#versionInfo")] == [
        health["version"]
    ]


def test_void_example_resources_exist_in_the_data(http: Web, void: tuple[Store, pyoxigraph.NamedNode]) -> None:
    """Each void:exampleResource is a resource the endpoint knows (a newcomer can start from it)."""
    store, dataset = void
    examples = _objects(store, dataset, VOID + "exampleResource")
    assert pyoxigraph.NamedNode(DRESDEN) in examples
    for example in examples:
        answer = send(http, "GET", f"ASK {{ <{example.value}> ?p ?o }}", accept="application/sparql-results+json")
        assert answer.json()["boolean"] is True, example


def test_void_names_the_sparql_endpoint(http: Web, void: tuple[Store, pyoxigraph.NamedNode]) -> None:
    """void:sparqlEndpoint is this server's /sparql."""
    store, dataset = void
    assert _objects(store, dataset, VOID + "sparqlEndpoint") == [pyoxigraph.NamedNode(f"{http.url}/sparql")]


# --------------------------------------------------------------------------------------------------
# CORS
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "query", "status"),
    [("GET", SELECT, 200), ("POST direct", CONSTRUCT, 200), ("GET", "SELEC", 400), ("POST form", SELECT, 406)],
    ids=["answer", "graph-answer", "malformed", "not-acceptable"],
)
def test_cors_header_on_answers_and_errors(wire: Web, method: str, query: str, status: int) -> None:
    """Access-Control-Allow-Origin: * on answers and on errors, so a browser tool can read why it failed."""
    accept = "image/png" if status == 406 else "*/*"
    response = send(wire, method, query, accept=accept, headers={"Origin": "https://yasgui.example"})
    assert response.status_code == status
    assert response.headers.get("Access-Control-Allow-Origin") == "*"


def test_cors_preflight_allows_post(wire: Web) -> None:
    """A preflight (OPTIONS with Origin and Access-Control-Request-Method) is 2xx and allows POST and
    the Content-Type header a direct POST needs."""
    response = wire.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert 200 <= response.status_code < 300
    assert response.headers.get("Access-Control-Allow-Origin") == "*"
    methods = {m.strip() for m in response.headers.get("Access-Control-Allow-Methods", "").split(",")}
    assert {"GET", "POST"} <= methods
    assert "content-type" in response.headers.get("Access-Control-Allow-Headers", "").lower()


@pytest.fixture(scope="module")
def no_cors_server(start_server) -> Http:
    """A server started with GOVSOCIAL_CORS=false."""
    return Http(start_server(cors="false").url)


@pytest.mark.parametrize("kind", ["answer", "error", "preflight"])
def test_cors_false_sends_no_cors_headers(no_cors_server: Http, kind: str) -> None:
    """With cors=false no Access-Control-* header appears, on answers, errors or preflights."""
    origin = {"Origin": "https://yasgui.example"}
    if kind == "answer":
        response = send(no_cors_server, "GET", SELECT, headers=origin)
        assert response.status_code == 200
    elif kind == "error":
        response = send(no_cors_server, "GET", "SELEC", headers=origin)
        assert response.status_code == 400
    else:
        response = no_cors_server.options("/sparql", headers={**origin, "Access-Control-Request-Method": "POST"})
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]


# --------------------------------------------------------------------------------------------------
# HTTP caching
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_answers_carry_a_quoted_etag_and_cache_control(http: Web, method: str) -> None:
    """An answer has a strong, quoted ETag and a Cache-Control with a max-age."""
    response = send(http, method, SELECT)
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2
    assert "max-age=" in response.headers["Cache-Control"]


def test_etag_differs_by_format_and_is_stable(http: Web) -> None:
    """The same request gives the same ETag; another format of the same answer gives another ETag."""
    first = send(http, "GET", SELECT, accept="text/csv").headers["ETag"]
    again = send(http, "GET", SELECT, accept="text/csv").headers["ETag"]
    other = send(http, "GET", SELECT, accept="application/sparql-results+xml").headers["ETag"]
    assert first == again
    assert first != other


def test_if_none_match_with_the_etag_gives_304(http: Web) -> None:
    """A repeat with If-None-Match: <the ETag> is 304 Not Modified, without a body, with the same ETag."""
    etag = send(http, "GET", SELECT).headers["ETag"]
    response = send(http, "GET", SELECT, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == etag


def test_if_none_match_with_another_etag_answers_in_full(http: Web) -> None:
    """An If-None-Match that does not match gives the full answer."""
    response = send(http, "GET", SELECT, headers={"If-None-Match": '"not-this-one"'})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"]


def test_head_answers_like_get_without_a_body(http: Web) -> None:
    """RFC 9110 9.3.2: HEAD is GET without the content (same status and Content-Type)."""
    response = http.head("/sparql", params={"query": SELECT})
    assert response.status_code == 200
    assert media_type(response) == "application/sparql-results+json"


# --------------------------------------------------------------------------------------------------
# Instance pages
# --------------------------------------------------------------------------------------------------


def test_health_reports_version_size_and_workers(http: Web, health: dict) -> None:
    """/-/health is JSON with ok, the version, the triple count (equal to counting all quads) and live workers."""
    assert health["ok"] is True
    assert isinstance(health["version"], str) and health["version"]
    assert health["workers"] >= 1
    all_quads = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(send(http, "GET", all_quads)) == health["triples"]


def test_version_names_software_engine_and_data(http: Web, health: dict) -> None:
    """/-/version gives our version, pyoxigraph's and the dataset's (the one /-/health reports)."""
    response = http.get("/-/version")
    assert media_type(response) == "application/json"
    assert response.json() == {
        "govsocial": server.__version__,
        "pyoxigraph": pyoxigraph.__version__,
        "dataset": health["version"],
    }


def test_settings_show_the_values_in_force(small_query_server: InProcess) -> None:
    """/-/settings is JSON with the values the server was started with (here max_query_bytes=512)."""
    response = small_query_server.get("/-/settings")
    assert media_type(response) == "application/json"
    settings = response.json()
    assert settings["max_query_bytes"] == 512
    assert settings["cors"] is True
    assert isinstance(settings["service_allowlist"], list)


# ---------------------------------------------------------------------------------------------
# HTTP details real clients hit
# ---------------------------------------------------------------------------------------------


def test_a_304_on_a_resource_repeats_vary_and_content_location(http: Web) -> None:
    """RFC 9110 15.4.5: a 304 sends the Vary, Content-Location and ETag the 200 would have sent."""
    first = http.get("/id/org/dresden", headers={"Accept": "text/turtle"})
    again = http.get("/id/org/dresden", headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    for header in ("Vary", "Content-Location", "ETag"):
        assert again.headers.get(header) == first.headers.get(header), header


def test_if_none_match_on_sparql_compares_weakly(http: Web) -> None:
    """A cache that weakened our ETag (W/"…") still gets its 304."""
    first = send(http, "GET", SELECT)
    weak = "W/" + first.headers["ETag"].removeprefix("W/")
    assert send(http, "GET", SELECT, headers={"If-None-Match": weak}).status_code == 304


def test_invalid_utf8_in_a_get_query_string_is_400_as_in_a_direct_post(http: Web) -> None:
    response = http.get("/sparql?query=SELECT%20%2A%20WHERE%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D")
    assert_error(response, 400, "bad_parameter")
    direct = http.post(
        "/sparql", data=b'SELECT * WHERE { ?s ?p "\xff" }', headers={"Content-Type": "application/sparql-query"}
    )
    assert_error(direct, 400, "bad_parameter")


@pytest.mark.parametrize("method", METHODS)
def test_a_query_with_a_byte_order_mark_is_answered(http: Web, method: str) -> None:
    """Editors on Windows save files with a BOM; the query it starts is still the query."""
    assert send(http, method, "\ufeff" + ASK_TRUE, accept="application/sparql-results+json").json()["boolean"]


def test_sparql_with_a_trailing_slash_is_the_endpoint(http: Web) -> None:
    response = http.get("/sparql/", params={"query": ASK_TRUE}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.json()["boolean"] is True


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ('SELECT ?v WHERE { BIND ("a\\rb" AS ?v) }', "application/sparql-results+xml"),
        ('CONSTRUCT { <urn:s> <urn:p> "a\\rb" } WHERE {}', "application/rdf+xml"),
    ],
)
def test_xml_answers_keep_a_carriage_return_in_a_literal(http: Web, query: str, accept: str) -> None:
    """A raw CR in XML reads back as LF; written as &#13; the literal survives a real parser (rdflib)."""
    response = send(http, "GET", query, accept=accept)
    assert response.status_code == 200 and b"\r" not in response.content and b"&#13;" in response.content
    if accept == "application/rdf+xml":
        [(_, _, value)] = list(rdflib.Graph().parse(data=response.content, format="xml"))
    else:
        [row] = list(rdflib.query.Result.parse(io.BytesIO(response.content), format="xml"))
        value = row[0]
    assert str(value) == "a\rb"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "query",
    ["CONSTRUCT { <s> <p> 1 } WHERE {}", "SELECT * WHERE { <s> ?p ?o }"],
    ids=["w3c-query_content_type_construct", "select-relative"],
)
def test_relative_iris_without_base_resolve_against_the_endpoint(http: Web, method: str, query: str) -> None:
    """A query without BASE may use relative IRIs (W3C protocol test query_content_type_construct): they are
    IRIs of this endpoint's address, the configured public URL."""
    response = send(http, method, query)
    assert response.status_code == 200, response.text[:300]
    if query.startswith("CONSTRUCT"):  # <s> against <BASE/sparql> is <BASE/s> (RFC 3986 5.2)
        base = http.app.extensions["govsocial"].settings.base_url if isinstance(http, InProcess) else http.url + "/"
        assert f"<{base}s> <{base}p> 1" in response.text


@pytest.mark.parametrize(
    ("accept", "header", "separator"),
    [("text/csv", "_askResult", "\r\n"), ("text/tab-separated-values", "?_askResult", "\n")],
)
def test_ask_as_csv_or_tsv_is_a_one_column_table(http: Web, accept: str, header: str, separator: str) -> None:
    """The SPARQL CSV/TSV formats define no boolean; we write the table Jena writes, which CSV readers read."""
    response = send(http, "GET", ASK_TRUE, accept=accept)
    assert response.status_code == 200 and media_type(response) == accept
    assert response.text == f"{header}{separator}true{separator}"
    rows = list(csv.reader(io.StringIO(response.text), delimiter="," if accept == "text/csv" else "\t"))
    assert rows == [[header], ["true"]]


def test_the_default_graph_is_the_union_with_the_same_blank_nodes(http: Web) -> None:
    """sd:UnionDefaultGraph holds: every quad of a named graph is a triple of the default graph, blank nodes
    included, so a list in the ontology graph can be walked in the default graph."""
    orphans = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }"
    assert count(send(http, "GET", orphans)) == 0
    walk = """PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/govsocial/graph/ontology> { ?c owl:unionOf ?l }
                                    ?l rdf:rest*/rdf:first ?member }"""
    assert count(send(http, "GET", walk)) > 0


@pytest.mark.parametrize("method", METHODS)
def test_an_unknown_prefix_is_named_with_its_position(http: Web, method: str) -> None:
    """The engine's refusal lists every character class it expected; we say which prefix is unknown, where,
    and which prefixes the endpoint declares, once (no repeated "malformed query")."""
    body = assert_error(send(http, method, "SELECT * WHERE {\n  ?s foo:bar ?o }"), 400, "malformed_query")
    assert body["error"].startswith("malformed query: error at 2:")
    assert "unknown prefix foo:" in body["error"] and "gs, gsid" in body["error"]
    assert body["error"].count("malformed query") == 1
    # where a prefixed name is not the only thing the grammar allows, the engine lists other tokens: still named
    elsewhere = assert_error(send(http, method, "ASK { FILTER(STR(foo:) = 'x') }"), 400, "malformed_query")
    assert "unknown prefix foo:" in elsewhere["error"]


def test_every_prefix_our_turtle_uses_is_declared_by_the_endpoint(http: Web) -> None:
    """A name copied from one of our Turtle files (`account:x/…`, `observation:…`, `law:…`) runs as a query
    without a PREFIX line: the endpoint declares each prefix the data and ontology files use, to the same IRI."""
    declared = re.compile(r"^@prefix\s+([A-Za-z][\w-]*):\s*<([^>]+)>", re.M)
    texts = [path.read_text(encoding="utf-8") for path in [*DATA_DIR.rglob("*.ttl"), *ONTOLOGY_DIR.rglob("*.ttl")]]
    page = http.get("/id/account/x/bmvg", headers={"Accept": "text/turtle"})  # a page's Turtle names accounts
    assert page.status_code == 200
    texts.append(page.text)
    used = {(name, namespace) for text in texts for name, namespace in declared.findall(text)}
    assert {"account", "observation", "context", "instance", "law"} <= {name for name, _ in used}
    for name, namespace in sorted(used):
        probe = f"ASK {{ FILTER(STR({name}:) = {json.dumps(namespace)}) }}"
        response = send(http, "GET", probe, accept="application/sparql-results+json")
        assert response.status_code == 200 and response.json()["boolean"] is True, (name, response.text)


@pytest.mark.parametrize("method", METHODS)
def test_a_syntax_error_is_placed_on_the_clients_line_where_the_engine_stopped(http: Web, method: str) -> None:
    """The position counts the client's text only, not our prefixes: the line of the mistake, and the column where
    the engine's parser stopped, which the README documents as the token's column or one past it."""
    body = assert_error(send(http, method, "SELECT ?x\nWHERE {\n  ?x ?p }"), 400, "malformed_query")
    assert re.match(r"malformed query: error at 3:(9|10): ", body["error"]), body["error"]
    one_line = assert_error(send(http, method, "SELECT ?x WHERE { ?x ?p }"), 400, "malformed_query")
    assert one_line["error"].startswith("malformed query: error at 1:26: expected one of"), one_line["error"]


@pytest.mark.parametrize(
    ("expression", "value", "datatype"),
    [
        # the engine writes a double in its canonical form without exponent: the same number, other lexical form
        ('"1.0E6"^^<http://www.w3.org/2001/XMLSchema#double>', "1000000", "http://www.w3.org/2001/XMLSchema#double"),
        # STRDT to a derived integer type gives xsd:integer: the value is kept, the narrower type is not
        (
            'STRDT("-3", <http://www.w3.org/2001/XMLSchema#negativeInteger>)',
            "-3",
            "http://www.w3.org/2001/XMLSchema#integer",
        ),
    ],
)
def test_known_engine_behaviour_is_what_we_return(http: Web, expression: str, value: str, datatype: str) -> None:
    """Pinned, and documented in the README under "Known engine behaviour": where the engine deviates from
    the lexical form or type a query wrote, this is what a client gets."""
    answer = send(
        http, "GET", f"SELECT ?x WHERE {{ BIND ({expression} AS ?x) }}", accept="application/sparql-results+json"
    )
    [binding] = answer.json()["results"]["bindings"]
    assert (binding["x"]["value"], binding["x"]["datatype"]) == (value, datatype)


def test_large_answers_are_gzipped_when_the_client_accepts_it(http: Web) -> None:
    """`Accept-Encoding: gzip`: a large answer comes compressed, with a weak ETag and Vary on the encoding;
    the bytes decompress to the plain answer, and the weak ETag still earns a 304."""
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 2000"
    plain = send(http, "GET", query, accept="text/csv", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and len(plain.content) > 10_000
    raw = send(http, "GET", query, accept="text/csv", headers={"Accept-Encoding": "gzip"})  # in process: not decoded
    assert raw.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in raw.headers["Vary"]
    assert gzip.decompress(raw.content) == plain.content
    assert raw.headers["ETag"].startswith("W/")
    again = send(http, "GET", query, accept="text/csv", headers={"If-None-Match": raw.headers["ETag"]})
    assert again.status_code == 304


def test_void_says_which_syntax_each_dump_is_in(void: tuple[Store, pyoxigraph.NamedNode]) -> None:
    """Each void:dataDump names its media type (dcterms:format, gzip-compressed), and the dataset lists the
    syntaxes as void:feature with the W3C format IRIs, so a loader knows what it downloads."""
    store, dataset = void
    dumps = _objects(store, dataset, VOID + "dataDump")
    formats = {
        dump.value.rsplit("/", 1)[-1]: [f.value for f in _objects(store, dump, "http://purl.org/dc/terms/format")]
        for dump in dumps
    }
    assert formats == {"govsocial.nq.gz": ["application/n-quads"], "govsocial.ttl.gz": ["text/turtle"]}
    features = {f.value for f in _objects(store, dataset, VOID + "feature")}
    assert {"http://www.w3.org/ns/formats/N-Quads", "http://www.w3.org/ns/formats/Turtle"} <= features
