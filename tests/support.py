"""Helpers the tests share: where the project's files are, a free port, the installed command, the Wikidata
stand-in, and clients of one server (in process or over HTTP) with the protocol's send and error checks."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from server.settings import PROJECT_DIR

ONTOLOGY_DIR = PROJECT_DIR / "ontology"
DATA_DIR = PROJECT_DIR / "data"
QUERIES_DIR = PROJECT_DIR / "queries"
#: The one stand-in for Wikidata's SPARQL endpoint: Wikidata's shapes, invented values.
WIKIDATA_STANDIN = Path(__file__).with_name("wikidata_standin.ttl")
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


def stop_process(process: subprocess.Popen, seconds: float = 10) -> None:
    """Stop a process the way an operator does (SIGTERM), and make sure it is gone."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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


# --------------------------------------------------------------------------------------------------
# Clients of one server: a real one over HTTP, or the app in this process through Flask's test client
# --------------------------------------------------------------------------------------------------

#: Seconds a test waits for one HTTP answer.
TIMEOUT = 30


class Answer:
    """What the in-process client returns, read as a `requests.Response` is: status, headers, body."""

    def __init__(self, response: Any):
        self._response = response
        self.status_code: int = response.status_code
        self.headers = response.headers
        self.content: bytes = response.get_data()
        self.url: str = response.request.url

    @property
    def text(self) -> str:
        return self.content.decode(_charset(self.headers.get("Content-Type", "")), "replace")

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    def json(self) -> Any:
        return json.loads(self.content)


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip('"')
    return "utf-8"


class InProcess:
    """The app driven in this process by Flask's test client, with the calling conventions of `requests`.

    `get("/sparql", params=..., headers=..., data=...)` works as `requests.get(url + "/sparql", ...)` does: the
    same default headers (Accept: */*), form encoding of a dict body, redirects followed except for HEAD, so a
    test reads the same against this client and against a real server (`Http`).
    """

    url = "http://localhost"

    def __init__(self, app: Any):
        self.app = app
        self.client = app.test_client()

    def request(self, method: str, path: str, **kwargs: Any) -> Answer:
        params = kwargs.pop("params", None)
        data = kwargs.pop("data", None)
        headers = {"Accept": "*/*", **(kwargs.pop("headers", None) or {})}
        follow = kwargs.pop("allow_redirects", method.upper() != "HEAD")
        kwargs.pop("timeout", None)
        if kwargs:
            raise TypeError(f"the in-process client does not take {sorted(kwargs)}")
        path = path.removeprefix(self.url)
        if isinstance(data, dict):  # as requests does: a form body, a list value as repeated fields
            data = urlencode(data, doseq=True)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if isinstance(params, dict):
            params = urlencode(params, doseq=True)
        response = self.client.open(
            path,
            method=method.upper(),
            query_string=params,
            data=data,
            headers={name: value for name, value in headers.items() if value is not None},
            follow_redirects=follow,
        )
        return Answer(response)

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Answer:
        return self.request("POST", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> Answer:
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> Answer:
        return self.request("OPTIONS", path, **kwargs)


class Http:
    """A real server at `url`, with the same methods as `InProcess` (paths relative to the server)."""

    def __init__(self, url: str):
        self.url = url

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        return requests.request(method, self.url + path.removeprefix(self.url), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("OPTIONS", path, **kwargs)


#: A client of one server, in process or over HTTP: what the helpers below take.
Web = InProcess | Http


def send(
    web: Web,
    method: str,
    query: str,
    accept: str | None = "*/*",
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """Send `query` to /sparql the way `method` names: GET with `query=`, a form POST, or a direct POST body.

    Other protocol parameters (`params`) go where that way carries them: in the URL for GET and direct
    POST, in the form body for a form POST. `accept=None` sends no Accept header at all.
    """
    all_headers = {"Accept": accept, **(headers or {})}
    params = params or {}
    if method == "GET":
        return web.get("/sparql", params={"query": query, **params}, headers=all_headers)
    if method == "POST form":
        return web.post("/sparql", data={"query": query, **params}, headers=all_headers)
    if method == "POST direct":
        all_headers["Content-Type"] = "application/sparql-query"
        return web.post("/sparql", params=params, data=query.encode("utf-8"), headers=all_headers)
    raise ValueError(method)


def media_type(response: Any) -> str:
    """The media type of an answer, without parameters such as charset."""
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def assert_error(response: Any, status: int, error_type: str) -> dict:
    """Check our one JSON error shape, {"ok": false, "error": str, "status": int, "type": str}; return it."""
    assert response.status_code == status, response.text[:500]
    assert media_type(response) == "application/json", response.headers.get("Content-Type")
    body = response.json()
    assert body["ok"] is False
    assert isinstance(body["error"], str) and body["error"].strip()
    assert body["status"] == status
    assert body["type"] == error_type
    return body


def health(web: Web) -> dict:
    """The server's /-/health document."""
    return web.get("/-/health").json()


class Listener:
    """A TCP port on 127.0.0.1 that accepts every connection and counts it, then holds it open without a byte
    back (`hold=True`: an endpoint that hangs) or closes it at once (a trap that only records being reached)."""

    def __init__(self, hold: bool = False) -> None:
        self.hold = hold
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self._held: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            if self.hold:
                self._held.append(connection)  # never read, never answered
            else:
                connection.close()

    def close(self) -> None:
        self._closed = True
        for connection in self._held:
            connection.close()
        self.socket.close()


def copy_curated(destination: Path) -> None:
    """The curated data alone, for a build or a validation without the imports.

    Left out are the files that add to resources only the imports define (data/curated/additions-*.ttl): they
    are valid together with the imports, which the build of data/ and the import tests check.
    """
    shutil.copytree(DATA_DIR / "curated", destination, ignore=shutil.ignore_patterns("additions-*.ttl"))
