"""Shared fixtures: a store built from the real ontology and data, and a real server over HTTP."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pyoxigraph import Store

from server.query import run_query
from server.settings import PROJECT_DIR
from server.store import BuildInfo, build, open_store

from .support import DATA_DIR, GOVSOCIAL, ONTOLOGY_DIR, free_port


@pytest.fixture(scope="session")
def built_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store directory built once per test run from the project's own ontology/ and data/."""
    store_dir = tmp_path_factory.mktemp("store")
    build(store_dir, ONTOLOGY_DIR, DATA_DIR)
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


@pytest.fixture(scope="session")
def server_url(built_store_dir: Path) -> Iterator[str]:
    """Start `govsocial serve` on a free port of 127.0.0.1, wait until it answers, stop it after."""
    port = free_port()
    env = {**os.environ, "GOVSOCIAL_STORE": str(built_store_dir)}
    process = subprocess.Popen(
        [GOVSOCIAL, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"server exited with {process.returncode}:\n{output}")
        try:
            if requests.get(f"{url}/-/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not answer within {seconds} s")
