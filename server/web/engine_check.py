"""The front end's check of a remote engine: does it hold our build, and answer the examples as the build did?

Run once at start in a thread (the examples take seconds) and read by `/-/health`, which a load balancer
polls: until the check has passed, and whenever the engine no longer holds our version, health is 503 with
the reason, so no balancer sends clients to a front end whose engine would answer for another build.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from server.engine.conformance import Verdict, check_version, read_expected, verify
from server.engine.examples import Example
from server.engine.interface import Engine

log = logging.getLogger(__name__)

#: How long a version check holds: health is polled every few seconds, the engine need not be asked each time.
VERSION_TTL_S = 5.0


class EngineCheck:
    """The remote engine's fitness for this build, as `/-/health` reports it."""

    def __init__(
        self,
        engine: Engine,
        version: str,
        build_dir: Path,
        examples: list[Example],
        timeout: float,
        max_result_bytes: int,
    ):
        self.engine = engine
        self.version = version
        self.expected = read_expected(build_dir)
        self.examples = examples
        self.timeout = timeout
        self.max_result_bytes = max_result_bytes
        self._examples_verdict: Verdict | None = None
        self._version: tuple[float, str | None] | None = None  # (when, why not) of the last version check
        self._lock = threading.Lock()

    def start(self) -> threading.Thread:
        """Check the engine in the background; `/-/health` says "checking" meanwhile."""
        thread = threading.Thread(target=self._run, name="govsocial-engine-check", daemon=True)
        thread.start()
        return thread

    def _run(self) -> None:
        verdict = verify(self.engine, self.version, self.examples, self.expected, self.timeout, self.max_result_bytes)
        if not self.expected:
            verdict = Verdict(
                False, ("the build has no recorded example answers to check the engine with: rebuild it",)
            )
        for reason in verdict.reasons:
            log.warning("remote engine: %s", reason)
        self._examples_verdict = verdict

    def current(self) -> Verdict:
        """The verdict now: the start check's, and the engine's version as of at most VERSION_TTL_S ago."""
        started = self._examples_verdict
        if started is None:
            return Verdict(False, ("checking the engine against the build's example answers",))
        if not started.ok:
            return started
        with self._lock:
            now = time.monotonic()
            if self._version is None or now - self._version[0] > VERSION_TTL_S:
                self._version = (now, check_version(self.engine, self.version, min(self.timeout, 5.0)))
            why_not = self._version[1]
        if why_not:
            return Verdict(False, (why_not,), started.examples_checked)
        return started
