"""A remote SPARQL 1.1 endpoint as the query engine, in place of the embedded store.

To scale out, the front end can send its queries to any standard endpoint (for example several
`oxigraph serve-read-only` replicas of the same build behind a load balancer, or QLever, Fuseki,
Virtuoso). Everything in front of the engine stays ours: the protocol, the federation allowlist, the
result-size limit, the cache, the pages. Same interface (server.engine.interface.Engine) as the worker lanes.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Triple, parse, parse_query_results

from server import __version__
from server.engine.failures import Failure, QueryFailure
from server.engine.isolation import LEXICAL
from server.engine.jobs import Answer, QueryJob, answer
from server.engine.querytext import declared_prefixes
from server.rdf.namespaces import PREFIXES

_CHUNK = 64 * 1024


#: What we ask the engine for: formats we parse completely before anything is answered or cached, so a cut or
#: error-carrying answer is noticed (SELECT/ASK as JSON, whose end a parser checks; graphs as N-Triples).
_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.5"
_GRAPH_FORMATS = {
    "application/n-triples": RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "text/turtle": RdfFormat.TURTLE,
}
#: A remote answer may be larger than ours for the same result (JSON against CSV): the bytes read from the engine
#: are held to this multiple of max_result_bytes; our own serialisation is then held to the limit itself.
_RAW_FACTOR = 4


@dataclass(frozen=True)
class EngineDataset:
    """Which graphs the engine is asked to use when the request names none.

    An engine loaded from our dumps holds the named graphs only: its default graph is not their merge (and may
    hold its own system graphs), so the build's named graphs are sent as the dataset, both as the default graph
    (the merge) and as the named graphs. An engine on a copy of the build (`oxigraph serve-read-only`) already
    has the merge as its default graph: nothing is sent.
    """

    graphs: tuple[str, ...] = ()

    def fields(self, job: QueryJob) -> list[tuple[str, str]]:
        if job.default_graphs or job.named_graphs:
            return [("default-graph-uri", iri) for iri in job.default_graphs] + [
                ("named-graph-uri", iri) for iri in job.named_graphs
            ]
        if job.declares_dataset or not self.graphs:
            return []
        return [("default-graph-uri", iri) for iri in self.graphs] + [("named-graph-uri", iri) for iri in self.graphs]


class RemoteEngine:
    """Send each query to one SPARQL endpoint with the protocol, within the time and size limits.

    The engine's answer is read completely and parsed before it is answered or cached, then written in the
    client's format by the same writer as the embedded store's (server.engine.jobs.answer). Its statuses are
    mapped to what they mean for the client, never all to "unavailable".
    """

    kind = "remote"
    #: The remote engine runs SERVICE calls with whatever network it has: only the lexical check contains them.
    isolation = LEXICAL
    replaced = 0  # nothing to replace: the remote engine manages its own processes

    def __init__(self, endpoint: str, dataset: EngineDataset | None = None, max_rows: int = 0):
        self.endpoint = endpoint
        self.dataset = dataset or EngineDataset()
        self.max_rows = max_rows  # the engine's documented cap of result rows (Virtuoso: ResultSetMaxRows); 0: none
        self.failures = 0

    def run(self, job: QueryJob, timeout: float) -> Answer:
        deadline = time.monotonic() + timeout
        fields = [("query", with_prologue(job.text, job.base_iri)), *self.dataset.fields(job)]
        request = urllib.request.Request(
            self.endpoint,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            headers={
                "Accept": _ACCEPT,
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": f"GovSocialKG/{__version__}",
            },
            method="POST",
        )
        raw_limit = job.max_result_bytes * _RAW_FACTOR + _CHUNK
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                media_type = response.headers.get_content_type()
                capped = response.headers.get("X-SPARQL-MaxRows")
                body = self._read(response, raw_limit, job.max_result_bytes, deadline, timeout)
                announced = response.headers.get("Content-Length")
                if announced and announced.isdigit() and int(announced) != len(body):
                    raise http.client.IncompleteRead(body, int(announced) - len(body))
        except urllib.error.HTTPError as error:
            raise self._refusal(error, job) from None
        except http.client.IncompleteRead as error:
            raise QueryFailure(
                Failure.ENGINE_FAILED,
                f"the query engine ended its answer early ({len(error.partial)} bytes read); nothing was answered",
            ) from None
        except TimeoutError:
            raise QueryFailure(Failure.TIMEOUT, f"the query ran longer than the limit of {timeout:g} s") from None
        except (urllib.error.URLError, ConnectionError, OSError, http.client.HTTPException) as error:
            if isinstance(getattr(error, "reason", None), TimeoutError):
                raise QueryFailure(Failure.TIMEOUT, f"the query ran longer than the limit of {timeout:g} s") from None
            self.failures += 1
            raise QueryFailure(
                Failure.UNREACHABLE, f"the query engine {self.endpoint} cannot be reached: {error}"
            ) from None
        if capped:
            raise QueryFailure(
                Failure.ENGINE_FAILED,
                f"the query engine cut its answer at its row limit (X-SPARQL-MaxRows: {capped}); the answer would "
                "be incomplete. Narrow the query (LIMIT, FILTER), or raise the engine's limit",
            )
        return answer(self._parsed(media_type, body), job)

    def _parsed(self, media_type: str, body: bytes) -> QuerySolutions | QueryBoolean | list[Triple]:
        """The engine's answer, parsed to its end: a cut or malformed body is the engine's failure, not an answer."""
        try:
            if media_type == "application/sparql-results+json":
                result = parse_query_results(body, format=QueryResultsFormat.JSON)
                if isinstance(result, QueryBoolean):
                    return result
                rows = sum(1 for _ in result)  # the parser is lazy: read every row to reach the end
                if self.max_rows and rows >= self.max_rows:
                    raise QueryFailure(
                        Failure.ENGINE_FAILED,
                        f"the query engine answered {rows} rows, its configured limit (GOVSOCIAL_ENGINE_MAX_ROWS="
                        f"{self.max_rows}): the answer may be cut. Narrow the query (LIMIT below {self.max_rows})",
                    )
                return parse_query_results(body, format=QueryResultsFormat.JSON)
            if media_type in _GRAPH_FORMATS:
                return [quad.triple for quad in parse(body, format=_GRAPH_FORMATS[media_type])]
        except SyntaxError as error:
            raise QueryFailure(
                Failure.ENGINE_FAILED,
                f"the query engine's answer is cut or malformed ({error}); it ends with: {_tail(body)}",
            ) from None
        raise QueryFailure(
            Failure.ENGINE_FAILED,
            f"the query engine answered {media_type or 'without a Content-Type'}, not a SPARQL result format "
            f"it was asked for ({_ACCEPT}); it says: {_tail(body)}",
        )

    def _refusal(self, error: urllib.error.HTTPError, job: QueryJob) -> QueryFailure:
        """The engine's error status, said as what it means for the client."""
        detail = error.read(2000).decode("utf-8", "replace").strip()
        code = error.code
        if code == 400:
            return QueryFailure(Failure.SYNTAX, shift_lines_back(detail) if detail else "the engine refused the query")
        if code in (408, 503, 504) or (code >= 500 and _TIME_LIMIT.search(detail)):
            return QueryFailure(Failure.TIMEOUT, f"the query engine gave up ({code}): {detail[:300]}")
        if job.calls_service and code >= 500:
            return QueryFailure(Failure.REMOTE, f"the query engine answered {code}: {detail[:300]}")
        # 406/415: we ask in standard formats and negotiate with the client ourselves, so a refusal of the
        # format is the engine's failure; any other 4xx (403, 404: a wrong engine URL) or 5xx likewise
        return QueryFailure(Failure.ENGINE_FAILED, f"the query engine answered {code}: {detail[:300]}")

    @staticmethod
    def _read(response, limit: int, max_result_bytes: int, deadline: float, timeout: float) -> bytes:
        parts, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise QueryFailure(Failure.TIMEOUT, f"the query ran longer than the limit of {timeout:g} s")
            chunk = response.read(_CHUNK)
            if not chunk:
                return b"".join(parts)
            size += len(chunk)
            if size > limit:
                raise QueryFailure(Failure.TOO_LARGE, f"the result exceeds the limit of {max_result_bytes} bytes")
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


#: Engines that answer their own time limit with a 500 say so in words (Virtuoso: "Transaction timed out",
#: "estimated execution time … exceeds the limit"): that is a limit reached, not a failure of the engine.
_TIME_LIMIT = re.compile(r"timed out|time ?out|execution time", re.I)

#: How engines state a position in their syntax errors: Oxigraph "error at 3:5", Jena/Fuseki "line 3, column 5",
#: Virtuoso and others "line 3". Each names the line first; only the line number needs to go back.
_POSITIONS = re.compile(r"(?P<lead>\berror at |\bline )(?P<line>\d+)(?P<rest>:\d+|, column \d+)?", re.I)


def shift_lines_back(message: str, lines: int = 1) -> str:
    """The engine's message with its line numbers as the client wrote the query (without our prologue line)."""

    def back(match: re.Match[str]) -> str:
        line = int(match["line"])
        return f"{match['lead']}{line - lines if line > lines else line}{match['rest'] or ''}"

    return _POSITIONS.sub(back, message)


def _tail(body: bytes, size: int = 200) -> str:
    """The last characters of an answer, where an engine writes the error that cut it."""
    text = body[-size:].decode("utf-8", "replace").strip()
    return repr(text) if text else "(an empty body)"
