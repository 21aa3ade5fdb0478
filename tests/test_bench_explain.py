"""The engine's own account of a query (bench/explain.py): Oxigraph's explanation, read and summarised.

The explanations come from the real `oxigraph query --explain-file --stats` on a store written to disk here;
one test reads a plan written by hand, so the arithmetic of own times and tables is checked exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from bench import report
from bench.explain import ExplainError, describe, explain, parse, read_plan, shorten

GS = "https://w3id.org/govsocial/ontology#"
ORG = "https://w3id.org/govsocial/id/org/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")

#: 40 institutions, each with one Joining event on X; every event and institution has an English label.
INSTITUTIONS = 40


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("explain") / "oxigraph"
    store = Store(str(location))
    quads = []
    for number in range(INSTITUTIONS):
        institution, event = NamedNode(f"{ORG}body-{number}"), NamedNode(f"{GS}event-{number}")
        quads += [
            Quad(institution, RDF_TYPE, NamedNode(GS + "PublicInstitution")),
            Quad(institution, LABEL, Literal(f"Body {number}", language="en")),
            Quad(event, RDF_TYPE, NamedNode(GS + "Joining")),
            Quad(event, NamedNode(GS + "institution"), institution),
            Quad(event, NamedNode(GS + "platform"), NamedNode("https://w3id.org/govsocial/id/platform/x")),
        ]
    store.extend(quads)
    store.flush()
    del store  # the command opens the store itself: nothing may hold it
    return location


def test_an_explanation_counts_what_the_engine_produced(store_dir: Path) -> None:
    text = f"""SELECT ?event ?label WHERE {{
      ?event a <{GS}Joining> ; <{GS}institution> ?institution .
      ?institution <http://www.w3.org/2000/01/rdf-schema#label> ?label
    }}"""
    explained = explain(store_dir, text, 60)
    assert explained.results == INSTITUTIONS
    assert explained.seconds > 0
    patterns = {step.name: step.results for step in explained.steps if step.name.startswith("QuadPattern")}
    assert patterns["QuadPattern(?event rdf:type gs:Joining)"] == INSTITUTIONS  # our prefixes, not full IRIs
    assert patterns["QuadPattern(?institution rdfs:label ?label)"] == INSTITUTIONS
    own = [step.own_seconds for step in explained.steps]
    assert all(seconds >= 0 for seconds in own) and own == sorted(own, reverse=True)
    assert sum(own) <= explained.seconds * 1.01  # own times partition the total
    sentence = describe(explained)
    assert sentence.startswith("alone, on disk, the engine takes ") and f"for {INSTITUTIONS} rows" in sentence
    assert explained.as_dict()["summary"] == sentence


def test_a_hash_table_built_over_the_whole_store_is_named(store_dir: Path) -> None:
    """An OPTIONAL the engine evaluates on its own: its table holds every event, for the one row it joins."""
    text = f"""SELECT * WHERE {{
      VALUES ?institution {{ <{ORG}body-1> }}
      OPTIONAL {{
        ?event <{GS}institution> ?institution ; a ?class ; <{GS}platform> ?platform .
        ?institution a ?kind ; <http://www.w3.org/2000/01/rdf-schema#label> ?label
      }}
    }}"""
    explained = explain(store_dir, text, 60)
    assert explained.results == 1
    table = explained.tables[0]
    assert (table.built, table.probed) == (INSTITUTIONS, 1)
    assert "?institution" in table.join


def test_a_query_the_engine_refuses_is_an_error_with_its_message(store_dir: Path) -> None:
    with pytest.raises(ExplainError, match="the engine failed"):
        explain(store_dir, "SELECT * WHERE { ?s ?p }", 60)


def test_an_explanation_past_its_time_limit_is_an_error(store_dir: Path) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # 200^4 rows
    with pytest.raises(ExplainError, match=r"longer than 0\.5 s"):
        explain(store_dir, runaway, 0.5)


@pytest.mark.parametrize("content", ['{"tree": {}}', '{"plan": {"children": []}}', "not json", '{"plan": 3}'])
def test_an_explanation_in_a_shape_we_do_not_know_is_an_error(tmp_path: Path, content: str) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(content, encoding="utf-8")
    with pytest.raises(ExplainError, match=r"plan\.json could not be read"):
        read_plan(plan)


def test_own_times_and_tables_of_a_plan_written_by_hand() -> None:
    hidden = "?" + "ab" * 16
    plan = {
        "plan": {
            "name": "Project(?a)",
            "number of results": 2,
            "duration in seconds": 1.0,
            "children": [
                {
                    "name": "LeftJoin(HashBuildRightProbeLeft, keys = ?a, expression = true)",
                    "number of results": 2,
                    "duration in seconds": 0.9,
                    "children": [
                        {"name": "QuadPattern(?a <http://www.w3.org/ns/org#memberOf> ?b)", "number of results": 2,
                         "duration in seconds": 0.05},
                        {"name": f"QuadPattern(?a <https://w3id.org/govsocial/ontology#level> {hidden})",
                         "number of results": 500, "duration in seconds": 0.7},
                    ],
                }
            ],
        }
    }  # fmt: skip
    explained = parse(plan)
    assert [(s.name, round(s.own_seconds, 3)) for s in explained.steps] == [
        ("QuadPattern(?a gs:level ?_)", 0.7),
        ("LeftJoin into QuadPattern(?a gs:level ?_)", 0.15),
        ("Project(?a)", 0.1),
        ("QuadPattern(?a org:memberOf ?b)", 0.05),
    ]
    (table,) = explained.tables
    assert (table.join, table.built, table.probed, table.seconds) == ("LeftJoin on ?a", 500, 2, 0.7)
    assert describe(explained) == (
        "alone, on disk, the engine takes 1,000 ms, and its 4 steps produce 506 results for 2 rows; heaviest:"
        " QuadPattern(?a gs:level ?_) 70% (500 results); LeftJoin into QuadPattern(?a gs:level ?_) 15% (2 results);"
        " its costliest hash table (LeftJoin on ?a) holds 500 rows, evaluated without the 2 rows it is joined"
        " to, in 70% of the time"
    )


def test_a_hash_table_that_took_little_of_the_time_is_not_named() -> None:
    plan = {
        "plan": {
            "name": "Join(HashBuildLeftProbeRight, keys = ?a)",
            "number of results": 1,
            "duration in seconds": 1.0,
            "children": [
                {"name": "QuadPattern(?a ?b ?c)", "number of results": 30, "duration in seconds": 0.1},
                {"name": "QuadPattern(?a ?d ?e)", "number of results": 3, "duration in seconds": 0.8},
            ],
        }
    }  # fmt: skip
    explained = parse(plan)
    assert [(t.built, t.probed) for t in explained.tables] == [(30, 3)]  # the left side is the one built
    assert "hash table" not in describe(explained)  # 10% of the time: below the share worth naming


def test_names_keep_iris_outside_our_prefixes_whole() -> None:
    assert shorten("QuadPattern(?s <http://example.org/p> ?o)") == "QuadPattern(?s <http://example.org/p> ?o)"
    assert shorten("Path(?s (<http://www.w3.org/2000/01/rdf-schema#subClassOf>)+ ?o)") == (
        "Path(?s (rdfs:subClassOf)+ ?o)"
    )


def test_a_missed_p95_names_the_engines_account() -> None:
    def endpoint(p95: float) -> dict:
        return {"throughput": 1.0, "p95_ms": p95, "ok": 10}

    queries = {
        qid: {"example": True, "endpoints": {"ours-nocache": endpoint(400), "oxigraph": endpoint(900)}}
        for qid in ("01", "02")
    }
    explanations = {"01": {"summary": "alone, on disk, the engine takes 870 ms"}, "02": {"error": "it failed"}}
    comparison = {"queries": queries, "summary": {"ratios": {}}, "explanations": explanations}
    checks = {c["target"]: c for c in report.targets({"comparisons": {"1e6": comparison}})}
    first = checks["p95 of example query 01 at 10^6, ours, cache off (ms)"]
    engine = "alone, on disk, the engine takes 870 ms"
    assert first["reason"] == f"Oxigraph's own server takes 900.0 ms (p95) on it; {engine}"
    second = checks["p95 of example query 02 at 10^6, ours, cache off (ms)"]
    assert second["reason"].endswith("; no explanation: it failed")
