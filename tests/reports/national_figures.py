"""Every force's figures over many years, and a report ranking the home force among them.

Shared by the query-count test (few forces, few rows) and the approval benchmark
(bench/national_approval.py: 44 forces, 30 KPIs, 12 financial years). The forces and their
regions come from kpis/data/forces.csv; the figures are illustrative and deterministic.
Each force has stated-period observations per financial quarter and financial year, as the
Home Office files give them; the home force also has its months, which the KPI table's
trend chart shows. Everything is written with bulk_create in large batches.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kpis.models import Kpi, Observation, Organisation, PeerGroup, Population
from kpis.periods import Period
from reports.models import KpiRow, Paragraph, Report, Section

FORCES_CSV = Path(__file__).resolve().parents[2] / "kpis" / "data" / "forces.csv"
HOME = "Leicestershire"
NATIONAL_GROUP = "All forces in England and Wales"
MSF_GROUP = "Leicestershire Most Similar Forces"
MSF_SIZE = 8
BATCH = 5000


@dataclass
class NationalWorld:
    home: Organisation
    forces: list[Organisation]  # every force, the home force included
    national: PeerGroup
    msf: PeerGroup
    kpis: list[Kpi]
    last_year: int  # the financial year a report covers (its start year)


def force_rows(count: int | None = None) -> list[dict]:
    """forces.csv's rows: the home force and the first `count - 1` others (all when None)."""
    with FORCES_CSV.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    home = [r for r in rows if r["name"] == HOME]
    others = [r for r in rows if r["name"] != HOME]
    return home + (others if count is None else others[: count - 1])


def create_forces(rows: list[dict]) -> tuple[list[Organisation], PeerGroup, PeerGroup]:
    """The forces, a national group of all of them, one group per region and an MSF group of 8.

    Replaces the forces and groups the data migration loads, so every world starts the same.
    """
    PeerGroup.objects.all().delete()
    Organisation.objects.all().delete()
    forces = Organisation.objects.bulk_create(
        Organisation(code=r["code"], name=r["name"], is_home=r["name"] == HOME) for r in rows
    )
    by_name = {f.name: f for f in forces}
    national = PeerGroup.objects.create(name=NATIONAL_GROUP, kind=PeerGroup.Kind.NATIONAL)
    msf = PeerGroup.objects.create(name=MSF_GROUP, kind=PeerGroup.Kind.MSF)
    regions = sorted({r["region"] for r in rows if r["region"]})
    region_groups = PeerGroup.objects.bulk_create(
        PeerGroup(name=region, kind=PeerGroup.Kind.REGION) for region in regions
    )
    others = [f for f in forces if f.name != HOME]
    step = max(1, len(others) // (MSF_SIZE - 1))
    msf_members = [by_name[HOME], *others[::step][: MSF_SIZE - 1]]
    links = [(national, f) for f in forces] + [(msf, f) for f in msf_members]
    for group in region_groups:
        links += [(group, by_name[r["name"]]) for r in rows if r["region"] == group.name]
    through = PeerGroup.members.through
    through.objects.bulk_create(
        (through(peergroup_id=g.pk, organisation_id=f.pk) for g, f in links), batch_size=BATCH
    )
    return forces, national, msf


def create_kpis(count: int) -> list[Kpi]:
    """Counts summed over months (some ranked per 1,000 people), percentages averaged and
    'as at' figures: each kind a ranking reads differently, the same mix in every ten."""
    kpis = []
    for i in range(count):
        code = f"{i // 10 + 1}.{i % 10 + 1}"
        kind = {9: "percent", 7: "last"}.get(i % 10, "count")
        kpis.append(
            Kpi(
                code=code,
                name=f"National measure {code}",
                category=f"Category {i // 10 + 1}",
                unit="percent" if kind == "percent" else "count",
                aggregation={"percent": "mean", "last": "last"}.get(kind, "sum"),
                decimals=1 if kind == "percent" else 0,
                good_direction=("down", "up", "neither")[i % 3],
                per_population=i % 10 in (0, 3, 6),
            )
        )
    return Kpi.objects.bulk_create(kpis)


def month_value(f: int, k: int, fy: int, m: int, kpi: Kpi) -> Decimal:
    """An illustrative figure for force f, KPI k, financial year fy, month m (0 = April)."""
    if kpi.unit == "percent":
        return Decimal(500 + (f * 37 + k * 11 + fy * 53 + m * 7) % 400) / 10
    base = 400 + (f * 7919 + k * 104729) % 4000
    trend = 100 + (f * 37 + k * 11 + fy * 53) % 41 - 20  # -20% … +20% from year to year
    return Decimal(base * trend // 100 + (f * 31 + k * 17 + m * 7) % 97)


def combine(values: list[Decimal], kpi: Kpi) -> Decimal:
    if kpi.aggregation == "sum":
        return sum(values, Decimal(0))
    if kpi.aggregation == "mean":
        return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.0001"))
    return values[-1]


def figures_of(f: int, org: Organisation, k: int, kpi: Kpi, fy: int, *, months: bool):
    """One force's observations of one KPI for one financial year: quarters, year, months."""
    values = [month_value(f, k, fy, m, kpi) for m in range(12)]
    year = Period.financial_year(fy)
    for q in range(4):
        quarter = Period.quarter(fy, q + 1)
        yield Observation(
            kpi=kpi, organisation=org, period_start=quarter.start, period_end=quarter.end,
            value=combine(values[3 * q : 3 * q + 3], kpi),
        )  # fmt: skip
    yield Observation(
        kpi=kpi, organisation=org, period_start=year.start, period_end=year.end, value=combine(values, kpi)
    )
    if months:
        for first, value in zip(year.months(), values, strict=True):
            month = Period.month(first.year, first.month)
            yield Observation(
                kpi=kpi, organisation=org, period_start=month.start, period_end=month.end, value=value
            )


def create_figures(world: NationalWorld, *, years: int) -> int:
    """Every force's figures for every KPI over `years` financial years; how many were written."""
    first_year = world.last_year - years + 1
    observations = (
        obs
        for f, org in enumerate(world.forces)
        for k, kpi in enumerate(world.kpis)
        for fy in range(first_year, world.last_year + 1)
        for obs in figures_of(f, org, k, kpi, fy, months=org.pk == world.home.pk)
    )
    written = 0
    batch: list[Observation] = []
    for obs in observations:
        batch.append(obs)
        if len(batch) == BATCH:
            written += len(Observation.objects.bulk_create(batch))
            batch = []
    written += len(Observation.objects.bulk_create(batch))
    Population.objects.bulk_create(
        Population(organisation=org, year=year, population=600_000 + 25_000 * f + 1_000 * (year - first_year))
        for f, org in enumerate(world.forces)
        for year in range(first_year, world.last_year + 2)
    )
    return written


def national_world(*, forces: int | None = None, kpis: int = 30, years: int = 12, last_year: int = 2024):
    """`forces` forces (all 44 when None) with groups, `kpis` KPIs and `years` years of figures."""
    orgs, national, msf = create_forces(force_rows(forces))
    home = next(o for o in orgs if o.is_home)
    world = NationalWorld(
        home=home, forces=orgs, national=national, msf=msf, kpis=create_kpis(kpis), last_year=last_year
    )
    create_figures(world, years=years)
    return world


def national_report(world: NationalWorld, *, rows: int, by=None, slug: str, per_section: int = 10) -> Report:
    """A report on the last financial year: performance sections holding `rows` KPI rows, each
    ranked among the MSF group and standing among all forces, then a glossary."""
    year = Period.financial_year(world.last_year)
    report = Report.objects.create(
        title=f"National benchmark {rows} rows", slug=slug, organisation=world.home, audience="public",
        marking="NOT PROTECTIVELY MARKED", period_start=year.start, period_end=year.end, created_by=by,
    )  # fmt: skip
    if by:
        report.contributors.add(by)
    cover = Section.objects.create(report=report, position=1, kind="narrative", heading="Purpose of Report")
    Paragraph.objects.create(section=cover, position=1, text="To update the Panel on performance.")
    kpis = world.kpis[:rows]
    for number, first in enumerate(range(0, rows, per_section), start=1):
        section = Section.objects.create(
            report=report, position=number + 1, kind="performance", heading=f"Measures {number}"
        )
        Paragraph.objects.create(section=section, position=1, text="The table shows this year against last.")
        KpiRow.objects.bulk_create(
            KpiRow(section=section, kpi=kpi, position=i, peer_group=world.msf, standing_group=world.national)
            for i, kpi in enumerate(kpis[first : first + per_section], start=1)
        )
    Section.objects.create(
        report=report, position=rows // per_section + 3, kind="glossary", heading="Glossary"
    )
    return report
