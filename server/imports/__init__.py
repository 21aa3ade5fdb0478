"""Imports of public data sets into named graphs of their own: `govsocial import NAME INPUT...`.

Each importer turns the raw files of one data set (shared/data/<set>/, left where they are) into RDF in
data/<name>/, which the build loads into https://w3id.org/govsocial/graph/<name>. An importer matches the
institutions it reads against those the graph already has (the curated data and the imports it builds on,
see NEEDS) so that one institution stays one resource, and reports what it matched, created and left
ambiguous in data/<name>/MATCHING.md.

Order: territory and federal-ministries build on the curated data; universities on those; fedipol on all of
them (it finds the universities' accounts). Each importer reads only the folders it needs, so its output
depends on nothing else in data/.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from server.settings import Settings, SettingsError

from . import fedipol, ministries, territory, universities
from .common import ImportFailed, ImportResult, write
from .matching import KnownGraph

CURATED = "curated"


@dataclass(frozen=True)
class Importer:
    """One registered import: its name (= folder and graph), what it reads and which imports it builds on."""

    name: str
    run: Callable[[list[Path], KnownGraph], ImportResult]
    needs: tuple[str, ...]
    inputs: str  # help text: the files it expects
    summary: str


def _importer(module: ModuleType, inputs: str) -> Importer:
    return Importer(module.NAME, module.run, module.NEEDS, inputs, (module.__doc__ or "").strip().splitlines()[0])


#: The registry, in an order in which every importer comes after the ones it needs.
IMPORTERS: dict[str, Importer] = {
    importer.name: importer
    for importer in (
        _importer(
            territory,
            "geo-api-de-admin/de_kreise_seed.tsv geo-api-de-admin/de_municipality_seed.tsv "
            "government-helper-tables/tbl_Bundeslaender.csv [reference/entities.tsv]",
        ),
        _importer(
            ministries,
            "government-helper-tables/tbl_Bundesministerien_2017-2021.csv "
            "government-helper-tables/tbl_Bundesministerien_2021-2025.csv [reference/entities.tsv]",
        ),
        _importer(universities, "mastodon-hochschulliste-54grad/wikidata-mastodon-hochschulen-de.json"),
        _importer(fedipol, "fedipol/fedipol_data.json"),
    )
}


def run_import(name: str, inputs: list[Path], data_dir: Path) -> tuple[ImportResult, str, bool]:
    """Run one import and write data/<name>/; returns the result, the import date and whether files changed."""
    importer = IMPORTERS[name]
    missing = [need for need in importer.needs if not (data_dir / need).is_dir()]
    if missing:
        raise ImportFailed(
            f"'{name}' builds on {', '.join(missing)}: run `govsocial import {missing[0]} ...` first "
            f"(missing {', '.join(str(data_dir / m) for m in missing)})"
        )
    known = KnownGraph.load([data_dir / CURATED, *(data_dir / need for need in importer.needs)])
    result = importer.run([Path(p) for p in inputs], known)
    # A statement the curated data or an earlier import already makes is not repeated: queries over the
    # union of the graphs (the default graph) would otherwise see it twice.
    result.statements = result.statements.without(known.states)
    issued, changed = write(result, data_dir / name)
    return result, issued, changed


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govsocial import",
        description="Turn a public data set into RDF in data/NAME/ (its own named graph), matched against the "
        "curated data and earlier imports. The same input gives byte-identical files.",
    )
    parser.add_argument("name", nargs="?", choices=sorted(IMPORTERS), metavar="NAME", help="which import to run")
    parser.add_argument("inputs", nargs="*", metavar="INPUT", help="the data set's files (see --list)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="the data folder to read the curated data from and write NAME/ into "
        "(default: the data_dir setting, GOVSOCIAL_DATA_DIR or data/ of the checkout)",
    )
    parser.add_argument("--list", action="store_true", help="list the imports, their inputs and order, and exit")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The `govsocial import` command: exit status 0 on success, 1 on a bad input, 2 on bad usage."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.list:
        for importer in IMPORTERS.values():
            needs = f" (after: {', '.join(importer.needs)})" if importer.needs else ""
            print(f"{importer.name}{needs}\n    {importer.summary}\n    inputs: {importer.inputs}")
        return 0
    if not args.name or not args.inputs:
        parser.print_usage(sys.stderr)
        print("govsocial import: error: NAME and at least one INPUT are required (see --list)", file=sys.stderr)
        return 2
    try:
        data_dir = Settings({"data_dir": args.data_dir}).data_dir
        result, issued, changed = run_import(args.name, args.inputs, data_dir)
    except SettingsError as error:
        print(f"govsocial import: {error}", file=sys.stderr)
        return 2
    except ImportFailed as error:
        print(f"govsocial import {args.name}: {error}", file=sys.stderr)
        return 1
    for line in result.summary:
        print(line)
    state = "written" if changed else "unchanged"
    print(f"{data_dir / args.name}: {state} ({len(result.statements)} statements, import date {issued})")
    return 0
