"""What the build derives into `…/graph/derived` (presence periods, gs:withinLand), and the shapes of the terms
added in 2026-12 (time bounds, quotations, kinds of exception), each refusing what it should."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import Store

from server.build.derive import Change, periods
from server.build.inputs import InputError
from server.build.pipeline import build
from server.build.validation.problems import ValidationFailed
from server.rdf.namespaces import GS, GSID, graph_iri

from .support import ONTOLOGY_DIR, copy_curated
from .test_build import PREFIXES, TEST_SOURCE

ORG = GSID + "org/"
X = GSID + "platform/x"
DERIVED = graph_iri("derived")


# --------------------------------------------------------------------------------------------------
# gs:withinLand
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("holder", "land"),
    [
        (ORG + "dresden", ORG + "sachsen"),  # a city, by gs:locatedIn
        (ORG + "landkreis-zwickau", ORG + "sachsen"),  # a district
        (ORG + "zwickau", ORG + "sachsen"),  # a town, through its district
        (ORG + "polizei-sachsen", ORG + "sachsen"),  # a police force, by parent organisation and jurisdiction
        (ORG + "sachsen", ORG + "sachsen"),  # a Land is within itself, so its own events count for it
        (GSID + "person/hanna-naber", ORG + "niedersachsen"),  # a person, by membership
    ],
)
def test_within_land_links_each_body_and_person_to_its_land(ask, holder: str, land: str) -> None:
    assert ask(f"ASK {{ GRAPH <{DERIVED}> {{ <{holder}> gs:withinLand <{land}> }} }}")


@pytest.mark.parametrize("body", [ORG + "bmvg", ORG + "bundeswehr", ORG + "deutschland", ORG + "eu-kommission"])
def test_federal_and_supranational_bodies_are_within_no_land(ask, body: str) -> None:
    assert ask(f"ASK {{ <{body}> ?p ?o }}"), "the body must exist for the test to mean something"
    assert not ask(f"ASK {{ <{body}> gs:withinLand ?land }}")


def test_every_public_institution_with_a_land_jurisdiction_is_within_that_land(select) -> None:
    """Bodies that only say gs:jurisdiction (most imported ones) are within their Land too."""
    missing = select(
        """SELECT ?body ?land WHERE {
             ?body a/rdfs:subClassOf* gs:PublicInstitution ; gs:jurisdiction/gs:locatedIn* ?land .
             ?land a gs:FederalState .
             FILTER NOT EXISTS { ?body gs:withinLand ?land }
             FILTER NOT EXISTS { ?body gs:level gs:FederalLevel }
           }"""
    )
    assert missing == []


def test_events_per_land_counts_the_imported_bodies_of_hessen(select) -> None:
    """Hessen's joinings, counted through gs:withinLand, include those of bodies linked only by jurisdiction."""
    [row] = select(
        """SELECT (COUNT(DISTINCT ?event) AS ?n) WHERE {
             ?event a gs:Joining ; gs:institution ?body . ?body gs:withinLand institution:hessen }"""
    )
    by_jurisdiction_only = select(
        """SELECT DISTINCT ?event WHERE {
             ?event a gs:Joining ; gs:institution ?body . ?body gs:jurisdiction/gs:locatedIn* institution:hessen .
             FILTER NOT EXISTS { ?body (org:subOrganizationOf|gs:locatedIn|org:memberOf)+ institution:hessen } }"""
    )
    [linked] = select(
        """SELECT (COUNT(DISTINCT ?event) AS ?n) WHERE {
             ?event a gs:Joining ; gs:institution ?body .
             ?body (gs:jurisdiction|org:subOrganizationOf|gs:locatedIn|org:memberOf)+ institution:hessen }"""
    )
    assert int(row["n"]) == int(linked["n"]) >= 10
    assert by_jurisdiction_only, "some of Hessen's joinings are by bodies linked to it by jurisdiction alone"


# --------------------------------------------------------------------------------------------------
# Presence periods
# --------------------------------------------------------------------------------------------------


def change(event: str, kind: str, day: str | None, platform: str = X) -> Change:
    return Change(GSID + "event/" + event, GS + kind, ORG + "body", False, platform, None, day)


def test_a_departure_implies_an_active_period_before_it_with_no_start() -> None:
    found = periods([change("leaves", "Departure", "2024-02-01")])
    assert [(p.status, p.start, p.end and p.end.event) for p in found] == [
        (GS + "Active", None, GSID + "event/leaves"),
        (GS + "Ended", found[1].start, None),
    ]
    assert found[1].start.day == "2024-02-01"


def test_joining_suspension_departure_give_three_periods_in_order_of_their_days() -> None:
    found = periods(
        [
            change("c-leaves", "Departure", "2025-03-01"),
            change("a-joins", "Joining", "2020-01-01"),
            change("b-pauses", "Suspension", "2025-01-15"),
        ]
    )
    assert [p.status.rsplit("#")[-1] for p in found] == ["Active", "Paused", "Ended"]
    assert [(p.start and p.start.day, p.end and p.end.day) for p in found] == [
        ("2020-01-01", "2025-01-15"),
        ("2025-01-15", "2025-03-01"),
        ("2025-03-01", None),
    ]


def test_a_second_joining_changes_nothing_and_platforms_are_kept_apart() -> None:
    found = periods(
        [
            change("joins", "Joining", "2024-06-10"),
            change("joins-again", "Joining", "2024-07-24"),
            change("elsewhere", "Joining", "2024-01-01", platform=GSID + "platform/mastodon"),
        ]
    )
    assert len(found) == 2
    assert {p.platform for p in found} == {X, GSID + "platform/mastodon"}


def test_dresden_was_active_on_x_until_february_2024_and_has_left_since(select) -> None:
    rows = select(
        f"""SELECT ?status ?start ?end ?from WHERE {{
              GRAPH <{DERIVED}> {{ ?period a gs:PresencePeriod ; gs:institution institution:dresden ;
                                          gs:platform platform:x ; gs:status ?status ; prov:wasDerivedFrom ?from }}
              OPTIONAL {{ ?period gs:start ?start }} OPTIONAL {{ ?period gs:end ?end }} }}"""
    )
    departure = GSID + "event/2024-02-dresden-x-departure"
    assert {(r["status"], r.get("start"), r.get("end"), r["from"]) for r in rows} == {
        (GS + "Active", None, "2024-02-01", departure),
        (GS + "Ended", "2024-02-01", None, departure),
    }


def test_every_period_has_german_and_english_labels_and_is_in_the_derived_graph(select) -> None:
    counts = select(
        f"""SELECT (COUNT(DISTINCT ?p) AS ?all) (COUNT(DISTINCT ?inDerived) AS ?derived)
                   (COUNT(DISTINCT ?de) AS ?german) WHERE {{
              ?p a gs:PresencePeriod .
              OPTIONAL {{ GRAPH <{DERIVED}> {{ ?p a gs:PresencePeriod }} BIND(?p AS ?inDerived) }}
              OPTIONAL {{ ?p rdfs:label ?label FILTER(lang(?label) = "de") BIND(?p AS ?de) }} }}"""
    )[0]
    assert int(counts["all"]) > 100
    assert counts["all"] == counts["derived"] == counts["german"]


def test_who_was_active_on_x_on_a_day_is_one_pattern(select) -> None:
    """On 1 January 2024 Dresden was on X (it left in February); on 1 March 2024 it was not."""

    def active_on(day: str) -> set[str]:
        rows = select(
            f"""SELECT ?who WHERE {{
                  ?p a gs:PresencePeriod ; gs:platform platform:x ; gs:status gs:Active ; gs:institution ?who .
                  OPTIONAL {{ ?p gs:start ?start }} OPTIONAL {{ ?p gs:end ?end }}
                  FILTER((!BOUND(?start) || ?start <= "{day}"^^xsd:date) && (!BOUND(?end) || ?end > "{day}"^^xsd:date))
                }}"""
        )
        return {row["who"] for row in rows}

    assert ORG + "dresden" in active_on("2024-01-01")
    assert ORG + "dresden" not in active_on("2024-03-01")


# --------------------------------------------------------------------------------------------------
# The shapes of the new terms refuse what they should
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def curated_only(tmp_path: Path) -> dict[str, Path]:
    ontology, data = tmp_path / "ontology", tmp_path / "data"
    shutil.copytree(ONTOLOGY_DIR, ontology)
    copy_curated(data / "curated")
    return {"ontology": ontology, "data": data, "store": tmp_path / "store"}


EVENT_BASE = (
    'event:2024-07-test-mastodon-joining a gs:Joining ; rdfs:label "Testereignis"@de ; '
    "gs:institution institution:dresden ; gs:platform platform:mastodon ; prov:wasDerivedFrom source:test-fixture"
)
SCHEMA = "@prefix schema: <http://schema.org/> .\n"


@pytest.mark.parametrize(
    ("statements", "words"),
    [
        (
            EVENT_BASE + ' ; gs:notBefore "2024-08-01"^^xsd:date ; gs:notAfter "2024-07-24"^^xsd:date .',
            "notBefore later than its gs:notAfter",
        ),
        (EVENT_BASE + ' ; gs:notAfter "24.07.2024" .', "gs:notAfter must be at most one valid xsd:date"),
        (EVENT_BASE + ' ; gs:dateText "seit Anfang Oktober" .', "gs:dateText must be"),
        (
            EVENT_BASE + ' ; gs:date "2024-07-24"^^xsd:date ; gs:datePrecision gs:DayPrecision ; '
            'gs:notAfter "2024-07-24"^^xsd:date .',
            "needs no bounds",
        ),
        (EVENT_BASE + " ; gs:exceptionKind gs:CrisisCommunication .", "neither a gs:Suspension nor a gs:Retention"),
        (
            EVENT_BASE + ' .\n<https://w3id.org/govsocial/id/quotation/t> a gs:Quotation ; rdfs:label "Zitat"@de ; '
            'schema:text "Wir sind jetzt da."@de ; gs:quotationOf event:2024-07-test-mastodon-joining ; '
            "prov:wasDerivedFrom source:test-fixture .",
            "prov:wasAttributedTo",
        ),
        (EVENT_BASE + ' ; gs:evidence "' + "x" * 301 + '"@de .', "more than 300 characters"),
        (
            EVENT_BASE + ' .\nsource:test-web a gs:Source, schema:WebPage ; rdfs:label "Seite"@de ; '
            'schema:url <https://example.org/page> ; dcterms:title "Seite"@de .',
            "lacks dcterms:title, dcterms:publisher or dcterms:language",
        ),
    ],
    ids=[
        "bounds-reversed",
        "bound-not-a-date",
        "words-without-language",
        "day-and-bounds",
        "exception-kind-on-a-joining",
        "quotation-without-speaker",
        "evidence-too-long",
        "web-source-without-publisher",
    ],
)
def test_the_new_shapes_refuse_what_they_should(curated_only, statements: str, words: str) -> None:
    (curated_only["data"] / "curated" / "zz-fixture.ttl").write_text(
        PREFIXES + SCHEMA + TEST_SOURCE + "\n" + statements + "\n", encoding="utf-8"
    )
    with pytest.raises(ValidationFailed) as refused:
        build(curated_only["store"], curated_only["ontology"], curated_only["data"])
    assert any(words in problem.message for problem in refused.value.problems), refused.value.report()


def test_a_valid_use_of_the_new_terms_builds_and_derives_from_it(curated_only) -> None:
    """The positive control: bounds, the source's words and an attributed quotation pass, and the joining
    opens an active period whose start is its gs:notAfter."""
    statements = (
        EVENT_BASE + ' ; gs:notAfter "2024-07-24"^^xsd:date ; gs:dateText "nutzt jetzt"@de .\n'
        '<https://w3id.org/govsocial/id/quotation/t> a gs:Quotation ; rdfs:label "Zitat"@de ; '
        'schema:text "Wir sind jetzt da."@de ; gs:quotationOf event:2024-07-test-mastodon-joining ; '
        "prov:wasAttributedTo institution:dresden ; prov:wasDerivedFrom source:test-fixture ."
    )
    (curated_only["data"] / "curated" / "zz-fixture.ttl").write_text(
        PREFIXES + SCHEMA + TEST_SOURCE + "\n" + statements + "\n", encoding="utf-8"
    )
    info = build(curated_only["store"], curated_only["ontology"], curated_only["data"])
    assert info.graphs[DERIVED] > 0
    store = Store.read_only(str(next((curated_only["store"] / "builds").iterdir()) / "oxigraph"))
    starts = {
        row["start"].value
        for row in store.query(
            f"""SELECT ?start WHERE {{ GRAPH <{DERIVED}> {{
                  ?p <{GS}startEvent> <{GSID}event/2024-07-test-mastodon-joining> ; <{GS}start> ?start }} }}"""
        )
    }
    assert starts == {"2024-07-24"}


def test_a_data_folder_may_not_take_the_name_of_the_derived_graph(curated_only) -> None:
    (curated_only["data"] / "derived").mkdir()
    (curated_only["data"] / "derived" / "x.ttl").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="derived"):
        build(curated_only["store"], curated_only["ontology"], curated_only["data"])
