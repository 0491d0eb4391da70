"""What an observations import will do, said before it is confirmed: whose figures, which
KPIs over which months, how many values are new, changed or unchanged for each KPI, and how
many empty cells (months with no figure yet) were skipped."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Kpi, Organisation
from ..periods import MONTH_ABBR
from .plans import ObservationPlan


@dataclass
class KpiChanges:
    code: str
    name: str
    first: object  # date of the first month
    last: object
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def months(self) -> str:
        first = f"{MONTH_ABBR[self.first.month - 1]} {self.first.year}"
        last = f"{MONTH_ABBR[self.last.month - 1]} {self.last.year}"
        return first if first == last else f"{first} – {last}"


@dataclass
class ObservationPreview:
    organisations: list[str]
    kpis: list[KpiChanges] = field(default_factory=list)
    blanks: int = 0

    @property
    def months(self) -> str:
        if not self.kpis:
            return ""
        first = min(k.first for k in self.kpis)
        last = max(k.last for k in self.kpis)
        return KpiChanges("", "", first, last).months


def describe_observations(plan: ObservationPlan) -> ObservationPreview:
    """Summarise a planned observations import, monthly or stated-period values alike."""
    kpi_ids = {key[0] for key in plan.values}
    org_ids = {key[1] for key in plan.values}
    kpis = {
        pk: (code, name)
        for pk, code, name in Kpi.objects.filter(pk__in=kpi_ids).values_list("pk", "code", "name")
    }
    orgs = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "name"))
    by_kpi: dict[int, KpiChanges] = {}
    for key, value in plan.values.items():
        kpi_id, start, end = key[0], key[2], key[-1]  # a month's key ends with its start
        changes = by_kpi.get(kpi_id)
        if changes is None:
            changes = by_kpi[kpi_id] = KpiChanges(*kpis[kpi_id], start, end)
        changes.first, changes.last = min(changes.first, start), max(changes.last, end)
        old = plan.existing.get(key)
        if old is None:
            changes.new += 1
        elif old[1] == value:
            changes.unchanged += 1
        else:
            changes.changed += 1
    return ObservationPreview(
        organisations=sorted(orgs.values()),
        kpis=sorted(by_kpi.values(), key=lambda k: k.code),
        blanks=plan.blanks,
    )
