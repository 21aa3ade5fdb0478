"""The floor of our HTTP stack: the guarded waitress server of `govsocial serve` answering one constant body.

No Flask, no checks, no engine: what is left of a lookup's cost is the HTTP server's own. Measured beside the
lookups, it says how much of a miss of the lookup target the server accounts for, whatever the rest costs.
`python -m bench.floor PORT BODY_FILE` serves until terminated.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .client import Endpoint
from .endpoints import BIN, Server, _spawn, _wait, free_port


class ConstantAnswer:
    """A WSGI application that reads the request body and answers the same SPARQL JSON result every time."""

    def __init__(self, body: bytes, body_limit: int):
        self.body = body
        self.config = {"MAX_CONTENT_LENGTH": body_limit}  # what make_server reads of an app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(
            "200 OK",
            [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(self.body)))],
        )
        return [self.body]


def start_floor(name: str, body: bytes, logs: Path) -> Server:
    """The floor server on a free port of 127.0.0.1, answering `body`."""
    port = free_port()
    body_file = logs / f"{name}.body"
    body_file.parent.mkdir(parents=True, exist_ok=True)
    body_file.write_bytes(body)
    process = _spawn([str(BIN / "python"), "-m", "bench.floor", str(port), str(body_file)], logs / f"{name}.log")
    server = Server(Endpoint(name, f"http://127.0.0.1:{port}/sparql", "floor"), process, logs / f"{name}.log")
    return _wait(server, 60)


def main(argv: list[str]) -> int:
    from server.settings import Settings
    from server.web.wsgi import make_server

    port, body = int(argv[0]), Path(argv[1]).read_bytes()
    settings = Settings({"host": "127.0.0.1", "port": str(port)})
    app = ConstantAnswer(body, settings.max_query_bytes * 3 + 4096)
    make_server(app, settings).run()  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
