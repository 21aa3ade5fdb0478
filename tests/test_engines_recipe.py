"""The load recipes of README's "Verified engines", run by bench/engines.py's own functions on the session's build.

Oxigraph's two recipes must pass the front end's engine check: every recorded example answered exactly.
Virtuoso (not installed in CI) is checked only where it is installed: its recipe must load the build so that
the front end finds the build's version and checks every example, and the raw engine must make no SERVICE
call of its own. Which examples it answers otherwise is measured by `python -m bench.engines`, not asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import engines
from server.engine.conformance import read_expected

RECIPES = {recipe.key: recipe for recipe in engines.RECIPES}


def _recorded(store_dir: Path) -> int:
    return len(read_expected((store_dir / "current").resolve()))


@pytest.mark.parametrize(("key", "mode"), [("oxigraph-copy", "union"), ("oxigraph-load", "named")])
def test_the_oxigraph_recipe_passes_the_front_ends_engine_check(
    key: str, mode: str, built_store_dir: Path, tmp_path: Path
) -> None:
    [result] = engines.run_recipe(RECIPES[key], built_store_dir, tmp_path, timeout=120, examples=False)
    assert result["dataset"] == mode
    assert result["engine_check"]["ok"], result["engine_check"]["reasons"]
    assert result["examples_exact"] == result["examples_checked"] == _recorded(built_store_dir) > 0


@pytest.mark.skipif(bool(engines.virtuoso_missing()), reason=engines.virtuoso_missing() or "")
def test_the_virtuoso_recipe_loads_the_build_and_refuses_service_calls(built_store_dir: Path, tmp_path: Path) -> None:
    results = engines.run_recipe(RECIPES["virtuoso"], built_store_dir, tmp_path, timeout=120, examples=False)
    assert [result["dataset"] for result in results] == ["named", "union"]
    for result in results:
        assert result["examples_checked"] == _recorded(built_store_dir), result["engine_check"]["reasons"]
        assert result["max_rows"] == 100000
        assert result["raw_engine_calls_service"] is False


def test_the_summary_says_supported_only_when_the_check_passed() -> None:
    passed = {"examples_checked": 3, "examples_exact": 3, "engine_check": {"ok": True, "reasons": []}}
    failed = {"examples_checked": 3, "examples_exact": 2, "engine_check": {"ok": False, "reasons": ["example x …"]}}
    unloaded = {"examples_checked": 0, "examples_exact": 0, "engine_check": {"ok": False, "reasons": ["no build"]}}
    assert engines.verdict(passed) == "3 of 3 examples exact: supported"
    assert engines.verdict(failed) == "not supported: 2 of 3 examples exact"
    assert engines.verdict(unloaded) == "not supported: no build"
