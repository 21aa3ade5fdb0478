"""The engine's own account of a query: Oxigraph's explanation of its evaluation, with its statistics.

A p95 target missed on an example says nothing about why. `oxigraph query --explain-file F.json --stats`
evaluates the query once on the store and writes the plan it ran as a tree: every operator (a quad pattern, a
path, a join, a sort) with the number of results it produced and the seconds spent in it and below it. An
operator's own time is its seconds less its children's. The heaviest operators by own time are where the
engine spends a query's time, whatever our server adds, and the report names them beside each miss.

The statistics cost some time of their own, and the command reads the store on disk (as Oxigraph's server
does; ours holds it in memory), so the seconds are larger than a timed request's: they are for the shares.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from server.rdf.terms import compact

from .endpoints import BIN


@dataclass(frozen=True)
class Step:
    """One operator of the plan the engine ran."""

    name: str  # as the engine writes it, with IRIs shortened to the project's prefixes
    results: int  # solutions it produced, over every evaluation (the inner side of a loop join runs per row)
    own_seconds: float  # its seconds less those of its children


@dataclass(frozen=True)
class HashTable:
    """A hash join's table: the side the engine evaluates on its own, whatever the other side binds."""

    join: str  # the join, with its keys
    built: int  # rows of the side it built the table of
    probed: int  # rows of the side it looked them up for
    seconds: float  # spent in evaluating the side it built


@dataclass(frozen=True)
class Explanation:
    """The engine's evaluation of one query: its total, its operators by own time (heaviest first), its tables."""

    seconds: float
    results: int
    steps: tuple[Step, ...]
    tables: tuple[HashTable, ...] = ()  # the costliest first

    def heaviest(self, count: int = 2) -> tuple[Step, ...]:
        return self.steps[:count]

    def share(self, step: Step) -> float:
        return step.own_seconds / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self, count: int = 5) -> dict:
        """What the benchmark's results keep: the totals, the heaviest steps and the report's sentence."""
        return {
            "seconds": round(self.seconds, 4),
            "results": self.results,
            "summary": describe(self),
            "tables": [
                {"join": t.join, "built": t.built, "probed": t.probed, "seconds": round(t.seconds, 4)}
                for t in self.tables[:count]
            ],
            "heaviest": [
                {"step": s.name, "results": s.results, "own_seconds": round(s.own_seconds, 4)}
                for s in self.heaviest(count)
            ],
        }


class ExplainError(Exception):
    """The engine could not explain the query (it failed, or ran past the time limit); the message says which."""


def explain(location: Path, text: str, timeout_s: float, *, union_default_graph: bool = False) -> Explanation:
    """Evaluate `text` once on the Oxigraph store at `location` and read back the engine's explanation.

    The store must not be open in another process; the benchmark's copy for Oxigraph's server is, once that
    server has stopped. `union_default_graph` as for that server: for a build without a merged default graph.
    """
    with tempfile.TemporaryDirectory(prefix="govsocial-explain-") as scratch:
        query_file, plan_file = Path(scratch, "query.rq"), Path(scratch, "plan.json")
        query_file.write_text(text, encoding="utf-8")
        command = [
            str(BIN / "oxigraph"), "query", "--location", str(location), "--query-file", str(query_file),
            "--results-format", "json", "--results-file", str(Path(scratch, "results.json")),
            "--explain-file", str(plan_file), "--stats",
        ] + (["--union-default-graph"] if union_default_graph else [])  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise ExplainError(f"the engine took longer than {timeout_s:g} s") from None
        if done.returncode != 0 or not plan_file.exists():
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise ExplainError(f"the engine failed (exit status {done.returncode}): {last}")
        return read_plan(plan_file)


def read_plan(path: Path) -> Explanation:
    """The explanation in an `--explain-file` of the engine's; ExplainError if it is not in the shape we know."""
    try:
        return parse(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ExplainError(f"the engine's explanation in {path.name} could not be read: {error!r}") from None


def parse(document: dict) -> Explanation:
    """The explanation of Oxigraph's JSON (`{"plan": {name, number of results, duration in seconds, children}}`)."""
    root = document["plan"]
    steps: list[Step] = []
    tables: list[HashTable] = []
    pending = [root]
    while pending:
        node = pending.pop()
        children = node.get("children") or []
        pending.extend(children)
        name, kind = shorten(node["name"]), node["name"].split("(", 1)[0]
        if kind in _JOINS and children:  # a join's own time is its loop: name what it loops into
            name = f"{kind} into {shorten(children[-1]['name'])}"
        own = max(_seconds(node) - sum(_seconds(child) for child in children), 0)
        steps.append(Step(_clip(name), _results(node), own))
        table = _table(node, children)
        if table is not None:
            tables.append(table)
    steps.sort(key=lambda step: -step.own_seconds)
    tables.sort(key=lambda table: -table.seconds)
    return Explanation(_seconds(root), _results(root), tuple(steps), tuple(tables))


#: The hash joins, by the start of their name, and which of their two children each builds its table of.
_BUILDS = {"LeftJoin(HashBuildRightProbeLeft": 1, "Join(HashBuildLeftProbeRight": 0}
_KEYS = re.compile(r"keys = (\?\w+(?:, \?\w+)*)")


def _table(node: dict, children: list[dict]) -> HashTable | None:
    """The table of a hash join node, or None for any other node."""
    kind = node["name"].split(",", 1)[0]
    if kind not in _BUILDS or len(children) != 2:
        return None
    built, probed = children[_BUILDS[kind]], children[1 - _BUILDS[kind]]
    keys = _KEYS.search(node["name"])
    join = f"{kind.split('(', 1)[0]} on {shorten(keys.group(1)) if keys else 'no key'}"
    return HashTable(join, _results(built), _results(probed), _seconds(built))


def _results(node: dict) -> int:
    return int(node.get("number of results", 0))


#: Operators that combine their children; the last child is the inner side (the one evaluated per row or built).
_JOINS = frozenset({"Lateral", "ForLoopLeftJoin", "LeftJoin", "Join", "Minus", "Union"})


def _clip(name: str, width: int = 120) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _seconds(node: dict) -> float:
    return float(node.get("duration in seconds", 0.0))


_IRI = re.compile(r"<([^<>\s]*)>")
_HIDDEN_VARIABLE = re.compile(r"\?[0-9a-f]{32}\b")  # a variable the engine made up (a path's middle, an aggregate)


def shorten(name: str) -> str:
    """An operator's name as a person reads it: IRIs compacted as everywhere else, `?_` for made-up variables."""
    return _HIDDEN_VARIABLE.sub("?_", _IRI.sub(lambda match: compact(match.group(1)), name))


#: A hash table is named when it took at least this share of the time: below it, it is not what to look at.
TABLE_SHARE = 0.2


def describe(explanation: Explanation, count: int = 2) -> str:
    """One clause for the report: the engine's own time, how much it produced on the way, and its heaviest steps.

    The intermediate results (every operator's, added up) say how much work the plan does for its answer: a plan
    that builds a table of every event of the store to keep a few rows shows it here.
    """
    produced = sum(step.results for step in explanation.steps)
    heaviest = "; ".join(
        f"{step.name} {explanation.share(step):.0%} ({step.results:,} results)"
        for step in explanation.heaviest(count)
        if step.own_seconds > 0
    )
    text = (
        f"alone, on disk, the engine takes {explanation.seconds * 1000:,.0f} ms, and its {len(explanation.steps)}"
        f" steps produce {produced:,} results for {explanation.results:,} rows"
    )
    if heaviest:
        text += f"; heaviest: {heaviest}"
    table = explanation.tables[0] if explanation.tables else None
    if table and table.built > table.probed > 0 and table.seconds >= TABLE_SHARE * explanation.seconds:
        text += (
            f"; its costliest hash table ({table.join}) holds {table.built:,} rows, evaluated without the"
            f" {table.probed:,} rows it is joined to, in {table.seconds / explanation.seconds:.0%} of the time"
        )
    return text
