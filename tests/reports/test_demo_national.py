"""The demo's national file, once imported, gives 3.1's All Crime row a standing the checker agrees with."""

import io
from datetime import date

import pytest

from kpis.models import NationalMapping, Observation, Organisation, PeerGroup
from kpis.national.force_loading import load_forces
from reports import demo, demo_national
from reports.checker import check_snapshot
from reports.snapshot import build_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_report(editor):
    """The demo's data as load_demo brings it in: forces from the shipped list, the catalogue,
    the home force's months, the peers, then the national file through the ordinary import."""
    load_forces(Organisation, PeerGroup)
    out = io.StringIO()
    demo.home_force()
    demo.import_catalogue(editor, out)
    demo.import_monthly_figures(editor, out)
    demo.import_peer_figures(editor, out)
    line = demo_national.load_national_recorded_crime(user=editor)
    return demo.write_report(editor, demo.home_force()), line


def test_without_a_national_measure_in_the_catalogue_the_file_is_refused_with_the_reason(editor):
    out = io.StringIO()
    load_forces(Organisation, PeerGroup)
    demo.home_force()
    demo.import_catalogue(editor, out)
    NationalMapping.objects.all().delete()  # no KPI says which national rows it counts
    with pytest.raises(ValueError, match="No KPI counts Home Office rows"):
        demo_national.load_national_recorded_crime(user=editor)
    assert not Observation.objects.filter(source__kind="national").exists()


def test_once_imported_the_reference_3_1_sentences_agree_with_the_frozen_standing(demo_report):
    report, line = demo_report
    snapshot = build_snapshot(report)
    crime = next(s for s in snapshot["sections"] if s["heading"] == "Crime")
    standing = crime["rows"][0]["standing"]

    findings = [f for f in check_snapshot(snapshot) if f.paragraph == crime["paragraphs"][0]["number"]]
    by_text = {f.text: f for f in findings if f.measure.startswith("standing_")}

    assert line.startswith(
        "National recorded crime (illustrative apart from Leicestershire): "
        "national-recorded-crime-2017-19-illustrative.csv (home office layout): "
    )
    assert "Not police forces, left out: Action Fraud" in line
    assert standing["sentence"] == (
        "Recording an increase: 36 of 43 forces. Ranked 21st of 36 by % increase (1st = largest increase). "
        "Smallest increase in East Midlands (5 forces)."
    )
    assert set(by_text) == {"36", "43", "21st", "1st", "smallest percentage increase in the region"}
    assert all(f.status == "match" for f in by_text.values()), [f.message for f in by_text.values()]
    assert crime["rows"][0]["comparison"]["current"]["value"] == "92924.0000"
    assert date.fromisoformat(standing["period"]["start"]) == date(2018, 4, 1)
