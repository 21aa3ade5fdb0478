"""The benchmark harness's own pieces: the synthetic data generator, the statistics, the A B A B schedule.

The benchmark itself (`make bench`) is not a test; these check that what it reports is computed right.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from urllib.request import Request, urlopen

import pytest

from bench import report, stats
from bench.client import Client, Sample
from bench.compare import summarise
from bench.floor import start_floor
from bench.generate import generate, slug
from bench.load import classify
from bench.mix import example_queries, federated, lookup_query
from server.build.pipeline import build

from .support import ONTOLOGY_DIR, QUERIES_DIR

SYNTHETIC_GRAPH = "https://w3id.org/govsocial/graph/synthetic"


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((folder / "synthetic").glob("*.nt"))}


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 30_000, seed=7)
    generate(tmp_path / "b", 30_000, seed=7)
    generate(tmp_path / "c", 30_000, seed=8)
    assert first.triples >= 30_000
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert (tmp_path / "a" / "manifest.json").read_bytes() == (tmp_path / "b" / "manifest.json").read_bytes()
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_the_size_follows_the_target(tmp_path: Path) -> None:
    small = generate(tmp_path / "small", 20_000)
    large = generate(tmp_path / "large", 60_000)
    assert 20_000 <= small.triples < 21_000  # stops after the municipality that reaches the target
    assert 60_000 <= large.triples < 61_000
    assert large.entities["municipalities"] > small.entities["municipalities"]
    lines = sum(data.count(b"\n") for data in _files(tmp_path / "large").values())
    assert lines == large.triples


def test_generated_data_passes_the_build_validation(tmp_path: Path) -> None:
    manifest = generate(tmp_path / "data", 25_000, seed=3)
    info = build(tmp_path / "store", ONTOLOGY_DIR, tmp_path / "data")  # raises ValidationFailed on any problem
    assert info.graphs[SYNTHETIC_GRAPH] == manifest.triples  # N-Triples: no duplicates, nothing lost
    assert manifest.entities["districts"] >= 1 and manifest.entities["events"] > 100


def test_generated_data_uses_the_vocabulary(tmp_path: Path) -> None:
    generate(tmp_path, 15_000, seed=11)
    text = b"".join(_files(tmp_path).values()).decode("utf-8")
    for term in ("Municipality>", "District>", "FederalState>", "Ministry>", "Police>", "Agency>", "Joining>"):
        assert "ontology#" + term in text
    assert "<https://w3id.org/govsocial/id/org/sachsen>" in text
    assert "<https://w3id.org/govsocial/id/reason/" in text
    assert '"@de .' in text and '"@en .' in text
    # a month-precision date is the first of its month
    for line in text.splitlines():
        if line.endswith("#MonthPrecision> ."):
            subject = line.split(" ", 1)[0]
            date_line = next(
                x for x in text.splitlines() if x.startswith(subject + " <https://w3id.org/govsocial/ontology#date>")
            )
            assert '-01"^^' in date_line
            break
    else:
        pytest.fail("no month-precision date generated")


def test_the_mix_leaves_out_federated_queries() -> None:
    assert federated("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }")
    assert not federated("# no SERVICE here\nSELECT * WHERE { ?s ?p ?o }")
    ids = [query.id for query in example_queries(QUERIES_DIR)]
    assert ids and all(not federated((QUERIES_DIR / f).read_text()) for f in _files_of(ids))


def _files_of(ids: list[str]) -> list[str]:
    return [path.name for path in sorted(QUERIES_DIR.glob("*.rq")) if path.stem.split("-", 1)[0] in ids]


def test_slugs_follow_the_vocabulary() -> None:
    assert slug("Groß Mühlbrück") == "gross-muehlbrueck"
    assert slug("Bad Ölsen-Süd") == "bad-oelsen-sued"


def test_percentiles_on_known_numbers() -> None:
    samples = [float(n) for n in range(1, 11)]  # 1..10
    assert stats.median(samples) == 5.5
    assert stats.percentile(samples, 0) == 1 and stats.percentile(samples, 1) == 10
    assert stats.p95(samples) == pytest.approx(9.55)  # numpy's linear method: 9 + 0.55 * (10 - 9)
    assert stats.p95([float(n) for n in range(1, 101)]) == pytest.approx(95.05)
    assert stats.median([3.0, 1.0, 2.0]) == 2.0  # order does not matter
    assert stats.p95([4.2]) == 4.2
    assert math.isnan(stats.median([]))
    with pytest.raises(ValueError):
        stats.percentile(samples, 1.5)


def test_throughput_and_ratios_on_known_numbers() -> None:
    assert stats.throughput(30, 2.0) == 15.0
    assert math.isnan(stats.throughput(3, 0))
    # one query at 1/s and one at 2/s: running each once takes 1 + 0.5 s, so the mix does 2 / 1.5 per second
    assert stats.mix_throughput([1.0, 2.0]) == pytest.approx(4 / 3)
    assert stats.mix_throughput([5.0, 5.0, 5.0]) == pytest.approx(5.0)
    assert stats.mix_throughput([5.0, 0.0]) == 0.0
    assert stats.ratio(10.0, 4.0) == 2.5
    assert stats.ratio(1.0, 0.0) == math.inf
    assert math.isnan(stats.ratio(math.nan, 1.0))
    assert stats.geometric_mean([1.0, 4.0]) == pytest.approx(2.0)
    assert stats.geometric_mean([2.0, math.inf, 8.0]) == pytest.approx(4.0)


def test_batch_size_aims_at_a_duration_within_bounds() -> None:
    assert stats.batch_size(0.01, 4, 1.0, 4, 200) == 200  # fast: capped
    assert stats.batch_size(0.1, 4, 1.0, 4, 200) == 40
    assert stats.batch_size(3.0, 4, 1.0, 4, 200) == 4  # slow: at least one request per client


def test_the_schedule_alternates_a_b_a_b() -> None:
    order = list(stats.schedule(["A", "B"], 3))
    assert [name for _, name in order] == ["A", "B", "A", "B", "A", "B"]
    assert [r for r, _ in order] == [0, 0, 1, 1, 2, 2]
    three = [name for _, name in stats.schedule(["ours", "cache", "oxigraph"], 4)]
    assert all(a != b for a, b in itertools.pairwise(three))
    assert {name: three.count(name) for name in set(three)} == {"ours": 4, "cache": 4, "oxigraph": 4}
    with pytest.raises(ValueError):
        list(stats.schedule(["A", "A"], 2))


def test_summary_ratios_are_ours_over_the_peer() -> None:
    def endpoint(throughput: float, ok: int = 10) -> dict:
        return {"throughput": throughput, "ok": ok}

    results = {
        "q1": {"endpoints": {"ours-nocache": endpoint(2.0), "oxigraph": endpoint(1.0), "rdflib": endpoint(0.5)}},
        "q2": {"endpoints": {"ours-nocache": endpoint(8.0), "oxigraph": endpoint(8.0), "rdflib": endpoint(0, ok=0)}},
    }
    summary = summarise(results, ["ours-nocache", "oxigraph", "rdflib"])
    assert summary["mix_throughput"]["ours-nocache"] == pytest.approx(2 / (0.5 + 0.125), abs=1e-3)
    vs_oxigraph = summary["ratios"]["ours-nocache/oxigraph"]
    assert vs_oxigraph["mix_throughput_ratio"] == pytest.approx((2 / 0.625) / (2 / 1.125), abs=1e-3)
    assert vs_oxigraph["geomean_throughput_ratio"] == pytest.approx(math.sqrt(2), abs=1e-3)
    vs_rdflib = summary["ratios"]["ours-nocache/rdflib"]
    assert vs_rdflib["queries"] == 1 and vs_rdflib["queries_peer_failed"] == ["q2"]
    assert vs_rdflib["mix_throughput_ratio"] == 4.0


def test_load_outcomes_are_classified() -> None:
    def sample(status: int, error: str = "") -> Sample:
        return Sample("q", status, 0.1, 10, error)

    assert classify(False, sample(200)) == "expected:answered"
    assert classify(True, sample(503, "limit_reached:query_timeout_s")) == "expected:runaway stopped"
    assert classify(False, sample(503, "limit_reached:query_timeout_s")) == "expected:mix query over the time limit"
    assert classify(False, sample(503, "limit_reached:workers")).startswith("unexpected")
    assert classify(False, sample(500, "internal_error")) == "unexpected:mix 500 internal_error"
    assert classify(True, sample(200)).startswith("unexpected")
    assert classify(False, sample(0, "timeout")) == "unexpected:no answer (timeout)"


def test_targets_say_why_one_is_missed_and_compute_the_lookup_ratio() -> None:
    """The lookup target is ours over Oxigraph on the lookup alone; a missed p95 names the engine's own p95."""

    def endpoint(throughput: float, p95: float) -> dict:
        return {"throughput": throughput, "p95_ms": p95, "ok": 10}

    def comparison(lookup_ours: float) -> dict:
        queries = {
            "01": {"example": True, "endpoints": {"ours-nocache": endpoint(2, 400), "oxigraph": endpoint(1, 380)}},
            "lookup": {
                "example": False,
                "endpoints": {"ours-nocache": endpoint(lookup_ours, 5), "oxigraph": endpoint(1000, 2)},
            },
        }
        ratios = {"ours-nocache/oxigraph": {"mix_throughput_ratio": 1.2}}
        return {"queries": queries, "summary": {"ratios": ratios}, "http_floor": {"throughput": 800.0}}

    results = {
        "comparisons": {"real": comparison(600), "1e6": comparison(400)},
        "builds": {
            "1e7": {
                "build": {"ok": True, "seconds": 200.0, "peak_rss_mb": 3000},
                "profile": {"groups": {"load": 90.0, "dumps": 40.0}},
            },
            "real": {
                "rebuild": {
                    "full": {"ok": True, "seconds": 40.0},
                    "rebuild": {"ok": True, "seconds": 12.0},
                    "changed_graph": "press",
                    "reused_graphs": 6,
                }
            },
        },
    }
    checks = {c["target"]: c for c in report.targets(results)}
    real = checks["by-IRI lookups at the real data, cache off, ours/oxigraph"]
    assert real["met"] is True and real["value"] == pytest.approx(0.6)
    million = checks["by-IRI lookups at 10^6, cache off, ours/oxigraph"]
    assert million["met"] is False and "400.0 against 1000.0" in million["reason"]
    assert "our HTTP server alone answers 800.0/s of the same body (0.80×)" in million["reason"]
    p95 = checks["p95 of example query 01 at 10^6, ours, cache off (ms)"]
    assert p95["met"] is False and "380.0 ms" in p95["reason"]
    build = checks["build of 10^7 triples (s)"]
    assert build["met"] is False and build["reason"] == "slowest stages: load 90.0 s, dumps 40.0 s"
    rebuild = checks["rebuild of the real data after one changed graph (press) (s)"]
    assert rebuild["met"] is True and "6 graphs were reused" in rebuild["reason"]
    table = report.targets_table(list(checks.values()))
    assert "MISSED       build of 10^7 triples (s): 200.00 (goal < 180); slowest stages: load 90.0 s" in table
    assert "reused" not in table  # a reason is printed only for a target that is missed


def test_the_http_floor_answers_its_constant_body_over_http(tmp_path: Path) -> None:
    """The floor server is our guarded HTTP server, really started, answering the body it was given."""
    body = b'{"head":{"vars":["p","o"]},"results":{"bindings":[]}}'
    floor = start_floor("floor", body, tmp_path)
    client = Client(2, 10)
    lookup = lookup_query(["https://w3id.org/govsocial/id/org/x"])
    try:
        samples, wall = client.batch(floor.endpoint, lookup, 40)
        sample, payload = client.request(floor.endpoint, lookup, 0)
        with urlopen(Request(floor.endpoint.url, data=b"query=ASK%7B%7D")) as response:
            server = response.headers["Server"]
    finally:
        client.close()
        floor.stop()
    assert [s.status for s in samples] == [200] * 40 and wall > 0
    assert payload == body and sample.size == len(body)
    assert server == "govsocial"  # the ident of server.web.wsgi.make_server: the server `govsocial serve` runs
