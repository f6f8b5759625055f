"""Pseudonymisation of decisions for open data: the names and addresses of natural persons are replaced by letters,
consistent within one decision ("M. A", "Mme B"), and addresses by "[adresse]".

Two passes. The first uses what the case knows: each natural person's names (first names, surname) and address,
found however the decision writes them — full name in either order, surname alone, first name alone, initials
("J. Martin", "Jeanne M.", "J. M."), with or without a civility. The second is rule-based, for people the case
does not list (witnesses, third parties): a civility followed by capitalised words ("Monsieur Roux", "Mme Claire
Lenoir"), an upper-case surname followed by a first name ("ROUX Paul"), and street addresses and postcodes.
Legal persons (companies, associations, public bodies) are not natural persons and stay.

Every replacement is reported (original text, replacement, rule) for the clerk's review before release.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ADDRESS = "[adresse]"

_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
_LOWER = "a-zàâäçéèêëîïôöùûüÿæœß"
_NAME = rf"[{_UPPER}][{_LOWER}{_UPPER}'’\-]+"
_WORD_BOUNDARY_BEFORE = rf"(?<![{_UPPER}{_LOWER}\w])"
_WORD_BOUNDARY_AFTER = rf"(?![{_UPPER}{_LOWER}\w])"

# Civilities and how the replacement writes them.
_CIVILITIES = {
    "monsieur": "M.",
    "m.": "M.",
    "mr": "M.",
    "mr.": "M.",
    "madame": "Mme",
    "mme": "Mme",
    "mme.": "Mme",
    "mademoiselle": "Mme",
    "mlle": "Mme",
    "maître": "Me",
    "maitre": "Me",
    "me": "Me",
}
_CIVILITY = r"(?:Monsieur|Madame|Mademoiselle|Maître|Maitre|Mme\.?|Mlle\.?|Mr\.?|M\.|Me)"
# Words that follow a civility without being a name ("Monsieur le Président", "Madame la Procureure").
_NOT_NAMES = frozenset(
    [
        "le",
        "la",
        "les",
        "l",
        "de",
        "du",
        "des",
        "un",
        "une",
        "et",
        "ou",
        "en",
        "au",
        "aux",
        "président",
        "présidente",
        "procureur",
        "procureure",
        "juge",
        "greffier",
        "greffière",
        "avocat",
        "avocate",
        "bâtonnier",
        "conseiller",
        "conseillère",
    ]
)
_LEGAL_FORMS = re.compile(
    r"\b(?:SARL|SAS|SASU|SA|SCI|SNC|EURL|GIE|SCP|SELARL|association|société|mutuelle|banque|commune|"
    r"département|région|office|syndicat|fondation|caisse)\b",
    re.IGNORECASE,
)
_STREET = re.compile(
    r"\b\d{1,4}(?:\s?(?:bis|ter|quater))?,?\s+(?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|impasse|quai|"
    r"route|cours|square|résidence|lieu-dit|voie)\b[^\n,;.()]*",
    re.IGNORECASE,
)
_POSTCODE = re.compile(rf"\b\d{{5}}\s+[{_UPPER}][{_LOWER}{_UPPER}'’\- ]*[{_LOWER}{_UPPER}]")


@dataclass(frozen=True)
class KnownPerson:
    """A natural person of the case: given names, surname (either may be empty), postal address."""

    given_names: str
    surname: str
    address: str = ""
    civility: str = ""  # "M." or "Mme" when known


@dataclass(frozen=True)
class Replacement:
    original: str
    replacement: str
    rule: str


@dataclass
class Result:
    text: str
    replacements: list[Replacement] = field(default_factory=list)

    def summary(self) -> list[tuple[str, str, str, int]]:
        """(original, replacement, rule, count), in order of first appearance."""
        counts: dict[tuple[str, str, str], int] = {}
        for r in self.replacements:
            key = (r.original, r.replacement, r.rule)
            counts[key] = counts.get(key, 0) + 1
        return [(*key, count) for key, count in counts.items()]


def split_name(full_name: str) -> tuple[str, str]:
    """(given names, surname) from a name as typed: an upper-case word is the surname ("MARTIN Jeanne"), otherwise
    the last word is."""
    words = full_name.split()
    if not words:
        return "", ""
    upper = [w for w in words if len(w) > 1 and w.upper() == w and any(c.isalpha() for c in w)]
    if upper and len(upper) < len(words):
        return " ".join(w for w in words if w not in upper), " ".join(upper)
    return " ".join(words[:-1]), words[-1]


def is_legal_person(name: str) -> bool:
    return bool(_LEGAL_FORMS.search(name))


def _fold(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", value) if unicodedata.category(c) != "Mn").casefold()


def _initials(name: str) -> str:
    """'Martin-Dupuis' -> 'M.-D.', 'Jeanne' -> 'J.'"""
    return "-".join(f"{part[0]}." for part in re.split(r"-", name) if part)


def _flexible(literal: str) -> str:
    """A literal whose spaces match any run of white space and whose hyphens and apostrophes may vary."""
    out = []
    for char in literal:
        if char.isspace():
            out.append(r"\s+")
        elif char in "-‐‑":
            out.append(r"[\-‐‑\s]")
        elif char in "'’":
            out.append(r"['’]")
        else:
            out.append(re.escape(char))
    return "".join(out)


class _Pseudonymiser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.letters: dict[str, str] = {}  # folded surname (or full name) -> letter
        self.civilities: dict[str, str] = {}  # letter -> civility when known
        self.result = Result(text="")
        self.placeholders: list[str] = []

    def letter_for(self, key: str) -> str:
        key = _fold(key)
        if key not in self.letters:
            n = len(self.letters)
            self.letters[key] = LETTERS[n % 26] + (str(n // 26) if n >= 26 else "")
        return self.letters[key]

    def _placeholder(self, replacement: str) -> str:
        self.placeholders.append(replacement)
        return f"\x00{len(self.placeholders) - 1}\x00"

    def replace(self, pattern: re.Pattern[str], rule: str, make: Callable[[re.Match[str]], str | None]) -> None:
        def substitute(match: re.Match[str]) -> str:
            replacement = make(match)
            if replacement is None:
                return match.group(0)
            self.result.replacements.append(Replacement(match.group(0), replacement, rule))
            return self._placeholder(replacement)

        self.text = pattern.sub(substitute, self.text)

    def finish(self) -> Result:
        self.result.text = re.sub(r"\x00(\d+)\x00", lambda m: self.placeholders[int(m.group(1))], self.text)
        return self.result

    def display(self, letter: str, civility_word: str | None) -> str:
        civility = _CIVILITIES.get((civility_word or "").casefold().rstrip()) if civility_word else None
        civility = civility or self.civilities.get(letter)
        return f"{civility} {letter}" if civility else letter


def _person_patterns(person: KnownPerson) -> list[tuple[str, str, bool]]:
    """(regex, rule, ignore case) for each way the decision may name ``person``, the most complete first (each
    match is taken out of the text before the next form is looked for). A surname or a
    first name alone matches only as a name is written (capitalised or upper case), so that a surname that is also
    a word ("Petit", "Marchand") is not replaced in prose."""
    given = person.given_names.split()
    surname = person.surname.strip()
    first = given[0] if given else ""
    forms: list[tuple[str, str, bool]] = []
    if given and surname:
        forms += [
            (_flexible(f"{' '.join(given)} {surname}"), "full name", True),
            (_flexible(f"{surname} {' '.join(given)}"), "full name", True),
            (_flexible(f"{first} {surname}"), "full name", True),
            (_flexible(f"{surname} {first}"), "full name", True),
            (re.escape(_initials(first)) + r"\s*" + _flexible(surname), "initial and surname", True),
            (_flexible(first) + r"\s+" + re.escape(_initials(surname)), "first name and initial", True),
            (re.escape(_initials(first)) + r"\s*" + re.escape(_initials(surname)), "initials", False),
        ]
    if surname:
        forms.append((f"{_flexible(_capitalised(surname))}|{_flexible(surname.upper())}", "surname", False))
    for name in given:
        if len(name) > 2:
            forms.append((f"{_flexible(_capitalised(name))}|{_flexible(name.upper())}", "first name", False))
    return forms


def _capitalised(name: str) -> str:
    """'martin-dupuis' -> 'Martin-Dupuis'; a name typed in capitals stays as the decision would write it."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


# Abbreviations of legal French written like initials: kept.
_NOT_INITIALS = frozenset({"N.B.", "P.V.", "J.O.", "C.A.", "C.E.", "C.C.", "T.J.", "S.A.", "P.S.", "A.R.", "L.R."})


def _initials_of_someone(work: _Pseudonymiser, match: re.Match[str]) -> str | None:
    initials = re.sub(r"\s", "", match.group(0))
    if initials in _NOT_INITIALS:
        return None
    return work.letter_for("initials " + initials)


def _known(work: _Pseudonymiser, letter: str, match: re.Match[str]) -> str:
    return work.display(letter, match.group("civility"))


def pseudonymise(text: str, people: list[KnownPerson]) -> Result:
    work = _Pseudonymiser(text)
    # Letters in the order the case lists its people: the first party is A, whatever the decision mentions first.
    for person in people:
        key = person.surname or person.given_names
        if key:
            letter = work.letter_for(key)
            if person.civility:
                work.civilities[letter] = person.civility
    # Addresses first: they may hold a person's name (a street named after someone is not that person).
    for person in people:
        for line in [person.address, *person.address.splitlines()]:
            line = line.strip().strip(",")
            if len(line) >= 6:
                work.replace(re.compile(_flexible(line), re.IGNORECASE), "known address", lambda m: ADDRESS)
    for person in people:
        key = person.surname or person.given_names
        if not key:
            continue
        letter = work.letter_for(key)
        for pattern, rule, ignore_case in _person_patterns(person):
            compiled = re.compile(
                rf"{_WORD_BOUNDARY_BEFORE}(?:(?P<civility>{_CIVILITY})\s+)?(?P<name>{pattern}){_WORD_BOUNDARY_AFTER}",
                re.IGNORECASE if ignore_case else 0,
            )
            work.replace(compiled, rule, partial(_known, work, letter))
    # Rule-based pass: people the case does not list.
    work.replace(_STREET, "street address", lambda m: ADDRESS)
    work.replace(_POSTCODE, "postcode and town", lambda m: ADDRESS)

    found: list[KnownPerson] = []

    def by_civility(match: re.Match[str]) -> str | None:
        names = match.group("names").split()
        if _fold(names[0]) in _NOT_NAMES or is_legal_person(match.group("names")):
            return None
        surname = names[-1]
        found.append(KnownPerson(given_names=" ".join(names[:-1]), surname=surname))
        return work.display(work.letter_for(surname), match.group("civility"))

    work.replace(
        re.compile(
            rf"{_WORD_BOUNDARY_BEFORE}(?P<civility>{_CIVILITY})\s+(?P<names>(?:{_NAME}\s+){{0,2}}{_NAME})"
            rf"{_WORD_BOUNDARY_AFTER}"
        ),
        "civility and name",
        by_civility,
    )

    def upper_surname(match: re.Match[str]) -> str | None:
        if is_legal_person(match.group(0)):
            return None
        found.append(KnownPerson(given_names=match.group("given"), surname=match.group("surname")))
        return work.display(work.letter_for(match.group("surname")), None)

    work.replace(
        re.compile(
            rf"{_WORD_BOUNDARY_BEFORE}(?P<surname>[{_UPPER}]{{2,}}(?:[\-‐][{_UPPER}]{{2,}})?)\s+"
            rf"(?P<given>[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?){_WORD_BOUNDARY_AFTER}"
        ),
        "upper-case surname and first name",
        upper_surname,
    )
    # The people found by the rules are then looked for like the case's own: "Roux" alone, "L. Roux", ...
    for person in found:
        letter = work.letter_for(person.surname)
        for pattern, rule, ignore_case in _person_patterns(person):
            compiled = re.compile(
                rf"{_WORD_BOUNDARY_BEFORE}(?:(?P<civility>{_CIVILITY})\s+)?(?P<name>{pattern}){_WORD_BOUNDARY_AFTER}",
                re.IGNORECASE if ignore_case else 0,
            )
            work.replace(compiled, f"{rule} (rule)", partial(_known, work, letter))
    # Initials of people nobody named in full ("J. R.", "J.-P. L."): a letter per set of initials.
    work.replace(
        re.compile(rf"{_WORD_BOUNDARY_BEFORE}[{_UPPER}]\.(?:-[{_UPPER}]\.)?\s?[{_UPPER}]\.(?:-[{_UPPER}]\.)?"),
        "initials (rule)",
        partial(_initials_of_someone, work),
    )
    return work.finish()
