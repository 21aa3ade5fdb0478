"""The curator's path: event sheets checked and added without writing Turtle, times and reasons read from
words, and a bad row that never half-loads."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from server.curate.command import Workspace
from server.curate.graphs import selector
from server.curate.press import build_press, press_result
from server.curate.sheet import COLUMNS, NAMES, SheetError, read_sheet
from server.curate.timetext import TimeTextError, read
from server.curate.wording import Wording
from server.imports.common import previous_issued, render

from .support import DATA_DIR, ONTOLOGY_DIR, govsocial

# -- times from words: a table of real phrasings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "stated", "source", "date", "precision", "not_before", "not_after"),
    [
        ("15. Januar 2025", "", "2025-01-20", "2025-01-15", "Day", None, None),
        ("am 9.11.2022", "", "2022-11-10", "2022-11-09", "Day", None, None),
        ("January 10, 2025", "", "2025-01-10", "2025-01-10", "Day", None, None),
        ("seit Februar 2024", "", "2024-05-01", "2024-02-01", "Month", None, None),
        ("Ende Februar 2025", "", "2025-03-01", "2025-02-01", "Month", None, None),
        ("ca. Nov 2022", "", "2023-01-01", "2022-11-01", "Month", None, None),
        ("Anfang Januar", "", "2025-01-17", "2025-01-01", "Month", None, None),
        ("Anfang Dezember", "", "2025-01-10", "2024-12-01", "Month", None, None),  # the December before
        ("bereits 2023", "", "", "2023-01-01", "Year", None, None),
        ("ab sofort", "", "2024-04-18", None, None, None, "2024-04-18"),
        ("nun", "", "2024-07-24", None, None, None, "2024-07-24"),
        ("am Freitag", "", "2025-01-13", None, None, "2025-01-07", "2025-01-13"),
        ("gestern", "", "2025-01-13", "2025-01-12", "Day", None, None),
        ("", "", "2025-01", None, None, None, "2025-01-31"),  # only the month of the source
        ("im vergangenen Herbst", "2024-10", "2025-01-10", "2024-10-01", "Month", None, None),  # the date column
        ("", "", "", None, None, None, None),
    ],
)
def test_time_words_become_a_date_or_bounds_and_keep_the_words(
    words, stated, source, date, precision, not_before, not_after
) -> None:
    when = read(words, stated, source)
    assert (when.date, when.precision, when.not_before, when.not_after) == (date, precision, not_before, not_after)
    assert when.text == words


@pytest.mark.parametrize(
    ("words", "stated", "source"),
    [("31. Februar 2025", "", ""), ("", "2025-13", ""), ("", "", "2025/01/10"), ("15. März 2025", "", "2025-01-10")],
)
def test_impossible_times_are_refused_with_a_reason(words, stated, source) -> None:
    with pytest.raises(TimeTextError):
        read(words, stated, source)


# -- the sheet path, end to end -----------------------------------------------------------------------------------

ROW = {
    "institution": "Stadt Zwickau",
    "institution_type": "Municipality",
    "land": "Sachsen",
    "platform": "x",
    "kind": "suspension",
    "time_text": "seit Anfang Februar",
    "reasons": "Hass und Hetze | Desinformation",
    "exceptions": "nur noch für Warnungen in Notfällen",
    "alternatives": "mastodon | bluesky",
    "quote": "Wir bleiben erreichbar, aber nicht mehr auf X.",
    "quote_by": "Stadtsprecher Max Beispiel",
    "source_url": "https://example.org/zwickau-x",
    "source_title": "Zwickau pausiert X",
    "source_publisher": "Beispielzeitung",
    "source_date": "2025-02-20",
    "source_language": "de",
    "evidence": "Die Stadt Zwickau lässt ihren X-Account seit Anfang Februar ruhen.",
}


def write_sheet(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=NAMES)
        writer.writeheader()
        writer.writerows([{name: row.get(name, "") for name in NAMES} for row in rows])
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, Path]:
    """A data folder with the curated data and the imports (no sheets yet), as in a clean clone."""
    data = tmp_path / "data"
    for folder in DATA_DIR.iterdir():
        if folder.is_dir() and folder.name != "press":
            shutil.copytree(folder, data / folder.name)
    return {"data": data, "tmp": tmp_path}


def curate(*args: str, data: Path) -> subprocess.CompletedProcess:
    """`govsocial curate …` on a data folder of its own, as a curator runs it."""
    return govsocial("curate", *args, "--data-dir", str(data))


@pytest.mark.slow
def test_check_reports_each_column_and_writes_nothing(workspace) -> None:
    sheet = write_sheet(workspace["tmp"] / "new.csv", [ROW, ROW | {"institution": "Zwickau", "institution_type": ""}])
    result = curate("check", str(sheet), data=workspace["data"])
    assert result.returncode == 1, result.stdout
    assert "institution:zwickau (100: same name, is a Municipality, in the Land given)" in result.stdout
    assert "'Hass und Hetze' -> gsid:reason/hate-speech" in result.stdout
    assert "2025-02-01 (Month)" in result.stdout
    # the second row's bare "Zwickau" is the city and the district: listed, not guessed
    assert "'Zwickau' is ambiguous" in result.stdout and "institution:landkreis-zwickau" in result.stdout
    assert not (workspace["data"] / "press").exists()


@pytest.mark.slow
def test_add_writes_a_graph_the_build_accepts_and_the_same_bytes_again(workspace) -> None:
    sheet = write_sheet(workspace["tmp"] / "zwickau.csv", [ROW])
    first = curate("add", str(sheet), data=workspace["data"])
    assert first.returncode == 0, first.stderr
    press = workspace["data"] / "press"
    assert (press / "sheets" / "zwickau.csv").is_file()
    written = {p.name: p.read_bytes() for p in press.iterdir() if p.is_file()}
    again = curate("add", str(press / "sheets" / "zwickau.csv"), data=workspace["data"])
    assert again.returncode == 0 and "unchanged" in again.stdout
    assert {p.name: p.read_bytes() for p in press.iterdir() if p.is_file()} == written

    store = Store()
    store.load(path=str(press / "press.ttl"), format=RdfFormat.TURTLE)
    rows = list(
        store.query(
            """PREFIX gs: <https://w3id.org/govsocial/ontology#>
            SELECT ?e ?date ?precision ?text ?kind WHERE {
              ?e a gs:Suspension ; gs:institution <https://w3id.org/govsocial/id/org/zwickau> ;
                 gs:date ?date ; gs:datePrecision ?precision ; gs:dateText ?text ; gs:exceptionKind ?kind }"""
        )
    )
    assert len(rows) == 1
    event, date, precision, text, kind = (term.value for term in rows[0])
    assert event.endswith("/event/2025-02-zwickau-x-suspension") and date == "2025-02-01"
    assert (
        precision.endswith("MonthPrecision") and text == "seit Anfang Februar" and kind.endswith("CrisisCommunication")
    )

    env = {**os.environ, "GOVSOCIAL_ONTOLOGY_DIR": str(ONTOLOGY_DIR), "GOVSOCIAL_DATA_DIR": str(workspace["data"])}
    build = govsocial("build", "--store", str(workspace["tmp"] / "store"), env=env)
    assert build.returncode == 0, build.stdout + build.stderr


@pytest.mark.slow
def test_a_bad_row_writes_nothing_not_even_the_good_rows(workspace) -> None:
    good = ROW | {"source_url": "https://example.org/good"}
    bad = ROW | {"platform": "myspace", "evidence": "x" * 301, "source_url": "javascript:alert(1)"}
    sheet = write_sheet(workspace["tmp"] / "mixed.csv", [good, bad])
    result = curate("add", str(sheet), data=workspace["data"])
    assert result.returncode == 1
    for column in ("platform", "evidence", "source_url"):
        assert f"row     3  {column}" in result.stderr
    assert "nothing written" in result.stderr
    assert not (workspace["data"] / "press").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"institution,platform\nDresden,x\n", "lacks the column(s)"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (",".join(NAMES).encode() + b",colour\n", "unknown column(s) colour"),
    ],
)
def test_a_file_that_is_no_sheet_is_refused_as_a_whole(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "sheet.csv"
    path.write_bytes(content)
    with pytest.raises(SheetError) as refused:
        read_sheet(path)
    assert message in str(refused.value)


def test_every_column_is_documented_in_the_sheets_readme() -> None:
    readme = (DATA_DIR / "press" / "README.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"`{column.name}`" in readme


def test_the_sheets_in_data_give_the_press_graph_of_today() -> None:
    """data/press/press.ttl is what `curate add` writes from the sheets beside it (no hand edits)."""
    workspace = Workspace(ONTOLOGY_DIR, DATA_DIR)
    sheets = sorted((DATA_DIR / "press" / "sheets").glob("*.csv"))
    resolved, findings = workspace.check(sheets)
    assert not [f for f in findings if f.level == "error"]
    press = build_press(resolved, workspace.existing, workspace.events)
    result = press_result(press, [p.name for p in sheets], findings, resolved)
    files = render(result, previous_issued(DATA_DIR / "press"))
    for name, content in files.items():
        assert (DATA_DIR / "press" / name).read_bytes() == content, name


# -- reasons and exceptions from words: a table of real phrasings (from the sheets' sources) -----------------------


@pytest.fixture(scope="module")
def wording() -> Wording:
    store = Store()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        store.load(path=str(path), format=RdfFormat.TURTLE)
    return Wording(selector(store))


REASON = "https://w3id.org/govsocial/id/reason/"


@pytest.mark.parametrize(
    ("phrase", "concepts"),
    [
        ("ein sachlicher Austausch hier zunehmend erschwert wird", {"loss-of-factual-debate"}),
        (
            "algorithmischen Verstärkung rechtspopulistischer Inhalte",
            {"algorithmic-amplification", "right-wing-echo-chamber"},
        ),
        (
            "zunehmende und ungezügelte Verbreitung von Hass- und Verschwörungserzählungen",
            {"hate-speech", "disinformation"},
        ),
        (
            "zu antidemokratisch, verschwörungstheoretisch und wissenschaftsfeindlich",
            {"hostility-to-democracy", "disinformation", "hostility-to-science"},
        ),
        (
            "fehlenden Vereinbarkeit der aktuellen Ausrichtung der Plattform mit den Grundwerten",
            {"incompatible-values"},
        ),
        ("konnte die Prüfung einer rechtskonformen Nutzung nicht abgeschlossen werden", {"data-protection-concerns"}),
        ("sinkende Reichweite und die Umstrukturierung der Plattform", {"declining-reach"}),
        ("amplification of far-right populist content", {"algorithmic-amplification", "right-wing-echo-chamber"}),
        ("Um ein größeres Publikum zu erreichen", {"wider-audience"}),
        ("Botschaft und Austausch mit Bürgern", set()),  # "Bots" is a whole word only: not in "Botschaft"
    ],
)
def test_reason_wordings_map_to_the_concepts_they_name(wording: Wording, phrase: str, concepts: set[str]) -> None:
    mapped = wording.map(phrase, "reason")
    assert {c.removeprefix(REASON) for c in mapped.concepts} == concepts
    if not concepts:
        assert isinstance(mapped.suggestions, list)  # nothing maps: the closest concepts are offered instead


@pytest.mark.parametrize(
    ("phrase", "kind"),
    [
        ("nur noch in Notsituationen wie Bombenfunden oder Hochwasser", "CrisisCommunication"),
        ("nur noch für Eilmeldungen und Gefahrenhinweise", "CrisisCommunication"),
        (
            "in Ausnahmefällen auf X mit Posts zu reagieren – etwa im Falle von Desinformations-Kampagnen",
            "CounteringDisinformation",
        ),
        ("it may continue using X to counter disinformation campaigns", "CounteringDisinformation"),
    ],
)
def test_exception_wordings_map_to_their_kind(wording: Wording, phrase: str, kind: str) -> None:
    assert [c.rsplit("#", 1)[-1] for c in wording.map(phrase, "exception").concepts] == [kind]


def test_a_quote_posted_by_an_account_is_the_institution_speaking() -> None:
    """A sheet's quote_by that names the institution's own account does not mint a person for the account."""
    store = Store()
    store.load(path=str(DATA_DIR / "press" / "press.ttl"), format=RdfFormat.TURTLE)
    prefixes = "PREFIX schema: <http://schema.org/> PREFIX prov: <http://www.w3.org/ns/prov#> "
    prefixes += "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    prefixes += "PREFIX gs: <https://w3id.org/govsocial/ontology#> "
    people = store.query(
        prefixes + 'SELECT ?p WHERE { ?p a schema:Person ; rdfs:label ?l FILTER(REGEX(?l, "^(Account|Konto)|[(]@")) }'
    )
    assert list(people) == []
    speakers = store.query(
        prefixes + 'SELECT DISTINCT ?who WHERE { ?q a gs:Quotation ; rdfs:label "Zitat: Account „Antidiskriminierung“ '
        '(@ADS_Bund)"@de ; prov:wasAttributedTo ?who }'
    )
    assert [row["who"].value for row in speakers] == ["https://w3id.org/govsocial/id/org/ads-bund"]
