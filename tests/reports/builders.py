"""Real Report rows with sections, KPI rows, paragraphs and monthly observations."""

from datetime import date
from decimal import Decimal

from glossary.models import Term
from kpis.models import Kpi, Observation, Organisation
from kpis.periods import Period
from reports.models import KpiRow, Paragraph, Report, Section


def monthly(total: int, months: int = 12) -> list[int]:
    """Split a total into `months` whole numbers that add up exactly."""
    base, rest = divmod(total, months)
    return [base + (1 if i < rest else 0) for i in range(months)]


def add_year(kpi, org, fy: int, total: int) -> None:
    if Observation.objects.filter(kpi=kpi, organisation=org, period_start=date(fy, 4, 1)).exists():
        return
    Observation.objects.bulk_create(
        Observation(
            kpi=kpi,
            organisation=org,
            period_start=month,
            period_end=Period.month(month.year, month.month).end,
            value=Decimal(value),
        )
        for month, value in zip(Period.financial_year(fy).months(), monthly(total), strict=True)
    )


def make_report(
    *,
    by=None,
    slug="test-report",
    audience="public",
    marking="NOT PROTECTIVELY MARKED",
    title="Force Performance 2018/19",
) -> Report:
    """A small report shaped like the reference: cover, two performance sections, glossary."""
    org = Organisation.home()
    calls, _ = Kpi.objects.get_or_create(
        code="1.1", defaults={"name": "Number of 999 Calls", "category": "Calls"}
    )
    crime, _ = Kpi.objects.get_or_create(
        code="3.1", defaults={"name": "All Crime", "category": "Crime", "good_direction": "down"}
    )
    add_year(calls, org, 2018, 150536)
    add_year(calls, org, 2017, 138893)
    add_year(crime, org, 2018, 92924)
    add_year(crime, org, 2017, 84760)
    Term.objects.get_or_create(
        term="Contact Management Department",
        defaults={
            "abbreviation": "CMD",
            "definition": "The department responsible for taking initial calls.",
        },
    )
    report = Report.objects.create(
        title=title,
        slug=slug,
        organisation=org,
        audience=audience,
        marking=marking,
        period_start=date(2018, 4, 1),
        period_end=date(2019, 3, 31),
        created_by=by,
        contact_role="Performance Manager",
    )
    if by:
        report.contributors.add(by)
    cover = Section.objects.create(report=report, position=1, kind="narrative", heading="Purpose of Report")
    Paragraph.objects.create(section=cover, position=1, text="To update the Panel on performance.")
    rec = Section.objects.create(report=report, position=2, kind="narrative", heading="Recommendation")
    Paragraph.objects.create(section=rec, position=1, text="The Panel is recommended to *note* the report.")
    s1 = Section.objects.create(report=report, position=3, kind="performance", heading="Calls")
    KpiRow.objects.create(section=s1, kpi=calls, position=1)
    Paragraph.objects.create(section=s1, position=1, text="The CMD dealt with more 999 calls.")
    Paragraph.objects.create(section=s1, position=2, text="The CMD answered quickly.")
    s2 = Section.objects.create(report=report, position=4, kind="performance", heading="Crime")
    KpiRow.objects.create(section=s2, kpi=crime, position=1)
    Paragraph.objects.create(section=s2, position=1, text="The force recorded an additional 8,164 crimes.")
    Section.objects.create(report=report, position=5, kind="glossary", heading="Glossary")
    return report
