"""The example queries of queries/: each one has its header, runs, and gives the answer our data holds.

The answers are checked the way a researcher would check them: against the curated facts of the two
source articles, and against counts worked out independently with a simpler query of our own, so a
legitimate addition to data/ does not need a test edit unless it changes a fact pinned here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from pyoxigraph import QuerySolutions, Store

from server.engine.examples import Example, load_examples
from server.engine.query import run_query
from server.engine.querytext import inspect

from .support import QUERIES_DIR, SHARED_DIR

Rows = list[dict[str, str]]
Select = Callable[[str], Rows]
Ask = Callable[[str], bool]

EXAMPLES: dict[str, Example] = {example.name: example for example in load_examples(QUERIES_DIR)}

SOURCES_DIR = SHARED_DIR / "sources"
SOURCE_FILES = {"000_50b5389e1d91c086.txt", "004_bc8fc77ca9b86fd1.txt"}

ORG = "https://w3id.org/govsocial/id/org/"
PERSON = "https://w3id.org/govsocial/id/person/"
EVENT = "https://w3id.org/govsocial/id/event/"
SOURCE = "https://w3id.org/govsocial/id/source/"
GS = "https://w3id.org/govsocial/ontology#"

BMVG_LABEL = "Bundesministerium der Verteidigung"
SMK_LABEL = "Sächsisches Staatsministerium für Kultus"


def answer(store: Store, name: str) -> Rows:
    """Run the example's own text from its file and return its rows as plain strings, in order."""
    result = run_query(store, EXAMPLES[name].text)
    assert isinstance(result, QuerySolutions), f"{name} is not a SELECT query"
    names = [variable.value for variable in result.variables]
    return [{key: solution[key].value for key in names if solution[key] is not None} for solution in result]


def row_of(rows: Rows, key: str, value: str) -> dict[str, str]:
    """The one row whose `key` is `value`; fails if there is none or more than one."""
    found = [row for row in rows if row.get(key) == value]
    assert len(found) == 1, f"expected one row with {key}={value!r}, found {len(found)}"
    return found[0]


# ---------------------------------------------------------------------------------------------
# Every example: header, syntax, and an answer test
# ---------------------------------------------------------------------------------------------

#: The examples this module checks the answer of; a new file in queries/ must come with its test.
ANSWERED = {
    "01-left-or-paused-x",
    "02-reasons-most-often-stated",
    "03-where-the-leavers-went",
    "04-hierarchy-under-a-land",
    "05-joinings-per-month",
    "06-who-stayed-on-x-and-why",
    "07-x-timeline-with-sources",
    "08-crisis-only-and-other-exceptions",
    "09-joinings-by-platform-and-level",
    "10-who-said-it",
    "11-follower-figures",
    "12-context-regulation-and-studies",
    "13-wikidata-links",
    "17-who-was-on-x-on-a-day",
    "18-quotations-and-who-said-them",
    "19-from-x-to-the-alternative",
    "23-x-status-of-defined-populations",
    "24-x-exodus-per-month-by-level",
    "25-x-exodus-reasons-by-level",
}


def test_at_least_ten_example_queries_exist() -> None:
    """The pages promise a set of examples to start from; ten is the least that covers the main questions."""
    assert len(EXAMPLES) >= 10


#: Examples whose answers are checked in another file: the dashboard's (with the pages that draw them) and the
#: federated ones (against a local Wikidata stand-in, since the real one cannot be reached from the tests).
ANSWERED_ELSEWHERE = {
    "14-events-per-month-by-kind-and-level": "test_pages.py",
    "15-flow-from-x-to-alternatives": "test_pages.py",
    "16-events-per-land": "test_pages.py",
    "20-wikidata-population-and-mayor-of-cities-that-left-or-paused-x": "test_wikidata.py",
    "21-wikidata-websites-of-ministries-that-left-or-paused-x": "test_wikidata.py",
    "22-wikidata-x-usernames-of-institutions-that-left-x": "test_wikidata.py",
}


def test_every_example_query_has_an_answer_test() -> None:
    """An example without a check of its answer could silently return nonsense; each needs one, here or named
    in the file listed for it (which must really mention it)."""
    assert set(EXAMPLES) == ANSWERED | set(ANSWERED_ELSEWHERE)
    for name, test_file in ANSWERED_ELSEWHERE.items():
        assert name in (Path(__file__).parent / test_file).read_text(encoding="utf-8"), (name, test_file)


@pytest.mark.parametrize("example", EXAMPLES.values(), ids=lambda example: example.name)
def test_only_federated_examples_call_a_service(example: Example) -> None:
    """A SERVICE call needs the `# federated: true` header, so tests and pages know it reaches out."""
    assert bool(inspect(example.text).services) == example.federated


@pytest.mark.parametrize("example", EXAMPLES.values(), ids=lambda example: example.name)
def test_example_has_a_title_and_a_description(example: Example) -> None:
    """The pages list each example by its title and explain it with its description; neither may be blank."""
    assert example.title.strip()
    assert example.description.strip()


@pytest.mark.parametrize("example", EXAMPLES.values(), ids=lambda example: example.name)
def test_example_parses_and_runs_as_a_select(store: Store, example: Example) -> None:
    """Every example parses with our prefixes and is evaluated to the end without an error."""
    if example.federated:
        pytest.skip("federated: run against a local Wikidata stand-in in tests/test_wikidata.py")
    result = run_query(store, example.text)
    assert isinstance(result, QuerySolutions)
    list(result)


# ---------------------------------------------------------------------------------------------
# 01: who left or paused X
# ---------------------------------------------------------------------------------------------

X_LEAVERS = """
SELECT ?event ?actor WHERE {
  VALUES ?class { gs:Departure gs:Suspension }
  ?event a ?class ; gs:platform platform:x .
  { ?event gs:institution ?actor } UNION { ?event gs:person ?actor }
}
"""


def test_left_or_paused_x_has_one_row_per_departure_or_suspension_of_x(store: Store, select: Select) -> None:
    """Each departure from or suspension of X is one row: none is lost to a missing label, none doubled."""
    assert len(answer(store, "01-left-or-paused-x")) == len(select(X_LEAVERS))


def test_left_or_paused_x_names_exactly_the_actors_that_left_or_paused_x(store: Store, select: Select) -> None:
    """The actors are those of the data's X departures and suspensions, the eleven of the articles among them."""
    actors = {row["actor"] for row in answer(store, "01-left-or-paused-x")}
    assert actors == {row["actor"] for row in select(X_LEAVERS)}
    assert {
        ORG + "dresden",
        ORG + "chemnitz",
        ORG + "bmvg",
        ORG + "bundeswehr",
        ORG + "generalinspekteur-der-bundeswehr",
        ORG + "bmvg-nachgeordneter-bereich",
        ORG + "niedersaechsischer-landtag",
        ORG + "stmd",
        ORG + "tmuen",
        PERSON + "hanna-naber",
        PERSON + "fabian-mehring",
    } <= actors


def test_left_or_paused_x_gives_dresden_february_2024_to_the_month_in_sachsen(store: Store) -> None:
    """Article 004: "Seit Februar 2024" is 2024-02-01 at month precision, and Dresden lies in Sachsen."""
    dresden = row_of(answer(store, "01-left-or-paused-x"), "actor", ORG + "dresden")
    assert dresden["kind"] == "departure"
    assert dresden["date"] == "2024-02-01"
    assert dresden["precision"] == "month precision"
    assert dresden["land"] == "Sachsen"


def test_left_or_paused_x_gives_the_bmvg_15_january_2025_to_the_day_and_no_land(store: Store) -> None:
    """Article 000: the BMVg paused X "seit dem 15. Januar" (a day); a federal ministry belongs to no Land."""
    bmvg = row_of(answer(store, "01-left-or-paused-x"), "actor", ORG + "bmvg")
    assert bmvg["kind"] == "suspension"
    assert bmvg["date"] == "2025-01-15"
    assert bmvg["precision"] == "day precision"
    assert bmvg["level"] == "federal level"
    assert "land" not in bmvg


def when(row: dict[str, str]) -> str | None:
    """The day a row sorts by: its date, else the latest day the source allows, else the report's date."""
    return row.get("date") or row.get("notAfter") or row.get("reportedOn")


def test_left_or_paused_x_sorts_undated_rows_by_their_bounds_or_report_among_the_dated(store: Store) -> None:
    """Every row sorts by its date, else its gs:notAfter, else the date of its report, so an undated event
    stands where its source puts it in time; only those with none of these (Chemnitz) come last."""
    rows = answer(store, "01-left-or-paused-x")
    placed = [row for row in rows if when(row)]
    assert rows == placed + [row for row in rows if not when(row)]
    assert [when(row) for row in placed] == sorted(when(row) for row in placed)
    assert ORG + "chemnitz" in {row["actor"] for row in rows if not when(row)}
    undated = [index for index, row in enumerate(placed) if "date" not in row]
    dated = [index for index, row in enumerate(placed) if "date" in row]
    assert undated and dated and min(undated) < max(dated), "undated rows must not all sort after the dated ones"


@pytest.mark.parametrize(
    ("actor", "reported_on"),
    [(PERSON + "hanna-naber", "2025-01-17"), (ORG + "tmuen", "2023-10-26")],
    ids=["naber", "tmuen"],
)
def test_left_or_paused_x_gives_undated_departures_their_report_date(
    store: Store, actor: str, reported_on: str
) -> None:
    """The sources give no date for Naber's and the TMUEN's departures, only the date of the item reporting them."""
    row = row_of(answer(store, "01-left-or-paused-x"), "actor", actor)
    assert "date" not in row
    assert row["reportedOn"] == reported_on


# ---------------------------------------------------------------------------------------------
# 02: the reasons most often stated
# ---------------------------------------------------------------------------------------------


def test_reasons_most_often_stated_are_sorted_by_count_descending(store: Store) -> None:
    """The most cited reason comes first; ties are broken by label so the order is stable."""
    rows = answer(store, "02-reasons-most-often-stated")
    keys = [(-int(row["events"]), row["label"]) for row in rows]
    assert keys == sorted(keys)


def test_reasons_most_often_stated_counts_match_an_independent_count(store: Store, select: Select) -> None:
    """Each reason's count equals the number of distinct subjects citing it with gs:reason, counted here."""
    counted = Counter(
        row["reason"] for row in select("SELECT DISTINCT ?event ?reason WHERE { ?event gs:reason ?reason }")
    )
    rows = answer(store, "02-reasons-most-often-stated")
    assert {row["reason"]: int(row["events"]) for row in rows} == dict(counted)
    assert rows[0]["reason"] == counted.most_common(1)[0][0]


def test_reasons_most_often_stated_come_most_events_first(store: Store, select: Select) -> None:
    """Rows come in the order of how many events give the reason; reaching young people (TikTok and Instagram
    starts, NRW, Dresden) is among them with its English label."""
    rows = answer(store, "02-reasons-most-often-stated")
    counts = [int(row["events"]) for row in rows]
    assert counts == sorted(counts, reverse=True)
    expected = select("SELECT ?reason (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e gs:reason ?reason } GROUP BY ?reason")
    assert {row["reason"]: int(row["events"]) for row in rows} == {row["reason"]: int(row["n"]) for row in expected}
    young = row_of(rows, "reason", "https://w3id.org/govsocial/id/reason/reaching-young-people")
    assert young["label"] == "reaching young people"


def test_reasons_most_often_stated_group_each_reason_under_all_of_its_top_concepts(
    store: Store, select: Select
) -> None:
    """The group names every top concept a reason falls under (push, pull, stay), e.g. crisis communication twice."""
    tops: dict[str, set[str]] = {}
    for row in select(
        """SELECT ?reason ?label WHERE {
             ?reason skos:broader+ ?top . ?top skos:topConceptOf gs:Reasons ; skos:prefLabel ?label .
             FILTER(lang(?label) = "en") }"""
    ):
        tops.setdefault(row["reason"], set()).add(row["label"])
    rows = answer(store, "02-reasons-most-often-stated")
    for row in rows:
        assert set(row["group"].split(" / ")) == tops[row["reason"]], row
    assert any(len(tops[row["reason"]]) == 2 for row in rows)


# ---------------------------------------------------------------------------------------------
# 03: where the leavers went
# ---------------------------------------------------------------------------------------------


def test_where_the_leavers_went_come_most_named_first_with_who_named_them(store: Store) -> None:
    """The alternative named most comes first; WhatsApp is named by Dresden, the BMVg and the SMK."""
    rows = answer(store, "03-where-the-leavers-went")
    assert int(rows[0]["times"]) == max(int(row["times"]) for row in rows)
    whatsapp = row_of(rows, "alternativeLabel", "WhatsApp")
    assert {"Dresden", BMVG_LABEL, SMK_LABEL} <= set(whatsapp["who"].split(", "))


def test_where_the_leavers_went_counts_match_the_events_naming_each_alternative(store: Store, select: Select) -> None:
    """Each alternative is counted once per departure, suspension or consideration that names it."""
    events = select(
        """SELECT DISTINCT ?event ?alternative WHERE {
             VALUES ?class { gs:Departure gs:Suspension gs:Consideration }
             ?event a ?class ; gs:alternativePlatform ?alternative }"""
    )
    expected = Counter(row["alternative"] for row in events)
    rows = answer(store, "03-where-the-leavers-went")
    assert {row["alternative"]: int(row["times"]) for row in rows} == dict(expected)


# ---------------------------------------------------------------------------------------------
# 04: everything under a Land
# ---------------------------------------------------------------------------------------------

SAXON_INSTITUTIONS = """
SELECT DISTINCT ?institution WHERE {
  ?institution gs:jurisdiction/gs:locatedIn* institution:sachsen .
  FILTER(?institution != institution:sachsen)
}
"""


def test_hierarchy_under_a_land_lists_exactly_the_institutions_in_sachsen(store: Store, select: Select) -> None:
    """The institutions are those acting for Sachsen or a place in it (found via gs:jurisdiction), none else."""
    listed = {row["institution"] for row in answer(store, "04-hierarchy-under-a-land")}
    assert listed == {row["institution"] for row in select(SAXON_INSTITUTIONS)}
    assert {ORG + "polizei-sachsen", ORG + "zwickau", ORG + "landkreis-zwickau", ORG + "dresden"} <= listed


def test_hierarchy_under_a_land_shows_polizei_sachsen_joining_whatsapp(store: Store) -> None:
    """Polizei Sachsen comes with its WhatsApp channel, started by 14 June 2024, under the Saxon interior ministry."""
    rows = [row for row in answer(store, "04-hierarchy-under-a-land") if row["institution"] == ORG + "polizei-sachsen"]
    events = [(row.get("kind"), row.get("platformLabel"), row.get("date"), row.get("notAfter")) for row in rows]
    assert ("joining", "WhatsApp", None, "2024-06-14") in events
    assert {row["parentLabel"] for row in rows} == {"Sächsisches Staatsministerium des Innern"}


def test_hierarchy_under_a_land_puts_zwickau_under_landkreis_zwickau(store: Store) -> None:
    """Zwickau is a Große Kreisstadt, so its parent is the Landkreis Zwickau, not Sachsen directly."""
    rows = [row for row in answer(store, "04-hierarchy-under-a-land") if row["institution"] == ORG + "zwickau"]
    assert rows
    assert {row["parentLabel"] for row in rows} == {"Landkreis Zwickau"}


def test_hierarchy_under_a_land_lists_every_event_of_a_saxon_institution_once(store: Store, select: Select) -> None:
    """Each platform event of an institution in Sachsen gives exactly one row with its kind and platform."""
    expected = select(
        f"""SELECT ?event WHERE {{
              {{ {SAXON_INSTITUTIONS} }}
              ?event gs:institution ?institution ; a/rdfs:subClassOf gs:PlatformEvent }}"""
    )
    event_rows = [row for row in answer(store, "04-hierarchy-under-a-land") if "kind" in row]
    assert len(event_rows) == len(expected)
    assert all("platformLabel" in row for row in event_rows)


# ---------------------------------------------------------------------------------------------
# 05: joinings per month
# ---------------------------------------------------------------------------------------------

JOININGS_TO_THE_MONTH = """
SELECT ?event ?date ?platform WHERE {
  ?event a gs:Joining ; gs:date ?date ; gs:datePrecision ?precision ; gs:platform ?platform .
  FILTER(?precision = gs:DayPrecision || ?precision = gs:MonthPrecision)
}
"""


def test_joinings_per_month_total_the_joinings_dated_to_the_day_or_month(store: Store, select: Select) -> None:
    """The counts add up to the joinings known to the month or better; year-only joinings are left out."""
    rows = answer(store, "05-joinings-per-month")
    assert sum(int(row["joinings"]) for row in rows) == len(select(JOININGS_TO_THE_MONTH))


def test_joinings_per_month_leave_out_the_joining_known_only_to_the_year(
    store: Store, ask: Ask, select: Select
) -> None:
    """The Finanzverwaltung NRW's WhatsApp start ("seit Anfang des Jahres" 2024) cannot be placed in a month."""
    assert ask(
        """ASK { ?event a gs:Joining ; gs:institution institution:finanzverwaltung-nordrhein-westfalen ;
                        gs:platform platform:whatsapp ; gs:datePrecision gs:YearPrecision }"""
    )
    all_joinings = select("SELECT ?event WHERE { ?event a gs:Joining }")
    total = sum(int(row["joinings"]) for row in answer(store, "05-joinings-per-month"))
    assert total < len(all_joinings)


def test_joinings_per_month_write_months_as_year_and_month(store: Store) -> None:
    """A month is 'YYYY-MM', so it sorts and reads as a month, not as a full date."""
    months = [row["month"] for row in answer(store, "05-joinings-per-month")]
    assert months
    assert all(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month) for month in months), months
    assert months == sorted(months)


def test_joinings_per_month_count_each_month_and_platform_correctly(store: Store, select: Select) -> None:
    """Per month and platform, the count equals the joinings of that month on that platform."""
    labels = {
        row["platform"]: row["label"]
        for row in select(
            'SELECT ?platform ?label WHERE { ?platform a gs:Platform ; rdfs:label ?label FILTER(lang(?label) = "en") }'
        )
    }
    expected = Counter((row["date"][:7], labels[row["platform"]]) for row in select(JOININGS_TO_THE_MONTH))
    rows = answer(store, "05-joinings-per-month")
    assert {(row["month"], row["platformLabel"]): int(row["joinings"]) for row in rows} == dict(expected)


# ---------------------------------------------------------------------------------------------
# 06: who stayed on X
# ---------------------------------------------------------------------------------------------


def test_who_stayed_on_x_lists_the_staatskanzlei_the_smk_and_zwickau_among_others(store: Store) -> None:
    """Article 004: the State Chancellery and Zwickau stay on X, the SMK keeps reviewing whether to leave."""
    rows = answer(store, "06-who-stayed-on-x-and-why")
    assert {(row["institutionLabel"], row["kind"]) for row in rows} >= {
        ("Sächsische Staatskanzlei", "retention"),
        (SMK_LABEL, "consideration"),
        ("Zwickau", "retention"),
    }
    assert {row["kind"] for row in rows} <= {"retention", "consideration"}


def test_who_stayed_on_x_names_the_spokesperson_of_each(store: Store) -> None:
    """Each statement is attributed to the spokesperson the article quotes."""
    rows = answer(store, "06-who-stayed-on-x-and-why")
    said = {(row["institutionLabel"], row.get("statedBy")) for row in rows}
    assert said >= {
        ("Sächsische Staatskanzlei", "Ralph Schreiber"),
        (SMK_LABEL, "Dirk Reelfs"),
        ("Zwickau", "Mathias Merz"),
    }


def test_who_stayed_on_x_gives_the_smk_reasons_to_leave_and_to_stay(store: Store) -> None:
    """The SMK weighs the right-wing echo chamber and hate against real-time and crisis communication."""
    smk = [row for row in answer(store, "06-who-stayed-on-x-and-why") if row.get("statedBy") == "Dirk Reelfs"]
    assert len(smk) == 1 and smk[0]["institutionLabel"] == SMK_LABEL
    assert set(smk[0]["reasons"].split("; ")) == {
        "right-wing echo chamber",
        "disinformation and conspiracy narratives",
        "hate speech",
        "real-time communication",
        "crisis communication",
    }


# ---------------------------------------------------------------------------------------------
# 07: the X timeline with sources
# ---------------------------------------------------------------------------------------------


def test_x_timeline_lists_exactly_the_platform_events_on_x(store: Store, select: Select) -> None:
    """Every platform event on X appears, and nothing else (context items about X are not events)."""
    expected = select(
        """SELECT ?label WHERE {
             ?event a/rdfs:subClassOf* gs:PlatformEvent ; gs:platform platform:x ; rdfs:label ?label .
             FILTER(lang(?label) = "en") }"""
    )
    timeline = {row["eventLabel"] for row in answer(store, "07-x-timeline-with-sources")}
    assert timeline == {row["label"] for row in expected}


def test_x_timeline_gives_every_row_its_source_file(store: Store) -> None:
    """Each line can be checked against the article: the source file is named, directly or via isPartOf."""
    rows = answer(store, "07-x-timeline-with-sources")
    assert rows
    assert {row["file"] for row in rows if "file" in row} <= SOURCE_FILES
    assert all("file" in row or row.get("sourceUrl", "").startswith("http") for row in rows)


def test_x_timeline_is_in_time_order_with_events_known_to_no_day_last(store: Store) -> None:
    """A timeline reads from the earliest event, by its date or else the latest day its source allows; events
    known to no day follow at the end. Precisions read as words, and every source has a title or a name."""
    rows = answer(store, "07-x-timeline-with-sources")
    placed = [row for row in rows if "date" in row or "notAfter" in row]
    assert rows[: len(placed)] == placed
    days = [row.get("date") or row["notAfter"] for row in placed]
    assert days == sorted(days)
    assert {row["precision"] for row in rows if "precision" in row} <= {
        "day precision",
        "month precision",
        "year precision",
    }
    assert all(row.get("sourceTitle") for row in rows)


# ---------------------------------------------------------------------------------------------
# 08: suspensions with exceptions
# ---------------------------------------------------------------------------------------------


def test_exceptions_include_those_of_the_bmvg_and_chemnitz(store: Store) -> None:
    """The BMVg may still react to disinformation campaigns; Chemnitz keeps X for disasters only."""
    rows = answer(store, "08-crisis-only-and-other-exceptions")
    assert {(row["institutionLabel"], row["exception"]) for row in rows} >= {
        (
            BMVG_LABEL,
            "in Ausnahmefällen weiterhin mit Posts auf X zu reagieren – etwa im Falle von Desinformations-Kampagnen",
        ),
        ("Chemnitz", "nur noch für den Katastrophenfall"),
    }
    assert {row["platformLabel"] for row in rows} == {"X"}


def test_exceptions_name_their_kind_so_crisis_only_is_one_pattern(store: Store, select: Select) -> None:
    """Chemnitz keeps X for disasters only, the BMVg for reacting to disinformation: the kinds the example shows
    are those of gs:exceptionKind, and "crisis only" finds Chemnitz alone."""
    rows = answer(store, "08-crisis-only-and-other-exceptions")
    assert row_of(rows, "institutionLabel", "Chemnitz")["exceptionKind"] == "crisis and disaster communication"
    assert row_of(rows, "institutionLabel", BMVG_LABEL)["exceptionKind"] == "reacting to disinformation"
    crisis_only = select("SELECT ?e WHERE { ?e gs:exceptionKind gs:CrisisCommunication ; gs:institution ?i }")
    assert EVENT + "undated-chemnitz-x-suspension" in [row["e"] for row in crisis_only]
    kinds = {row["exceptionKind"] for row in rows if "exceptionKind" in row}
    assert kinds <= {"crisis and disaster communication", "reacting to disinformation"}
    assert row_of(rows, "institutionLabel", "Chemnitz")["dateText"] == "Anfang Januar"


def test_exceptions_give_the_bmvg_its_date_and_chemnitz_none(store: Store) -> None:
    """The BMVg's pause began on 15 January 2025; Chemnitz's "Anfang Januar" has no year, so no date."""
    rows = answer(store, "08-crisis-only-and-other-exceptions")
    assert row_of(rows, "institutionLabel", BMVG_LABEL)["date"] == "2025-01-15"
    assert "date" not in row_of(rows, "institutionLabel", "Chemnitz")


# ---------------------------------------------------------------------------------------------
# 09: joinings by platform and level
# ---------------------------------------------------------------------------------------------


def test_joinings_by_platform_and_level_total_the_joinings_of_institutions(store: Store, select: Select) -> None:
    """Every joining by an institution is counted once; none is lost for lack of a level."""
    expected = select("SELECT DISTINCT ?event WHERE { ?event a gs:Joining ; gs:institution ?institution }")
    rows = answer(store, "09-joinings-by-platform-and-level")
    assert sum(int(row["joinings"]) for row in rows) == len(expected)


def test_joinings_by_platform_and_level_count_the_state_whatsapp_channels(store: Store) -> None:
    """The articles' four state bodies on WhatsApp (Polizei BW, Polizei Sachsen, Finanzverwaltung NRW, and the
    Saxon education ministry's "new channel") are counted, and rows come most joinings first."""
    rows = answer(store, "09-joinings-by-platform-and-level")
    whatsapp = [row for row in rows if row["platformLabel"] == "WhatsApp" and row["level"] == "state level"]
    assert len(whatsapp) == 1 and int(whatsapp[0]["joinings"]) >= 4
    counts = [int(row["joinings"]) for row in rows]
    assert counts == sorted(counts, reverse=True)


# ---------------------------------------------------------------------------------------------
# 10: who said it
# ---------------------------------------------------------------------------------------------


def test_who_said_it_lists_every_quote_of_the_data(store: Store, select: Select) -> None:
    """Each gs:quote of an event or context item appears once."""
    quotes = select("SELECT ?subject ?quote WHERE { ?subject gs:quote ?quote }")
    rows = answer(store, "10-who-said-it")
    assert sorted(row["quote"] for row in rows) == sorted(row["quote"] for row in quotes)


#: Quotes of events derived from one of the two articles (their file, or a news item of article 000); quotes from
#: web pages are checked by the sheets' curator against the page, which the tests cannot read.
ARTICLE_QUOTES = """SELECT ?quote WHERE {
  ?event gs:quote ?quote ; prov:wasDerivedFrom/(dcterms:isPartOf*)/dcterms:identifier ?file }"""


def test_who_said_it_quotes_appear_verbatim_in_a_source_article(store: Store, select: Select) -> None:
    """Curation rule 7: a quote is word for word from the article; a paraphrase would misquote the speaker."""
    if not SOURCES_DIR.is_dir():
        pytest.skip(f"source articles not available at {SOURCES_DIR}")
    articles = [path.read_text(encoding="utf-8") for path in sorted(SOURCES_DIR.glob("*.txt"))]
    from_articles = {row["quote"] for row in select(ARTICLE_QUOTES)}
    rows = [row for row in answer(store, "10-who-said-it") if row["quote"] in from_articles]
    assert rows
    missing = [row["quote"] for row in rows if not any(row["quote"] in article for article in articles)]
    assert missing == []


def test_who_said_it_gives_naber_her_office_and_institution(store: Store) -> None:
    """The Landtag's quote is Hanna Naber's, as Landtagspräsidentin of the Niedersächsischer Landtag."""
    rows = answer(store, "10-who-said-it")
    landtag = row_of(rows, "eventLabel", "Landtag of Lower Saxony leaves X")
    assert landtag["personLabel"] == "Hanna Naber"
    assert landtag["jobTitle"] == "Landtagspräsidentin"
    assert landtag["organisationLabel"] == "Niedersächsischer Landtag"


# ---------------------------------------------------------------------------------------------
# 11: follower figures
# ---------------------------------------------------------------------------------------------


def test_follower_figures_are_dresden_facebook_40000_and_instagram_16000(store: Store) -> None:
    """Article 004: 40.000 Facebook and 16.000 Instagram followers for Dresden, the larger first."""
    rows = answer(store, "11-follower-figures")
    assert [(row.get("institutionLabel"), row["platformLabel"], row["followers"]) for row in rows] == [
        ("Dresden", "Facebook", "40000"),
        ("Dresden", "Instagram", "16000"),
    ]
    assert {row["source"] for row in rows} == {SOURCE + "004-saechsische-behoerden-social-media"}


# ---------------------------------------------------------------------------------------------
# 12: context
# ---------------------------------------------------------------------------------------------

DSA = "https://w3id.org/govsocial/id/context/eu-kommission-dsa-verfahren-gegen-x"
BITKOM = "https://w3id.org/govsocial/id/context/bitkom-studie-social-media-als-informationsquelle"


def test_context_lists_the_dsa_proceedings_as_a_regulatory_action(store: Store) -> None:
    """The Commission opened its DSA proceedings against X "jetzt" in the item of 20.12.2023."""
    dsa = row_of(answer(store, "12-context-regulation-and-studies"), "item", DSA)
    assert dsa["type"] == GS + "RegulatoryAction"
    assert "date" not in dsa, "the item says the proceedings were opened 'jetzt': a bound, not a date"
    assert (dsa["notAfter"], dsa["dateText"], dsa["reportedOn"]) == ("2023-12-20", "jetzt", "2023-12-20")


def test_context_lists_the_bitkom_study(store: Store) -> None:
    """The Bitkom study on social media as a source of political information, reported on 30.04.2024."""
    bitkom = row_of(answer(store, "12-context-regulation-and-studies"), "item", BITKOM)
    assert bitkom["type"] == GS + "Study"
    assert bitkom["reportedOn"] == "2024-04-30"


def test_context_is_in_the_order_it_was_reported(store: Store) -> None:
    """Items sort by their date, or their report date where they have none."""
    rows = answer(store, "12-context-regulation-and-studies")
    keys = [row.get("date", row.get("reportedOn", "")) for row in rows]
    assert keys == sorted(keys)


# ---------------------------------------------------------------------------------------------
# 13: Wikidata links
# ---------------------------------------------------------------------------------------------


def test_wikidata_links_are_entity_iris(store: Store) -> None:
    """Federation needs the entity IRI http://www.wikidata.org/entity/Q…, never the /wiki/ page URL."""
    rows = answer(store, "13-wikidata-links")
    assert rows
    bad = [
        row["wikidata"]
        for row in rows
        if not re.fullmatch(r"http://www\.wikidata\.org/entity/Q[1-9]\d*", row["wikidata"])
    ]
    assert bad == []


@pytest.mark.parametrize(
    ("resource", "qid"),
    [
        (ORG + "dresden", "Q1731"),
        ("https://w3id.org/govsocial/id/platform/x", "Q918"),
        (ORG + "bmvg", "Q493353"),
        (ORG + "bundeswehr", "Q56010"),
        (ORG + "zwickau", "Q3778"),
        (ORG + "landkreis-zwickau", "Q6330"),
    ],
    ids=["dresden", "x", "bmvg", "bundeswehr", "zwickau-city", "zwickau-district"],
)
def test_wikidata_links_give_the_verified_item(store: Store, resource: str, qid: str) -> None:
    """The reference table's verified QIDs, including its traps (BMVg ≠ Bundeswehr, city ≠ district)."""
    rows = answer(store, "13-wikidata-links")
    assert {row["wikidata"] for row in rows if row["resource"] == resource} == {"http://www.wikidata.org/entity/" + qid}


def test_wikidata_links_include_every_resource_with_owl_same_as(store: Store, select: Select) -> None:
    """The description promises every resource linked with owl:sameAs; a resource of another class must not vanish."""
    linked = {row["resource"] for row in select("SELECT DISTINCT ?resource WHERE { ?resource owl:sameAs ?item }")}
    assert {row["resource"] for row in answer(store, "13-wikidata-links")} == linked


# ---------------------------------------------------------------------------------------------
# 17-19: presence over time, quotations, from X to the alternative
# ---------------------------------------------------------------------------------------------


def test_who_was_on_x_on_a_day_has_those_that_left_later_and_not_those_that_left_before(store: Store) -> None:
    """On 1 January 2025 the Landtag (left by 17 January) and the BMVg (paused on 15 January) were on X; Dresden
    (left in February 2024) and the TMUEN (left by October 2023) were not; Zwickau (staying) is."""
    holders = {row["holder"] for row in answer(store, "17-who-was-on-x-on-a-day")}
    assert {ORG + "niedersaechsischer-landtag", ORG + "bmvg", ORG + "zwickau"} <= holders
    assert not {ORG + "dresden", ORG + "tmuen"} & holders


def test_quotations_are_attributed_to_people_and_organisations(store: Store, select: Select) -> None:
    """Every gs:Quotation appears; the press office's words and Naber's are separate, each with its speaker."""
    rows = answer(store, "18-quotations-and-who-said-them")
    assert len(rows) == len(select("SELECT ?q WHERE { ?q a gs:Quotation }")) >= 5
    landtag = [row for row in rows if row["event"] == EVENT + "2025-01-niedersaechsischer-landtag-x-departure"]
    assert {row["speaker"] for row in landtag} == {
        ORG + "pressestelle-niedersaechsischer-landtag",
        PERSON + "hanna-naber",
    }


def test_quotations_appear_verbatim_in_their_source(store: Store, select: Select) -> None:
    if not SOURCES_DIR.is_dir():
        pytest.skip(f"source articles not available at {SOURCES_DIR}")
    articles = [path.read_text(encoding="utf-8") for path in sorted(SOURCES_DIR.glob("*.txt"))]
    from_articles = {
        row["q"]
        for row in select("SELECT ?q WHERE { ?q prov:wasDerivedFrom/(dcterms:isPartOf*)/dcterms:identifier ?file }")
    }
    rows = [row for row in answer(store, "18-quotations-and-who-said-them") if row["quotation"] in from_articles]
    assert rows
    assert [row["text"] for row in rows if not any(row["text"] in article for article in articles)] == []


def test_from_x_to_the_alternative_shows_dresden_and_no_invented_joining_day(store: Store) -> None:
    """Dresden left X in February 2024 for Threads and WhatsApp; the article does not say when it began on
    them, so no day and no time between appear."""
    rows = [row for row in answer(store, "19-from-x-to-the-alternative") if row["holder"] == ORG + "dresden"]
    assert {row["alternativeLabel"] for row in rows} == {"Threads", "WhatsApp"}
    assert all(row["leftX"] == "2024-02-01" and "onAlternative" not in row and "between" not in row for row in rows)


# ---------------------------------------------------------------------------------------------
# 23-25: coverage of defined populations, and the X exodus alone
# ---------------------------------------------------------------------------------------------


def test_coverage_lists_every_federal_ministry_once_and_every_land_in_both_land_populations(
    store: Store, select: Select
) -> None:
    """A population is complete: each federal ministry of the graph is a row, each Land is a row of the Land
    parliaments and of the Land governments (with its body, or without where the graph has none)."""
    rows = answer(store, "23-x-status-of-defined-populations")
    ministries = {row["m"] for row in select("SELECT ?m WHERE { ?m a gs:Ministry ; gs:level gs:FederalLevel }")}
    federal = [row["body"] for row in rows if row["population"] == "federal ministries"]
    assert sorted(federal) == sorted(ministries | {ORG + "bundesregierung", ORG + "bpa"})
    lands = {row["l"] for row in select("SELECT ?l WHERE { ?l a gs:FederalState }")}
    for population in ("Land parliaments", "Land governments"):
        assert {row["land"] for row in rows if row["population"] == population} == lands


def test_coverage_gives_status_sources_and_dates_as_the_events_do(store: Store, select: Select) -> None:
    """The BMVg paused X from 15 January 2025; its row counts the sources of its X events, and a body no
    source reports on has no status."""
    rows = answer(store, "23-x-status-of-defined-populations")
    bmvg = row_of(rows, "body", ORG + "bmvg")
    assert "suspension" in bmvg["status"].split(", ") and bmvg["latest"] == "2025-01-15"
    [count] = select(
        """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {
             ?e gs:institution institution:bmvg ; gs:platform platform:x ; a/rdfs:subClassOf gs:PlatformEvent ;
                prov:wasDerivedFrom ?s }"""
    )
    assert int(bmvg["sources"]) == int(count["n"]) >= 2
    silent = [row for row in rows if row.get("body") and row["sources"] == "0"]
    assert silent and all(not row.get("status") for row in silent)


def test_x_exodus_per_month_counts_every_placed_departure_and_pause_once(store: Store, select: Select) -> None:
    rows = answer(store, "24-x-exodus-per-month-by-level")
    [expected] = select(
        """SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {
             VALUES ?class { gs:Departure gs:Suspension } ?e a ?class ; gs:platform platform:x .
             { ?e gs:institution ?who } UNION { ?e gs:person ?who }
             { ?e gs:datePrecision ?p FILTER (?p IN (gs:DayPrecision, gs:MonthPrecision)) }
             UNION { ?e gs:notAfter ?b } }"""
    )
    assert sum(int(row["events"]) for row in rows) == int(expected["n"]) > 50
    months = [row["month"] for row in rows]
    assert months == sorted(months)


def test_x_exodus_reasons_by_level_count_the_events_of_each_reason(store: Store, select: Select) -> None:
    rows = answer(store, "25-x-exodus-reasons-by-level")
    counts = [int(row["events"]) for row in rows]
    assert counts == sorted(counts, reverse=True) and counts
    hate = sum(int(row["events"]) for row in rows if row["label"] == "hate speech")
    [expected] = select(
        """SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {
             VALUES ?class { gs:Departure gs:Suspension }
             ?e a ?class ; gs:platform platform:x ; gs:reason reason:hate-speech . }"""
    )
    assert hate >= int(expected["n"]) > 0  # an event of a body of two levels counts under each
