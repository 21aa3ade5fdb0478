"""Import `federal-ministries`: the federal ministries listed for 2017-2021 and 2021-2025.

Inputs: government-helper-tables/tbl_Bundesministerien_2017-2021.csv and _2021-2025.csv (name, abbreviation,
Einzelplan number, English name) and, optionally, shared/reference/entities.tsv (verified QIDs).

Decisions (README.md of data/federal-ministries says the same for users):
- A ministry listed in both periods under the same name is one resource.
- A ministry listed under another name but the same abbreviation and the same Einzelplan (budget section)
  is one renamed resource: only the BMI ("des Innern, für Bau und Heimat" -> "des Innern und für Heimat"),
  which the reference table also records as one Wikidata item across renames. Its newer name is the label,
  the older one a skos:altLabel, and its description says which name each list gives.
- A changed abbreviation (BMWi -> BMWK, BMJV -> BMJ, BMVI -> BMDV, BMU -> BMUV) gives separate resources,
  even with the same Einzelplan: portfolios moved between houses, and whether Wikidata keeps one item is not
  checked. MATCHING.md lists these pairs for a curator.
- "Listed in the 2017-2021 list" is gs:listedInPeriod a gs:GovernmentPeriod (gsid:period/...), not a
  founding or closing date of the ministry: the tables say nothing about when a ministry was founded.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from server.rdf.namespaces import DCTERMS, GSID, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS

from .common import DataSet, GraphInfo, ImportFailed, ImportResult, markdown_table, read_origin
from .matching import Known, KnownGraph, Query, normalise
from .rdf import Statements, de, en, gs, iri, org_iri, slug, typed, wikidata
from .references import FILE_NAME as ENTITIES_FILE
from .references import REFERENCE_SOURCE, qid_for, read_verified

NAME = "federal-ministries"
NEEDS: tuple[str, ...] = ()
PERIOD_FILES = {
    "tbl_Bundesministerien_2017-2021.csv": ("2017", "2021"),
    "tbl_Bundesministerien_2021-2025.csv": ("2021", "2025"),
}
DEUTSCHLAND = GSID + "org/deutschland"
BUNDESREGIERUNG = GSID + "org/bundesregierung"


@dataclass
class Ministry:
    listings: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (period slug, row)
    iri: str = ""
    method: str = "created"
    qid: str | None = None
    candidates: tuple[str, ...] = ()

    @property
    def latest(self) -> dict[str, str]:
        return self.listings[-1][1]

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(row["Name_DE"] for _, row in reversed(self.listings)))

    @property
    def english_names(self) -> list[str]:
        return list(dict.fromkeys(row["Name_EN"] for _, row in reversed(self.listings)))

    @property
    def abbreviations(self) -> list[str]:
        return list(dict.fromkeys(row["Abkürzung"] for _, row in reversed(self.listings)))


def period_iri(start: str, end: str) -> str:
    return f"{GSID}period/bundesregierung-{start}-{end}"


def run(inputs: list[Path], known: KnownGraph) -> ImportResult:
    periods: list[tuple[str, str, Path]] = []
    verified_path = None
    for path in inputs:
        if path.name in PERIOD_FILES:
            periods.append((*PERIOD_FILES[path.name], path))
        elif path.name == ENTITIES_FILE:
            verified_path = path
        else:
            raise ImportFailed(
                f"{path}: not an input of '{NAME}' (expected {', '.join(PERIOD_FILES)}, [{ENTITIES_FILE}])"
            )
        if not path.is_file():
            raise ImportFailed(f"{path} does not exist")
    if {p[2].name for p in periods} != set(PERIOD_FILES):
        raise ImportFailed(f"'{NAME}' needs both {' and '.join(PERIOD_FILES)}")
    periods.sort()
    tables = DataSet(
        origin=read_origin(periods[0][2].parent / "SOURCE.txt"),
        title="government-helper-tables: Länder and federal ministries",
        licences=("dl-de-zero-2.0",),
        files=tuple(sorted(PERIOD_FILES)),
        rights_de="Datenlizenz Deutschland – Zero – Version 2.0 (keine Bedingungen).",
        rights_en="Data licence Germany – Zero – version 2.0 (no conditions).",
    )
    verified = read_verified(verified_path) if verified_path else []

    ministries: list[Ministry] = []
    renamed_pairs: list[tuple[dict[str, str], dict[str, str]]] = []
    for start, end, path in periods:
        period = f"{start}-{end}"
        for row in _read(path):
            same = [m for m in ministries if normalise(m.latest["Name_DE"]) == normalise(row["Name_DE"])]
            if not same:
                same = [
                    m
                    for m in ministries
                    if m.latest["Abkürzung"] == row["Abkürzung"] and m.latest["HH-Plan"] == row["HH-Plan"]
                ]
            if same:
                same[0].listings.append((period, row))
                continue
            predecessor = [
                m for m in ministries if m.latest["HH-Plan"] == row["HH-Plan"] and m.listings[-1][0] != period
            ]
            renamed_pairs += [(m.latest, row) for m in predecessor]
            ministries.append(Ministry(listings=[(period, row)]))

    for ministry in ministries:
        ministry.qid = qid_for(verified, ministry.names + ministry.abbreviations, "FederalMinistry")
        match = known.match(Query(names=tuple(ministry.names), cls="Ministry", federal=True, qid=ministry.qid))
        if match.iri:
            ministry.iri, ministry.method = match.iri, match.method
            continue
        if match.method == "ambiguous":
            ministry.method, ministry.candidates = "ambiguous", match.candidates
        base = slug(ministry.abbreviations[0])
        if GSID + "org/" + base in known.subjects:
            base = slug(ministry.names[0])
        ministry.iri = org_iri(base).value
        known.add(
            Known(
                ministry.iri,
                frozenset({"Ministry"}),
                tuple(ministry.names + ministry.abbreviations),
                frozenset({ministry.qid} if ministry.qid else ()),
                None,
                "FederalLevel",
            )
        )

    statements = Statements()
    for start, end, _ in periods:
        _describe_period(statements, start, end, tables)
    for ministry in ministries:
        _describe(ministry, statements, known, tables, bool(verified))
    info = GraphInfo(
        name=NAME,
        title_de="Bundesministerien 2017–2021 und 2021–2025",
        title_en="Federal ministries 2017–2021 and 2021–2025",
        description_de="Die Bundesministerien der Listen für 2017–2021 und 2021–2025 (government-helper-tables), "
        "mit Namen, Abkürzung und gs:listedInPeriod; Ministerien der kuratierten Daten behalten ihre IRIs.",
        description_en="The federal ministries of the lists for 2017–2021 and 2021–2025 (government-helper-tables), "
        "with names, abbreviation and gs:listedInPeriod; ministries of the curated data keep their IRIs.",
        datasets=(tables,),
        also_derived_from=(REFERENCE_SOURCE,) if verified else (),
    )
    report, summary = _report(ministries, renamed_pairs)
    return ImportResult(
        info=info,
        statements=statements,
        report=report,
        summary=summary,
        readme=_readme(ministries, renamed_pairs, tables),
        data_file="federal-ministries.ttl",
        header="GovSocial KG - import 'federal-ministries': the federal ministries of the lists 2017-2021 and\n"
        "2021-2025 (government-helper-tables, dl-de/zero-2-0). Generated by `govsocial import federal-ministries`;\n"
        "do not edit by hand. See README.md and MATCHING.md beside this file.",
    )


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]
    for row in rows:
        if not row.get("Name_DE") or not row.get("Abkürzung") or not re.fullmatch(r"\d{2}", row.get("HH-Plan", "")):
            raise ImportFailed(f"{path}: incomplete row {row}")
    return rows


def _describe_period(out: Statements, start: str, end: str, tables: DataSet) -> None:
    node = iri(period_iri(start, end))
    out.add(node, RDF + "type", gs("GovernmentPeriod"))
    out.add(node, RDFS + "label", de(f"Bundesregierung {start}–{end}"))
    out.add(node, RDFS + "label", en(f"Federal Government {start}–{end}"))
    out.add(node, SCHEMA + "startDate", typed(start, "gYear"))
    out.add(node, SCHEMA + "endDate", typed(end, "gYear"))
    out.add(
        node,
        DCTERMS + "description",
        de(f"Der Zeitraum der Liste tbl_Bundesministerien_{start}-{end}.csv; die Jahre stammen aus dem Dateinamen."),
    )
    out.add(
        node,
        DCTERMS + "description",
        en(f"The period of the list tbl_Bundesministerien_{start}-{end}.csv; the years come from the file name."),
    )
    out.add(node, PROV + "wasDerivedFrom", tables.source)


def _describe(ministry: Ministry, out: Statements, known: KnownGraph, tables: DataSet, with_reference: bool) -> None:
    node = iri(ministry.iri)
    created = ministry.method in {"created", "ambiguous"}
    existing = set() if created else set(known.resources[ministry.iri].labels)
    out.add(node, RDF + "type", gs("Ministry"))
    out.add(node, RDF + "type", iri(SCHEMA + "GovernmentOrganization"))
    for index, name in enumerate(ministry.names):
        is_label = (created and index == 0) or name in existing
        out.add(node, (RDFS + "label") if is_label else (SKOS + "altLabel"), de(name))
    for index, name in enumerate(ministry.english_names):
        is_label = (created and index == 0) or name in existing
        out.add(node, (RDFS + "label") if is_label else (SKOS + "altLabel"), en(name))
    for abbreviation in ministry.abbreviations:
        out.add(node, SKOS + "altLabel", de(abbreviation))
        out.add(node, SKOS + "altLabel", en(abbreviation))
    out.add(node, gs("level"), gs("FederalLevel"))
    out.add(node, gs("jurisdiction"), iri(DEUTSCHLAND))
    out.add(node, ORG + "subOrganizationOf", iri(BUNDESREGIERUNG))
    for period, _ in ministry.listings:
        out.add(node, gs("listedInPeriod"), iri(period_iri(*period.split("-"))))
    if ministry.qid:
        out.add(node, OWL + "sameAs", wikidata(ministry.qid))
        if with_reference:
            out.add(node, PROV + "wasDerivedFrom", iri(REFERENCE_SOURCE))
    out.add(node, PROV + "wasDerivedFrom", tables.source)
    if len(ministry.names) > 1:
        said_de = "; ".join(f"{period}: „{row['Name_DE']}“ ({row['Abkürzung']})" for period, row in ministry.listings)
        said_en = "; ".join(f'{period}: "{row["Name_DE"]}" ({row["Abkürzung"]})' for period, row in ministry.listings)
        out.add(node, DCTERMS + "description", de(f"Name in den Listen der Bundesministerien – {said_de}."))
        out.add(node, DCTERMS + "description", en(f"Name in the lists of federal ministries – {said_en}."))


def _short(value: str) -> str:
    return value.replace(GSID + "org/", "institution:")


def _report(ministries: list[Ministry], renamed_pairs) -> tuple[str, list[str]]:
    by_method = {m: [x for x in ministries if x.method == m] for m in ("qid", "name", "created", "ambiguous")}
    lines = [
        "# Matching report: import `federal-ministries`",
        "",
        "Generated by `govsocial import federal-ministries`; deterministic.",
        "",
        "## Figures",
        "",
        markdown_table(
            ["what", "count"],
            [
                ["ministries (resources)", str(len(ministries))],
                ["listed 2017-2021", str(sum(any(p == "2017-2021" for p, _ in m.listings) for m in ministries))],
                ["listed 2021-2025", str(sum(any(p == "2021-2025" for p, _ in m.listings) for m in ministries))],
                ["listed in both", str(sum(len(m.listings) == 2 for m in ministries))],
                ["matched by Wikidata QID", str(len(by_method["qid"]))],
                ["matched by name", str(len(by_method["name"]))],
                ["created", str(len(by_method["created"]))],
                ["ambiguous (not merged, created)", str(len(by_method["ambiguous"]))],
            ],
        ),
        "## Every ministry",
        "",
        markdown_table(
            ["abbreviation(s)", "name(s)", "periods", "resource", "by", "QID"],
            [
                [
                    " / ".join(m.abbreviations),
                    " / ".join(m.names),
                    ", ".join(p for p, _ in m.listings),
                    _short(m.iri),
                    m.method + (f" (candidates: {', '.join(_short(c) for c in m.candidates)})" if m.candidates else ""),
                    m.qid or "",
                ]
                for m in sorted(ministries, key=lambda m: m.iri)
            ],
        ),
        "## Same Einzelplan, new abbreviation: kept apart (possible renames, for a curator)",
        "",
        markdown_table(
            ["Einzelplan", "2017-2021", "2021-2025"],
            [
                [old["HH-Plan"], f"{old['Abkürzung']} {old['Name_DE']}", f"{new['Abkürzung']} {new['Name_DE']}"]
                for old, new in renamed_pairs
            ],
        ),
    ]
    summary = [
        f"federal-ministries: {len(ministries)} ministries; matched {len(by_method['qid'])} by QID, "
        f"{len(by_method['name'])} by name; created {len(by_method['created'])}; "
        f"ambiguous {len(by_method['ambiguous'])}; possible renames kept apart {len(renamed_pairs)}"
    ]
    return "\n".join(lines), summary


def _readme(ministries: list[Ministry], renamed_pairs, tables: DataSet) -> str:
    merged = [m for m in ministries if len(m.names) > 1]
    return f"""# data/federal-ministries: the federal ministries 2017-2021 and 2021-2025

Generated by `govsocial import federal-ministries` (do not edit by hand); loaded into the named graph
`https://w3id.org/govsocial/graph/federal-ministries`.

## What
{len(ministries)} federal ministries (gs:Ministry, schema:GovernmentOrganization, gs:FederalLevel,
`gs:jurisdiction` Deutschland, `org:subOrganizationOf` the Bundesregierung of the curated data), with their
German and English names (`rdfs:label`), abbreviations (`skos:altLabel`, as the curated data writes them) and
`gs:listedInPeriod` the list(s) they appear in: `period:bundesregierung-2017-2021` and
`period:bundesregierung-2021-2025` (gs:GovernmentPeriod, with the years of the file names as
`schema:startDate`/`schema:endDate`).

## From where, under which licence
`{tables.origin.folder}`: {tables.origin.repository} at commit {tables.origin.commit} ({tables.origin.commit_date}),
files {", ".join(tables.files)}; Datenlizenz Deutschland – Zero – 2.0 (dl-de/zero-2-0). The lists end with the
2021-2025 cabinet; the ministries of 2025 (BMDS, BMFTR, BMUKN ...) are not in them.

## Decisions
- **Periods, not founding dates.** A ministry "listed in 2017-2021" is `gs:listedInPeriod`; the ministry gets no
  schema:startDate/endDate: the tables do not say when a ministry was founded or dissolved.
- **Same name in both lists: one resource.**
- **Renamed, same abbreviation and Einzelplan: one resource.** Only the BMI
  ({"; ".join(" -> ".join(m.names[::-1]) for m in merged)}); the reference table records one Wikidata item across
  its renames. The newer name is `rdfs:label`, the older a `skos:altLabel`, and `dcterms:description` says which
  list gives which name.
- **New abbreviation: separate resources**, even with the same Einzelplan ({len(renamed_pairs)} pairs, listed in
  MATCHING.md): portfolios moved between houses in 2021, and no checked source says they are one body.
- **QIDs** only from rows of entities.tsv marked verified (BMVg, BMFSFJ, BMWSB, BMI); these ministries are the
  curated resources (`institution:bmvg` ...), matched by QID, and keep their IRIs. Created ministries use their
  abbreviation as slug (`institution:bmf`, `institution:aa`, `institution:bmwk`).
- **English names** that differ between the lists (BMFSFJ "for"/"of Family Affairs") are kept, the newer as label.
- **Import date** (`dcterms:issued` in dataset.ttl): the day of the import that last changed the output.

## Regenerate
```
govsocial import federal-ministries \\
  ../shared/data/government-helper-tables/tbl_Bundesministerien_2017-2021.csv \\
  ../shared/data/government-helper-tables/tbl_Bundesministerien_2021-2025.csv \\
  ../shared/reference/entities.tsv
```
"""
