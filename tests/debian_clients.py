"""Debian's SPARQL clients run as a user runs them: Apache Jena's command-line tools (ARQ, RIOT) and rasqal's
roqet; and a relay that shows what such a client really sent and got, since neither tells.

`make clients` installs the packages (libapache-jena-java, rasqal-utils) and a Java runtime, which Debian's Jena
does not declare.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

#: The jar that holds Jena's commands (arq.rsparql, riotcmd.riot): present exactly when the package is.
JENA_CMDS = Path("/usr/share/java/jena-cmds.jar")
JENA_PACKAGE = "libapache-jena-java"
#: The jar whose Xerces message resources Debian left behind (see `jena_command`).
JENA_CORE = Path("/usr/share/java/jena-core.jar")
#: Bindings of SLF4J and bridges that Jena's dependencies bring along: more than one binding on the class path
#: makes SLF4J complain on every run, and the bridges loop into each other. slf4j-nop stays: it keeps Jena quiet.
_CONFLICTING_LOGGING = re.compile(r"slf4j-(jcl|jdk14|log4j12|migrator|simple)|log4j-over|jul-to|jcl-over")
#: Where Jena's bundled Xerces keeps its message resources in Debian's jena-core.jar (see `jena_command`).
_XERCES_MESSAGES = "org/apache/jena/ext/xerces/"
#: Each run is one short query: a JVM that compiles less and collects simply starts a third faster.
_JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto")
#: Seconds one client run may take: a JVM start and one query, with room for a slow machine.
CLIENT_TIMEOUT = 60


def jena_command(scratch: Path) -> list[str]:
    """The command line that runs a Jena main class (append the class and its arguments), built from Debian's
    libapache-jena-java, which ships the jars but no `sparql`/`riot` wrapper scripts.

    Two things make it work:

    - The class path is the jars of the package's whole dependency closure, as apt knows it, taking only the
      files that are not symlinks (Debian installs each jar once, plus versioned links to it) and leaving out
      the SLF4J bindings and bridges that conflict with each other.
    - Debian's build moved Jena's bundled Xerces classes to the package `xerces` but left their message
      resources under `org/apache/jena/ext/xerces/`, so the first XSD datatype Jena builds dies with
      "RuntimeException: internal error at xerces.impl.dv.xs.XSSimpleTypeDecl.applyFacets1". The resources,
      extracted from jena-core.jar into `scratch` under `xerces/` and put first on the class path, are found
      where the moved classes look for them.

    One thing it leaves as it is: Jena 4.5 reads JSON-LD with Titanium (JSON-LD 1.1), which needs a Jakarta JSON
    provider that Debian does not ship (libjsonp2-java holds the API alone), so every JSON-LD document fails to
    load. `riot --syntax=jsonld10` reads it with jsonld-java (JSON-LD 1.0) instead.
    """
    closure = subprocess.run(
        [
            "apt-cache",
            "depends",
            "--recurse",
            "--no-recommends",
            "--no-suggests",
            "--no-conflicts",
            "--no-breaks",
            "--no-replaces",
            "--no-enhances",
            JENA_PACKAGE,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=CLIENT_TIMEOUT,
    ).stdout
    packages = sorted({line for line in closure.splitlines() if re.fullmatch(r"lib\S*-java", line)})
    # dpkg lists the installed ones and complains (exit 1) about an alternative that is not installed
    listing = subprocess.run(["dpkg", "-L", *packages], capture_output=True, text=True, timeout=CLIENT_TIMEOUT).stdout
    jars = [
        path
        for path in dict.fromkeys(listing.splitlines())
        if re.fullmatch(r"/usr/share/java/[^/]+\.jar", path)
        and not Path(path).is_symlink()
        and not _CONFLICTING_LOGGING.search(path)
    ]
    messages = scratch / "xerces-messages"
    with zipfile.ZipFile(JENA_CORE) as archive:
        members = [name for name in archive.namelist() if name.startswith(_XERCES_MESSAGES) and not name.endswith("/")]
        if not members:
            raise RuntimeError(f"{JENA_CORE} holds no {_XERCES_MESSAGES}: the workaround no longer applies")
        for name in members:
            target = messages / "xerces" / name.removeprefix(_XERCES_MESSAGES)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(name))
    java = shutil.which("java") or "java"
    return [java, *_JVM_OPTIONS, "-cp", ":".join([str(messages), *jars])]


@dataclass(frozen=True)
class Ran:
    """What one client run left: its exit code and its output, decoded as UTF-8 with line ends as written
    (text-mode pipes would turn a carriage return in the data into a newline)."""

    returncode: int
    stdout: str
    stderr: str


def run(command: list[str], *, cwd: Path | None = None) -> Ran:
    """Run a client command to its end, as a shell user would, within `CLIENT_TIMEOUT`."""
    done = subprocess.run(command, capture_output=True, cwd=cwd, timeout=CLIENT_TIMEOUT)
    return Ran(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8", "replace"))


# --------------------------------------------------------------------------------------------------
# A relay that records: what the client sent, what the server answered
# --------------------------------------------------------------------------------------------------


def _head_fields(head: bytes) -> tuple[str, dict[str, str]]:
    first, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return first, headers


@dataclass
class Exchange:
    """One connection through the relay: the request head as forwarded and every byte the server sent back.

    The clients here open one connection per run and send one request on it, so an exchange is one request.
    """

    request_head: bytes = b""
    response: bytes = b""

    @property
    def request_headers(self) -> dict[str, str]:
        """The request's headers, by lower-case name."""
        return _head_fields(self.request_head)[1]

    @property
    def query(self) -> str | None:
        """The `query` parameter of a GET, as the server received it."""
        target = _head_fields(self.request_head)[0].split(" ")[1]
        return parse_qs(urlsplit(target).query).get("query", [None])[0]

    @property
    def status(self) -> int:
        """The response's status code."""
        return int(_head_fields(self.response.partition(b"\r\n\r\n")[0])[0].split(" ")[1])

    @property
    def response_headers(self) -> dict[str, str]:
        """The response's headers, by lower-case name."""
        return _head_fields(self.response.partition(b"\r\n\r\n")[0])[1]

    @property
    def body(self) -> bytes:
        """The response body as sent (compressed if it was), by its Content-Length."""
        if "chunked" in self.response_headers.get("transfer-encoding", ""):
            raise NotImplementedError("a chunked response: read it with a client of its own")
        body = self.response.partition(b"\r\n\r\n")[2]
        return body[: int(self.response_headers.get("content-length", len(body)))]


class Relay:
    """A TCP relay on 127.0.0.1 in front of `target` (a server's base URL) that records each exchange and can
    set request headers on the way (`set_headers`): to see the Accept, Accept-Encoding and query text a client
    sends, and the answer's type and encoding, which the clients' own output does not show.

    The server sees the relay's Host header and answers as itself; `url` is the relay's base URL.
    """

    def __init__(self, target: str, set_headers: dict[str, str] | None = None):
        parts = urlsplit(target)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.set_headers = set_headers or {}
        self.exchanges: list[Exchange] = []
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> Relay:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop accepting; connections under way end with their client."""
        self.socket.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.socket.accept()
            except OSError:
                return
            exchange = Exchange()
            self.exchanges.append(exchange)
            threading.Thread(target=self._serve, args=(client, exchange), daemon=True).start()

    def _serve(self, client: socket.socket, exchange: Exchange) -> None:
        with client, socket.create_connection(self.upstream, timeout=CLIENT_TIMEOUT) as server:
            head, rest = b"", b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(65536)
                if not chunk:
                    return
                head += chunk
            head, _, rest = head.partition(b"\r\n\r\n")
            exchange.request_head = self._rewrite(head)
            server.sendall(exchange.request_head + b"\r\n\r\n" + rest)
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()
            try:
                while chunk := server.recv(65536):
                    exchange.response += chunk  # recorded before the client can have it
                    client.sendall(chunk)
            except OSError:
                pass

    def _rewrite(self, head: bytes) -> bytes:
        if not self.set_headers:
            return head
        names = {name.lower() for name in self.set_headers}
        first, *lines = head.split(b"\r\n")
        kept = [line for line in lines if line.partition(b":")[0].strip().decode("latin-1").lower() not in names]
        added = [f"{name}: {value}".encode("latin-1") for name, value in self.set_headers.items()]
        return b"\r\n".join([first, *kept, *added])

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass
