"""Competency questions: what a researcher of the X exodus must be able to ask the graph, answered on our data.

Each test asks one question in the graph's own vocabulary (ASK, or a SELECT checked in Python), not
through the example queries, so a broken example and a broken fact cannot hide each other.
The facts come from the two source articles and the reference table entities.tsv.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable

import pytest

from .support import DATA_DIR, SHARED_DIR

Rows = list[dict[str, str]]
Select = Callable[[str], Rows]
Ask = Callable[[str], bool]

ENTITIES_TSV = SHARED_DIR / "reference" / "entities.tsv"

GS = "https://w3id.org/govsocial/ontology#"
ORG = "https://w3id.org/govsocial/id/org/"
EVENT = "https://w3id.org/govsocial/id/event/"
PLATFORM = "https://w3id.org/govsocial/id/platform/"
REASON = "https://w3id.org/govsocial/id/reason/"
WD = "http://www.wikidata.org/entity/"

EVENT_CLASSES = ["Joining", "Departure", "Suspension", "Retention", "Consideration", "Campaign"]

#: Every platform event, through the class hierarchy (the store holds no inferred triples).
EVENTS = "?event a ?class . ?class rdfs:subClassOf* gs:PlatformEvent ."


# ---------------------------------------------------------------------------------------------
# Departures and suspensions of X
# ---------------------------------------------------------------------------------------------


def test_niedersaechsischer_landtag_left_x_by_17_january_2025_over_hate_speech_and_absent_moderation(ask: Ask) -> None:
    """Article 000 (17.01.2025): the Landtag stops its activities on X "ab sofort", so it left by that day (no
    date is stated), as its president Naber stated, citing hate speech and absent moderation; the event is
    traceable to the article's file and quotes its sentence."""
    assert ask(
        """ASK {
             ?event a gs:Departure ;
                    gs:institution institution:niedersaechsischer-landtag ;
                    gs:platform platform:x ;
                    gs:notAfter "2025-01-17"^^xsd:date ;
                    gs:dateText "ab sofort"@de ;
                    gs:evidence ?evidence ;
                    gs:reason reason:hate-speech , reason:absent-moderation ;
                    gs:statedBy person:hanna-naber ;
                    prov:wasDerivedFrom ?source .
             ?source a gs:Source ; dcterms:isPartOf*/dcterms:identifier "000_50b5389e1d91c086.txt" .
             FILTER NOT EXISTS { ?event gs:date ?date }
             FILTER(CONTAINS(STR(?evidence), "ab sofort ein"))
           }"""
    )


def test_dresden_left_x_in_february_2024_for_threads_and_whatsapp(ask: Ask) -> None:
    """Article 004: "Seit Februar 2024" Dresden no longer posts on X and uses Threads and WhatsApp instead."""
    assert ask(
        """ASK {
             ?event a gs:Departure ;
                    gs:institution institution:dresden ;
                    gs:platform platform:x ;
                    gs:date "2024-02-01"^^xsd:date ;
                    gs:datePrecision gs:MonthPrecision ;
                    gs:alternativePlatform platform:threads , platform:whatsapp .
           }"""
    )


def test_bmvg_suspended_but_did_not_leave_x_on_15_january_2025(ask: Ask) -> None:
    """Article 000: the BMVg lets X rest since 15 January with an exception and WhatsApp instead; it does not leave."""
    assert ask(
        """ASK {
             ?event a gs:Suspension ;
                    gs:institution institution:bmvg ;
                    gs:platform platform:x ;
                    gs:date "2025-01-15"^^xsd:date ;
                    gs:datePrecision gs:DayPrecision ;
                    gs:exception ?exception ;
                    gs:alternativePlatform platform:whatsapp .
             FILTER NOT EXISTS { ?departure a gs:Departure ; gs:institution institution:bmvg ; gs:platform platform:x }
           }"""
    )


def test_chemnitz_keeps_x_for_disasters_only_for_bots_false_reports_and_lost_debate(select: Select) -> None:
    """Article 004: Chemnitz stopped posting on X except for disasters, for exactly the three reasons Nowak gave."""
    rows = select(
        """SELECT ?reason WHERE {
             ?event a gs:Suspension ; gs:institution institution:chemnitz ; gs:platform platform:x ;
                    gs:exception "nur noch für den Katastrophenfall"@de ; gs:reason ?reason .
           }"""
    )
    assert {row["reason"] for row in rows} == {
        REASON + "bots",
        REASON + "uncorrectable-false-reports",
        REASON + "loss-of-factual-debate",
    }


def test_chemnitz_suspension_has_no_date_because_the_year_is_not_given(ask: Ask) -> None:
    """ "Anfang Januar" without a year must not be guessed into a date (curation rule 4)."""
    assert ask("ASK { ?event a gs:Suspension ; gs:institution institution:chemnitz ; gs:platform platform:x }")
    assert not ask(
        """ASK { ?event a gs:Suspension ; gs:institution institution:chemnitz ; gs:platform platform:x .
                 { ?event gs:date ?date } UNION { ?event gs:datePrecision ?precision } }"""
    )


# ---------------------------------------------------------------------------------------------
# Joinings and accounts
# ---------------------------------------------------------------------------------------------


def test_polizei_sachsen_started_a_whatsapp_channel_by_14_june_2024(ask: Ask) -> None:
    """Item of 14.06.2024: Polizei Sachsen "startet" its own WhatsApp channel. A present tense is no date: the
    joining is bounded by the item's day, not dated to its month."""
    assert ask(
        """ASK {
             ?event a gs:Joining ; gs:institution institution:polizei-sachsen ; gs:platform platform:whatsapp ;
                    gs:notAfter "2024-06-14"^^xsd:date .
             FILTER NOT EXISTS { ?event gs:date ?date }
           }"""
    )


@pytest.mark.parametrize(
    ("holder", "platform", "handle"),
    [
        ("finanzministerium-baden-wuerttemberg", "tiktok", "finanzenbw"),
        ("niedersaechsisches-finanzministerium", "instagram", "finanzen.nds"),
    ],
    ids=["finanzministerium-bw-tiktok", "finanzministerium-nds-instagram"],
)
def test_account_handle_is_the_one_the_article_gives(select: Select, holder: str, platform: str, handle: str) -> None:
    """The only two handles the articles name, held by the right ministry on the right platform."""
    rows = select(
        """SELECT ?holder ?platform ?handle WHERE {
             ?account a gs:Account ; gs:heldBy ?holder ; gs:platform ?platform ; gs:handle ?handle }"""
    )
    assert {"holder": ORG + holder, "platform": PLATFORM + platform, "handle": handle} in rows


# ---------------------------------------------------------------------------------------------
# Regulation
# ---------------------------------------------------------------------------------------------


def test_eu_commission_dsa_proceedings_against_x_are_a_regulatory_action(ask: Ask) -> None:
    """Item of 20.12.2023: the Commission's formal proceedings against X under the DSA."""
    assert ask(
        """ASK {
             ?action a gs:RegulatoryAction ; gs:platform platform:x ; gs:institution institution:eu-kommission ;
                     gs:legalBasis <https://w3id.org/govsocial/id/law/dsa> .
           }"""
    )


# ---------------------------------------------------------------------------------------------
# Hierarchy and territory
# ---------------------------------------------------------------------------------------------


def test_bundeswehr_sits_under_the_bmvg_the_bundesregierung_and_deutschland(ask: Ask) -> None:
    """The reference table's chain: Bundeswehr > BMVg > Bundesregierung > Deutschland, one link at a time."""
    assert ask(
        """ASK {
             institution:bundeswehr org:subOrganizationOf institution:bmvg .
             institution:bmvg org:subOrganizationOf institution:bundesregierung .
             institution:bundesregierung org:subOrganizationOf institution:deutschland .
           }"""
    )


def test_bmvg_and_bundeswehr_link_to_different_wikidata_items(select: Select) -> None:
    """The trap of the reference table: the ministry is Q493353, the armed forces Q56010, never the other."""
    rows = select(
        """SELECT ?resource ?item WHERE {
             VALUES ?resource { institution:bmvg institution:bundeswehr } ?resource owl:sameAs ?item }"""
    )
    assert {(row["resource"], row["item"]) for row in rows} == {
        (ORG + "bmvg", WD + "Q493353"),
        (ORG + "bundeswehr", WD + "Q56010"),
    }


def test_zwickau_lies_in_landkreis_zwickau_which_lies_in_sachsen(ask: Ask) -> None:
    """Zwickau is not kreisfrei: city > Landkreis Zwickau (Q6330) > Sachsen (Q1202)."""
    assert ask(
        """ASK {
             institution:zwickau gs:locatedIn ?district .
             ?district owl:sameAs wd:Q6330 ; gs:locatedIn ?land .
             ?land owl:sameAs wd:Q1202 .
           }"""
    )


def test_dresden_lies_in_sachsen_directly(ask: Ask) -> None:
    """Dresden is a kreisfreie Stadt: its parent territory is the Land itself."""
    assert ask("ASK { institution:dresden gs:locatedIn institution:sachsen }")


@pytest.mark.parametrize(
    ("place", "ags"),
    [("dresden", "14612000"), ("chemnitz", "14511000"), ("zwickau", "14524330"), ("landkreis-zwickau", "14524")],
)
def test_territorial_body_has_its_official_key(select: Select, place: str, ags: str) -> None:
    """AGS from the reference table (8 digits for a city, the 5-digit Kreisschlüssel for the Landkreis)."""
    rows = select("SELECT ?place ?ags WHERE { ?place gs:ags ?ags }")
    assert [row["ags"] for row in rows if row["place"] == ORG + place] == [ags]


INDEPENDENT_BODIES = ["niedersaechsischer-landtag", "lfd-niedersachsen", "bfdi"]

UNDER_A_GOVERNMENT_OR_MINISTRY = """
SELECT DISTINCT ?body WHERE {
  VALUES ?class { gs:Government gs:Ministry }
  ?body org:subOrganizationOf+ ?superior .
  ?superior a/rdfs:subClassOf* ?class .
}
"""


@pytest.mark.parametrize("body", INDEPENDENT_BODIES)
def test_independent_body_is_not_under_a_government_or_ministry(select: Select, body: str) -> None:
    """Parliaments and data-protection commissioners are independent (curation rule 8): no chain of
    org:subOrganizationOf leads from them to a government or a ministry."""
    under = {row["body"] for row in select(UNDER_A_GOVERNMENT_OR_MINISTRY)}
    assert ORG + body not in under


def test_subordinate_bodies_are_found_under_a_government_or_ministry(select: Select) -> None:
    """The independence check can find a subordinate body at all: Polizei Sachsen is under the SMI."""
    under = {row["body"] for row in select(UNDER_A_GOVERNMENT_OR_MINISTRY)}
    assert {ORG + "polizei-sachsen", ORG + "bundeswehr", ORG + "finanzverwaltung-nordrhein-westfalen"} <= under


# ---------------------------------------------------------------------------------------------
# Events as a whole
# ---------------------------------------------------------------------------------------------


def test_every_platform_event_has_exactly_one_platform(select: Select) -> None:
    """An event is about one platform (curation rule 6); a statement about two platforms gives two events."""
    violators = select(
        f"""SELECT ?event (COUNT(DISTINCT ?platform) AS ?platforms) WHERE {{
              {EVENTS} OPTIONAL {{ ?event gs:platform ?platform }}
            }} GROUP BY ?event HAVING (COUNT(DISTINCT ?platform) != 1)"""
    )
    assert violators == []


def test_every_platform_event_is_derived_from_a_source(select: Select) -> None:
    """Provenance everywhere (curation rule 2): each event cites at least one source."""
    violators = select(
        f"SELECT DISTINCT ?event WHERE {{ {EVENTS} FILTER NOT EXISTS {{ ?event prov:wasDerivedFrom ?source }} }}"
    )
    assert violators == []


def test_there_are_at_least_thirty_platform_events(select: Select) -> None:
    """The two articles report 32 platform events; fewer than 30 means a file was lost."""
    assert len(select(f"SELECT DISTINCT ?event WHERE {{ {EVENTS} }}")) >= 30


@pytest.mark.parametrize("kind", EVENT_CLASSES)
def test_every_event_class_has_an_instance(select: Select, kind: str) -> None:
    """The articles report each of the six kinds of platform event at least once."""
    rows = select("SELECT DISTINCT ?class WHERE { ?event a ?class . ?class rdfs:subClassOf gs:PlatformEvent }")
    assert {"class": GS + kind} in rows


#: gs:datePrecision -> how many characters of the ISO date the event IRI carries.
DATE_PART = {GS + "DayPrecision": 10, GS + "MonthPrecision": 7, GS + "YearPrecision": 4}


def _date_part(row: dict[str, str]) -> str:
    """The date as an event IRI spells it: cut to its precision; without a date the month of gs:notAfter,
    else 'undated'; '?' if unreadable."""
    if "date" not in row:
        return row["notAfter"][:7] if "notAfter" in row else "undated"
    length = DATE_PART.get(row.get("precision", ""))
    return row["date"][:length] if length else "?"


def test_every_event_iri_spells_its_date_holder_platform_and_kind(select: Select) -> None:
    """event/{date at its precision | undated}-{holder slug}-{platform slug}-{kind}: the IRI must agree with
    gs:date/gs:datePrecision, the holder, the platform and the class (data/README.md)."""
    rows = select(
        f"""SELECT ?event ?class ?holder ?platform ?date ?precision ?notAfter WHERE {{
              {EVENTS} FILTER(?class != gs:PlatformEvent)
              OPTIONAL {{ ?event gs:institution|gs:person ?holder }}
              OPTIONAL {{ ?event gs:platform ?platform }}
              OPTIONAL {{ ?event gs:date ?date }}
              OPTIONAL {{ ?event gs:notAfter ?notAfter }}
              OPTIONAL {{ ?event gs:datePrecision ?precision }}
            }}"""
    )
    assert len(rows) >= 30
    wrong = []
    for row in rows:
        date = _date_part(row)
        holder = row.get("holder", "?").rsplit("/", 1)[-1]
        platform = row.get("platform", "?").rsplit("/", 1)[-1]
        kind = row["class"].removeprefix(GS).lower()
        expected = f"{EVENT}{date}-{holder}-{platform}-{kind}"
        if row["event"] != expected:
            wrong.append((row["event"], expected))
    assert wrong == []


# ---------------------------------------------------------------------------------------------
# Wikidata links
# ---------------------------------------------------------------------------------------------


def _qids_with_confidence() -> dict[str, set[str]]:
    """QIDs of the reference table by confidence ("verified", "likely", ...); skips if the table is missing."""
    if not ENTITIES_TSV.is_file():
        pytest.skip(f"reference table not available at {ENTITIES_TSV}")
    qids: dict[str, set[str]] = {}
    with ENTITIES_TSV.open(encoding="utf-8", newline="") as table:
        for row in csv.DictReader(table, delimiter="\t"):
            if row["wikidata_qid"].strip():
                qids.setdefault(row["confidence"].strip(), set()).add(row["wikidata_qid"].strip())
    return qids


QIDS_TSV = DATA_DIR / "curated" / "qids.tsv"


def _checked_here() -> dict[str, dict[str, str]]:
    """The QIDs data/curated/qids.tsv records, each with two sources that quote it."""
    with QIDS_TSV.open(encoding="utf-8", newline="") as table:
        return {row["qid"]: row for row in csv.DictReader(table, delimiter="\t")}


def test_every_qid_checked_here_has_two_sources_that_quote_it_and_one_resource(select: Select) -> None:
    """Curation rule 3: a QID beyond the reference table needs two independent public sources, each quoted with the
    QID in its words, and it links exactly one resource of ours (a second would be made the same by owl:sameAs)."""
    rows = _checked_here()
    assert rows
    for qid, row in rows.items():
        assert row["source_1"] != row["source_2"], qid
        assert qid in row["excerpt_1"] and qid in row["excerpt_2"], qid
        holders = select(f"SELECT DISTINCT ?r WHERE {{ ?r owl:sameAs wd:{qid} }}")
        assert [h["r"] for h in holders] == [row["resource"]], qid


def test_every_owl_same_as_target_is_a_verified_qid(select: Select) -> None:
    """Curation rule 3: in the curated graph, owl:sameAs only to a QID the reference table marks "verified".

    (The imports take their QIDs from the Wikidata-derived data sets they import, each in its own graph.)
    """
    verified = _qids_with_confidence()["verified"] | set(_checked_here())
    curated = "SELECT DISTINCT ?item WHERE { GRAPH <https://w3id.org/govsocial/graph/curated> { ?r owl:sameAs ?item } }"
    targets = {row["item"] for row in select(curated)}
    assert targets
    qids = {re.sub(r"^http://www\.wikidata\.org/entity/", "", target) for target in targets}
    assert qids - verified == set()


def test_no_resource_links_to_the_likely_threads_qid(ask: Ask) -> None:
    """Threads' Q120281745 is only "likely" in the reference table, so nothing may claim it yet."""
    assert not ask("ASK { ?resource owl:sameAs wd:Q120281745 }")


@pytest.mark.parametrize(
    "resource",
    [ORG + "bfdi", PLATFORM + "threads", ORG + "landesregierung-nordrhein-westfalen"],
    ids=["bfdi", "threads", "landesregierung-nrw"],
)
def test_resource_with_only_a_likely_qid_has_no_owl_same_as(select: Select, resource: str) -> None:
    """BfDI, Threads and the NRW government have only "likely" QIDs: no owl:sameAs until someone checks."""
    linked = {row["resource"] for row in select("SELECT DISTINCT ?resource WHERE { ?resource owl:sameAs ?item }")}
    assert resource not in linked
