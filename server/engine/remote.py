"""A remote SPARQL 1.1 endpoint as the query engine, in place of the embedded store.

To scale out, the front end can send its queries to any standard endpoint (for example several
`oxigraph serve-read-only` replicas of the same build behind a load balancer, or QLever, Fuseki,
Virtuoso). Everything in front of the engine stays ours: the protocol, the federation allowlist, the
result-size limit, the cache, the pages. Same interface (server.engine.interface.Engine) as the worker lanes.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request

from server import __version__
from server.engine.failures import Failure, QueryFailure
from server.engine.isolation import LEXICAL
from server.engine.jobs import Answer, QueryJob
from server.engine.querytext import declared_prefixes
from server.rdf.namespaces import PREFIXES

_CHUNK = 64 * 1024


class RemoteEngine:
    """Send each query to one SPARQL endpoint with the protocol, within the time and size limits."""

    kind = "remote"
    #: The remote engine runs SERVICE calls with whatever network it has: only the lexical check contains them.
    isolation = LEXICAL
    replaced = 0  # nothing to replace: the remote engine manages its own processes

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.failures = 0

    def run(self, job: QueryJob, timeout: float) -> Answer:
        deadline = time.monotonic() + timeout
        fields = [("query", with_prologue(job.text, job.base_iri))]
        fields += [("default-graph-uri", iri) for iri in job.default_graphs]
        fields += [("named-graph-uri", iri) for iri in job.named_graphs]
        request = urllib.request.Request(
            self.endpoint,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            headers={
                "Accept": job.media_type,
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": f"GovSocialKG/{__version__}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                media_type = response.headers.get_content_type() or job.media_type
                body = self._read(response, job.max_result_bytes, deadline, timeout)
        except urllib.error.HTTPError as error:
            detail = error.read(2000).decode("utf-8", "replace").strip()
            if error.code == 400:
                message = shift_lines_back(detail) if detail else "the engine refused the query"
                raise QueryFailure(Failure.SYNTAX, message) from None
            raise QueryFailure(Failure.UNREACHABLE, f"the query engine answered {error.code}: {detail[:300]}") from None
        except TimeoutError:
            raise QueryFailure(Failure.TIMEOUT, f"the query ran longer than the limit of {timeout:g} s") from None
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            if isinstance(getattr(error, "reason", None), TimeoutError):
                raise QueryFailure(Failure.TIMEOUT, f"the query ran longer than the limit of {timeout:g} s") from None
            self.failures += 1
            raise QueryFailure(
                Failure.UNREACHABLE, f"the query engine {self.endpoint} cannot be reached: {error}"
            ) from None
        return Answer(media_type, body)

    @staticmethod
    def _read(response, limit: int, deadline: float, timeout: float) -> bytes:
        parts, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise QueryFailure(Failure.TIMEOUT, f"the query ran longer than the limit of {timeout:g} s")
            chunk = response.read(_CHUNK)
            if not chunk:
                return b"".join(parts)
            size += len(chunk)
            if size > limit:
                raise QueryFailure(Failure.TOO_LARGE, f"the result exceeds the limit of {limit} bytes")
            parts.append(chunk)

    def alive(self) -> int:
        return 1

    def lanes_alive(self) -> dict[str, int]:
        return {}

    def close(self) -> None:
        """Nothing to stop: the engine runs elsewhere."""


def with_prologue(text: str, base_iri: str | None = None) -> str:
    """Declare our base and prefixes for a remote engine, except the prefixes the query declares itself.

    The declarations take exactly one line, ahead of the query's own first line, so that the engine's error
    positions are off by one line and nothing else (see `shift_lines_back`). A BASE of the query's own comes
    later in the prologue and wins, as SPARQL's prologue is read in order.
    """
    own = declared_prefixes(text)
    parts = [f"BASE <{base_iri}>"] if base_iri else []
    parts += [f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items() if name not in own]
    return " ".join(parts) + "\n" + text if parts else text


#: How engines state a position in their syntax errors: Oxigraph "error at 3:5", Jena/Fuseki "line 3, column 5",
#: Virtuoso and others "line 3". Each names the line first; only the line number needs to go back.
_POSITIONS = re.compile(r"(?P<lead>\berror at |\bline )(?P<line>\d+)(?P<rest>:\d+|, column \d+)?", re.I)


def shift_lines_back(message: str, lines: int = 1) -> str:
    """The engine's message with its line numbers as the client wrote the query (without our prologue line)."""

    def back(match: re.Match[str]) -> str:
        line = int(match["line"])
        return f"{match['lead']}{line - lines if line > lines else line}{match['rest'] or ''}"

    return _POSITIONS.sub(back, message)
