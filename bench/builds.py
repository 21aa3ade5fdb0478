"""Generate the synthetic data of a scale and build it the way a user does, measuring time, memory and size."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .generate import GENERATOR_VERSION, generate, read_manifest

BIN = Path(sys.executable).parent
PROJECT_DIR = Path(__file__).resolve().parent.parent


def scale_name(triples: int) -> str:
    exponent = len(str(triples)) - 1
    return f"1e{exponent}" if triples == 10**exponent else str(triples)


def ensure_data(data_dir: Path, triples: int, seed: int) -> dict:
    """Generate DATA_DIR/synthetic unless the same seed, size and generator version are already there."""
    manifest = read_manifest(data_dir)
    if (
        manifest
        and manifest.seed == seed
        and manifest.target_triples == triples
        and manifest.generator_version == GENERATOR_VERSION
    ):
        return {"generated": False, "triples": manifest.triples, "entities": manifest.entities}
    if data_dir.exists():
        shutil.rmtree(data_dir)
    started = time.monotonic()
    manifest = generate(data_dir, triples, seed)
    return {
        "generated": True,
        "seconds": round(time.monotonic() - started, 2),
        "triples": manifest.triples,
        "entities": manifest.entities,
        "bytes": sum(p.stat().st_size for p in (data_dir / "synthetic").iterdir()),
    }


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(data_dir: Path, store_dir: Path, log: Path) -> dict:
    """`govsocial build --store STORE` with GOVSOCIAL_DATA_DIR=DATA_DIR in a fresh store: wall time, peak RSS."""
    if store_dir.exists():
        shutil.rmtree(store_dir)
    returncode, seconds, usage = _run_build(data_dir, store_dir, log)
    result = {
        "ok": returncode == 0,
        "seconds": round(seconds, 2),
        "peak_rss_mb": usage.ru_maxrss // 1024,  # Linux reports KiB
        "user_seconds": round(usage.ru_utime, 1),
        "system_seconds": round(usage.ru_stime, 1),
        "log": str(log),
    }
    if returncode != 0:
        result["error"] = log.read_text(errors="replace")[-2000:]
        return result
    build_dir = (store_dir / "current").resolve()
    info = json.loads((build_dir / "build.json").read_text())
    result.update(
        triples=info["triples"],
        build_json_seconds=info["seconds"],
        store_mb=round(du(build_dir / "oxigraph") / 1e6, 1),
        dumps_mb=round(du(build_dir / "dumps") / 1e6, 1) if (build_dir / "dumps").exists() else 0,
    )
    return result


def profile(data_dir: Path, out_json: Path, log: Path, experiments: bool = True) -> dict:
    """The step-by-step profile of a build (bench/buildprofile.py) in a process of its own."""
    command = [sys.executable, "-m", "bench.buildprofile", str(data_dir), str(PROJECT_DIR / "ontology"), str(out_json)]
    if not experiments:
        command.append("--no-experiments")
    with open(log, "wb") as out:
        completed = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_DIR, check=False)
    if completed.returncode != 0:
        return {"error": log.read_text(errors="replace")[-2000:]}
    return json.loads(out_json.read_text())


#: The scale name of the project's own data (data/), built and compared beside the synthetic scales.
REAL = "real"
#: What the rebuild measurement adds to one graph: a statement no shape targets, in a file of its own.
_ADDED_FILE = "rebuild-measurement.ttl"
_ADDED = '<urn:govsocial:bench:rebuild> <http://www.w3.org/2000/01/rdf-schema#comment> "added by the benchmark"@en .\n'


def rebuild_after_one_change(data_dir: Path, work: Path, logs: Path, graph_folder: str = "press") -> dict:
    """What a curator waits for after changing one graph: a build into a store that has a current build.

    A copy of the data is built into a fresh store first (the full build), then one statement is added to one
    graph (a file of its own in data/GRAPH/), and `govsocial build` runs again into the same store. The second
    build's own record (build.json) says which graphs it reused from the first.
    """
    if work.exists():
        shutil.rmtree(work)
    copy = work / "data"
    shutil.copytree(data_dir, copy)
    store = work / "store"
    full = _timed_build(copy, store, logs / "rebuild-full.log")
    if not full["ok"]:
        return {"full": full}
    (copy / graph_folder / _ADDED_FILE).write_text(_ADDED, encoding="utf-8")
    again = _timed_build(copy, store, logs / "rebuild-one-change.log")
    result = {"full": full, "rebuild": again, "changed_graph": graph_folder}
    if again["ok"]:
        info = json.loads(((store / "current").resolve() / "build.json").read_text())
        result["reused_graphs"] = len(info.get("reused", []))
        result["graphs"] = len(info.get("graphs", {}))
    shutil.rmtree(work, ignore_errors=True)
    return result


def _timed_build(data_dir: Path, store_dir: Path, log: Path) -> dict:
    """`govsocial build --store STORE` into a store as it is (a rebuild when it has a current build)."""
    returncode, seconds, _ = _run_build(data_dir, store_dir, log)
    result = {"ok": returncode == 0, "seconds": round(seconds, 2)}
    if not result["ok"]:
        result["error"] = log.read_text(errors="replace")[-2000:]
    return result


def _run_build(data_dir: Path, store_dir: Path, log: Path) -> tuple[int, float, os.struct_rusage]:
    """Run `govsocial build --store STORE` on DATA_DIR: its exit code, wall seconds and its own rusage."""
    env = {**os.environ, "GOVSOCIAL_DATA_DIR": str(data_dir)}
    started = time.monotonic()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(BIN / "govsocial"), "build", "--store", str(store_dir)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=PROJECT_DIR,
        )
        _, status, usage = os.wait4(process.pid, 0)  # the rusage of this one child, not of all children
    return os.waitstatus_to_exitcode(status), time.monotonic() - started, usage
