"""The national measures a panel report uses, with the national rows each one counts.

These are the defaults `load_national_mappings` offers. A measure attaches to a KPI that
already exists, never to one made up for it:

1. to the KPI whose code is given on the command line (`--attach violence-with-injury=3.2`);
2. otherwise to the KPI whose name or one of whose aliases is one of the measure's names,
   compared without case or punctuation ("All Crime" and the alias "all crime" are
   `all-crime`);
3. otherwise it is listed as offered, with the command line that attaches it.

A KPI that already has mappings for a source is left alone for that source: mappings are
edited in the admin (KPI page, "National mappings"), and loading defaults again never
undoes an edit.

The catalogue import's column (catalogue_column.py):
`national_rows`, one cell per KPI, mappings separated by ';', each
`<source>:<column>=<value>` with a leading '-' to exclude, e.g.
`home_office:offence_group=*; -home_office:offence_group=Fraud offences`.
`format_mappings`/`parse_mappings` below read and write that cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import EVERY_ROW, normalise_value, suggest

HO, UK = "home_office", "police_uk"
GROUP, SUBGROUP, CRIME_TYPE = "offence_group", "offence_subgroup", "crime_type"


@dataclass(frozen=True)
class Row:
    source: str
    field: str
    value: str
    exclude: bool = False


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    names: tuple[str, ...]  # what a KPI for it is called (name or alias)
    rows: tuple[Row, ...]


def _subgroups(*values: str, crime_types: tuple[str, ...] = ()) -> tuple[Row, ...]:
    return tuple(Row(HO, SUBGROUP, v) for v in values) + tuple(Row(UK, CRIME_TYPE, t) for t in crime_types)


MEASURES: tuple[Measure, ...] = (
    Measure(
        "all-crime",
        "All recorded crime excluding fraud and computer misuse",
        ("all crime", "all recorded crime", "total recorded crime", "recorded crime",
         "all crime excluding fraud"),
        (
            Row(HO, GROUP, EVERY_ROW),
            Row(HO, GROUP, "Fraud offences", exclude=True),
            Row(HO, GROUP, "Computer misuse", exclude=True),
            Row(UK, CRIME_TYPE, EVERY_ROW),
            Row(UK, CRIME_TYPE, "Anti-social behaviour", exclude=True),
        ),
    ),
    Measure("violence-with-injury", "Violence with injury", ("violence with injury",),
            _subgroups("Violence with injury")),
    Measure("violence-without-injury", "Violence without injury", ("violence without injury",),
            _subgroups("Violence without injury")),
    Measure("stalking-harassment", "Stalking and harassment", ("stalking and harassment",),
            _subgroups("Stalking and harassment")),
    Measure("sexual-offences", "Sexual offences", ("sexual offences",),
            (Row(HO, GROUP, "Sexual offences"),)),
    Measure("robbery", "Robbery", ("robbery", "robbery offences"),
            (Row(HO, GROUP, "Robbery"), Row(UK, CRIME_TYPE, "Robbery"))),
    Measure("residential-burglary", "Residential burglary", ("residential burglary",),
            _subgroups("Residential burglary")),
    Measure("business-community-burglary", "Business and community burglary",
            ("business and community burglary",), _subgroups("Business and community burglary")),
    Measure("burglary", "Burglary", ("burglary", "all burglary"),
            _subgroups("Residential burglary", "Business and community burglary", crime_types=("Burglary",))),
    Measure("vehicle-offences", "Vehicle offences", ("vehicle offences", "vehicle crime"),
            _subgroups("Vehicle offences", crime_types=("Vehicle crime",))),
    Measure("theft-from-person", "Theft from the person", ("theft from the person", "theft from person"),
            _subgroups("Theft from the person", crime_types=("Theft from the person",))),
    Measure("bicycle-theft", "Bicycle theft", ("bicycle theft", "cycle theft"),
            _subgroups("Bicycle theft", crime_types=("Bicycle theft",))),
    Measure("shoplifting", "Shoplifting", ("shoplifting",),
            _subgroups("Shoplifting", crime_types=("Shoplifting",))),
    Measure("other-theft", "All other theft offences", ("all other theft offences", "other theft"),
            _subgroups("All other theft offences", crime_types=("Other theft",))),
    Measure("criminal-damage-arson", "Criminal damage and arson", ("criminal damage and arson",),
            (Row(HO, GROUP, "Criminal damage and arson"), Row(UK, CRIME_TYPE, "Criminal damage and arson"))),
    Measure("drug-offences", "Drug offences", ("drug offences", "drugs offences", "drug crime"),
            (Row(HO, GROUP, "Drug offences"), Row(UK, CRIME_TYPE, "Drugs"))),
    Measure("possession-of-weapons", "Possession of weapons offences",
            ("possession of weapons offences", "possession of weapons", "weapons offences"),
            (Row(HO, GROUP, "Possession of weapons offences"), Row(UK, CRIME_TYPE, "Possession of weapons"))),
    Measure("public-order", "Public order offences", ("public order offences", "public order"),
            (Row(HO, GROUP, "Public order offences"), Row(UK, CRIME_TYPE, "Public order"))),
    Measure("misc-crimes-against-society", "Miscellaneous crimes against society",
            ("miscellaneous crimes against society",),
            (Row(HO, GROUP, "Miscellaneous crimes against society"),)),
    Measure("anti-social-behaviour", "Anti-social behaviour incidents (police.uk)",
            ("anti-social behaviour incidents", "asb incidents", "anti-social behaviour"),
            (Row(UK, CRIME_TYPE, "Anti-social behaviour"),)),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}


def measure_for_kpi(name: str, aliases: list[str]) -> Measure | None:
    """The measure a KPI of this name (or with one of these aliases) is, or None."""
    keys = [normalise_value(name), *(normalise_value(a) for a in aliases)]
    for measure in MEASURES:
        wanted = {normalise_value(n) for n in (measure.name, *measure.names)}
        if any(k in wanted for k in keys):
            return measure
    return None


# --------------------------------------------------------------------------- catalogue cell
BAD_MAPPING_CELL = (
    "'{text}' is not a national mapping: write source:column=value, e.g. "
    "'home_office:offence_subgroup=Violence with injury' (a leading '-' excludes)."
)
UNKNOWN_SOURCE = "'{source}' is not a national source: use home_office or police_uk."
DID_YOU_MEAN = " Did you mean '{suggestion}'?"


def format_mappings(rows) -> str:
    """Rows (anything with source, field, value, exclude) as one catalogue cell."""
    return "; ".join(f"{'-' if r.exclude else ''}{r.source}:{r.field}={r.value}" for r in rows)


def parse_mappings(text: str) -> list[Row]:
    """One catalogue cell as rows; ValueError (the message to show) for a part it cannot read."""
    rows = []
    for part in (text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        exclude = part.startswith("-")
        head, sep, value = part.lstrip("-").partition("=")
        source, colon, field = head.strip().partition(":")
        if not (sep and colon and value.strip() and source.strip() and field.strip()):
            raise ValueError(BAD_MAPPING_CELL.format(text=part))
        if source.strip() not in (HO, UK):
            near = suggest(source.strip(), (HO, UK))
            hint = DID_YOU_MEAN.format(suggestion=near) if near else ""
            raise ValueError(f"{part}: " + UNKNOWN_SOURCE.format(source=source.strip()) + hint)
        rows.append(Row(source.strip(), field.strip(), " ".join(value.split()), exclude))
    return rows
