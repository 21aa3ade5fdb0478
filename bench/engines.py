"""`python -m bench.engines`: which SPARQL engines our front end can use as its remote engine, measured.

For every engine installed on this machine, each load recipe of README's "Verified engines" is run on the
current build: the engine is loaded and started on 127.0.0.1, our front end (`govsocial serve`) is started in
front of it with GOVSOCIAL_ENGINE_URL, and its own engine check (`/-/health`, `engine_check`) is what counts:
the build's version found, and every recorded example answered as the build answered it. Beside that verdict:
each example through the front end and sent to the raw engine as a client would (no prologue, no dataset);
the probes (PROBES: the smallest queries that show why an example was answered otherwise) through the front
end; and whether the raw engine makes a SERVICE call of its own (to a listener of ours on 127.0.0.1).

Recipes: Oxigraph `serve-read-only` on a copy of the build's store (union), Oxigraph loaded from the N-Quads
dump (named), Virtuoso loaded by deploy/virtuoso/load.sh (named, and union: its default graph is all its
graphs). Virtuoso is skipped, with the reason, when `virtuoso-t` is not installed. Writes engines.json and
engines.md to bench/out/ (`--out`).
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from pyoxigraph import QueryBoolean, QueryResultsFormat, parse_query_results

from server.engine.conformance import Fingerprint, checked_examples, read_expected
from server.engine.examples import load_examples
from server.engine.jobs import QueryJob, execute
from server.store.builds import open_store

from .client import Endpoint
from .endpoints import BIN, PROJECT_DIR, Server, _spawn, _wait, copy_store, free_port, start_ours, start_oxigraph

VIRTUOSO_DIR = PROJECT_DIR / "deploy" / "virtuoso"
#: The examples the front end checks its engine with (its default GOVSOCIAL_QUERIES_DIR).
QUERIES_DIR = PROJECT_DIR / "queries"
JSON = "application/sparql-results+json"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: What `/-/health` says while the front end's check of its engine is still running.
CHECKING = "checking the engine"
_EXAMPLE_REASON = re.compile(r"^example (?P<name>\S+) (?P<how>.*)$")
_PREFIXES = (
    "PREFIX gs: <https://w3id.org/govsocial/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)


@dataclass(frozen=True)
class Probe:
    """A small query that shows one way an engine answers otherwise than the build, and the examples it explains."""

    name: str
    explains: str
    text: str


#: Each reduced from an example that an engine answered otherwise, to the smallest query still answered otherwise
#: (the three OPTIONALs only over all 96 departures: restricted to one event, or counted, they are answered right).
PROBES = (
    Probe(
        "three-optionals",
        "01",
        "SELECT ?event ?notAfter WHERE { ?event a gs:Departure . OPTIONAL { ?event gs:notBefore ?notBefore }"
        " OPTIONAL { ?event gs:notAfter ?notAfter } OPTIONAL { ?event gs:reportedOn ?reportedOn } }",
    ),
    Probe(
        "optional-around-a-path-plus",
        "04",
        "SELECT (COUNT(?event) AS ?bound) WHERE { ?institution gs:withinLand <https://w3id.org/govsocial/id/org/sachsen>"
        " . OPTIONAL { ?event gs:institution ?institution ; a ?class . ?class rdfs:subClassOf+ gs:PlatformEvent } }",
    ),
    Probe(
        "path-plus-between-labels",
        "07",
        'SELECT (COUNT(*) AS ?rows) WHERE { ?event a ?class ; rdfs:label ?eventLabel . FILTER(lang(?eventLabel) = "en")'
        " ?class rdfs:subClassOf+ gs:PlatformEvent ; rdfs:label ?kind }",
    ),
    Probe("values-in-a-union", "23", "SELECT ?a WHERE { { BIND (1 AS ?a) } UNION { VALUES ?a { 2 } } }"),
    Probe(
        "group-concat-of-one-language",
        "02 03 06 23",
        'SELECT (GROUP_CONCAT(?l; separator=", ") AS ?joined) WHERE { VALUES ?l { "a"@en "b"@en } }',
    ),
    Probe(
        "group-concat-of-nothing",
        "06",
        'SELECT ?x (GROUP_CONCAT(?l; separator=", ") AS ?joined) WHERE { VALUES ?x { 1 } OPTIONAL { ?x gs:none ?l } }'
        " GROUP BY ?x",
    ),
    Probe("date-minus-date", "19", 'SELECT ("2025-02-12"^^xsd:date - "2025-02-01"^^xsd:date AS ?days) WHERE { }'),
    Probe(
        "group-concat-without-separator",
        "none (a client's query)",
        'SELECT (GROUP_CONCAT(?l) AS ?joined) WHERE { VALUES ?l { "a" "b" } }',
    ),
)


@dataclass
class RunningEngine:
    """An engine loaded with the build and answering at `url`, with how it was loaded and how to stop it."""

    name: str
    version: str
    loaded: str
    url: str
    load_seconds: float
    stop: Callable[[], None]
    max_rows: int = 0


@dataclass(frozen=True)
class Recipe:
    """One way to load the build into an engine, and the dataset modes the front end is checked with on it."""

    key: str
    modes: tuple[str, ...]
    start: Callable[[Path, Path, Path], RunningEngine]
    available: Callable[[], str | None] = lambda: None  # None, or why the engine cannot run here


def oxigraph_version() -> str:
    """The version `oxigraph --version` states (the CLI installed beside this interpreter)."""
    result = subprocess.run([str(BIN / "oxigraph"), "--version"], capture_output=True, text=True, check=True)
    return result.stdout.strip().removeprefix("oxigraph ").strip()


def start_oxigraph_copy(store_dir: Path, work: Path, logs: Path) -> RunningEngine:
    """Recipe (a): `oxigraph serve-read-only` on a copy of the build's store, whose default graph is the merge."""
    began = time.monotonic()
    copy = copy_store(store_dir, work / "oxigraph-copy")
    server = start_oxigraph("engine-oxigraph-copy", copy, logs)
    return RunningEngine(
        "Oxigraph",
        oxigraph_version(),
        "copy of the build's oxigraph/ folder; oxigraph serve-read-only --location COPY",
        server.endpoint.url,
        round(time.monotonic() - began, 2),
        server.stop,
    )


def start_oxigraph_loaded(store_dir: Path, work: Path, logs: Path) -> RunningEngine:
    """Recipe (b): `oxigraph load` of the N-Quads dump into a new store, then `serve-read-only` on it."""
    began = time.monotonic()
    location = work / "oxigraph-load"
    shutil.rmtree(location, ignore_errors=True)
    dump = (store_dir / "current").resolve() / "dumps" / "govsocial.nq.gz"
    load = [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(dump)]
    with open(logs / "engine-oxigraph-load.load.log", "wb") as out:
        subprocess.run(load, stdout=out, stderr=subprocess.STDOUT, check=True, timeout=600)
    port = free_port()
    command = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    log = logs / "engine-oxigraph-load.log"
    server = Server(Endpoint("oxigraph-load", f"http://127.0.0.1:{port}/query", "oxigraph"), _spawn(command, log), log)
    _wait(server, 120)
    return RunningEngine(
        "Oxigraph",
        oxigraph_version(),
        "oxigraph load --location NEW --file dumps/govsocial.nq.gz; oxigraph serve-read-only --location NEW",
        server.endpoint.url,
        round(time.monotonic() - began, 2),
        server.stop,
    )


def virtuoso_missing() -> str | None:
    """Why Virtuoso cannot run here, or None."""
    if not shutil.which("virtuoso-t"):
        return "virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource)"
    if not (shutil.which("isql-vt") or shutil.which("isql")):
        return "Virtuoso's isql-vt is not installed"
    return None


def virtuoso_version() -> str:
    """The server's own version line, and the Debian package's version when there is one."""
    result = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True)
    found = re.search(r"Version (\S+)", result.stdout + result.stderr)
    version = found.group(1) if found else "unknown"
    package = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "virtuoso-opensource-7"], capture_output=True, text=True
    )
    return f"{version} (Debian {package.stdout.strip()})" if package.returncode == 0 and package.stdout else version


def start_virtuoso(store_dir: Path, work: Path, logs: Path) -> RunningEngine:
    """deploy/virtuoso/load.sh into a new database directory, on free ports and with a new dba password."""
    began = time.monotonic()
    db_dir = work / "virtuoso"
    shutil.rmtree(db_dir, ignore_errors=True)
    http_port, sql_port, password = free_port(), free_port(), secrets.token_hex(12)
    env = {"VIRTUOSO_HTTP_PORT": str(http_port), "VIRTUOSO_SQL_PORT": str(sql_port), "VIRTUOSO_DBA_PASSWORD": password}
    command = [str(VIRTUOSO_DIR / "load.sh"), str((store_dir / "current").resolve()), str(db_dir)]
    isql = shutil.which("isql-vt") or shutil.which("isql") or "isql-vt"

    def stop() -> None:
        subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", password, "-K"], capture_output=True, timeout=60)
        _wait_for_exit(db_dir / "virtuoso.lck", 60)

    with open(logs / "engine-virtuoso.load.log", "wb") as out:
        done = subprocess.run(
            command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env}, timeout=900, cwd=PROJECT_DIR
        )
    if done.returncode != 0:
        stop()
        raise RuntimeError(f"load.sh failed ({done.returncode}); see {logs / 'engine-virtuoso.load.log'}")
    return RunningEngine(
        "Virtuoso",
        virtuoso_version(),
        "deploy/virtuoso/load.sh BUILD_DIR DB_DIR (ld_dir + rdf_loader_run of dumps/govsocial.nq.gz)",
        f"http://127.0.0.1:{http_port}/sparql",
        round(time.monotonic() - began, 2),
        stop,
        max_rows=_ini_value(db_dir / "virtuoso.ini", "ResultSetMaxRows"),
    )


RECIPES = (
    Recipe("oxigraph-copy", ("union",), start_oxigraph_copy),
    Recipe("oxigraph-load", ("named",), start_oxigraph_loaded),
    Recipe("virtuoso", ("named", "union"), start_virtuoso, virtuoso_missing),
)


def run_recipe(recipe: Recipe, store_dir: Path, work: Path, timeout: float = 300, examples: bool = True) -> list[dict]:
    """Load the build into the recipe's engine, and check our front end on it in each of the recipe's modes.

    `examples=False` keeps to the engine check (the tests): the example-by-example comparison doubles the time.
    """
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    engine = recipe.start(store_dir, work, logs)
    try:
        service_call = calls_out(engine.url)
        return [
            {
                "recipe": recipe.key,
                "engine": engine.name,
                "version": engine.version,
                "loaded": engine.loaded,
                "load_seconds": engine.load_seconds,
                "dataset": mode,
                "max_rows": engine.max_rows,
                "raw_engine_calls_service": service_call,
                **front_end_check(store_dir, engine, mode, logs, timeout, examples),
            }
            for mode in recipe.modes
        ]
    finally:
        engine.stop()


def front_end_check(
    store_dir: Path, engine: RunningEngine, mode: str, logs: Path, timeout: float, examples: bool = True
) -> dict:
    """Our front end in front of the engine: its engine check, and each example through it and on the raw engine."""
    settings = {"engine_url": engine.url, "engine_dataset": mode, "result_cache_mb": "0"}
    if engine.max_rows:
        settings["engine_max_rows"] = str(engine.max_rows)
    began = time.monotonic()
    front = start_ours(f"front-{engine.name.lower()}-{mode}", store_dir, logs, **settings)
    try:
        check = wait_for_check(front.endpoint.url.removesuffix("/sparql"), timeout)
        seconds = round(time.monotonic() - began, 2)
        compared = compare_examples(store_dir, front.endpoint.url, engine.url) if examples else []
        probed = probe(store_dir, front.endpoint.url) if examples else []
    finally:
        front.stop()
    differing = [match.groupdict() for reason in check["reasons"] if (match := _EXAMPLE_REASON.match(reason))]
    entry = {
        "engine_check": check,
        "check_seconds": seconds,
        "examples_checked": check["examples_checked"],
        "examples_exact": check["examples_checked"] - len(differing) if check["examples_checked"] else 0,
        "differing": differing,
        "examples": compared,
        "probes": probed,
    }
    return {**entry, "result": verdict(entry)}


def wait_for_check(base_url: str, timeout: float) -> dict:
    """`/-/health`'s engine_check once the front end has finished checking its engine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check = _health(base_url).get("engine_check") or {}
        reasons = check.get("reasons", [])
        if check and not (reasons and reasons[0].startswith(CHECKING)):
            return check
        time.sleep(0.5)
    raise TimeoutError(f"the front end at {base_url} did not finish checking its engine within {timeout} s")


def compare_examples(store_dir: Path, front_url: str, engine_url: str) -> list[dict]:
    """Each checked example's answer against the build's: through the front end, and sent to the raw engine."""
    build_dir = (store_dir / "current").resolve()
    expected = read_expected(build_dir)
    compared = []
    for example in checked_examples(load_examples(QUERIES_DIR)):
        want = expected.get(example.name)
        if want is None:
            continue
        compared.append(
            {
                "name": example.name,
                "build_rows": want.rows,
                "front_end": _compare(front_url, example.text, want),
                "raw_engine": _compare(engine_url, example.text, want),
            }
        )
    return compared


def probe(store_dir: Path, front_url: str) -> list[dict]:
    """Each probe on the build's own store and through the front end: both answers' values, and whether equal."""
    store, _ = open_store(store_dir)
    probed = []
    for each in PROBES:
        text = _PREFIXES + each.text
        built = execute(store, QueryJob(text, JSON, 1 << 20)).body
        entry = {"name": each.name, "explains": each.explains, "query": text, "build": _values(built)}
        try:
            body = _post(front_url, text, 60)
        except HTTPError as error:
            entry.update(front_end=f"error {error.code}: {_first_line(error.read())}", same=False)
        except (URLError, OSError) as error:
            entry.update(front_end=f"error: {error}", same=False)
        else:
            entry.update(front_end=_values(body), same=Fingerprint.of(body) == Fingerprint.of(built))
        probed.append(entry)
    return probed


def _compare(url: str, query: str, want: Fingerprint) -> dict:
    """One answer's rows and whether it is the build's answer exactly, or the error it met."""
    try:
        got = Fingerprint.of(_post(url, query, 60))
    except HTTPError as error:
        return {"error": f"{error.code}: {_first_line(error.read())}"}
    except (URLError, OSError, SyntaxError, ValueError) as error:
        return {"error": _first_line(str(error).encode())}
    return {"rows": got.rows, "exact": got == want}


def calls_out(engine_url: str) -> bool:
    """Whether the raw engine makes a SERVICE call of its own: a listener on 127.0.0.1 counts the requests."""
    with _listener() as (port, heard):
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        # the engine's refusal, or its failure to read our listener's 500: only the request to the listener counts
        with suppress(HTTPError, URLError, OSError):
            _post(engine_url, query, 20)
        return bool(heard)


@contextmanager
def _listener() -> Iterator[tuple[int, list[str]]]:
    """An HTTP server on a free port of 127.0.0.1 that records each request's path and answers 500."""
    heard: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            heard.append(self.path)
            self.send_error(500)

        do_POST = do_GET

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the requests are recorded, not logged."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], heard
    finally:
        server.shutdown()
        server.server_close()


def run(store_dir: Path, out: Path, keys: list[str] | None = None, log: Callable[[str], None] = print) -> dict:
    """Every recipe (or those named) whose engine is installed; the results, also written to `out`."""
    work = out / "stores" / "engines"
    results: dict = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "store": str(store_dir),
        "build": (store_dir / "current").resolve().name,
        "runs": [],
        "skipped": {},
    }
    try:
        for recipe in RECIPES:
            if keys and recipe.key not in keys:
                continue
            why_not = recipe.available()
            if why_not:
                log(f"[engines] {recipe.key}: skipped, {why_not}")
                results["skipped"][recipe.key] = why_not
                continue
            log(f"[engines] {recipe.key}: loading the build and checking the front end on it ...")
            results["runs"] += run_recipe(recipe, store_dir, work)
    finally:
        for child in ("oxigraph-copy", "oxigraph-load", "virtuoso"):
            shutil.rmtree(work / child, ignore_errors=True)
    results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out.mkdir(parents=True, exist_ok=True)
    (out / "engines.json").write_text(json.dumps(results, indent=1))
    tables = [table(results), examples_table(results), probes_table(results)]
    (out / "engines.md").write_text("\n\n".join(part for part in tables if part) + "\n")
    return results


def verdict(entry: dict) -> str:
    """The result as README's table says it."""
    checked, exact = entry["examples_checked"], entry["examples_exact"]
    if entry["engine_check"]["ok"]:
        return f"{exact} of {checked} examples exact: supported"
    if not checked:
        return "not supported: " + "; ".join(entry["engine_check"]["reasons"])
    return f"not supported: {exact} of {checked} examples exact"


def table(results: dict) -> str:
    """The summary, one line per engine, recipe and dataset mode, as Markdown."""
    lines = [
        "| engine | version | loaded | dataset | result | differing (engine check) | raw engine calls SERVICE |",
        "|---|---|---|---|---|---|---|",
    ]
    for entry in results["runs"]:
        differing = "; ".join(f"{d['name']}: {d['how']}" for d in entry["differing"]) or "-"
        if not entry["examples_checked"]:
            differing = "; ".join(entry["engine_check"]["reasons"])
        lines.append(
            f"| {entry['engine']} | {entry['version']} | {entry['loaded']} | {entry['dataset']} | "
            f"{entry['result']} | {differing} | {'yes' if entry['raw_engine_calls_service'] else 'no'} |"
        )
    lines += [f"| {key} | - | skipped: {why} | | | | |" for key, why in results["skipped"].items()]
    return "\n".join(lines)


def examples_table(results: dict) -> str:
    """Each example's rows: the build's, through the front end, and from the raw engine (a client's query)."""
    runs = results["runs"]
    if not runs:
        return ""
    header = "| example | build | " + " | ".join(f"{r['recipe']} {r['dataset']}: front end / raw" for r in runs) + " |"
    lines = [header, "|---|---|" + "---|" * len(runs)]
    for index, first in enumerate(runs[0]["examples"]):
        cells = [
            _cell(r["examples"][index]["front_end"]) + " / " + _cell(r["examples"][index]["raw_engine"]) for r in runs
        ]
        lines.append(f"| {first['name']} | {first['build_rows']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def probes_table(results: dict) -> str:
    """Each probe's answer on the build and through the front end on each engine, as Markdown."""
    runs = [r for r in results["runs"] if r["probes"]]
    if not runs:
        return ""
    header = "| probe | explains | build | " + " | ".join(f"{r['recipe']} {r['dataset']}" for r in runs) + " |"
    lines = [header, "|---|---|---|" + "---|" * len(runs)]
    for index, first in enumerate(runs[0]["probes"]):
        cells = [_probe_cell(r["probes"][index]) for r in runs]
        lines.append(f"| {first['name']} | {first['explains']} | `{first['build']}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _probe_cell(entry: dict) -> str:
    """`same` where the engine answered the probe as the build did, else its answer."""
    answer = entry["front_end"][:90].replace("|", "/")
    return "same" if entry["same"] else f"`{answer}`"


def _cell(result: dict) -> str:
    """An example's rows, marked ≠ where the answer is not the build's, or the error it met."""
    if "error" in result:
        return "error " + result["error"][:60].replace("|", "/")
    return f"{result['rows']}" + ("" if result["exact"] else " ≠")


def _values(body: bytes) -> str:
    """A short answer's rows as terms ("unbound" where a variable has none); a longer one as how often each is bound."""
    result = parse_query_results(body, format=QueryResultsFormat.JSON)
    if isinstance(result, QueryBoolean):
        return str(bool(result)).lower()
    names = [variable.value for variable in result.variables]
    rows = [[_term(row[name]) for name in names] for row in result]
    if not rows:
        return "no rows"
    if len(rows) > 3:
        bound = (f"?{name} bound in {sum(row[i] != 'unbound' for row in rows)}" for i, name in enumerate(names))
        return f"{len(rows)} rows, " + ", ".join(bound)
    return "; ".join(sorted(" ".join(row) for row in rows))


def _term(term: object) -> str:
    """A term as N-Triples writes it, an integer as its digits, and XSD datatypes as xsd:."""
    if term is None:
        return "unbound"
    text = str(term)
    if text.endswith(f"^^<{XSD}integer>"):
        return text.removeprefix('"').split('"^^')[0]
    return text.replace(f"^^<{XSD}", "^^xsd:").removesuffix(">") if f"^^<{XSD}" in text else text


def _post(url: str, query: str, timeout: float) -> bytes:
    """A query by the protocol's POST form, asking for SPARQL JSON: the answer's body (an HTTPError past 2xx)."""
    request = Request(
        url,
        data=urlencode({"query": query}).encode(),
        headers={"Accept": JSON, "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urlopen(request, timeout=timeout) as response:
        return response.read()


def _health(base_url: str) -> dict:
    """The front end's `/-/health` answer; it is 503 while the engine is not (yet) fit, and its body says why."""
    try:
        with urlopen(f"{base_url}/-/health", timeout=10) as response:
            body = response.read()
    except HTTPError as error:
        body = error.read()
    except (URLError, OSError):
        return {}
    try:
        return json.loads(body)
    except ValueError:
        return {}


def _ini_value(path: Path, name: str) -> int:
    """An integer setting of an ini file (ResultSetMaxRows, for GOVSOCIAL_ENGINE_MAX_ROWS); 0 when absent."""
    found = re.search(rf"^{name}\s*=\s*(\d+)", path.read_text(), re.M)
    return int(found.group(1)) if found else 0


def _wait_for_exit(lock_file: Path, seconds: float) -> None:
    """Virtuoso removes its lock file as it exits; wait for that (it runs as a daemon, not as our child)."""
    deadline = time.monotonic() + seconds
    while lock_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)


def _first_line(body: bytes) -> str:
    """The first line of an error: our front end's `error` field, or an engine's text."""
    text = body.decode("utf-8", "replace").strip()
    with suppress(ValueError, AttributeError):  # our front end's errors are JSON; an engine's are text
        text = json.loads(text).get("error", text)
    return text.splitlines()[0][:200] if text else "(empty)"


def main(argv: list[str] | None = None) -> int:
    """Run the recipes on the current build (GOVSOCIAL_STORE, or --store), print the tables, write bench/out/."""
    from server.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m bench.engines", description=__doc__)
    parser.add_argument("--store", type=Path, default=None, help="built store (default: GOVSOCIAL_STORE, var/store)")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "bench" / "out")
    parser.add_argument("--recipe", action="append", choices=[r.key for r in RECIPES], help="only these recipes")
    args = parser.parse_args(argv)
    store = args.store or Settings().store
    results = run(store, args.out, args.recipe, log=lambda message: print(message, file=sys.stderr, flush=True))
    print(table(results))
    print()
    print(examples_table(results))
    print()
    print(probes_table(results))
    print(f"results: {args.out / 'engines.json'}, {args.out / 'engines.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
