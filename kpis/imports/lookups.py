"""What a file's cells name, looked up: KPIs by code, organisations by code, name or other
name, the values already stored for the figures a file holds, and the one "did you mean …"
suggestion every import message uses (also the forces import, kpis/resources_peers.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from portal.spreadsheet_safety import unneutralise

from ..cells import cell_text
from ..models import Kpi, Observation, Organisation, split_aliases
from ..periods import month_end
from .problems import (
    EMPTY_CELL,
    NO_HOME_FORCE,
    UNKNOWN_KPI,
    UNKNOWN_KPI_SUGGEST,
    UNKNOWN_ORGANISATION,
    UNKNOWN_ORGANISATION_SUGGEST,
    Problems,
)


def suggestions(text: str, candidates: Iterable[str], *, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """The candidates closest to text, best first (ties in alphabetical order), compared
    without regard to case; each at most once, as written in candidates."""
    best: dict[str, tuple[float, str]] = {}
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(text.lower())
    for candidate in candidates:
        folded = candidate.lower()
        if folded in best:
            continue
        matcher.set_seq1(folded)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                best[folded] = (-ratio, candidate)
    return [candidate for _, candidate in sorted(best.values())[:n]]


def quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


# --------------------------------------------------------------------------- KPIs
def kpi_codes() -> dict[str, int]:
    """{code: id} for every KPI."""
    return dict(Kpi.objects.values_list("code", "id"))


def unknown_kpi_message(code: str, codes: Iterable[str]) -> str:
    near = suggestions(code, codes, cutoff=0.5)
    if near:
        return UNKNOWN_KPI_SUGGEST.format(code=code, suggestions=", ".join(near))
    return UNKNOWN_KPI.format(code=code)


# --------------------------------------------------------------------------- organisations
class OrganisationLookup:
    """Finds organisations by code, name or other name, in any case.

    A blank cell means `default_id`: the organisation chosen for the import, else the home
    force; with neither, the import is refused (NO_HOME_FORCE): the home force is chosen,
    never made up.
    """

    def __init__(self, *, chosen: Organisation | None = None):
        home = Organisation.objects.filter(is_home=True).values_list("pk", flat=True).first()
        self.default_id: int | None = chosen.pk if chosen is not None else home
        self.by_key: dict[str, int] = {}
        self.names: dict[int, str] = {}
        for pk, code, name, others in Organisation.objects.values_list("pk", "code", "name", "other_names"):
            for key in (code, name, *split_aliases(others)):
                self.by_key[key.lower()] = pk
            self.names[pk] = name

    def get(self, text: str) -> int | None:
        return self.by_key.get(text.lower())

    def default(self, problems: Problems) -> int | None:
        """Whose figures a row without an organisation holds; a problem if nobody's."""
        if self.default_id is None:
            problems.add_once(NO_HOME_FORCE)
        return self.default_id

    def find(self, raw, number, pos, header, problems: Problems) -> int | None:
        text = unneutralise(cell_text(raw))  # an exported "'-north" is the code "-north"
        if not text:
            return self.default(problems)
        found = self.by_key.get(text.lower())
        if found is None:
            problems.add(self.unknown_message(text), number, pos, header)
        return found

    def unknown_message(self, text: str) -> str:
        """There is no such organisation; did you mean … (by code, name or other name, each
        organisation once, shown by its name)."""
        near: list[str] = []
        for key in suggestions(text, self.by_key, n=6):
            name = self.names[self.by_key[key]]
            if name not in near:
                near.append(name)
        if near:
            return UNKNOWN_ORGANISATION_SUGGEST.format(text=text, suggestions=quoted(near[:3]))
        return UNKNOWN_ORGANISATION.format(text=text)


# --------------------------------------------------------------------------- stored values
def existing_values(values: dict) -> dict:
    """{key: (observation id, value)} for the planned values already stored.

    Keys are (kpi_id, org_id, month start) for monthly figures and (kpi_id, org_id, start,
    end) for stated periods; a plan may hold both.
    """
    if not values:
        return {}
    lengths = set(map(len, values))
    monthly, stated = 3 in lengths, 4 in lengths
    starts = {key[2] for key in values}
    rows = (
        Observation.objects.filter(
            kpi_id__in={key[0] for key in values},
            organisation_id__in={key[1] for key in values},
            period_start__gte=min(starts),
            period_start__lte=max(starts),
        )
        .order_by()  # the model's default ordering joins KPI and organisation: not wanted here
        .values_list("pk", "kpi_id", "organisation_id", "period_start", "period_end", "value")
    )
    found = {}
    for pk, kpi_id, org_id, start, end, value in rows:
        if monthly and start.day == 1 and end == month_end(start):
            found[(kpi_id, org_id, start)] = (pk, value)
        if stated and (kpi_id, org_id, start, end) in values:
            found[(kpi_id, org_id, start, end)] = (pk, value)
    return found


def find_kpi(raw, kpis: dict[str, int], number: int, pos: int, header: str, problems: Problems):
    """(kpi id, code) for a KPI code cell; the id is None, with a problem, when there is no
    such KPI or the cell is empty."""
    code = unneutralise(cell_text(raw))  # as exported: "'=1.1" is the code "=1.1"
    kpi_id = kpis.get(code)
    if kpi_id is None:
        message = unknown_kpi_message(code, kpis) if code else EMPTY_CELL.format(name="KPI code")
        problems.add(message, number, pos, header)
    return kpi_id, code
