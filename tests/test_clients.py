"""Real SPARQL clients against our running endpoint: SPARQLWrapper, pyoxigraph and the oxigraph CLI.

A researcher does not hand-craft HTTP; these are the tools they use. Each test runs the client as a
user would and checks the data that comes back, so an endpoint that only satisfies our own request
code, and not the clients' idea of the protocol, fails here.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import urllib.error
from pathlib import Path

import pyoxigraph
import pytest
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

GS = "https://w3id.org/govsocial/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DRESDEN = "https://w3id.org/govsocial/id/org/dresden"
OXIGRAPH = str(Path(sys.executable).with_name("oxigraph"))

LABELS = f"SELECT DISTINCT ?label WHERE {{ <{DRESDEN}> <{RDFS_LABEL}> ?label }}"
AGS_TRIPLE = f'<{DRESDEN}> <{GS}ags> "14612000"'
AGS = pyoxigraph.Triple(pyoxigraph.NamedNode(DRESDEN), pyoxigraph.NamedNode(GS + "ags"), pyoxigraph.Literal("14612000"))


def wrapper(server_url: str, query: str, return_format: str, method: str = GET) -> SPARQLWrapper:
    """A SPARQLWrapper client on our /sparql, set up as its documentation shows."""
    client = SPARQLWrapper(f"{server_url}/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(method)
    client.setTimeout(30)
    return client


# --------------------------------------------------------------------------------------------------
# SPARQLWrapper
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "request_method"),
    [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)],
    ids=["GET", "POST-form", "POST-direct"],
)
def test_sparqlwrapper_select_json(server_url: str, method: str, request_method: str) -> None:
    """SPARQLWrapper's SELECT as JSON, by GET, form POST and direct POST, gets Dresden's labels with languages."""
    client = wrapper(server_url, LABELS, JSON, method)
    client.setRequestMethod(request_method)
    result = client.queryAndConvert()
    labels = {(row["label"]["value"], row["label"].get("xml:lang")) for row in result["results"]["bindings"]}
    assert labels == {("Dresden", "de"), ("Dresden", "en")}


def test_sparqlwrapper_select_xml(server_url: str) -> None:
    """SPARQLWrapper's SELECT as XML converts to a DOM holding both labels."""
    document = wrapper(server_url, LABELS, XML).queryAndConvert()
    literals = document.getElementsByTagName("literal")
    assert sorted(node.getAttribute("xml:lang") for node in literals) == ["de", "en"]
    assert {node.firstChild.data for node in literals} == {"Dresden"}


@pytest.mark.parametrize(("return_format", "delimiter"), [(CSV, ","), (TSV, "\t")], ids=["csv", "tsv"])
def test_sparqlwrapper_select_csv_and_tsv(server_url: str, return_format: str, delimiter: str) -> None:
    """SPARQLWrapper's CSV and TSV return formats give a header row and one row per label."""
    body = wrapper(server_url, LABELS, return_format).queryAndConvert()
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8")), delimiter=delimiter))
    assert header in (["label"], ["?label"])
    assert len(rows) == 2
    assert all("Dresden" in row[0] for row in rows)


@pytest.mark.parametrize(("query", "expected"), [(f"ASK {{ {AGS_TRIPLE} }}", True), ("ASK { <urn:no> ?p ?o }", False)])
@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_ask(server_url: str, method: str, query: str, expected: bool) -> None:
    """SPARQLWrapper's ASK converts to the right boolean, by GET and POST."""
    assert wrapper(server_url, query, JSON, method).queryAndConvert()["boolean"] is expected


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_construct_as_turtle(server_url: str, method: str) -> None:
    """SPARQLWrapper's CONSTRUCT as Turtle returns Turtle that pyoxigraph parses into Dresden's triples."""
    query = f"CONSTRUCT WHERE {{ <{DRESDEN}> ?p ?o }}"
    body = wrapper(server_url, query, TURTLE, method).queryAndConvert()
    triples = {quad.triple for quad in pyoxigraph.parse(body, pyoxigraph.RdfFormat.TURTLE)}
    assert AGS in triples
    assert (
        pyoxigraph.Triple(
            pyoxigraph.NamedNode(DRESDEN),
            pyoxigraph.NamedNode(RDFS_LABEL),
            pyoxigraph.Literal("Dresden", language="de"),
        )
        in triples
    )


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_construct_as_rdfxml_into_rdflib(server_url: str) -> None:
    """SPARQLWrapper's CONSTRUCT as RDF/XML converts to an rdflib graph holding Dresden's AGS."""
    from rdflib import Literal, URIRef

    graph = wrapper(server_url, f"CONSTRUCT WHERE {{ <{DRESDEN}> ?p ?o }}", RDFXML).queryAndConvert()
    assert (URIRef(DRESDEN), URIRef(GS + "ags"), Literal("14612000")) in graph


@pytest.mark.parametrize("return_format", [JSONLD, N3])
def test_sparqlwrapper_construct_as_jsonld_and_n3(server_url: str, return_format: str) -> None:
    """SPARQLWrapper's JSON-LD and N3 return formats get an RDF answer (JSON-LD, or Turtle, which is N3)."""
    result = wrapper(server_url, f"CONSTRUCT WHERE {{ <{DRESDEN}> ?p ?o }}", return_format).query()
    assert result.response.status == 200


@pytest.mark.filterwarnings("ignore:.*query type:RuntimeWarning")
def test_sparqlwrapper_reports_a_malformed_query(server_url: str) -> None:
    """A malformed query raises SPARQLWrapper's QueryBadFormed carrying our parser message."""
    with pytest.raises(QueryBadFormed, match="malformed query"):
        wrapper(server_url, "SELEC ?x WHERE { ?x ?p ?o }", JSON).query()


def test_sparqlwrapper_update_is_refused_read_only(server_url: str) -> None:
    """An update sent the SPARQLWrapper way (POST update=) is refused with 403 read_only."""
    client = wrapper(server_url, "INSERT DATA { <urn:a> <urn:b> <urn:c> }", JSON, POST)
    with pytest.raises(urllib.error.HTTPError) as raised:
        client.query()
    assert raised.value.code == 403
    assert b"read-only" in raised.value.read()


# --------------------------------------------------------------------------------------------------
# pyoxigraph as a client engine: SERVICE into our endpoint
# --------------------------------------------------------------------------------------------------


def test_pyoxigraph_service_select_reads_our_data(server_url: str) -> None:
    """An empty in-memory pyoxigraph store answers a SERVICE query into our endpoint with our data,
    literals with their language tags intact."""
    query = f"SELECT ?label WHERE {{ SERVICE <{server_url}/sparql> {{ <{DRESDEN}> <{RDFS_LABEL}> ?label }} }}"
    labels = {solution["label"] for solution in pyoxigraph.Store().query(query)}
    assert labels == {pyoxigraph.Literal("Dresden", language="de"), pyoxigraph.Literal("Dresden", language="en")}


def test_pyoxigraph_service_counts_departures_like_a_direct_query(server_url: str, select) -> None:
    """A SERVICE pattern over every departure brings back as many as the store holds."""
    pattern = f"?event a <{GS}Departure>"
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{server_url}/sparql> {{ {pattern} }} }}"
    [solution] = list(pyoxigraph.Store().query(query))
    expected = int(select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")[0]["n"])
    assert expected > 0
    assert int(solution["n"].value) == expected


def test_pyoxigraph_construct_from_our_service(server_url: str) -> None:
    """A CONSTRUCT over a SERVICE pattern rebuilds Dresden's AGS triple in the client."""
    query = (
        f"CONSTRUCT {{ ?s <{GS}ags> ?ags }} WHERE {{ SERVICE <{server_url}/sparql> "
        f"{{ ?s <{GS}ags> ?ags FILTER(?s = <{DRESDEN}>) }} }}"
    )
    assert set(pyoxigraph.Store().query(query)) == {AGS}


# --------------------------------------------------------------------------------------------------
# The oxigraph command line
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_oxigraph_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty on-disk Oxigraph store for the CLI (its `query` needs an existing store)."""
    location = tmp_path_factory.mktemp("oxigraph-client")
    subprocess.run(
        [OXIGRAPH, "load", "--location", str(location), "--format", "nt"],
        input=b"",
        check=True,
        capture_output=True,
        timeout=60,
    )
    return location


def test_oxigraph_cli_service_query_reads_our_data(server_url: str, empty_oxigraph_store: Path) -> None:
    """`oxigraph query` with a SERVICE into our endpoint prints our data as SPARQL TSV."""
    query = f"SELECT ?label WHERE {{ SERVICE <{server_url}/sparql> {{ <{DRESDEN}> <{RDFS_LABEL}> ?label }} }}"
    done = subprocess.run(
        [OXIGRAPH, "query", "--location", str(empty_oxigraph_store), "--query", query, "--results-format", "tsv"],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    solutions = pyoxigraph.parse_query_results(done.stdout, pyoxigraph.QueryResultsFormat.TSV)
    assert {s["label"] for s in solutions} == {
        pyoxigraph.Literal("Dresden", language="de"),
        pyoxigraph.Literal("Dresden", language="en"),
    }
