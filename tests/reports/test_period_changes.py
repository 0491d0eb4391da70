"""Against the previous period's report: this year's figures and text beside last year's, on
the reviewer's page and in the reader's version history."""

from datetime import date

import pytest
from django.utils import timezone

from reports import selectors
from reports.models import Report

from .factories import make_live_publication, make_report, previous_year_snapshot, reference_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years():
    earlier_snap = previous_year_snapshot()
    earlier = make_live_publication(report=make_report(snapshot=earlier_snap), snapshot=earlier_snap)
    this_year = make_live_publication(report=make_report(snapshot=reference_snapshot()))
    return earlier, this_year


def test_the_previous_period_is_the_same_forces_latest_earlier_report_of_the_same_kind(two_years):
    earlier, this_year = two_years
    report = this_year.report
    assert selectors.previous_period_publication(report) == earlier
    # A newer version of the earlier report wins; a withdrawn one never counts.
    v2 = make_live_publication(report=earlier.report, snapshot=previous_year_snapshot(), version=2)
    assert selectors.previous_period_publication(report) == v2
    v2.withdrawn_at = timezone.now()
    v2.save(update_fields=["withdrawn_at"])
    assert selectors.previous_period_publication(report) == earlier
    # Not a later report, not another kind of period, not itself.
    assert selectors.previous_period_publication(earlier.report) is None
    Report.objects.filter(pk=earlier.report_id).update(period_kind=Report.PeriodKind.QUARTER)
    assert selectors.previous_period_publication(report) is None


def test_another_forces_report_is_never_the_previous_period(two_years):
    from kpis.models import Organisation

    earlier, this_year = two_years
    other = Organisation.objects.create(name="Sussex Police", code="sussex")
    Report.objects.filter(pk=earlier.report_id).update(organisation=other)
    assert selectors.previous_period_publication(this_year.report) is None


def test_a_reader_is_only_compared_with_a_report_they_may_read(two_years, make_user, panel_member):
    earlier, this_year = two_years
    Report.objects.filter(pk=earlier.report_id).update(audience=Report.Audience.PANEL)
    assert selectors.previous_period_publication(this_year.report, user=make_user("nobody")) is None
    assert selectors.previous_period_publication(this_year.report, user=panel_member) == earlier


def test_member_follows_the_history_link_to_last_years_figures_and_text(client, panel_member, two_years):
    earlier, this_year = two_years
    slug = this_year.report.slug
    client.force_login(panel_member)
    page = client.get(f"/reports/{slug}/").content.decode()
    url = f"/reports/{slug}/v1/changes/previous-period/"
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Against the previous period" in html
    assert "“Force Performance: End of Year 2017/18” (version 1)" in html
    assert f'href="/reports/{earlier.report.slug}/v1/"' in html
    # 3.1 All Crime: 84,760 in last year's report, 92,924 in this year's.
    assert "3.1 All Crime" in html and "84,760" in html and "92,924" in html
    assert "18/19 (was 17/18)" in html
    # Paragraph 3.1 was rewritten for the new year: shown as it was and as it is.
    assert "Paragraph 3.1</strong> (3. Crime), rewritten" in html
    assert "<dd>Crime in 2017/18 was recorded as the Home Office counts it.</dd>" in html
    assert "<dd>The force recorded an additional 8,164 crimes compared to the previous year" in html


def test_no_link_and_no_page_without_an_earlier_report(client, panel_member):
    this_year = make_live_publication(report=make_report(snapshot=reference_snapshot()))
    client.force_login(panel_member)
    page = client.get(f"/reports/{this_year.report.slug}/").content.decode()
    assert "previous-period" not in page
    assert client.get(f"/reports/{this_year.report.slug}/v1/changes/previous-period/").status_code == 404


def test_the_comparison_is_history_so_members_only(client, make_user, two_years):
    _, this_year = two_years
    url = f"/reports/{this_year.report.slug}/v1/changes/previous-period/"
    assert client.get(url).status_code == 302  # anonymous: sign in
    client.force_login(make_user("nobody"))
    assert client.get(url).status_code == 404


def test_reviewer_sees_the_draft_against_last_years_report(client, reviewer, two_years):
    earlier, this_year = two_years
    report = this_year.report
    Report.objects.filter(pk=report.pk).update(status=Report.Status.IN_REVIEW)
    client.force_login(reviewer)
    html = client.get(f"/admin/reports/report/{report.pk}/review/").content.decode()
    assert "Against the previous period" in html
    assert "“Force Performance: End of Year 2017/18” (version 1)" in html


def test_reviewer_is_told_when_there_is_nothing_to_compare_with(client, reviewer):
    report = make_report(snapshot=reference_snapshot(), status=Report.Status.IN_REVIEW)
    assert report.period_start == date(2018, 4, 1)
    client.force_login(reviewer)
    html = client.get(f"/admin/reports/report/{report.pk}/review/").content.decode()
    assert "for an earlier period of this kind" in html
