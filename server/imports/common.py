"""What every import shares: where a data set comes from, its graph's description, and writing the folder.

Each import writes data/<name>/: the statements, `dataset.ttl` (the named graph described as a void:Dataset
plus the gs:Source that statements cite), `MATCHING.md` (what was matched, created or left ambiguous) and
`README.md`. The import date is the only value that could change from run to run: it is kept from the
previous output when nothing else changed, so the same input gives byte-identical files.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from server.rdf.namespaces import DCTERMS, GSID, OWL, PROV, RDF, RDFS, SCHEMA, VOID, graph_iri

from .rdf import Statements, de, en, gs, iri, ntriples, plain, turtle, typed

DATASET_FILE = "dataset.ttl"
MATCHING_FILE = "MATCHING.md"
README_FILE = "README.md"
#: The import date as written in dataset.ttl; read back to keep it when nothing else changed.
_ISSUED = re.compile(r'dcterms:issued "(\d{4}-\d{2}-\d{2})"\^\^xsd:date')

LICENCES = {
    "cc-by-sa-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "cc0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "dl-de-zero-2.0": "https://www.govdata.de/dl-de/zero-2-0",
    "dl-de-by-2.0": "https://www.govdata.de/dl-de/by-2-0",
}


class ImportFailed(Exception):
    """An input is missing or not what the import expects; the message says which and why."""


@dataclass(frozen=True)
class Origin:
    """A public data set as its SOURCE.txt describes it: repository, commit and the commit's date."""

    folder: str  # the folder name under shared/data/, also the gs:Source's dcterms:identifier
    repository: str
    commit: str
    commit_date: str  # YYYY-MM-DD

    @property
    def source(self):
        return iri(f"{GSID}source/{self.folder}")

    @property
    def at_commit(self):
        return iri(f"{self.repository.rstrip('/')}/tree/{self.commit}")


def read_origin(source_txt: Path) -> Origin:
    """Repository, commit and date from a data set's SOURCE.txt (lines `Repository: URL`, `Commit: SHA (DATE)`)."""
    if not source_txt.is_file():
        raise ImportFailed(f"{source_txt} is missing: it names the repository, commit and licence of the data set")
    text = source_txt.read_text(encoding="utf-8")
    repository = re.search(r"^Repository:\s*(\S+)", text, flags=re.MULTILINE)
    commit = re.search(r"^Commit:\s*([0-9a-f]{40})\s*\((\d{4}-\d{2}-\d{2})", text, flags=re.MULTILINE)
    if not repository or not commit:
        raise ImportFailed(f"{source_txt}: expected 'Repository: URL' and 'Commit: SHA (YYYY-MM-DD)' lines")
    return Origin(source_txt.parent.name, repository.group(1), commit.group(1), commit.group(2))


@dataclass(frozen=True)
class DataSet:
    """One public data set an import reads: where it comes from, under which licence, which files."""

    origin: Origin
    title: str
    licences: tuple[str, ...]  # keys of LICENCES
    files: tuple[str, ...]  # the raw files read, relative to the data set's folder
    rights_de: str
    rights_en: str

    @property
    def source(self):
        return self.origin.source


@dataclass(frozen=True)
class GraphInfo:
    """How an import's named graph describes itself, and the gs:Source of each data set it reads."""

    name: str  # folder under data/ and last segment of the graph IRI
    title_de: str
    title_en: str
    description_de: str
    description_en: str
    datasets: tuple[DataSet, ...]
    also_derived_from: tuple[str, ...] = ()  # IRIs of other gs:Sources used (e.g. source/reference-entities)
    licences: tuple[str, ...] = ()  # keys of LICENCES for a graph of our own curation (no data set's terms)
    rights: tuple[str, str] | None = None  # (German, English) attribution text for such a graph


def describe_graph(info: GraphInfo, issued: str) -> Statements:
    """The graph as a void:Dataset (sources, licences, import date) and each data set as a gs:Source."""
    out = Statements()
    graph = iri(graph_iri(info.name))
    out.add(graph, RDF + "type", iri(VOID + "Dataset"))
    out.add(graph, RDFS + "label", de(info.title_de))
    out.add(graph, RDFS + "label", en(info.title_en))
    out.add(graph, DCTERMS + "title", de(info.title_de))
    out.add(graph, DCTERMS + "title", en(info.title_en))
    out.add(graph, DCTERMS + "description", de(info.description_de))
    out.add(graph, DCTERMS + "description", en(info.description_en))
    out.add(graph, DCTERMS + "issued", typed(issued, "date"))
    for other in info.also_derived_from:
        out.add(graph, PROV + "wasDerivedFrom", iri(other))
    for licence in info.licences:
        out.add(graph, DCTERMS + "license", iri(LICENCES[licence]))
    if info.rights:
        out.add(graph, DCTERMS + "rights", de(info.rights[0]))
        out.add(graph, DCTERMS + "rights", en(info.rights[1]))
    for dataset in info.datasets:
        origin = dataset.origin
        out.add(graph, DCTERMS + "source", origin.at_commit)
        out.add(graph, PROV + "wasDerivedFrom", origin.source)
        for licence in dataset.licences:
            out.add(graph, DCTERMS + "license", iri(LICENCES[licence]))
        out.add(graph, DCTERMS + "rights", de(dataset.rights_de))
        out.add(graph, DCTERMS + "rights", en(dataset.rights_en))

        source = origin.source
        out.add(source, RDF + "type", gs("Source"))
        out.add(source, RDF + "type", iri(SCHEMA + "Dataset"))
        out.add(source, RDFS + "label", de(dataset.title))
        out.add(source, DCTERMS + "title", plain(dataset.title))
        out.add(source, DCTERMS + "identifier", plain(origin.folder))
        out.add(source, DCTERMS + "language", plain("de"))
        out.add(source, DCTERMS + "date", typed(origin.commit_date, "date"))
        out.add(source, DCTERMS + "source", origin.at_commit)
        out.add(source, SCHEMA + "url", iri(origin.repository))
        out.add(source, OWL + "versionInfo", plain(origin.commit))
        out.add(source, DCTERMS + "rights", de(dataset.rights_de))
        out.add(source, DCTERMS + "rights", en(dataset.rights_en))
        for licence in dataset.licences:
            out.add(source, DCTERMS + "license", iri(LICENCES[licence]))
        out.add_all(source, DCTERMS + "hasPart", [plain(name) for name in dataset.files])
    return out


@dataclass
class ImportResult:
    """Everything one import produces, before it is written to data/<name>/."""

    info: GraphInfo
    statements: Statements
    report: str  # MATCHING.md body, deterministic
    summary: list[str]  # lines printed by the command
    readme: str
    data_file: str  # e.g. territory.nt or fedipol.ttl
    header: str  # comment at the top of a Turtle data file
    extra_files: dict[str, bytes] = field(default_factory=dict)


def render(result: ImportResult, issued: str) -> dict[str, bytes]:
    """The folder's files as bytes, for one import date."""
    files = {
        DATASET_FILE: turtle(
            describe_graph(result.info, issued),
            f"GovSocial KG - import '{result.info.name}': the named graph {graph_iri(result.info.name)}\n"
            "described as a void:Dataset (source, licence, import date), and the data set as a gs:Source.\n"
            f"Generated by `govsocial import {result.info.name}`; do not edit by hand.",
        ),
        README_FILE: result.readme.encode("utf-8"),
        MATCHING_FILE: result.report.encode("utf-8"),
    }
    if result.data_file.endswith(".nt"):
        files[result.data_file] = ntriples(result.statements)
    else:
        files[result.data_file] = turtle(result.statements, result.header)
    files.update(result.extra_files)
    return files


def today() -> str:
    """Today's date (UTC), or the date of SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.date().isoformat()


def write(result: ImportResult, folder: Path) -> tuple[str, bool]:
    """Write the folder; keep the previous import date if the output is otherwise unchanged.

    Returns the import date written and whether any file changed. Files of earlier runs that this
    run does not write (a renamed data file) are removed, so the folder holds exactly one import.
    """
    previous = previous_issued(folder)
    if previous is not None:
        files = render(result, previous)
        if _same_as_on_disk(folder, files):
            return previous, False
    issued = today()
    files = render(result, issued)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        if stale.is_file() and stale.name not in files and stale.suffix in {".ttl", ".nt", ".md"}:
            stale.unlink()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return issued, True


def previous_issued(folder: Path) -> str | None:
    """The import date the folder's dataset.ttl states, if any."""
    dataset = folder / DATASET_FILE
    if not dataset.is_file():
        return None
    found = _ISSUED.search(dataset.read_text(encoding="utf-8"))
    return found.group(1) if found else None


def _same_as_on_disk(folder: Path, files: dict[str, bytes]) -> bool:
    on_disk = {p.name for p in folder.iterdir() if p.is_file() and p.suffix in {".ttl", ".nt", ".md"}}
    if on_disk != set(files):
        return False
    return all((folder / name).read_bytes() == content for name, content in files.items())


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; pipes in cells are escaped."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
