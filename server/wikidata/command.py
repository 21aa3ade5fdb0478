"""Command entry points for the Wikidata side: `govsocial report wikidata` and `govsocial export quickstatements`.

Each takes its own argv (the words after `report` or `export`) and returns the exit status; the work is
done in wikidata_coverage.py and wikidata_quickstatements.py.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from server.settings import Settings, SettingsError
from server.store.builds import StoreNotBuilt, open_store
from server.wikidata.coverage import as_json, as_table, coverage
from server.wikidata.quickstatements import export

EXIT_OK, EXIT_USAGE = 0, 2


def report_main(argv: Sequence[str]) -> int:
    """`report wikidata [--store DIR] [--format table|json]`: Wikidata coverage per class."""
    parser = argparse.ArgumentParser(prog="govsocial report", description="Reports on the built store.")
    parser.add_argument("report", choices=["wikidata"], help="wikidata: per class, how many resources link to an item")
    parser.add_argument("--store", type=Path, help="store directory (default: GOVSOCIAL_STORE or var/store)")
    parser.add_argument("--format", choices=["table", "json"], default="table", help="output format")
    args = parser.parse_args(list(argv))
    try:
        store, info = open_store(Settings({"store": args.store}).store)
    except (StoreNotBuilt, SettingsError) as error:
        print(f"govsocial report: {error}", file=sys.stderr)
        return EXIT_USAGE
    rows, total = coverage(store)
    sys.stdout.write(as_json(rows, total, info.version) if args.format == "json" else as_table(rows, total))
    sys.stdout.flush()
    return EXIT_OK


def export_main(argv: Sequence[str]) -> int:
    """`export quickstatements [--store DIR] [--out FILE]`: the Wikidata edits our data supports."""
    parser = argparse.ArgumentParser(prog="govsocial export", description="Exports of the built store.")
    parser.add_argument(
        "export", choices=["quickstatements"], help="quickstatements: account statements with start/end times (v1)"
    )
    parser.add_argument("--store", type=Path, help="store directory (default: GOVSOCIAL_STORE or var/store)")
    parser.add_argument("--out", default="-", help="file to write the commands to (default -: standard output)")
    args = parser.parse_args(list(argv))
    try:
        store, _ = open_store(Settings({"store": args.store}).store)
    except (StoreNotBuilt, SettingsError) as error:
        print(f"govsocial export: {error}", file=sys.stderr)
        return EXIT_USAGE
    result = export(store)
    if args.out == "-":
        sys.stdout.write(result.text())
        sys.stdout.flush()
        print(result.summary(), file=sys.stderr, end="")
    else:
        Path(args.out).write_text(result.text(), encoding="utf-8")
        print(f"{result.summary()}Written to {args.out}", file=sys.stdout)
    return EXIT_OK
