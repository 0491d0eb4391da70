"""The 43 forces of England and Wales (and British Transport Police) with illustrative changes.

Shared by the national standing tests in kpis and reports.
"""

import csv
from decimal import Decimal
from pathlib import Path

from kpis.models import Kpi, Observation, Organisation, PeerGroup
from kpis.periods import Period

ROOT = Path(__file__).resolve().parents[2]
FORCES_CSV = ROOT / "kpis" / "data" / "forces.csv"
FY2018 = Period.financial_year(2018)
FY2017 = Period.financial_year(2017)
EAST_MIDLANDS = ["Derbyshire", "Leicestershire", "Lincolnshire", "Northamptonshire", "Nottinghamshire"]
NATIONAL_GROUP = "All forces in England and Wales"


def forces_of_england_and_wales() -> dict[str, Organisation]:
    """The 43 forces and British Transport Police, a national group and region groups."""
    with FORCES_CSV.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    orgs = {
        r["name"]: Organisation.objects.create(
            code=r["code"], name=r["name"], is_home=r["name"] == "Leicestershire"
        )
        for r in rows
    }
    national = PeerGroup.objects.create(name=NATIONAL_GROUP, kind=PeerGroup.Kind.NATIONAL)
    national.members.set(orgs.values())
    for region in sorted({r["region"] for r in rows if r["region"]}):
        g = PeerGroup.objects.create(name=region, kind=PeerGroup.Kind.REGION)
        g.members.set([orgs[r["name"]] for r in rows if r["region"] == region])
    return orgs


def crime_kpi() -> Kpi:
    return Kpi.objects.create(
        code="3.1", name="All Crime", category="Crime", unit="count", aggregation="sum", good_direction="down"
    )


def year(kpi, org, period, value) -> None:
    Observation.objects.create(
        kpi=kpi, organisation=org, period_start=period.start, period_end=period.end, value=Decimal(value)
    )


def changes_in_tenths(orgs: dict, kpi, tenths: dict[str, int | None], *, skip=()) -> None:
    """Each force 1,000 crimes in 2017/18 and 1,000 + tenths in 2018/19 (+96 is +9.6%).

    Forces named in `skip` are left alone (a report's home force with its own figures).
    """
    for name, change in tenths.items():
        if name in skip:
            continue
        year(kpi, orgs[name], FY2017, 1000)
        if change is not None:
            year(kpi, orgs[name], FY2018, 1000 + change)


def reference_picture(orgs) -> dict[str, int | None]:
    """36 of the 42 forces with figures increasing, Leicestershire 21st of them, smallest in its region.

    Kent and Essex tie at +15.0%; Dyfed-Powys has no 2018/19 figure; British Transport
    Police none at all (neither is counted as a decrease).
    """
    others = sorted(n for n in orgs if n not in ("Leicestershire", "Dyfed-Powys", "British Transport Police"))
    east = [n for n in EAST_MIDLANDS if n != "Leicestershire"]
    rest = [n for n in others if n not in east]
    larger = east + [n for n in rest if n not in ("Kent", "Essex")][:14] + ["Kent", "Essex"]  # 20 above
    smaller = [n for n in rest if n not in larger][:15]  # 15 below, still increasing
    falling = [n for n in rest if n not in larger and n not in smaller]  # 6 decreasing
    tenths = {"Leicestershire": 96, "Dyfed-Powys": None}
    above = [300 - 10 * i for i in range(15)] + [140, 130, 120]  # +30.0% … +16.0%, then +14.0% …
    tenths.update(dict(zip(larger[:-2], above, strict=True)))
    tenths.update({"Kent": 150, "Essex": 150})
    tenths.update({n: 80 - 5 * i for i, n in enumerate(smaller)})
    tenths.update({n: -10 - 10 * i for i, n in enumerate(falling)})
    assert len(falling) == 6 and len(smaller) == 15
    return tenths
