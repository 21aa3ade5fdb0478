"""What the web layer needs of a query engine, whichever one answers: the worker lanes, a remote endpoint, or
the local engine in this process.
"""

from __future__ import annotations

from typing import Protocol

from server.engine.jobs import Answer, QueryJob


class Engine(Protocol):
    """Answers query jobs; raises server.engine.failures.QueryFailure when a job ends without an answer."""

    #: "memory" or "disk" (worker lanes on the build held in memory or read from disk), "remote", "local".
    kind: str
    #: How a SERVICE call the allowlist check missed is contained: "network-namespace" where the engine runs
    #: such queries without network, else "lexical" (the check alone, held to the strict rule).
    isolation: str

    def run(self, job: QueryJob, timeout: float) -> Answer:
        """Answer one job within `timeout` seconds of run time (as far as the engine can stop a query)."""
        ...

    def alive(self) -> int:
        """How many of its workers can answer /sparql now (1 for an engine without workers of its own)."""
        ...

    def lanes_alive(self) -> dict[str, int]:
        """Live workers per lane, for /-/health; empty for an engine without lanes."""
        ...

    @property
    def replaced(self) -> int:
        """How many workers were replaced since start (killed at the time limit, or died)."""
        ...

    def close(self) -> None:
        """Stop what the engine started."""
        ...
