"""The `govsocial` command as a user runs it: build, query in each format, errors with exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from .support import DATA_DIR, ONTOLOGY_DIR, govsocial

LANDTAG_QUERY = """SELECT ?date WHERE {
  ?e a gs:Departure ; gs:institution institution:niedersaechsischer-landtag ; gs:platform platform:x ; gs:date ?date
}"""


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built by the command itself, into a directory of its own."""
    store = tmp_path_factory.mktemp("cli") / "store"
    result = govsocial("build", "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert "Built dataset version" in result.stdout
    assert "https://w3id.org/govsocial/graph/curated" in result.stdout
    return store


def test_query_prints_a_readable_table_by_default(cli_store: Path) -> None:
    """The default output is a table with compact IRIs and a row count."""
    result = govsocial("query", "SELECT ?p WHERE { platform:x a ?p }", "--store", str(cli_store))
    assert result.returncode == 0, result.stderr
    assert "gs:Platform" in result.stdout
    assert result.stdout.rstrip().endswith("row)") or result.stdout.rstrip().endswith("rows)")


def test_query_json_is_standard_sparql_results(cli_store: Path) -> None:
    """--format json gives SPARQL 1.1 Query Results JSON that other tools read."""
    result = govsocial("query", LANDTAG_QUERY, "--format", "json", "--store", str(cli_store))
    assert result.returncode == 0, result.stderr
    bindings = json.loads(result.stdout)["results"]["bindings"]
    assert [b["date"]["value"] for b in bindings] == ["2025-01-01"]


def test_query_from_file_as_csv(cli_store: Path, tmp_path: Path) -> None:
    """--file reads the query from a file; CSV has a header row and one row per solution."""
    query = tmp_path / "q.rq"
    query.write_text(LANDTAG_QUERY, encoding="utf-8")
    result = govsocial("query", "--file", str(query), "--format", "csv", "--store", str(cli_store))
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(result.stdout))) == [["date"], ["2025-01-01"]]


def test_construct_as_turtle(cli_store: Path) -> None:
    """Graph results come out as Turtle."""
    result = govsocial(
        "query", "CONSTRUCT WHERE { platform:x gs:formerName ?n }", "--format", "turtle", "--store", str(cli_store)
    )
    assert result.returncode == 0, result.stderr
    assert "Twitter" in result.stdout and "<https://w3id.org/govsocial/id/platform/x>" in result.stdout


def test_syntax_error_prints_the_parsers_message(cli_store: Path) -> None:
    """A malformed query exits 2 and says where the parser stopped."""
    result = govsocial("query", "SELECT ?x WHERE { ?x }", "--store", str(cli_store))
    assert result.returncode == 2
    assert "syntax error" in result.stderr and "1:" in result.stderr
    assert result.stdout == ""


def test_turtle_for_a_select_is_refused_with_advice(cli_store: Path) -> None:
    """Asking for a graph format for a table result names the formats that fit."""
    result = govsocial("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "turtle", "--store", str(cli_store))
    assert result.returncode == 2
    assert "csv" in result.stderr


def test_query_without_a_store_says_how_to_build_one(tmp_path: Path) -> None:
    """Querying before any build tells the user the command that fixes it."""
    result = govsocial("query", "ASK {}", "--store", str(tmp_path / "none"))
    assert result.returncode == 2
    assert "govsocial build" in result.stderr


def test_build_of_broken_data_exits_1_and_keeps_the_store(cli_store: Path, tmp_path: Path) -> None:
    """A hand-broken data file is refused with a readable report; the previous store still answers."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR / "curated", data / "curated")
    broken = data / "curated" / "zz-broken.ttl"
    broken.write_text(
        "@prefix gs: <https://w3id.org/govsocial/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/govsocial/id/event/broken> a gs:Departure ; rdfs:label "kaputt"@de ;\n'
        "  gs:platform <https://w3id.org/govsocial/id/platform/x> .\n",
        encoding="utf-8",
    )
    env_dirs = {"GOVSOCIAL_DATA_DIR": str(data), "GOVSOCIAL_ONTOLOGY_DIR": str(ONTOLOGY_DIR)}

    result = govsocial("build", "--store", str(cli_store), env={**os.environ, **env_dirs})
    assert result.returncode == 1
    assert "data/curated/zz-broken.ttl: event:broken" in result.stderr
    assert "unchanged" in result.stderr
    after = govsocial("query", LANDTAG_QUERY, "--format", "csv", "--store", str(cli_store))
    assert after.returncode == 0 and "2025-01-01" in after.stdout
