"""What `govsocial report wikidata` and `govsocial export quickstatements` do once the CLI has read their options.

The work is done in coverage.py and quickstatements.py; this module opens the store and writes the output.
"""

from __future__ import annotations

import sys
from pathlib import Path

from server.settings import Settings
from server.store.builds import open_store
from server.wikidata.coverage import as_json, as_table, coverage
from server.wikidata.quickstatements import export

EXIT_OK = 0


def report_coverage(store_dir: Path | None, output_format: str) -> int:
    """Per class, how many resources link to a Wikidata item: a table, or JSON with the dataset version."""
    store, info = open_store(Settings({"store": store_dir}).store)
    rows, total = coverage(store)
    sys.stdout.write(as_json(rows, total, info.version) if output_format == "json" else as_table(rows, total))
    sys.stdout.flush()
    return EXIT_OK


def export_quickstatements(store_dir: Path | None, out: str) -> int:
    """The Wikidata edits our data supports, as QuickStatements v1, to a file or (with `-`) standard output."""
    store, _ = open_store(Settings({"store": store_dir}).store)
    result = export(store)
    if out == "-":
        sys.stdout.write(result.text())
        sys.stdout.flush()
        print(result.summary(), file=sys.stderr, end="")
    else:
        Path(out).write_text(result.text(), encoding="utf-8")
        print(f"{result.summary()}Written to {out}", file=sys.stdout)
    return EXIT_OK
