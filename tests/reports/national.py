"""A report whose All Crime row asks for its standing among the forces of England and Wales."""

from kpis.models import Kpi, Observation, PeerGroup
from reports.models import KpiRow, Section
from tests.kpis.national_forces import (
    FY2018,
    changes_in_tenths,
    forces_of_england_and_wales,
    reference_picture,
)
from tests.reports.builders import make_report


def report_with_national_standing(editor, *, every_force=False):
    """The test report (Leicestershire's All Crime, 84,760 -> 92,924) with the crime row
    asking for its standing among all forces, whose figures are illustrative.

    Dyfed-Powys has no 2018/19 figure unless `every_force`, when it falls 7%: then 36 of
    the 43 forces with figures are recording an increase, as in the reference report.
    """
    orgs = forces_of_england_and_wales()
    report = make_report(by=editor)
    crime = Kpi.objects.get(code="3.1")
    changes_in_tenths(orgs, crime, reference_picture(orgs), skip=("Leicestershire",))
    if every_force:
        Observation.objects.create(
            kpi=crime,
            organisation=orgs["Dyfed-Powys"],
            period_start=FY2018.start,
            period_end=FY2018.end,
            value=930,
        )
    section = Section.objects.get(report=report, heading="Crime")
    row = KpiRow.objects.get(section=section, kpi=crime)
    row.standing_group = PeerGroup.objects.get(kind=PeerGroup.Kind.NATIONAL)
    row.save()
    return report


def crime_row(snapshot: dict) -> dict:
    return next(r for s in snapshot["sections"] for r in s["rows"] if r["kpi"]["code"] == "3.1")
