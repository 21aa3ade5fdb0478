"""How names are compared: case, umlauts, punctuation and the forms of German official names do not count.

"Landeshauptstadt Dresden", "Stadt Dresden" and "Dresden" are one name; the form is kept apart, because it
says what kind of body is meant ("Landkreis Zwickau" is the district, "Stadt Zwickau" the city).
"""

from __future__ import annotations

import re
import unicodedata

#: Leading words that say which kind of body a name is, and that are dropped for comparing (longest first).
FORMS: tuple[tuple[str, str | None], ...] = (
    ("freie und hansestadt ", "Municipality"),
    ("freie hansestadt ", None),
    ("landeshauptstadt ", "Municipality"),
    ("stadtverwaltung ", "Municipality"),
    ("hansestadt ", "Municipality"),
    ("freistaat ", "FederalState"),
    ("gemeinde ", "Municipality"),
    ("stadt ", "Municipality"),
    ("land ", "FederalState"),
)
#: Words anywhere in a name that say which kind of body it is (for a hint, not for dropping).
KIND_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(land)?kreis\b|\bkreis$"), "District"),
    (re.compile(r"ministerium|\bministry\b"), "Ministry"),
    (re.compile(r"polizei|\bpolice\b"), "Police"),
    (re.compile(r"landtag|burgerschaft|buergerschaft|abgeordnetenhaus|bundestag|parliament"), "Parliament"),
    (re.compile(r"staatskanzlei|senatskanzlei"), "StateChancellery"),
    (re.compile(r"universitat|universitaet|hochschule|university"), "HigherEducationInstitution"),
    (re.compile(r"datenschutz"), "DataProtectionAuthority"),
)
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_STOP = frozenset({"der", "die", "das", "des", "fur", "fuer", "und", "von", "im", "in", "am", "an", "the", "of", "for"})


def normalise(name: str) -> str:
    """A name reduced to what identifies it: case, umlauts, punctuation, whitespace and its form do not count.

    Emoji short codes (":vfd:") are dropped; the gendered forms of an office ("Landesbeauftragter",
    "Landesbeauftragte") are one. A parenthesis keeps its content: "Nienburg (Weser)" stays distinct.
    """
    text = unicodedata.normalize("NFC", name).casefold().translate(_TRANSLITERATION)
    text = re.sub(r":[a-z0-9_]+:", " ", text)
    text = re.sub(r"[^\w]+", " ", text).strip()
    text = re.sub(r"\s+", " ", text)
    changed = True
    while changed:
        changed = False
        for prefix, _ in FORMS:
            if text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix) :]
                changed = True
    return re.sub(r"beauftragter\b", "beauftragte", text)


def form_kind(name: str) -> str | None:
    """The kind of body a name's form says ("Landkreis …": District, "Stadt …": Municipality), if any."""
    text = re.sub(r"[^\w]+", " ", unicodedata.normalize("NFC", name).casefold().translate(_TRANSLITERATION)).strip()
    for prefix, kind in FORMS:
        if text.startswith(prefix):
            return kind
    for pattern, kind in KIND_WORDS:
        if pattern.search(text):
            return kind
    return None


#: Short forms of name words, as sheets and news write them, and what they stand for (compared normalised).
EXPANSIONS: dict[str, str] = {
    "tu": "technische universitaet",
    "th": "technische hochschule",
    "fh": "fachhochschule",
    "hs": "hochschule",
    "uni": "universitaet",
    "university": "universitaet",
    "univ": "universitaet",
    "lmu": "ludwig maximilians universitaet",
}
_PARENTHESIS = re.compile(r"\s*\(([^)]*)\)\s*")


def variants(name: str) -> list[str]:
    """The ways a written name may appear among our labels, most literal first.

    "Karlsruher Institut für Technologie (KIT)" is also "Karlsruher Institut für Technologie" and "KIT";
    "TU Dresden" is also "Technische Universität Dresden"; "University of Potsdam" also "Universität Potsdam".
    """
    found = [name]
    inner = _PARENTHESIS.findall(name)
    bare = _PARENTHESIS.sub(" ", name).strip()
    if bare and bare != name:
        found.append(bare)
    found.extend(part.strip() for part in inner if part.strip())
    for text in list(found):
        district = re.match(r"(land)?kreis (.+)$", normalise(text))
        if district:  # "Landkreis Stade", "Kreis Wesel": the territory data's "Stade (Kreis)"
            found.extend((f"{district[2]} (Kreis)", district[2]))
        words = normalise(text).split()
        expanded = [EXPANSIONS.get(word, word) for word in words if word not in {"of", "the"}]
        if expanded != words:
            found.append(" ".join(expanded))
    return list(dict.fromkeys(found))


def tokens(name: str) -> frozenset[str]:
    """The words that carry a name's meaning: normalised, without articles and prepositions."""
    return frozenset(word for word in normalise(name).split() if word not in _STOP and len(word) > 1)
