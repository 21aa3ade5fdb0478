"""Every setting declared once, with its default and a help line.

Values come from the defaults, then from ``GOVSOCIAL_<NAME>`` environment variables, then from
explicit overrides (command-line flags, test configuration). Code reads them only through
:class:`Settings`, so `govsocial settings` and the README can list them all and nothing is hidden.
"""

from __future__ import annotations

import os
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
    Setting("keep_builds", "2", "How many built stores to keep (the current one and older ones).", _positive_int),
    Setting("host", "127.0.0.1", "Address the server listens on."),
    Setting("port", "8000", "Port the server listens on.", _positive_int),
    Setting("threads", "8", "Request threads of the WSGI server.", _positive_int),
    Setting(
        "workers",
        str(max(4, 2 * (os.cpu_count() or 2))),
        "Query worker processes (each can be killed); more than the cores, so slow queries cannot block the rest.",
        _positive_int,
    ),
    Setting(
        "memory_store",
        "true",
        "Hold the store in memory, shared by the workers (fast; about 800 MB per million statements); "
        "false: each worker reads the store on disk.",
        _bool,
    ),
    Setting(
        "worker_memory_mb",
        "4096",
        "Address-space limit of one query worker in MiB (at least 1024); a query that needs more is stopped.",
        _positive_int,
    ),
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
