"""The layers of ARCHITECTURE.md hold: each module imports only the layers below its own, and the web process
and `govsocial query` load neither the build nor rdflib or pyshacl."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from server.settings import PROJECT_DIR

SERVER_DIR = PROJECT_DIR / "server"
#: Which layers each layer may import (besides itself); ARCHITECTURE.md has the same table in words.
ALLOWED: dict[str, set[str]] = {
    "shared": set(),
    "rdf": set(),
    "store": {"rdf"},
    "engine": {"rdf", "shared"},
    "build": {"rdf", "store", "engine", "shared"},
    "reconcile": {"rdf"},
    "web": {"rdf", "store", "engine", "reconcile", "shared"},
    "wikidata": {"rdf", "store", "engine", "shared"},
    "imports": {"rdf", "reconcile", "shared"},
    "curate": {"rdf", "build", "reconcile", "imports", "shared"},
    "deploy": {"store", "shared"},
    "cli": {"rdf", "store", "engine", "build", "web", "wikidata", "imports", "curate", "reconcile", "deploy", "shared"},
}
#: Libraries only the build (rdflib reads the shapes) and the tests (pyshacl) may load.
BUILD_ONLY_LIBRARIES = ("rdflib", "pyshacl")
#: Layers that run in the web process or under `govsocial query`.
SERVING_LAYERS = ("shared", "rdf", "store", "engine", "reconcile", "web")


def layer_of(module: str) -> str | None:
    """The layer of a module of ours (`server.web.app` is "web"), or None for another package."""
    parts = module.split(".")
    if parts[0] != "server":
        return None
    if len(parts) == 1 or parts[1] in ("settings", "__version__"):
        return "shared"
    return parts[1]


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(SERVER_DIR.rglob("*.py")):
        name = ".".join(path.relative_to(PROJECT_DIR).with_suffix("").parts)
        found.append((name.removesuffix(".__init__"), path))
    return found


def imports_of(path: Path, module: str) -> set[str]:
    """Every module a file imports, at any depth (also inside functions), relative imports resolved."""
    names = set()
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_every_module_belongs_to_a_layer() -> None:
    unknown = [name for name, _ in modules() if layer_of(name) not in ALLOWED]
    assert not unknown, f"modules outside the layers of ARCHITECTURE.md: {unknown}"
    assert len(modules()) > 50


@pytest.mark.parametrize(("module", "path"), modules(), ids=[name for name, _ in modules()])
def test_a_module_imports_only_the_layers_below_its_own(module: str, path: Path) -> None:
    own = layer_of(module)
    assert own is not None
    wrong = sorted(
        f"{name} ({layer_of(name)})"
        for name in imports_of(path, module)
        if layer_of(name) not in (None, own) and layer_of(name) not in ALLOWED[own]
    )
    assert not wrong, f"{module} ({own}) may import only {sorted(ALLOWED[own])}; it imports {wrong}"
    if own in SERVING_LAYERS:
        libraries = sorted(name for name in imports_of(path, module) if name.split(".")[0] in BUILD_ONLY_LIBRARIES)
        assert not libraries, f"{module} runs in the web process and must not import {libraries}"


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The rule above can fail: a web module importing the build is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("from server.build.pipeline import build\nimport rdflib\n", encoding="utf-8")
    found = imports_of(bad, "server.web.bad")
    assert "server.build.pipeline" in found and "rdflib" in found
    assert "build" not in ALLOWED["web"]


#: Starts the app on a store over the local engine, serves two pages and a query, and lists what it loaded.
_WEB_PROCESS = """
import json, sys
from server.engine.local import LocalEngine
from server.settings import Settings
from server.store.builds import open_store
from server.web.app import create_app
settings = Settings({"store": sys.argv[1], "prewarm_examples": "false"})
store, _ = open_store(settings.store)
client = create_app(settings, engine=LocalEngine(store)).test_client()
statuses = [client.get(path).status_code for path in ("/", "/id/org/dresden", "/sparql?query=ASK%7B%7D", "/ontology")]
print(json.dumps({"statuses": statuses, "modules": sorted(sys.modules)}))
"""
_QUERY_COMMAND = """
import json, sys
from server.cli.main import main
status = main(["query", "--store", sys.argv[1], "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"])
print(json.dumps({"statuses": [status], "modules": sorted(sys.modules)}))
"""


def _loaded(code: str, store_dir: Path) -> tuple[list[int], list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", code, str(store_dir)], capture_output=True, text=True, timeout=120, cwd=PROJECT_DIR
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["statuses"], report["modules"]


@pytest.mark.parametrize("code", [_WEB_PROCESS, _QUERY_COMMAND], ids=["web process", "govsocial query"])
def test_serving_loads_neither_the_build_nor_rdflib_nor_pyshacl(built_store_dir: Path, code: str) -> None:
    statuses, loaded = _loaded(code, built_store_dir)
    assert set(statuses) <= {0, 200}, statuses
    forbidden = [
        name
        for name in loaded
        if name.split(".")[0] in BUILD_ONLY_LIBRARIES or layer_of(name) in ("build", "wikidata", "imports", "curate")
    ]
    assert not forbidden, f"loaded while serving: {forbidden}"
    assert "pyoxigraph" in loaded


def test_the_query_command_loads_no_flask(built_store_dir: Path) -> None:
    _, loaded = _loaded(_QUERY_COMMAND, built_store_dir)
    assert not [name for name in loaded if name.split(".")[0] in ("flask", "werkzeug") or layer_of(name) == "web"]
