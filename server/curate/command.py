"""`govsocial curate check SHEET` and `govsocial curate add SHEET`: from a spreadsheet of events to data/press/.

`check` reports every row and column and writes nothing. `add` checks the sheet, and only if no row has an
error copies it into data/press/sheets/ and writes the press graph anew from all sheets there, so a bad row
never half-loads and the same sheets always give the same files.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from pyoxigraph import NamedNode

from server.imports.common import write
from server.rdf.namespaces import GS, RDF, RDFS
from server.reconcile.candidates import load_candidates
from server.reconcile.matcher import Matcher
from server.settings import Settings, SettingsError

from .graphs import load_graph, selector
from .press import NAME, KnownEvent, build_press, press_result
from .rows import Finding, Resolved, RowReader
from .sheet import Row, SheetError, read_sheet
from .wording import Wording

SHEETS = "sheets"
EVENTS_QUERY = f"""PREFIX gs: <{GS}> PREFIX rdfs: <{RDFS}>
SELECT ?e ?who ?p ?c (SAMPLE(COALESCE(STR(?date), STR(?after))) AS ?d) WHERE {{
  ?e a ?c ; gs:platform ?p ; gs:institution|gs:person ?who .
  ?c rdfs:subClassOf gs:PlatformEvent .
  OPTIONAL {{ ?e gs:date ?date }} OPTIONAL {{ ?e gs:notAfter ?after }}
}} GROUP BY ?e ?who ?p ?c"""
EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class Workspace:
    """The graph a sheet is checked against (ontology and data/ without the sheets' graph), read once."""

    def __init__(self, ontology_dir: Path, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.store = load_graph(ontology_dir, data_dir, leave_out=NAME)
        select = selector(self.store)
        self._candidates = load_candidates(select)
        self.matcher = Matcher(self._candidates)
        self.wording = Wording(select)
        self.existing = {
            quad.subject.value
            for quad in self.store.quads_for_pattern(None, NamedNode(RDF + "type"), None)
            if isinstance(quad.subject, NamedNode)
        }
        self.used = {quad.subject.value for quad in self.store if isinstance(quad.subject, NamedNode)}
        self.events = [
            KnownEvent(row["e"], row["who"], row["p"], row["c"].rsplit("#", 1)[-1], row.get("d", "")[:7])
            for row in select(EVENTS_QUERY)
        ]

    def check(self, sheets: list[Path]) -> tuple[list[Resolved], list[Finding]]:
        """Every row of the sheets, resolved; rows with an error are left out of the first list."""
        self.matcher = Matcher(list(self._candidates))  # each check starts from the graph, not from an earlier one
        reader = RowReader(self.matcher, self.wording, self.used)
        resolved: list[Resolved] = []
        for offset, sheet in enumerate(sheets):
            for row in read_sheet(sheet):
                result = reader.resolve(_numbered(row, offset))
                if result is not None:
                    resolved.append(result)
        return resolved, reader.findings

    def add(self, sheet: Path) -> list[str]:
        folder = self.data_dir / NAME / SHEETS
        target = folder / sheet.name
        sheets = sorted(p for p in folder.glob("*.csv") if p.name != sheet.name) if folder.is_dir() else []
        resolved, findings = self.check([*sheets, sheet])
        errors = [f for f in findings if f.level == "error"]
        if errors:
            raise SheetRejected(errors)
        folder.mkdir(parents=True, exist_ok=True)
        if sheet.resolve() != target.resolve():
            shutil.copyfile(sheet, target)
        all_sheets = sorted(folder.glob("*.csv"))
        resolved, findings = self.check(all_sheets)
        press = build_press(resolved, self.existing, self.events)
        result = press_result(press, [p.name for p in all_sheets], findings, resolved)
        issued, changed = write(result, self.data_dir / NAME)
        state = "written" if changed else "unchanged"
        return [*result.summary, f"{self.data_dir / NAME}: {state} ({len(result.statements)} statements, {issued})"]


class SheetRejected(Exception):
    def __init__(self, errors: list[Finding]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def _numbered(row: Row, offset: int) -> Row:
    """Rows of the second and later sheets are numbered on from 10,000 per sheet, so numbers stay unique."""
    return Row(row.number + offset * 10_000, row.cells)


def report(findings: list[Finding], verbose: bool) -> str:
    lines = []
    for finding in findings:
        if finding.level == "ok" and not verbose:
            continue
        lines.append(f"row {finding.row:>5}  {finding.column:<16} {finding.level:<7} {finding.message}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govsocial curate",
        description="Check an event sheet (CSV) against the graph, or add it to data/press/.",
    )
    parser.add_argument("action", choices=("check", "add"), help="check: report only; add: check, then write")
    parser.add_argument("sheet", type=Path, help="the sheet (CSV, UTF-8, one row per event)")
    parser.add_argument("--data-dir", type=Path, help="the data folder (default: the data_dir setting)")
    parser.add_argument("--quiet", action="store_true", help="report only warnings and errors")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings({"data_dir": args.data_dir})
        workspace = Workspace(settings.ontology_dir, settings.data_dir)
        if args.action == "check":
            resolved, findings = workspace.check([args.sheet])
            print(report(findings, verbose=not args.quiet))
            errors = sum(f.level == "error" for f in findings)
            rows = len({f.row for f in findings})
            print(f"{args.sheet}: {rows} rows, {len(resolved)} without error, {errors} error(s); nothing written")
            return EXIT_INVALID if errors else EXIT_OK
        for line in workspace.add(args.sheet):
            print(line)
        return EXIT_OK
    except SettingsError as error:
        print(f"govsocial curate: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SheetError as error:
        print(f"govsocial curate: {error}", file=sys.stderr)
        return EXIT_INVALID
    except SheetRejected as rejected:
        print(report(rejected.errors, verbose=False), file=sys.stderr)
        print(f"govsocial curate add: {len(rejected.errors)} error(s); nothing written", file=sys.stderr)
        return EXIT_INVALID
