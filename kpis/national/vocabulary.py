"""The values national files write: Home Office offence groups and subgroups, police.uk
crime types, and the one way they are compared (`normalise_value`)."""

from __future__ import annotations

import re

EVERY_ROW = "*"

# The "Offence Group" and "Offence Subgroup" values of the Home Office police recorded crime
# open data tables by Police Force Area (prc-pfa-mar2013-onwards-tables).
HOME_OFFICE_GROUPS = (
    "Violence against the person",
    "Sexual offences",
    "Robbery",
    "Theft offences",
    "Criminal damage and arson",
    "Drug offences",
    "Possession of weapons offences",
    "Public order offences",
    "Miscellaneous crimes against society",
    "Fraud offences",
    "Computer misuse",
)
HOME_OFFICE_SUBGROUPS = (
    "Homicide",
    "Death or serious injury caused by unlawful driving",
    "Violence with injury",
    "Violence without injury",
    "Stalking and harassment",
    "Rape",
    "Other sexual offences",
    "Robbery of business property",
    "Robbery of personal property",
    "Residential burglary",
    "Business and community burglary",
    "Domestic burglary",
    "Non-domestic burglary",
    "Vehicle offences",
    "Theft from the person",
    "Bicycle theft",
    "Shoplifting",
    "All other theft offences",
    "Criminal damage",
    "Arson",
    "Trafficking of drugs",
    "Possession of drugs",
    "Possession of weapons offences",
    "Public order offences",
    "Miscellaneous crimes against society",
    "Fraud offences",
    "Computer misuse",
)
# police.uk crime types as the street-level CSV's "Crime type" column writes them (the API's
# slugs, e.g. 'anti-social-behaviour', normalise to the same keys).
POLICE_UK_CRIME_TYPES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
    "Other crime",
)

_NOT_WORD = re.compile(r"[^\w]+")


def normalise_value(text) -> str:
    """'Criminal Damage & Arson ' and 'criminal-damage-arson'-ish spellings -> one key.

    Case, punctuation, hyphens and spacing do not matter; '&' is 'and'. police.uk's slug
    'criminal-damage-arson' drops the 'and': both reduce to 'criminal damage arson'.
    """
    if text is None:
        return ""
    text = str(text).lower().replace("&", " and ")
    words = [w for w in _NOT_WORD.split(text.replace("_", " ")) if w]
    return " ".join(w for w in words if w != "and")


def suggest(value: str, known) -> str:
    """The published value `value` most looks like, or ""."""
    # Imported here to break a real cycle: kpis.models imports this module (through
    # NationalMapping), and the import code imports kpis.models. The portal has one
    # suggestion function; this is the only line that names it.
    from kpis.imports.lookups import suggestions

    keys = {normalise_value(k): k for k in known}
    near = suggestions(normalise_value(value), list(keys), n=1, cutoff=0.75)
    return keys[near[0]] if near else ""
