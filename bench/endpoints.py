"""Start and stop the servers under test, all on 127.0.0.1 and free ports, and sample their memory.

- ours: `govsocial serve` on a copy of the built store (settings from the environment, e.g. the cache);
- oxigraph: `oxigraph serve-read-only` on another copy of the same build's store;
- rdflib: `rdflib-endpoint serve` on the same input files (ontology/*.ttl and the synthetic N-Triples).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from .client import Endpoint

BIN = Path(sys.executable).parent
PROJECT_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running server process and the endpoint it answers at."""

    endpoint: Endpoint
    process: subprocess.Popen
    log: Path
    started_in: float = 0.0
    extra: dict = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def memory(self) -> dict[str, int]:
        """Memory in bytes of the server process and of all its descendants (the store process, the workers).

        PSS, not RSS: the workers fork from the process holding the store and share its pages, and PSS
        counts a shared page once, divided among the processes sharing it, so the total is real memory.
        """
        import psutil

        try:
            main = psutil.Process(self.process.pid)
            children = main.children(recursive=True)
            own = main.memory_full_info().pss
        except psutil.NoSuchProcess:
            return {"main": 0, "children": 0, "total": 0, "processes": 0}
        rest = 0
        for child in children:
            try:
                rest += child.memory_full_info().pss
            except psutil.NoSuchProcess:
                continue
        return {"main": own, "children": rest, "total": own + rest, "processes": 1 + len(children)}


def copy_store(source_store: Path, target: Path) -> Path:
    """A full copy of a store directory (its `current` build only), so each server reads its own files."""
    if target.exists():
        shutil.rmtree(target)
    build_dir = (source_store / "current").resolve()
    (target / "builds").mkdir(parents=True)
    shutil.copytree(build_dir, target / "builds" / build_dir.name, ignore=shutil.ignore_patterns(".in-use"))
    (target / "current").symlink_to(Path("builds") / build_dir.name)
    return target


#: rdflib-endpoint has no query time or memory limit; one of our queries grew it past 7 GB at 10^5 triples.
RDFLIB_MEMORY_BYTES = 6 << 30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (RDFLIB_MEMORY_BYTES, RDFLIB_MEMORY_BYTES))


def _spawn(
    command: list[str], log: Path, env: dict[str, str] | None = None, limit_memory: bool = False
) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        return subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=PROJECT_DIR,
            preexec_fn=_limit_memory if limit_memory else None,
        )


def _wait(server: Server, seconds: float) -> Server:
    """Poll with a tiny ASK until the endpoint answers 200."""
    deadline = time.monotonic() + seconds
    body = urlencode({"query": "ASK { ?s ?p ?o }"}).encode()
    started = time.monotonic()
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.endpoint.name} exited with {server.process.returncode}; see {server.log}")
        try:
            request = Request(
                server.endpoint.url,
                data=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/sparql-results+json",
                },
            )
            with urlopen(request, timeout=5) as response:
                if response.status == 200:
                    server.started_in = round(time.monotonic() - started, 2)
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{server.endpoint.name} did not answer within {seconds} s; see {server.log}")


def start_ours(name: str, store_dir: Path, logs: Path, **settings: str) -> Server:
    port = free_port()
    env = {**os.environ, "GOVSOCIAL_STORE": str(store_dir)}
    env.update({f"GOVSOCIAL_{key.upper()}": str(value) for key, value in settings.items()})
    process = _spawn(
        [str(BIN / "govsocial"), "serve", "--host", "127.0.0.1", "--port", str(port)], logs / f"{name}.log", env
    )
    server = Server(Endpoint(name, f"http://127.0.0.1:{port}/sparql", "ours"), process, logs / f"{name}.log")
    server.extra = {"settings": settings}
    return _wait(server, 120)


def materialised_default_graph(store_dir: Path) -> bool:
    """Whether the build stored the merge of the named graphs as the default graph (build.json says so).

    Then Oxigraph must serve the default graph as it is: `--union-default-graph` would add every named graph
    to it again and double each solution. Older builds keep only named graphs and need the union option.
    """
    info = json.loads(((store_dir / "current").resolve() / "build.json").read_text())
    return bool(info.get("distinct_triples"))


def start_oxigraph(name: str, store_dir: Path, logs: Path, timeout_s: float = 0) -> Server:
    port = free_port()
    location = (store_dir / "current").resolve() / "oxigraph"
    command = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location)]
    command += ["--bind", f"127.0.0.1:{port}"]
    if not materialised_default_graph(store_dir):
        command.append("--union-default-graph")
    if timeout_s:
        command += ["--timeout-s", str(int(timeout_s))]
    process = _spawn(command, logs / f"{name}.log")
    server = Server(Endpoint(name, f"http://127.0.0.1:{port}/query", "oxigraph"), process, logs / f"{name}.log")
    server.extra = {"command": command[1:]}
    return _wait(server, 120)


def start_rdflib(name: str, files: list[Path], logs: Path) -> Server:
    port = free_port()
    command = [str(BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = _spawn([*command, *map(str, files)], logs / f"{name}.log", limit_memory=True)
    server = Server(Endpoint(name, f"http://127.0.0.1:{port}/", "rdflib"), process, logs / f"{name}.log")
    return _wait(server, 900)
