"""The `govsocial` command as a user runs it: build, query in each format, errors with exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .support import ONTOLOGY_DIR, copy_curated, free_port, govsocial

LANDTAG_QUERY = """SELECT ?date WHERE {
  ?e a gs:Departure ; gs:institution institution:niedersaechsischer-landtag ; gs:platform platform:x ; gs:notAfter ?date
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
    assert [b["date"]["value"] for b in bindings] == ["2025-01-17"]


def test_query_from_file_as_csv(cli_store: Path, tmp_path: Path) -> None:
    """--file reads the query from a file; CSV has a header row and one row per solution."""
    query = tmp_path / "q.rq"
    query.write_text(LANDTAG_QUERY, encoding="utf-8")
    result = govsocial("query", "--file", str(query), "--format", "csv", "--store", str(cli_store))
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(result.stdout))) == [["date"], ["2025-01-17"]]


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
    copy_curated(data / "curated")
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
    assert after.returncode == 0 and "2025-01-17" in after.stdout


UNCHANGED = "The previous store, if any, is unchanged."


@pytest.fixture(scope="module")
def small_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a quick build: a copy of the ontology and of the curated data only."""
    root = tmp_path_factory.mktemp("small")
    shutil.copytree(ONTOLOGY_DIR, root / "ontology")
    copy_curated(root / "data" / "curated")
    return {**os.environ, "GOVSOCIAL_ONTOLOGY_DIR": str(root / "ontology"), "GOVSOCIAL_DATA_DIR": str(root / "data")}


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory, small_env: dict[str, str]) -> Path:
    """A store of the curated data built by the command; tests that break stores break copies of it."""
    store = tmp_path_factory.mktemp("small-store") / "store"
    result = govsocial("build", "--store", str(store), env=small_env)
    assert result.returncode == 0, result.stderr
    return store


def copy_store(store: Path, destination: Path) -> Path:
    """A copy of a store directory, `current` still a relative symlink into its own builds."""
    shutil.copytree(store, destination, symlinks=True)
    return destination


def assert_fails(result: subprocess.CompletedProcess[str], command: str, *words: str, status: int = 2) -> None:
    """The command failed with `status` and one line naming the problem; a build also says nothing changed."""
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith(f"govsocial {command}: "), result.stderr
    assert lines[1:] == ([UNCHANGED] if command == "build" else []), result.stderr
    for word in words:
        assert word.lower() in lines[0].lower(), result.stderr


def assert_answers(store: Path) -> None:
    """The store answers a query with the curated data."""
    result = govsocial("query", LANDTAG_QUERY, "--format", "csv", "--store", str(store))
    assert result.returncode == 0 and "2025-01-17" in result.stdout, result.stderr


@contextmanager
def tmpfs(mountpoint: Path, size_kb: int) -> Iterator[bool]:
    """A filesystem of `size_kb` KiB at the mount point; yields False, mounting nothing, where mounting is refused."""
    mountpoint.mkdir()
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mountpoint)], capture_output=True
        )
    except OSError:  # no mount command
        yield False
        return
    try:
        yield mounted.returncode == 0
    finally:
        if mounted.returncode == 0:
            subprocess.run(["umount", str(mountpoint)], check=True)


def disk_usage_kb(folder: Path) -> int:
    """The KiB the folder's files take on disk, as `du -sk` counts them."""
    return sum(path.lstat().st_blocks for path in folder.rglob("*")) // 2


def file_size_limit(size: int) -> Callable[[], None]:
    """A preexec_fn that limits the size of every file the command writes (it then gets EFBIG)."""
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_build_on_a_full_disk_says_so_and_the_previous_store_still_answers(
    small_store: Path, small_env: dict[str, str], tmp_path: Path
) -> None:
    """A disk with room for the previous store and a quarter more: the new build runs out of space.

    Where mounting is refused, a file-size limit stops the build's writes the same way (EFBIG).
    """
    used = disk_usage_kb(small_store)
    with tmpfs(tmp_path / "disk", used + used // 4) as mounted:
        store = copy_store(small_store, tmp_path / "disk" / "store")
        before = os.readlink(store / "current")
        if mounted:
            limit, words = {}, ("the disk is full", "No space left on device", "free some space")
        else:
            limit, words = {"preexec_fn": file_size_limit(64 * 1024)}, ("size limit", "File too large")

        result = govsocial("build", "--store", str(store), env=small_env, **limit)

        assert_fails(result, "build", *words)
        assert os.readlink(store / "current") == before
        assert [path.name for path in (store / "builds").iterdir()] == [Path(before).name]
        assert_answers(store)


def test_build_beyond_the_file_size_limit_says_so(small_store: Path, small_env: dict[str, str], tmp_path: Path) -> None:
    """A file-size limit (ulimit -f) stops the engine's writes with EFBIG; the message names the limit."""
    store = copy_store(small_store, tmp_path / "store")
    result = govsocial("build", "--store", str(store), env=small_env, preexec_fn=file_size_limit(64 * 1024))
    assert_fails(result, "build", "size limit", "File too large", "ulimit -f")
    assert [path.name for path in (store / "builds").iterdir()] == [Path(os.readlink(store / "current")).name]
    assert_answers(store)


def test_build_into_a_read_only_filesystem_says_so(
    small_store: Path, small_env: dict[str, str], tmp_path: Path
) -> None:
    """Root ignores file permissions, not a read-only mount: the OS's reason and the path it concerns."""
    with tmpfs(tmp_path / "disk", 2 * disk_usage_kb(small_store)) as mounted:
        if not mounted:
            pytest.skip("mounting a filesystem is refused here")
        store = copy_store(small_store, tmp_path / "disk" / "store")
        subprocess.run(["mount", "-o", "remount,ro", str(tmp_path / "disk")], check=True)

        result = govsocial("build", "--store", str(store), env=small_env)

        assert_fails(result, "build", "Read-only file system", str(store))
        assert_answers(store)


def test_build_into_a_store_path_under_a_file_says_so(small_env: dict[str, str], tmp_path: Path) -> None:
    """A store path that cannot be a directory is named with the OS's reason."""
    (tmp_path / "file").write_text("", encoding="utf-8")
    result = govsocial("build", "--store", str(tmp_path / "file" / "store"), env=small_env)
    assert_fails(result, "build", "Not a directory", str(tmp_path / "file" / "store"))


def test_a_literal_longer_than_the_parser_reads_is_refused_naming_the_file(
    small_store: Path, small_env: dict[str, str], tmp_path: Path
) -> None:
    """The store's parser reads at most 16 MiB as one term; a 40 MB literal is a problem of its file."""
    data = tmp_path / "data"
    copy_curated(data / "curated")
    (data / "curated" / "zz-big.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<https://w3id.org/govsocial/id/platform/x> rdfs:comment "{"x" * 40_000_000}"@de .\n',
        encoding="utf-8",
    )
    store = copy_store(small_store, tmp_path / "store")

    result = govsocial("build", "--store", str(store), env={**small_env, "GOVSOCIAL_DATA_DIR": str(data)})

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "Build refused: 1 problem(s) found.",
        "  data/curated/zz-big.ttl: a literal or IRI is longer than 16 MiB, the most the store's parser reads "
        "as one term; shorten it, or publish such text as a file of its own and link to it",
        UNCHANGED,
    ]
    assert_answers(store)


def test_a_sparql_constraint_that_does_not_parse_names_its_shape(
    small_store: Path, small_env: dict[str, str], tmp_path: Path
) -> None:
    """A broken sh:select stops the build with the shape's name and the parser's position and expectation."""
    ontology = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY_DIR, ontology)
    shapes = ontology / "shapes.ttl"
    text = shapes.read_text(encoding="utf-8")
    intact = "FILTER NOT EXISTS { $this gs:institution ?institution }"
    assert intact in text
    shapes.write_text(text.replace(intact, "FILTER NOT EXISTS { $this gs:institution }"), encoding="utf-8")

    store = copy_store(small_store, tmp_path / "store")

    result = govsocial("build", "--store", str(store), env={**small_env, "GOVSOCIAL_ONTOLOGY_DIR": str(ontology)})

    assert_fails(result, "build", "SHACL shapes", "gs:PlatformEventShape", "sh:select does not parse", "expected")
    assert re.search(r"error at \d+:\d+", result.stderr), result.stderr
    assert_answers(store)


QUERY_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (lambda folder: folder / "missing.rq", "No such file or directory"),
    "directory": (lambda folder: folder, "Is a directory"),
    "binary": (lambda folder: _written(folder / "binary.rq", b"\xff\xfeS\x00E\x00L\x00"), "not UTF-8"),
}


def _written(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("case", list(QUERY_FILES))
def test_query_file_that_cannot_be_read_says_why(small_store: Path, tmp_path: Path, case: str) -> None:
    """--file on a missing file, a directory or a non-UTF-8 file: one line with the reason, exit 2."""
    make, words = QUERY_FILES[case]
    result = govsocial("query", "--file", str(make(tmp_path)), "--store", str(small_store))
    assert_fails(result, "query", words)
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["query", "serve"])
@pytest.mark.parametrize("part", ["oxigraph", "build.json"])
def test_an_incomplete_current_build_says_to_build_again(
    small_store: Path, tmp_path: Path, command: str, part: str
) -> None:
    """A current build without its store or its build.json is named, with the command that makes a new one."""
    store = copy_store(small_store, tmp_path / "store")
    missing = store / "current" / part
    if missing.is_dir():
        shutil.rmtree(missing)
    else:
        missing.unlink()
    arguments = ["ASK {}"] if command == "query" else ["--port", str(free_port())]

    result = govsocial(command, *arguments, "--store", str(store))

    assert_fails(result, command, "incomplete", part, "govsocial build")


def test_a_query_nested_too_deep_is_refused_before_the_engine_sees_it(small_store: Path) -> None:
    """20,000 nested groups would overflow the parser's stack (a segmentation fault); they are refused instead."""
    text = "SELECT * WHERE " + "{" * 20_000 + "}" * 20_000
    result = govsocial("query", text, "--store", str(small_store))
    assert_fails(result, "query", "nests brackets", "levels deep")
