"""The forces of England and Wales, and telling which one a national file's spelling means.

`kpis/data/forces.csv` lists the 43 territorial forces and British Transport Police (see
`kpis/data/README.md`). National files spell forces many ways: "Avon & Somerset",
"Avon and Somerset Constabulary", "London, City of", "City of London Police",
"Metropolitan Police Service". `normalise_force_name` reduces every spelling to one key
(case, punctuation, "&"/"and", "London, City of"/"City of London", a trailing "Police",
"Constabulary" or "Police Service"), and `ForceMatcher` finds the organisation a spelling
names among the organisations stored: by name, code or any of their other names.

Everything here is pure (no database): callers pass the organisations in.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

FORCES_CSV = Path(__file__).resolve().parent.parent / "data" / "forces.csv"
TERRITORIAL_GROUP = "All forces in England and Wales"
TERRITORIAL_GROUP_DESCRIPTION = (
    "The 43 territorial police forces of England and Wales (British Transport Police is not a "
    "territorial force and is not included), from the list of forces shipped with the portal "
    "(kpis/data/forces.csv). Loaded by the load_forces command."
)
REGION_DESCRIPTION = (
    "The police forces of the {region} region, from the list of forces shipped with the portal "
    "(kpis/data/forces.csv). Loaded by the load_forces command."
)
# Bodies that report offences in the Home Office tables but are not police forces.
NON_FORCE_BODIES = ("Action Fraud", "CIFAS", "UK Finance")

# Words a force's name may end with, longest first so "police service" wins over "police".
_SUFFIXES = ("police service", "constabulary", "police force", "police")
_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Force:
    """One row of forces.csv."""

    code: str
    name: str
    region: str  # "" for British Transport Police
    other_names: tuple[str, ...]

    @property
    def is_territorial(self) -> bool:
        return bool(self.region)

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, self.code, *self.other_names)


def read_forces(path: Path = FORCES_CSV) -> list[Force]:
    """The forces listed in forces.csv, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Force(
                code=row["code"].strip(),
                name=row["name"].strip(),
                region=(row.get("region") or "").strip(),
                other_names=tuple(n.strip() for n in (row.get("other_names") or "").split(";") if n.strip()),
            )
            for row in csv.DictReader(handle)
        ]


def normalise_force_name(text: str) -> str:
    """One key for every spelling of a force's name.

    'Avon & Somerset Constabulary' -> 'avon and somerset'; 'London, City of' and
    'City of London Police' -> 'city of london'; 'Dyfed-Powys' -> 'dyfed powys';
    'Metropolitan Police Service' -> 'metropolitan'.
    """
    text = (text or "").strip().lower().replace("&", " and ")
    # "London, City of" is how the Home Office sorts the City of London Police.
    match = re.fullmatch(r"(.+?),\s*(city|county) of(.*)", text)
    if match:
        text = f"{match.group(2)} of {match.group(1)}{match.group(3)}"
    text = _SPACES.sub(" ", _PUNCTUATION.sub(" ", text.replace("_", " "))).strip()
    for suffix in _SUFFIXES:
        if text.endswith(" " + suffix):
            text = text[: -len(suffix) - 1].strip()
            break
    return text


def is_non_force_body(text: str) -> bool:
    key = normalise_force_name(text)
    return any(key == normalise_force_name(body) for body in NON_FORCE_BODIES)


class ForceMatcher:
    """Finds the organisation a national file's spelling of a force names.

    Built from (id, name, code, other names) of the organisations stored; an exact key
    (lower case) is tried first, then the normalised one. Results are cached per spelling,
    so a 300,000-row file costs one lookup per distinct spelling.
    """

    def __init__(self, organisations: Iterable[tuple[int, str, str, Iterable[str]]]):
        self.exact: dict[str, int] = {}
        self.normalised: dict[str, int] = {}
        self.names: dict[int, str] = {}
        ambiguous: set[str] = set()
        for pk, name, code, others in organisations:
            self.names[pk] = name
            for spelling in (name, code, *others):
                if not spelling:
                    continue
                self.exact.setdefault(spelling.strip().lower(), pk)
                key = normalise_force_name(spelling)
                if key and self.normalised.get(key, pk) != pk:
                    ambiguous.add(key)  # two organisations reduce to one key: trust neither
                self.normalised.setdefault(key, pk)
        for key in ambiguous:
            self.normalised.pop(key, None)
        self._cache: dict[str, int | None] = {}

    @classmethod
    def from_models(cls, organisation_model) -> ForceMatcher:
        """From the database's organisations (the model class is passed, for migrations too)."""
        rows = organisation_model.objects.values_list("pk", "name", "code", "other_names")
        return cls((pk, name, code, _split(others)) for pk, name, code, others in rows)

    def find(self, text) -> int | None:
        """The organisation id the spelling names, or None."""
        if text.__class__ is not str:
            text = "" if text is None else str(text)
        try:
            return self._cache[text]
        except KeyError:
            pass
        found = self.exact.get(text.strip().lower())
        if found is None:
            found = self.normalised.get(normalise_force_name(text))
        self._cache[text] = found
        return found


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]
