"""What a running app holds, as one typed object: settings, the build it serves, the engine, the caches.

One `Runtime` per app, made by the factory (server.web.app) and found with `runtime()` inside a request, so
apps on different stores can run side by side in one process (the in-process tests do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from flask import Flask, current_app

from server.engine.examples import Example
from server.engine.interface import Engine
from server.engine.result_cache import ResultCache
from server.settings import Settings
from server.store.builds import BuildInfo
from server.web.client_limits import ClientLimiter

if TYPE_CHECKING:
    from server.reconcile.matcher import Matcher
    from server.store.search_index import SearchIndex
    from server.web.engine_check import EngineCheck
    from server.web.pages.vocabulary import Vocabulary

_KEY = "govsocial"


@dataclass
class PageMemo:
    """What the pages read once per app and keep: the build never changes while a server runs on it."""

    vocabulary: Vocabulary | None = None
    search_index: SearchIndex | None = None
    class_counts: dict[str, int] | None = None
    matcher: Matcher | None = None  # the reconciliation matcher over the build's institutions


@dataclass
class Runtime:
    """The state of one app; nothing else in the web layer keeps state between requests."""

    settings: Settings
    build: BuildInfo
    build_dir: Path
    engine: Engine
    clients: ClientLimiter
    results: ResultCache
    examples: list[Example]
    held_build: IO[str] | None = None  # keeps this build from being pruned while the app serves it
    prewarmed: list[str] = field(default_factory=list)  # the example queries answered at start-up
    pages: PageMemo = field(default_factory=PageMemo)
    engine_check: EngineCheck | None = None  # a remote engine's check against the build (None: the embedded one)

    @property
    def isolation(self) -> str:
        """How SERVICE calls the lexer missed are contained: the engine's mode (see server.engine.isolation)."""
        return self.engine.isolation

    def attach(self, app: Flask) -> None:
        app.extensions[_KEY] = self

    def close(self) -> None:
        """Stop the engine and let go of the build."""
        self.engine.close()
        if self.held_build is not None:
            self.held_build.close()
            self.held_build = None


def runtime() -> Runtime:
    """The runtime of the app handling the current request."""
    return runtime_of(current_app)


def runtime_of(app: Flask) -> Runtime:
    """The runtime of an app (its factory attached it)."""
    return app.extensions[_KEY]
