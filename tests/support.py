"""Helpers the tests share: where the project's files are, a free port, the installed command."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from server.settings import PROJECT_DIR

ONTOLOGY_DIR = PROJECT_DIR / "ontology"
DATA_DIR = PROJECT_DIR / "data"
QUERIES_DIR = PROJECT_DIR / "queries"
#: The shared reference folder beside the checkout (sources, checked QIDs); a user's clone may not have it.
SHARED_DIR = PROJECT_DIR.parent / "shared"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: The console script that `pip install` put beside this interpreter: what a user runs.
GOVSOCIAL = str(Path(sys.executable).with_name("govsocial"))


def govsocial(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run the installed `govsocial` command as a user would, capturing its output."""
    return subprocess.run([GOVSOCIAL, *args], capture_output=True, text=True, timeout=300, cwd=PROJECT_DIR, **kwargs)


#: Oxigraph's own command-line server, installed with the test extras.
OXIGRAPH = str(Path(sys.executable).with_name("oxigraph"))


@contextmanager
def oxigraph_server(location: Path, load: Path | None = None) -> Iterator[str]:
    """`oxigraph serve-read-only` on a store directory (first loading a file into it, if given).

    Yields the SPARQL endpoint URL (path /query) once it answers; stops the server afterwards. The tests use
    it as a stand-in for Wikidata and as a replica of our build.
    """
    if load is not None:
        subprocess.run(
            [OXIGRAPH, "load", "--location", str(location), "--file", str(load)],
            check=True,
            capture_output=True,
            timeout=60,
        )
    port = free_port()
    process = subprocess.Popen(
        [OXIGRAPH, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(url, params={"query": "ASK {}"}, timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"oxigraph serve-read-only on {location} did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
