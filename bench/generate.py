"""A synthetic public sector in our vocabulary, at any size, byte-identical for the same seed.

The shape follows data/curated/ and shared/design/vocabulary.md: the Federation with its government,
ministries and agencies; the 16 Länder (real names, slugs and Wikidata items) each with a government,
state chancellery, ministries, parliament, police and data-protection authority; then, as many as the
target size needs, districts (gs:District) under the Länder and municipalities (gs:Municipality) under the
districts, each with a few municipal agencies and sometimes a spokesperson. Every institution holds accounts
on a few platforms and has dated platform events (joining, then for X often a departure, suspension, retention
or consideration) with reasons from ontology/reasons.ttl, alternative platforms, quotes, follower observations,
and a gs:Source each is derived from. Everything passes ontology/shapes.ttl, so `govsocial build` accepts it.

Output: DATA_DIR/synthetic/*.nt (N-Triples: the fastest to parse and load), which the build loads into
https://w3id.org/govsocial/graph/synthetic, and DATA_DIR/manifest.json with the counts. Everything under
gsid: here is invented, including the owl:sameAs items of districts and municipalities: never mix this
folder with the curated data.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from server.rdf.namespaces import DCTERMS, GS, GSID, ORG, OWL, PROV, SCHEMA, SKOS

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD = "http://www.w3.org/2001/XMLSchema#"
WD = "http://www.wikidata.org/entity/"

#: Version of the generator's output: bump it when the output for a seed changes (it keys bench/out/ caches).
GENERATOR_VERSION = 1
FOLDER = "synthetic"
DEFAULT_SEED = 20250117
MUNICIPALITIES_PER_DISTRICT = 20
PROJECT_DIR = Path(__file__).resolve().parent.parent

# The 16 Länder: slug, German and English name, AGS state code, Wikidata item.
LAENDER = [
    ("baden-wuerttemberg", "Baden-Württemberg", "Baden-Württemberg", "08", "Q985"),
    ("bayern", "Bayern", "Bavaria", "09", "Q980"),
    ("berlin", "Berlin", "Berlin", "11", "Q64"),
    ("brandenburg", "Brandenburg", "Brandenburg", "12", "Q1208"),
    ("bremen", "Bremen", "Bremen", "04", "Q1209"),
    ("hamburg", "Hamburg", "Hamburg", "02", "Q1055"),
    ("hessen", "Hessen", "Hesse", "06", "Q1199"),
    ("mecklenburg-vorpommern", "Mecklenburg-Vorpommern", "Mecklenburg-Western Pomerania", "13", "Q1196"),
    ("niedersachsen", "Niedersachsen", "Lower Saxony", "03", "Q1197"),
    ("nordrhein-westfalen", "Nordrhein-Westfalen", "North Rhine-Westphalia", "05", "Q1198"),
    ("rheinland-pfalz", "Rheinland-Pfalz", "Rhineland-Palatinate", "07", "Q1200"),
    ("saarland", "Saarland", "Saarland", "10", "Q1201"),
    ("sachsen", "Sachsen", "Saxony", "14", "Q1202"),
    ("sachsen-anhalt", "Sachsen-Anhalt", "Saxony-Anhalt", "15", "Q1206"),
    ("schleswig-holstein", "Schleswig-Holstein", "Schleswig-Holstein", "01", "Q1194"),
    ("thueringen", "Thüringen", "Thuringia", "16", "Q1205"),
]
# Platforms: slug, German and English label, decentralised, operator slug (or ""), selection weight.
PLATFORMS = [
    ("x", "X", "X", False, "x-corp", 10),
    ("mastodon", "Mastodon", "Mastodon", True, "", 6),
    ("instagram", "Instagram", "Instagram", False, "meta-platforms", 7),
    ("facebook", "Facebook", "Facebook", False, "meta-platforms", 7),
    ("youtube", "YouTube", "YouTube", False, "google", 4),
    ("whatsapp", "WhatsApp", "WhatsApp", False, "meta-platforms", 4),
    ("threads", "Threads", "Threads", False, "meta-platforms", 3),
    ("bluesky", "Bluesky", "Bluesky", True, "", 3),
    ("tiktok", "TikTok", "TikTok", False, "bytedance", 2),
    ("linkedin", "LinkedIn", "LinkedIn", False, "microsoft", 2),
]
OPERATORS = [
    ("x-corp", "X Corp.", "X Corp."),
    ("meta-platforms", "Meta Platforms", "Meta Platforms"),
    ("google", "Google", "Google"),
    ("bytedance", "ByteDance", "ByteDance"),
    ("microsoft", "Microsoft", "Microsoft"),
]
FEDERAL = [
    # slug, class, German label, English label, parent slug
    ("bundesregierung", "Government", "Bundesregierung", "Federal Government", "deutschland"),
    ("bundestag", "Parliament", "Deutscher Bundestag", "German Bundestag", "deutschland"),
    ("bundeskanzleramt", "Office", "Bundeskanzleramt", "Federal Chancellery", "bundesregierung"),
    ("bundespresseamt", "Agency", "Presse- und Informationsamt der Bundesregierung", "Press Office", "bundesregierung"),
    ("bmi", "Ministry", "Bundesministerium des Innern", "Federal Ministry of the Interior", "bundesregierung"),
    ("bmf", "Ministry", "Bundesministerium der Finanzen", "Federal Ministry of Finance", "bundesregierung"),
    ("bmj", "Ministry", "Bundesministerium der Justiz", "Federal Ministry of Justice", "bundesregierung"),
    ("bmas", "Ministry", "Bundesministerium für Arbeit und Soziales", "Federal Ministry of Labour", "bundesregierung"),
    ("bmvg", "Ministry", "Bundesministerium der Verteidigung", "Federal Ministry of Defence", "bundesregierung"),
    ("bmg", "Ministry", "Bundesministerium für Gesundheit", "Federal Ministry of Health", "bundesregierung"),
    ("bmbf", "Ministry", "Bundesministerium für Bildung und Forschung", "Ministry of Education", "bundesregierung"),
    ("bmuv", "Ministry", "Bundesumweltministerium", "Federal Environment Ministry", "bundesregierung"),
    ("bundeswehr", "Military", "Bundeswehr", "Bundeswehr", "bmvg"),
    ("bundespolizei", "Police", "Bundespolizei", "Federal Police", "bmi"),
    ("bka", "Police", "Bundeskriminalamt", "Federal Criminal Police Office", "bmi"),
    ("bsi", "Agency", "Bundesamt für Sicherheit in der Informationstechnik", "Information Security Office", "bmi"),
    ("rki", "Agency", "Robert Koch-Institut", "Robert Koch Institute", "bmg"),
    ("bfdi", "DataProtectionAuthority", "Bundesdatenschutzbeauftragte", "Data Protection Commissioner", "deutschland"),
]
# Bodies of every Land: slug stem, class, German label pattern, English label pattern, parent stem ("" = the Land).
LAND_BODIES = [
    ("landesregierung", "Government", "Landesregierung {de}", "State Government of {en}", ""),
    ("staatskanzlei", "StateChancellery", "Staatskanzlei {de}", "State Chancellery of {en}", "landesregierung"),
    ("innenministerium", "Ministry", "Innenministerium {de}", "{en} Ministry of the Interior", "landesregierung"),
    ("finanzministerium", "Ministry", "Finanzministerium {de}", "{en} Ministry of Finance", "landesregierung"),
    ("kultusministerium", "Ministry", "Kultusministerium {de}", "{en} Ministry of Education", "landesregierung"),
    ("justizministerium", "Ministry", "Justizministerium {de}", "{en} Ministry of Justice", "landesregierung"),
    ("umweltministerium", "Ministry", "Umweltministerium {de}", "{en} Ministry of the Environment", "landesregierung"),
    ("sozialministerium", "Ministry", "Sozialministerium {de}", "{en} Ministry of Social Affairs", "landesregierung"),
    ("landtag", "Parliament", "Landtag {de}", "Parliament of {en}", ""),
    ("polizei", "Police", "Polizei {de}", "{en} Police", "innenministerium"),
    ("datenschutz", "DataProtectionAuthority", "Datenschutzbeauftragte {de}", "{en} Data Protection Authority", ""),
    ("statistisches-landesamt", "Agency", "Statistisches Landesamt {de}", "{en} Statistics Office", "innenministerium"),
]
MUNICIPAL_AGENCIES = [
    ("gesundheitsamt", "Agency", "Gesundheitsamt {name}", "{name} Public Health Office"),
    ("ordnungsamt", "Agency", "Ordnungsamt {name}", "{name} Public Order Office"),
    ("buergeramt", "Agency", "Bürgeramt {name}", "{name} Citizens' Office"),
    ("jugendamt", "Agency", "Jugendamt {name}", "{name} Youth Welfare Office"),
    ("feuerwehr", "Agency", "Feuerwehr {name}", "{name} Fire Brigade"),
    ("stadtpolizei", "Police", "Stadtpolizei {name}", "{name} Municipal Police"),
]
NAME_PREFIXES = ["", "", "", "", "Bad ", "Neu-", "Alt-", "Ober-", "Nieder-", "Groß ", "Klein "]
NAME_STEMS = ["Lin", "Rosen", "Eich", "Bir", "Mühl", "Sonn", "Wolf", "Hirsch", "Lauter", "Schön", "Wester", "Oster"]
NAME_STEMS += ["Kalten", "Warm", "Tann", "Fisch", "Stein", "Hasel", "Eschen", "Buch", "Gold", "Linden", "Erlen"]
NAME_ENDINGS = ["berg", "feld", "au", "bach", "burg", "dorf", "hausen", "heim", "stein", "wald", "hagen", "rode"]
NAME_ENDINGS += ["wiesen", "brück", "furt", "ingen", "stadt", "kirchen", "tal", "hof", "see", "leben"]
FIRST_NAMES = ["Anna", "Jonas", "Lea", "Felix", "Marie", "Paul", "Sophie", "Lukas", "Emma", "Max", "Hannah", "Jan"]
FIRST_NAMES += ["Lena", "Tim", "Laura", "David", "Clara", "Moritz", "Julia", "Tobias", "Sarah", "Florian"]
LAST_NAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann"]
LAST_NAMES += ["Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Braun", "Zimmermann", "Krüger"]
JOB_TITLES = ["Pressesprecherin", "Pressesprecher", "Leiterin der Öffentlichkeitsarbeit", "Social-Media-Referent"]
QUOTES_LEAVE = [
    "Die Plattform ist kein Ort mehr für einen sachlichen Austausch",
    "Hass und Desinformation haben dort überhandgenommen",
    "Wir konzentrieren unsere Kräfte auf Kanäle, die wir verantworten können",
    "Eine Moderation findet praktisch nicht mehr statt",
]
QUOTES_STAY = [
    "Wir bleiben, um Falschmeldungen dort zu widersprechen, wo sie entstehen",
    "Im Krisenfall erreichen wir über die Plattform schnell viele Menschen",
    "Wir prüfen regelmäßig, welche Kanäle sich eignen",
]
EXCEPTIONS = ["nur noch für den Katastrophenfall", "nur zur Richtigstellung von Falschmeldungen", "nur bei Gefahr"]
KIND_WORDS = {
    "Joining": ("tritt {p} bei", "joins {p}"),
    "Departure": ("verlässt {p}", "leaves {p}"),
    "Suspension": ("pausiert {p}", "pauses {p}"),
    "Retention": ("bleibt auf {p}", "stays on {p}"),
    "Consideration": ("prüft den Ausstieg aus {p}", "considers leaving {p}"),
    "Campaign": ("wirbt auf {p}", "runs a campaign on {p}"),
}
FILES = ["institutions", "people", "accounts", "events", "observations", "sources"]


def slug(text: str) -> str:
    """Lower-case ASCII with hyphens, ä -> ae and ß -> ss, as the vocabulary's slugs."""
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace("Ä", "ae").replace("Ö", "oe").replace("Ü", "ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def de(text: str) -> str:
    return f'"{_escape(text)}"@de'


def en(text: str) -> str:
    return f'"{_escape(text)}"@en'


def plain(text: str) -> str:
    return f'"{_escape(text)}"'


def typed(value: str, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def gs(name: str) -> str:
    return f"<{GS}{name}>"


def gsid(path: str) -> str:
    return f"<{GSID}{path}>"


P_LABEL = RDFS_LABEL
P_SUBORG = f"<{ORG}subOrganizationOf>"
P_MEMBER = f"<{ORG}memberOf>"
P_DERIVED = f"<{PROV}wasDerivedFrom>"
P_SAMEAS = f"<{OWL}sameAs>"
GOV_ORG = f"<{SCHEMA}GovernmentOrganization>"
ADMIN_AREA = f"<{SCHEMA}AdministrativeArea>"
LEVELS = {"federal": gs("FederalLevel"), "state": gs("StateLevel"), "local": gs("LocalLevel")}


@dataclass
class Reasons:
    """The concepts of gs:Reasons in ontology/reasons.ttl, by top concept (push, pull, stay)."""

    push: list[str]
    pull: list[str]
    stay: list[str]

    @classmethod
    def load(cls, ontology_dir: Path) -> Reasons:
        from pyoxigraph import RdfFormat, parse

        broader: dict[str, list[str]] = {}
        for triple in parse(path=str(ontology_dir / "reasons.ttl"), format=RdfFormat.TURTLE):
            if triple.predicate.value == SKOS + "broader":
                broader.setdefault(triple.subject.value, []).append(triple.object.value)
        top = {name: GSID + "reason/" + name for name in ("push", "pull", "stay")}
        groups = {name: sorted(c for c, parents in broader.items() if iri in parents) for name, iri in top.items()}
        if not all(groups.values()):
            raise ValueError(f"{ontology_dir / 'reasons.ttl'} lacks narrower concepts of push, pull or stay")
        return cls(**groups)


@dataclass
class Manifest:
    """What a generation produced; written beside the synthetic/ folder."""

    seed: int
    target_triples: int
    triples: int
    generator_version: int = GENERATOR_VERSION
    files: dict[str, int] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)


class _Out:
    """The N-Triples files of one generation, with a count of the triples written."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.handles = {name: open(folder / f"{name}.nt", "w", encoding="utf-8", newline="\n") for name in FILES}  # noqa: SIM115
        self.counts = dict.fromkeys(FILES, 0)

    def write(self, name: str, subject: str, pairs: list[tuple[str, str]]) -> None:
        self.handles[name].write("".join(f"{subject} {p} {o} .\n" for p, o in pairs))
        self.counts[name] += len(pairs)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


@dataclass
class _Institution:
    slug: str
    label_de: str
    person: str | None = None  # a spokesperson's IRI, for gs:statedBy


class Generator:
    """Writes one synthetic data set; `run` stops once the target number of triples is reached."""

    def __init__(self, out: _Out, seed: int, reasons: Reasons):
        self.out = out
        self.rng = random.Random(seed)
        self.reasons = reasons
        self.entities = dict.fromkeys(
            ["institutions", "people", "accounts", "events", "observations", "sources", "districts", "municipalities"],
            0,
        )
        self.source_count = 0
        self.source_uses = 0
        self.current_source = ""
        self.person_count = 0
        self.platform_names = [p[0] for p in PLATFORMS]
        self.platform_weights = [p[5] for p in PLATFORMS]
        self.platform_label = {p[0]: p[2] for p in PLATFORMS}
        self.reference = gsid("source/synthetic-reference")

    # -- shared pieces -------------------------------------------------------------------------------

    def source(self) -> str:
        """The source the next event is derived from: a new one every few events."""
        if not self.current_source or self.source_uses >= 5:
            self.source_count += 1
            self.source_uses = 0
            number = self.source_count
            iri = gsid(f"source/synthetic-{number:07d}")
            day = self.date(2015, 2025)
            title = f"Synthetische Meldung {number} über Behörden in sozialen Medien"
            self.out.write(
                "sources",
                iri,
                [
                    (RDF_TYPE, gs("Source")),
                    (RDF_TYPE, f"<{SCHEMA}NewsArticle>"),
                    (P_LABEL, de(title)),
                    (f"<{DCTERMS}title>", de(title)),
                    (f"<{DCTERMS}date>", typed(day, "date")),
                    (f"<{DCTERMS}language>", plain("de")),
                    (f"<{DCTERMS}identifier>", plain(f"synthetic/{number:07d}.txt")),
                ],
            )
            self.entities["sources"] += 1
            self.current_source = iri
        self.source_uses += 1
        return self.current_source

    def date(self, first_year: int, last_year: int) -> str:
        rng = self.rng
        return f"{rng.randint(first_year, last_year):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    def dated(self, first_year: int, last_year: int) -> tuple[str, str, str]:
        """A date at a random precision: (xsd:date, precision name, the date as the IRI shows it)."""
        day = self.date(first_year, last_year)
        pick = self.rng.random()
        if pick < 0.6:
            return day, "DayPrecision", day
        if pick < 0.9:
            return day[:8] + "01", "MonthPrecision", day[:7]
        return day[:5] + "01-01", "YearPrecision", day[:4]

    def institution(
        self,
        slug_: str,
        cls: str,
        label_de: str,
        label_en: str,
        level: str,
        jurisdiction: str,
        parent: str | None,
        located_in: str | None = None,
        ags: str | None = None,
        qid: str | None = None,
        territorial: bool = False,
    ) -> _Institution:
        iri = gsid(f"org/{slug_}")
        pairs = [(RDF_TYPE, gs(cls)), (RDF_TYPE, GOV_ORG)]
        if territorial:
            pairs.append((RDF_TYPE, ADMIN_AREA))
        pairs += [(P_LABEL, de(label_de)), (P_LABEL, en(label_en)), (gs("level"), LEVELS[level])]
        pairs.append((gs("jurisdiction"), gsid(f"org/{jurisdiction}")))
        if parent:
            pairs.append((P_SUBORG, gsid(f"org/{parent}")))
        if located_in:
            pairs.append((gs("locatedIn"), gsid(f"org/{located_in}")))
        if ags:
            pairs.append((gs("ags"), plain(ags)))
        if qid:
            pairs.append((P_SAMEAS, f"<{WD}{qid}>"))
        pairs.append((P_DERIVED, self.reference))
        self.out.write("institutions", iri, pairs)
        self.entities["institutions"] += 1
        return _Institution(slug_, label_de)

    def person(self, member_of: str) -> str:
        self.person_count += 1
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        iri = gsid(f"person/{slug(first)}-{slug(last)}-{self.person_count}")
        self.out.write(
            "people",
            iri,
            [
                (RDF_TYPE, f"<{SCHEMA}Person>"),
                (P_LABEL, de(f"{first} {last}")),
                (f"<{SCHEMA}jobTitle>", de(self.rng.choice(JOB_TITLES))),
                (P_MEMBER, gsid(f"org/{member_of}")),
            ],
        )
        self.entities["people"] += 1
        return iri

    # -- accounts, events, observations --------------------------------------------------------------

    def social(self, inst: _Institution) -> None:
        """Accounts on a few platforms, each with its joining and, for some, what happened next."""
        rng = self.rng
        count = rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
        chosen: list[str] = []
        while len(chosen) < count:
            name = rng.choices(self.platform_names, self.platform_weights)[0]
            if name not in chosen:
                chosen.append(name)
        for platform in chosen:
            account = gsid(f"account/{platform}/{inst.slug}")
            pairs = [
                (RDF_TYPE, gs("Account")),
                (P_LABEL, de(f"{inst.label_de} auf {self.platform_label[platform]}")),
                (gs("platform"), gsid(f"platform/{platform}")),
                (gs("heldBy"), gsid(f"org/{inst.slug}")),
            ]
            if rng.random() < 0.7:
                pairs.append((gs("handle"), plain(inst.slug.replace("-", "_")[:30])))
            self.out.write("accounts", account, pairs)
            self.entities["accounts"] += 1
            joined = self.event(inst, platform, "Joining", account, 2010, 2022)
            pick = rng.random()
            if platform == "x":
                if pick < 0.35:
                    self.event(inst, platform, "Departure", account, 2023, 2025, after=joined)
                elif pick < 0.5:
                    self.event(inst, platform, "Suspension", account, 2023, 2025, after=joined)
                elif pick < 0.65:
                    self.event(inst, platform, "Retention", account, 2023, 2025, after=joined)
                elif pick < 0.75:
                    self.event(inst, platform, "Consideration", account, 2023, 2025, after=joined)
            elif pick < 0.05:
                self.event(inst, platform, "Departure", account, 2023, 2025, after=joined)
            if rng.random() < 0.4:
                self.observation(inst, platform, account)
        if rng.random() < 0.05 and "tiktok" not in chosen:
            self.event(inst, "tiktok", "Campaign", None, 2021, 2025)

    def event(
        self,
        inst: _Institution,
        platform: str,
        kind: str,
        account: str | None,
        first_year: int,
        last_year: int,
        after: str = "",
    ) -> str:
        rng = self.rng
        date, precision, shown = self.dated(first_year, last_year)
        if date < after:
            date, precision, shown = after, "DayPrecision", after
        kind_slug = {"Joining": "joining", "Departure": "departure", "Suspension": "suspension"}.get(kind, kind.lower())
        iri = gsid(f"event/{shown}-{inst.slug}-{platform}-{kind_slug}")
        words_de, words_en = KIND_WORDS[kind]
        label = self.platform_label[platform]
        pairs = [
            (RDF_TYPE, gs(kind)),
            (P_LABEL, de(f"{inst.label_de} {words_de.format(p=label)}")),
            (P_LABEL, en(f"{inst.slug.replace('-', ' ').title()} {words_en.format(p=label)}")),
            (gs("institution"), gsid(f"org/{inst.slug}")),
            (gs("platform"), gsid(f"platform/{platform}")),
        ]
        if account:
            pairs.append((gs("account"), account))
        pairs += [(gs("date"), typed(date, "date")), (gs("datePrecision"), gs(precision))]
        pool = {
            "Joining": self.reasons.pull,
            "Campaign": self.reasons.pull,
            "Retention": self.reasons.stay,
            "Consideration": self.reasons.push,
        }.get(kind, self.reasons.push)
        if rng.random() < 0.75:
            for reason in rng.sample(pool, min(len(pool), rng.choice((1, 1, 2, 3)))):
                pairs.append((gs("reason"), f"<{reason}>"))
        if kind in ("Departure", "Suspension", "Consideration") and rng.random() < 0.6:
            alternatives = [p for p in ("mastodon", "bluesky", "threads", "instagram", "whatsapp") if p != platform]
            for alternative in rng.sample(alternatives, rng.choice((1, 1, 2))):
                pairs.append((gs("alternativePlatform"), gsid(f"platform/{alternative}")))
        if kind == "Suspension" and rng.random() < 0.5:
            pairs.append((gs("exception"), de(rng.choice(EXCEPTIONS))))
        if kind == "Consideration":
            pairs.append((gs("considers"), gs("Departure")))
        if kind in ("Departure", "Suspension", "Retention", "Consideration") and rng.random() < 0.4:
            quotes = QUOTES_STAY if kind in ("Retention", "Consideration") else QUOTES_LEAVE
            pairs.append((gs("quote"), de(rng.choice(quotes))))
            if inst.person:
                pairs.append((gs("statedBy"), inst.person))
        pairs.append((P_DERIVED, self.source()))
        self.out.write("events", iri, pairs)
        self.entities["events"] += 1
        return date

    def observation(self, inst: _Institution, platform: str, account: str) -> None:
        day = self.date(2022, 2025)
        iri = gsid(f"observation/followers-{platform}-{inst.slug}-{day}")
        self.out.write(
            "observations",
            iri,
            [
                (RDF_TYPE, gs("FollowerObservation")),
                (P_LABEL, de(f"Follower von {inst.label_de} auf {self.platform_label[platform]} am {day}")),
                (gs("account"), account),
                (gs("institution"), gsid(f"org/{inst.slug}")),
                (gs("platform"), gsid(f"platform/{platform}")),
                (gs("followers"), typed(str(int(self.rng.paretovariate(1.2) * 300)), "integer")),
                (gs("date"), typed(day, "date")),
                (gs("datePrecision"), gs("DayPrecision")),
                (P_DERIVED, self.source()),
            ],
        )
        self.entities["observations"] += 1

    # -- the hierarchy -------------------------------------------------------------------------------

    def fixed(self) -> None:
        """Platforms, their operators, the Federation and the Länder: the same at every size."""
        self.out.write(
            "sources",
            self.reference,
            [
                (RDF_TYPE, gs("Source")),
                (P_LABEL, de("Synthetische Referenztabelle der Behörden")),
                (f"<{DCTERMS}title>", de("Synthetische Referenztabelle der Behörden")),
                (f"<{DCTERMS}language>", plain("de")),
                (f"<{DCTERMS}identifier>", plain("synthetic/reference.tsv")),
            ],
        )
        for operator, label_de, label_en in OPERATORS:
            self.out.write(
                "institutions",
                gsid(f"org/{operator}"),
                [(RDF_TYPE, f"<{ORG}Organization>"), (P_LABEL, de(label_de)), (P_LABEL, en(label_en))],
            )
        for name, label_de, label_en, decentralized, operator, _ in PLATFORMS:
            pairs = [(RDF_TYPE, gs("Platform")), (P_LABEL, de(label_de)), (P_LABEL, en(label_en))]
            pairs.append((gs("decentralized"), typed("true" if decentralized else "false", "boolean")))
            if operator:
                pairs.append((gs("operator"), gsid(f"org/{operator}")))
            if name == "x":
                pairs.append((gs("formerName"), plain("Twitter")))
            self.out.write("institutions", gsid(f"platform/{name}"), pairs)
        country = self.institution(
            "deutschland", "Country", "Deutschland", "Germany", "federal", "deutschland", None, qid="Q183",
            territorial=True,
        )  # fmt: skip
        self.social(country)
        for slug_, cls, label_de, label_en, parent in FEDERAL:
            inst = self.institution(slug_, cls, label_de, label_en, "federal", "deutschland", parent)
            if cls == "Ministry" and self.rng.random() < 0.5:
                inst.person = self.person(slug_)
            self.social(inst)
        for land, land_de, land_en, _, qid in LAENDER:
            inst = self.institution(
                land, "FederalState", land_de, land_en, "state", land, "deutschland", "deutschland", None, qid, True
            )
            self.social(inst)
            for stem, cls, pattern_de, pattern_en, parent in LAND_BODIES:
                body = self.institution(
                    f"{stem}-{land}",
                    cls,
                    pattern_de.format(de=land_de),
                    pattern_en.format(en=land_en),
                    "state",
                    land,
                    f"{parent}-{land}" if parent else land,
                )
                if self.rng.random() < 0.3:
                    body.person = self.person(body.slug)
                self.social(body)

    def place_name(self) -> str:
        rng = self.rng
        stem, ending = rng.choice(NAME_STEMS), rng.choice(NAME_ENDINGS)
        return f"{rng.choice(NAME_PREFIXES)}{stem}{ending}"

    def run(self, target: int) -> None:
        self.fixed()
        districts_in_land = [0] * len(LAENDER)
        district: tuple[str, str] = ("", "")  # slug, AGS
        number = 0
        while self.out.total < target:
            if number % MUNICIPALITIES_PER_DISTRICT == 0:
                land_index = (number // MUNICIPALITIES_PER_DISTRICT) % len(LAENDER)
                land, _, _, code, _ = LAENDER[land_index]
                districts_in_land[land_index] += 1
                ags5 = f"{code}{districts_in_land[land_index]:03d}"
                name = self.place_name()
                d_slug = f"landkreis-{slug(name)}-{ags5}"
                inst = self.institution(
                    d_slug, "District", f"Landkreis {name}", f"{name} District", "local", d_slug, land, land, ags5,
                    territorial=True,
                )  # fmt: skip
                self.social(inst)
                self.entities["districts"] += 1
                district = (d_slug, ags5)
            number += 1
            ags8 = f"{district[1]}{number % MUNICIPALITIES_PER_DISTRICT:03d}"
            name = self.place_name()
            m_slug = f"{slug(name)}-{ags8}"
            qid = f"Q{900000000 + number}" if self.rng.random() < 0.1 else None
            town = self.institution(
                m_slug, "Municipality", name, name, "local", m_slug, district[0], district[0], ags8, qid, True
            )
            self.entities["municipalities"] += 1
            if self.rng.random() < 0.5:
                town.person = self.person(m_slug)
            self.social(town)
            for stem, cls, pattern_de, pattern_en in self.rng.sample(MUNICIPAL_AGENCIES, self.rng.choice((1, 2, 2, 3))):
                agency = self.institution(
                    f"{stem}-{m_slug}", cls, pattern_de.format(name=name), pattern_en.format(name=name), "local",
                    m_slug, m_slug,
                )  # fmt: skip
                agency.person = town.person if self.rng.random() < 0.5 else None
                self.social(agency)


def generate(data_dir: Path, triples: int, seed: int = DEFAULT_SEED, ontology_dir: Path | None = None) -> Manifest:
    """Write DATA_DIR/synthetic/*.nt with about `triples` triples (a little more: whole municipalities)."""
    reasons = Reasons.load(ontology_dir or PROJECT_DIR / "ontology")
    out = _Out(data_dir / FOLDER)
    try:
        generator = Generator(out, seed, reasons)
        generator.run(triples)
    finally:
        out.close()
    manifest = Manifest(seed, triples, out.total, files=dict(out.counts), entities=dict(generator.entities))
    (data_dir / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2, sort_keys=True) + "\n")
    return manifest


def read_manifest(data_dir: Path) -> Manifest | None:
    path = data_dir / "manifest.json"
    if not path.exists():
        return None
    return Manifest(**json.loads(path.read_text()))
