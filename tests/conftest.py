"""Shared fixtures: a store built from the real ontology and data; the app in this process over the local
engine (`app`, `client`, `http`: the in-process tier); and real servers over HTTP (`start_server`, `server_url`:
the server tier, stopped together at the end)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from pyoxigraph import Store

from server.build.pipeline import build
from server.engine.jobs import execute
from server.engine.local import LocalEngine
from server.engine.query import run_query
from server.engine.worker import load_into_memory
from server.settings import PROJECT_DIR, Settings
from server.store.builds import ENGINE_DIR, BuildInfo, current_build, open_store
from server.web.app import create_app
from server.web.pages.queries import PageQueries
from server.web.pages.vocabulary import Vocabulary, load_vocabulary

from .support import (
    DATA_DIR,
    GOVSOCIAL,
    ONTOLOGY_DIR,
    QUERIES_DIR,
    WIKIDATA_STANDIN,
    Http,
    InProcess,
    free_port,
    oxigraph_server,
    stop_process,
)


@pytest.fixture(scope="session")
def built_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store directory built once per test run from the project's own ontology/ and data/."""
    store_dir = tmp_path_factory.mktemp("store")
    build(store_dir, ONTOLOGY_DIR, DATA_DIR, queries_dir=QUERIES_DIR)
    return store_dir


@pytest.fixture(scope="session")
def store(built_store_dir: Path) -> Store:
    """The built store, opened read-only as the server opens it."""
    opened, _ = open_store(built_store_dir)
    return opened


@pytest.fixture(scope="session")
def build_info(built_store_dir: Path) -> BuildInfo:
    """What the session's build reported."""
    return open_store(built_store_dir)[1]


@pytest.fixture(scope="session")
def select(store: Store):
    """Run a SELECT and return its rows as dicts of plain strings (IRIs and literal values)."""

    def run(text: str) -> list[dict[str, str]]:
        result = run_query(store, text)
        names = [variable.value for variable in result.variables]
        return [{name: solution[name].value for name in names if solution[name] is not None} for solution in result]

    return run


@pytest.fixture(scope="session")
def ask(store: Store):
    """Run an ASK query and return its boolean."""

    def run(text: str) -> bool:
        return bool(run_query(store, text))

    return run


class RunningServer:
    """A `govsocial serve` process on a free port of 127.0.0.1, started with the given settings."""

    def __init__(self, store_dir: Path, **settings: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "GOVSOCIAL_STORE": str(store_dir)}
        env.update({f"GOVSOCIAL_{name.upper()}": str(value) for name, value in settings.items()})
        self.process = subprocess.Popen(
            [GOVSOCIAL, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_until_up(self.url, self.process)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server the way an operator does (SIGTERM), and make sure it is gone."""
        stop_process(self.process)


@pytest.fixture(scope="session")
def start_server(built_store_dir: Path) -> Iterator:
    """Start servers on the session's store with chosen settings; all are stopped at the end."""
    started: list[RunningServer] = []

    def start(**settings: str) -> RunningServer:
        server = RunningServer(built_store_dir, **settings)
        started.append(server)
        return server

    yield start
    with ThreadPoolExecutor(max_workers=max(len(started), 1)) as stopping:  # each may take seconds to stop
        list(stopping.map(RunningServer.stop, started))


@pytest.fixture(scope="session")
def queries(store: Store) -> PageQueries:
    """The pages' query runner on the session's store, without the worker pool (the server runs the same
    texts on its workers)."""
    return PageQueries(lambda job: execute(store, job), Settings().max_result_bytes)


@pytest.fixture(scope="session")
def vocab(queries: PageQueries) -> Vocabulary:
    """The ontology graph as the pages read it."""
    return load_vocabulary(queries)


@pytest.fixture(scope="session")
def replica(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`oxigraph serve-read-only` on a copy of the build, as a replica would be deployed: a remote engine."""
    copy = tmp_path_factory.mktemp("replica") / "oxigraph"
    shutil.copytree(current_build(built_store_dir) / ENGINE_DIR, copy)
    with oxigraph_server(copy) as url:
        yield url


@pytest.fixture(scope="session")
def wikidata_standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`oxigraph serve-read-only` on tests/wikidata_standin.ttl: the one stand-in for Wikidata's endpoint."""
    with oxigraph_server(tmp_path_factory.mktemp("wikidata-standin"), load=WIKIDATA_STANDIN) as url:
        yield url


@pytest.fixture(scope="session")
def local_engine(built_store_dir: Path) -> LocalEngine:
    """The session's build held in memory, as the workers hold it, answering in the test's own thread."""
    return LocalEngine(load_into_memory(str(current_build(built_store_dir) / ENGINE_DIR)))


@pytest.fixture(scope="session")
def make_app(built_store_dir: Path, local_engine: LocalEngine) -> Callable[..., InProcess]:
    """Apps on the session's store with chosen settings, in this process over the local engine."""
    made: dict[tuple[tuple[str, str], ...], InProcess] = {}

    def make(**settings: str) -> InProcess:
        key = tuple(sorted(settings.items()))
        if key not in made:
            # the app names itself as the test client addresses it, as a deployment does with public_url
            config = Settings({"store": built_store_dir, "public_url": InProcess.url + "/", **settings})
            made[key] = InProcess(create_app(config, engine=local_engine))
        return made[key]

    return make


@pytest.fixture(scope="session")
def http(make_app) -> InProcess:
    """The app with the default settings, in process: the client of the in-process tier."""
    return make_app()


@pytest.fixture(scope="session")
def app(http: InProcess):
    """The Flask app behind `http`."""
    return http.app


@pytest.fixture(scope="session")
def client(http: InProcess):
    """Flask's test client of `app`."""
    return http.client


@pytest.fixture(scope="session")
def server_url(start_server) -> str:
    """A server with the default settings, shared by the tests that do not change any."""
    return start_server().url


@pytest.fixture(scope="session")
def wire(server_url: str) -> Http:
    """The default server as a client with the methods of `http`: for what must cross a real socket."""
    return Http(server_url)


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"server exited with {process.returncode}:\n{output}")
        try:
            requests.get(f"{url}/-/health", timeout=1)  # any answer: the server is up (healthy or saying why not)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not answer within {seconds} s")


#: Fixtures that start a process of ours: a test using one belongs to the server tier.
_SERVER_FIXTURES = {"start_server", "server_url", "wire"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tiers, so `pytest -m "not server and not browser"` runs the in-process tier alone."""
    for item in items:
        if _SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.server)
        if item.path.name == "test_browser.py":
            item.add_marker(pytest.mark.browser)
