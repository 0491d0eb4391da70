"""The demo's national file, once imported, gives 3.1's All Crime row a standing the checker agrees with."""

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from kpis.models import Kpi, Observation, Organisation, PeerGroup
from kpis.periods import Period
from reports import demo, demo_national
from reports.checker import check_snapshot
from reports.snapshot import build_snapshot
from tests.kpis.national_forces import forces_of_england_and_wales

pytestmark = pytest.mark.django_db


def stand_in_importer(*, content: bytes, file_name: str, user) -> str:
    """What the recorded crime importer stores, near enough for this test: each force's
    financial-year total of all crime excluding fraud, as a stated figure of KPI 3.1."""
    years: dict[tuple[str, int], int] = defaultdict(int)
    for row in csv.DictReader(io.StringIO(content.decode("utf-8"))):
        if row["Offence Group"] != "Fraud offences":
            years[(row["Force Name"], int(row["Financial Year"][:4]))] += int(row["Number of Offences"])
    crime, forces = Kpi.objects.get(code="3.1"), {o.name: o for o in Organisation.objects.all()}
    for (name, year), total in years.items():
        period = Period.financial_year(year)
        Observation.objects.update_or_create(
            kpi=crime, organisation=forces[name], period_start=period.start, period_end=period.end,
            defaults={"value": Decimal(total)},
        )  # fmt: skip
    return f"{len(years)} force-years from {file_name}"


@pytest.fixture
def demo_report(editor):
    out = io.StringIO()
    orgs = forces_of_england_and_wales()
    # The national group of the 43 territorial forces: British Transport Police records no
    # crime in the Home Office's force tables.
    PeerGroup.objects.get(kind=PeerGroup.Kind.NATIONAL).members.remove(orgs["British Transport Police"])
    demo.import_catalogue(editor, out)
    demo.import_monthly_figures(editor, out)
    demo.import_peer_figures(editor, out)
    line = demo_national.load_national_recorded_crime(user=editor, importer=stand_in_importer)
    return demo.write_report(editor, demo.home_force()), line


def test_without_the_importer_the_loader_says_the_file_was_not_imported(editor):
    assert demo_national.load_national_recorded_crime(user=editor) == demo_national.NOT_IMPORTED


def test_once_imported_the_reference_3_1_sentences_agree_with_the_frozen_standing(demo_report):
    report, line = demo_report
    snapshot = build_snapshot(report)
    crime = next(s for s in snapshot["sections"] if s["heading"] == "Crime")
    standing = crime["rows"][0]["standing"]

    findings = [f for f in check_snapshot(snapshot) if f.paragraph == crime["paragraphs"][0]["number"]]
    by_text = {f.text: f for f in findings if f.measure.startswith("standing_")}

    assert line == (
        "National recorded crime (illustrative apart from Leicestershire): "
        "86 force-years from national-recorded-crime-2017-19-illustrative.csv"
    )
    assert standing["sentence"] == (
        "Recording an increase: 36 of 43 forces. Ranked 21st of 36 by % increase (1st = largest increase). "
        "Smallest increase in East Midlands (5 forces)."
    )
    assert set(by_text) == {"36", "43", "21st", "1st", "smallest percentage increase in the region"}
    assert all(f.status == "match" for f in by_text.values()), [f.message for f in by_text.values()]
    assert crime["rows"][0]["comparison"]["current"]["value"] == "92924.0000"
    assert date.fromisoformat(standing["period"]["start"]) == date(2018, 4, 1)
