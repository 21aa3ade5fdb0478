"""The example queries in queries/: SPARQL files whose header comments give a title and a description.

They are data, not code: the tests run each one, the pages list them, and the build records their answers
to check an engine against, from this one reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_FIELD = re.compile(r"^#\s*(title|description|federated):\s*(.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(.*)$")


@dataclass(frozen=True)
class Example:
    """One example query: its file stem as a stable name, its header and its SPARQL text."""

    name: str
    title: str
    description: str
    text: str
    federated: bool = False  # `# federated: true`: part of the answer comes from a remote SERVICE


class ExampleError(ValueError):
    """An example file lacks its header; the message names the file."""


def parse_example(path: Path) -> Example:
    """Read one .rq file; its leading comment block holds `# title:` and `# description:` lines.

    A description may continue on following comment lines indented by two or more spaces.
    """
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if match := _FIELD.match(line):
            last = match.group(1)
            fields[last] = match.group(2).strip()
        elif last and (match := _CONTINUATION.match(line)):
            fields[last] += " " + match.group(1).strip()
    missing = [name for name in ("title", "description") if not fields.get(name)]
    if missing:
        raise ExampleError(f"{path}: header lacks {' and '.join('# ' + m + ':' for m in missing)}")
    federated = fields.get("federated", "").strip().lower() == "true"
    return Example(path.stem, fields["title"], fields["description"], text, federated)


def load_examples(folder: Path) -> list[Example]:
    """All examples of a folder, ordered by file name (the numbers give the reading order)."""
    return [parse_example(path) for path in sorted(folder.glob("*.rq"))]
