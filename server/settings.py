"""Every setting declared once, with its default and a help line.

Values come from the defaults, then from ``GOVSOCIAL_<NAME>`` environment variables, then from
explicit overrides (command-line flags, test configuration). Code reads them only through
:class:`Settings`, so `govsocial settings` and the README can list them all and nothing is hidden.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The checkout the package runs from; the curated data and ontology live beside the package.
PROJECT_DIR = Path(__file__).resolve().parent.parent
ENV_PREFIX = "GOVSOCIAL_"


def _path(value: str) -> Path:
    return Path(value).expanduser()


def _positive_float(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError(f"must be greater than 0, got {value}")
    return number


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(f"must be greater than 0, got {value}")
    return number


def _non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"must be 0 or more, got {value}")
    return number


def _words(value: str) -> tuple[str, ...]:
    return tuple(value.split())


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"must be true or false, got {value!r}")


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}, got {value!r}")
        return value

    return parse


def _base_url(value: str) -> str:
    """An absolute http(s) URL ending in a slash, or empty for the default."""
    value = value.strip()
    if not value:
        return ""
    if not re.match(r"^https?://[^/?#\s]+(/[^?#\s]*)?$", value):
        raise ValueError(f"must be an absolute http or https URL such as https://example.org/, got {value!r}")
    return value if value.endswith("/") else value + "/"


@dataclass(frozen=True)
class Setting:
    """One setting: its name (lower case; the environment variable is GOVSOCIAL_ + upper case)."""

    name: str
    default: str
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("store", str(PROJECT_DIR / "var" / "store"), "Directory of the built Oxigraph store.", _path),
    Setting("data_dir", str(PROJECT_DIR / "data"), "Curated and imported RDF that the build loads.", _path),
    Setting("ontology_dir", str(PROJECT_DIR / "ontology"), "OWL ontology, SKOS schemes and SHACL shapes.", _path),
    Setting("queries_dir", str(PROJECT_DIR / "queries"), "Example SPARQL queries (*.rq) with headers.", _path),
    Setting(
        "engine_url",
        "",
        "A SPARQL 1.1 endpoint to send queries to instead of the embedded store (empty: the embedded store).",
    ),
    Setting(
        "engine_dataset",
        "union",
        "union: the remote engine's default graph is the merge of the build's graphs (a copy of the build); named: "
        "it holds the named graphs only (loaded from the dumps), so each query names them as its dataset.",
        _choice("union", "named"),
    ),
    Setting(
        "engine_max_rows",
        "0",
        "The remote engine's cap on result rows (Virtuoso's ResultSetMaxRows); an answer of that many rows may be "
        "cut and is refused (502). 0: the engine has none, or says so with X-SPARQL-MaxRows.",
        _non_negative_int,
    ),
    Setting("keep_builds", "2", "How many built stores to keep (the current one and older ones).", _positive_int),
    Setting(
        "build_memory_mb",
        "2048",
        "Memory a build may use for a copy of the default graph in which it checks the shapes, five to seven "
        "times faster than on disk; a larger graph is checked on disk. 0: always on disk.",
        _non_negative_int,
    ),
    Setting("host", "127.0.0.1", "Address the server listens on."),
    Setting("port", "8000", "Port the server listens on.", _positive_int),
    Setting(
        "threads",
        "0",
        "Request threads of the HTTP server (0: enough for every query the lanes can hold, plus 8 that only "
        "pages, static files and /-/health use).",
        _non_negative_int,
    ),
    Setting(
        "workers",
        str(max(4, 2 * (os.cpu_count() or 2))),
        "Query worker processes (each can be killed); more than the cores, so slow queries cannot block the rest.",
        _positive_int,
    ),
    Setting(
        "memory_store",
        "true",
        "Hold the store in memory, forked to the workers (fast; about 800 MB per million statements, and up to "
        "as much again in each query worker whose queries have read the whole store); false: each worker reads "
        "the store on disk.",
        _bool,
    ),
    Setting(
        "worker_memory_mb",
        "4096",
        "Address-space limit of one query worker in MiB (at least 1024); a query that needs more is stopped.",
        _positive_int,
    ),
    Setting(
        "service_workers",
        "2",
        "Query workers for queries with SERVICE calls to the allowlist (the only workers with network access).",
        _positive_int,
    ),
    Setting(
        "page_workers", "2", "Query workers reserved for the pages, so SPARQL clients cannot stall them.", _positive_int
    ),
    Setting(
        "queue_length",
        "8",
        "Queries that may wait for a worker, per lane; the next one is answered 503 at once.",
        _non_negative_int,
    ),
    Setting(
        "client_queries",
        "2",
        "Queries one client (address) may have running or waiting at once, per lane; more are answered 429.",
        _positive_int,
    ),
    Setting(
        "trusted_proxies",
        "0",
        "Reverse proxies in front of the server; only when this is more than 0 are X-Forwarded-For (the client "
        "address) and, without a public URL, X-Forwarded-Host and -Proto read, and only as the proxies wrote them.",
        _non_negative_int,
    ),
    Setting(
        "service_isolation",
        "auto",
        "auto: queries without an allowlisted SERVICE call run in workers without network where the host "
        "allows it, else SERVICE is checked lexically and fails closed; namespace: require the isolation; "
        "lexical: never isolate.",
        _choice("auto", "namespace", "lexical"),
    ),
    Setting(
        "public_url",
        "",
        "The endpoint's public base URL, named by every self-reference: Service Description, VoID, dumps, the base "
        "of relative IRIs, the reconciliation manifest (empty: what trusted proxies forward, else http://HOST:PORT/).",
        _base_url,
    ),
    Setting(
        "read_timeout_s",
        "10",
        "Seconds a client may take to send a whole request (headers and body); slower connections are closed.",
        _positive_float,
    ),
    Setting(
        "client_connections",
        "32",
        "Open connections one client address may hold (0: no limit; not applied behind trusted proxies).",
        _non_negative_int,
    ),
    Setting("max_connections", "1000", "Open connections the server accepts in all.", _positive_int),
    Setting("query_timeout_s", "30", "Seconds a query may run before it is stopped (503).", _positive_float),
    Setting(
        "worker_wait_s",
        "30",
        "Seconds a query may wait for a free worker before the answer is 503; not counted as run time.",
        _positive_float,
    ),
    Setting("max_query_bytes", "65536", "Largest query text accepted (413 above it).", _positive_int),
    Setting("max_result_bytes", str(50 * 1024 * 1024), "Largest serialised result returned.", _positive_int),
    Setting("cors", "true", "Send CORS headers so browser tools elsewhere can query us.", _bool),
    Setting(
        "service_allowlist",
        "https://query.wikidata.org/sparql",
        "SERVICE endpoints a query may call, separated by spaces; compared exactly.",
        _words,
    ),
    Setting(
        "result_cache_mb", "64", "Memory for recent query answers, in MiB (0: no result cache).", _non_negative_int
    ),
    Setting(
        "prewarm_examples",
        "true",
        "Compute the example queries' answers into the result cache at start-up (needs the result cache).",
        _bool,
    ),
    Setting(
        "cache_ttl_s", "300", "Cache-Control max-age for query answers, in seconds (0: no caching).", _non_negative_int
    ),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable to fix."""


class Settings:
    """Resolved settings: defaults, then the environment, then explicit overrides."""

    def __init__(self, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None):
        environ = os.environ if environ is None else environ
        overrides = dict(overrides or {})
        unknown = set(overrides) - set(_BY_NAME)
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        self._values: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.name in overrides and overrides[setting.name] is not None:
                value = overrides[setting.name]
                self._values[setting.name] = setting.parse(value) if isinstance(value, str) else value
                continue
            raw = environ.get(setting.env_var, setting.default)
            try:
                self._values[setting.name] = setting.parse(raw)
            except ValueError as error:
                raise SettingsError(f"{setting.env_var}={raw!r}: {error}") from error

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    @property
    def base_url(self) -> str:
        """The public base URL of the endpoint, ending in a slash; never taken from a request's Host."""
        return self._values["public_url"] or f"http://{self._values['host']}:{self._values['port']}/"

    @property
    def lane_sizes(self) -> dict[str, int]:
        """Workers per lane of the embedded engine."""
        return {"query": self.workers, "service": self.service_workers, "page": self.page_workers}

    @property
    def request_threads(self) -> int:
        """HTTP server threads: every query the lanes can hold (running or queued) plus 8 for the rest."""
        held = sum(size + self.queue_length for size in self.lane_sizes.values())
        return self.threads or held + 8
