"""Dereferenceable IRIs: content negotiation of resource descriptions, suffix URLs, Link headers, 404s.

The negotiation is a pure function and is tested as one; the descriptions are tested on the built
store through the same PageQueries the server uses, then end to end against a running server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Store, Triple, parse

from server.rdf.namespaces import GS, GSID, ORG, RDFS
from server.web.pages.linkeddata import (
    REPRESENTATIONS,
    SUFFIXES,
    link_header,
    negotiate,
    rdf_description,
    split_suffix,
)
from server.web.pages.queries import InvalidIri, PageQueries, values

from .support import InProcess

LANDTAG = GSID + "org/niedersaechsischer-landtag"
NIEDERSACHSEN = GSID + "org/niedersachsen"
LANDTAG_DEPARTURE = GSID + "event/2025-01-niedersaechsischer-landtag-x-departure"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDF_FORMATS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
}


def triples_of(body: bytes, media_type: str) -> set[Triple]:
    """Parse a description in the format it claims to be."""
    return {quad.triple for quad in parse(body, format=RDF_FORMATS[media_type], base_iri="http://127.0.0.1/")}


# ---------------------------------------------------------------------------------------------
# Negotiation as a pure function
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (BROWSER_ACCEPT, "text/html"),
        ("text/html", "text/html"),
        ("application/xhtml+xml", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/x-turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("text/plain", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/rdf+xml;q=0.5, text/turtle;q=0.4", "application/rdf+xml"),
        ("text/turtle;q=0.2, application/ld+json", "application/ld+json"),
        ("*/*", "text/turtle"),
        ("", "text/turtle"),
        (None, "text/turtle"),
        ("image/png", None),
        ("text/html;q=0", None),
    ],
)
def test_negotiate_picks_the_representation_the_client_prefers(accept: str | None, expected: str | None) -> None:
    """Browsers get HTML, RDF clients their format by q-value; `*/*` or nothing gets Turtle; no match is None."""
    assert negotiate(accept) == expected


@pytest.mark.parametrize(
    ("format_param", "expected"),
    [
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
        ("rdf", "application/rdf+xml"),
        ("html", "text/html"),
        ("csv", None),
    ],
)
def test_negotiate_lets_format_override_accept(format_param: str, expected: str | None) -> None:
    """`format=` wins over the Accept header, as on /sparql."""
    assert negotiate("text/html", format_param) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("org/dresden.ttl", ("org/dresden", "text/turtle")),
        ("org/dresden.jsonld", ("org/dresden", "application/ld+json")),
        ("org/dresden.nt", ("org/dresden", "application/n-triples")),
        ("org/dresden.rdf", ("org/dresden", "application/rdf+xml")),
        ("org/dresden.html", ("org/dresden", "text/html")),
        ("org/dresden", ("org/dresden", None)),
        (".ttl", (".ttl", None)),
    ],
)
def test_split_suffix_names_one_representation(path: str, expected: tuple[str, str | None]) -> None:
    """A suffix selects a format for links; without one the path is unchanged."""
    assert split_suffix(path) == expected


def test_every_representation_has_a_suffix_and_a_link() -> None:
    """Each representation can be linked to by suffix, and the Link header names them all."""
    assert set(REPRESENTATIONS) == set(SUFFIXES.values())
    header = link_header("/id/org/dresden")
    for media_type in REPRESENTATIONS:
        assert f'type="{media_type}"' in header


@pytest.mark.parametrize("bad", ["https://w3id.org/govsocial/id/x> } ; DROP ALL ; <y", "a b", 'x"y', "x{y}"])
def test_values_refuses_anything_that_is_not_an_iri(bad: str) -> None:
    """Page queries bind only validated IRIs: text that could end the IRI reference never reaches SPARQL."""
    with pytest.raises(InvalidIri):
        values("this", [bad])


# ---------------------------------------------------------------------------------------------
# The description on the store
# ---------------------------------------------------------------------------------------------


def test_description_holds_the_statements_about_the_resource(queries: PageQueries) -> None:
    """Outgoing statements: the Landtag's labels in both languages and its place in the hierarchy."""
    found = set(rdf_description(queries, LANDTAG))
    assert (
        Triple(NamedNode(LANDTAG), NamedNode(RDFS + "label"), Literal("Niedersächsischer Landtag", language="de"))
        in found
    )
    assert (
        Triple(NamedNode(LANDTAG), NamedNode(RDFS + "label"), Literal("Landtag of Lower Saxony", language="en"))
        in found
    )
    assert Triple(NamedNode(LANDTAG), NamedNode(ORG + "subOrganizationOf"), NamedNode(NIEDERSACHSEN)) in found


def test_description_holds_the_statements_pointing_at_the_resource(queries: PageQueries) -> None:
    """Incoming statements: the departure event names the Landtag as its institution."""
    found = set(rdf_description(queries, LANDTAG))
    assert Triple(NamedNode(LANDTAG_DEPARTURE), NamedNode(GS + "institution"), NamedNode(LANDTAG)) in found


def test_description_labels_what_the_resource_links_to_and_from(queries: PageQueries) -> None:
    """A client can show the linked resources by name without fetching each one."""
    found = set(rdf_description(queries, LANDTAG))
    assert Triple(NamedNode(NIEDERSACHSEN), NamedNode(RDFS + "label"), Literal("Niedersachsen", language="de")) in found
    assert (
        Triple(
            NamedNode(LANDTAG_DEPARTURE),
            NamedNode(RDFS + "label"),
            Literal("Landtag of Lower Saxony leaves X", language="en"),
        )
        in found
    )


def test_description_of_an_unknown_iri_is_empty(queries: PageQueries) -> None:
    """Nothing is invented for an IRI the graph does not mention."""
    assert rdf_description(queries, GSID + "org/does-not-exist") == []


# ---------------------------------------------------------------------------------------------
# Over HTTP
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def get(http: InProcess) -> Callable[..., Any]:
    """GET a path of the app under test."""

    def fetch(path: str, accept: str | None = None, **kwargs) -> Any:
        headers = {"Accept": accept} if accept else {}
        return http.get(path, headers=headers, **kwargs)

    return fetch


@pytest.mark.parametrize("media_type", list(RDF_FORMATS))
def test_resource_iri_answers_rdf_clients_in_their_format(get, media_type: str) -> None:
    """/id/... with an RDF Accept header returns the description, parseable, in that format."""
    response = get("/id/org/niedersaechsischer-landtag", media_type)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers["Vary"]
    found = triples_of(response.content, media_type)
    assert Triple(NamedNode(LANDTAG_DEPARTURE), NamedNode(GS + "institution"), NamedNode(LANDTAG)) in found


def test_resource_iri_answers_a_browser_with_the_page(get) -> None:
    """A browser's Accept header gets the HTML page."""
    response = get("/id/org/niedersaechsischer-landtag", BROWSER_ACCEPT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<h1" in response.text and "Niedersächsischer Landtag" in response.text


def test_resource_iri_without_accept_answers_turtle(get) -> None:
    """curl without -H gets Turtle, the most readable RDF."""
    response = get("/id/platform/x")
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert "@prefix" in response.text


@pytest.mark.parametrize(("suffix", "media_type"), [(s, m) for s, m in SUFFIXES.items()])
def test_suffix_url_serves_one_format_whatever_the_accept_header(get, suffix: str, media_type: str) -> None:
    """`.ttl`, `.jsonld`, `.nt`, `.rdf`, `.html` are for links: the suffix decides, not Accept."""
    response = get(
        "/id/org/niedersaechsischer-landtag" + suffix, "text/html" if media_type != "text/html" else "text/turtle"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    if media_type in RDF_FORMATS:
        assert triples_of(response.content, media_type)


def test_negotiated_answer_names_its_alternates_and_location(get) -> None:
    """Link lists every representation by suffix URL; Content-Location names the one sent."""
    response = get("/id/org/dresden", "application/ld+json")
    link = response.headers["Link"]
    for suffix, media_type in SUFFIXES.items():
        relation = "alternate" if media_type == "text/html" else "alternate describedby"
        assert f'</id/org/dresden{suffix}>; rel="{relation}"; type="{media_type}"' in link
    assert response.headers["Content-Location"] == "/id/org/dresden.jsonld"


def test_link_and_content_location_are_readable_by_browser_clients(get) -> None:
    """CORS exposes Link and Content-Location, so a script on another origin can follow `describedby`."""
    exposed = get("/id/org/dresden", "text/turtle").headers["Access-Control-Expose-Headers"]
    assert {"Link", "Content-Location"} <= {name.strip() for name in exposed.split(",")}


def test_accounts_with_slashes_in_their_path_resolve(get) -> None:
    """IRIs with more than one segment after the kind (accounts) dereference too."""
    response = get("/id/account/x/bmvg.nt")
    assert response.status_code == 200
    assert "<https://w3id.org/govsocial/id/account/x/bmvg>" in response.text


def test_unknown_iri_is_a_404_page_with_help_for_people(get) -> None:
    """A browser gets a 404 page that names the IRI and offers search and suggestions."""
    response = get("/id/org/niedersaechsischer-landtagg", BROWSER_ACCEPT)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert "https://w3id.org/govsocial/id/org/niedersaechsischer-landtagg" in response.text
    assert 'href="/search"' in response.text


def test_unknown_iri_is_a_404_json_error_for_programs(get) -> None:
    """An RDF client gets the endpoint's one JSON error shape."""
    response = get("/id/org/does-not-exist", "text/turtle")
    assert response.status_code == 404
    body = response.json()
    assert body["ok"] is False and body["type"] == "not_found" and body["status"] == 404


def test_iri_with_characters_sparql_cannot_hold_is_a_404(get) -> None:
    """A path that is no valid IRI (here with `>` and a space) is simply not found, never an error."""
    response = get("/id/org/a%3E%20b", "text/turtle")
    assert response.status_code == 404


def test_unacceptable_accept_is_a_406(get) -> None:
    """Nothing we offer is an image."""
    response = get("/id/org/dresden", "image/png")
    assert response.status_code == 406


def test_unchanged_description_is_a_304(get, http: InProcess) -> None:
    """The ETag follows the dataset version: a client that has it gets 304."""
    first = get("/id/org/dresden", "text/turtle")
    again = http.get(first.url, headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_ontology_iri_answers_rdf_with_the_whole_ontology_graph(get, store: Store) -> None:
    """/ontology as Turtle holds every class the ontology graph declares."""
    response = get("/ontology", "text/turtle")
    assert response.status_code == 200
    found = triples_of(response.content, "text/turtle")
    classes = {
        s["c"].value
        for s in store.query(
            "SELECT ?c WHERE { GRAPH <https://w3id.org/govsocial/graph/ontology> "
            "{ ?c a <http://www.w3.org/2002/07/owl#Class> } FILTER(isIRI(?c)) }"
        )
    }
    assert classes
    declared = {
        t.subject.value for t in found if t.predicate.value.endswith("#type") and t.object.value.endswith("owl#Class")
    }
    assert classes <= declared


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".nt", ".rdf"])
def test_ontology_suffix_urls_serve_their_format(get, suffix: str) -> None:
    """The ontology has suffix URLs like every resource."""
    response = get("/ontology" + suffix)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == SUFFIXES[suffix]


def test_json_ld_is_compacted_with_a_context_and_means_the_same_triples(get) -> None:
    """JSON-LD answers carry our prefixes as @context and compact IRIs; a JSON-LD processor (rdflib) reads
    exactly the triples the N-Triples answer has."""
    import json

    import rdflib
    from rdflib.compare import isomorphic

    answer = get("/id/platform/x", "application/ld+json")
    document = json.loads(answer.content)
    assert set(document) == {"@context", "@graph"} and document["@context"]["gs"].endswith("ontology#")
    assert any(key.startswith("rdfs:") for node in document["@graph"] for key in node)
    as_jsonld = rdflib.Graph().parse(data=answer.content, format="json-ld")
    as_nt = rdflib.Graph().parse(data=get("/id/platform/x", "application/n-triples").content, format="nt")
    assert len(as_jsonld) == len(as_nt) > 0
    assert isomorphic(as_jsonld, as_nt)
    assert len(answer.content) < len(get("/id/platform/x", "application/n-triples").content)
