"""A remote SPARQL 1.1 endpoint as the query engine, in place of the embedded store.

To scale out, the front end can send its queries to any standard endpoint (for example several
`oxigraph serve-read-only` replicas of the same build behind a load balancer, or QLever, Fuseki,
Virtuoso). Everything in front of the engine stays ours: the protocol, the federation allowlist, the
result-size limit, the cache, the pages. Same interface (server.engine.interface.Engine) as the worker lanes.
"""

from __future__ import annotations

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
        fields = [("query", with_prefixes(job.text))]
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
                raise QueryFailure(Failure.SYNTAX, detail or "the engine refused the query") from None
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


def with_prefixes(text: str) -> str:
    """Declare our prefixes for a remote engine, except those the query declares itself."""
    own = declared_prefixes(text)
    header = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items() if name not in own)
    return header + text
